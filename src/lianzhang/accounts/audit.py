"""Writing and reading the audit log."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import Actor


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, JSON-ready, for diffing."""
    names = fields or [f.attname for f in obj._meta.concrete_fields if f.attname not in {"version"}]
    return {name: _plain(getattr(obj, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose value changed, as {field: [old, new]}."""
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


def entry(actor: Actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEntry:
    """An unsaved audit entry, for callers that write many at once with bulk_create."""
    return AuditEntry(
        user_id=actor.user_id,
        username=actor.username or "系统",
        role=actor.role or "",
        action=action,
        model=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )


def record(actor: Actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEntry:
    """Append one entry to the audit log."""
    logged = entry(actor, action, obj, changes)
    logged.save()
    return logged
