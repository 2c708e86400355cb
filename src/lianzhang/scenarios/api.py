"""JSON twins of the scenario pages (same services, same permission checks)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lianzhang.accounts.permissions import actor_for
from lianzhang.scenarios import services
from lianzhang.scenarios.models import Scenario

router = Router(tags=["场景招募与供需对接"])


class ScenarioOut(Schema):
    id: int
    title: str
    description: str
    domain: str
    nodes: list[str]
    division_code: str
    division_name: str
    owner_name: str
    budget_fen: int | None
    deadline: date | None
    requirements: str
    status: str
    version: int


class ScenarioIn(Schema):
    title: str
    description: str
    division_code: str = ""
    domain: str = ""
    nodes: list[str] = []
    budget_fen: int | None = None
    deadline: date | None = None
    requirements: str = ""
    owner_name: str = ""


class StepIn(Schema):
    action: str
    version: int
    note: str = ""
    accepted_on: date | None = None


class ApplicationIn(Schema):
    solution: str
    price_fen: int | None = None


class MatchOut(Schema):
    enterprise_id: int
    enterprise: str
    score: float
    reason: str


class ProfileIn(Schema):
    products: str = ""
    solutions: str = ""
    cases: str = ""
    case_count: int = 0
    certifications: str = ""
    nodes: list[str] = []
    version: int | None = None


class ProfileOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str
    products: str
    solutions: str
    cases: str
    case_count: int
    nodes: list[str]
    checked: bool
    version: int


def _scenario(s: Scenario) -> dict:
    return {
        "id": s.pk,
        "title": s.title,
        "description": s.description,
        "domain": s.domain,
        "nodes": s.node_list,
        "division_code": s.division_id,
        "division_name": s.division.name,
        "owner_name": s.owner_name,
        "budget_fen": s.budget_fen,
        "deadline": s.deadline,
        "requirements": s.requirements,
        "status": s.status,
        "version": s.version,
    }


def _profile(p) -> dict:
    return {
        "id": p.pk,
        "enterprise_id": p.enterprise_id,
        "enterprise": p.enterprise.name,
        "products": p.products,
        "solutions": p.solutions,
        "cases": p.cases,
        "case_count": p.case_count,
        "nodes": [n for n in p.nodes.split(",") if n],
        "checked": p.checked,
        "version": p.version,
    }


@router.get("/scenarios/public", response=list[ScenarioOut], auth=None, url_name="scenario_public_list")
def scenario_public_list(request: HttpRequest, q: str = "") -> list[dict]:
    """Published calls, for everyone without login."""
    return [_scenario(s) for s in services.public_scenarios(q)[:500]]


@router.get("/scenarios", response=list[ScenarioOut], url_name="scenario_list")
def scenario_list(request: HttpRequest, status: str = "") -> list[dict]:
    """Scenarios the caller may see, drafts included where allowed."""
    return [_scenario(s) for s in services.list_scenarios(actor_for(request.user), status=status)[:1000]]


@router.get("/scenarios/{pk}", response=ScenarioOut, auth=None, url_name="scenario_detail")
def scenario_detail(request: HttpRequest, pk: int) -> dict:
    """One scenario: published ones for everyone, others for those who may see them."""
    actor = actor_for(request.user)
    if actor.is_anonymous:
        return _scenario(services.public_scenario(pk))
    return _scenario(services.get_scenario(actor, pk))


@router.post("/scenarios", response={201: ScenarioOut}, url_name="scenario_create")
def scenario_create(request: HttpRequest, payload: ScenarioIn) -> Status:
    """File a scenario demand as a draft."""
    data = services.ScenarioInput(**payload.dict())
    return Status(201, _scenario(services.create_scenario(actor_for(request.user), data)))


@router.post("/scenarios/{pk}/steps", response=ScenarioOut, url_name="scenario_step")
def scenario_step(request: HttpRequest, pk: int, payload: StepIn) -> dict:
    """One lifecycle step: submit, approve, return, publish, accept, demonstrate."""
    actor = actor_for(request.user)
    steps = {
        "submit": lambda: services.submit_scenario(actor, pk, payload.version),
        "approve": lambda: services.review_scenario(actor, pk, payload.version, True, payload.note),
        "return": lambda: services.review_scenario(actor, pk, payload.version, False, payload.note),
        "publish": lambda: services.publish_scenario(actor, pk, payload.version),
        "accept": lambda: services.accept_scenario(actor, pk, payload.version, payload.accepted_on),
        "demonstrate": lambda: services.count_as_demonstration(actor, pk, payload.version),
    }
    if payload.action not in steps:
        from django.core.exceptions import ValidationError

        raise ValidationError({"action": f"未知操作 {payload.action}，可用：{'、'.join(steps)}"})
    return _scenario(steps[payload.action]())


@router.post("/scenarios/{pk}/applications", response={201: dict}, url_name="scenario_apply")
def scenario_apply(request: HttpRequest, pk: int, payload: ApplicationIn) -> Status:
    """揭榜 as the caller's enterprise."""
    app = services.apply_to_scenario(actor_for(request.user), pk, payload.solution, payload.price_fen)
    return Status(201, {"id": app.pk, "scenario_id": pk, "status": app.status})


