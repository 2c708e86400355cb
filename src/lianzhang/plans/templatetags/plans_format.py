"""Template filters of the plan pages."""

from __future__ import annotations

from django import template

from lianzhang.plans import tracking

register = template.Library()


@register.filter
def period_label(period: str) -> str:
    """A reporting period in Chinese (2026-Q3 → 2026年第3季度)."""
    return tracking.period_label(period or "")


@register.filter
def lookup(mapping: dict, key: str) -> object:
    """Look a key up in a dict; None when it is missing (unlike get_item, which shows the key)."""
    return mapping.get(key)
