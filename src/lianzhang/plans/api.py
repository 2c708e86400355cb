"""JSON twins of the plan pages (same services, same permission checks)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lianzhang.accounts.permissions import actor_for
from lianzhang.plans import progress_services as progress
from lianzhang.plans import services, tracking
from lianzhang.plans.models import Plan, Rule, Target
from lianzhang.plans.status import TargetView, TaskView

router = Router(tags=["规划任务与进展"])


class PlanOut(Schema):
    id: int
    title: str
    city_code: str
    city_name: str
    period_start: int | None
    period_end: int | None
    source_name: str
    status: str
    version: int
    task_count: int
    target_count: int


class DepartmentOut(Schema):
    name: str
    role: str
    department_id: int | None
    department: str | None
    directory_id: str
    known: bool


class PartOut(Schema):
    department: str
    department_id: int | None
    role: str
    percent: int | None
    period: str | None
    submitted_at: str | None


class TaskOut(Schema):
    id: int
    plan_id: int
    number: str
    title: str
    lead: list[str]
    cooperating: list[str]
    deadline: date | None
    percent: float
    state: str
    timing: str | None
    departments: list[PartOut]
    version: int


class StatusOut(Schema):
    status: str
    label: str
    reason: str
    progress: float | None
    elapsed: float | None
    expected: float | None


class TargetOut(Schema):
    id: int
    plan_id: int
    text: str
    metric: str
    value: float
    unit: str
    comparator: str
    deadline: date | None
    kind: str
    baseline_value: float | None
    baseline_date: date | None
    current: float | None
    current_as_of: date | None
    current_source: str
    live_key: str
    status: StatusOut
    version: int


class RuleOut(Schema):
    id: int
    text: str
    parameters: dict


class PlanDetailOut(PlanOut):
    targets: list[TargetOut]
    tasks: list[TaskOut]
    rules: list[RuleOut]
    unknown_departments: list[str]


class ReviewTaskOut(Schema):
    id: int
    number: str
    title: str
    text: str
    deadline: date | None
    source_line: int | None
    departments: list[DepartmentOut]
    version: int


class ReviewOut(Schema):
    plan: PlanOut
    source_lines: list[str]
    tasks: list[ReviewTaskOut]
    targets: list[dict]
    rules: list[RuleOut]
    unknown_departments: list[str]


class HeaderIn(Schema):
    version: int
    title: str
    city_code: str
    period_start: int | None = None
    period_end: int | None = None


class TaskEditIn(Schema):
    id: int | None = None
    version: int | None = None
    delete: bool = False
    number: str = ""
    title: str = ""
    text: str = ""
    lead: list[str] = []
    cooperating: list[str] = []
    deadline: date | None = None


class TargetEditIn(Schema):
    id: int | None = None
    version: int | None = None
    delete: bool = False
    text: str = ""
    metric: str = ""
    value: float | None = None
    unit: str = ""
    comparator: str = ">="
    deadline: date | None = None
    kind: str = "goal"


class RuleEditIn(Schema):
    id: int | None = None
    delete: bool = False
    text: str = ""
    parameter: str = ""
    value: float | None = None
    unit: str = ""
    comparator: str = "="


class MapIn(Schema):
    name: str
    department_id: int | None = None
    create: bool = False


class VersionIn(Schema):
    version: int


class ValueIn(Schema):
    version: int
    value: float
    as_of: date
    note: str = ""


class TrackingIn(Schema):
    version: int
    baseline_value: float | None = None
    baseline_date: date | None = None
    deadline: date | None = None
    live_key: str = ""


class MatrixOut(Schema):
    plan_id: int
    title: str
    departments: list[str]
    rows: list[dict]
    totals: dict[str, dict[str, int]]


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    url: str


class ReportOut(Schema):
    id: int
    task_id: int
    department_id: int
    department: str
    period: str
    percent: int
    narrative: str
    submitted_by: str | None
    submitted_at: str
    attachments: list[AttachmentOut]


class TaskDetailOut(TaskOut):
    text: str
    plan_title: str
    reports: list[ReportOut]
    can_report: bool


def _plan_out(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "title": plan.title,
        "city_code": plan.city_id,
        "city_name": plan.city.name,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "source_name": plan.source_name,
        "status": plan.status,
        "version": plan.version,
        "task_count": getattr(plan, "task_count", None) or plan.tasks.count(),
        "target_count": getattr(plan, "target_count", None) or plan.targets.count(),
    }


def _status_out(status: tracking.TargetStatus) -> dict:
    return {
        "status": status.status,
        "label": status.label,
        "reason": status.reason,
        "progress": status.progress,
        "elapsed": status.elapsed,
        "expected": status.expected,
    }


def _target_out(view: TargetView) -> dict:
    t: Target = view.target
    return {
        "id": t.pk,
        "plan_id": t.plan_id,
        "text": t.text,
        "metric": t.metric,
        "value": t.value,
        "unit": t.unit,
        "comparator": t.comparator,
        "deadline": t.deadline,
        "kind": t.kind,
        "baseline_value": t.baseline_value,
        "baseline_date": view.baseline_date,
        "current": view.current,
        "current_as_of": view.as_of,
        "current_source": view.source,
        "live_key": t.live_key,
        "status": _status_out(view.status),
        "version": t.version,
    }


def _task_out(view: TaskView) -> dict:
    task = view.task
    return {
        "id": task.pk,
        "plan_id": task.plan_id,
        "number": task.number,
        "title": task.title,
        "lead": view.leads,
        "cooperating": view.cooperating,
        "deadline": view.deadline,
        "percent": view.rollup.percent,
        "state": view.rollup.state,
        "timing": view.rollup.timing,
        "departments": [
            {
                "department": p.assignment.display_name,
                "department_id": p.assignment.department_id,
                "role": p.assignment.role,
                "percent": p.latest.percent if p.latest else None,
                "period": p.latest.period if p.latest else None,
                "submitted_at": p.latest.submitted_at.isoformat() if p.latest else None,
            }
            for p in view.parts
        ],
        "version": task.version,
    }


def _rule_out(rule: Rule) -> dict:
    return {"id": rule.pk, "text": rule.text, "parameters": rule.parameters}


def _plan_detail(actor, pk: int) -> dict:
    overview = services.plan_overview(actor, pk)
    return {
        **_plan_out(overview["plan"]),
        "targets": [_target_out(v) for v in overview["targets"]],
        "tasks": [_task_out(v) for v in overview["tasks"]],
        "rules": [_rule_out(r) for r in overview["rules"]],
        "unknown_departments": overview["unknown_departments"],
    }


@router.get("/plans", response=list[PlanOut], url_name="plan_list")
def plan_list(request: HttpRequest):
    """Plans the caller may read (drafts only for the chain office)."""
    return [_plan_out(p) for p in services.list_plans(actor_for(request.user))]


@router.post("/plans/import", response={201: PlanDetailOut}, url_name="plan_import")
def plan_import(request: HttpRequest, file: File[UploadedFile], city_code: Form[str] = ""):
    """Upload a .txt/.docx/.pdf plan document; answers the draft parse to review."""
    actor = actor_for(request.user)
    plan = services.import_plan(actor, file, file.name or "", city_code=city_code or None)
    return Status(201, _plan_detail(actor, plan.pk))


@router.get("/plans/dashboard", url_name="plan_dashboard")
def plan_dashboard(request: HttpRequest) -> dict:
    """Goals by status, late and nearly due tasks per department, recent reports."""
    return _dashboard_out(progress.dashboard(actor_for(request.user)))


@router.get("/plans/briefing", url_name="plan_briefing")
def plan_briefing(request: HttpRequest) -> dict:
    """The printable briefing's facts, with the late and nearly due tasks listed."""
    data = progress.briefing(actor_for(request.user))
    return {
        **_dashboard_out(data),
        "late_tasks": [_task_out(v) for v in data["late_tasks"]],
        "soon_tasks": [_task_out(v) for v in data["soon_tasks"]],
    }


