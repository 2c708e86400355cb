"""Review rounds on the platform: conflicts, assignment, redraw, scoring, aggregation, 公示 and audit."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.models import Project, RelatedPerson
from lianzhang.enterprises.project_services import ProjectInput, create_project
from lianzhang.enterprises.services import NotFound
from lianzhang.reviews import assignment_services, bridge, scoring_services, services
from lianzhang.reviews.models import Assignment, Conflict, ReviewRound
from lianzhang.reviews.pool_services import ExpertInput, add_related_person, save_expert

pytestmark = pytest.mark.django_db
R = ReviewRound.Status


def _expert(office, name: str, org: str, **extra):
    return save_expert(office, ExpertInput(name=name, organisation=org, nodes=["vision"], **extra))


def _pool(personas, n: int):
    """n experts of distinct universities; the expert persona is the first."""
    office = personas["chain_office"].actor
    experts = [_expert(office, f"专家{i}", f"第{i}大学") for i in range(n)]
    experts[0] = save_expert(
        office,
        ExpertInput(name="专家0", organisation="第0大学", nodes=["vision"], username="expert"),
        experts[0].pk,
    )
    return experts


def _become(personas, expert) -> None:
    """Link the expert persona's login to this pool record (and unlink it from any other)."""
    office = personas["chain_office"].actor
    for record in type(expert).objects.filter(user__username="expert").exclude(pk=expert.pk):
        save_expert(office, ExpertInput(name=record.name, organisation=record.organisation), record.pk)
    save_expert(
        office, ExpertInput(name=expert.name, organisation=expert.organisation, username="expert"), expert.pk
    )


def _round(personas, *, per_app: int, same_district: bool = False, status: str = R.ASSIGNING):
    """A project round with the projects of enterprises A and B, checked, conflicts computed."""
    office = personas["chain_office"].actor
    round_ = services.create_round(
        office,
        services.RoundInput(name="2025年度人工智能项目评审", per_app=per_app, same_district=same_district),
    )
    for project in Project.objects.order_by("pk"):
        services.add_application(office, round_.pk, "project", project.pk)
    round_ = services.start_check(office, round_.pk, round_.version)
    for app in round_.applications.all():
        services.formal_check(office, app.pk, True)
    round_ = services.open_assignment(office, round_.pk, round_.version)
    if status == R.SCORING:
        assignment_services.run_assignment(office, round_.pk, seed=7)
        round_.refresh_from_db()
        round_ = assignment_services.open_scoring(office, round_.pk, round_.version)
    return round_


def _app_of(round_, enterprise):
    return round_.applications.get(enterprise=enterprise)


# ------------------------------------------------------------------------------------ conflicts


def test_conflicts_are_computed_with_their_reasons(personas, enterprise_a, enterprise_b):
    office = personas["chain_office"].actor
    same_org = _expert(office, "王同事", "甲视觉科技有限公司")
    namesake = _expert(office, "李股东", "某研究院")
    confirmed = _expert(office, "陈董事", "丁投资有限公司")
    declared = _expert(office, "赵申报", "某大学", declared_conflicts=["乙智能装备有限公司"])
    neighbour = _expert(office, "钱邻居", "某学院", district="440106")
    add_related_person(office, enterprise_a.pk, "李股东", "shareholder")
    add_related_person(office, enterprise_b.pk, "陈董事", "key_staff", organisation="丁投资有限公司")
    round_ = _round(personas, per_app=1, same_district=True)
    a, b = _app_of(round_, enterprise_a), _app_of(round_, enterprise_b)
    found = {(c.application_id, c.expert_id, c.kind): c.reason for c in Conflict.objects.filter(round=round_)}
    assert "同单位" in found[(a.pk, same_org.pk, "same_org")]
    assert (
        "股东" in found[(a.pk, namesake.pk, "related_person")]
        and "同名" in found[(a.pk, namesake.pk, "related_person")]
    )
    # Name and organisation both match: the registry link is confirmed, not only a namesake.
    assert "核心人员" in found[(b.pk, confirmed.pk, "related_person")]
    assert "关联企业" in found[(b.pk, confirmed.pk, "linked")]
    assert "本人申报回避" in found[(b.pk, declared.pk, "declared")]
    assert "同区回避" in found[(a.pk, neighbour.pk, "same_district")]
    assert len(found) == 6


def test_same_district_is_a_rule_of_the_round_not_always_applied(personas, enterprise_a):
    _expert(personas["chain_office"].actor, "钱邻居", "某学院", district="440106")
    round_ = _round(personas, per_app=1, same_district=False)
    assert not Conflict.objects.filter(round=round_).exists()


