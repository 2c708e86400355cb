"""Validation of official codes: the 18-character unified social credit code (GB 32100-2015)."""

from __future__ import annotations

# GB 32100-2015 alphabet: digits and upper-case letters without I, O, Z, S, V.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}


def credit_code_check_char(body: str) -> str:
    """Return the check character for the first 17 characters of a credit code."""
    if len(body) != 17:
        raise ValueError("统一社会信用代码主体应为17位")
    try:
        total = sum(_VALUE[ch] * w for ch, w in zip(body, _WEIGHTS, strict=True))
    except KeyError as exc:
        raise ValueError(f"统一社会信用代码含非法字符 {exc.args[0]!r}") from None
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Explain why a unified social credit code is invalid, or return None when it is valid."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实际为{len(code)}位"
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        return f"统一社会信用代码含非法字符 {bad[0]!r}（不使用 I、O、Z、S、V 与小写字母）"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3-8位应为登记管理机关行政区划码（6位数字）"
    expected = credit_code_check_char(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误（应为 {expected}）"
    return None


def normalise_credit_code(raw: str) -> str:
    """Strip spaces and upper-case a credit code as typed by a person."""
    return "".join(raw.split()).upper()


def make_credit_code(body: str) -> str:
    """Append the check character to a 17-character body (used by generators and tests)."""
    return body + credit_code_check_char(body)
