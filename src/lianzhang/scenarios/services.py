"""Scenario recruitment services: filing, review, publication, 揭榜, selection, implementation, profiles."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor, guarded, in_area
from lianzhang.enterprises.models import Enterprise
from lianzhang.enterprises.services import NotFound
from lianzhang.regions.models import Region
from lianzhang.scenarios.engine.subsidy import Cooperation as CooperationRecord
from lianzhang.scenarios.engine.subsidy import compute_subsidies, yearly_counts
from lianzhang.scenarios.models import (
    Application,
    Cooperation,
    Milestone,
    Notification,
    Scenario,
    SupplierProfile,
    SupplyNeed,
)

S = Scenario.Status
# Once published a call stays public through selection, implementation and acceptance.
PUBLIC_STATUSES = (S.PUBLISHED, S.SELECTED, S.CONTRACTED, S.ACCEPTED, S.DEMONSTRATION)
NOTIFY_TOP = 10  # suppliers told about a newly published scenario
NOTIFY_MIN_SCORE = 0.3  # below this a supplier's fit is too weak to bother it
MAX_FEN = 10**14
YEARLY_GOAL = 30  # 专栏5: at least 30 local manufacturers and 30 AI suppliers matched each year


@dataclass
class ScenarioInput:
    """What is needed to file a scenario demand (money in fen)."""

    title: str
    description: str
    division_code: str = ""
    domain: str = ""
    nodes: list[str] = field(default_factory=list)
    budget_fen: int | None = None
    deadline: date | None = None
    requirements: str = ""
    owner_name: str = ""


@dataclass
class ProfileInput:
    """A supplier capability profile as the enterprise edits it."""

    products: str = ""
    solutions: str = ""
    cases: str = ""
    case_count: int = 0
    certifications: str = ""
    nodes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------------------ reading


def public_scenarios(q: str = "") -> QuerySet[Scenario]:
    """Published calls, open to everyone without login (no actor: nothing here is restricted)."""
    qs = Scenario.objects.filter(status__in=PUBLIC_STATUSES).select_related("division")
    if q:
        qs = qs.filter(Q(title__icontains=q.strip()[:100]) | Q(description__icontains=q.strip()[:100]))
    return qs.order_by("-published_at", "-id")


def public_scenario(pk: int) -> Scenario:
    """One published call, or NotFound (unpublished ones do not exist for the public)."""
    found = public_scenarios().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"场景 {pk} 不存在或尚未发布")
    return found


def _visible(actor: Actor) -> QuerySet[Scenario]:
    qs = Scenario.objects.all()
    if actor.role in {Role.CHAIN_OFFICE, Role.DEPARTMENT, Role.ADMIN}:
        return qs
    public = Q(status__in=PUBLIC_STATUSES)
    if actor.role == Role.DISTRICT and actor.region_code:
        return qs.filter(public | Q(division__code__startswith=actor.region_code))
    if actor.role == Role.ENTERPRISE and actor.enterprise_id:
        return qs.filter(public | Q(owner_enterprise_id=actor.enterprise_id))
    return qs.filter(public)


@guarded("scenario.list")
def list_scenarios(actor: Actor, status: str = "") -> QuerySet[Scenario]:
    """Scenarios the actor may see: everything published, plus own or own-area drafts and reviews."""
    qs = _visible(actor).select_related("division", "owner_enterprise")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


@guarded("scenario.list")
def get_scenario(actor: Actor, pk: int) -> Scenario:
    """One scenario the actor may see."""
    scenario = Scenario.objects.select_related("division", "owner_enterprise").filter(pk=pk).first()
    if scenario is None:
        raise NotFound(f"场景 {pk} 不存在")
    if not _visible(actor).filter(pk=pk).exists():
        raise PermissionDenied("该场景不在您的权限范围内")
    return scenario


def _owns(actor: Actor, scenario: Scenario) -> bool:
    """Whether the actor may act as the scenario's filer (submit, edit drafts)."""
    if actor.role in {Role.CHAIN_OFFICE, Role.ADMIN}:
        return True
    if actor.role == Role.ENTERPRISE:
        return actor.enterprise_id is not None and scenario.owner_enterprise_id == actor.enterprise_id
    if actor.role == Role.DISTRICT:
        return in_area(actor, scenario.division_id)
    if actor.role == Role.DEPARTMENT:
        return scenario.created_by_id == actor.user_id
    return False


