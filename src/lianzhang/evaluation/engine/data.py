"""Reading indicator data (one row per entity: id, then one column per indicator) with row-level errors."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lianzhang.evaluation.engine.framework import Framework

MISSING_MARKS = frozenset({"", "na", "n/a", "nan", "null", "-", "—", "缺失"})
MAX_PROBLEMS = 50


class DataError(ValueError):
    """Data that cannot be evaluated, with each problem naming its row, column and reason."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = f"；……另有 {len(problems) - MAX_PROBLEMS} 处" if len(problems) > MAX_PROBLEMS else ""
        super().__init__("数据有误：" + "；".join(shown) + more)


@dataclass(frozen=True)
class Table:
    """Entity ids, their indicator matrix (NaN where missing) and a label per row for messages."""

    ids: list[str]
    values: np.ndarray
    row_labels: list[str]
    ignored_columns: list[str]


def parse_number(text: str) -> float | None:
    """A finite number, a missing mark (NaN), or None when the text is not a number."""
    cleaned = text.strip()
    if cleaned.lower() in MISSING_MARKS:
        return math.nan
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_table(source: str | Path | io.TextIOBase, fw: Framework) -> Table:
    """Read a CSV file (UTF-8, optional BOM) into a Table checked against the framework's indicators."""
    if isinstance(source, str | Path):
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise DataError([f"找不到数据文件 {source}"]) from None
        except UnicodeDecodeError:
            raise DataError([f"数据文件 {source} 不是 UTF-8 编码（请另存为 UTF-8 CSV）"]) from None
    else:
        text = source.read().lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise DataError(["文件为空，第 1 行应为表头：id 及各指标编号"])
    header = [h.strip() for h in header]
    if header[0] != "id":
        raise DataError([f"第 1 行第 1 列应为 id，实为 {header[0]!r}"])
    wanted = fw.indicator_ids
    missing_cols = [c for c in wanted if c not in header]
    if missing_cols:
        raise DataError([f"第 1 行缺少指标列 {c}" for c in missing_cols])
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError([f"第 1 行列名 {d} 重复" for d in dupes])
    position = {c: header.index(c) for c in wanted}
    ignored = [h for h in header[1:] if h not in position]
    limits = {ind.id: (ind.minimum, ind.maximum) for ind in fw.indicators}
    problems: list[str] = []
    ids: list[str] = []
    labels: list[str] = []
    rows: list[list[float]] = []
    seen: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            problems.append(f"第 {line} 行有 {len(record)} 列，表头有 {len(header)} 列")
            continue
        ident = record[0].strip()
        if not ident:
            problems.append(f"第 {line} 行 id 为空")
            continue
        if ident in seen:
            problems.append(f"第 {line} 行 id {ident} 与第 {seen[ident]} 行重复")
            continue
        seen[ident] = line
        values = []
        for column in wanted:
            cell = record[position[column]]
            value = parse_number(cell)
            if value is None:
                problems.append(f"第 {line} 行（id={ident}）列 {column}：{cell!r} 不是数字")
                value = math.nan
            lo, hi = limits[column]
            if not math.isnan(value) and ((lo is not None and value < lo) or (hi is not None and value > hi)):
                span = f"[{'' if lo is None else f'{lo:g}'}, {'' if hi is None else f'{hi:g}'}]"
                problems.append(f"第 {line} 行（id={ident}）列 {column}：{value:g} 超出允许范围 {span}")
            values.append(value)
        ids.append(ident)
        labels.append(f"第 {line} 行（id={ident}）")
        rows.append(values)
    if problems:
        raise DataError(problems)
    if not rows:
        raise DataError(["没有数据行"])
    return Table(ids, np.array(rows, dtype=float), labels, ignored)