def test_assignment_never_crosses_a_conflict(personas, enterprise_a):
    office = personas["chain_office"].actor
    _pool(personas, 3)
    insider = _expert(office, "王同事", "甲视觉科技有限公司")
    round_ = _round(personas, per_app=3)
    assignment_services.run_assignment(office, round_.pk, seed=11)
    assert not Assignment.objects.filter(application__enterprise=enterprise_a, expert=insider).exists()
    assert Assignment.objects.filter(application__round=round_).count() == 6


def test_a_late_registry_link_flags_an_existing_assignment_and_redraw_replaces_it(personas, enterprise_a):
    office = personas["chain_office"].actor
    experts = _pool(personas, 4)
    round_ = _round(personas, per_app=2, status=R.SCORING)
    app = _app_of(round_, enterprise_a)
    victim = app.assignments.order_by("pk").first()
    keep = set(app.assignments.exclude(pk=victim.pk).values_list("expert_id", flat=True))
    add_related_person(personas["enterprise_a"].actor, enterprise_a.pk, victim.expert.name, "legal_rep")
    detail = services.round_detail(office, round_.pk)
    assert [a.pk for a in detail["conflicted"]] == [victim.pk]
    assignment_services.withdraw_assignment(office, victim.pk, "回避：法定代表人同名")
    assignment_services.redraw(office, round_.pk)
    now = set(app.assignments.exclude(status="declined").values_list("expert_id", flat=True))
    assert keep <= now and victim.expert_id not in now and len(now) == 2
    assert {e.pk for e in experts} >= now


def test_a_late_expert_and_a_late_application_recompute_conflicts(personas, enterprise_a, enterprise_b):
    office = personas["chain_office"].actor
    _pool(personas, 4)
    round_ = _round(personas, per_app=2, status=R.SCORING)
    late_expert = _expert(office, "王同事", "乙智能装备有限公司")
    assert Conflict.objects.filter(round=round_, expert=late_expert, kind="same_org").count() == 1
    project = create_project(SYSTEM, ProjectInput(enterprise_a.pk, "视觉大模型", "rnd", 50_000_000))
    late = services.add_application(office, round_.pk, "project", project.pk)
    assert late.added_late
    services.formal_check(office, late.pk, True)
    vacancies = services.round_detail(office, round_.pk)["vacancies"]
    assert [app.pk for app, _ in vacancies] == [late.pk]
    assignment_services.redraw(office, round_.pk)
    assert late.assignments.count() == 2
    assert not Conflict.objects.filter(round=round_, application=late).exists()
    assert Conflict.objects.filter(round=round_, expert=late_expert).count() == 1


# ------------------------------------------------------------------------------------ assignment


def test_the_draw_is_reproducible_from_the_recorded_seed(personas):
    office = personas["chain_office"].actor
    _pool(personas, 8)
    round_ = _round(personas, per_app=3)
    result = assignment_services.run_assignment(office, round_.pk)
    round_.refresh_from_db()
    assert round_.seed == result.seed and round_.seed is not None
    first = set(Assignment.objects.filter(application__round=round_).values_list("application", "expert"))
    assert assignment_services.verify_draw(office, round_.pk)["same"] is True
    assignment_services.run_assignment(office, round_.pk, seed=round_.seed)
    again = set(Assignment.objects.filter(application__round=round_).values_list("application", "expert"))
    assert again == first
    reasons = [a.reason for a in Assignment.objects.filter(application__round=round_)]
    assert all("随机抽取" in r and f"种子 {round_.seed}" in r for r in reasons)
    # Shared fields are named, not shown as node ids.
    assert any("同领域（计算机视觉" in r for r in reasons) and not any("vision" in r for r in reasons)


def test_a_second_run_on_a_stale_page_is_refused_and_keeps_the_first_draw(personas):
    office = personas["chain_office"].actor
    _pool(personas, 4)
    round_ = _round(personas, per_app=2)
    seen = round_.version  # two officers open the round page at this version
    assignment_services.run_assignment(office, round_.pk, seed=7, version=seen)
    first = sorted(Assignment.objects.values_list("application_id", "expert_id"))
    with pytest.raises(StaleEdit):
        assignment_services.run_assignment(office, round_.pk, seed=8, version=seen)
    assert sorted(Assignment.objects.values_list("application_id", "expert_id")) == first
    assert ReviewRound.objects.get(pk=round_.pk).seed == 7