@guarded("scenario.list")
def scenario_detail(actor: Actor, pk: int) -> dict:
    """A scenario with what this actor may see of it: applications for its filer and the chain office,
    the actor's own application, the best-fitting suppliers for staff, and the steps it may take."""
    from lianzhang.accounts.permissions import allowed

    scenario = get_scenario(actor, pk)
    filer = _owns(actor, scenario)
    return {
        "scenario": scenario,
        "milestones": list(scenario.milestones.all()),
        "applications": list(scenario.applications.select_related("enterprise")) if filer else None,
        "own_application": (
            scenario.applications.filter(enterprise_id=actor.enterprise_id).first()
            if actor.enterprise_id
            else None
        ),
        "matches": scenario_matches(actor, pk) if allowed(actor, "scenario.match") else None,
        "can_submit": filer and scenario.status == S.DRAFT,
        "can_review": allowed(actor, "scenario.review"),
        "can_publish": allowed(actor, "scenario.publish") and scenario.status == S.REVIEWED,
        "can_apply": allowed(actor, "scenario.apply") and scenario.status == S.PUBLISHED,
        "can_select": allowed(actor, "scenario.select") and scenario.status == S.PUBLISHED,
        "can_implement": allowed(actor, "scenario.implement")
        and (actor.role != Role.DISTRICT or in_area(actor, scenario.division_id)),
    }


def public_scenario_detail(pk: int) -> dict:
    """What the public sees of a published call."""
    scenario = public_scenario(pk)
    return {"scenario": scenario, "milestones": list(scenario.milestones.all())}


# ------------------------------------------------------------------------------------ filing


def _check_nodes(nodes: list[str], errors: dict[str, str]) -> str:
    from lianzhang.taxonomy import get_chain

    known = get_chain("ai").nodes
    unknown = [n for n in nodes if n not in known]
    if unknown:
        errors["nodes"] = f"产业链没有节点 {'、'.join(unknown)}"
    return ",".join(dict.fromkeys(n.strip() for n in nodes if n.strip()))


@guarded("scenario.create")
def create_scenario(actor: Actor, data: ScenarioInput) -> Scenario:
    """File a scenario demand as a draft; an enterprise files as itself, a district in its own area."""
    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写场景名称"
    if not data.description.strip():
        errors["description"] = "请描述需求或要解决的问题"
    if data.budget_fen is not None and not 0 <= data.budget_fen <= MAX_FEN:
        errors["budget_fen"] = "预算应为非负数且不超过 1 万亿元"
    nodes = _check_nodes(data.nodes, errors)
    owner = None
    division_code = data.division_code.strip()
    if actor.role == Role.ENTERPRISE:
        owner = Enterprise.objects.filter(pk=actor.enterprise_id).first()
        if owner is None:
            raise PermissionDenied("企业用户未关联企业，不能发布需求")
        division_code = division_code or owner.division_id
    division = Region.objects.filter(pk=division_code).first() if division_code else None
    if division is None:
        errors["division_code"] = "请填写有效的区划代码"
    elif actor.role == Role.DISTRICT and not in_area(actor, division.code):
        errors["division_code"] = "只能为本辖区发布场景需求"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        scenario = Scenario.objects.create(
            title=data.title.strip(),
            description=data.description.strip(),
            domain=data.domain.strip(),
            nodes=nodes,
            division=division,
            owner_enterprise=owner,
            owner_name=(owner.name if owner else data.owner_name.strip()) or actor.username,
            budget_fen=data.budget_fen,
            deadline=data.deadline,
            requirements=data.requirements.strip(),
            created_by_id=actor.user_id,
        )
        audit.record(actor, "create", scenario, audit.snapshot(scenario))
    return scenario


