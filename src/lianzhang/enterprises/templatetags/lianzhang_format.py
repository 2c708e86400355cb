"""Template filters for money in fen, ratios and dictionary lookups."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def wan(fen: int | None) -> str:
    """Format an amount in fen as 万元 (or 亿元 above 1 亿), — when unknown."""
    if fen is None:
        return "—"
    yuan = Decimal(fen) / 100
    if yuan >= 100_000_000:
        return f"{yuan / 100_000_000:,.2f} 亿元"
    return f"{yuan / 10_000:,.2f} 万元"


@register.filter
def rd_intensity(year: Any) -> str:
    """R&D spend as a share of revenue."""
    if not year.revenue_fen or year.rd_spend_fen is None:
        return "—"
    return f"{100 * year.rd_spend_fen / year.revenue_fen:.1f}%"


@register.filter
def get_item(mapping: dict, key: str) -> Any:
    """Look a key up in a dict (falls back to the key itself)."""
    return mapping.get(key, key)
