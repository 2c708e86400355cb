"""Expert pool (专家库): upkeep by the chain office, Excel import, experts' own profiles, related persons."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry, Role
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.common.chains import platform_chain
from lianzhang.enterprises.models import Enterprise, RelatedPerson
from lianzhang.enterprises.services import NotFound, can_edit_enterprise
from lianzhang.regions.models import Region
from lianzhang.reviews import bridge, imports
from lianzhang.reviews.models import Expert

STATUS_BY_LABEL = {label: value for value, label in Expert.Status.choices}


@dataclass
class ExpertInput:
    """An expert's record as the chain office enters it."""

    name: str
    organisation: str
    title: str = ""
    nodes: list[str] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)
    district: str = ""
    profile: str = ""
    available: bool = True
    term_start: date | None = None
    term_end: date | None = None
    status: str = Expert.Status.ACTIVE
    declared_conflicts: list[str] = field(default_factory=list)
    max_load: int | None = None
    username: str = ""

    @classmethod
    def of(cls, expert: Expert) -> ExpertInput:
        """The expert's record as it stands, ready to be changed and saved."""
        return cls(
            name=expert.name,
            organisation=expert.organisation,
            title=expert.title,
            nodes=list(expert.nodes),
            disciplines=list(expert.disciplines),
            district=expert.district,
            profile=expert.profile,
            available=expert.available,
            term_start=expert.term_start,
            term_end=expert.term_end,
            status=expert.status,
            declared_conflicts=list(expert.declared_conflicts),
            max_load=expert.max_load,
            username=expert.user.username if expert.user else "",
        )


@dataclass
class SelfProfileInput:
    """What an expert edits of their own record."""

    nodes: list[str] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)
    profile: str = ""
    available: bool = True
    declared_conflicts: list[str] = field(default_factory=list)


def _node_ids(values: list[str], errors: dict[str, str]) -> list[str]:
    """Chain node ids from ids or names; unknown ones are an error on `nodes`."""
    chain = platform_chain()
    by_name = {n.name: n.id for n in chain.nodes.values()}
    out, unknown = [], []
    for value in values:
        value = value.strip()
        if value in chain.nodes:
            out.append(value)
        elif value in by_name:
            out.append(by_name[value])
        elif value:
            unknown.append(value)
    if unknown:
        errors["nodes"] = f"产业链没有节点 {'、'.join(unknown)}"
    return list(dict.fromkeys(out))


def _clean_self(data: SelfProfileInput, errors: dict[str, str]) -> dict[str, Any]:
    return {
        "nodes": _node_ids(data.nodes, errors),
        "disciplines": [d.strip()[:40] for d in data.disciplines if d.strip()],
        "profile": data.profile.strip(),
        "available": bool(data.available),
        "declared_conflicts": [d.strip()[:200] for d in data.declared_conflicts if d.strip()],
    }


