"""JSON API of 专家评审: the same services and permission checks as the pages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from lianzhang.accounts.permissions import actor_for
from lianzhang.reviews import pool_services, scoring_services, services
from lianzhang.reviews.models import Assignment, ReviewRound

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
def round_detail(request: HttpRequest, pk: int) -> dict:
    """One round with its applications, conflicts (with reasons), assignments and progress."""
    d = services.round_detail(actor_for(request.user), pk)
    return {
        **_round(d["round"]),
        "applications": [
            {
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
            for a in d["applications"]
        ],
        "assignments": [
            {
                "id": a.pk,
                "application_id": a.application_id,
                "expert_id": a.expert_id,
                "expert_name": a.expert.name,
                "affinity": a.affinity,
                "reason": a.reason,
                "status": a.status,
            }
            for a in d["assignments"]
        ],
        "conflicts": [
            {"application_id": c.application_id, "expert_id": c.expert_id, "kind": c.kind, "reason": c.reason}
            for a in d["applications"]
            for c in a.conflict_list
        ],
        "submitted": d["progress"]["submitted"],
        "total": d["progress"]["total"],
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