def _move(actor: Actor, scenario: Scenario, version: int, frm: tuple[str, ...], to: str, **extra) -> Scenario:
    if scenario.status not in frm:
        raise ValidationError(f"场景当前为“{scenario.get_status_display()}”，不能改为“{S(to).label}”")
    before = audit.snapshot(scenario)
    scenario.version = version  # a stale version makes the save fail instead of overwriting
    scenario.status = to
    for name, value in extra.items():
        setattr(scenario, name, value)
    scenario.save()
    audit.record(actor, f"status:{to}", scenario, audit.diff(before, audit.snapshot(scenario)))
    return scenario


@guarded("scenario.submit")
def submit_scenario(actor: Actor, pk: int, version: int) -> Scenario:
    """Send a draft to the chain office for review (the filer only)."""
    scenario = get_scenario(actor, pk)
    if not _owns(actor, scenario):
        raise PermissionDenied("只能提交本单位的场景需求")
    with transaction.atomic():
        return _move(actor, scenario, version, (S.DRAFT,), S.SUBMITTED)


@guarded("scenario.review")
def review_scenario(actor: Actor, pk: int, version: int, approve: bool, note: str = "") -> Scenario:
    """Pass a submitted demand, or return it to its filer as a draft with the reason."""
    scenario = get_scenario(actor, pk)
    if not approve and not note.strip():
        raise ValidationError({"note": "退回时请写明原因"})
    with transaction.atomic():
        to = S.REVIEWED if approve else S.DRAFT
        return _move(actor, scenario, version, (S.SUBMITTED,), to, review_note=note.strip())


@guarded("scenario.publish")
def publish_scenario(actor: Actor, pk: int, version: int) -> Scenario:
    """Publish a reviewed call (public from now on) and notify the best-fitting checked suppliers."""
    scenario = get_scenario(actor, pk)
    with transaction.atomic():
        scenario = _move(actor, scenario, version, (S.REVIEWED,), S.PUBLISHED, published_at=timezone.now())
        matches = _rank_profiles(scenario, NOTIFY_TOP)
        Notification.objects.bulk_create(
            Notification(
                enterprise_id=profile.enterprise_id,
                scenario=scenario,
                message=f"新发布的场景需求“{scenario.title}”与贵企业的供给能力匹配：{match.reason}"[:500],
            )
            for profile, match in matches
            if match.score >= NOTIFY_MIN_SCORE and profile.enterprise_id != scenario.owner_enterprise_id
        )
    return scenario


# ------------------------------------------------------------------------------------ 揭榜 and selection


@guarded("scenario.apply")
def apply_to_scenario(actor: Actor, pk: int, solution: str, price_fen: int | None = None) -> Application:
    """揭榜: the actor's enterprise offers a solution for a published call before its deadline."""
    scenario = public_scenario(pk)
    errors: dict[str, str] = {}
    if scenario.status != S.PUBLISHED:
        errors["__all__"] = "该场景已结束揭榜"
    elif scenario.deadline and timezone.localdate() > scenario.deadline:
        errors["__all__"] = f"揭榜已于 {scenario.deadline:%Y-%m-%d} 截止"
    if scenario.owner_enterprise_id and scenario.owner_enterprise_id == actor.enterprise_id:
        errors["__all__"] = "不能揭本企业发布的榜"
    if not solution.strip():
        errors["solution"] = "请填写解决方案"
    if price_fen is not None and not 0 <= price_fen <= MAX_FEN:
        errors["price_fen"] = "报价应为非负数且不超过 1 万亿元"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                scenario=scenario,
                enterprise_id=actor.enterprise_id,
                solution=solution.strip(),
                price_fen=price_fen,
            )
            audit.record(actor, "create", application, audit.snapshot(application))
    except IntegrityError:
        raise ValidationError({"__all__": "贵企业已揭过此榜"}) from None
    return application


