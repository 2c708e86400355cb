"""Open data pages: the public catalogue and downloads, the release workflow, and data requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.common.chains import node_names
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises.services import NotFound
from lianzhang.opendata import release_services, services, storage
from lianzhang.opendata.formats import CONTENT_TYPES
from lianzhang.opendata.forms import (
    ACTION_CHOICES,
    GENERALISE_CHOICES,
    SUPPRESS_CHOICES,
    AnswerForm,
    DatasetForm,
    RequestForm,
    UploadForm,
    parse_schema,
    policy_from_post,
    schema_text,
    split_list,
)
from lianzhang.opendata.models import DataRequest
from lianzhang.web.errors import form_errors, page, refusal


def _int_or_none(value: str) -> int | None:
    return int(value) if value.strip().isdigit() else None


# ------------------------------------------------------------------------------------ public


def public_list(request: HttpRequest) -> HttpResponse:
    """The catalogue of published datasets, searchable, without login."""
    actor = actor_for(request.user)
    q, node, tag = (request.GET.get(k, "") for k in ("q", "node", "tag"))
    department = _int_or_none(request.GET.get("department", ""))
    context = {
        "datasets": services.public_datasets(q, department, node, tag)[:200],
        "q": q,
        "node": node,
        "tag": tag,
        "department": department,
        "departments": services.public_departments(),
        "nodes": sorted(node_names().items()),
        "can_manage": allowed(actor, "data.manage"),
        "can_request": allowed(actor, "data.request"),
    }
    return render(request, "opendata/public_list.html", context)


@page
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published dataset: metadata, field schema, licence, versions and their files."""
    context = services.public_dataset_detail(pk)
    names = node_names()
    context["nodes"] = [(n, names.get(n, n)) for n in context["dataset"].node_list]
    return render(request, "opendata/detail.html", context)


@page
def download(request: HttpRequest, pk: int) -> FileResponse:
    """A file of a published release; nothing else (raw uploads, unpublished output) is ever served."""
    resource = services.public_resource(pk)
    path = storage.resolve(resource.path)
    if not path.is_file():
        raise NotFound("文件已不在存储中")
    release = resource.release
    filename = f"{release.dataset.title}-{release.label}.{resource.format}"
    response = FileResponse(path.open("rb"), as_attachment=True, filename=filename)
    response["Content-Type"] = CONTENT_TYPES[resource.format]
    return response


# ------------------------------------------------------------------------------------ datasets


@login_required
@page
def manage(request: HttpRequest) -> HttpResponse:
    """The actor's datasets and their latest versions."""
    actor = actor_for(request.user)
    datasets = services.list_datasets(actor).prefetch_related("releases")
    context = {
        "datasets": datasets[:500],
        "queue": release_services.approval_queue(actor).count() if allowed(actor, "data.approve") else 0,
        "open_requests": services.request_inbox(actor, DataRequest.Status.OPEN).count(),
    }
    return render(request, "opendata/manage.html", context)


def _dataset_input(d: dict) -> services.DatasetInput:
    return services.DatasetInput(
        title=d["title"],
        description=d["description"],
        department_id=d["department_id"],
        licence=d["licence"],
        update_frequency=d["update_frequency"],
        tags=split_list(d["tags"]),
        nodes=split_list(d["nodes"]),
        schema=parse_schema(d["schema"]),
    )