def test_optimal_mode_shows_affinity_and_reason(personas):
    office = personas["chain_office"].actor
    _pool(personas, 5)
    round_ = _round(personas, per_app=2)
    assignment_services.run_assignment(office, round_.pk, mode="optimal")
    rows = list(Assignment.objects.filter(application__round=round_))
    assert len(rows) == 4 and all("最优分配" in a.reason for a in rows)
    assert all(a.affinity >= 0 for a in rows)


def test_a_decline_is_redrawn_and_everyone_else_stays(personas):
    office = personas["chain_office"].actor
    _pool(personas, 7)
    round_ = _round(personas, per_app=3, status=R.SCORING)
    _become(personas, Assignment.objects.order_by("pk").first().expert)
    mine = scoring_services.my_assignments(personas["expert"].actor).first()
    before = set(Assignment.objects.exclude(pk=mine.pk).values_list("application", "expert"))
    assignment_services.decline_assignment(personas["expert"].actor, mine.pk, "出差，无法参加")
    new = assignment_services.redraw(office, round_.pk)
    assert len(new) == 1 and new[0].application_id == mine.application_id
    assert new[0].expert_id != mine.expert_id
    after = set(Assignment.objects.exclude(pk__in=[mine.pk, new[0].pk]).values_list("application", "expert"))
    assert after == before
    assert "随机抽取" in new[0].reason


# ------------------------------------------------------------------------------------ scoring


SHEET = {"innovation": 80, "feasibility": 70, "benefit": 90, "team": 60}


def test_an_expert_sees_only_own_assignments_and_no_other_scores_before_close(personas):
    office = personas["chain_office"].actor
    _pool(personas, 5)
    round_ = _round(personas, per_app=2, status=R.SCORING)
    _become(personas, Assignment.objects.order_by("pk").first().expert)
    expert = personas["expert"].actor
    mine = list(scoring_services.my_assignments(expert))
    assert mine and all(a.expert.user_id == expert.user_id for a in mine)
    other = Assignment.objects.exclude(expert__user_id=expert.user_id).first()
    with pytest.raises(NotFound):
        scoring_services.score_sheet(expert, other.pk)
    with pytest.raises(NotFound):
        scoring_services.submit_score(expert, other.pk, SHEET, "好")
    scoring_services._store_score(SYSTEM, other, SHEET, "他人意见")
    scoring_services.submit_score(expert, mine[0].pk, SHEET, "创新性强")
    sheet = scoring_services.score_sheet(expert, mine[0].pk)
    assert sheet["panel"] is None and sheet["score"].total == Decimal("76.00")
    with pytest.raises(ValidationError, match="份评分未提交"):
        scoring_services.close_round(office, round_.pk, round_.version)
    assert ReviewRound.objects.get(pk=round_.pk).status == R.SCORING
    round_ = scoring_services.close_round(office, round_.pk, round_.version, without_missing=True)
    assert scoring_services.score_sheet(expert, mine[0].pk)["panel"] is not None
    missing = Assignment.objects.filter(status="assigned").count()
    logged = AuditEntry.objects.get(model="reviews.reviewround", action="aggregate")
    assert missing > 0 and logged.changes["missing_sheets"] == missing


def test_a_score_above_the_criterion_maximum_is_refused_naming_it(personas):
    _pool(personas, 3)
    _round(personas, per_app=1, status=R.SCORING)
    _become(personas, Assignment.objects.order_by("pk").first().expert)
    mine = scoring_services.my_assignments(personas["expert"].actor).first()
    with pytest.raises(ValidationError) as exc:
        scoring_services.submit_score(personas["expert"].actor, mine.pk, {**SHEET, "team": 120}, "意见")
    assert "团队与基础" in str(exc.value)
    assert not Assignment.objects.filter(status="submitted").exists()


def test_five_reviewers_give_a_trimmed_mean_and_a_ranking(personas, enterprise_a, enterprise_b):
    office = personas["chain_office"].actor
    _pool(personas, 5)
    round_ = _round(personas, per_app=5, status=R.SCORING)
    a, b = _app_of(round_, enterprise_a), _app_of(round_, enterprise_b)
    for value, assignment in zip((40, 70, 75, 80, 100), a.assignments.order_by("pk"), strict=True):
        scoring_services._store_score(SYSTEM, assignment, dict.fromkeys(SHEET, value), "意见")
    for assignment in b.assignments.all():
        scoring_services._store_score(SYSTEM, assignment, dict.fromkeys(SHEET, 60), "意见")
    scoring_services.close_round(office, round_.pk, round_.version)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.score == Decimal("75.00") and a.dropped == ["40.00", "100.00"] and a.reviewers == 5
    assert a.disagreement is True and b.disagreement is False
    assert (a.rank, b.rank) == (1, 2)