@guarded("scenario.select")
def select_application(actor: Actor, pk: int, version: int, scores: dict[int, int]) -> Application:
    """Score every application (0–100); the highest score is selected (earlier application on a tie)."""
    scenario = get_scenario(actor, pk)
    applications = list(scenario.applications.order_by("created_at", "id"))
    if not applications:
        raise ValidationError("该场景还没有揭榜申请")
    missing = [a.pk for a in applications if a.pk not in scores]
    bad = [k for k, v in scores.items() if not 0 <= v <= 100]
    if missing or bad:
        raise ValidationError({"scores": "请为每份揭榜申请打 0–100 分"})
    winner = max(applications, key=lambda a: (scores[a.pk], -applications.index(a)))
    with transaction.atomic():
        _move(actor, scenario, version, (S.PUBLISHED,), S.SELECTED)
        for app in applications:
            app.score = scores[app.pk]
            app.status = Application.Status.SELECTED if app is winner else Application.Status.NOT_SELECTED
            app.save()
            audit.record(actor, "score", app, {"score": app.score, "status": app.status})
    return winner


def _implementer(actor: Actor, scenario: Scenario) -> None:
    if actor.role == Role.DISTRICT and not in_area(actor, scenario.division_id):
        raise PermissionDenied("只能跟进本辖区的场景")


@guarded("scenario.implement")
def contract_scenario(
    actor: Actor, pk: int, version: int, milestones: list[tuple[str, date | None]]
) -> Scenario:
    """Record the contract with the selected supplier and its implementation milestones."""
    scenario = get_scenario(actor, pk)
    _implementer(actor, scenario)
    if not milestones or any(not title.strip() for title, _ in milestones):
        raise ValidationError({"milestones": "请至少填写一个实施里程碑，且名称不能为空"})
    with transaction.atomic():
        _move(actor, scenario, version, (S.SELECTED,), S.CONTRACTED)
        for title, due in milestones:
            milestone = Milestone.objects.create(scenario=scenario, title=title.strip(), due_on=due)
            audit.record(actor, "create", milestone, audit.snapshot(milestone))
    return scenario


@guarded("scenario.implement")
def complete_milestone(actor: Actor, milestone_pk: int, done_on: date) -> Milestone:
    """Mark one implementation milestone done."""
    milestone = Milestone.objects.select_related("scenario").filter(pk=milestone_pk).first()
    if milestone is None:
        raise NotFound(f"里程碑 {milestone_pk} 不存在")
    _implementer(actor, get_scenario(actor, milestone.scenario_id))
    if milestone.scenario.status != S.CONTRACTED:
        raise ValidationError("只有已签约实施中的场景可以登记里程碑")
    with transaction.atomic():
        milestone.done_on = done_on
        milestone.save()
        audit.record(actor, "update", milestone, {"done_on": done_on})
    return milestone


@guarded("scenario.implement")
def accept_scenario(actor: Actor, pk: int, version: int, accepted_on: date | None = None) -> Scenario:
    """Record acceptance (on `accepted_on`, default today) once every milestone is done."""
    scenario = get_scenario(actor, pk)
    _implementer(actor, scenario)
    open_ones = scenario.milestones.filter(done_on__isnull=True).count()
    if open_ones:
        raise ValidationError(f"还有 {open_ones} 个里程碑未完成，不能验收")
    accepted_on = accepted_on or timezone.localdate()
    last_done = scenario.milestones.aggregate(last=Max("done_on"))["last"]
    if last_done and accepted_on < last_done:
        raise ValidationError({"accepted_on": f"验收日期不能早于最后一个里程碑的完成日期 {last_done}"})
    if accepted_on > timezone.localdate():
        raise ValidationError({"accepted_on": "验收日期不能晚于今天"})
    with transaction.atomic():
        return _move(actor, scenario, version, (S.CONTRACTED,), S.ACCEPTED, accepted_on=accepted_on)


