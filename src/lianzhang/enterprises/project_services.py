"""Project registry (项目库) services: listing, filing and moving projects through their workflow."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import Actor, guarded, in_area
from lianzhang.enterprises.models import Enterprise, Project, ProjectStatusChange
from lianzhang.enterprises.services import NotFound, visible_enterprises

# Allowed workflow steps: 申报→形式审查→评审→立项→验收, and 终止 from any open state.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "submitted": ("formal_check", "terminated"),
    "formal_check": ("review", "terminated"),
    "review": ("approved", "terminated"),
    "approved": ("accepted", "terminated"),
    "accepted": (),
    "terminated": (),
}
MAX_BUDGET_FEN = 10**14  # 1 万亿元: anything above is a typing error


@dataclass
class ProjectInput:
    """What is needed to file a project."""

    enterprise_id: int
    name: str
    type: str
    budget_fen: int
    description: str = ""


def visible_projects(actor: Actor) -> QuerySet[Project]:
    """Projects of the enterprises the actor may see."""
    return Project.objects.filter(enterprise__in=visible_enterprises(actor))


@guarded("project.list")
def list_projects(
    actor: Actor, *, status: str = "", q: str = "", enterprise_id: int | None = None
) -> QuerySet[Project]:
    """Projects visible to the actor, optionally filtered by status, text and enterprise."""
    qs = visible_projects(actor).select_related("enterprise", "enterprise__division")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q.strip()[:100])
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    return qs.order_by("-submitted_on", "pk")


@guarded("project.view")
def get_project(actor: Actor, pk: int) -> Project:
    """One project the actor may see."""
    try:
        project = Project.objects.select_related("enterprise").get(pk=pk)
    except Project.DoesNotExist:
        raise NotFound(f"项目 {pk} 不存在") from None
    if not visible_projects(actor).filter(pk=pk).exists():
        raise PermissionDenied("该项目不在您的权限范围内")
    return project


def allowed_transitions(actor: Actor, project: Project) -> list[tuple[str, str]]:
    """The workflow steps the actor may take on this project now, as (code, label)."""
    if actor.role not in {Role.CHAIN_OFFICE, Role.DISTRICT, Role.ADMIN}:
        return []
    if not in_area(actor, project.enterprise.division_id):
        return []
    labels = dict(Project.Status.choices)
    return [(code, labels[code]) for code in TRANSITIONS[project.status]]


@guarded("project.create")
def create_project(actor: Actor, data: ProjectInput) -> Project:
    """File a project (申报) for an enterprise the actor speaks for or administers."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "项目名称不能为空"
    if data.type not in Project.Type.values:
        errors["type"] = f"未知的项目类型 {data.type!r}"
    if not 0 < data.budget_fen <= MAX_BUDGET_FEN:
        errors["budget_fen"] = "总投资必须大于0且不超过1万亿元"
    if errors:
        raise ValidationError(errors)
    if actor.role == Role.ENTERPRISE and data.enterprise_id != actor.enterprise_id:
        raise PermissionDenied("只能为本企业申报项目")
    if not visible_enterprises(actor).filter(pk=data.enterprise_id).exists():
        raise PermissionDenied("该企业不在您的权限范围内")
    enterprise = Enterprise.objects.get(pk=data.enterprise_id)
    with transaction.atomic():
        project = Project.objects.create(
            enterprise=enterprise,
            name=data.name.strip(),
            type=data.type,
            budget_fen=data.budget_fen,
            description=data.description.strip(),
            submitted_on=timezone.localdate(),
        )
        ProjectStatusChange.objects.create(
            project=project, to_status="submitted", at=timezone.now(), by_id=actor.user_id
        )
        audit.record(actor, "create", project, audit.snapshot(project))
    return project


@guarded("project.transition")
def transition_project(actor: Actor, pk: int, version: int, to_status: str, comment: str = "") -> Project:
    """Move a project one workflow step; refused if the step is not allowed or the project changed."""
    project = get_project(actor, pk)
    if to_status not in dict(allowed_transitions(actor, project)):
        labels = dict(Project.Status.choices)
        raise ValidationError(
            f"项目当前为“{labels[project.status]}”，不能变更为“{labels.get(to_status, to_status)}”"
        )
    if to_status == "terminated" and not comment.strip():
        raise ValidationError("终止项目须填写意见")
    with transaction.atomic():
        project.version = version
        before = project.status
        project.status = to_status
        project.save(update_fields=["status"])
        ProjectStatusChange.objects.create(
            project=project,
            from_status=before,
            to_status=to_status,
            at=timezone.now(),
            by_id=actor.user_id,
            comment=comment.strip()[:500],
        )
        changes = {"status": [before, to_status], "comment": comment.strip()}
        audit.record(actor, "transition", project, changes)
    return project

