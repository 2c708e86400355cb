"""JSON API of 专家评审: the same services and permission checks as the pages, for every step they offer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from lianzhang.accounts.permissions import actor_for
from lianzhang.reviews import assignment_services, bridge, pool_services, scoring_services, services
from lianzhang.reviews.models import Assignment, Expert, Objection, ReviewApplication, ReviewRound

router = Router(tags=["专家评审"])


class ExpertOut(Schema):
    id: int
    name: str
    organisation: str
    title: str
    nodes: list[str]
    disciplines: list[str]
    district: str
    available: bool
    status: str
    term_start: date | None
    term_end: date | None


class RoundOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    mode: str
    seed: int | None
    per_app: int
    max_load: int
    same_district: bool
    criteria: list[dict]
    objection_deadline: date | None
    version: int


class ApplicationOut(Schema):
    id: int
    title: str
    enterprise_id: int
    enterprise_name: str
    requested_fen: int | None
    check_status: str
    check_reason: str
    score: Decimal | None
    reviewers: int
    disagreement: bool
    rank: int | None


class AssignmentOut(Schema):
    id: int
    application_id: int
    expert_id: int
    expert_name: str
    affinity: float
    reason: str
    status: str


class ConflictOut(Schema):
    application_id: int
    expert_id: int
    kind: str
    reason: str


class RoundDetailOut(RoundOut):
    applications: list[ApplicationOut]
    assignments: list[AssignmentOut]
    conflicts: list[ConflictOut]
    submitted: int
    total: int
    assignment_count: int
    conflict_count: int


class MyAssignmentOut(Schema):
    id: int
    round_id: int
    round_name: str
    round_status: str
    application_id: int
    title: str
    enterprise_name: str
    status: str
    criteria: list[dict]
    total: Decimal | None


class ScoreIn(Schema):
    values: dict[str, Decimal | int | float | str]
    comment: str


class ScoreOut(Schema):
    assignment_id: int
    total: Decimal
    submitted_at: datetime


class RankingOut(Schema):
    enterprise_id: int
    enterprise_name: str
    application_id: int
    title: str
    requested_fen: int | None
    score: Decimal | None
    rank: int | None
    decision: str | None


def _round(r: ReviewRound) -> dict:
    return {
        "id": r.pk,
        "name": r.name,
        "kind": r.kind,
        "status": r.status,
        "mode": r.mode,
        "seed": r.seed,
        "per_app": r.per_app,
        "max_load": r.max_load,
        "same_district": r.same_district,
        "criteria": r.criteria,
        "objection_deadline": r.objection_deadline,
        "version": r.version,
    }


def _application(a: ReviewApplication) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "enterprise_id": a.enterprise_id,
        "enterprise_name": a.enterprise.name,
        "requested_fen": a.requested_fen,
        "check_status": a.check_status,
        "check_reason": a.check_reason,
        "score": a.score,
        "reviewers": a.reviewers,
        "disagreement": a.disagreement,
        "rank": a.rank,
    }


def _assignment(a: Assignment) -> dict:
    return {
        "id": a.pk,
        "application_id": a.application_id,
        "expert_id": a.expert_id,
        "expert_name": a.expert.name,
        "affinity": a.affinity,
        "reason": a.reason,
        "status": a.status,
    }


def _decision(app: ReviewApplication) -> str | None:
    decision = getattr(app, "decision", None)
    return None if decision is None else ("approved" if decision.approved else "rejected")


def _mine(a: Assignment) -> dict:
    app = a.application
    score = getattr(a, "score", None)
    return {
        "id": a.pk,
        "round_id": app.round_id,
        "round_name": app.round.name,
        "round_status": app.round.status,
        "application_id": app.pk,
        "title": app.title,
        "enterprise_name": app.enterprise.name,
        "status": a.status,
        "criteria": app.round.criteria,
        "total": score.total if score and a.status == Assignment.Status.SUBMITTED else None,
    }


@router.get("/reviews/experts", response=list[ExpertOut], url_name="expert_list")
def expert_list(request: HttpRequest, q: str = "", status: str = "", node: str = "") -> list:
    """The expert pool (chain office)."""
    return list(pool_services.list_experts(actor_for(request.user), q=q, status=status, node=node)[:2000])


@router.get("/reviews/rounds", response=list[RoundOut], url_name="review_round_list")
def round_list(request: HttpRequest) -> list[dict]:
    """Every review round."""
    return [_round(r) for r in services.list_rounds(actor_for(request.user))[:500]]


@router.get("/reviews/rounds/{pk}", response=RoundDetailOut, url_name="review_round_detail")
def round_detail(request: HttpRequest, pk: int, limit: int | None = None, offset: int = 0) -> dict:
    """One round with its applications, conflicts (with reasons), assignments and progress.

    A large round (thousands of assignments) is read in pages: `limit` and `offset` apply to the
    assignments and to the conflicts; `assignment_count` and `conflict_count` give the totals."""
    if (limit is not None and limit < 1) or offset < 0:
        raise ValidationError({"limit": "limit 应为正整数，offset 不能为负"})
    d = services.round_detail(actor_for(request.user), pk)
    conflicts = [c for a in d["applications"] for c in a.conflict_list]
    window = slice(offset, None if limit is None else offset + limit)
    return {
        **_round(d["round"]),
        "applications": [_application(a) for a in d["applications"]],
        "assignments": [_assignment(a) for a in d["assignments"][window]],
        "conflicts": [
            {"application_id": c.application_id, "expert_id": c.expert_id, "kind": c.kind, "reason": c.reason}
            for c in conflicts[window]
        ],
        "submitted": d["progress"]["submitted"],
        "total": d["progress"]["total"],
        "assignment_count": len(d["assignments"]),
        "conflict_count": len(conflicts),
    }


@router.get("/reviews/rounds/{pk}/ranking", response=list[RankingOut], url_name="review_ranking")
def ranking(request: HttpRequest, pk: int) -> list[dict]:
    """The decided ranking of a round (what subsidy programmes consume)."""
    return services.final_ranking(actor_for(request.user), pk)


@router.get("/reviews/mine", response=list[MyAssignmentOut], url_name="review_mine")
def my_assignments(request: HttpRequest) -> list[dict]:
    """The calling expert's own assignments (no other expert's, no scores of others)."""
    return [_mine(a) for a in scoring_services.my_assignments(actor_for(request.user))]


@router.post("/reviews/mine/{pk}/score", response=ScoreOut, url_name="review_score")
def submit_score(request: HttpRequest, pk: int, payload: ScoreIn) -> dict:
    """Submit or revise the calling expert's score sheet for one own assignment."""
    score = scoring_services.submit_score(actor_for(request.user), pk, payload.values, payload.comment)
    return {"assignment_id": pk, "total": score.total, "submitted_at": score.submitted_at}


