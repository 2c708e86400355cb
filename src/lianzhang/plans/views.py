"""Plan pages: thin wrappers over the plan and progress services."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.common.versioning import StaleEdit
from lianzhang.plans import progress_services as progress
from lianzhang.plans import services, tracking
from lianzhang.plans.forms import (
    DepartmentMapForm,
    PlanHeaderForm,
    PlanImportForm,
    ReportForm,
    RuleFormSet,
    TargetFormSet,
    TargetValueForm,
    TaskFormSet,
    TrackingForm,
    edits_of,
)
from lianzhang.plans.services import TrackingSettings
from lianzhang.regions.models import Region
from lianzhang.web.errors import page, refusal

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _cities():
    return Region.objects.filter(level=Region.Level.CITY).order_by("code")


@login_required
@page
def plan_list(request: HttpRequest) -> HttpResponse:
    """Plans, drafts first for the chain office."""
    actor = actor_for(request.user)
    plans = services.list_plans(actor)
    return render(
        request,
        "plans/list.html",
        {"plans": plans, "can_import": allowed(actor, "plan.import")},
    )


@login_required
@page
def plan_import(request: HttpRequest) -> HttpResponse:
    """Upload a plan document; the parse opens on the review page."""
    actor = actor_for(request.user)
    require(actor, "plan.import")
    form = PlanImportForm(request.POST or None, request.FILES or None, cities=_cities())
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = services.import_plan(
                actor, upload, upload.name, city_code=form.cleaned_data.get("city_code") or None
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, f"已读取《{plan.title}》：请逐项核对后确认")
            return redirect("plan-review", pk=plan.pk)
    return render(request, "plans/import.html", {"form": form})


def _task_initial(tasks) -> list[dict]:
    rows = []
    for task in tasks:
        lead, cooperating = services.task_names(task)
        rows.append(
            {
                "id": task.pk,
                "version": task.version,
                "number": task.number,
                "title": task.title,
                "lead": "、".join(lead),
                "cooperating": "、".join(cooperating),
                "deadline": task.deadline,
                "text": task.text,
            }
        )
    return rows


def _target_initial(targets) -> list[dict]:
    return [
        {
            "id": t.pk,
            "version": t.version,
            "metric": t.metric,
            "comparator": t.comparator,
            "value": t.value,
            "unit": t.unit,
            "deadline": t.deadline,
            "kind": t.kind,
            "text": t.text,
        }
        for t in targets
    ]


def _rule_initial(rules) -> list[dict]:
    return [
        {
            "id": r.pk,
            "parameter": r.parameters.get("parameter", ""),
            "comparator": r.parameters.get("comparator") or "=",
            "value": r.parameters.get("value"),
            "unit": r.parameters.get("unit", ""),
            "text": r.text,
        }
        for r in rules
    ]


SECTIONS = {
    "tasks": (TaskFormSet, _task_initial, services.apply_task_edits, "任务"),
    "targets": (TargetFormSet, _target_initial, services.apply_target_edits, "量化目标"),
    "rules": (RuleFormSet, _rule_initial, services.apply_rule_edits, "政策参数"),
}


@login_required
@page
def plan_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The parse beside the source text: correct, delete or add rows, map unknown departments, confirm."""
    actor = actor_for(request.user)
    data = services.review_data(actor, pk)
    plan = data["plan"]
    posted = request.POST.get("section", "") if request.method == "POST" else ""
    header = PlanHeaderForm(
        request.POST if posted == "header" else None,
        initial={
            "version": plan.version,
            "title": plan.title,
            "city_code": plan.city_id,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
        },
        cities=_cities(),
    )
    if posted == "header" and header.is_valid():
        d = header.cleaned_data
        try:
            services.update_plan_header(
                actor,
                pk,
                d["version"],
                services.PlanHeader(d["title"], d["city_code"], d.get("period_start"), d.get("period_end")),
            )
        except (ValidationError, StaleEdit) as exc:
            header.add_error(None, refusal(exc) if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, "已保存规划信息")
            return redirect(reverse("plan-review", args=[pk]) + "#header")
    formsets = {}
    for name, (formset_class, initial, apply, label) in SECTIONS.items():
        rows = initial(data[name])
        formset = formset_class(request.POST if posted == name else None, initial=rows, prefix=name)
        if posted == name and formset.is_valid():
            try:
                changed = apply(actor, pk, edits_of(formset))
            except ValidationError as exc:
                messages.error(request, refusal(exc))
            except StaleEdit as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已保存{label}（{len(changed)} 处新增或修改）")
                return redirect(reverse("plan-review", args=[pk]) + f"#{name}")
        formsets[name] = formset
    return render(
        request,
        "plans/review.html",
        {
            **data,
            "header": header,
            "task_rows": list(zip(formsets["tasks"].forms, [*data["tasks"], None], strict=False)),
            "task_formset": formsets["tasks"],
            "target_formset": formsets["targets"],
            "rule_formset": formsets["rules"],
            "map_forms": [
                DepartmentMapForm(initial={"name": n}, departments=data["departments"])
                for n in data["unknown_departments"]
            ],
        },
    )


