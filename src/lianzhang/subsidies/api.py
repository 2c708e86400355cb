"""JSON API of 择优支持: the same services and permission checks as the pages."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from lianzhang.accounts.permissions import actor_for
from lianzhang.subsidies import services
from lianzhang.subsidies.models import AllocationRun, Programme

router = Router(tags=["择优支持"])


class ProgrammeOut(Schema):
    id: int
    name: str
    year: int
    status: str
    rate_bp: int
    cap_fen: int | None
    max_count: int | None
    budget_fen: int | None
    eligibility: dict
    when_short: str
    objective: str
    department_id: int | None
    rule_text: str
    eligibility_text: str
    version: int


class PreviewIn(Schema):
    """Parameters to try; those left out keep the saved values."""

    rate_bp: int | None = None
    cap_fen: int | None = None
    max_count: int | None = None
    budget_fen: int | None = None
    when_short: str | None = None
    mode: str = "rank"
    # Set a limit to null explicitly (no cap, no count limit, no budget) by naming it here.
    unlimited: list[str] = []


class RunIn(Schema):
    mode: str = "rank"


class ConfirmIn(Schema):
    version: int
    notice_start: date
    objection_deadline: date | None = None


def _programme(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "year": p.year,
        "status": p.status,
        "rate_bp": p.rate_bp,
        "cap_fen": p.cap_fen,
        "max_count": p.max_count,
        "budget_fen": p.budget_fen,
        "eligibility": p.eligibility,
        "when_short": p.when_short,
        "objective": p.objective,
        "department_id": p.department_id,
        "rule_text": p.rule_text,
        "eligibility_text": p.eligibility_text,
        "version": p.version,
    }


def _run(run: AllocationRun, rows: list[dict]) -> dict[str, Any]:
    return {
        "id": run.pk,
        "programme_id": run.programme_id,
        "mode": run.mode,
        "status": run.status,
        "params": run.params,
        "rule_text": run.rule_text,
        "summary": run.summary,
        "difference": run.difference,
        "total_fen": run.total_fen,
        "funded_count": run.funded_count,
        "note": run.note,
        "notice_start": run.notice_start,
        "objection_deadline": run.objection_deadline,
        "version": run.version,
        "rows": rows,
    }


@router.get("/subsidies/programmes", response=list[ProgrammeOut], url_name="subsidy_programme_list")
def programme_list(request: HttpRequest, year: int | None = None) -> list[dict]:
    """Every programme with its rule in words."""
    return [_programme(p) for p in services.list_programmes(actor_for(request.user), year)[:500]]


@router.get("/subsidies/programmes/{pk}", response=dict, url_name="subsidy_programme_detail")
def programme_detail(request: HttpRequest, pk: int) -> dict:
    """A programme, its undecided applications with eligibility and reasons, and its runs."""
    detail = services.programme_detail(actor_for(request.user), pk)
    return {
        "programme": _programme(detail["programme"]),
        "applications": detail["rows"],
        "summary": detail["summary"],
        "runs": [
            {"id": r.pk, "mode": r.mode, "status": r.status, "total_fen": r.total_fen} for r in detail["runs"]
        ],
    }


@router.post("/subsidies/programmes/{pk}/preview", response=dict, url_name="subsidy_preview")
def preview(request: HttpRequest, pk: int, payload: PreviewIn) -> dict:
    """What-if: the allocation under changed parameters and its comparison with the saved ones (not saved)."""
    overrides: dict[str, Any] = {
        k: v for k, v in payload.dict(exclude={"mode", "unlimited"}).items() if v is not None
    }
    for key in payload.unlimited:
        overrides[key] = None
    result = services.preview_allocation(actor_for(request.user), pk, overrides, payload.mode)
    return {k: v for k, v in result.items() if k != "programme"} | {"programme_id": pk}


@router.post("/subsidies/programmes/{pk}/runs", response={201: dict}, url_name="subsidy_allocate")
def allocate(request: HttpRequest, pk: int, payload: RunIn) -> Status:
    """Compute and save a preview run."""
    run = services.run_allocation(actor_for(request.user), pk, payload.mode)
    return Status(201, _run(run, run.result))


@router.get("/subsidies/runs/{pk}", response=dict, url_name="subsidy_run")
def run_detail(request: HttpRequest, pk: int) -> dict:
    """One allocation run with the rows the caller may see."""
    detail = services.run_detail(actor_for(request.user), pk)
    return _run(detail["run"], detail["rows"])


@router.post("/subsidies/runs/{pk}/confirm", response=dict, url_name="subsidy_run_confirm")
def run_confirm(request: HttpRequest, pk: int, payload: ConfirmIn) -> dict:
    """Confirm a run with its 公示 period."""
    run = services.confirm_run(
        actor_for(request.user), pk, payload.version, payload.notice_start, payload.objection_deadline
    )
    return _run(run, run.result)


@router.get("/subsidies/notices", response=list[dict], auth=None, url_name="subsidy_notice_list")
def notice_list(request: HttpRequest) -> list[dict]:
    """Published 公示 lists with their funded enterprises, for everyone."""
    return [
        {
            "id": run.pk,
            "programme": run.programme.name,
            "year": run.programme.year,
            "rule_text": run.rule_text,
            "notice_start": run.notice_start,
            "objection_deadline": run.objection_deadline,
            "total_fen": run.total_fen,
            "funded": [
                {
                    "enterprise": r["enterprise"],
                    "title": r["title"],
                    "amount_fen": r["amount_fen"],
                    "rule": r["rule"],
                }
                for r in run.funded_rows
            ],
        }
        for run in services.public_notices()[:100]
    ]


@router.get("/subsidies/mine", response=list[dict], url_name="subsidy_mine")
def mine(request: HttpRequest) -> list[dict]:
    """The caller's enterprise's applications and confirmed results."""
    return [
        {
            "application_id": r["application"].pk,
            "programme": r["programme"].name,
            "year": r["programme"].year,
            "title": r["application"].title,
            "cost_fen": r["application"].cost_fen,
            "decided": r["decided"],
            "funded": r["funded"],
            "amount_fen": r["amount_fen"],
            "rule": r["rule"],
        }
        for r in services.my_applications(actor_for(request.user))
    ]