@router.get("/reviews/notices", response=list[RoundOut], auth=None, url_name="review_notice_list")
def notice_list(request: HttpRequest) -> list[dict]:
    """Rounds under public notice (公示) or final, for everyone."""
    return [_round(r) for r in services.public_notices()[:200]]


# ==================================================================================== the workflow
# Every route below calls the same service as the page; the service checks the permission and rules.
# `version` is the round's (or expert's) version the caller read: a stale one gives 409 and writes nothing.


class ExpertDetailOut(ExpertOut):
    profile: str
    declared_conflicts: list[str]
    max_load: int | None
    username: str
    version: int

    @staticmethod
    def resolve_username(obj: Expert) -> str:
        return obj.user.username if obj.user_id else ""


class ExpertIn(Schema):
    name: str
    organisation: str
    title: str = ""
    nodes: list[str] = []
    disciplines: list[str] = []
    district: str = ""
    profile: str = ""
    available: bool = True
    term_start: date | None = None
    term_end: date | None = None
    status: str = Expert.Status.ACTIVE
    declared_conflicts: list[str] = []
    max_load: int | None = None
    username: str = ""


class ExpertUpdateIn(ExpertIn):
    version: int


class ImportOut(Schema):
    created: int
    updated: int


class ProfileIn(Schema):
    nodes: list[str] = []
    disciplines: list[str] = []
    profile: str = ""
    available: bool = True
    declared_conflicts: list[str] = []
    version: int


class RelatedPersonIn(Schema):
    name: str
    role: str
    organisation: str = ""
    note: str = ""


class RelatedPersonOut(Schema):
    id: int
    enterprise_id: int
    name: str
    role: str
    organisation: str
    note: str


class RoundIn(Schema):
    name: str
    kind: str = ReviewRound.Kind.PROJECT
    criteria: list[dict] | None = None
    per_app: int = 5
    max_load: int = 5
    mode: str = ReviewRound.Mode.DRAW
    same_district: bool = False


class VersionIn(Schema):
    version: int


class CloseIn(VersionIn):
    without_missing: bool = False


class PublishIn(VersionIn):
    objection_deadline: date


class DecisionIn(Schema):
    application_id: int
    approved: bool
    note: str = ""


class DecideIn(VersionIn):
    decisions: list[DecisionIn]


class SourceIn(Schema):
    source_kind: str
    source_id: int


