"""JSON API of 数据开放: the public catalogue (no login) and data requests (same services as the pages)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from lianzhang.accounts.permissions import actor_for, allowed
from lianzhang.opendata import release_services, services
from lianzhang.opendata.models import DataRequest, Dataset

router = Router(tags=["数据开放"])


class FieldOut(Schema):
    name: str
    type: str
    description: str = ""


class DatasetOut(Schema):
    id: int
    title: str
    department: str
    description: str
    licence: str
    licence_name: str
    update_frequency: str
    tags: list[str]
    nodes: list[str]
    published_at: datetime | None


class ResourceOut(Schema):
    id: int
    format: str
    size: int
    sha256: str
    rows: int
    download_url: str


class ReleaseOut(Schema):
    label: str
    published_at: datetime | None
    resources: list[ResourceOut]


class DatasetDetailOut(DatasetOut):
    schema_fields: list[FieldOut]
    releases: list[ReleaseOut]


class RequestIn(Schema):
    title: str
    description: str
    purpose: str
    department_id: int


class AnswerIn(Schema):
    status: str
    answer: str
    version: int
    dataset_id: int | None = None


class RequestOut(Schema):
    id: int
    title: str
    description: str
    purpose: str
    department_id: int
    department: str
    enterprise: str
    status: str
    answer: str
    dataset_id: int | None
    version: int


def _dataset(d: Dataset) -> dict:
    return {
        "id": d.pk,
        "title": d.title,
        "department": d.department.name,
        "description": d.description,
        "licence": d.licence,
        "licence_name": d.get_licence_display(),
        "update_frequency": d.update_frequency,
        "tags": d.tag_list,
        "nodes": d.node_list,
        "published_at": d.published_at,
    }


def _request(r: DataRequest) -> dict:
    return {
        "id": r.pk,
        "title": r.title,
        "description": r.description,
        "purpose": r.purpose,
        "department_id": r.department_id,
        "department": r.department.name,
        "enterprise": r.enterprise.name,
        "status": r.status,
        "answer": r.answer,
        "dataset_id": r.dataset_id,
        "version": r.version,
    }


@router.get("/data/datasets", response=list[DatasetOut], auth=None, url_name="opendata_public_list")
def public_list(
    request: HttpRequest, q: str = "", department_id: int | None = None, node: str = "", tag: str = ""
) -> list[dict]:
    """Published datasets, for everyone (no login)."""
    return [_dataset(d) for d in services.public_datasets(q, department_id, node, tag)[:500]]


@router.get("/data/datasets/{pk}", response=DatasetDetailOut, auth=None, url_name="opendata_public_detail")
def public_detail(request: HttpRequest, pk: int) -> dict:
    """A published dataset with its field schema, published versions and download links."""
    detail = services.public_dataset_detail(pk)
    dataset = detail["dataset"]
    releases = [
        {
            "label": r.label,
            "published_at": r.published_at,
            "resources": [
                {
                    "id": f.pk,
                    "format": f.format,
                    "size": f.size,
                    "sha256": f.sha256,
                    "rows": f.rows,
                    "download_url": request.build_absolute_uri(reverse("opendata-download", args=[f.pk])),
                }
                for f in r.resources.all()
            ],
        }
        for r in detail["releases"]
    ]
    return {**_dataset(dataset), "schema_fields": dataset.schema, "releases": releases}


@router.get("/data/requests", response=list[RequestOut], url_name="opendata_requests")
def list_requests(request: HttpRequest, status: str = "") -> list[dict]:
    """An enterprise's own requests, or a department's inbox (everything for the chain office)."""
    actor = actor_for(request.user)
    if allowed(actor, "data.request"):
        return [_request(r) for r in services.my_requests(actor)[:500]]
    return [_request(r) for r in services.request_inbox(actor, status)[:500]]


@router.post("/data/requests", response={201: RequestOut}, url_name="opendata_request_create")
def create_request(request: HttpRequest, payload: RequestIn) -> Status:
    """File a data request as the caller's enterprise."""
    found = services.create_request(
        actor_for(request.user),
        services.RequestInput(payload.title, payload.description, payload.purpose, payload.department_id),
    )
    return Status(201, _request(found))


@router.get("/data/requests/{pk}", response=RequestOut, url_name="opendata_request")
def get_request(request: HttpRequest, pk: int) -> dict:
    """One request the caller filed or may answer."""
    return _request(services.get_request(actor_for(request.user), pk))


@router.post("/data/requests/{pk}/answer", response=RequestOut, url_name="opendata_request_answer")
def answer_request(request: HttpRequest, pk: int, payload: AnswerIn) -> dict:
    """Answer, decline or fulfil a request addressed to the caller's department."""
    found = services.answer_request(
        actor_for(request.user), pk, payload.version, payload.status, payload.answer, payload.dataset_id
    )
    return _request(found)


# ------------------------------------------------------------------------------------ release workflow


