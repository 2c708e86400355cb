"""JSON twins of the registry pages (same services, same permission checks)."""

from __future__ import annotations

import dataclasses
from datetime import date

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from lianzhang.accounts.permissions import actor_for
from lianzhang.enterprises import project_services as projects
from lianzhang.enterprises import services
from lianzhang.enterprises.records import EnterpriseRecord, YearFigures

router = Router(tags=["企业库与项目库"])


class YearOut(Schema):
    year: int
    revenue_fen: int | None
    rd_spend_fen: int | None
    employees: int | None
    patents: int | None
    ai_revenue_fen: int | None


class NodeOut(Schema):
    chain: str
    node: str
    source: str
    confidence: float
    evidence: list
    is_primary: bool
    confirmed_by: str | None


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    short_name: str
    division_code: str
    division_name: str
    tags: list[str]
    nodes: list[str]
    version: int


class EnterpriseDetailOut(EnterpriseOut):
    address: str
    founded_on: date | None
    registered_capital_fen: int | None
    business_scope: str
    products: str
    park: str | None
    node_assignments: list[NodeOut]
    years: list[YearOut]
    project_ids: list[int]


class EnterprisePage(Schema):
    count: int
    page: int
    pages: int
    results: list[EnterpriseOut]


class YearIn(Schema):
    year: int
    revenue_fen: int | None = None
    rd_spend_fen: int | None = None
    employees: int | None = None
    patents: int | None = None
    ai_revenue_fen: int | None = None


class EnterpriseIn(Schema):
    credit_code: str
    name: str
    division_code: str
    short_name: str = ""
    address: str = ""
    founded_on: date | None = None
    registered_capital_fen: int | None = None
    business_scope: str = ""
    products: str = ""
    tags: list[str] = []
    park: str = ""
    figures: list[YearIn] = []

    def to_record(self) -> EnterpriseRecord:
        """The payload as a registry record."""
        data = self.dict()
        data["figures"] = [YearFigures(**f) for f in data["figures"]]
        return EnterpriseRecord(**data)


class EnterpriseUpdateIn(EnterpriseIn):
    version: int


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str
    value: str


class ImportReportOut(Schema):
    applied: bool
    total_rows: int
    created: int
    updated: int
    unchanged: int
    skipped_rows: list[int]
    errors: list[RowErrorOut]
    file_error: str


class ProjectOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    name: str
    type: str
    budget_fen: int
    status: str
    submitted_on: date
    version: int


class ProjectDetailOut(ProjectOut):
    description: str
    history: list[dict]
    allowed_transitions: list[str]


class TransitionIn(Schema):
    version: int
    to_status: str
    comment: str = ""


class ParkOut(Schema):
    id: int
    name: str
    division_code: str
    focus_nodes: list[str]
    enterprise_count: int


def _enterprise_out(e) -> dict:
    return {
        "id": e.pk,
        "credit_code": e.credit_code,
        "name": e.name,
        "short_name": e.short_name,
        "division_code": e.division_id,
        "division_name": e.division.full_name,
        "tags": [t.name for t in e.tags.all()],
        "nodes": [a.node for a in e.nodes.all()],
        "version": e.version,
    }


def _detail_out(actor, pk: int) -> dict:
    d = services.enterprise_detail(actor, pk)
    e = d["enterprise"]
    return {
        **_enterprise_out(e),
        "address": e.address,
        "founded_on": e.founded_on,
        "registered_capital_fen": e.registered_capital_fen,
        "business_scope": e.business_scope,
        "products": e.products,
        "park": e.park.name if e.park_id else None,
        "node_assignments": [
            {
                "chain": a.chain,
                "node": a.node,
                "source": a.source,
                "confidence": a.confidence,
                "evidence": a.evidence,
                "is_primary": a.is_primary,
                "confirmed_by": a.confirmed_by.username if a.confirmed_by else None,
            }
            for a in d["nodes"]
        ],
        "years": d["years"],
        "project_ids": [p.pk for p in d["projects"]],
    }


@router.get("/enterprises", response=EnterprisePage, url_name="enterprise_list")
def enterprise_list(request: HttpRequest, page: int = 1, page_size: int = 50):
    """Enterprises visible to the caller; same filters as the list page (q, division, node, tag, park, ai)."""
    actor = actor_for(request.user)
    qs = services.list_enterprises(actor, services.EnterpriseFilter.from_params(request.GET))
    paginator = Paginator(qs, max(1, min(page_size, 500)))
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "pages": paginator.num_pages,
        "results": [_enterprise_out(e) for e in current],
    }


