"""Process a table by policy, verify k-anonymity, rescan the output and refuse it if identifiers remain."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# DIRECT_TYPES is every type but the organisation's credit code (uscc): the rescan refuses an output
# that still holds a personal identifier, while a kept credit code is only reported (see detect.py).
from lianzhang.opendata.deid.detect import DIRECT_TYPES, SEP, find_spans
from lianzhang.opendata.deid.names import leading_name
from lianzhang.opendata.deid.policy import ColumnRule, Policy
from lianzhang.opendata.deid.scan import (
    QI_SAMPLE,
    address_header,
    direct_findings,
    name_column,
    organisation_header,
    passport_header,
    quasi_kind,
    scan_chunks,
    scan_file,
)
from lianzhang.opendata.deid.tables import Chunk, TableWriter, iter_chunks, read_header

Progress = Callable[[int, int], None]
LISTED_ROWS = 1000  # violating row numbers listed in a report; the count is always complete
LISTED_CLASSES = 50
SUPPRESSED = "*"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
_DATE = re.compile(
    r"\s*(?P<y>1[89][0-9]{2}|20[0-9]{2})(?:[-/.年]?(?P<m>0?[1-9]|1[0-2])(?![0-9]{2}[^0-9]|[0-9]$))?"
)
_DATE8 = re.compile(r"\s*(?P<y>1[89][0-9]{2}|20[0-9]{2})(?P<m>0[1-9]|1[0-2])[0-3][0-9]\s*$")
_AGE = re.compile(r"\s*([0-9]{1,3})(?:\.[0-9]+)?\s*岁?\s*$")
# Administrative levels of a Chinese address, top down; each level is optional.
_PROVINCE = re.compile(r"(?:北京市|天津市|上海市|重庆市|[\u4e00-\u9fff]{2,7}?(?:省|自治区|特别行政区))")
_CITY = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:市|自治州|地区|盟)")
_DISTRICT = re.compile(r"[^区县旗镇乡街道路村号\d]{1,7}?(?:区|县|旗|市)")
_TOWN = re.compile(r"[^镇乡街道路村号区县\d]{1,7}?(?:街道|镇|乡)")


class RefusedError(RuntimeError):
    """The processed output still holds direct identifiers and was not kept."""


def mask(value: str, head: int, tail: int) -> str:
    """Keep ``head`` leading and ``tail`` trailing characters and replace the rest with asterisks."""
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + (value[-tail:] if tail else "")


def pseudonym(secret: bytes, value: str) -> str:
    """A keyed-hash token (HMAC-SHA256) in letters only, so that it can never look like a number or code."""
    digest = int.from_bytes(hmac.new(secret, value.encode("utf-8"), hashlib.sha256).digest()[:12], "big")
    out = []
    for _ in range(16):
        digest, r = divmod(digest, 26)
        out.append(_LETTERS[r])
    return "".join(out)


def generalise_date(value: str, to: str) -> str:
    """A date as its year or year-month; an unreadable date becomes empty (never passed through)."""
    m = _DATE8.match(value) or _DATE.match(value)
    if not m:
        return ""
    if to == "year" or not m.group("m"):
        return m.group("y") if to == "year" else ""
    return f"{m.group('y')}-{int(m.group('m')):02d}"


def generalise_age(value: str, band: int) -> str:
    """An age as a band such as 30-39; an unreadable age becomes empty."""
    m = _AGE.match(value)
    if not m:
        return ""
    low = int(m.group(1)) // band * band
    return str(low) if band == 1 else f"{low}-{low + band - 1}"


def generalise_address(value: str, to: str) -> str:
    """The administrative prefix of an address: down to the district, or to the town (street office)."""
    pos, parts = 0, []
    levels = (_PROVINCE, _CITY, _DISTRICT) + ((_TOWN,) if to == "town" else ())
    for pattern in levels:
        m = pattern.match(value, pos)
        if m:
            parts.append(m.group())
            pos = m.end()
    return "".join(parts)


def redact(cells: list[str], column: str = "") -> list[str]:
    """Replace each identifier found in free text by its type in angle brackets.

    The column's header is context, as in the scan: a passport column accepts every passport form, in
    an address column each cell below town level becomes <address>, and in a column of names each
    whole-cell name becomes <person_name>.
    """
    if any(SEP in cell for cell in cells):  # a stray separator would shift cells: go cell by cell
        return [redact([cell.replace(SEP, " ")], column)[0] for cell in cells]
    text = SEP.join(cells)
    spans = find_spans(
        text, passport_column=passport_header(column), address_column=address_header(column),
        organisation_column=organisation_header(column),
    )
    out = cells
    if spans:
        parts, last = [], 0
        for start, end, kind in spans:
            parts.append(text[last:start])
            parts.append(f"<{kind}>")
            last = end
        parts.append(text[last:])
        out = "".join(parts).split(SEP)
    if column and name_column(column, cells[:QI_SAMPLE]):
        out = [_redact_leading_name(v) for v in out]
    return out


def _redact_leading_name(value: str) -> str:
    end = leading_name(value)
    return "<person_name>" + value[end:] if end else value


def transform(rule: ColumnRule, cells: list[str], secret: bytes) -> list[str]:
    """Apply one column rule to a chunk of cells (empty cells stay empty)."""
    if rule.action == "keep":
        return cells
    if rule.action == "mask":
        return [mask(v, rule.keep_head, rule.keep_tail) if v else v for v in cells]
    if rule.action == "pseudonymise":
        return [pseudonym(secret, v) if v else v for v in cells]
    if rule.action == "redact":
        return redact(cells, rule.column)
    if rule.to in ("year", "month"):
        return [generalise_date(v, rule.to) if v else v for v in cells]
    if rule.to == "band":
        return [generalise_age(v, rule.band) if v else v for v in cells]
    return [generalise_address(v, rule.to) if v else v for v in cells]


@dataclass
class Classes:
    """Equivalence classes over the quasi-identifiers (processed values) and the rows that break k."""

    k: int
    counts: Counter = field(default_factory=Counter)

    def report(self, rows: int) -> dict[str, Any]:
        """k-anonymity figures and residual risk over the current classes."""
        if not self.counts:
            return {"satisfied": True, "classes": 0, "min_class_size": 0, "residual_risk": _risk(self, rows)}
        smallest = min(self.counts.values())
        small = sorted((c for c, n in self.counts.items() if n < self.k), key=lambda c: self.counts[c])
        return {
            "satisfied": smallest >= self.k,
            "classes": len(self.counts),
            "min_class_size": smallest,
            "violating_classes": len(small),
            "smallest_classes": [{"values": list(c), "size": self.counts[c]} for c in small[:LISTED_CLASSES]],
            "residual_risk": _risk(self, rows),
        }


def _risk(classes: Classes, rows: int) -> dict[str, float]:
    """Share of rows in classes smaller than k, the highest and the mean chance of re-identifying a row."""
    if not rows or not classes.counts:
        return {"rows_below_k_share": 0.0, "max_reidentification_probability": 0.0, "mean_probability": 0.0}
    below = sum(n for n in classes.counts.values() if n < classes.k)
    return {
        "rows_below_k_share": round(below / rows, 6),
        "max_reidentification_probability": round(1 / min(classes.counts.values()), 6),
        "mean_probability": round(len(classes.counts) / rows, 6),
    }


def apply_policy(
    source: Path, policy: Policy, output: Path, on_progress: Progress | None = None
) -> dict[str, Any]:
    """Process ``source`` into ``output`` and return the report; raise RefusedError (output removed) if the
    rescan still finds a direct identifier."""
    header = read_header(source)
    quasi = policy.quasi_identifiers or _detected_quasi(source, header, policy)
    found, classes, rows = _first_pass(source, header, quasi, policy, on_progress)
    before = classes.report(rows)
    kept = [i for i, name in enumerate(header) if policy.rule(name).action != "drop"]
    out_header = [header[i] for i in kept]
    temp = output.with_name(f".{output.stem}.partial{output.suffix}")
    changed: Counter = Counter()
    violating: list[int] = []
    n_violating = written = 0
    after = Classes(policy.k)
    try:
        writer = TableWriter(temp, out_header)
        row0 = 0
        for chunk in iter_chunks(source):
            processed = {}
            for i in kept:
                rule = policy.rule(header[i])
                cells = transform(rule, chunk.columns[i], policy.secret)
                changed[header[i]] += sum(a != b for a, b in zip(cells, chunk.columns[i], strict=True))
                processed[i] = cells
            keep_row = [True] * chunk.rows
            if quasi:
                q_idx = [header.index(q) for q in quasi]
                for r, combo in enumerate(zip(*(processed[i] for i in q_idx), strict=True)):
                    if classes.counts[combo] >= policy.k:
                        after.counts[combo] += 1
                        continue
                    n_violating += 1
                    if len(violating) < LISTED_ROWS:
                        violating.append(row0 + r + 1)
                    if policy.suppress == "rows":
                        keep_row[r] = False
                    elif policy.suppress == "values":
                        for i in q_idx:
                            processed[i][r] = SUPPRESSED
                        after.counts[(SUPPRESSED,) * len(q_idx)] += 1
                    else:
                        after.counts[combo] += 1
            out_cols = [processed[i] for i in kept]
            if not all(keep_row):
                out_cols = [[v for v, ok in zip(col, keep_row, strict=True) if ok] for col in out_cols]
            writer.write(out_cols)
            written += chunk.rows - keep_row.count(False)
            row0 += chunk.rows
            if on_progress is not None:
                on_progress(chunk.done, chunk.total)
        writer.close()
        rescan = scan_file(temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    remaining = direct_findings(rescan, DIRECT_TYPES)
    report = {
        "input": source.name,
        "output": output.name,
        "rows": rows,
        "rows_written": written,
        "found": {c["name"]: c["types"] for c in found["columns"] if c["types"]},
        "total_findings": found["total_findings"],
        "quasi_identifiers_detected": found["quasi_identifiers"],
        "actions": [_action(policy.rule(name), changed[name]) for name in header],
        "k_anonymity": {
            "k": policy.k,
            "quasi_identifiers": quasi,
            "basis": "policy" if policy.quasi_identifiers else "detected",
            "violating_rows": n_violating,
            "violating_row_numbers": violating,
            "before_suppression": before,
            "suppress": policy.suppress or "none",
            "suppressed": n_violating if policy.suppress else 0,
            **after.report(written),
        },
        "verification": {"direct_identifiers_remaining": remaining, "refused": bool(remaining)},
        "status": "refused" if remaining else "written",
    }
    report["residual_risk"] = report["k_anonymity"]["residual_risk"]
    if remaining:
        temp.unlink(missing_ok=True)
        raise RefusedError(report)
    os.replace(temp, output)
    return report


def _detected_quasi(source: Path, header: list[str], policy: Policy) -> list[str]:
    """Quasi-identifiers recognised in the first chunk, for a policy that names none (dropped ones not)."""
    first = next(iter_chunks(source), None)
    if first is None:
        return []
    return [
        name for i, name in enumerate(header)
        if policy.rule(name).action != "drop" and quasi_kind(name, first.head(i, QI_SAMPLE))
    ]


def _first_pass(
    source: Path, header: list[str], quasi: list[str], policy: Policy, on_progress: Progress | None
) -> tuple[dict[str, Any], Classes, int]:
    """Scan the input and count the classes of the processed quasi-identifiers in the same read."""
    classes = Classes(policy.k)
    q_idx = [header.index(q) for q in quasi]
    rows = 0

    def chunks() -> Iterator[Chunk]:  # feeds the scanner while counting classes from the same chunks
        nonlocal rows
        for chunk in iter_chunks(source):
            if q_idx:
                cols = [transform(policy.rule(header[i]), chunk.column(i), policy.secret) for i in q_idx]
                classes.counts.update(zip(*cols, strict=True))
            rows += chunk.rows
            yield chunk

    found = scan_chunks(header, chunks(), on_progress)
    return found, classes, rows


def _action(rule: ColumnRule, changed: int) -> dict[str, Any]:
    out: dict[str, Any] = {"column": rule.column, "action": rule.action}
    if rule.action == "mask":
        out.update(keep_head=rule.keep_head, keep_tail=rule.keep_tail)
    if rule.action == "generalise":
        out["to"] = rule.to + (f"({rule.band})" if rule.to == "band" else "")
    if rule.action != "drop":
        out["cells_changed"] = changed
    return out

