"""Experts and applications as plain records, and their parsing from JSON objects with clear errors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


class InputError(ValueError):
    """Bad input, with the line (or row) and field it was found at."""

    def __init__(self, where: str, field_name: str, reason: str) -> None:
        super().__init__(f"{where} [{field_name}] {reason}")
        self.where, self.field, self.reason = where, field_name, reason


@dataclass(frozen=True)
class RelatedPerson:
    """A person registered against an applicant enterprise (legal representative, shareholder, key staff)."""

    name: str
    role: str = "关联人员"


@dataclass(frozen=True)
class Expert:
    """One reviewer in the pool."""

    id: str
    name: str = ""
    org: str = ""
    fields: tuple[str, ...] = ()
    text: str = ""
    district: str = ""
    # Applications, applicant ids or enterprise names the expert is linked to in the registry.
    related_enterprises: tuple[str, ...] = ()
    # Applications, applicant ids or organisations the expert declared a conflict with.
    declared_conflicts: tuple[str, ...] = ()
    max_load: int | None = None
    available: bool = True


@dataclass(frozen=True)
class Application:
    """One application to be reviewed."""

    id: str
    title: str = ""
    text: str = ""
    applicant_org: str = ""
    applicant_id: str = ""
    fields: tuple[str, ...] = ()
    district: str = ""
    related_persons: tuple[RelatedPerson, ...] = field(default=())


def _text(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise InputError(where, key, "缺少此字段")
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise InputError(where, key, "应为字符串")
    return value.strip()


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        # A single string is accepted as a list separated by the usual delimiters.
        value = [v for v in value.replace("，", ",").replace("、", ",").replace(";", ",").split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise InputError(where, key, "应为字符串列表")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def expert_from_dict(data: Any, where: str) -> Expert:
    """Parse one expert object; raise InputError naming the field on bad input."""
    if not isinstance(data, Mapping):
        raise InputError(where, "-", "应为 JSON 对象")
    max_load = data.get("max_load")
    if max_load is not None and (not isinstance(max_load, int) or isinstance(max_load, bool) or max_load < 0):
        raise InputError(where, "max_load", "应为非负整数")
    available = data.get("available", True)
    if not isinstance(available, bool):
        raise InputError(where, "available", "应为 true 或 false")
    return Expert(
        id=_text(data, "id", where, required=True),
        name=_text(data, "name", where),
        org=_text(data, "org", where),
        fields=_strings(data, "fields", where),
        text=_text(data, "text", where),
        district=_text(data, "district", where),
        related_enterprises=_strings(data, "related_enterprises", where),
        declared_conflicts=_strings(data, "declared_conflicts", where),
        max_load=max_load,
        available=available,
    )


def _persons(data: Mapping[str, Any], where: str) -> tuple[RelatedPerson, ...]:
    value = data.get("related_persons")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InputError(where, "related_persons", "应为列表")
    people = []
    for item in value:
        if isinstance(item, str) and item.strip():
            people.append(RelatedPerson(item.strip()))
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"].strip():
            people.append(RelatedPerson(item["name"].strip(), str(item.get("role") or "关联人员")))
        else:
            raise InputError(where, "related_persons", "每项应为姓名字符串或含 name 的对象")
    return tuple(people)


def application_from_dict(data: Any, where: str) -> Application:
    """Parse one application object; raise InputError naming the field on bad input."""
    if not isinstance(data, Mapping):
        raise InputError(where, "-", "应为 JSON 对象")
    return Application(
        id=_text(data, "id", where, required=True),
        title=_text(data, "title", where),
        text=_text(data, "text", where),
        applicant_org=_text(data, "applicant_org", where),
        applicant_id=_text(data, "applicant_id", where),
        fields=_strings(data, "fields", where),
        district=_text(data, "district", where),
        related_persons=_persons(data, where),
    )


def check_unique(ids: Iterable[str], what: str) -> None:
    """Raise InputError when an id repeats."""
    seen: set[str] = set()
    for position, ident in enumerate(ids, start=1):
        if ident in seen:
            raise InputError(f"第 {position} 条{what}", "id", f"重复的 id {ident!r}")
        seen.add(ident)
