"""Find direct identifiers in text (GB/T 37964-2019 step 1: identification).

A column's cells are joined into one string with a separator that cannot occur in them, a few
regular expressions find candidates in that string, and the candidates are then validated in
blocks: checksums for resident IDs, credit codes and bank cards run vectorised with numpy. Only the
candidates reach Python code; ordinary text is skipped by the regular-expression engine in C.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from lianzhang.opendata.deid import names
from lianzhang.opendata.deid.validators import (
    MOBILE_PREFIXES,
    bank_bin_plausible,
    id_card_mask,
    id_card_shaped_mask,
    ip_valid,
    luhn_mask,
    uscc_mask,
)

TYPES = (
    "id_card", "mobile", "phone", "email", "bank_card", "uscc", "passport", "plate", "person_name",
    "address", "ip",
)
# Every type above is a direct identifier except the credit code, which names an organisation; it is
# reported (an officer should know it is there) but does not block publication.
DIRECT_TYPES = frozenset(TYPES) - {"uscc"}
CONFIDENCE = {
    "id_card": 0.99, "uscc": 0.99, "bank_card": 0.95, "email": 0.98, "mobile": 0.95, "phone": 0.85,
    "ip": 0.9, "passport": 0.8, "plate": 0.9, "person_name": 0.8, "address": 0.85,
}
SEP = "\x1f"  # ASCII unit separator: never typed into a cell

# Maximal digit runs of 11 to 19 digits (an ID's final X included): mobiles, landlines without a dash,
# resident IDs, all-digit credit codes, bank cards. A mobile inside a longer run is never a mobile.
RUN = re.compile(r"(?<![0-9])[0-9]{11,19}(?:[Xx](?![A-Za-z]))?(?![0-9])")
# Codes with letters: credit codes, passports, Hong Kong/Macao permits.
ALNUM = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    r"(?P<uscc>[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10})"
    r"|(?P<passport>E[0-9A-HJ-NP-Z][0-9]{7}|[EGDSP][0-9]{8}|[CW][0-9]{8}|C[A-HJ-NP-Z][0-9]{7}"
    r"|[HM][0-9]{8}(?:[0-9]{2})?)"
    r")(?![0-9A-Za-z])"
)
PHONE_SEP = re.compile(
    r"(?<![0-9])(?:(?P<mobile>1[3-9][0-9][- ][0-9]{4}[- ][0-9]{4})"
    r"|(?P<phone>(?:\(0[0-9]{2,3}\)|（0[0-9]{2,3}）|0[0-9]{2,3}-)[1-9][0-9]{6,7}))(?![0-9])"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4 = re.compile(rf"(?<![0-9.])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9]|\.[0-9])")
IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f:])")
PLATE = re.compile(
    "[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·•・ ]?"
    "(?P<tail>[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]|[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领])"
    "(?![0-9A-Za-z])"
)
_NUM = "0-9一二三四五六七八九十百零"
# House numbers and rooms, the part of an address below town level. The street or village name to
# the left is added by ``_address_start`` when the span is needed.
ADDRESS = re.compile(
    f"(?:路|街|大道|巷|弄|胡同|里|道)[{_NUM}]+(?:[-之][0-9]+)?(?:弄[0-9]+)?号(?:院|楼)?"
    f"(?:[0-9A-Z]+(?:栋|幢|座|号楼)(?:[0-9]+单元)?(?:[0-9]+(?:室|房|号)?)?)?"
    # The look-behind starts a building number only at the start of a run, so long digit runs (IDs,
    # cards) are not retried at every position.
    "|(?<![0-9A-Z])[0-9A-Z]+(?:栋|幢|座|号楼)(?:[0-9]+单元)?[0-9]+(?:室|房)?"
    f"|(?:村|社区)[{_NUM}]+(?:组|队|社|号)"
)
NAME_BEFORE = re.compile(
    "(?:" + "|".join(names.CUES_BEFORE) + ")[：:是为\\s]{0,2}"
    f"(?P<n>{names.SURNAME_RE}{names.GIVEN_RE}{{1,2}})"
)
NAME_AFTER = re.compile("|".join(names.CUES_AFTER))
_NAME_TAIL = re.compile(f"{names.SURNAME_RE}{names.GIVEN_RE}{{0,2}}$")
_NOT_GIVEN = frozenset(names.NOT_GIVEN)
_UPPER = re.compile("[A-Z]")
# Characters that end an address when walking left from the house number.
_ADDRESS_STOP = frozenset("省市区县镇乡，,。;；：:、 （）()\t\n" + SEP)
_ADDRESS_LEFT = 12
_ADDRESS_UNITS = "号栋幢座组队社"


@dataclass
class Hits:
    """Findings of one column of one chunk: counts per type and a few raw examples."""

    counts: Counter = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, values: Sequence[str], per_type: int = 2) -> None:
        if not values:
            return
        have = self.counts[kind]
        self.counts[kind] += len(values)
        if have < per_type:
            self.examples.extend((kind, value) for value in values[: per_type - have])


def classify_runs(runs: Sequence[str]) -> list[str | None]:
    """Type of each digit run (see RUN): id_card, uscc, bank_card, mobile, phone or None."""
    kinds: list[str | None] = [None] * len(runs)
    by_len: dict[int, list[int]] = {}
    for i, run in enumerate(runs):
        by_len.setdefault(len(run), []).append(i)
    for width, idx in by_len.items():
        block = [runs[i] for i in idx]
        if width == 18:
            ids = id_card_mask(block)
            rest = ~ids
            usccs = rest & uscc_mask(block)
            # An ID-shaped number with a wrong check digit is a mistyped ID, never a bank card.
            cards = rest & ~usccs & ~id_card_shaped_mask(block) & luhn_mask(block, 18)
            for j, i in enumerate(idx):
                if ids[j]:
                    kinds[i] = "id_card"
                elif usccs[j]:
                    kinds[i] = "uscc"
                elif cards[j] and bank_bin_plausible(block[j]):
                    kinds[i] = "bank_card"
            continue
        if not block[0][-1].isdigit() or width < 11:
            continue
        if width in (16, 17, 19):
            cards = luhn_mask(block, width)
            for j in np.flatnonzero(cards):
                if bank_bin_plausible(block[j]):
                    kinds[idx[j]] = "bank_card"
            continue
        for i in idx:
            kinds[i] = _short_run_kind(runs[i])
    return kinds


def _short_run_kind(run: str) -> str | None:
    """Mobiles (optionally with the 86 country code) and landlines written without a dash."""
    n = len(run)
    if n == 11 and run[:3] in MOBILE_PREFIXES:
        return "mobile"
    if n == 13 and run.startswith("86") and run[2:5] in MOBILE_PREFIXES:
        return "mobile"
    if run[0] == "0" and n in (11, 12):
        # 010 and 02x are three-digit area codes followed by 8 digits; the others have four digits.
        area = 3 if run[1] == "2" or run[1:3] == "10" else 4
        if ((area == 3 and n == 11) or (area == 4 and run[1] in "3456789")) and run[area] != "0":
            return "phone"
    return None


def find_in_text(text: str, hits: Hits | None = None) -> Hits:
    """Count the direct identifiers in a text (usually a column chunk joined with SEP)."""
    hits = hits or Hits()
    runs = RUN.findall(text)
    if runs:
        grouped: dict[str, list[str]] = {}
        for run, kind in zip(runs, classify_runs(runs), strict=True):
            if kind:
                grouped.setdefault(kind, []).append(run)
        for kind, values in grouped.items():
            hits.add(kind, values)
    for kind, values in _regex_hits(text).items():
        hits.add(kind, values)
    return hits


def _regex_hits(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for start, end, kind in _pattern_spans(text):
        found.setdefault(kind, []).append(text[start:end])
    return found


def _pattern_spans(text: str) -> Iterable[tuple[int, int, str]]:
    """Spans of every identifier that is not a plain digit run."""
    if _UPPER.search(text):
        codes = []
        for m in ALNUM.finditer(text):
            if m.lastgroup != "uscc":
                yield m.start(), m.end(), m.lastgroup or ""
            # All-digit codes (check digit or X) are digit runs, judged by classify_runs.
            elif not (m.group()[:17].isdigit() and m.group()[17] in "0123456789X"):
                codes.append(m)
        if codes:
            valid = uscc_mask([m.group() for m in codes])
            yield from ((m.start(), m.end(), "uscc") for m, ok in zip(codes, valid, strict=True) if ok)
        for m in PLATE.finditer(text):
            tail = m.group("tail")
            if len(tail) == 6 or sum(ch.isdigit() for ch in tail) >= 3:
                yield m.start(), m.end(), "plate"
    if "-" in text or "(" in text or "（" in text or " " in text:
        for m in PHONE_SEP.finditer(text):
            if m.lastgroup == "phone" or m.group()[:3] in MOBILE_PREFIXES:
                yield m.start(), m.end(), m.lastgroup or ""
    if "@" in text:
        for m in EMAIL.finditer(text):
            yield m.start(), m.end(), "email"
    if "." in text:
        for m in IPV4.finditer(text):
            yield m.start(), m.end(), "ip"
    if "::" in text or text.count(":") >= 7:
        for m in IPV6.finditer(text):
            if m.end() - m.start() >= 3 and ip_valid(m.group()):
                yield m.start(), m.end(), "ip"
    # Every address match ends in one of these characters; checking for them first (a C-level substring
    # search) spares the slow pattern on columns of numbers, dates and codes.
    if any(unit in text for unit in _ADDRESS_UNITS):
        yield from _address_spans(text)
    yield from _name_spans(text)


def _address_spans(text: str) -> Iterable[tuple[int, int, str]]:
    """House-number spans extended left to the street or village name; touching parts merged."""
    last: list[int] | None = None
    for m in ADDRESS.finditer(text):
        start = _address_start(text, m.start())
        if last is not None and start <= last[1] + 1:
            last[1] = m.end()
            continue
        if last is not None:
            yield last[0], last[1], "address"
        last = [start, m.end()]
    if last is not None:
        yield last[0], last[1], "address"


def _address_start(text: str, anchor: int) -> int:
    start = anchor
    floor = max(0, anchor - _ADDRESS_LEFT)
    while start > floor and text[start - 1] not in _ADDRESS_STOP:
        start -= 1
    return start


def _name_spans(text: str) -> Iterable[tuple[int, int, str]]:
    """Names after a cue (患者李秀英) and before an honorific (王先生)."""
    for m in NAME_BEFORE.finditer(text):
        if "某" not in m.group("n"):
            yield m.start("n"), m.end("n"), "person_name"
    for m in NAME_AFTER.finditer(text):
        end = m.start()
        found = [t for s in range(max(0, end - 4), end) if (t := _NAME_TAIL.match(text, s, end))]
        # "和李女士": 和 is a surname too, but when a shorter reading exists the common word wins; at the
        # start of a cell (任子明女士) there is no word before the name, so the longest reading stands.
        best = next(
            (
                t for t in found
                if t.group()[0] not in _NOT_GIVEN or t.start() == 0 or text[t.start() - 1] == SEP
            ),
            found[0] if found else None,
        )
        if best and "某" not in best.group():
            yield best.start(), end, "person_name"


def find_spans(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, type) spans of every direct identifier in a text, in order."""
    spans: list[tuple[int, int, str]] = []
    runs = list(RUN.finditer(text))
    for m, kind in zip(runs, classify_runs([m.group() for m in runs]), strict=True):
        if kind:
            spans.append((m.start(), m.end(), kind))
    spans.extend(_pattern_spans(text))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue  # the longer, earlier span already covers it
        kept.append(span)
    return kept
