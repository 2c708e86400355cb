"""Demo expert pool and review rounds, made through the services (names and figures are invented)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from lianzhang.accounts.permissions import SYSTEM
from lianzhang.common.chains import platform_chain
from lianzhang.enterprises.models import Enterprise, Project
from lianzhang.regions.models import Region
from lianzhang.reviews import assignment_services, bridge, pool_services, scoring_services, services
from lianzhang.reviews.models import Assignment, Expert, ReviewRound

SEED = 2025
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ("志远", "海燕", "建华", "晓东", "丽萍", "文博", "思琪", "国栋", "静怡", "子航")
ORGS = (
    "岭南理工大学（演示）",
    "珠江信息技术研究院（演示）",
    "南海智能装备研究所（演示）",
    "羊城医科大学（演示）",
    "白云工程技术学院（演示）",
    "粤湾人工智能创新中心（演示）",
    "东江电子科技大学（演示）",
    "香山工业设计研究院（演示）",
)
TITLES = ("教授", "研究员", "正高级工程师", "副教授", "高级工程师")
DISCIPLINES = ("模式识别", "控制科学与工程", "软件工程", "微电子", "生物医学工程", "交通运输工程", "管理科学")
DISTRICTS = ("440106", "440111", "440104", "440105", "440112", "440113")
N_EXPERTS = 40


def _experts() -> list[Expert]:
    districts = [d for d in DISTRICTS if Region.objects.filter(pk=d).exists()] or [""]
    node_ids = list(platform_chain().nodes)
    today = bridge.today()
    out = []
    for i in range(N_EXPERTS):
        # Distinct invented names: the surname cycles every 20 experts, the given name shifts each cycle.
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7 + i // len(SURNAMES)) % len(GIVEN)]
        nodes = [node_ids[(2 * i) % len(node_ids)], node_ids[(2 * i + 1) % len(node_ids)]]
        nodes.append(node_ids[(5 * i + 3) % len(node_ids)])
        k = i % len(DISCIPLINES)
        out.append(
            pool_services.save_expert(
                SYSTEM,
                pool_services.ExpertInput(
                    name=name,
                    organisation=ORGS[(i * 3) % len(ORGS)],
                    title=TITLES[i % len(TITLES)],
                    nodes=nodes,
                    disciplines=[DISCIPLINES[k]],
                    district=districts[i % len(districts)],
                    profile=f"长期从事{DISCIPLINES[k]}方向的研究与产业化评审（演示）",
                    available=i % 13 != 12,
                    # Terms around the day the demo is loaded, so it works whenever it is run;
                    # a few have just ended and are no longer drawn.
                    term_start=today - timedelta(days=400),
                    term_end=today + timedelta(days=700) if i % 17 else today - timedelta(days=30),
                    max_load=6,
                ),
            )
        )
    return out


def _edit(expert: Expert, **changes) -> Expert:
    """Save the expert with some fields changed and the rest as they are."""
    data = pool_services.ExpertInput.of(expert)
    for name, value in changes.items():
        setattr(data, name, value)
    return pool_services.save_expert(SYSTEM, data, expert.pk)


def _projects(count: int, skip: int) -> list[Project]:
    return list(
        Project.objects.filter(enterprise__nodes__isnull=False)
        .select_related("enterprise")
        .distinct()
        .order_by("pk")[skip : skip + count]
    )


def _scores(rng: random.Random, assignments, criteria) -> None:
    for a in assignments:
        base = rng.randint(55, 92)
        values = {c["key"]: min(c["max"], max(0, base + rng.randint(-8, 8))) for c in criteria}
        scoring_services._store_score(SYSTEM, a, values, "演示评审意见：技术路线清楚，建议关注落地进度。")


def _round(name: str, projects: list[Project], mode: str, seed: int, fail_last: bool):
    round_ = services.create_round(SYSTEM, services.RoundInput(name=name, per_app=5, max_load=6, mode=mode))
    for project in projects:
        services.add_application(SYSTEM, round_.pk, "project", project.pk)
    round_ = services.start_check(SYSTEM, round_.pk, round_.version)
    apps = list(round_.applications.order_by("pk"))
    for app in apps:
        failed = fail_last and app is apps[-1]
        services.formal_check(SYSTEM, app.pk, not failed, "缺少近两年财务审计报告（演示）" if failed else "")
    round_ = services.open_assignment(SYSTEM, round_.pk, round_.version)
    assignment_services.run_assignment(SYSTEM, round_.pk, seed=seed)
    round_.refresh_from_db()
    return assignment_services.open_scoring(SYSTEM, round_.pk, round_.version)


def load_demo_reviews() -> None:
    """Load the demo pool and two rounds once (nothing happens when the pool exists)."""
    if Expert.objects.exists() or not Project.objects.exists():
        return
    rng = random.Random(SEED)
    experts = _experts()
    first, second = _projects(8, 0), _projects(6, 8)
    # Registry links: one applicant's legal representative shares a name with an expert, one expert
    # works for an applicant, and one declares a conflict, so the round shows each kind of 回避.
    if first:
        pool_services.add_related_person(SYSTEM, first[0].enterprise_id, experts[3].name, "legal_rep")
        pool_services.add_related_person(
            SYSTEM, first[0].enterprise_id, "欧阳明远", "shareholder", "某投资合伙企业"
        )
    if len(first) > 2:
        _edit(experts[5], organisation=first[1].enterprise.name)
        _edit(experts[7], declared_conflicts=[first[2].enterprise.name])
    for enterprise in Enterprise.objects.filter(pk__in=[p.enterprise_id for p in second[:3]]):
        pool_services.add_related_person(
            SYSTEM, enterprise.pk, "陆思远", "key_staff", note="技术总监（演示）"
        )
    if not first:
        return
    scoring = _round("2025年度人工智能产业化项目评审（演示）", first, "draw", 20250601, fail_last=True)
    # The demo login "expert" is the pool record of the first expert drawn, so it has work to do.
    mine = Assignment.objects.filter(application__round=scoring).order_by("pk").first()
    if mine is not None:
        me = _edit(mine.expert, username="expert")
        others = Assignment.objects.filter(application__round=scoring).exclude(expert=me).order_by("pk")
        _scores(rng, others[: others.count() // 2], scoring.criteria)
    if len(second) < 2:
        return
    noticed = _round("2024年度人工智能应用示范项目评审（演示）", second, "optimal", 0, fail_last=False)
    _scores(rng, Assignment.objects.filter(application__round=noticed), noticed.criteria)
    noticed = scoring_services.close_round(SYSTEM, noticed.pk, noticed.version)
    decisions = {
        app.pk: (
            app.rank is not None and app.rank <= 3,
            "择优支持" if app.rank and app.rank <= 3 else "未进入前三",
        )
        for app in noticed.applications.all()
    }
    noticed = scoring_services.decide(SYSTEM, noticed.pk, noticed.version, decisions)
    scoring_services.publish_notice(SYSTEM, noticed.pk, noticed.version, bridge.today() + timedelta(days=10))
    third = _projects(5, 14)
    if len(third) >= 2:
        _final_round(rng, third)


def _final_round(rng: random.Random, projects: list[Project]) -> None:
    """A round whose 公示 ended without objections and which is final, so a subsidy programme can take it."""
    final = _round("2023年度人工智能核心技术攻关项目评审（演示）", projects, "optimal", 0, fail_last=False)
    _scores(rng, Assignment.objects.filter(application__round=final), final.criteria)
    final = scoring_services.close_round(SYSTEM, final.pk, final.version)
    decisions = {
        app.pk: (app.rank is not None and app.rank <= 3, "择优支持") for app in final.applications.all()
    }
    final = scoring_services.decide(SYSTEM, final.pk, final.version, decisions)
    final = scoring_services.publish_notice(SYSTEM, final.pk, final.version, bridge.today())
    # The invented round's notice ran in late 2023; moving its dates there is what lets it be final today.
    ReviewRound.objects.filter(pk=final.pk).update(
        noticed_on=date(2023, 11, 1), objection_deadline=date(2023, 11, 7)
    )
    scoring_services.finalise(SYSTEM, final.pk, final.version)
