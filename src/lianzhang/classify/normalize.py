"""Length-preserving text normalisation for matching: Traditional to Simplified, full-width to ASCII, case."""

from __future__ import annotations

import functools
import re

# Full-width letters and digits fold to ASCII (one character each, so offsets in the normalised text are
# offsets in the original). Full-width punctuation stays: the scope parser knows both forms.
_FULLWIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_ASCII_UPPER = {c: c - 32 for c in range(ord("a"), ord("z") + 1)}
_CJK_START, _CJK_END = 0x3400, 0x9FFF


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _traditional_table() -> tuple[re.Pattern[str], dict[int, str]]:
    """Characters OpenCC t2s changes on their own, as a search pattern and a one-to-one fallback table."""
    chars = [chr(c) for c in range(_CJK_START, _CJK_END + 1)]
    # One call for all characters (newline-separated, so no phrase spans two of them) is fast.
    converted = _t2s().convert("\n".join(chars)).split("\n")
    table: dict[int, str] = {}
    if len(converted) == len(chars):
        for src, dst in zip(chars, converted, strict=True):
            if src != dst and len(dst) == 1:
                table[ord(src)] = dst
    klass = "".join(re.escape(chr(c)) for c in sorted(table))
    return re.compile(f"[{klass}]" if klass else r"(?!x)x"), table


def has_traditional(text: str) -> bool:
    """True when the text holds at least one character that OpenCC t2s would simplify."""
    return _traditional_table()[0].search(text) is not None


def to_simplified(text: str) -> str:
    """Convert Traditional to Simplified with OpenCC t2s, guaranteeing the result has the same length."""
    pattern, table = _traditional_table()
    if pattern.search(text) is None:
        return text
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    # A phrase rule changed the length (rare): fall back to the character table so that every span
    # found in the normalised text still points at the same characters of the original.
    return text.translate(table)


def _fold_fullwidth(match: re.Match[str]) -> str:
    return chr(ord(match.group()) - 0xFEE0)


def normalize(text: str) -> str:
    """Return text for matching: Simplified, upper-case ASCII, full-width letters folded; same length."""
    if _FULLWIDTH.search(text) is not None:
        text = _FULLWIDTH.sub(_fold_fullwidth, text)
    text = to_simplified(text)
    upper = text.upper()
    # str.upper may lengthen a few letters (ß -> SS); keep offsets by upper-casing ASCII only then.
    return upper if len(upper) == len(text) else text.translate(_ASCII_UPPER)


# Registrations use 智慧 and 智能 interchangeably (智慧交通/智能交通, 智慧安防/智能安防); matching folds
# both to one form. Same length, so spans still hold.
_SYNONYM_FOLDS = (("智慧", "智能"),)


def match_form(text: str) -> str:
    """normalize() plus the synonym folds the matcher uses; same length as the input."""
    text = normalize(text)
    for src, dst in _SYNONYM_FOLDS:
        if src in text:
            text = text.replace(src, dst)
    return text