# ------------------------------------------------------------------------------------ decision and 公示


def _noticed(personas, monkeypatch, deadline: date):
    office = personas["chain_office"].actor
    _pool(personas, 3)
    round_ = _round(personas, per_app=1, status=R.SCORING)
    for assignment in Assignment.objects.all():
        scoring_services._store_score(SYSTEM, assignment, SHEET, "意见")
    round_ = scoring_services.close_round(office, round_.pk, round_.version)
    decisions = {app.pk: (app.rank == 1, "择优支持") for app in round_.applications.all()}
    round_ = scoring_services.decide(office, round_.pk, round_.version, decisions)
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 1))
    return scoring_services.publish_notice(office, round_.pk, round_.version, deadline)


def test_a_decision_for_an_application_of_another_round_is_refused(personas):
    office = personas["chain_office"].actor
    _pool(personas, 3)
    round_ = _round(personas, per_app=1, status=R.SCORING)
    for assignment in Assignment.objects.all():
        scoring_services._store_score(SYSTEM, assignment, SHEET, "意见")
    round_ = scoring_services.close_round(office, round_.pk, round_.version)
    decisions = {app.pk: (True, "择优支持") for app in round_.applications.all()}
    with pytest.raises(ValidationError, match="不属于本批评审：999999"):
        scoring_services.decide(office, round_.pk, round_.version, {**decisions, 999999: (True, "")})
    assert ReviewRound.objects.get(pk=round_.pk).status == R.CLOSED


def test_objections_are_accepted_only_during_the_notice_period(personas, monkeypatch):
    office, firm = personas["chain_office"].actor, personas["enterprise_b"].actor
    round_ = _noticed(personas, monkeypatch, date(2025, 6, 8))
    with pytest.raises(PermissionDenied):
        scoring_services.file_objection(personas["department"].actor, round_.pk, "不服")
    objection = scoring_services.file_objection(firm, round_.pk, "评分过低，请复核")
    with pytest.raises(ValidationError, match="异议期"):
        scoring_services.finalise(office, round_.pk, round_.version)
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 9))
    with pytest.raises(ValidationError, match="已于 2025-06-08 结束"):
        scoring_services.file_objection(firm, round_.pk, "晚了")
    with pytest.raises(ValidationError, match="未处理"):
        scoring_services.finalise(office, round_.pk, round_.version)
    scoring_services.resolve_objection(office, objection.pk, "经复核，评分无误")
    round_ = scoring_services.finalise(office, round_.pk, round_.version)
    assert round_.status == R.FINAL
    with pytest.raises(ValidationError, match="不在公示期"):
        scoring_services.file_objection(firm, round_.pk, "再议")


def test_final_ranking_lists_what_subsidies_need(personas, monkeypatch, enterprise_a):
    round_ = _noticed(personas, monkeypatch, date(2025, 6, 8))
    ranking = services.final_ranking(personas["department"].actor, round_.pk)
    assert [r["rank"] for r in ranking] == [1, 1]
    assert set(ranking[0]) == {
        "enterprise_id",
        "enterprise_name",
        "application_id",
        "title",
        "requested_fen",
        "score",
        "rank",
        "decision",
    }
    assert isinstance(ranking[0]["score"], Decimal) and ranking[0]["decision"] == "approved"
    assert {r["requested_fen"] for r in ranking} == {300_000_000, 120_000_000}


def test_every_step_is_in_the_audit_log(personas, monkeypatch):
    round_ = _noticed(personas, monkeypatch, date(2025, 6, 8))
    actions = set(
        AuditEntry.objects.filter(model="reviews.reviewround", object_id=str(round_.pk)).values_list(
            "action", flat=True
        )
    )
    assert {
        "create",
        "round.checking",
        "round.assigning",
        "conflicts",
        "assign",
        "round.scoring",
        "aggregate",
        "round.closed",
        "round.decided",
        "round.noticed",
    } <= actions
    assert AuditEntry.objects.filter(model="reviews.reviewapplication", action="formal_check").count() == 2
    assert AuditEntry.objects.filter(model="reviews.score", action="score").count() == 2
    assert AuditEntry.objects.filter(model="reviews.decision", action="decide").count() == 2


