"""Write the published CSV again as XLSX and JSON, streaming, so that every resource holds the same cells."""

from __future__ import annotations

import csv
import json
from pathlib import Path

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
# Cells starting with these make spreadsheet programs evaluate a formula; published XLSX keeps them as text.
_FORMULA_START = ("=", "+", "-", "@")


def _rows(source: Path):
    with source.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle)


def csv_to_xlsx(source: Path, target: Path) -> int:
    """Copy a CSV into a one-sheet workbook; return the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("数据")
    count = -1
    for row in _rows(source):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if value.startswith(_FORMULA_START):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        count += 1
    book.save(target)
    return max(count, 0)


def csv_to_json(source: Path, target: Path) -> int:
    """Copy a CSV into a JSON array of objects keyed by the header; return the number of rows."""
    rows = _rows(source)
    header = next(rows, [])
    count = 0
    with target.open("w", encoding="utf-8") as out:
        out.write("[")
        for row in rows:
            record = dict(zip(header, row, strict=False))
            out.write(("," if count else "") + "\n" + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("\n]\n")
    return count


def csv_rows(source: Path) -> int:
    """Number of data rows of a CSV (records, not lines: quoted newlines count once)."""
    return max(sum(1 for _ in _rows(source)) - 1, 0)