def _dashboard_out(data: dict) -> dict:
    return {
        "today": data["today"],
        "status_totals": data["status_totals"],
        "task_totals": data["task_totals"],
        "plans": [
            {
                **_plan_out(p["plan"]),
                "counts": p["counts"],
                "targets": [_target_out(v) for v in p["targets"]],
            }
            for p in data["plans"]
        ],
        "departments": [
            {
                "name": d["name"],
                "department_id": d["department_id"],
                "total": d["total"],
                "done": d["done"],
                "overdue": [
                    {"task_id": v.task.pk, "title": v.task.title, "role": part.assignment.role}
                    for v, part in d["overdue"]
                ],
                "due_soon": [
                    {"task_id": v.task.pk, "title": v.task.title, "role": part.assignment.role}
                    for v, part in d["due_soon"]
                ],
            }
            for d in data["by_department"]
        ],
        "unassigned_task_ids": [v.task.pk for v in data["unassigned"]],
        "recent_reports": [
            {
                "task_id": r.task_id,
                "task": r.task.title,
                "department": r.department.name,
                "period": r.period,
                "percent": r.percent,
                "submitted_at": r.submitted_at.isoformat(),
            }
            for r in data["recent_reports"]
        ],
    }


@router.get("/plans/{int:pk}", response=PlanDetailOut, url_name="plan_detail")
def plan_detail(request: HttpRequest, pk: int):
    """A plan with its targets' status, tasks' combined progress and rules."""
    return _plan_detail(actor_for(request.user), pk)


