"""Open data catalogue services: datasets and their metadata, the public catalogue, and data requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.enterprises.services import NotFound
from lianzhang.opendata.models import DataRequest, Dataset, Release, Resource
from lianzhang.opendata.scope import acts_for

R = Release.Status
FIELD_TYPES = ("string", "integer", "number", "date", "boolean", "code")
MAX_SCHEMA_FIELDS = 200


@dataclass
class DatasetInput:
    """Catalogue metadata of a dataset as an officer edits it."""

    title: str
    description: str
    department_id: int | None = None
    licence: str = Dataset.Licence.GOV_OPEN
    update_frequency: str = Dataset.Frequency.IRREGULAR
    tags: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    schema: list[dict] = field(default_factory=list)


@dataclass
class RequestInput:
    """What an enterprise asks for."""

    title: str
    description: str
    purpose: str
    department_id: int


# ------------------------------------------------------------------------------------ scope


def _managed(actor: Actor) -> QuerySet[Dataset]:
    qs = Dataset.objects.select_related("department")
    if actor.role in {Role.CHAIN_OFFICE, Role.ADMIN}:
        return qs
    if actor.role == Role.DEPARTMENT and actor.department_id:
        return qs.filter(department_id=actor.department_id)
    return qs.none()


# ------------------------------------------------------------------------------------ public catalogue


def _published_releases() -> QuerySet[Release]:
    return Release.objects.filter(status=R.PUBLISHED)


def public_datasets(
    q: str = "", department_id: int | None = None, node: str = "", tag: str = ""
) -> QuerySet[Dataset]:
    """Datasets with a published release, public without login; filtered by text, department, node and tag."""
    live = _published_releases().filter(dataset=OuterRef("pk"))
    qs = Dataset.objects.filter(Exists(live)).select_related("department")
    text = q.strip()[:100]
    if text:
        qs = qs.filter(
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(tags__icontains=text)
            | Q(department__name__icontains=text)
            | Q(department__short_name__icontains=text)
        )
    if department_id:
        qs = qs.filter(department_id=department_id)
    if node.strip():
        # Nodes are stored comma-joined: match whole ids only.
        n = node.strip()[:40]
        qs = qs.filter(
            Q(nodes=n)
            | Q(nodes__startswith=f"{n},")
            | Q(nodes__endswith=f",{n}")
            | Q(nodes__contains=f",{n},")
        )
    if tag.strip():
        qs = qs.filter(tags__icontains=tag.strip()[:40])
    return qs.order_by("-published_at", "-id")


def public_dataset_detail(pk: int) -> dict:
    """A published dataset with its published versions and their files; unpublished ones do not exist here."""
    dataset = public_datasets().filter(pk=pk).first()
    if dataset is None:
        raise NotFound(f"数据集 {pk} 不存在或尚未发布")
    releases = list(
        _published_releases()
        .filter(dataset=dataset)
        .order_by("-published_at", "-id")
        .prefetch_related(Prefetch("resources", queryset=Resource.objects.order_by("format")))
    )
    return {"dataset": dataset, "releases": releases}


def public_resource(pk: int) -> Resource:
    """A file of a published release, or NotFound (files of any other release are never handed out)."""
    resource = (
        Resource.objects.select_related("release__dataset").filter(pk=pk, release__status=R.PUBLISHED).first()
    )
    if resource is None:
        raise NotFound(f"资源文件 {pk} 不存在或未发布")
    return resource


def public_departments() -> QuerySet[Department]:
    """Departments that have published something, for the catalogue's filter."""
    return Department.objects.filter(datasets__in=public_datasets()).distinct().order_by("name")


# ------------------------------------------------------------------------------------ datasets


def _clean(actor: Actor, data: DatasetInput) -> tuple[dict, dict[str, str]]:
    from lianzhang.common.chains import platform_chain

    errors: dict[str, str] = {}
    if not data.title.strip():
        errors["title"] = "请填写数据集名称"
    if not data.description.strip():
        errors["description"] = "请填写数据集描述"
    if data.licence not in Dataset.Licence.values:
        errors["licence"] = "请选择许可协议"
    if data.update_frequency not in Dataset.Frequency.values:
        errors["update_frequency"] = "请选择更新频率"
    department_id = data.department_id
    if actor.role == Role.DEPARTMENT:
        department_id = department_id or actor.department_id
        if department_id != actor.department_id:
            errors["department_id"] = "部门用户只能以本部门名义发布数据集"
    if not department_id or not Department.objects.filter(pk=department_id).exists():
        errors.setdefault("department_id", "请选择发布部门")
    known = platform_chain().nodes
    nodes = [n.strip() for n in data.nodes if n.strip()]
    unknown = [n for n in nodes if n not in known]
    if unknown:
        errors["nodes"] = f"产业链没有节点 {'、'.join(unknown)}"
    schema = []
    if len(data.schema) > MAX_SCHEMA_FIELDS:
        errors["schema"] = f"字段说明最多 {MAX_SCHEMA_FIELDS} 项"
    for i, item in enumerate(data.schema[:MAX_SCHEMA_FIELDS], start=1):
        name = str(item.get("name", "")).strip()
        kind = str(item.get("type", "string")).strip() or "string"
        if not name:
            errors["schema"] = f"字段说明第 {i} 项缺少字段名"
        elif kind not in FIELD_TYPES:
            errors["schema"] = (
                f"字段说明第 {i} 项（{name}）的类型“{kind}”未知，可用：{'、'.join(FIELD_TYPES)}"
            )
        schema.append(
            {"name": name[:100], "type": kind, "description": str(item.get("description", "")).strip()[:300]}
        )
    values = {
        "title": data.title.strip()[:200],
        "description": data.description.strip(),
        "department_id": department_id,
        "licence": data.licence,
        "update_frequency": data.update_frequency,
        "tags": ",".join(dict.fromkeys(t.strip()[:40] for t in data.tags if t.strip()))[:300],
        "nodes": ",".join(dict.fromkeys(nodes))[:300],
        "schema": schema,
    }
    return values, errors


