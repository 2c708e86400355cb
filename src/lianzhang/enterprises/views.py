"""Registry pages: thin wrappers over the services."""

from __future__ import annotations

import io
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.common.chains import node_names, platform_chain
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises import classification, services, tabular
from lianzhang.enterprises import project_services as projects
from lianzhang.enterprises.forms import EnterpriseForm, ImportForm, ProjectForm, TransitionForm, wan_to_fen
from lianzhang.enterprises.models import Park, Project
from lianzhang.enterprises.records import KNOWN_TAGS
from lianzhang.regions.services import divisions_for
from lianzhang.web.errors import page

PAGE_SIZE = 50
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _known_format(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise Http404(f"不支持的格式 {fmt!r}（可用：xlsx、csv）")
    return fmt


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _apply_errors(form: EnterpriseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@page
def enterprise_list(request: HttpRequest) -> HttpResponse:
    """Filterable, paginated enterprise list."""
    actor = actor_for(request.user)
    flt = services.EnterpriseFilter.from_params(request.GET)
    qs = services.list_enterprises(actor, flt)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    chain = platform_chain()
    return render(
        request,
        "enterprises/list.html",
        {
            "page": page_obj,
            "flt": flt,
            "params": flt.as_params(),
            "nodes": list(chain.nodes.values()),
            "node_names": node_names(),
            "tags": KNOWN_TAGS,
            "districts": services.districts_in_registry(actor),
            "can_create": allowed(actor, "enterprise.create"),
            "can_export": allowed(actor, "enterprise.export"),
        },
    )


@login_required
@page
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Profile, chain nodes with evidence, yearly figures and projects."""
    actor = actor_for(request.user)
    detail = services.enterprise_detail(actor, pk)
    chain = platform_chain()
    return render(
        request,
        "enterprises/detail.html",
        {
            **detail,
            "node_names": node_names(),
            "chain_nodes": list(chain.nodes.values()),
            "can_file_project": allowed(actor, "project.create"),
            "can_delete": allowed(actor, "enterprise.delete"),
            "classification": detail["classification"],
            "highlighted": classification.highlighted(detail["classification"].result)
            if detail["classification"]
            else [],
        },
    )


def _form_kwargs(actor, enterprise=None) -> dict:
    locked: frozenset[str] = frozenset()
    if actor.role == Role.ENTERPRISE:
        locked = frozenset(
            {"credit_code", "name", "division_code", "tags", "park", "registered_capital_wan", "founded_on"}
        )
    elif enterprise is not None:
        locked = frozenset({"credit_code"})
    parks = Park.objects.order_by("name")
    if actor.role == Role.DISTRICT and actor.region_code:
        parks = parks.filter(division__code__startswith=actor.region_code)
    divisions = list(divisions_for(actor))
    if enterprise is not None and all(d.code != enterprise.division_id for d in divisions):
        divisions.append(enterprise.division)
    return {"divisions": divisions, "parks": parks, "locked": locked}


@login_required
@page
def enterprise_create(request: HttpRequest) -> HttpResponse:
    """Register a new enterprise."""
    actor = actor_for(request.user)
    require(actor, "enterprise.create")
    form = EnterpriseForm(request.POST or None, **_form_kwargs(actor))
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.create_enterprise(actor, form.to_record())
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"已登记 {enterprise.name}")
            return redirect("enterprise-detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "title": "登记企业"})


@login_required
@page
def enterprise_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an enterprise; a stale edit is refused with the reason and nothing is overwritten."""
    actor = actor_for(request.user)
    enterprise = services.get_enterprise(actor, pk)
    if not services.can_edit_enterprise(actor, enterprise):
        raise PermissionDenied("您无权修改该企业")
    kwargs = _form_kwargs(actor, enterprise)
    initial = EnterpriseForm.initial_from(services.record_of(enterprise), enterprise.version)
    form = EnterpriseForm(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_enterprise(actor, pk, form.cleaned_data.get("version") or 0, form.to_record())
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("enterprise-detail", pk=pk)
    return render(
        request,
        "enterprises/form.html",
        {"form": form, "title": f"编辑 {enterprise.name}", "enterprise": enterprise},
    )


@login_required
@require_POST
@page
def enterprise_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an enterprise (chain office and administrators only)."""
    actor = actor_for(request.user)
    try:
        services.delete_enterprise(actor, pk, int(request.POST.get("version", "0")))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("enterprise-detail", pk=pk)
    messages.success(request, "已删除")
    return redirect("enterprise-list")


@login_required
@require_POST
@page
def node_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm an enterprise's chain node (or add one by hand)."""
    actor = actor_for(request.user)
    try:
        services.confirm_node(actor, pk, request.POST.get("node", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已确认节点归属")
    return redirect("enterprise-detail", pk=pk)


@login_required
@page
def enterprise_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the filtered list as XLSX or CSV."""
    actor = actor_for(request.user)
    _known_format(fmt)
    buffer = io.BytesIO()
    services.export_enterprises(actor, services.EnterpriseFilter.from_params(request.GET), buffer, fmt)  # type: ignore[arg-type]
    return _download(buffer.getvalue(), f"enterprises-{datetime.now():%Y%m%d-%H%M}.{fmt}", fmt)


@login_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the empty import template."""
    require(actor_for(request.user), "enterprise.import")
    _known_format(fmt)
    return _download(tabular.template_bytes(fmt), f"企业导入模板.{fmt}", fmt)


@login_required
@page
def enterprise_import(request: HttpRequest) -> HttpResponse:
    """Upload a file, validate every row, and import all of it or report what is wrong."""
    actor = actor_for(request.user)
    require(actor, "enterprise.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.import_enterprises(
            actor, upload, upload.name, skip_invalid=form.cleaned_data["mode"] == "skip"
        )
        # Always overwrite, so the download never shows an earlier file's errors.
        request.session["import_errors"] = [
            [e.row, e.column, e.reason, e.value] for e in report.errors[:5000]
        ]
    return render(request, "enterprises/import.html", {"form": form, "report": report})


@login_required
def import_error_report(request: HttpRequest) -> HttpResponse:
    """Download the last import's error report as XLSX."""
    require(actor_for(request.user), "enterprise.import")
    errors = [tabular.RowError(*row) for row in request.session.get("import_errors", [])]
    return _download(tabular.error_report_bytes(errors, "xlsx"), "导入错误报告.xlsx", "xlsx")


@login_required
@page
def park_list(request: HttpRequest) -> HttpResponse:
    """Parks and their enterprise counts."""
    actor = actor_for(request.user)
    names = node_names()
    parks = [
        (park, [names.get(n, n) for n in park.focus_nodes.split(",") if n])
        for park in services.list_parks(actor)
    ]
    return render(request, "enterprises/parks.html", {"parks": parks})


@login_required
@page
def project_list(request: HttpRequest) -> HttpResponse:
    """Projects with status filter."""
    actor = actor_for(request.user)
    status = request.GET.get("status", "")
    qs = projects.list_projects(actor, status=status, q=request.GET.get("q", ""))
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = {k: v for k, v in {"status": status, "q": request.GET.get("q", "")}.items() if v}
    return render(
        request,
        "enterprises/projects.html",
        {"page": page_obj, "params": params, "statuses": Project.Status.choices},
    )


@login_required
@page
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A project, its history and the workflow steps the actor may take."""
    actor = actor_for(request.user)
    project = projects.get_project(actor, pk)
    if request.method == "POST":
        form = TransitionForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                projects.transition_project(actor, pk, d["version"], d["to_status"], d["comment"])
            except StaleEdit as exc:
                messages.error(request, str(exc))
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, "状态已更新")
        return redirect("project-detail", pk=pk)
    return render(
        request,
        "enterprises/project_detail.html",
        {
            "project": project,
            "history": project.history.select_related("by"),
            "transitions": projects.allowed_transitions(actor, project),
            "status_labels": dict(Project.Status.choices),
        },
    )


@login_required
@page
def project_create(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    """File a project for an enterprise."""
    actor = actor_for(request.user)
    enterprise = services.get_enterprise(actor, enterprise_pk)
    require(actor, "project.create")
    form = ProjectForm(request.POST or None, initial={"enterprise_id": enterprise.pk})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            project = projects.create_project(
                actor,
                projects.ProjectInput(
                    enterprise_id=enterprise.pk,
                    name=d["name"],
                    type=d["type"],
                    budget_fen=wan_to_fen(d["budget_wan"]) or 0,
                    description=d["description"],
                ),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)  # type: ignore[arg-type]
        else:
            messages.success(request, "项目已申报")
            return redirect("project-detail", pk=project.pk)
    return render(request, "enterprises/project_form.html", {"form": form, "enterprise": enterprise})


@login_required
@page
def review_queue(request: HttpRequest) -> HttpResponse:
    """Low-confidence classifications for the chain office to confirm or correct, keyboard first."""
    actor = actor_for(request.user)
    queue = classification.review_queue(actor)
    page_obj = Paginator(queue, 20).get_page(request.GET.get("page"))
    items = [(item, classification.highlighted(item.result)) for item in page_obj]
    chain = platform_chain()
    return render(
        request,
        "enterprises/review.html",
        {
            "page": page_obj,
            "items": items,
            "params": {},
            "chain_nodes": list(chain.nodes.values()),
            "node_names": node_names(),
            "national_codes": classification.NATIONAL_CODES,
        },
    )


@login_required
@require_POST
@page
def review_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or correct one classification, then return to the queue."""
    actor = actor_for(request.user)
    try:
        if request.POST.get("decision") == "confirm":
            item = classification.confirm_classification(actor, pk)
            messages.success(request, f"已确认：{item.enterprise.name}")
        else:
            nodes = [n for n in request.POST.getlist("nodes") if n]
            national = request.POST.get("national_2018") or "none"
            item = classification.correct_classification(actor, pk, nodes, national)
            messages.success(request, f"已更正：{item.enterprise.name}")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect(f"{reverse('review-queue')}?page={request.POST.get('page', '1')}")