@guarded("scenario.review")
def count_as_demonstration(actor: Actor, pk: int, version: int) -> Scenario:
    """Count an accepted scenario as a demonstration scenario (feeds the plan target of 100)."""
    scenario = get_scenario(actor, pk)
    with transaction.atomic():
        return _move(actor, scenario, version, (S.ACCEPTED,), S.DEMONSTRATION)


def demonstration_count() -> int:
    """Demonstration scenarios so far (public figure, no actor)."""
    return Scenario.objects.filter(status=S.DEMONSTRATION).count()


# ------------------------------------------------------------------------------------ matching


def _rank_profiles(scenario: Scenario, top: int) -> list[tuple[SupplierProfile, object]]:
    from lianzhang.scenarios.engine import Index, Record

    profiles = list(
        SupplierProfile.objects.filter(checked=True).select_related("enterprise", "enterprise__division")
    )
    if not profiles:
        return []
    records = [
        Record(
            str(p.pk),
            p.text,
            title=p.enterprise.name,
            nodes=tuple(n for n in p.nodes.split(",") if n),
            place=p.enterprise.division.name,
            cases=p.case_count,
        )
        for p in profiles
    ]
    demand = Record(
        str(scenario.pk),
        f"{scenario.description}。{scenario.requirements}",
        title=scenario.title,
        nodes=tuple(scenario.node_list),
        place=scenario.division.name,
    )
    by_id = {str(p.pk): p for p in profiles}
    return [(by_id[m.id], m) for m in Index.build(records).rank(demand, top)]


@guarded("scenario.match")
def scenario_matches(actor: Actor, pk: int, top: int = 10) -> list[dict]:
    """The checked suppliers that fit a scenario best, with score and reason."""
    scenario = get_scenario(actor, pk)
    return [
        {"enterprise": p.enterprise, "profile": p, "score": m.score, "reason": m.reason}
        for p, m in _rank_profiles(scenario, top)
    ]


# ------------------------------------------------------------------------------------ supplier profiles


@guarded("supplier.edit")
def save_supplier_profile(
    actor: Actor, enterprise_pk: int, data: ProfileInput, version: int | None = None
) -> SupplierProfile:
    """Create or edit an enterprise's capability profile; the enterprise edits only its own, and every
    edit by the enterprise waits for the chain office's check again."""
    if actor.role == Role.ENTERPRISE and actor.enterprise_id != enterprise_pk:
        raise PermissionDenied("只能编辑本企业的供给能力")
    enterprise = Enterprise.objects.filter(pk=enterprise_pk).first()
    if enterprise is None:
        raise NotFound(f"企业 {enterprise_pk} 不存在")
    errors: dict[str, str] = {}
    nodes = _check_nodes(data.nodes, errors)
    if not (data.products.strip() or data.solutions.strip()):
        errors["products"] = "请至少填写产品或解决方案"
    if data.case_count < 0:
        errors["case_count"] = "案例数不能为负数"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile = SupplierProfile.objects.filter(enterprise=enterprise).first()
        before = audit.snapshot(profile) if profile else {}
        if profile is None:
            profile = SupplierProfile(enterprise=enterprise)
        elif version is not None:
            profile.version = version
        profile.products = data.products.strip()
        profile.solutions = data.solutions.strip()
        profile.cases = data.cases.strip()
        profile.case_count = data.case_count
        profile.certifications = data.certifications.strip()
        profile.nodes = nodes
        if actor.role == Role.ENTERPRISE:
            profile.checked, profile.checked_by_id, profile.checked_at = False, None, None
        profile.save()
        audit.record(
            actor, "update" if before else "create", profile, audit.diff(before, audit.snapshot(profile))
        )
    return profile


