"""Text normalisation for parsing: Traditional to Simplified, full-width digits, stray spaces."""

from __future__ import annotations

import functools
import re

_CJK = r"\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’…—·"
# Spaces next to a CJK character are line-wrap or justification debris (PDF exports, Word spacing),
# never meaningful in Chinese text, so they are dropped; spaces between Latin words stay.
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[{_CJK}])")
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９％．＋－／ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ",
    "0123456789%.+-/ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
)
# Artefacts left by some Word-to-text converters ([bookmark: _Toc123]).
_ARTEFACTS = re.compile(r"\[bookmark:[^\]]*\]")


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified with OpenCC (Simplified text passes through)."""
    if not text:
        return text
    return _converter().convert(text)


def clean(text: str) -> str:
    """Strip converter artefacts, collapse stray spaces next to CJK text and trim the ends."""
    text = _ARTEFACTS.sub("", text)
    text = _SPACE_NEAR_CJK.sub("", text)
    text = re.sub(r"[ \t\u00a0]{2,}", " ", text)
    return text.strip()


def normalize(text: str) -> str:
    """Text as the parser reads it: Simplified, cleaned, with ASCII digits and percent signs."""
    return clean(to_simplified(text)).translate(_FULLWIDTH)


def display(text: str) -> str:
    """Text for display and for names as written: Simplified and cleaned, punctuation kept."""
    return clean(to_simplified(text))