@login_required
@require_POST
@page
def plan_map_department(request: HttpRequest, pk: int) -> HttpResponse:
    """Tie an unknown department name to a department record."""
    actor = actor_for(request.user)
    departments = services.department_choices(actor, pk)
    form = DepartmentMapForm(request.POST, departments=departments)
    if not form.is_valid():
        messages.error(request, "请选择对应的部门")
    else:
        name, choice = form.cleaned_data["name"], form.cleaned_data["department"]
        try:
            if choice == DepartmentMapForm.NEW:
                department = services.map_department(actor, pk, name, create=True)
            else:
                department = services.map_department(actor, pk, name, int(choice))
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, f"“{name}”已对应到 {department.name}")
    return redirect(reverse("plan-review", args=[pk]) + "#departments")


@login_required
@require_POST
@page
def plan_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm a reviewed draft."""
    actor = actor_for(request.user)
    try:
        plan = services.confirm_plan(actor, pk, int(request.POST.get("version") or 0))
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        return redirect("plan-review", pk=pk)
    except StaleEdit as exc:
        messages.error(request, str(exc))
        return redirect("plan-review", pk=pk)
    messages.success(request, f"《{plan.title}》已确认，任务已分派到各部门")
    return redirect("plan-detail", pk=pk)


@login_required
@require_POST
@page
def plan_discard(request: HttpRequest, pk: int) -> HttpResponse:
    """Throw away a draft import."""
    actor = actor_for(request.user)
    try:
        services.discard_plan(actor, pk, int(request.POST.get("version") or 0))
    except (ValidationError, StaleEdit) as exc:
        messages.error(request, refusal(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect("plan-review", pk=pk)
    messages.success(request, "已删除该草稿")
    return redirect("plan-list")


@login_required
@page
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A plan's targets with status and its tasks with combined progress."""
    actor = actor_for(request.user)
    overview = services.plan_overview(actor, pk)
    if overview["plan"].is_draft:
        return redirect("plan-review", pk=pk)
    progress_chart = [
        {
            "metric": v.target.metric,
            "progress": v.status.progress,
            "elapsed": v.status.elapsed,
            "status": v.status.status,
            "label": v.status.label,
        }
        for v in overview["targets"]
    ]
    return render(
        request,
        "plans/detail.html",
        {**overview, "progress_chart": progress_chart, "can_export": allowed(actor, "plan.export")},
    )


@login_required
@page
def plan_matrix(request: HttpRequest, pk: int) -> HttpResponse:
    """The responsibility matrix: tasks × departments."""
    actor = actor_for(request.user)
    matrix = services.responsibility_matrix(actor, pk)
    return render(
        request, "plans/matrix.html", {"matrix": matrix, "can_export": allowed(actor, "plan.export")}
    )


@login_required
@page
def plan_matrix_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """Download the 任务分工表 as Excel or Word."""
    if fmt not in CONTENT_TYPES:
        raise Http404(f"不支持的格式 {fmt!r}（可用：xlsx、docx）")
    data = services.export_matrix(actor_for(request.user), pk, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'任务分工表-{pk}.{fmt}')}"
    return response


