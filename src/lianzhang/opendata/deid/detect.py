"""Find direct identifiers in text (GB/T 37964-2019 step 1: identification).

A column's cells are joined into one string with a separator that cannot occur in them, and each kind
of identifier has its own regular expression, run in C over the whole string. Three habits keep a scan
fast without giving up validation:

* a pass runs only when a cheap test on the whole string (``str.isascii``, a substring search) shows
  that its identifier can occur at all, so a column of dates never meets the e-mail pattern;
* every pattern starts with a character or a character set and puts its boundary look-behinds after
  that first character, so the engine skips ahead with its prefix search instead of trying a match at
  every position;
* counting uses ``findall`` and the candidates are validated in blocks with numpy (check digits of
  resident IDs, credit codes and bank cards, mobile segments), so no Python code runs per match for
  the identifiers that fill whole columns. Conditions such as the digits of a plate, a version word
  before a dotted quad or the reading of a name before an honorific are part of the patterns.

``find_spans`` runs the same patterns with ``finditer`` for redaction, which needs positions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice

import numpy as np

from lianzhang.opendata.deid import names
from lianzhang.opendata.deid.validators import (
    MOBILE_PREFIXES,
    bank_bin_ok,
    id15_ok,
    id18_ok,
    id18_shaped,
    ip_valid,
    luhn_ok,
    matrix_by_width,
    mobile_ok,
    uscc_mask,
    uscc_ok,
)

TYPES = (
    "id_card", "mobile", "phone", "email", "bank_card", "uscc", "passport", "plate", "person_name",
    "address", "ip",
)
# The unified social credit code (统一社会信用代码) names an organisation, not a person. It is found and
# reported so that an officer knows it is in the table, but it is not a personal direct identifier: a
# release that keeps it is not refused (process.apply_policy rescans for DIRECT_TYPES only).
ORGANISATION_TYPES = frozenset({"uscc"})
DIRECT_TYPES = frozenset(TYPES) - ORGANISATION_TYPES
CONFIDENCE = {
    "id_card": 0.99, "uscc": 0.99, "bank_card": 0.95, "email": 0.98, "mobile": 0.95, "phone": 0.85,
    "ip": 0.9, "passport": 0.8, "plate": 0.9, "person_name": 0.8, "address": 0.85,
}
SEP = "\x1f"  # ASCII unit separator: never typed into a cell
EXAMPLES_PER_TYPE = 2

# Maximal digit runs of 11 to 19 digits (an ID's final X included): mobiles, landlines without a dash,
# resident IDs of 15 and 18 characters, all-digit credit codes, bank cards. A mobile inside a longer run
# is never a mobile. The run boundary is tested after the first digit (see the module docstring).
# A run glued to a Latin letter (GD4147852740330170, the tail of a VIN) is part of a code, unless the
# letters are a label typed without a colon (Tel13812345678, ID440106...).
RUN = re.compile(r"[0-9](?<![0-9A-Za-z][0-9])[0-9]{10,18}(?:[Xx](?![A-Za-z]))?(?![0-9])")
RUN_LABELS = ("Tel", "TEL", "tel", "No", "NO", "ID")
LABELLED_RUN = re.compile(r"(?:Tel|TEL|tel|No|NO|ID)([0-9]{11,19}(?:[Xx](?![A-Za-z]))?)(?![0-9])")
RUN_KINDS: tuple[str | None, ...] = (None, "id_card", "uscc", "bank_card", "mobile", "phone")
_ID, _USCC, _CARD, _MOBILE, _PHONE = 1, 2, 3, 4, 5


def _words(words: Sequence[str]) -> str:
    """An alternation of words that begins with one character set, for the engine's prefix search.

    Each alternative matches the rest of its word first (a literal, quick to reject) and then checks
    the first character with a look-behind.
    """
    return f"[{_firsts(words)}](?:{_rests(words)})"


def _firsts(words: Sequence[str]) -> str:
    return re.escape("".join(sorted({w[0] for w in words})))


def _rests(words: Sequence[str]) -> str:
    """The alternatives of ``_words`` without the leading character set."""
    return "|".join(
        f"{re.escape(w[1:])}(?<={re.escape(w)})" if len(w) > 1 else f"(?<={re.escape(w)})"
        for w in sorted(words, key=len, reverse=True)
    )


_USCC_CHAR = "0-9A-HJ-NP-RTUWXY"
_USCC_LETTER = "A-HJ-NP-RTUWXY"


def _uscc_alpha() -> re.Pattern[str]:
    """Credit codes with a letter, found from their first letter (digits are far more common).

    The first letter is either the registration authority (A, N, Y) or comes after eight or more
    digits; each case is a fixed-width look-behind that captures the code's head, and the tail follows.
    All-digit codes, and codes whose only letter is a final X, are digit runs and not matched here.
    """
    after_digits = []
    for k in range(8, 18):
        letter = _USCC_LETTER if k < 17 else "A-HJ-NP-RTUWY"
        after_digits.append(
            f"(?<=(?<![0-9A-Za-z])([1-9][0-9]{{{k - 1}}}[{letter}]))([{_USCC_CHAR}]{{{17 - k}}})"
        )
    # Most capital letters in text follow no digit: one look-behind rejects them before the ten widths.
    return re.compile(
        f"[{_USCC_LETTER}](?:(?<=(?<![0-9A-Za-z])([ANY]))([{_USCC_CHAR}]{{17}})"
        f"|(?<=[0-9].)(?:{'|'.join(after_digits)}))(?![0-9A-Za-z])"
    )


USCC_ALPHA = _uscc_alpha()
# Passports and travel permits. "strong" forms are reported wherever they occur: ordinary passports
# (E + 8 digits, E + letter + 7 digits, the older G + 8 digits) and the Hong Kong/Macao residents' permits
# (H or M + 8 or 10 digits). The "weak" forms (P, D, S + 7 or 8 digits, or + E + 7 or 8 digits;
# C, W, T + 8 digits; C + letter + 7 digits) look like part and product numbers, so they count only
# after a word such as 护照 or 通行证 in the same cell, or in a column whose header names passports or
# certificates.
PASSPORT = re.compile(
    r"[EGHMPDSCWT](?<![0-9A-Za-z][EGHMPDSCWT])(?:"
    r"(?P<strong>(?<=E)[0-9]{8}|(?<=E)[A-HJ-NP-Z][0-9]{7}|(?<=G)[0-9]{8}|(?<=[HM])[0-9]{8}(?:[0-9]{2})?)"
    r"|(?P<weak>(?<=[PDS])E?[0-9]{7}[0-9]?|(?<=[CWT])[0-9]{8}|(?<=C)[A-HJ-NP-Z][0-9]{7})"
    r")(?![0-9A-Za-z])"
)
PASSPORT_WORDS = ("护照", "通行证", "证件", "回乡证", "台胞证", "签证", "passport", "permit")
_PASSPORT_CONTEXT = re.compile("|".join(PASSPORT_WORDS), re.IGNORECASE)
_PASSPORT_WINDOW = 16
_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Ordinary plates have five characters after the city letter, at least three of them digits; new-energy
# plates have six (D or F first or last).
PLATE = re.compile(
    f"[{_PLATE_PROVINCES}][A-HJ-NP-Z][·•・ -]?"
    "(?:[DF][A-HJ-NP-Z0-9][0-9]{4}|[0-9]{5}[DF]"
    "|(?=(?:[A-HJ-NP-Z]{0,2}[0-9]){3})[A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳领])"
    "(?![0-9A-Za-z])"
)


def _mobile_heads() -> str:
    """The issued mobile segments (first three digits) as a fixed-width pattern."""
    by_second: dict[str, list[str]] = {}
    for prefix in sorted(MOBILE_PREFIXES):
        by_second.setdefault(prefix[1], []).append(prefix[2])
    return "1(?:" + "|".join(f"{s}[{''.join(t)}]" for s, t in by_second.items()) + ")"


# Numbers written with separators are found from the separator (rarer than digits); what comes before
# it is a look-behind that captures it, so the span still starts at the number. The digits after the
# separator are checked first, as dates have dashes too.
MOBILE_SEP = re.compile(
    r"[- ](?=[0-9]{4}[- ][0-9]{4}(?![0-9]))"
    rf"(?<=(?<![0-9])({_mobile_heads()})[- ])[0-9]{{4}}[- ][0-9]{{4}}"
)
# The local number has 7 or 8 digits, typed whole or parted once (8765 4321, 2233-4455).
_LOCAL = r"(?:[1-9][0-9]{6,7}|[1-9][0-9]{2,3}[ -][0-9]{4})(?![0-9])"
PHONE_SEP = re.compile(
    f"[-－ )）](?={_LOCAL})(?:"
    + "|".join(
        f"(?<=(?<![0-9]){guard}({left}0[0-9]{{{k}}}){right})"
        for left, right, guard in (
            # A group of digits before the area code, parted by the same separator, makes it a middle
            # group of a grouped number (6222 0212 3456 7890), not an area code; another number before
            # it (13812345678 020-87654321) does not.
            ("", "-", "(?<![0-9]-)"), ("", "－", "(?<![0-9]－)"), ("", " ", "(?<![0-9] )"),
            (r"\(", r"\)", ""), ("（", "）", ""),
        )
        for k in (2, 3)
    )
    + f"){_LOCAL}"
)
# Bank cards written in groups of four (6222 0212 3456 7890 123), found from the first separator; the
# digits are then judged like a digit run (Luhn, card scheme).
CARD_SEP = re.compile(
    r"[ -](?=[0-9]{4}[ -][0-9]{4}[ -][0-9]{4}(?:[ -]?[0-9]{1,3})?(?![0-9]))(?<=(?<![0-9])([0-9]{4})[ -])"
    r"([0-9]{4})[ -]([0-9]{4})[ -]([0-9]{4})(?:[ -]?([0-9]{1,3}))?"
)
_EMAIL_LOCAL = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
# From the @: the local part before it is checked for one character and found by walking left.
EMAIL = re.compile(r"@(?<=[A-Za-z0-9._%+-]@)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_OCTET_BY_WIDTH = ("[0-9]", "[1-9][0-9]", "(?:1[0-9]{2}|2[0-4][0-9]|25[0-5])")
# Version numbers are not IP addresses: 1.2.3.4 after v, ver, version, 版本, build... is skipped, and so is
# a dotted-quad that goes on with more dotted parts (1.2.3.4.5, 1.2.3.4.RELEASE).
VERSION_WORDS = (
    "v", "V", "ver", "Ver", "VER", "version", "Version", "VERSION", "build", "Build", "rev", "Rev",
)
VERSION_WORDS_CJK = ("版本", "版本号", "固件", "固件版本", "软件版本", "内核")
_VERSION_SEPS = ("", " ", ".", ":", "：", ": ", "-", "_", "号", "号：", "为")


def _version_guards() -> str:
    """Negative look-behinds, one per width of context, that fail after a version word."""
    by_width: dict[int, list[str]] = {}
    for words, edge in ((VERSION_WORDS, "(?<![A-Za-z])"), (VERSION_WORDS_CJK, "")):
        for word in words:
            for sep in _VERSION_SEPS:
                text = word + sep
                by_width.setdefault(len(text), []).append(edge + re.escape(text))
    return "".join(f"(?<!{'|'.join(alts)})" for _, alts in sorted(by_width.items()))


# From the first dot: the first octet is a look-behind (one per width) that captures it and checks that
# no digit, dot or version word comes before it.
IPV4 = re.compile(
    r"\.(?=[0-9]{1,3}\.[0-9]{1,3}\.[0-9])(?:"
    + "|".join(f"(?<=(?<![0-9.]){_version_guards()}({octet})\\.)" for octet in _OCTET_BY_WIDTH)
    + rf"){_OCTET}\.{_OCTET}\.{_OCTET}(?![0-9A-Za-z]|\.[0-9A-Za-z])"
)
_HEX = "[0-9A-Fa-f]"
# From the first colon, with up to four hex digits before it; the literal is then checked by ipaddress.
IPV6 = re.compile(
    ":(?:" + "|".join(f"(?<=(?<![0-9A-Fa-f:])({_HEX}{{{k}}}):)" for k in range(5)) + ")"
    f"(?:{_HEX}{{0,4}}:){{1,6}}{_HEX}{{0,4}}(?![0-9A-Fa-f:])"
)
_NUM = "0-9一二三四五六七八九十百零"
# A house number or room, the part of an address below town level, found from a road word
# (路街大道巷弄胡同里道), a village word (村, 社区) or the word of a building (栋幢座, 号楼) after its
# number. The building number, and the street or village name to the left, are added by
# ``_address_start`` when the span is needed.
_STREET_REST = (
    f"[{_NUM}]+(?:[-之][0-9]+)?(?:弄[0-9]+)?号(?:院|楼)?"
    "(?:[0-9A-Z]+(?:栋|幢|座|号楼)(?:[0-9]+单元)?(?:[0-9]+(?:室|房|号)?)?)?"
)
# A side or section after a road name: 中山大道西8号, 工业大道中340号, 人民路东段12号, 人民南路四段11号.
_ROAD_SIDE = "(?:[东南西北中]{1,2}(?:[一二三四五六七八九十]?段)?|[一二三四五六七八九十]段)?"
_VILLAGE_REST = f"[{_NUM}]+(?:组|队|社|号)"
_BUILDING_REST = "(?:[0-9]+单元)?[0-9]+(?:室|房)?"
_ADDRESS_UNIT = (
    "[路街大巷弄胡里道村社栋幢座号](?:"
    f"(?<=[路街巷弄里道]){_ROAD_SIDE}{_STREET_REST}|(?<=大)道{_ROAD_SIDE}{_STREET_REST}"
    f"|(?<=胡)同{_STREET_REST}"
    f"|(?<=村){_VILLAGE_REST}|(?<=社)区{_VILLAGE_REST}"
    f"|(?<=[0-9A-Z][栋幢座]){_BUILDING_REST}|(?<=[0-9A-Z]号)楼{_BUILDING_REST})"
)
# Characters that end an address when walking left from the house number, and that part two addresses.
_ADMIN = frozenset("省市区县镇乡")
_STOP = "省市区县镇乡，,。;；：:、 （）()\t\n" + SEP
_ADDRESS_STOP = frozenset(_STOP) - _ADMIN
_ADDRESS_LEFT = 12
_ADDRESS_UNITS = "号栋幢座组队社"
# Parts of one address (路3号院 … 内2栋101) are one finding when at most 12 characters, none of them a
# stop character, lie between them.
# 区 of 小区/社区/园区 (a housing estate, not a district) does not part them.
_GAP = f"(?:[^{re.escape(_STOP)}]|(?<=[小社园校厂])区)"
ADDRESS = re.compile(f"{_ADDRESS_UNIT}(?:{_GAP}{{0,{_ADDRESS_LEFT}}}?{_ADDRESS_UNIT})*")
# A name after a cue word (姓名：张伟, 患者李秀英). A name that also ends at an honorific (联系人王伟先生) is
# left to NAME_AFTER, so that it is counted once.
# Punctuation that ends a name after a cue word; there the looser given name is accepted (联系人张家豪，).
_NAME_END = f"[，,。；;、（(：: \t\u3000{SEP}于住称]|$|来电|反映|投诉|表示|电话|手机|身份证"
# A dotted name in running text ends where a character that is no part of a name begins (…卡德尔称).
_DOTTED_IN_TEXT = f"{names.LOOSE_GIVEN_RE}{{1,8}}[·•・]{names.LOOSE_GIVEN_RE}{{1,8}}"
# A name that opens a cell right before a verb of the hotline's register (张伟来电反映…, 李有才投诉…),
# found from the verb: each reading of 2 to 4 characters is a fixed-width look-behind to the cell start.
_OPENING_VERBS = ("来电", "来访", "反映", "投诉", "举报", "诉称")


def _opening_readings() -> str:
    given, single, compound = names.LOOSE_GIVEN_RE, names.SINGLE_RE, names.COMPOUND_RE
    polite = f"(?!{names.HONORIFIC_RE})"
    r4 = f"{compound}{polite}{given}{given}"
    r3 = f"(?:{single}{polite}{given}{given}|{compound}{polite}{given})"
    r2 = f"(?!{compound}){single}{polite}{given}"
    return "|".join(
        f"(?<=(?<![^{SEP}])(?P<{group}>{reading})..)" for group, reading in (("o", r4), ("p", r3), ("q", r2))
    )


# One pass finds both: the cue words and the verbs share the first character set. Every verb has two
# characters (the look-behinds rely on it).
NAME_BEFORE = re.compile(
    f"[{_firsts(names.CUES_BEFORE + _OPENING_VERBS)}](?:(?:{_rests(names.CUES_BEFORE)})"
    # Spaces, not \s: the separator between cells (SEP) is whitespace to the engine.
    + "[：:是为 \\t\u3000]{0,2}"
    + f"(?P<n>{_DOTTED_IN_TEXT}|{names.LOOSE_NAME_RE}(?={_NAME_END})"
    + f"|{names.SURNAME_RE}{names.GIVEN_RE}{{1,2}})"
    + f"(?!{names.GIVEN_RE}?{_words(names.CUES_AFTER)})"
    + f"|(?:{_rests(_OPENING_VERBS)})(?:{_opening_readings()}))"
)


def _name_after() -> re.Pattern[str]:
    """A full name right before an honorific (陈晓红女士, 请李桂萱先生), found from the honorific.

    The readings of the up to four characters before the honorific are tried longest first; a reading
    whose first character is a common word before names (names.NAME_PREFIX_WORDS: 和, 向, 位...) or ends
    a word (names.WORDS_ENDING_IN_SURNAME: 感谢, 主任...) gives way to a shorter one unless it starts the
    cell.

    When the chosen reading is a surname alone (王先生, 欧阳女士, 李老师) nothing is reported. A surname with
    a title is how Chinese media and court documents refer to a person without identifying them, the
    same information as 王某, which is not reported either; reporting it would also make redaction
    turn every 王先生 into <person_name>先生 and refuse releases that are already de-identified.
    """
    # Every honorific has two characters; 老师 followed by 傅 is 老师傅 (an old master), not a teacher.
    cue = _words(names.CUES_AFTER) + "(?!(?<=老师)傅)"
    given = names.GIVEN_RE
    single, compound = names.SINGLE_RE, names.COMPOUND_RE
    r4 = f"{compound}{given}{given}"
    r3 = f"(?:{single}{given}{given}|{compound}{given})"
    r2 = f"(?!{compound}){single}{given}"
    by_last: dict[str, str] = {}
    for word in names.WORDS_ENDING_IN_SURNAME:
        by_last[word[1]] = by_last.get(word[1], "") + word[0]
    in_word = "|".join(f"{last}(?<=[{firsts}]{last})" for last, firsts in by_last.items())
    start_ok = f"(?:(?<![^{SEP}])|(?![{names.NAME_PREFIX_WORDS}])(?!{in_word}))"
    readings = (
        f"(?<={start_ok}(?P<a>{r4})..)", f"(?<={start_ok}(?P<b>{r3})..)", f"(?<={start_ok}{compound}..)",
        f"(?<={start_ok}(?P<c>{r2})..)", f"(?<={start_ok}{single}..)",
        f"(?<=(?P<d>{r4})..)", f"(?<=(?P<e>{r3})..)", f"(?<={compound}..)", f"(?<=(?P<f>{r2})..)",
    )
    # The atomic group commits to the first reading that fits; the conditionals then fail the match
    # when that reading carries no name group (a surname alone).
    return re.compile(f"{cue}(?>{'|'.join(readings)})(?(a)|(?(b)|(?(c)|(?(d)|(?(e)|(?(f)|(?!)))))))")


NAME_AFTER = _name_after()
# In a column whose header names addresses, a whole cell is one address when it goes below town level:
# a road or compound word, or a number with a house, building, room or village-group unit. A cell that
# stops at the district or town (广东省东莞市南城街道, what generalisation leaves) is not an address.
_ADDRESS_DETAIL = (
    # A village counts after its town (桃洪镇石门村), not alone: 中关村 is a neighbourhood's name.
    "(?:路|街(?!道)|大道|巷|弄|胡同|小区|花园|大厦|公寓|家园|新村|社区|[镇乡][^\x1f]*?村"
    f"|[{_NUM}]+(?:号|栋|幢|座|单元|室|组|队))"
)
CELL_ADDRESS = re.compile(f"{SEP}(?=[^{SEP}]*?{_ADDRESS_DETAIL})([^{SEP}]+)")
# A whole cell that has the shape of a name, searched in SEP + text so that the pattern starts with a
# literal (the engine's fastest search).
# A name that fills a cell of a names column, or opens it before a number or a note (张伟 13812345678,
# 李娜（母亲）); two-character names padded to the width of three (张　伟) count too.
CELL_NAME = re.compile(f"{SEP}({names.CELL_NAME_RE})(?={SEP}|$|{names.AFTER_CELL_NAME})")


_UPPER = re.compile("[A-Z]")
# Shortest cells that can hold a digit run (11), a code with letters (a plate, 7) and a number written
# with separators (010-1234567, 11).
_MIN_RUN = 11
_MIN_LETTER_CODE = 7
_MIN_SEPARATED = 11
_MIN_GROUPED_CARD = 19


@dataclass
class Hits:
    """Findings of one column of one chunk: counts per type and a few raw examples."""

    counts: Counter = field(default_factory=Counter)
    examples: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, values: Sequence[str], count: int | None = None) -> None:
        """Count ``count`` findings (default: one per value) and keep the first values as examples."""
        n = len(values) if count is None else count
        if not n:
            return
        have = self.counts[kind]
        self.counts[kind] += n
        if have < EXAMPLES_PER_TYPE:
            self.examples.extend((kind, value) for value in values[: EXAMPLES_PER_TYPE - have])

    def wants_examples(self, kind: str) -> bool:
        """True while fewer than the kept number of examples of a type have been seen."""
        return self.counts[kind] < EXAMPLES_PER_TYPE


def _labelled(text: str) -> bool:
    """True when a text may hold a digit run glued to a label (Tel13812345678), which RUN leaves out."""
    return any(label in text for label in RUN_LABELS)


def run_codes(runs: Sequence[str]) -> np.ndarray:
    """Kind of each digit run (see RUN) as an index into RUN_KINDS, all runs of a length at once.

    A credit code needs a known authority and type, a division prefix and its own check character. The
    check of the embedded organisation code (GB 11714) is not required: data made with only the final
    check would lose most all-digit codes, while a random 18-digit order number passes these tests about
    once in a thousand.
    """
    codes = np.zeros(len(runs), dtype=np.int8)
    if not runs:
        return codes
    for width, (idx, a) in matrix_by_width(runs).items():
        digits = a[:, -1] <= ord("9")  # else the run ends in X
        if width == 18:
            ids = id18_ok(a, digits=True)
            codes[idx[ids]] = _ID
            rest = np.flatnonzero(~ids)  # the few that are not IDs get the costlier tests
            if rest.size:
                b = a[rest]
                usccs = uscc_ok(b)
                codes[idx[rest[usccs]]] = _USCC
                # An ID-shaped number with a wrong check digit is a mistyped ID, never a bank card.
                maybe = np.flatnonzero(~usccs & digits[rest] & ~id18_shaped(b))
                cards = maybe[luhn_ok(b[maybe]) & bank_bin_ok(b[maybe])]
                codes[idx[rest[cards]]] = _CARD
        elif width == 15:
            codes[idx[digits & id15_ok(a)]] = _ID
        elif width in (16, 17, 19):
            codes[idx[digits & luhn_ok(a) & bank_bin_ok(a)]] = _CARD
        elif width in (11, 12, 13):
            codes[idx] = np.where(digits, _short_run_codes(a), 0)
    return codes


def _short_run_codes(a: np.ndarray) -> np.ndarray:
    """Mobiles (optionally with the 86 country code) and landlines written without a dash."""
    n = a.shape[1]
    d = a.astype(np.int32) - 48
    if n == 13:
        return np.where((d[:, 0] == 8) & (d[:, 1] == 6) & mobile_ok(a[:, 2:5]), _MOBILE, 0)
    # 010 and 02x are three-digit area codes followed by 8 digits; the others (03x-09x) have four digits
    # followed by 7 or 8.
    zero = d[:, 0] == 0
    area3 = zero & ((d[:, 1] == 2) | ((d[:, 1] == 1) & (d[:, 2] == 0)))
    area4 = zero & (d[:, 1] >= 3)
    if n == 11:
        phone = (area3 & (d[:, 3] != 0)) | (area4 & (d[:, 4] != 0))
        return np.where(mobile_ok(a), _MOBILE, np.where(phone, _PHONE, 0))
    return np.where(area4 & (d[:, 4] != 0), _PHONE, 0)


def classify_runs(runs: Sequence[str]) -> list[str | None]:
    """Type of each digit run (see RUN): id_card, uscc, bank_card, mobile, phone or None."""
    return [RUN_KINDS[c] for c in run_codes(runs).tolist()]


_SEPARATORS = ("-", " ", "(", "（", "－")


@dataclass(frozen=True)
class _Look:
    """Cheap facts about a text that decide which patterns can match at all.

    ``longest`` is an upper bound of the length of its cells when the caller knows one (the scan reads
    it from Arrow's offsets): a column of short cells (ages, dates, sequence numbers) cannot hold an
    11-digit run, a credit code or a separated mobile number, and those passes are skipped.
    """

    cjk: bool
    upper: bool
    dash: bool
    at: bool
    dot: bool
    v6: bool
    units: bool
    longest: int

    @classmethod
    def of(cls, text: str, longest: int | None = None) -> _Look:
        cjk = not text.isascii()  # constant time: CPython stores whether a string is ASCII
        longest = len(text) if longest is None else longest
        return cls(
            cjk=cjk,
            upper=longest >= _MIN_LETTER_CODE and _UPPER.search(text) is not None,
            dash=longest >= _MIN_SEPARATED and any(c in text for c in _SEPARATORS),
            at="@" in text,
            dot="." in text,
            v6="::" in text or text.count(":") >= 7,
            units=cjk and any(unit in text for unit in _ADDRESS_UNITS),
            longest=longest,
        )


def _passport_context(text: str, start: int) -> bool:
    """A passport word shortly before ``start`` in the same cell."""
    m = _PASSPORT_CONTEXT.search(text, max(0, start - _PASSPORT_WINDOW), start)
    return m is not None and text.find(SEP, m.end(), start) < 0


def _count_passports(hits: Hits, text: str, passport_column: bool) -> None:
    """Strong forms are counted by findall; only weak ones outside a passport column need their context."""
    found = PASSPORT.findall(text)
    if not found:
        return
    weak = sum(1 for _, w in found if w)
    if weak and not passport_column:
        hits.add("passport", [m.group() for m in _passports(text, passport_column)])
        return
    hits.add("passport", [m.group() for m in islice(PASSPORT.finditer(text), EXAMPLES_PER_TYPE)], len(found))


def _passports(text: str, passport_column: bool) -> list[re.Match[str]]:
    return [
        m for m in PASSPORT.finditer(text)
        if m.group("strong") or passport_column or _passport_context(text, m.start())
    ]


def _head(m: re.Match[str]) -> int:
    """Start of a match whose head is the last group captured by a look-behind (see IPV4, PHONE_SEP...)."""
    return m.start(m.lastindex or 0)


def _email_start(text: str, at: int) -> int:
    start = at
    while start > 0 and text[start - 1] in _EMAIL_LOCAL:
        start -= 1
    return start


def _examples(pattern: re.Pattern[str], text: str, start: Callable[[re.Match[str]], int]) -> list[str]:
    return [text[start(m):m.end()] for m in islice(pattern.finditer(text), EXAMPLES_PER_TYPE)]


def _count(hits: Hits, kind: str, pattern: re.Pattern[str], text: str, start: Callable) -> None:
    """Count a pattern's matches with findall; build full example values only while they are wanted."""
    n = len(pattern.findall(text))
    if n:
        hits.add(kind, _examples(pattern, text, start) if hits.wants_examples(kind) else [], n)


def find_in_text(
    text: str,
    hits: Hits | None = None,
    passport_column: bool = False,
    longest: int | None = None,
    address_column: bool = False,
    organisation_column: bool = False,
) -> Hits:
    """Count the direct identifiers in a text (usually a column chunk joined with SEP).

    ``passport_column`` accepts the passport forms that otherwise need a word such as 护照 before them;
    ``address_column`` counts each cell that is an address below town level as one address (see
    CELL_ADDRESS) instead of looking for house numbers; ``longest``, an upper bound of the cells'
    length, lets short columns skip the long patterns; ``organisation_column`` (a column of
    organisation names) skips addresses and names, which there belong to the organisation.
    """
    hits = hits if hits is not None else Hits()
    if not text:
        return hits
    look = _Look.of(text, longest)
    runs: list[str] = []
    if look.longest >= _MIN_RUN:
        runs = RUN.findall(text)
        if _labelled(text):
            runs += LABELLED_RUN.findall(text)
    if runs:
        codes = run_codes(runs)
        for code in np.unique(codes[codes > 0]).tolist():
            where = np.flatnonzero(codes == code)
            hits.add(RUN_KINDS[code] or "", [runs[i] for i in where[:EXAMPLES_PER_TYPE]], len(where))
    if look.upper:
        codes_alpha = ["".join(t) for t in USCC_ALPHA.findall(text)]
        if codes_alpha:
            where = np.flatnonzero(uscc_mask(codes_alpha))
            hits.add("uscc", [codes_alpha[i] for i in where[:EXAMPLES_PER_TYPE]], len(where))
        _count_passports(hits, text, passport_column)
        if look.cjk:
            hits.add("plate", PLATE.findall(text))
    if look.dash:
        _count(hits, "mobile", MOBILE_SEP, text, _head)
        _count(hits, "phone", PHONE_SEP, text, _head)
        if look.longest >= _MIN_GROUPED_CARD:
            cards = CARD_SEP.findall(text)
            if cards:
                where = np.flatnonzero(run_codes(["".join(g) for g in cards]) == _CARD)
                if where.size:
                    examples = [text[m.start(1) : m.end()] for m in islice(CARD_SEP.finditer(text), 2)]
                    hits.add("bank_card", examples if hits.wants_examples("bank_card") else [], where.size)
    if look.at:
        _count(hits, "email", EMAIL, text, lambda m: _email_start(text, m.start()))
    if look.dot:
        _count(hits, "ip", IPV4, text, _head)
    if look.v6:
        hits.add("ip", [v for v in (text[_head(m):m.end()] for m in IPV6.finditer(text)) if _ipv6(v)])
    if organisation_column:
        return hits
    if address_column:
        hits.add("address", CELL_ADDRESS.findall(SEP + text))
    elif look.units:
        if "（" in text or "(" in text:
            spans = list(_address_spans(text))
            hits.add("address", [text[a:b] for a, b, _ in spans[:EXAMPLES_PER_TYPE]], len(spans))
        else:
            _count(hits, "address", ADDRESS, text, lambda m: _address_start(text, m.start()))
    if look.cjk:
        before = NAME_BEFORE.findall(text)  # one group of each tuple holds the name
        hits.add("person_name", ["".join(t) for t in before[:EXAMPLES_PER_TYPE]], len(before))
        after = NAME_AFTER.findall(text)
        hits.add("person_name", ["".join(t) for t in after[:EXAMPLES_PER_TYPE]], len(after))
    return hits


def _ipv6(value: str) -> bool:
    return len(value) >= 3 and ip_valid(value)


def cell_names(text: str) -> list[str]:
    """Cells of a joined column that are, whole, a name-shaped string (for columns of names)."""
    return [name for name in CELL_NAME.findall(SEP + text) if "某" not in name]


def _pattern_spans(
    text: str, passport_column: bool, address_column: bool, organisation_column: bool = False
) -> Iterator[tuple[int, int, str]]:
    """Spans of every identifier that is not a plain digit run (the same tests as ``find_in_text``)."""
    look = _Look.of(text)
    if look.upper:
        codes = list(USCC_ALPHA.finditer(text))
        if codes:
            # The head of a code is the group before the last one (the tail after the first letter).
            starts = [m.start((m.lastindex or 1) - 1) for m in codes]
            valid = uscc_mask([text[s : m.end()] for s, m in zip(starts, codes, strict=True)]).tolist()
            yield from ((s, m.end(), "uscc") for s, m, ok in zip(starts, codes, valid, strict=True) if ok)
        yield from ((m.start(), m.end(), "passport") for m in _passports(text, passport_column))
        if look.cjk:
            yield from ((m.start(), m.end(), "plate") for m in PLATE.finditer(text))
    if look.dash:
        yield from ((_head(m), m.end(), "mobile") for m in MOBILE_SEP.finditer(text))
        yield from ((_head(m), m.end(), "phone") for m in PHONE_SEP.finditer(text))
        cards = list(CARD_SEP.finditer(text))
        if cards:
            codes = run_codes(["".join(g for g in m.groups() if g) for m in cards]).tolist()
            for m, code in zip(cards, codes, strict=True):
                if code == _CARD:
                    yield m.start(1), m.end(), "bank_card"
    if look.at:
        yield from ((_email_start(text, m.start()), m.end(), "email") for m in EMAIL.finditer(text))
    if look.dot:
        yield from ((_head(m), m.end(), "ip") for m in IPV4.finditer(text))
    if look.v6:
        yield from ((_head(m), m.end(), "ip") for m in IPV6.finditer(text) if _ipv6(text[_head(m) : m.end()]))
    if organisation_column:
        return
    if address_column:
        # Offsets in SEP + text, one less in text.
        yield from ((m.start(1) - 1, m.end(1) - 1, "address") for m in CELL_ADDRESS.finditer(SEP + text))
    elif look.units:
        yield from _address_spans(text)
    if look.cjk:
        for m in NAME_BEFORE.finditer(text):
            group = m.lastgroup or "n"
            yield m.start(group), m.end(group), "person_name"
        for m in NAME_AFTER.finditer(text):
            group = m.lastgroup or ""
            yield m.start(group), m.end(group), "person_name"


def _address_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """Address spans: house numbers with their touching parts, extended left to the street or village.

    An address in brackets right after an organisation's name (广州市第一人民医院（盘福路1号）) is the
    organisation's and is left out.
    """
    for m in ADDRESS.finditer(text):
        start = _address_start(text, m.start())
        if start and text[start - 1] in "（(" and text.endswith(ORGANISATION_SUFFIXES, 0, start - 1):
            continue
        yield start, m.end(), "address"


ORGANISATION_SUFFIXES = (
    "医院", "卫生院", "委员会", "居委会", "村委会", "办事处", "公司", "中心", "局", "学校", "小学", "中学",
    "大学", "学院", "幼儿园", "政府", "派出所", "法院", "检察院", "银行", "支行", "分行", "工作站", "服务站",
    "馆", "协会", "厂", "所", "站", "处", "厅", "部",
)


def _address_start(text: str, anchor: int) -> int:
    """Walk left from a house number to the start of its street or village name.

    Punctuation and the separator always stop the walk; an administrative suffix (省市区县镇乡) stops it
    only once two characters of name are taken, since street and village names contain them too (环市村).
    """
    start = anchor
    floor = max(0, anchor - _ADDRESS_LEFT)
    while start > floor:
        ch = text[start - 1]
        if ch in _ADDRESS_STOP or (ch in _ADMIN and anchor - start >= 2):
            break
        start -= 1
    return start


def find_spans(
    text: str,
    passport_column: bool = False,
    address_column: bool = False,
    organisation_column: bool = False,
) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, type) spans of every direct identifier in a text, in order.

    The column flags mean what they mean for ``find_in_text``.
    """
    spans: list[tuple[int, int, str]] = []
    runs = [(m.start(), m.end(), m.group()) for m in RUN.finditer(text)]
    if _labelled(text):
        runs += [(m.start(1), m.end(1), m.group(1)) for m in LABELLED_RUN.finditer(text)]
    if runs:
        codes = run_codes([run for _, _, run in runs]).tolist()
        spans.extend((a, b, RUN_KINDS[c] or "") for (a, b, _), c in zip(runs, codes, strict=True) if c)
    spans.extend(_pattern_spans(text, passport_column, address_column, organisation_column))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            continue  # the longer, earlier span already covers it
        kept.append(span)
    return kept
