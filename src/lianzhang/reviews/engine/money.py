"""Money as integer fen: parsing yuan amounts exactly and writing them back for people."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


class MoneyError(ValueError):
    """An amount that is not a valid sum of money."""


def yuan_to_fen(value: str | int | float | Decimal) -> int:
    """Exact fen for a yuan amount ("5,200,000", "12.5"); more than two decimals is refused, not rounded."""
    text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise MoneyError(f"不是金额：{value!r}") from None
    if not amount.is_finite():
        raise MoneyError(f"不是金额：{value!r}")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise MoneyError(f"金额最多两位小数（到分）：{value!r}")
    if fen < 0:
        raise MoneyError(f"金额不能为负：{value!r}")
    return int(fen)


def parse_fen(value: str | int) -> int:
    """A whole non-negative number of fen."""
    text = str(value).strip().replace(",", "")
    if not text.isdigit():
        raise MoneyError(f"分应为非负整数：{value!r}")
    return int(text)


def format_yuan(fen: int) -> str:
    """'1,560,000' or '1,560,000.05' (yuan, with thousands separators, fen only when there are any)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}" + (f".{cents:02d}" if cents else "")
