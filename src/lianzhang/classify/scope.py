"""Split a business scope (经营范围) into items, dropping the registration boilerplate."""

from __future__ import annotations

from bisect import bisect_left

# Items run between separators: semicolons in the post-2021 format, commas or full stops in older
# registrations; colons end the section headers (一般项目：/许可项目：), which become filler items.
# Every separator is one character, which keeps offset arithmetic simple.
SEPARATORS = "；;。\n\r，,:："
_BOILERPLATE_MARK = "\x1e"
_UNIT = "\x1f"  # every separator is folded to this one before str.split (much faster than re.split)
# The sentences every registration carries (除依法须经批准的项目外，凭营业执照依法自主开展经营活动 …)
# say nothing about the business; all of them contain this anchor and sit in brackets.
_BOILERPLATE_ANCHOR = "依法"
_MAX_BRACKET_LEAD = 12
_MAX_BRACKET_BODY = 120
# Standard wordings that do not say where the business is (technology services, trade rights, section
# headers); items that are exactly one of these do not push later items down the list.
FILLER_ITEMS = (
    "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
    "一般项目",
    "许可项目",
    "一般经营项目",
    "许可经营项目",
    "经营范围",
    "货物进出口",
    "技术进出口",
    "进出口代理",
    "货物及技术进出口",
)
_STRIP = " \t\u3000、（）()"


def boilerplate_spans(norm: str) -> list[tuple[int, int]]:
    """Spans of the bracketed registration sentences, brackets included."""
    spans: list[tuple[int, int]] = []
    at = norm.find(_BOILERPLATE_ANCHOR)
    pos = 0
    while at >= 0:
        lead = max(pos, at - _MAX_BRACKET_LEAD)
        left = max(norm.rfind("（", lead, at), norm.rfind("(", lead, at))
        right = norm.find("）", at, at + _MAX_BRACKET_BODY)
        if right < 0:
            right = norm.find(")", at, at + _MAX_BRACKET_BODY)
        if left < 0 or right < 0:
            at = norm.find(_BOILERPLATE_ANCHOR, at + 2)
            continue
        spans.append((left, right + 1))
        pos = right + 1
        at = norm.find(_BOILERPLATE_ANCHOR, pos)
    return spans


class Items:
    """The items of one scope, located lazily around the hits that need them.

    An item is identified by its start offset. The scope is folded once (every separator becomes one
    marker character, each registration sentence becomes one filler piece) and item bounds and ranks are
    then found with str.find/str.count, which keeps the cost per record small whatever the scope length.
    """

    __slots__ = ("_ends", "_fillers", "_folded", "_lead", "_text", "substantive")

    def __init__(self, norm: str) -> None:
        folded = norm
        for sep in SEPARATORS:
            if sep in folded:
                folded = folded.replace(sep, _UNIT)
        fillers: list[int] = []
        if _BOILERPLATE_ANCHOR in norm:
            spans = boilerplate_spans(norm)
            if spans:
                parts = []
                pos = 0
                for left, right in spans:
                    parts.append(folded[pos:left])
                    parts.append(_UNIT + _BOILERPLATE_MARK * (right - left - 2) + _UNIT)
                    fillers.append(left + 1)
                    pos = right
                parts.append(folded[pos:])
                folded = "".join(parts)
        size = len(folded)
        for filler in FILLER_ITEMS:
            at = folded.find(filler)
            while at >= 0:
                end = at + len(filler)
                # Only a whole item counts: separators (or the text's ends) on both sides.
                if (at == 0 or folded[at - 1] == _UNIT) and (end == size or folded[end] == _UNIT):
                    fillers.append(at)
                at = folded.find(filler, end)
        fillers.sort()
        self._text = norm
        self._folded = folded
        self._fillers = fillers
        self._ends: dict[int, int] = {}
        self._lead = 1 if folded.startswith(_UNIT) else 0
        empties = folded.count(_UNIT * 2) + self._lead + (1 if folded.endswith(_UNIT) else 0)
        self.substantive = max(0, folded.count(_UNIT) + 1 - empties - len(fillers)) if folded else 0

    def index(self, start: int, end: int) -> int:
        """Start offset of the item holding the span [start, end), or -1 (boilerplate, or across items)."""
        folded = self._folded
        item_start = folded.rfind(_UNIT, 0, start) + 1
        item_end = folded.find(_UNIT, start)
        if item_end < 0:
            item_end = len(folded)
        if end > item_end or folded[start] == _BOILERPLATE_MARK:
            return -1
        self._ends[item_start] = item_end
        return item_start

    def rank(self, item: int) -> int:
        """Rank of the item among substantive items: filler and empty pieces before it do not count."""
        folded = self._folded
        before = folded.count(_UNIT, 0, item) - folded.count(_UNIT * 2, 0, item) - self._lead
        return max(0, before - bisect_left(self._fillers, item))

    def text(self, item: int) -> str:
        """The item's text (normalised); the item must have been located with index() first."""
        return self._text[item : self._ends[item]]

    def all(self) -> list[str]:
        """Every substantive item, stripped of brackets and spaces (for display and tests)."""
        out = []
        fillers = set(self._fillers)
        pos = 0
        for piece in self._folded.split(_UNIT):
            text = self._text[pos : pos + len(piece)].strip(_STRIP)
            if text and pos not in fillers:
                out.append(text)
            pos += len(piece) + 1
        return out


def split_items(norm: str) -> list[str]:
    """The substantive items of a normalised scope, stripped of brackets and spaces."""
    return Items(norm).all()