class CheckIn(Schema):
    passed: bool
    reason: str = ""


class AssignIn(Schema):
    mode: str | None = None
    seed: int | None = None
    version: int | None = None  # when given, a run by someone else since then is refused (409)


class ShortfallOut(Schema):
    application_id: int
    assigned: int
    needed: int
    reason: str


class AssignRunOut(Schema):
    mode: str
    seed: int | None
    assigned: int
    conflicts_avoided: int
    shortfalls: list[ShortfallOut]


class VerifyOut(Schema):
    same: bool
    seed: int | None
    mode: str
    pairs: int
    only_stored: list[tuple[int, int]]
    only_replayed: list[tuple[int, int]]


class ReasonIn(Schema):
    reason: str


class SheetOut(Schema):
    assignment: MyAssignmentOut
    values: dict[str, str] | None
    comment: str
    submitted_at: datetime | None
    panel_totals: list[Decimal] | None
    can_score: bool
    can_decline: bool


class ObjectionIn(Schema):
    text: str
    application_id: int | None = None


class ResolveIn(Schema):
    resolution: str


class ObjectionOut(Schema):
    id: int
    round_id: int
    application_id: int | None
    enterprise_id: int | None
    text: str
    created_at: datetime
    resolution: str
    resolved_at: datetime | None


class NoticeApplicationOut(Schema):
    id: int
    title: str
    enterprise_name: str
    score: Decimal | None
    rank: int | None
    decision: str | None


class NoticeOut(RoundOut):
    noticed_on: date | None
    objection_open: bool
    applications: list[NoticeApplicationOut]


# ------------------------------------------------------------------------------------ expert pool


@router.get("/reviews/experts/{int:pk}", response=ExpertDetailOut, url_name="review_expert_detail")
def expert_detail(request: HttpRequest, pk: int) -> Expert:
    """One expert of the pool with its version (chain office)."""
    return pool_services.get_expert(actor_for(request.user), pk)


@router.post("/reviews/experts", response={201: ExpertDetailOut}, url_name="review_expert_create")
def expert_create(request: HttpRequest, payload: ExpertIn) -> Status:
    """Add an expert to the pool; open rounds recompute their conflicts."""
    data = pool_services.ExpertInput(**payload.dict())
    return Status(201, pool_services.save_expert(actor_for(request.user), data))


@router.put("/reviews/experts/{int:pk}", response=ExpertDetailOut, url_name="review_expert_update")
def expert_update(request: HttpRequest, pk: int, payload: ExpertUpdateIn) -> Expert:
    """Edit an expert; `version` is the one you read (409 if somebody saved since)."""
    data = payload.dict()
    version = data.pop("version")
    return pool_services.save_expert(actor_for(request.user), pool_services.ExpertInput(**data), pk, version)


@router.post("/reviews/experts/import", response=ImportOut, url_name="review_expert_import")
def expert_import(request: HttpRequest, file: File[UploadedFile]) -> dict:
    """Import the pool from the Excel template: all rows or none (422 lists row, column and reason)."""
    return pool_services.import_experts(actor_for(request.user), file.read())


@router.get("/reviews/profile", response=ExpertDetailOut, url_name="review_profile")
def my_profile(request: HttpRequest) -> Expert:
    """The calling expert's own pool record."""
    return pool_services.my_expert(actor_for(request.user))


@router.put("/reviews/profile", response=ExpertDetailOut, url_name="review_profile_update")
def my_profile_update(request: HttpRequest, payload: ProfileIn) -> Expert:
    """An expert edits their own fields, profile, availability and declared conflicts."""
    data = payload.dict()
    version = data.pop("version")
    return pool_services.save_my_profile(
        actor_for(request.user), pool_services.SelfProfileInput(**data), version
    )


@router.post(
    "/reviews/enterprises/{enterprise_id}/related",
    response={201: RelatedPersonOut},
    url_name="review_related_add",
)
def related_add(request: HttpRequest, enterprise_id: int, payload: RelatedPersonIn) -> Status:
    """Register a legal representative, shareholder or key staff member (used for 回避)."""
    person = pool_services.add_related_person(
        actor_for(request.user), enterprise_id, payload.name, payload.role, payload.organisation, payload.note
    )
    return Status(201, person)


@router.delete("/reviews/related/{pk}", response={204: None}, url_name="review_related_remove")
def related_remove(request: HttpRequest, pk: int) -> Status:
    """Remove a related person (the audit log keeps who it was)."""
    pool_services.remove_related_person(actor_for(request.user), pk)
    return Status(204, None)


# ------------------------------------------------------------------------------------ round set-up