@router.get("/enterprises/{int:pk}", response=EnterpriseDetailOut, url_name="enterprise_detail")
def enterprise_detail(request: HttpRequest, pk: int):
    """One enterprise with its nodes, evidence, yearly figures and projects."""
    return _detail_out(actor_for(request.user), pk)


@router.post("/enterprises", response={201: EnterpriseDetailOut}, url_name="enterprise_create")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn):
    """Register an enterprise (money in fen)."""
    actor = actor_for(request.user)
    enterprise = services.create_enterprise(actor, payload.to_record())
    return Status(201, _detail_out(actor, enterprise.pk))


@router.put("/enterprises/{int:pk}", response=EnterpriseDetailOut, url_name="enterprise_update")
def enterprise_update(request: HttpRequest, pk: int, payload: EnterpriseUpdateIn):
    """Update an enterprise; `version` must be the version you read (409 if it changed since)."""
    actor = actor_for(request.user)
    data = payload.dict()
    version = data.pop("version")
    services.update_enterprise(actor, pk, version, EnterpriseIn(**data).to_record())
    return _detail_out(actor, pk)


@router.post("/enterprises/import", response=ImportReportOut, url_name="enterprise_import")
def enterprise_import(
    request: HttpRequest, file: File[UploadedFile], dry_run: bool = False, skip_invalid: bool = False
):
    """Import a CSV/XLSX file (all-or-nothing unless skip_invalid); dry_run only validates."""
    report = services.import_enterprises(
        actor_for(request.user), file, file.name or "", apply=not dry_run, skip_invalid=skip_invalid
    )
    return {
        "applied": report.applied,
        "total_rows": report.total_rows,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped_rows": report.skipped_rows,
        "errors": [dataclasses.asdict(e) for e in report.errors],
        "file_error": report.file_error,
    }


def _project_out(p) -> dict:
    return {
        "id": p.pk,
        "enterprise_id": p.enterprise_id,
        "enterprise_name": p.enterprise.name,
        "name": p.name,
        "type": p.type,
        "budget_fen": p.budget_fen,
        "status": p.status,
        "submitted_on": p.submitted_on,
        "version": p.version,
    }


@router.get("/projects", response=list[ProjectOut], url_name="project_list")
def project_list(request: HttpRequest, status: str = "", q: str = "", limit: int = 200, offset: int = 0):
    """Projects visible to the caller."""
    qs = projects.list_projects(actor_for(request.user), status=status, q=q)
    limit = max(1, min(limit, 1000))
    return [_project_out(p) for p in qs[offset : offset + limit]]


def _project_detail(actor, pk: int) -> dict:
    p = projects.get_project(actor, pk)
    return {
        **_project_out(p),
        "description": p.description,
        "history": [
            {"from": h.from_status, "to": h.to_status, "at": h.at.isoformat(), "comment": h.comment}
            for h in p.history.all()
        ],
        "allowed_transitions": [code for code, _ in projects.allowed_transitions(actor, p)],
    }


@router.get("/projects/{int:pk}", response=ProjectDetailOut, url_name="project_detail")
def project_detail(request: HttpRequest, pk: int):
    """One project with its workflow history."""
    return _project_detail(actor_for(request.user), pk)


@router.post("/projects/{int:pk}/transition", response=ProjectDetailOut, url_name="project_transition")
def project_transition(request: HttpRequest, pk: int, payload: TransitionIn):
    """Move a project one workflow step."""
    actor = actor_for(request.user)
    projects.transition_project(actor, pk, payload.version, payload.to_status, payload.comment)
    return _project_detail(actor, pk)


@router.get("/parks", response=list[ParkOut], url_name="park_list")
def park_list(request: HttpRequest):
    """Parks with enterprise counts."""
    return [
        {
            "id": p.pk,
            "name": p.name,
            "division_code": p.division_id,
            "focus_nodes": [n for n in p.focus_nodes.split(",") if n],
            "enterprise_count": p.enterprise_count,
        }
        for p in services.list_parks(actor_for(request.user))
    ]


@router.get("/dashboard", url_name="dashboard")
def dashboard(request: HttpRequest) -> dict:
    """The dashboard's counts by chain node, district and tag."""
    return services.registry_summary(actor_for(request.user))