@guarded("supplier.check")
def check_supplier_profile(actor: Actor, pk: int, version: int) -> SupplierProfile:
    """The chain office confirms a profile; only checked profiles are matched and notified."""
    profile = SupplierProfile.objects.filter(pk=pk).first()
    if profile is None:
        raise NotFound(f"供给能力档案 {pk} 不存在")
    with transaction.atomic():
        profile.version = version
        profile.checked, profile.checked_by_id, profile.checked_at = True, actor.user_id, timezone.now()
        profile.save()
        audit.record(actor, "check", profile, {"checked": True})
    return profile


@guarded("supplier.list")
def list_supplier_profiles(actor: Actor, checked: bool | None = None) -> QuerySet[SupplierProfile]:
    """Supplier profiles; a district officer sees the enterprises of its own area."""
    qs = SupplierProfile.objects.select_related("enterprise", "enterprise__division")
    if actor.role == Role.DISTRICT:
        qs = qs.filter(enterprise__division__code__startswith=actor.region_code or "-")
    if checked is not None:
        qs = qs.filter(checked=checked)
    return qs.order_by("enterprise__name")


@guarded("supplier.edit")
def own_supplier_profile(actor: Actor) -> SupplierProfile | None:
    """The actor's own enterprise profile, if it has one."""
    return SupplierProfile.objects.filter(enterprise_id=actor.enterprise_id).first()


@guarded("supplier.edit")
def scenarios_for_supplier(actor: Actor, top: int = 10) -> list[dict]:
    """Published calls still open for 揭榜 that fit the actor's own enterprise profile best."""
    from lianzhang.scenarios.engine import NEED, Index, Record

    profile = (
        SupplierProfile.objects.filter(enterprise_id=actor.enterprise_id)
        .select_related("enterprise__division")
        .first()
    )
    if profile is None:
        return []
    calls = list(Scenario.objects.filter(status=S.PUBLISHED).select_related("division"))
    records = [
        Record(
            str(c.pk),
            f"{c.description}。{c.requirements}",
            title=c.title,
            nodes=tuple(c.node_list),
            place=c.division.name,
        )
        for c in calls
        if c.owner_enterprise_id != actor.enterprise_id
    ]
    if not records:
        return []
    supplier = Record(
        str(profile.pk),
        profile.text,
        title=profile.enterprise.name,
        nodes=tuple(n for n in profile.nodes.split(",") if n),
        place=profile.enterprise.division.name,
    )
    by_id = {str(c.pk): c for c in calls}
    return [
        {"scenario": by_id[m.id], "score": m.score, "reason": m.reason}
        for m in Index.build(records, NEED).rank(supplier, top)
        if m.score > 0
    ]


@guarded("notification.view")
def list_notifications(actor: Actor) -> QuerySet[Notification]:
    """The in-platform messages of the actor's enterprise, newest first."""
    return Notification.objects.filter(enterprise_id=actor.enterprise_id).select_related("scenario")


# ------------------------------------------------------------------------------------ 技术对接 (专栏5)


@dataclass
class CooperationInput:
    """One matched cooperation between a local manufacturer and an AI supplier (cost in fen)."""

    manufacturer_id: int
    supplier_id: int
    year: int
    cost_fen: int
    description: str = ""
    scenario_id: int | None = None


@guarded("cooperation.record")
def record_cooperation(actor: Actor, data: CooperationInput) -> Cooperation:
    """Record a cooperation; a district officer records those of manufacturers in its area."""
    errors: dict[str, str] = {}
    manufacturer = Enterprise.objects.filter(pk=data.manufacturer_id).first()
    supplier = Enterprise.objects.filter(pk=data.supplier_id).first()
    if manufacturer is None:
        errors["manufacturer_id"] = "未登记的制造企业"
    elif actor.role == Role.DISTRICT and not in_area(actor, manufacturer.division_id):
        errors["manufacturer_id"] = "只能登记本辖区制造企业的对接"
    if supplier is None:
        errors["supplier_id"] = "未登记的技术供给企业"
    elif data.supplier_id == data.manufacturer_id:
        errors["supplier_id"] = "供需双方不能是同一家企业"
    if not 2000 <= data.year <= 2100:
        errors["year"] = "年度应在 2000–2100 之间"
    if not 0 < data.cost_fen <= MAX_FEN:
        errors["cost_fen"] = "合作费用应为正数且不超过 1 万亿元"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        cooperation = Cooperation.objects.create(
            manufacturer=manufacturer,
            supplier=supplier,
            year=data.year,
            cost_fen=data.cost_fen,
            description=data.description.strip(),
            scenario_id=data.scenario_id,
        )
        audit.record(actor, "create", cooperation, audit.snapshot(cooperation))
    return cooperation


