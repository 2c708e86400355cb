"""Guangdong administrative divisions (province → city → county → town) shipped with the package.

Codes are the national statistical division codes at their natural length: province 2 digits,
city 4, county 6, town/street 9. The 12-digit statistical form is accepted on input.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "guangdong.csv"

LEVELS: tuple[str, ...] = ("province", "city", "county", "town")
LEVEL_NAMES: dict[str, str] = {"province": "省", "city": "市", "county": "区县", "town": "镇街"}
_CODE_LENGTHS = {"province": 2, "city": 4, "county": 6, "town": 9}

# Suffixes dropped to form the colloquial short name (广州市 → 广州, 石碣镇 → 石碣); longest first.
_SHORT_SUFFIXES = ("自治县", "街道", "省", "市", "区", "县", "镇", "乡")
# How many same-named divisions an ambiguity message spells out before summarising.
_AMBIGUITY_LIST_LIMIT = 6


@dataclass(frozen=True)
class Division:
    """One administrative division with its national statistical code."""

    code: str
    name: str
    level: str
    parent_code: str | None
    full_name: str

    @property
    def code12(self) -> str:
        """The 12-digit statistical form of the code (padded with zeros)."""
        return self.code.ljust(12, "0")

    @property
    def level_name(self) -> str:
        """The level in Chinese: 省, 市, 区县 or 镇街."""
        return LEVEL_NAMES[self.level]


def read_divisions(path: str | Path) -> list[Division]:
    """Read a division CSV (code,name,level,parent_code) with full names; raise ValueError on bad rows."""
    rows: list[tuple[str, str, str, str | None]] = []
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for line_no, row in enumerate(csv.DictReader(fh), start=2):
            code = (row.get("code") or "").strip()
            name = (row.get("name") or "").strip()
            level = (row.get("level") or "").strip()
            parent = (row.get("parent_code") or "").strip() or None
            if level not in _CODE_LENGTHS:
                raise ValueError(f"{Path(path).name} 第 {line_no} 行：未知级别 {level!r}")
            if not code.isdigit() or len(code) != _CODE_LENGTHS[level]:
                raise ValueError(f"{Path(path).name} 第 {line_no} 行：{level} 级代码 {code!r} 位数不正确")
            if not name:
                raise ValueError(f"{Path(path).name} 第 {line_no} 行：名称为空")
            rows.append((code, name, level, parent))
    names = {code: name for code, name, _, _ in rows}
    parents = {code: parent for code, _, _, parent in rows}
    out: list[Division] = []
    for code, name, level, parent in rows:
        if parent is not None and parent not in names:
            raise ValueError(f"{Path(path).name}：{code} 的上级 {parent} 不存在")
        chain = [name]
        up = parent
        while up is not None:
            chain.append(names[up])
            up = parents[up]
        chain.reverse()
        out.append(Division(code, name, level, parent, _join_without_repeats(chain)))
    return out


def _join_without_repeats(names: list[str]) -> str:
    # 东莞 and 中山 repeat the city name at county level; 东莞市东莞市石碣镇 reads as a mistake.
    kept: list[str] = []
    for name in names:
        if not kept or kept[-1] != name:
            kept.append(name)
    return "".join(kept)


@functools.cache
def _load_shipped() -> tuple[Division, ...]:
    return tuple(read_divisions(DATA_FILE))


def load_divisions() -> list[Division]:
    """Return the shipped Guangdong divisions in code order (read once, then cached)."""
    return list(_load_shipped())


def code_prefix(code: str) -> str:
    """Reduce a code to its meaningful digits: 440106000000 → 440106, 440100 → 4401, 440000 → 44."""
    digits = "".join(code.split())
    if len(digits) == 12 and digits.endswith("000"):
        digits = digits[:9]
    if len(digits) == 9 and digits.endswith("000"):
        digits = digits[:6]
    if len(digits) == 6 and digits.endswith("00"):
        digits = digits[:4]
    if len(digits) == 4 and digits.endswith("00"):
        digits = digits[:2]
    return digits


def in_scope(code: str | None, scope_code: str | None) -> bool:
    """Tell whether a division lies inside a scope (itself or a descendant); scope None means everything."""
    if scope_code is None or not scope_code.strip():
        return True
    if code is None:
        return False
    inner, outer = code_prefix(code), code_prefix(scope_code)
    if not inner.isdigit() or not outer.isdigit():
        return False
    # Division codes are hierarchical by prefix: a town's code starts with its county's and city's.
    return inner.startswith(outer)


def _short_name(name: str) -> str | None:
    for suffix in _SHORT_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@functools.cache
def _to_simplified() -> Callable[[str], str] | None:
    # Input may come in Traditional characters (Hong Kong, Macao, some documents); OpenCC is optional.
    try:
        import opencc
    except ImportError:
        return None
    return opencc.OpenCC("t2s").convert


class DivisionDirectory:
    """Look-ups over a set of divisions: by code, by name, by hierarchy."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self._by_code: dict[str, Division] = {}
        self._children: dict[str, list[Division]] = {}
        self._by_name: dict[str, list[Division]] = {}
        self._by_short_name: dict[str, list[Division]] = {}
        for division in sorted(divisions, key=lambda d: (d.code.ljust(9, "0"), len(d.code))):
            self._by_code[division.code] = division
            if division.parent_code is not None:
                self._children.setdefault(division.parent_code, []).append(division)
            self._by_name.setdefault(division.name, []).append(division)
            short = _short_name(division.name)
            if short is not None:
                self._by_short_name.setdefault(short, []).append(division)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Division]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str) -> Division | None:
        """Return the division with this code (2/4/6/9 digits or the 12-digit form), or None."""
        digits = "".join(code.split())
        if not digits.isdigit():
            return None
        if digits in self._by_code:
            return self._by_code[digits]
        # Padded forms: try each shorter reading (441900 is a real county row, so exact match comes first).
        while True:
            shorter = _strip_zero_unit(digits)
            if shorter is None:
                return None
            digits = shorter
            if digits in self._by_code:
                return self._by_code[digits]

    def children(self, code: str) -> list[Division]:
        """Return the divisions directly under this one, in code order."""
        division = self.get(code)
        return list(self._children.get(division.code, [])) if division else []

    def descendants(self, code: str) -> list[Division]:
        """Return every division below this one, depth first in code order."""
        out: list[Division] = []
        stack = list(reversed(self.children(code)))
        while stack:
            division = stack.pop()
            out.append(division)
            stack.extend(reversed(self._children.get(division.code, [])))
        return out

    def ancestors(self, code: str) -> list[Division]:
        """Return the divisions above this one, from the province down to the parent."""
        division = self.get(code)
        out: list[Division] = []
        while division is not None and division.parent_code is not None:
            division = self._by_code.get(division.parent_code)
            if division is not None:
                out.append(division)
        out.reverse()
        return out

    def city_of(self, code: str) -> Division | None:
        """Return the prefecture-level city containing this division (itself if it is a city)."""
        division = self.get(code)
        if division is None:
            return None
        if division.level == "city":
            return division
        return next((d for d in self.ancestors(division.code) if d.level == "city"), None)

    def by_level(self, level: str) -> list[Division]:
        """Return all divisions of one level (province, city, county or town), in code order."""
        return [d for d in self._by_code.values() if d.level == level]

    def resolve(self, text: str) -> Division | None:
        """Resolve a code, full name or unique short name to a division; None when unknown or ambiguous."""
        return self.resolve_or_error(text)[0]

    def resolve_or_error(self, text: str) -> tuple[Division | None, str | None]:
        """Resolve like resolve(), and when that fails say why in Chinese (unknown, ambiguous, bad code)."""
        cleaned = "".join((text or "").split())
        if not cleaned:
            return None, "区划为空，请填写区划名称或代码"
        if cleaned.isdigit():
            return self._resolve_code(cleaned)

        candidates = self._match_name(cleaned)
        converter = _to_simplified()
        if not candidates and converter is not None:
            simplified = converter(cleaned)
            if simplified != cleaned:
                candidates = self._match_name(simplified)
        if not candidates:
            return None, f'未找到区划 "{cleaned}"，请检查名称或改填区划代码'
        if len(candidates) == 1:
            return candidates[0], None
        shown = "、".join(f"{d.full_name}（{d.code}）" for d in candidates[:_AMBIGUITY_LIST_LIMIT])
        if len(candidates) > _AMBIGUITY_LIST_LIMIT:
            shown += f" 等 {len(candidates)} 处"
        return None, f'"{cleaned}" 有多个同名区划（{shown}），请填写完整名称或代码'

    def _resolve_code(self, digits: str) -> tuple[Division | None, str | None]:
        if len(digits) not in (2, 4, 6, 9, 12):
            return None, f'区划代码 "{digits}" 位数不正确（应为 6 位、9 位或 12 位）'
        if len(digits) == 12 and not digits.endswith("000"):
            return None, f'"{digits}" 是村（居）级代码，本目录只到镇街一级，请填写前 9 位镇街代码'
        division = self.get(digits)
        if division is None:
            return None, f'未找到区划代码 "{digits}"'
        return division, None

    def _match_name(self, text: str) -> list[Division]:
        # Official names first; colloquial short names (广州天河) only when nothing matches exactly,
        # so that a real name is never shadowed by another division's abbreviation.
        for allow_short in (False, True):
            found: list[Division] = []
            for cut in range(len(text)):
                prefix, last = text[:cut], text[cut:]
                for division in self._named(last, allow_short):
                    if division not in found and self._prefix_matches(
                        prefix, self.ancestors(division.code), allow_short
                    ):
                        found.append(division)
            found = _collapse_repeated(found)
            if allow_short:
                # "中山" colloquially means 中山市, not the 中山街道 of two other cities; only
                # province and city abbreviations are that conventional, so only they win outright.
                top = [d for d in found if d.level in ("province", "city")]
                if len(top) == 1:
                    return top
            if found:
                return sorted(found, key=lambda d: d.code.ljust(9, "0"))
        return []

    def _named(self, name: str, allow_short: bool) -> list[Division]:
        found = list(self._by_name.get(name, []))
        if allow_short:
            found += self._by_short_name.get(name, [])
        return found

    def _prefix_matches(self, prefix: str, ancestors: list[Division], allow_short: bool) -> bool:
        """Tell whether prefix spells some of the ancestors' names, in order (any may be left out)."""
        if not prefix:
            return True
        for i in range(len(ancestors) - 1, -1, -1):
            forms = [ancestors[i].name]
            short = _short_name(ancestors[i].name)
            if allow_short and short is not None:
                forms.append(short)
            for form in forms:
                if prefix.endswith(form) and self._prefix_matches(
                    prefix[: -len(form)], ancestors[:i], allow_short
                ):
                    return True
        return False


def _strip_zero_unit(digits: str) -> str | None:
    """Drop one trailing all-zero level from a code, or return None when there is none."""
    for length, unit in ((12, 3), (9, 3), (6, 2), (4, 2)):
        if len(digits) == length and digits.endswith("0" * unit):
            return digits[:-unit]
    return None


def _collapse_repeated(found: list[Division]) -> list[Division]:
    # "东莞市" names both the city (4419) and its single county-level row (441900): mean the city.
    codes = {d.code: d for d in found}
    return [d for d in found if not (d.parent_code in codes and codes[d.parent_code].name == d.name)]


@functools.cache
def default_directory() -> DivisionDirectory:
    """Return the directory of the shipped Guangdong divisions (built once)."""
    return DivisionDirectory(_load_shipped())
