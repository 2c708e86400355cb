"""Task progress services: departments' own tasks, periodic reports with attachments, dashboard, briefing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.enterprises.services import NotFound
from lianzhang.plans import tracking
from lianzhang.plans.models import Plan, ProgressReport, ReportAttachment, Target, Task
from lianzhang.plans.status import TaskView, target_views, task_views

EDITOR_ROLES = frozenset({Role.CHAIN_OFFICE, Role.ADMIN})
MAX_ATTACHMENTS = 10
ATTACHMENT_SUFFIXES = frozenset(
    {".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".txt", ".csv"}
    | {".jpg", ".jpeg", ".png", ".zip", ".rar", ".7z"}
)
RECENT_DAYS = 30


def _visible_tasks(actor: Actor) -> QuerySet[Task]:
    """Tasks of confirmed plans; a department officer sees only the tasks its department is named on."""
    qs = Task.objects.filter(plan__status=Plan.Status.CONFIRMED)
    if actor.role in EDITOR_ROLES or actor.role == Role.DISTRICT:
        return qs
    if actor.role == Role.DEPARTMENT and actor.department_id:
        return qs.filter(assignments__department_id=actor.department_id).distinct()
    return qs.none()


def _with_relations(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("plan", "plan__city").prefetch_related("assignments__department")


def _task(actor: Actor, pk: int) -> Task:
    task = _with_relations(Task.objects.filter(pk=pk)).first()
    if task is None:
        raise NotFound(f"任务 {pk} 不存在")
    if not _visible_tasks(actor).filter(pk=pk).exists():
        raise PermissionDenied("该任务不在您的职责范围内")
    return task


def _reporting_departments(actor: Actor, task: Task) -> list[Department]:
    """The departments the actor may report for on this task (its own; any of them for the chain office)."""
    assigned = [a.department for a in task.assignments.all() if a.department_id]
    if task.plan.status != Plan.Status.CONFIRMED:
        return []
    if actor.role in EDITOR_ROLES:
        return list(dict.fromkeys(assigned))
    if actor.role == Role.DEPARTMENT:
        return [d for d in assigned if d.pk == actor.department_id][:1]
    return []


@guarded("task.list")
def list_tasks(
    actor: Actor,
    *,
    plan_id: int | None = None,
    department_id: int | None = None,
    timing: str = "",
    today: date | None = None,
) -> list[TaskView]:
    """Tasks with their combined progress; a department officer gets its own department's tasks."""
    qs = _visible_tasks(actor)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if department_id:
        qs = qs.filter(assignments__department_id=department_id).distinct()
    views = task_views(_with_relations(qs.order_by("plan_id", "order", "id")), today or timezone.localdate())
    if timing:
        views = [v for v in views if v.rollup.timing == timing]
    return views


@guarded("task.list")
def task_detail(actor: Actor, pk: int, *, today: date | None = None) -> dict[str, Any]:
    """A task, each department's latest report rolled up, the report history and who may report."""
    task = _task(actor, pk)
    (view,) = task_views([task], today or timezone.localdate())
    reports = list(task.reports.select_related("department", "submitted_by").prefetch_related("attachments"))
    own_roles = {a.role for a in task.assignments.all() if a.department_id == actor.department_id}
    return {
        "task": task,
        "view": view,
        "reports": reports,
        "can_report": bool(_reporting_departments(actor, task)),
        "report_departments": _reporting_departments(actor, task),
        "is_lead": "lead" in own_roles,
        "current_period": tracking.current_quarter(today or timezone.localdate()),
    }


@dataclass
class ReportInput:
    """One progress report: the period it covers, how far the task is, and what was done."""

    period: str
    percent: int
    narrative: str
    department_id: int | None = None


