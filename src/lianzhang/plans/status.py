"""Where targets and tasks stand today: the tracking rules applied to stored plans (no permission checks)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from lianzhang.plans import live, tracking
from lianzhang.plans.models import ProgressReport, Target, TargetReading, Task, TaskDepartment


@dataclass
class TargetView:
    """A target with the value it is judged on (live figure or last entered value) and its status."""

    target: Target
    current: float | None
    as_of: date | None
    source: str  # live | entered | ""
    status: tracking.TargetStatus
    baseline_date: date | None

    @property
    def live_label(self) -> str:
        """The live figure's label, or an empty string."""
        return live.label(self.target.live_key) if self.target.live_key else ""


def baseline_date(target: Target) -> date | None:
    """The target's baseline date, defaulting to the start of its plan's period."""
    return target.baseline_date or target.plan.start_date


def target_view(
    target: Target, today: date, live_values: dict[tuple[str, str], int] | None = None
) -> TargetView:
    """Judge one target; live figures are looked up once per (key, city) through `live_values`."""
    cache = live_values if live_values is not None else {}
    current: float | None = target.current_value
    as_of = target.current_as_of
    source = "entered" if current is not None else ""
    if target.live_key in live.FIGURES:
        key = (target.live_key, target.plan.city_id)
        if key not in cache:
            cache[key] = live.value(*key)
        current, as_of, source = float(cache[key]), today, "live"
    start = baseline_date(target)
    if target.kind == Target.Kind.REPORTED:
        status = tracking.TargetStatus(tracking.UNKNOWN, "引用其他文件的目标，不在本规划中跟踪")
    else:
        status = tracking.target_status(
            target=target.value,
            comparator=target.comparator,
            deadline=target.deadline,
            current=current,
            today=today,
            baseline=target.baseline_value,
            baseline_date=start,
        )
    return TargetView(target, current, as_of, source, status, start)


def target_views(targets: Iterable[Target], today: date) -> list[TargetView]:
    """Judge many targets, sharing live-figure lookups."""
    cache: dict[tuple[str, str], int] = {}
    return [target_view(t, today, cache) for t in targets]


def chart_data(view: TargetView, readings: list[TargetReading]) -> dict:
    """What the target chart draws: the planned line, entered values, the live figure and the goal."""
    t = view.target
    data: dict = {
        "metric": t.metric,
        "unit": t.unit,
        "target": t.value,
        "deadline": t.deadline.isoformat() if t.deadline else None,
        "status": view.status.status,
        "status_label": view.status.label,
        "readings": [{"date": r.as_of.isoformat(), "value": r.value} for r in readings],
        "line": None,
        "live": None,
    }
    if view.baseline_date and t.deadline and view.baseline_date < t.deadline:
        data["line"] = [
            {"date": view.baseline_date.isoformat(), "value": t.baseline_value or 0.0},
            {"date": t.deadline.isoformat(), "value": t.value},
        ]
    if view.source == "live" and view.as_of:
        data["live"] = {"date": view.as_of.isoformat(), "value": view.current, "label": view.live_label}
    return data


@dataclass
class PartView:
    """One department on a task and its latest report."""

    assignment: TaskDepartment
    latest: ProgressReport | None


@dataclass
class TaskView:
    """A task with each department's latest report and the combined progress."""

    task: Task
    deadline: date | None
    parts: list[PartView]
    rollup: tracking.Rollup
    leads: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)


def latest_reports(tasks: list[Task]) -> dict[tuple[int, int], ProgressReport]:
    """The latest report of each (task, department): latest period first, then latest submission."""
    latest: dict[tuple[int, int], ProgressReport] = {}
    reports = (
        ProgressReport.objects.filter(task__in=[t.pk for t in tasks])
        .select_related("department", "submitted_by")
        .order_by("period_end", "submitted_at", "id")
    )
    for report in reports:
        latest[(report.task_id, report.department_id)] = report
    return latest


def task_views(tasks: Iterable[Task], today: date) -> list[TaskView]:
    """Roll each task's departments' latest reports up (tasks need plan and assignments prefetched)."""
    tasks = list(tasks)
    latest = latest_reports(tasks)
    views = []
    for task in tasks:
        parts = []
        for a in task.assignments.all():
            report = latest.get((task.pk, a.department_id)) if a.department_id else None
            parts.append(PartView(a, report))
        deadline = task.effective_deadline()
        summary = tracking.rollup(
            [
                tracking.DepartmentProgress(
                    p.assignment.display_name,
                    p.assignment.role,
                    p.latest.percent if p.latest else None,
                    p.latest.period if p.latest else None,
                )
                for p in parts
            ],
            deadline,
            today,
        )
        views.append(
            TaskView(
                task,
                deadline,
                parts,
                summary,
                leads=[p.assignment.display_name for p in parts if p.assignment.role == "lead"],
                cooperating=[p.assignment.display_name for p in parts if p.assignment.role != "lead"],
            )
        )
    return views
