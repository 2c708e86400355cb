"""User management and the audit log, behind the same permission checks as everything else."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry, Department, Profile, Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.regions.models import Region


@dataclass
class NewUser:
    """What is needed to create a platform user."""

    username: str
    password: str
    role: str
    display_name: str = ""
    region_code: str | None = None
    department_id: int | None = None
    enterprise_id: int | None = None
    chains: str = "ai"


def _check_new_user(data: NewUser) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.role not in Role.values:
        errors["role"] = f"未知角色 {data.role!r}（可选：{'、'.join(Role.values)}）"
    if data.role == Role.DISTRICT and not data.region_code:
        errors["region_code"] = "区/镇街用户必须指定负责区划"
    elif data.region_code and not Region.objects.filter(pk=data.region_code).exists():
        errors["region_code"] = f"未知的区划代码 {data.region_code!r}"
    if data.role == Role.ENTERPRISE and not data.enterprise_id:
        errors["enterprise_id"] = "企业用户必须指定所属企业"
    if data.role == Role.DEPARTMENT and not data.department_id:
        errors["department_id"] = "部门用户必须指定所属部门"
    if get_user_model().objects.filter(username=data.username).exists():
        errors["username"] = f"用户名 {data.username!r} 已存在"
    return errors


@guarded("user.manage")
def create_user(actor: Actor, data: NewUser) -> AbstractBaseUser:
    """Create a user with a role (and its district, department or enterprise)."""
    errors = _check_new_user(data)
    if errors:
        raise ValidationError(errors)
    from django.contrib.auth.password_validation import validate_password

    validate_password(data.password)
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username=data.username,
            password=data.password,
            is_staff=data.role == Role.ADMIN,
            is_superuser=data.role == Role.ADMIN,
        )
        Profile.objects.create(
            user=user,
            role=data.role,
            display_name=data.display_name,
            region_id=data.region_code,
            department_id=data.department_id,
            enterprise_id=data.enterprise_id,
            chains=data.chains,
        )
        audit.record(actor, "create", user, {"username": data.username, "role": data.role})
    return user


@guarded("audit.view")
def list_audit(actor: Actor, *, q: str = "", model: str = "", username: str = "") -> QuerySet[AuditEntry]:
    """Audit entries, newest first, optionally filtered by object text, type and user."""
    qs = AuditEntry.objects.all()
    if q:
        qs = qs.filter(Q(object_repr__icontains=q) | Q(object_id=q))
    if model:
        qs = qs.filter(model=model)
    if username:
        qs = qs.filter(username=username)
    return qs.order_by("-at", "-id")


@guarded("profile.view")
def my_profile(actor: Actor) -> Profile | None:
    """The logged-in user's own profile."""
    return (
        Profile.objects.select_related("region", "department", "enterprise")
        .filter(user_id=actor.user_id)
        .first()
    )


@guarded("user.manage")
def list_departments(actor: Actor) -> QuerySet[Department]:
    """All departments, for user administration."""
    return Department.objects.select_related("city").order_by("city_id", "name")