@router.get("/scenarios/{pk}/matches", response=list[MatchOut], url_name="scenario_matches")
def scenario_matches(request: HttpRequest, pk: int, top: int = 10) -> list[dict]:
    """The checked suppliers that fit best, with score and reason."""
    found = services.scenario_matches(actor_for(request.user), pk, max(1, min(top, 100)))
    return [
        {
            "enterprise_id": m["enterprise"].pk,
            "enterprise": m["enterprise"].name,
            "score": m["score"],
            "reason": m["reason"],
        }
        for m in found
    ]


@router.get("/suppliers", response=list[ProfileOut], url_name="supplier_list")
def supplier_list(request: HttpRequest) -> list[dict]:
    """Supplier capability profiles."""
    return [_profile(p) for p in services.list_supplier_profiles(actor_for(request.user))[:1000]]


@router.put("/suppliers/mine", response=ProfileOut, url_name="supplier_mine")
def supplier_mine(request: HttpRequest, payload: ProfileIn) -> dict:
    """The caller's enterprise edits its own profile (checked again by the chain office afterwards)."""
    actor = actor_for(request.user)
    data = services.ProfileInput(**payload.dict(exclude={"version"}))
    if not actor.enterprise_id:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("只有企业用户有本企业的供给能力档案")
    return _profile(services.save_supplier_profile(actor, actor.enterprise_id, data, payload.version))


@router.get("/notifications", response=list[dict], url_name="notification_list")
def notification_list(request: HttpRequest) -> list[dict]:
    """The caller's enterprise's in-platform messages."""
    return [
        {
            "id": n.pk,
            "at": n.created_at.isoformat(),
            "message": n.message,
            "scenario_id": n.scenario_id,
            "read": n.read,
        }
        for n in services.list_notifications(actor_for(request.user))[:200]
    ]


class CooperationIn(Schema):
    manufacturer_id: int
    supplier_id: int
    year: int
    cost_fen: int
    description: str = ""
    scenario_id: int | None = None


@router.get("/cooperations", response=dict, url_name="cooperation_report")
def cooperation_report(request: HttpRequest, year: int) -> dict:
    """技术对接 of one year: each cooperation with its subsidy and reason, and the 30/30 counts."""
    report = services.cooperation_report(actor_for(request.user), year)
    rows = [
        {
            "id": r["cooperation"].pk,
            "manufacturer_id": r["cooperation"].manufacturer_id,
            "manufacturer": r["cooperation"].manufacturer.name,
            "supplier_id": r["cooperation"].supplier_id,
            "supplier": r["cooperation"].supplier.name,
            "cost_fen": r["cooperation"].cost_fen,
            "subsidy_fen": r["subsidy_fen"],
            "reason": r["reason"],
        }
        for r in report["rows"]
    ]
    return {**{k: v for k, v in report.items() if k != "rows"}, "rows": rows}


@router.post("/cooperations", response={201: dict}, url_name="cooperation_record")
def cooperation_record(request: HttpRequest, payload: CooperationIn) -> Status:
    """Record one cooperation."""
    cooperation = services.record_cooperation(
        actor_for(request.user), services.CooperationInput(**payload.dict())
    )
    return Status(201, {"id": cooperation.pk, "year": cooperation.year, "cost_fen": cooperation.cost_fen})


class SupplyNeedIn(Schema):
    title: str
    description: str
    quantity: str = ""
    requester_id: int | None = None


@router.get("/supply-needs", response=list[dict], url_name="supply_list")
def supply_list(request: HttpRequest) -> list[dict]:
    """Supply-chain needs."""
    return [
        {
            "id": n.pk,
            "title": n.title,
            "description": n.description,
            "quantity": n.quantity,
            "requester_id": n.requester_id,
            "requester": n.requester.name,
        }
        for n in services.list_supply_needs(actor_for(request.user))[:1000]
    ]


@router.post("/supply-needs", response={201: dict}, url_name="supply_create")
def supply_create(request: HttpRequest, payload: SupplyNeedIn) -> Status:
    """File a component or manufacturing-service need."""
    need = services.create_supply_need(
        actor_for(request.user), payload.title, payload.description, payload.quantity, payload.requester_id
    )
    return Status(201, {"id": need.pk, "title": need.title})


@router.get("/supply-needs/{pk}/matches", response=list[MatchOut], url_name="supply_matches")
def supply_matches(request: HttpRequest, pk: int, top: int = 10) -> list[dict]:
    """Local enterprises that fit a supply-chain need, with score and reason."""
    found = services.supply_matches(actor_for(request.user), pk, max(1, min(top, 100)))
    return [
        {
            "enterprise_id": m["enterprise"].pk,
            "enterprise": m["enterprise"].name,
            "score": m["score"],
            "reason": m["reason"],
        }
        for m in found
    ]


@router.get("/suppliers/mine/scenarios", response=list[dict], url_name="supplier_fits")
def supplier_fits(request: HttpRequest, top: int = 10) -> list[dict]:
    """Open calls that fit the caller's enterprise profile best, with score and reason."""
    found = services.scenarios_for_supplier(actor_for(request.user), max(1, min(top, 100)))
    return [
        {
            "scenario_id": f["scenario"].pk,
            "title": f["scenario"].title,
            "score": f["score"],
            "reason": f["reason"],
        }
        for f in found
    ]