@router.put("/plans/{int:pk}", response=PlanDetailOut, url_name="plan_update")
def plan_update(request: HttpRequest, pk: int, payload: HeaderIn):
    """Correct the title, city or period (`version` as read; 409 if it changed since)."""
    actor = actor_for(request.user)
    header = services.PlanHeader(payload.title, payload.city_code, payload.period_start, payload.period_end)
    services.update_plan_header(actor, pk, payload.version, header)
    return _plan_detail(actor, pk)


@router.delete("/plans/{int:pk}", response={204: None}, url_name="plan_discard")
def plan_discard(request: HttpRequest, pk: int, version: int):
    """Throw away a draft import."""
    services.discard_plan(actor_for(request.user), pk, version)
    return Status(204, None)


@router.get("/plans/{int:pk}/review", response=ReviewOut, url_name="plan_review")
def plan_review(request: HttpRequest, pk: int):
    """The review page's content: source lines, tasks with departments as written, targets, rules."""
    data = services.review_data(actor_for(request.user), pk)
    return {
        "plan": _plan_out(data["plan"]),
        "source_lines": data["source_lines"],
        "tasks": [
            {
                "id": t.pk,
                "number": t.number,
                "title": t.title,
                "text": t.text,
                "deadline": t.deadline,
                "source_line": t.source_line,
                "version": t.version,
                "departments": [
                    {
                        "name": a.name,
                        "role": a.role,
                        "department_id": a.department_id,
                        "department": a.department.name if a.department_id else None,
                        "directory_id": a.directory_id,
                        "known": bool(a.department_id or a.resolved_name),
                    }
                    for a in t.assignments.all()
                ],
            }
            for t in data["tasks"]
        ],
        "targets": [
            {
                "id": t.pk,
                "version": t.version,
                "text": t.text,
                "metric": t.metric,
                "value": t.value,
                "unit": t.unit,
                "comparator": t.comparator,
                "deadline": t.deadline,
                "kind": t.kind,
            }
            for t in data["targets"]
        ],
        "rules": [_rule_out(r) for r in data["rules"]],
        "unknown_departments": data["unknown_departments"],
    }


@router.post("/plans/{int:pk}/tasks/edits", response=PlanDetailOut, url_name="plan_task_edits")
def plan_task_edits(request: HttpRequest, pk: int, payload: list[TaskEditIn]):
    """Add (no id), change or delete (delete: true) tasks in one go."""
    actor = actor_for(request.user)
    services.apply_task_edits(actor, pk, [services.TaskEdit(**e.dict()) for e in payload])
    return _plan_detail(actor, pk)


@router.post("/plans/{int:pk}/targets/edits", response=PlanDetailOut, url_name="plan_target_edits")
def plan_target_edits(request: HttpRequest, pk: int, payload: list[TargetEditIn]):
    """Add, change or delete targets in one go."""
    actor = actor_for(request.user)
    services.apply_target_edits(actor, pk, [services.TargetEdit(**e.dict()) for e in payload])
    return _plan_detail(actor, pk)


@router.post("/plans/{int:pk}/rules/edits", response=PlanDetailOut, url_name="plan_rule_edits")
def plan_rule_edits(request: HttpRequest, pk: int, payload: list[RuleEditIn]):
    """Add, change or delete numeric rules in one go."""
    actor = actor_for(request.user)
    services.apply_rule_edits(actor, pk, [services.RuleEdit(**e.dict()) for e in payload])
    return _plan_detail(actor, pk)


@router.post("/plans/{int:pk}/departments/map", response=PlanDetailOut, url_name="plan_map_department")
def plan_map_department(request: HttpRequest, pk: int, payload: MapIn):
    """Tie a written department name to a department of the plan's city (or create one by that name)."""
    actor = actor_for(request.user)
    services.map_department(actor, pk, payload.name, payload.department_id, create=payload.create)
    return _plan_detail(actor, pk)