def _check_files(files: list[File]) -> list[str]:
    from django.conf import settings

    errors = []
    if len(files) > MAX_ATTACHMENTS:
        errors.append(f"附件最多 {MAX_ATTACHMENTS} 个")
    for f in files:
        name = Path(f.name or "").name
        if Path(name).suffix.lower() not in ATTACHMENT_SUFFIXES:
            errors.append(f"附件“{name}”的类型不允许（可用：{'、'.join(sorted(ATTACHMENT_SUFFIXES))}）")
        elif (f.size or 0) > settings.MAX_UPLOAD_BYTES:
            errors.append(f"附件“{name}”超过 {settings.MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    return errors


@guarded("progress.report")
def file_report(
    actor: Actor, task_pk: int, data: ReportInput, files: list[File] | None = None
) -> ProgressReport:
    """File a department's report on a task; only a department named on the task may report on it."""
    task = _task(actor, task_pk)
    allowed = _reporting_departments(actor, task)
    if not allowed:
        raise PermissionDenied("您所在的部门不是该任务的牵头或配合单位，不能报送进展")
    department_id = data.department_id or (allowed[0].pk if len(allowed) == 1 else None)
    department = next((d for d in allowed if d.pk == department_id), None)
    if department is None:
        if actor.role == Role.DEPARTMENT:
            raise PermissionDenied("部门用户只能为本部门报送进展")
        raise ValidationError({"department_id": "请选择报送进展的部门（须为该任务的牵头或配合单位）"})
    errors: dict[str, list[str]] = {}
    try:
        period = tracking.normalise_period(data.period)
        start, end = tracking.period_bounds(period)
        if start > timezone.localdate():
            errors["period"] = ["报送期尚未开始"]
    except tracking.PeriodError as exc:
        errors["period"] = [str(exc)]
    if not 0 <= data.percent <= 100:
        errors["percent"] = ["完成进度应在 0—100 之间"]
    if not data.narrative.strip():
        errors["narrative"] = ["请填写工作进展"]
    files = list(files or [])
    if file_errors := _check_files(files):
        errors["files"] = file_errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = ProgressReport.objects.create(
            task=task,
            department=department,
            period=period,
            period_end=end,
            percent=data.percent,
            narrative=data.narrative.strip(),
            submitted_by_id=actor.user_id,
            submitted_at=timezone.now(),
        )
        for f in files:
            name = Path(f.name or "附件").name[:200]
            attachment = ReportAttachment(report=report, name=name, size=f.size or 0)
            attachment.file.save(f"{uuid.uuid4().hex}{Path(name).suffix.lower()}", f, save=True)
        audit.record(
            actor,
            "create",
            report,
            {
                "task": task.pk,
                "department": department.name,
                "period": period,
                "percent": data.percent,
                "attachments": [Path(f.name or "").name for f in files],
            },
        )
    return report


@guarded("task.list")
def get_attachment(actor: Actor, pk: int) -> ReportAttachment:
    """An attachment of a report on a task the actor may see."""
    attachment = ReportAttachment.objects.select_related("report").filter(pk=pk).first()
    if attachment is None:
        raise NotFound(f"附件 {pk} 不存在")
    _task(actor, attachment.report.task_id)
    return attachment


# --- dashboard and briefing --------------------------------------------------------------------------


def _confirmed_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(status=Plan.Status.CONFIRMED).select_related("city")


@guarded("plan.view")
def dashboard(actor: Actor, *, today: date | None = None) -> dict[str, Any]:
    """All confirmed plans: goals by status, late and nearly due tasks per department, recent reports."""
    today = today or timezone.localdate()
    plans = []
    totals = {s: 0 for s in tracking.STATUS_ORDER}
    for plan in _confirmed_plans().prefetch_related("targets"):
        goals = target_views([t for t in plan.targets.all() if t.kind == Target.Kind.GOAL], today)
        counts = {s: 0 for s in tracking.STATUS_ORDER}
        for v in goals:
            counts[v.status.status] += 1
            totals[v.status.status] += 1
        plans.append({"plan": plan, "targets": goals, "counts": counts})
    tasks = task_views(
        _with_relations(Task.objects.filter(plan__status=Plan.Status.CONFIRMED).order_by("plan_id", "order")),
        today,
    )
    departments: dict[str, dict[str, Any]] = {}
    unassigned = []
    for view in tasks:
        if not view.parts:
            unassigned.append(view)
        for part in view.parts:
            name = part.assignment.display_name
            entry = departments.setdefault(
                name,
                {
                    "name": name,
                    "department_id": part.assignment.department_id,
                    "total": 0,
                    "done": 0,
                    "overdue": [],
                    "due_soon": [],
                },
            )
            entry["total"] += 1
            entry["done"] += view.rollup.state == tracking.DONE
            if view.rollup.timing == tracking.LATE:
                entry["overdue"].append((view, part))
            elif view.rollup.timing == tracking.DUE_SOON:
                entry["due_soon"].append((view, part))
    by_department = sorted(
        departments.values(), key=lambda d: (-len(d["overdue"]), -len(d["due_soon"]), d["name"])
    )
    since = timezone.now() - timedelta(days=RECENT_DAYS)
    recent = ProgressReport.objects.filter(task__plan__status=Plan.Status.CONFIRMED, submitted_at__gte=since)
    if actor.role == Role.DEPARTMENT:
        # A department reads plans, but the reports it sees are those on its own tasks.
        recent = recent.filter(task__in=_visible_tasks(actor))
    recent = list(recent.select_related("task", "department").order_by("-submitted_at")[:20])
    return {
        "today": today,
        "plans": plans,
        "status_totals": totals,
        "tasks": tasks,
        "task_totals": {
            "total": len(tasks),
            "done": sum(v.rollup.state == tracking.DONE for v in tasks),
            "overdue": sum(v.rollup.timing == tracking.LATE for v in tasks),
            "due_soon": sum(v.rollup.timing == tracking.DUE_SOON for v in tasks),
            "not_started": sum(v.rollup.state == tracking.NOT_STARTED for v in tasks),
        },
        "by_department": by_department,
        "unassigned": unassigned,
        "recent_reports": recent,
        "own_department_id": actor.department_id,
    }


@guarded("plan.view")
def briefing(actor: Actor, *, today: date | None = None) -> dict[str, Any]:
    """The printable briefing (工作通报): the dashboard's facts with every late task listed."""
    data = dashboard(actor, today=today)
    late = [v for v in data["tasks"] if v.rollup.timing == tracking.LATE]
    soon = [v for v in data["tasks"] if v.rollup.timing == tracking.DUE_SOON]
    data.update(late_tasks=late, soon_tasks=soon)
    return data
