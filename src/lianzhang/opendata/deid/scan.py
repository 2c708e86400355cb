"""Scan a table column by column for direct identifiers and quasi-identifiers, streaming in chunks."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lianzhang.opendata.deid import names
from lianzhang.opendata.deid.detect import (
    CONFIDENCE,
    PASSPORT_WORDS,
    SEP,
    TYPES,
    Hits,
    cell_names,
    find_in_text,
)
from lianzhang.opendata.deid.tables import Chunk, iter_chunks, read_header
from lianzhang.opendata.deid.validators import PROVINCE_CODES

EXAMPLES = 3
QI_HEADERS = {
    "birth_date": ("出生", "生日", "birth", "dob"),
    "age": ("年龄", "岁数", "age"),
    "sex": ("性别", "sex", "gender"),
    "area_code": (
        "区划", "行政区", "邮编", "邮政编码", "街道", "社区", "村委", "乡镇", "镇街", "postcode", "zip",
    ),
}
SEX_VALUES = frozenset({"男", "女", "未知", "m", "f", "male", "female", "男性", "女性"})
DATE = re.compile(r"(?:19|20)[0-9]{2}(?:[-/.年](?:0?[1-9]|1[0-2])(?:[-/.月](?:0?[1-9]|[12][0-9]|3[01])日?)?"
                  r"|(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01]))")
AREA_CODE = re.compile(r"[1-8][0-9](?:[0-9]{4}|[0-9]{7}|[0-9]{10})")
QI_SAMPLE = 2000


def mask_example(kind: str, value: str) -> str:
    """A masked form of a finding, safe to show in a report: enough to recognise the kind, not the person."""
    if kind == "email":
        user, _, domain = value.partition("@")
        return f"{user[:1]}***@{domain}"
    if kind == "person_name":
        return value[:1] + "*" * (len(value) - 1)
    if kind == "address":
        keep = len(value) // 3
        return value[:keep] + "*" * (len(value) - keep)
    if len(value) <= 6:
        return value[:1] + "*" * (len(value) - 1)
    head, tail = (3, 2) if len(value) >= 10 else (2, 1)
    return value[:head] + "*" * (len(value) - head - tail) + value[-tail:]


def quasi_kind(header: str, sample: Iterable[str]) -> tuple[str, str] | None:
    """(kind, basis) when a column looks like a quasi-identifier by its header or else by its values."""
    low = header.strip().lower()
    for kind, words in QI_HEADERS.items():
        if any(word in low for word in words) and not any(w in low for w in ("电话", "手机", "地址", "名称")):
            return kind, "header"
    values = [v.strip() for v in sample if v.strip()]
    if len(values) < 5:
        return None
    share = len(values) * 0.95
    if sum(v.lower() in SEX_VALUES for v in values) >= share:
        return "sex", "values"
    if sum(DATE.fullmatch(v) is not None for v in values) >= share:
        return "date", "values"
    if sum(AREA_CODE.fullmatch(v) is not None and v[:2] in PROVINCE_CODES for v in values) >= share:
        return "area_code", "values"
    return None


# English headers that name people as often as places or products: the values must agree.
AMBIGUOUS_NAME_HEADERS = frozenset({"name", "names", "full name", "fullname"})
_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z.]*)+")


def name_column(header: str, sample: Iterable[str]) -> bool:
    """True when the header names people, or nearly all values are distinct name-shaped strings.

    A bare "name" header needs support from the values (half of them shaped like a Chinese or a Latin
    personal name) once there are 20 of them: a list of places or products is also headed "name".
    """
    values = [v.strip() for v in sample if v.strip()]
    if names.name_header(header):
        if header.strip().lower() not in AMBIGUOUS_NAME_HEADERS or len(values) < 20:
            return True
        shaped = sum(names.looks_like_name(v) or _LATIN_NAME.fullmatch(v) is not None for v in values)
        return shaped >= 0.5 * len(values)
    if len(values) < 20:
        return False
    shaped = sum(names.looks_like_name(v) for v in values)
    return shaped >= 0.9 * len(values) and len(set(values)) >= 0.5 * len(values)


ADDRESS_HEADER_WORDS = (
    "地址", "住址", "住所", "居住地", "户籍地", "家庭住址", "通讯地址", "收货地址", "address", "addr",
)
NOT_ADDRESS_HEADER = re.compile(r"(?<![a-z])(?:ip|mac|url|web)(?![a-z])|邮箱|邮件|mail|网址|网站|链接")


def address_header(header: str) -> bool:
    """True when a column header names postal addresses (not IP, MAC, e-mail or web addresses)."""
    low = header.strip().lower()
    return any(w in low for w in ADDRESS_HEADER_WORDS) and NOT_ADDRESS_HEADER.search(low) is None


# A column of organisation names (单位名称, 承办单位, 企业名称, 工作单位): the places and surnames in
# them (广州市第一人民医院（盘福路1号）, 王老吉…有限公司) are the organisation's, not a person's.
_ORGANISATION_HEADER = re.compile("(?:单位|企业|公司|机构|医院|学校|部门)(?:名称|全称)?")


def organisation_header(header: str) -> bool:
    """True when a column header names organisations rather than people or their addresses."""
    low = header.strip()
    return _ORGANISATION_HEADER.search(low) is not None and low.endswith(
        ("单位", "企业", "公司", "机构", "医院", "学校", "部门", "名称", "全称")
    ) and not any(w in low for w in ("地址", "电话", "人", "代码", "账号", "编号"))


def passport_header(header: str) -> bool:
    """True when a column header names passports, travel permits or identity documents in general."""
    low = header.strip().lower()
    return any(word in low for word in PASSPORT_WORDS)


@dataclass
class ColumnScan:
    """Findings of one column across all chunks."""

    name: str
    counts: Counter = field(default_factory=Counter)
    examples: list[dict[str, str]] = field(default_factory=list)
    names: bool | None = None
    quasi: tuple[str, str] | None = None

    def feed(self, text: str, sample: list[str], longest: int | None = None) -> None:
        """Scan one chunk of the column: its cells joined with SEP, and its first cells for column tests."""
        if self.names is None:
            self.names = name_column(self.name, sample)
            self.quasi = quasi_kind(self.name, sample)
        hits = find_in_text(
            text, Hits(), passport_column=passport_header(self.name), longest=longest,
            address_column=address_header(self.name), organisation_column=organisation_header(self.name),
        )
        if self.names:
            hits.add("person_name", cell_names(text))
        for kind, value in hits.examples:
            if len(self.examples) < EXAMPLES:
                self.examples.append({"type": kind, "value": mask_example(kind, value)})
        self.counts.update(hits.counts)

    def result(self) -> dict[str, Any]:
        types = {kind: self.counts[kind] for kind in TYPES if self.counts[kind]}
        confidence = {kind: CONFIDENCE[kind] for kind in types}
        if "person_name" in types and self.names:
            confidence["person_name"] = 0.95 if names.name_header(self.name) else 0.85
        out: dict[str, Any] = {
            "name": self.name, "types": types, "examples": self.examples, "confidence": confidence
        }
        if self.quasi:
            out["quasi_identifier"] = self.quasi[0]
        return out


def scan_chunks(
    header: list[str], chunks: Iterable[Chunk], on_progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Scan chunks of a table with the given header; see ``scan_file`` for the result."""
    columns = [ColumnScan(name) for name in header]
    rows = 0
    for chunk in chunks:
        for i, column in enumerate(columns):
            sample = chunk.head(i, QI_SAMPLE) if column.names is None else []
            column.feed(chunk.joined(i, SEP), sample, chunk.longest(i))
        rows += chunk.rows
        if on_progress is not None:
            on_progress(chunk.done, chunk.total)
    results = [c.result() for c in columns]
    return {
        "columns": results,
        "total_findings": sum(sum(r["types"].values()) for r in results),
        "rows": rows,
        "quasi_identifiers": [
            {"name": c.name, "kind": c.quasi[0], "basis": c.quasi[1]} for c in columns if c.quasi
        ],
    }


def scan_file(path: Path, on_progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """{"columns": [{"name", "types": {type: count}, "examples", "confidence"}], "total_findings", ...}."""
    return scan_chunks(read_header(path), iter_chunks(path), on_progress)


def direct_findings(report: dict[str, Any], direct: Iterable[str]) -> dict[str, dict[str, int]]:
    """Per column, the counts of the given direct-identifier types a scan found."""
    wanted = set(direct)
    out = {}
    for column in report["columns"]:
        hits = {k: n for k, n in column["types"].items() if k in wanted}
        if hits:
            out[column["name"]] = hits
    return out