@login_required
@page
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A target's status and chart; the chain office enters values and sets how it is followed."""
    actor = actor_for(request.user)
    detail = services.target_detail(actor, pk)
    target = detail["target"]
    posted = request.POST.get("section", "") if request.method == "POST" else ""
    value_form = TargetValueForm(
        request.POST if posted == "value" else None,
        initial={"version": target.version, "as_of": timezone.localdate()},
    )
    tracking_form = TrackingForm(
        request.POST if posted == "tracking" else None,
        initial={
            "version": target.version,
            "baseline_value": target.baseline_value,
            "baseline_date": target.baseline_date,
            "deadline": target.deadline,
            "live_key": target.live_key,
        },
    )
    if posted == "value" and value_form.is_valid():
        d = value_form.cleaned_data
        try:
            services.record_target_value(actor, pk, d["version"], d["value"], d["as_of"], d["note"])
        except ValidationError as exc:
            value_form.add_error(None, refusal(exc))
        except StaleEdit as exc:
            value_form.add_error(None, str(exc))
        else:
            messages.success(request, "已记录当前值")
            return redirect("target-detail", pk=pk)
    if posted == "tracking" and tracking_form.is_valid():
        d = tracking_form.cleaned_data
        try:
            services.set_target_tracking(
                actor,
                pk,
                d["version"],
                TrackingSettings(d["baseline_value"], d["baseline_date"], d["deadline"], d["live_key"] or ""),
            )
        except ValidationError as exc:
            tracking_form.add_error(None, refusal(exc))
        except StaleEdit as exc:
            tracking_form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存跟踪设置")
            return redirect("target-detail", pk=pk)
    return render(
        request,
        "plans/target.html",
        {**detail, "value_form": value_form, "tracking_form": tracking_form},
    )


@login_required
@page
def task_list(request: HttpRequest) -> HttpResponse:
    """Tasks with combined progress; a department officer sees its own department's tasks."""
    actor = actor_for(request.user)
    timing = request.GET.get("timing", "")
    timing = timing if timing in tracking.TIMING_LABELS else ""
    plan = request.GET.get("plan", "")
    views = progress.list_tasks(actor, plan_id=int(plan) if plan.isdigit() else None, timing=timing)
    return render(
        request,
        "plans/tasks.html",
        {"tasks": views, "timing": timing, "timings": tracking.TIMING_LABELS, "plan_filter": plan},
    )


@login_required
@page
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A task's departments and their latest reports rolled up, the report history and the report form."""
    actor = actor_for(request.user)
    detail = progress.task_detail(actor, pk)
    form = None
    if detail["can_report"]:
        form = ReportForm(
            request.POST or None,
            request.FILES or None,
            initial={"period": detail["current_period"]},
            departments=detail["report_departments"],
        )
    if request.method == "POST":
        if form is None:
            # Let the service refuse with its reason (403) rather than ignore the post.
            progress.file_report(actor, pk, progress.ReportInput("", 0, ""))
        elif form.is_valid():
            d = form.cleaned_data
            try:
                progress.file_report(
                    actor,
                    pk,
                    progress.ReportInput(d["period"], d["percent"], d["narrative"], int(d["department"])),
                    d["files"],
                )
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, "进展已报送")
                return redirect("task-detail", pk=pk)
    return render(
        request,
        "plans/task.html",
        {**detail, "form": form},
    )


@login_required
@page
def report_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """Download an attachment of a progress report (always as a download, never rendered inline)."""
    attachment = progress.get_attachment(actor_for(request.user), pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@page
def plan_dashboard(request: HttpRequest) -> HttpResponse:
    """All plans: goals by status, late and nearly due tasks per department."""
    actor = actor_for(request.user)
    data = progress.dashboard(actor)
    chart = {
        "statuses": [
            {"status": s, "label": tracking.STATUS_LABELS[s], "count": data["status_totals"][s]}
            for s in tracking.STATUS_ORDER
        ],
        "plans": [{"title": p["plan"].title, "counts": p["counts"]} for p in data["plans"]],
        "labels": tracking.STATUS_LABELS,
    }
    return render(
        request,
        "plans/dashboard.html",
        {
            **data,
            "chart": chart,
            "status_labels": tracking.STATUS_LABELS,
            "status_order": tracking.STATUS_ORDER,
        },
    )


@login_required
@page
def plan_briefing(request: HttpRequest) -> HttpResponse:
    """A clean page to print (or save as PDF): goals, late and nearly due tasks, recent reports."""
    actor = actor_for(request.user)
    data = progress.briefing(actor)
    return render(
        request,
        "plans/briefing.html",
        {**data, "status_labels": tracking.STATUS_LABELS, "status_order": tracking.STATUS_ORDER},
    )