@router.post("/plans/{int:pk}/confirm", response=PlanDetailOut, url_name="plan_confirm")
def plan_confirm(request: HttpRequest, pk: int, payload: VersionIn):
    """Confirm a reviewed draft (refused while department names are unresolved)."""
    actor = actor_for(request.user)
    services.confirm_plan(actor, pk, payload.version)
    return _plan_detail(actor, pk)


@router.get("/plans/{int:pk}/matrix", response=MatrixOut, url_name="plan_matrix")
def plan_matrix(request: HttpRequest, pk: int):
    """The responsibility matrix: tasks × departments, 牵头/配合 in the cells."""
    m = services.responsibility_matrix(actor_for(request.user), pk)
    return {
        "plan_id": m.plan.pk,
        "title": m.plan.title,
        "departments": m.departments,
        "rows": m.rows,
        "totals": m.totals,
    }


def _target_detail(actor, pk: int) -> dict:
    detail = services.target_detail(actor, pk)
    return {
        **_target_out(detail["view"]),
        "readings": [{"value": r.value, "as_of": r.as_of, "note": r.note} for r in detail["readings"]],
        "chart": detail["chart"],
    }


@router.get("/plans/targets/{int:pk}", url_name="target_detail")
def target_detail(request: HttpRequest, pk: int) -> dict:
    """A target with its status, entered values and chart data."""
    return _target_detail(actor_for(request.user), pk)


@router.post("/plans/targets/{int:pk}/value", url_name="target_value")
def target_value(request: HttpRequest, pk: int, payload: ValueIn) -> dict:
    """Enter the value a target reached on a day."""
    actor = actor_for(request.user)
    services.record_target_value(actor, pk, payload.version, payload.value, payload.as_of, payload.note)
    return _target_detail(actor, pk)


@router.put("/plans/targets/{int:pk}/tracking", url_name="target_tracking")
def target_tracking(request: HttpRequest, pk: int, payload: TrackingIn) -> dict:
    """Set a target's baseline, deadline and live figure (live_key: see the target page's choices)."""
    actor = actor_for(request.user)
    data = services.TrackingSettings(
        payload.baseline_value, payload.baseline_date, payload.deadline, payload.live_key
    )
    services.set_target_tracking(actor, pk, payload.version, data)
    return _target_detail(actor, pk)


@router.get("/plans/tasks", response=list[TaskOut], url_name="task_list")
def task_list(request: HttpRequest, plan: int | None = None, timing: str = ""):
    """Tasks with combined progress (a department officer gets its own); timing: overdue or due_soon."""
    views = progress.list_tasks(actor_for(request.user), plan_id=plan, timing=timing)
    return [_task_out(v) for v in views]


def _task_detail(actor, pk: int) -> dict:
    d = progress.task_detail(actor, pk)
    return {
        **_task_out(d["view"]),
        "text": d["task"].text,
        "plan_title": d["task"].plan.title,
        "can_report": d["can_report"],
        "reports": [
            {
                "id": r.pk,
                "task_id": r.task_id,
                "department_id": r.department_id,
                "department": r.department.name,
                "period": r.period,
                "percent": r.percent,
                "narrative": r.narrative,
                "submitted_by": r.submitted_by.username if r.submitted_by else None,
                "submitted_at": r.submitted_at.isoformat(),
                "attachments": [
                    {
                        "id": a.pk,
                        "name": a.name,
                        "size": a.size,
                        "url": reverse("report-attachment", args=[a.pk]),
                    }
                    for a in r.attachments.all()
                ],
            }
            for r in d["reports"]
        ],
    }


@router.get("/plans/tasks/{int:pk}", response=TaskDetailOut, url_name="task_detail")
def task_detail(request: HttpRequest, pk: int):
    """A task with each department's latest report rolled up and the whole report history."""
    return _task_detail(actor_for(request.user), pk)


@router.post("/plans/tasks/{int:pk}/reports", response={201: TaskDetailOut}, url_name="task_report")
def task_report(
    request: HttpRequest,
    pk: int,
    period: Form[str],
    percent: Form[int],
    narrative: Form[str],
    department_id: Form[int | None] = None,
    files: File[list[UploadedFile]] = None,
):
    """File a progress report (multipart: period, percent, narrative, optional department_id and files)."""
    actor = actor_for(request.user)
    data = progress.ReportInput(period, percent, narrative, department_id)
    progress.file_report(actor, pk, data, list(files or []))
    return Status(201, _task_detail(actor, pk))