@guarded("data.manage")
def create_dataset(actor: Actor, data: DatasetInput) -> Dataset:
    """Register a dataset in the catalogue (not public until a release is published)."""
    values, errors = _clean(actor, data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        dataset = Dataset.objects.create(created_by_id=actor.user_id, **values)
        audit.record(actor, "create", dataset, audit.snapshot(dataset))
    return dataset


@guarded("data.manage")
def update_dataset(actor: Actor, pk: int, version: int, data: DatasetInput) -> Dataset:
    """Edit a dataset's metadata (optimistic locking: a stale version changes nothing)."""
    dataset = get_dataset(actor, pk)
    values, errors = _clean(actor, data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(dataset)
        for name, value in values.items():
            setattr(dataset, name, value)
        dataset.version = version
        dataset.save()
        audit.record(actor, "update", dataset, audit.diff(before, audit.snapshot(dataset)))
    return dataset


@guarded("data.manage")
def list_datasets(actor: Actor) -> QuerySet[Dataset]:
    """Datasets the actor manages: its department's, or all for the chain office and admins."""
    return _managed(actor).order_by("-id")


@guarded("data.manage")
def get_dataset(actor: Actor, pk: int) -> Dataset:
    """One dataset the actor manages."""
    dataset = Dataset.objects.select_related("department").filter(pk=pk).first()
    if dataset is None:
        raise NotFound(f"数据集 {pk} 不存在")
    if not acts_for(actor, dataset.department_id):
        raise PermissionDenied("只能管理本部门的数据集")
    return dataset


@guarded("data.manage")
def departments_for(actor: Actor) -> QuerySet[Department]:
    """Departments the actor may publish for."""
    qs = Department.objects.order_by("name")
    return qs if actor.role != Role.DEPARTMENT else qs.filter(pk=actor.department_id)


# ------------------------------------------------------------------------------------ data requests


@guarded("data.request")
def create_request(actor: Actor, data: RequestInput) -> DataRequest:
    """An enterprise asks a department for data it would like opened."""
    errors: dict[str, str] = {}
    if not actor.enterprise_id:
        raise PermissionDenied("企业用户未关联企业，不能提出数据需求")
    if not data.title.strip():
        errors["title"] = "请填写需求名称"
    if not data.description.strip():
        errors["description"] = "请说明需要哪些数据"
    if not data.purpose.strip():
        errors["purpose"] = "请说明数据用途"
    if not Department.objects.filter(pk=data.department_id).exists():
        errors["department_id"] = "请选择提请部门"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = DataRequest.objects.create(
            title=data.title.strip()[:200],
            description=data.description.strip(),
            purpose=data.purpose.strip(),
            department_id=data.department_id,
            enterprise_id=actor.enterprise_id,
            requested_by_id=actor.user_id,
        )
        audit.record(actor, "create", request, audit.snapshot(request))
    return request


@guarded("data.request")
def my_requests(actor: Actor) -> QuerySet[DataRequest]:
    """The requests of the actor's enterprise, with their answers."""
    return DataRequest.objects.filter(enterprise_id=actor.enterprise_id).select_related(
        "department", "dataset"
    )


@guarded("data.answer")
def request_inbox(actor: Actor, status: str = "") -> QuerySet[DataRequest]:
    """Requests addressed to the actor's department (all of them for the chain office and admins)."""
    qs = DataRequest.objects.select_related("department", "enterprise", "dataset")
    if actor.role == Role.DEPARTMENT:
        qs = qs.filter(department_id=actor.department_id)
    if status:
        qs = qs.filter(status=status)
    return qs


@guarded("data.request.view")
def get_request(actor: Actor, pk: int) -> DataRequest:
    """One request: for the enterprise that filed it, its department's officers, the chain office, admins."""
    found = DataRequest.objects.select_related("department", "enterprise", "dataset").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"数据需求 {pk} 不存在")
    if actor.role == Role.ENTERPRISE:
        mine = actor.enterprise_id is not None and found.enterprise_id == actor.enterprise_id
    else:
        mine = acts_for(actor, found.department_id)
    if not mine:
        raise PermissionDenied("该数据需求不在您的权限范围内")
    return found


@guarded("data.answer")
def answer_request(
    actor: Actor, pk: int, version: int, status: str, answer: str, dataset_id: int | None = None
) -> DataRequest:
    """Answer a request: answered, declined (with the reason) or fulfilled by a published dataset."""
    found = get_request(actor, pk)
    S = DataRequest.Status
    errors: dict[str, str] = {}
    if status not in (S.ANSWERED, S.DECLINED, S.FULFILLED):
        errors["status"] = "请选择答复结果"
    if not answer.strip():
        errors["answer"] = "请填写答复内容"
    dataset = None
    if status == S.FULFILLED:
        dataset = public_datasets().filter(pk=dataset_id).first() if dataset_id else None
        if dataset is None:
            errors["dataset_id"] = "标为已开放时请选择一个已发布的数据集"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(found)
        found.version = version
        found.status = status
        found.answer = answer.strip()
        found.dataset = dataset
        found.answered_by_id = actor.user_id
        found.answered_at = timezone.now()
        found.save()
        audit.record(actor, f"status:{status}", found, audit.diff(before, audit.snapshot(found)))
    return found