class DatasetIn(Schema):
    title: str
    description: str
    department_id: int | None = None
    licence: str = Dataset.Licence.GOV_OPEN
    update_frequency: str = Dataset.Frequency.IRREGULAR
    tags: list[str] = []
    nodes: list[str] = []
    schema_fields: list[FieldOut] = []


class ManagedDatasetOut(DatasetOut):
    version: int
    releases: list[dict]


class ReleaseDetailOut(Schema):
    id: int
    dataset_id: int
    label: str
    status: str
    version: int
    source_name: str
    raw_deleted: bool
    scan_report: dict
    policy: dict
    processing_report: dict
    progress: dict


class ProcessIn(Schema):
    version: int
    policy: dict


class ReleaseStepIn(Schema):
    action: str
    version: int
    note: str = ""


def _managed(d: Dataset) -> dict:
    releases = [{"id": r.pk, "label": r.label, "status": r.status} for r in d.releases.all()]
    return {**_dataset(d), "version": d.version, "releases": releases}


def _release(r) -> dict:
    return {
        "id": r.pk,
        "dataset_id": r.dataset_id,
        "label": r.label,
        "status": r.status,
        "version": r.version,
        "source_name": r.source_name,
        "raw_deleted": not r.raw_path,
        "scan_report": r.scan_report,
        "policy": r.policy,
        "processing_report": r.processing_report,
        "progress": {"stage": r.progress_stage, "done": r.progress_done, "total": r.progress_total},
    }


@router.get("/data/manage/datasets", response=list[ManagedDatasetOut], url_name="opendata_manage_list")
def manage_list(request: HttpRequest) -> list[dict]:
    """Datasets the caller manages, with their versions in every state."""
    datasets = services.list_datasets(actor_for(request.user)).prefetch_related("releases")
    return [_managed(d) for d in datasets[:500]]


@router.post("/data/manage/datasets", response={201: ManagedDatasetOut}, url_name="opendata_manage_create")
def manage_create(request: HttpRequest, payload: DatasetIn) -> Status:
    """Register a dataset (public only once a release is published)."""
    data = services.DatasetInput(
        title=payload.title,
        description=payload.description,
        department_id=payload.department_id,
        licence=payload.licence,
        update_frequency=payload.update_frequency,
        tags=payload.tags,
        nodes=payload.nodes,
        schema=[f.model_dump() for f in payload.schema_fields],
    )
    return Status(201, _managed(services.create_dataset(actor_for(request.user), data)))


@router.post(
    "/data/manage/datasets/{pk}/releases", response={201: ReleaseDetailOut}, url_name="opendata_upload"
)
def upload(
    request: HttpRequest, pk: int, file: File[UploadedFile], label: Form[str] = "", notes: Form[str] = ""
) -> Status:
    """Upload a raw file as a new version and scan it (the file is never public)."""
    release = release_services.upload_release(
        actor_for(request.user), pk, file.name or "", file.chunks(), label, notes
    )
    return Status(201, _release(release))


@router.get("/data/releases/{pk}", response=ReleaseDetailOut, url_name="opendata_release")
def release_detail(request: HttpRequest, pk: int) -> dict:
    """A version's scan report, policy, processing report and progress."""
    return _release(release_services.get_release(actor_for(request.user), pk))


@router.post("/data/releases/{pk}/process", response=ReleaseDetailOut, url_name="opendata_process")
def process(request: HttpRequest, pk: int, payload: ProcessIn) -> dict:
    """Apply a per-column policy (same format as `lianzhang deid apply`, without a secret)."""
    return _release(
        release_services.process_release(actor_for(request.user), pk, payload.version, payload.policy)
    )


@router.post("/data/releases/{pk}/steps", response=ReleaseDetailOut, url_name="opendata_release_step")
def release_step(request: HttpRequest, pk: int, payload: ReleaseStepIn) -> dict:
    """submit, approve, reject, publish, withdraw or discard a version."""
    actor = actor_for(request.user)
    steps = {
        "submit": lambda: release_services.submit_release(actor, pk, payload.version),
        "approve": lambda: release_services.approve_release(actor, pk, payload.version, payload.note),
        "reject": lambda: release_services.reject_release(actor, pk, payload.version, payload.note),
        "publish": lambda: release_services.publish_release(actor, pk, payload.version),
        "withdraw": lambda: release_services.withdraw_release(actor, pk, payload.version, payload.note),
        "discard": lambda: release_services.discard_release(actor, pk, payload.version, payload.note),
    }
    if payload.action not in steps:
        raise ValidationError({"action": f"未知操作 {payload.action}，可用：{'、'.join(steps)}"})
    return _release(steps[payload.action]())


@router.get("/data/approvals", response=list[ReleaseDetailOut], url_name="opendata_approvals")
def approvals(request: HttpRequest) -> list[dict]:
    """Versions waiting for a second officer's approval or publication."""
    return [_release(r) for r in release_services.approval_queue(actor_for(request.user))]