def test_the_department_reads_rounds_but_cannot_run_them(personas):
    _pool(personas, 2)
    round_ = _round(personas, per_app=1)
    dept = personas["department"].actor
    assert list(services.list_rounds(dept)) == [round_]
    with pytest.raises(PermissionDenied):
        assignment_services.run_assignment(dept, round_.pk)
    with pytest.raises(PermissionDenied):
        services.create_round(dept, services.RoundInput(name="x"))


def test_a_failed_formal_check_needs_a_reason_and_keeps_the_application_from_experts(personas, enterprise_b):
    office = personas["chain_office"].actor
    _pool(personas, 3)
    round_ = services.create_round(office, services.RoundInput(name="批次", per_app=1))
    for project in enterprise_b.projects.all():
        app = services.add_application(office, round_.pk, "project", project.pk)
    round_ = services.start_check(office, round_.pk, round_.version)
    with pytest.raises(ValidationError, match="原因"):
        services.formal_check(office, app.pk, False)
    services.formal_check(office, app.pk, False, "缺少财务报表")
    with pytest.raises(ValidationError, match="没有通过"):
        services.open_assignment(office, round_.pk, round_.version)
    assert RelatedPerson.objects.count() == 0


def test_scenario_bids_and_cooperation_claims_join_rounds_of_their_kind(personas, enterprise_a, enterprise_b):
    from lianzhang.scenarios import services as scenarios

    office = personas["chain_office"].actor
    scenario = scenarios.create_scenario(
        personas["enterprise_b"].actor,
        scenarios.ScenarioInput(title="外观检测", description="人工目检漏检多", budget_fen=50_000_000),
    )
    scenario = scenarios.submit_scenario(personas["enterprise_b"].actor, scenario.pk, scenario.version)
    scenario = scenarios.review_scenario(office, scenario.pk, scenario.version, True)
    scenario = scenarios.publish_scenario(office, scenario.pk, scenario.version)
    bid = scenarios.apply_to_scenario(personas["enterprise_a"].actor, scenario.pk, "视觉质检方案", 40_000_000)
    coop = scenarios.record_cooperation(
        office,
        scenarios.CooperationInput(enterprise_b.pk, enterprise_a.pk, 2025, 2_000_000_00, "产线质检改造"),
    )
    bids = services.create_round(office, services.RoundInput(name="揭榜评审", kind="scenario_bid", per_app=1))
    claims = services.create_round(
        office, services.RoundInput(name="对接补助", kind="cooperation", per_app=1)
    )
    app = services.add_application(office, bids.pk, "scenario_bid", bid.pk)
    assert (app.enterprise_id, app.requested_fen, app.title) == (
        enterprise_a.pk,
        40_000_000,
        "揭榜：外观检测",
    )
    claim = services.add_application(office, claims.pk, "cooperation", coop.pk)
    assert (claim.enterprise_id, claim.requested_fen) == (enterprise_b.pk, 2_000_000_00)
    with pytest.raises(ValidationError, match="只收同类申请"):
        services.add_application(office, claims.pk, "scenario_bid", bid.pk)
    with pytest.raises(ValidationError, match="已在本批次中"):
        services.add_application(office, bids.pk, "scenario_bid", bid.pk)
    with pytest.raises(ValidationError, match="没有技术对接记录"):
        services.add_application(office, claims.pk, "cooperation", 999_999)


def test_a_redraw_with_nothing_to_fill_says_so_and_changes_nothing(personas):
    _pool(personas, 3)
    round_ = _round(personas, per_app=1, status=R.SCORING)
    before = list(Assignment.objects.values_list("pk", "expert_id"))
    with pytest.raises(ValidationError, match="没有需要补抽的空位"):
        assignment_services.redraw(personas["chain_office"].actor, round_.pk)
    assert list(Assignment.objects.values_list("pk", "expert_id")) == before


def test_a_short_panel_is_topped_up_when_an_expert_joins_late(personas):
    office = personas["chain_office"].actor
    _pool(personas, 1)
    round_ = _round(personas, per_app=2, status=R.SCORING)
    result_before = set(Assignment.objects.values_list("application", "expert"))
    assert len(result_before) == 2  # one reviewer each: the pool is too small
    late = _expert(office, "新专家", "新大学")
    new = assignment_services.redraw(office, round_.pk)
    assert {a.expert_id for a in new} == {late.pk} and len(new) == 2
    assert result_before <= set(Assignment.objects.values_list("application", "expert"))
    assert AuditEntry.objects.filter(model="reviews.reviewround", action="redraw").count() == 1