def _clean(data: ExpertInput, districts: set[str] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """Validated model values and the errors by field (empty when the input is good).

    `districts`, when given, holds the known district codes (an import reads them once for all rows).
    """
    errors: dict[str, str] = {}
    values = _clean_self(
        SelfProfileInput(data.nodes, data.disciplines, data.profile, data.available, data.declared_conflicts),
        errors,
    )
    name, org = data.name.strip(), data.organisation.strip()
    if not name:
        errors["name"] = "请填写姓名"
    elif len(name) > 60:
        errors["name"] = "姓名不超过 60 字"
    if not org:
        errors["organisation"] = "请填写工作单位"
    district = data.district.strip()
    known = (district in districts) if districts is not None else Region.objects.filter(pk=district).exists()
    if district and not known:
        errors["district"] = f"没有区划代码 {district}"
    if data.status not in Expert.Status.values:
        errors["status"] = "状态应为 在库、暂停 或 退出"
    if data.term_start and data.term_end and data.term_end < data.term_start:
        errors["term_end"] = "聘期结束早于开始"
    if data.max_load is not None and not 1 <= data.max_load <= 100:
        errors["max_load"] = "每轮评审上限应为 1–100"
    user = None
    if data.username.strip():
        user = get_user_model().objects.filter(username=data.username.strip()).first()
        if user is None:
            errors["username"] = f"没有用户 {data.username.strip()}"
        elif getattr(getattr(user, "profile", None), "role", None) != Role.EXPERT:
            errors["username"] = "该账号不是专家角色"
    values.update(
        name=name,
        organisation=org[:200],
        title=data.title.strip()[:60],
        district=district,
        term_start=data.term_start,
        term_end=data.term_end,
        status=data.status,
        max_load=data.max_load,
        user=user,
    )
    return values, errors


def _linked_elsewhere(user: Any, pk: int | None) -> bool:
    return user is not None and Expert.objects.filter(user=user).exclude(pk=pk).exists()


# ------------------------------------------------------------------------------------ pool


@guarded("expert.pool.view")
def list_experts(actor: Actor, q: str = "", status: str = "", node: str = "") -> QuerySet[Expert]:
    """The pool, searchable by name, organisation, field or profile, and filterable by status and node."""
    qs = Expert.objects.select_related("user")
    q = q.strip()[:100]
    if q:
        qs = qs.filter(
            Q(name__icontains=q)
            | Q(organisation__icontains=q)
            | Q(profile__icontains=q)
            | Q(disciplines__icontains=q)
            | Q(title__icontains=q)
        )
    if status:
        qs = qs.filter(status=status)
    if node:
        qs = qs.filter(nodes__icontains=f'"{node}"')
    return qs.order_by("name", "pk")


@guarded("expert.pool.view")
def get_expert(actor: Actor, pk: int) -> Expert:
    """One expert of the pool."""
    expert = Expert.objects.select_related("user").filter(pk=pk).first()
    if expert is None:
        raise NotFound(f"专家 {pk} 不存在")
    return expert


@guarded("expert.pool.edit")
def save_expert(actor: Actor, data: ExpertInput, pk: int | None = None, version: int | None = None) -> Expert:
    """Add an expert to the pool or edit one; open rounds recompute their conflicts."""
    values, errors = _clean(data)
    if not errors and _linked_elsewhere(values["user"], pk):
        errors["username"] = "该账号已关联其他专家"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if pk is None:
            expert = Expert.objects.create(**values)
            audit.record(actor, "create", expert, audit.snapshot(expert))
        else:
            expert = get_expert(actor, pk)
            before = audit.snapshot(expert)
            if version is not None:
                expert.version = version
            for name, value in values.items():
                setattr(expert, name, value)
            expert.save()
            audit.record(actor, "update", expert, audit.diff(before, audit.snapshot(expert)))
        bridge.recompute_open_rounds()
    return expert


@guarded("expert.pool.edit")
def import_experts(actor: Actor, data: bytes) -> dict[str, int]:
    """Import the pool from the Excel template: all rows or none; errors name row, column and reason."""
    rows = imports.read_sheet(data)
    named = {imports.text(row.cells.get("district")) for row in rows} - {""}
    districts = set(Region.objects.filter(pk__in=named).values_list("pk", flat=True))
    errors: list[imports.RowError] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        c = row.cells
        before = len(errors)

        def fail(key: str, reason: str, number: int = row.number) -> None:
            errors.append(imports.RowError(number, imports.LABELS[key], reason))

        try:
            start = imports.as_date(c.get("term_start"))
        except ValueError:
            start = None
            fail("term_start", f"不是日期：{imports.text(c.get('term_start'))}")
        try:
            end = imports.as_date(c.get("term_end"))
        except ValueError:
            end = None
            fail("term_end", f"不是日期：{imports.text(c.get('term_end'))}")
        available_text = imports.text(c.get("available"))
        if available_text not in ("", "是", "否"):
            fail("available", f"应为 是 或 否，实为 {available_text}")
        status_text = imports.text(c.get("status"))
        if status_text and status_text not in STATUS_BY_LABEL:
            fail("status", f"应为 在库、暂停 或 退出，实为 {status_text}")
        load_text = imports.text(c.get("max_load"))
        max_load = int(load_text) if load_text.isdigit() else None
        if load_text and max_load is None:
            fail("max_load", f"应为正整数，实为 {load_text}")
        values, field_errors = _clean(
            ExpertInput(
                name=imports.text(c.get("name")),
                organisation=imports.text(c.get("organisation")),
                title=imports.text(c.get("title")),
                nodes=imports.split_list(c.get("nodes")),
                disciplines=imports.split_list(c.get("disciplines")),
                district=imports.text(c.get("district")),
                profile=imports.text(c.get("profile")),
                available=available_text != "否",
                term_start=start,
                term_end=end,
                status=STATUS_BY_LABEL.get(status_text, Expert.Status.ACTIVE),
                declared_conflicts=imports.split_list(c.get("declared_conflicts")),
                max_load=max_load,
                username=imports.text(c.get("username")),
            ),
            districts,
        )
        for key, reason in field_errors.items():
            if key == "status" and status_text not in STATUS_BY_LABEL:
                continue
            if key == "max_load" and max_load is None:
                continue
            fail(key if key in imports.LABELS else "name", reason)
        identity = (values["name"], values["organisation"])
        if identity in seen:
            fail("name", f"与第 {seen[identity]} 行重复（同姓名同单位）")
        seen[identity] = row.number
        if len(errors) == before:
            parsed.append((row.number, values))
    if not rows:
        errors.append(imports.RowError(2, "-", "表中没有专家"))
    if errors:
        raise imports.SheetError(errors)
    with transaction.atomic():
        done = _write_import(actor, parsed)
        bridge.recompute_open_rounds()
    return done


def _existing(parsed: list[tuple[int, dict[str, Any]]]) -> dict[tuple[str, str], Expert]:
    """Pool records already there for the sheet's (name, organisation) pairs, read in a few queries."""
    names = sorted({values["name"] for _, values in parsed})
    found: dict[tuple[str, str], Expert] = {}
    for start in range(0, len(names), bridge.NAME_CHUNK):
        for expert in Expert.objects.filter(name__in=names[start : start + bridge.NAME_CHUNK]).order_by("pk"):
            found.setdefault((expert.name, expert.organisation), expert)
    return found


def _write_import(actor: Actor, parsed: list[tuple[int, dict[str, Any]]]) -> dict[str, int]:
    """Update the experts already in the pool one by one, create the new ones in bulk; audit each."""
    existing = _existing(parsed)
    claimed: dict[int, int] = {}
    new: list[Expert] = []
    for number, values in parsed:
        expert = existing.get((values["name"], values["organisation"]))
        user = values["user"]
        if user is not None and (
            user.pk in claimed or _linked_elsewhere(user, expert.pk if expert else None)
        ):
            raise imports.SheetError([imports.RowError(number, "登录账号", "该账号已关联其他专家")])
        if user is not None:
            claimed[user.pk] = number
        if expert is None:
            new.append(Expert(**values))
        else:
            before = audit.snapshot(expert)
            for name, value in values.items():
                setattr(expert, name, value)
            expert.save()
            audit.record(actor, "import", expert, audit.diff(before, audit.snapshot(expert)))
    # Thousands of new experts: one INSERT per batch and their audit entries likewise.
    created = Expert.objects.bulk_create(new, batch_size=1000)
    AuditEntry.objects.bulk_create(
        [audit.entry(actor, "import", e, audit.snapshot(e)) for e in created], batch_size=1000
    )
    return {"created": len(created), "updated": len(parsed) - len(created)}


# ------------------------------------------------------------------------------------ own profile


@guarded("expert.self.edit")
def my_expert(actor: Actor) -> Expert:
    """The pool record linked to the expert's own login."""
    expert = Expert.objects.filter(user_id=actor.user_id).first() if actor.user_id else None
    if expert is None:
        raise NotFound("您的账号尚未关联专家库记录，请联系链长办")
    return expert


@guarded("expert.self.edit")
def save_my_profile(actor: Actor, data: SelfProfileInput, version: int) -> Expert:
    """An expert edits their own fields, profile, availability and declared conflicts (no one else's)."""
    expert = my_expert(actor)
    errors: dict[str, str] = {}
    values = _clean_self(data, errors)
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(expert)
    with transaction.atomic():
        expert.version = version
        for name, value in values.items():
            setattr(expert, name, value)
        expert.save()
        audit.record(actor, "update", expert, audit.diff(before, audit.snapshot(expert)))
        bridge.recompute_open_rounds()
    return expert


# ------------------------------------------------------------------------------------ related persons


def _editable_enterprise(actor: Actor, enterprise_id: int) -> Enterprise:
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(f"企业 {enterprise_id} 不存在")
    if not can_edit_enterprise(actor, enterprise):
        raise PermissionDenied("只能为本企业或本辖区企业登记关联人员")
    return enterprise


@guarded("enterprise.edit")
def add_related_person(
    actor: Actor, enterprise_id: int, name: str, role: str, organisation: str = "", note: str = ""
) -> RelatedPerson:
    """Register a legal representative, shareholder or key staff member against an enterprise."""
    enterprise = _editable_enterprise(actor, enterprise_id)
    errors = {}
    if not name.strip():
        errors["name"] = "请填写姓名"
    elif len(name.strip()) > 60:
        errors["name"] = "姓名不超过 60 字"
    if role not in RelatedPerson.Role.values:
        errors["role"] = "身份应为 法定代表人、股东 或 核心人员"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        person = RelatedPerson.objects.create(
            enterprise=enterprise,
            name=name.strip(),
            role=role,
            organisation=organisation.strip()[:200],
            note=note.strip()[:200],
        )
        audit.record(actor, "create", person, audit.snapshot(person))
        bridge.recompute_open_rounds([enterprise.pk])
    return person


@guarded("enterprise.edit")
def remove_related_person(actor: Actor, pk: int) -> None:
    """Remove a related person (the audit log keeps who it was)."""
    person = RelatedPerson.objects.filter(pk=pk).first()
    if person is None:
        raise NotFound(f"关联人员 {pk} 不存在")
    _editable_enterprise(actor, person.enterprise_id)
    with transaction.atomic():
        audit.record(actor, "delete", person, audit.snapshot(person))
        enterprise_id = person.enterprise_id
        person.delete()
        bridge.recompute_open_rounds([enterprise_id])


def expert_input_of(expert: Expert) -> dict[str, Any]:
    """An expert's record as form initial data."""
    data = asdict(ExpertInput.of(expert))
    for key in ("nodes", "disciplines", "declared_conflicts"):
        data[key] = "、".join(data[key])
    data["version"] = expert.version
    return data