@router.post("/reviews/rounds", response={201: RoundOut}, url_name="review_round_create")
def round_create(request: HttpRequest, payload: RoundIn) -> Status:
    """Create a round in draft (criteria default to the standard four-item sheet)."""
    data = payload.dict()
    if data["criteria"] is None:
        del data["criteria"]
    return Status(201, _round(services.create_round(actor_for(request.user), services.RoundInput(**data))))


@router.post(
    "/reviews/rounds/{pk}/applications",
    response={201: ApplicationOut},
    url_name="review_round_add_application",
)
def round_add_application(request: HttpRequest, pk: int, payload: SourceIn) -> Status:
    """Put a registry project, scenario bid or 技术对接 claim into the round."""
    app = services.add_application(actor_for(request.user), pk, payload.source_kind, payload.source_id)
    return Status(201, _application(app))


@router.post("/reviews/applications/{pk}/check", response=ApplicationOut, url_name="review_formal_check")
def formal_check(request: HttpRequest, pk: int, payload: CheckIn) -> dict:
    """Pass or fail one application's formal check (a failure needs its reason)."""
    return _application(services.formal_check(actor_for(request.user), pk, payload.passed, payload.reason))


@router.post("/reviews/rounds/{pk}/start-check", response=RoundOut, url_name="review_round_start_check")
def round_start_check(request: HttpRequest, pk: int, payload: VersionIn) -> dict:
    """Close the intake and begin the formal check."""
    return _round(services.start_check(actor_for(request.user), pk, payload.version))


@router.post(
    "/reviews/rounds/{pk}/open-assignment", response=RoundOut, url_name="review_round_open_assignment"
)
def round_open_assignment(request: HttpRequest, pk: int, payload: VersionIn) -> dict:
    """Finish the formal check and compute the conflicts."""
    return _round(services.open_assignment(actor_for(request.user), pk, payload.version))


@router.post("/reviews/rounds/{pk}/conflicts", response=list[ConflictOut], url_name="review_round_conflicts")
def round_conflicts(request: HttpRequest, pk: int) -> list:
    """Recompute the round's conflicts from the current pool, registry and declarations."""
    return services.compute_conflicts(actor_for(request.user), pk)


# ------------------------------------------------------------------------------------ assignment


@router.post("/reviews/rounds/{pk}/assign", response=AssignRunOut, url_name="review_round_assign")
def round_assign(request: HttpRequest, pk: int, payload: AssignIn) -> dict:
    """Assign experts (draw or optimal, the round's mode by default); the seed is recorded for replay."""
    result = assignment_services.run_assignment(
        actor_for(request.user), pk, payload.mode or None, payload.seed, version=payload.version
    )
    return {
        "mode": result.mode,
        "seed": result.seed,
        "assigned": len(result.assignments),
        "conflicts_avoided": result.conflicts_avoided,
        "shortfalls": [
            {
                "application_id": bridge.pk_of(s.application),
                "assigned": s.assigned,
                "needed": s.needed,
                "reason": s.reason.replace(s.application, "本项"),
            }
            for s in result.unassigned
        ],
    }


@router.get("/reviews/rounds/{pk}/verify", response=VerifyOut, url_name="review_round_verify")
def round_verify(request: HttpRequest, pk: int) -> dict:
    """Replay the first assignment from the recorded seed and inputs and compare with what was stored."""
    return assignment_services.verify_draw(actor_for(request.user), pk)


@router.post("/reviews/rounds/{pk}/redraw", response=list[AssignmentOut], url_name="review_round_redraw")
def round_redraw(request: HttpRequest, pk: int) -> list[dict]:
    """Fill every vacant place (declines, withdrawals, late applications) with the recorded seed."""
    return [_assignment(a) for a in assignment_services.redraw(actor_for(request.user), pk)]


@router.post(
    "/reviews/assignments/{pk}/withdraw", response=AssignmentOut, url_name="review_assignment_withdraw"
)
def assignment_withdraw(request: HttpRequest, pk: int, payload: ReasonIn) -> dict:
    """Take an expert off an application (e.g. a conflict found late); then redraw."""
    return _assignment(assignment_services.withdraw_assignment(actor_for(request.user), pk, payload.reason))


@router.post("/reviews/rounds/{pk}/open-scoring", response=RoundOut, url_name="review_round_open_scoring")
def round_open_scoring(request: HttpRequest, pk: int, payload: VersionIn) -> dict:
    """Let the assigned experts score."""
    return _round(assignment_services.open_scoring(actor_for(request.user), pk, payload.version))


# ------------------------------------------------------------------------------------ expert's work


