"""Optimistic locking: a version column that makes a stale save fail instead of overwriting."""

from __future__ import annotations

from typing import Any

from django.db import models


class StaleEdit(Exception):
    """Somebody else saved the record after the editor loaded it; nothing was written."""

    def __init__(self, label: str, expected: int, current: int | None) -> None:
        self.expected = expected
        self.current = current
        if current is None:
            message = f"{label}已被删除，您的修改未保存。"
        else:
            message = (
                f"{label}已被他人修改（您编辑的是第 {expected} 版，当前为第 {current} 版），"
                "您的修改未保存。请刷新页面查看最新内容后重新编辑。"
            )
        super().__init__(message)


class VersionedModel(models.Model):
    """Every UPDATE checks and bumps `version`, whoever issues it (services, forms, admin)."""

    version = models.PositiveIntegerField("版本", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "version" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "version"]
        super().save(*args, **kwargs)

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        expected = self.version
        bumped = [(f, m, expected + 1 if f.attname == "version" else v) for f, m, v in values]
        if base_qs.filter(pk=pk_val, version=expected)._update(bumped) > 0:
            self.version = expected + 1
            return True
        current = base_qs.filter(pk=pk_val).values_list("version", flat=True).first()
        raise StaleEdit(str(self._meta.verbose_name), expected, current)