@guarded("cooperation.view")
def cooperation_report(actor: Actor, year: int) -> dict:
    """A year's cooperations with the subsidy of each by rule and the counts against the 30/30 goals.

    The rule runs over every cooperation of the year in filing order (caps and the ten-firm limit are
    citywide); a district officer then sees the rows of its own manufacturers."""
    rows = list(Cooperation.objects.filter(year=year).select_related("manufacturer", "supplier"))
    awards = compute_subsidies(
        [CooperationRecord(str(c.pk), str(c.manufacturer_id), c.year, c.cost_fen) for c in rows]
    )
    counts = yearly_counts([(c.year, str(c.manufacturer_id), str(c.supplier_id)) for c in rows])
    makers, suppliers = counts.get(year, (0, 0))
    visible = [
        {"cooperation": c, "subsidy_fen": a.amount_fen, "reason": a.reason}
        for c, a in zip(rows, awards, strict=True)
        if actor.role != Role.DISTRICT or in_area(actor, c.manufacturer.division_id)
    ]
    return {
        "year": year,
        "rows": visible,
        "manufacturers": makers,
        "suppliers": suppliers,
        "goal": YEARLY_GOAL,
        "subsidy_total_fen": sum(a.amount_fen for a in awards),
    }


# ------------------------------------------------------------------------------------ 供应链对接


@guarded("supply.create")
def create_supply_need(
    actor: Actor, title: str, description: str, quantity: str = "", requester_id: int | None = None
) -> SupplyNeed:
    """File a component or manufacturing-service need; an enterprise files as itself."""
    if actor.role == Role.ENTERPRISE:
        requester_id = actor.enterprise_id
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "请填写需求名称"
    if not description.strip():
        errors["description"] = "请描述所需的零部件或制造服务"
    requester = Enterprise.objects.filter(pk=requester_id).first() if requester_id else None
    if requester is None:
        errors["requester_id"] = "请指定已登记的需求企业"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        need = SupplyNeed.objects.create(
            title=title.strip(),
            description=description.strip(),
            quantity=quantity.strip(),
            requester=requester,
        )
        audit.record(actor, "create", need, audit.snapshot(need))
    return need


@guarded("supply.view")
def list_supply_needs(actor: Actor) -> QuerySet[SupplyNeed]:
    """Supply-chain needs (every registered enterprise may see them, to offer its products)."""
    return SupplyNeed.objects.select_related("requester")


@guarded("supply.view")
def supply_matches(actor: Actor, pk: int, top: int = 10) -> list[dict]:
    """Local manufacturers whose registered products and scope fit a supply-chain need best."""
    from lianzhang.scenarios.engine import Index, Record

    need = SupplyNeed.objects.select_related("requester").filter(pk=pk).first()
    if need is None:
        raise NotFound(f"供应链需求 {pk} 不存在")
    candidates = list(
        Enterprise.objects.exclude(pk=need.requester_id)
        .select_related("division")
        .only("pk", "name", "products", "business_scope", "division__name")
    )
    records = [
        Record(str(e.pk), f"{e.products}。{e.business_scope}", title=e.name, place=e.division.name)
        for e in candidates
    ]
    by_id = {str(e.pk): e for e in candidates}
    demand = Record(str(need.pk), f"{need.description}。{need.quantity}", title=need.title)
    return [
        {"enterprise": by_id[m.id], "score": m.score, "reason": m.reason}
        for m in Index.build(records).rank(demand, top)
        if m.score > 0
    ]