@login_required
@page
def dataset_create(request: HttpRequest) -> HttpResponse:
    """Register a new dataset."""
    actor = actor_for(request.user)
    require(actor, "data.manage")
    form = DatasetForm(
        request.POST or None,
        departments=services.departments_for(actor),
        initial={"department_id": actor.department_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(actor, _dataset_input(form.cleaned_data))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "已登记数据集，请上传第一个版本的原始文件")
            return redirect("opendata-dataset", pk=dataset.pk)
    return render(request, "opendata/dataset_form.html", {"form": form, "dataset": None})


@login_required
@page
def dataset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a dataset's catalogue metadata."""
    actor = actor_for(request.user)
    dataset = services.get_dataset(actor, pk)
    initial = {
        "title": dataset.title,
        "department_id": dataset.department_id,
        "description": dataset.description,
        "licence": dataset.licence,
        "update_frequency": dataset.update_frequency,
        "tags": dataset.tags,
        "nodes": dataset.nodes,
        "schema": schema_text(dataset.schema),
        "version": dataset.version,
    }
    form = DatasetForm(request.POST or None, departments=services.departments_for(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_dataset(
                actor, pk, form.cleaned_data["version"] or 0, _dataset_input(form.cleaned_data)
            )
        except ValidationError as exc:
            form_errors(form, exc)
        except StaleEdit as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已保存")
            return redirect("opendata-dataset", pk=pk)
    return render(request, "opendata/dataset_form.html", {"form": form, "dataset": dataset})


@login_required
@page
def dataset_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A managed dataset: metadata, versions in every state, and the upload of a new raw file."""
    actor = actor_for(request.user)
    dataset = services.get_dataset(actor, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            release = release_services.upload_release(
                actor,
                pk,
                upload.name,
                upload.chunks(),
                form.cleaned_data["label"],
                form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, f"已上传并完成识别：{release.scan_report.get('rows', 0)} 行")
            return redirect("opendata-release", pk=release.pk)
    context = {
        "dataset": dataset,
        "releases": dataset.releases.select_related("preparer", "approver").order_by("-created_at", "-id"),
        "form": form,
        "published": services.public_datasets().filter(pk=pk).exists(),
    }
    return render(request, "opendata/dataset.html", context)


# ------------------------------------------------------------------------------------ releases


@login_required
@page
def release_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Scan result per column, the policy form, the processing report and the approval steps."""
    actor = actor_for(request.user)
    if request.method == "POST":
        release = release_services.get_release(actor, pk)
        header = [c["name"] for c in release.scan_report.get("columns", [])]
        try:
            release_services.process_release(
                actor, pk, int(request.POST.get("version", "0")), policy_from_post(request.POST, header)
            )
        except (ValidationError, StaleEdit) as exc:
            messages.error(request, refusal(exc))
        else:
            messages.success(request, "已按策略处理并通过核验，请查看报告后提交审批")
        return redirect("opendata-release", pk=pk)
    context = release_services.release_detail(actor, pk)
    context.update(actions=ACTION_CHOICES, generalise=GENERALISE_CHOICES, suppress_choices=SUPPRESS_CHOICES)
    return render(request, "opendata/release.html", context)


@login_required
@require_POST
@page
def release_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One workflow step: submit, approve, reject, publish or withdraw."""
    actor = actor_for(request.user)
    note = request.POST.get("note", "")
    steps = {
        "submit": lambda v: release_services.submit_release(actor, pk, v),
        "approve": lambda v: release_services.approve_release(actor, pk, v, note),
        "reject": lambda v: release_services.reject_release(actor, pk, v, note),
        "publish": lambda v: release_services.publish_release(actor, pk, v),
        "withdraw": lambda v: release_services.withdraw_release(actor, pk, v, note),
        "discard": lambda v: release_services.discard_release(actor, pk, v, note),
    }
    action = request.POST.get("action", "")
    if action not in steps:
        raise NotFound(f"未知操作 {action}")
    release_services.get_release(actor, pk)  # out-of-scope releases answer 403, not a message
    try:
        release = steps[action](int(request.POST.get("version", "0")))
    except (ValidationError, StaleEdit, PermissionDenied) as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, f"已更新：{release.get_status_display()}")
    return redirect("opendata-release", pk=pk)


@login_required
@page
def approvals(request: HttpRequest) -> HttpResponse:
    """Releases waiting for a second officer."""
    actor = actor_for(request.user)
    return render(request, "opendata/approvals.html", {"releases": release_services.approval_queue(actor)})


@login_required
@page
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of a running scan or processing step, as JSON for a page that polls."""
    from django.http import JsonResponse

    return JsonResponse(release_services.release_progress(actor_for(request.user), pk))


@login_required
@page
def dataset_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of the dataset's running step (an upload's scan has no version number yet)."""
    from django.http import JsonResponse

    return JsonResponse(release_services.dataset_progress(actor_for(request.user), pk))


# ------------------------------------------------------------------------------------ requests


@login_required
@page
def my_requests(request: HttpRequest) -> HttpResponse:
    """An enterprise's data requests with their answers, and the form to file a new one."""
    from lianzhang.accounts.models import Department

    actor = actor_for(request.user)
    require(actor, "data.request")
    form = RequestForm(request.POST or None, departments=Department.objects.order_by("name"))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.create_request(
                actor, services.RequestInput(d["title"], d["description"], d["purpose"], d["department_id"])
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, "数据需求已提交，部门答复后可在此查看")
            return redirect("opendata-requests")
    return render(request, "opendata/requests.html", {"requests": services.my_requests(actor), "form": form})


@login_required
@page
def inbox(request: HttpRequest) -> HttpResponse:
    """Requests addressed to the actor's department."""
    actor = actor_for(request.user)
    status = request.GET.get("status", "")
    context = {
        "requests": services.request_inbox(actor, status)[:500],
        "status": status,
        "statuses": DataRequest.Status.choices,
    }
    return render(request, "opendata/inbox.html", context)


@login_required
@page
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request; its department answers it here."""
    actor = actor_for(request.user)
    found = services.get_request(actor, pk)
    form = None
    if allowed(actor, "data.answer"):
        datasets = services.public_datasets().filter(department_id=found.department_id)
        form = AnswerForm(request.POST or None, datasets=datasets, initial={"version": found.version})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            try:
                services.answer_request(actor, pk, d["version"], d["status"], d["answer"], d["dataset_id"])
            except ValidationError as exc:
                form_errors(form, exc)
            except StaleEdit as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "已答复")
                return redirect("opendata-request", pk=pk)
    elif request.method == "POST":
        raise PermissionDenied("只有部门可以答复数据需求")
    return render(request, "opendata/request_detail.html", {"req": found, "form": form})