@router.get("/reviews/mine/{pk}", response=SheetOut, url_name="review_sheet")
def my_sheet(request: HttpRequest, pk: int) -> dict:
    """One own assignment: criteria, own score, and the panel's totals once the round closed."""
    sheet = scoring_services.score_sheet(actor_for(request.user), pk)
    score, panel = sheet["score"], sheet["panel"]
    return {
        "assignment": _mine(sheet["assignment"]),
        "values": score.values if score else None,
        "comment": score.comment if score else "",
        "submitted_at": score.submitted_at if score else None,
        "panel_totals": panel["totals"] if panel else None,
        "can_score": sheet["can_score"],
        "can_decline": sheet["can_decline"],
    }


@router.post("/reviews/mine/{pk}/decline", response=MyAssignmentOut, url_name="review_decline")
def my_decline(request: HttpRequest, pk: int, payload: ReasonIn) -> dict:
    """Decline one of the calling expert's own assignments, with the reason."""
    return _mine(assignment_services.decline_assignment(actor_for(request.user), pk, payload.reason))


# ------------------------------------------------------------------------------------ result and 公示


@router.post("/reviews/rounds/{pk}/close", response=RoundOut, url_name="review_round_close")
def round_close(request: HttpRequest, pk: int, payload: CloseIn) -> dict:
    """End scoring and rank; with sheets missing, `without_missing` must be true."""
    return _round(
        scoring_services.close_round(
            actor_for(request.user), pk, payload.version, without_missing=payload.without_missing
        )
    )


@router.post("/reviews/rounds/{pk}/decide", response=RoundOut, url_name="review_round_decide")
def round_decide(request: HttpRequest, pk: int, payload: DecideIn) -> dict:
    """Approve or reject every reviewed application of a closed round."""
    ids = [d.application_id for d in payload.decisions]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValidationError({"decisions": f"申请 {'、'.join(map(str, repeated))} 重复出现"})
    decisions = {d.application_id: (d.approved, d.note) for d in payload.decisions}
    return _round(scoring_services.decide(actor_for(request.user), pk, payload.version, decisions))


@router.post("/reviews/rounds/{pk}/publish", response=RoundOut, url_name="review_round_publish")
def round_publish(request: HttpRequest, pk: int, payload: PublishIn) -> dict:
    """Publish the results (公示) with the last day on which objections may be filed."""
    round_ = scoring_services.publish_notice(
        actor_for(request.user), pk, payload.version, payload.objection_deadline
    )
    return _round(round_)


@router.post("/reviews/rounds/{pk}/finalise", response=RoundOut, url_name="review_round_finalise")
def round_finalise(request: HttpRequest, pk: int, payload: VersionIn) -> dict:
    """Make the result final once the objection period is over and every objection is answered."""
    return _round(scoring_services.finalise(actor_for(request.user), pk, payload.version))


@router.get(
    "/reviews/rounds/{pk}/objections", response=list[ObjectionOut], url_name="review_round_objections"
)
def round_objections(request: HttpRequest, pk: int) -> list:
    """The objections filed against a round and how they were resolved."""
    return list(services.get_round(actor_for(request.user), pk).objections.all())


@router.get("/reviews/notices/{pk}", response=NoticeOut, auth=None, url_name="review_notice_detail")
def notice_detail(request: HttpRequest, pk: int) -> dict:
    """One public notice: ranking, decisions and whether objections are still open (for everyone)."""
    notice = services.public_notice(pk)
    return {
        **_round(notice["round"]),
        "noticed_on": notice["round"].noticed_on,
        "objection_open": notice["objection_open"],
        "applications": [
            {
                "id": a.pk,
                "title": a.title,
                "enterprise_name": a.enterprise.name,
                "score": a.score,
                "rank": a.rank,
                "decision": _decision(a),
            }
            for a in notice["applications"]
        ],
    }


@router.post(
    "/reviews/notices/{pk}/objections", response={201: ObjectionOut}, url_name="review_objection_file"
)
def objection_file(request: HttpRequest, pk: int, payload: ObjectionIn) -> Status:
    """An enterprise objects to a noticed result, on or before the objection deadline."""
    objection = scoring_services.file_objection(
        actor_for(request.user), pk, payload.text, payload.application_id
    )
    return Status(201, objection)


@router.post("/reviews/objections/{pk}/resolve", response=ObjectionOut, url_name="review_objection_resolve")
def objection_resolve(request: HttpRequest, pk: int, payload: ResolveIn) -> Objection:
    """The chain office answers an objection."""
    return scoring_services.resolve_objection(actor_for(request.user), pk, payload.resolution)
