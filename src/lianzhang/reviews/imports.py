"""The expert pool as an Excel sheet: the template, and reading it row by row with named errors."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError

# (header, key, required, help shown in the template's second sheet)
COLUMNS = (
    ("姓名", "name", True, "必填"),
    ("工作单位", "organisation", True, "必填；同姓名同单位的专家视为同一人，再次导入即更新"),
    ("职称", "title", False, "如 教授、正高级工程师"),
    ("产业链节点", "nodes", False, "节点编号或名称，多个用逗号或顿号分隔"),
    ("学科专业", "disciplines", False, "多个用逗号或顿号分隔"),
    ("所在区县代码", "district", False, "6 位行政区划代码，如 440106"),
    ("专业简介", "profile", False, ""),
    ("可接受评审", "available", False, "是 或 否，空为是"),
    ("聘期开始", "term_start", False, "日期，如 2025-01-01"),
    ("聘期结束", "term_end", False, "日期，如 2027-12-31"),
    ("状态", "status", False, "在库、暂停 或 退出，空为在库"),
    ("申报回避", "declared_conflicts", False, "需回避的单位或企业名称，多个用逗号或顿号分隔"),
    ("每轮评审上限", "max_load", False, "正整数，空为按批次设置"),
    ("登录账号", "username", False, "已有专家账号的用户名，可空"),
)
HEADERS = {header: key for header, key, _, _ in COLUMNS}
LABELS = {key: header for header, key, _, _ in COLUMNS}
MAX_ROWS = 20000
_SPLIT = re.compile(r"[,，、;；\n]+")


@dataclass(frozen=True)
class RowError:
    """One problem in the sheet: row number (as Excel shows it), column header and reason."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行「{self.column}」：{self.reason}"


class SheetError(ValidationError):
    """The sheet was refused; every problem found is listed, nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__([str(e) for e in errors])
        self.errors = errors


@dataclass
class SheetRow:
    """One row of the sheet, as text cells keyed by column key."""

    number: int
    cells: dict[str, Any] = field(default_factory=dict)


def split_list(value: Any) -> list[str]:
    """A cell holding several items separated by commas, 顿号 or semicolons."""
    if value is None:
        return []
    return list(dict.fromkeys(p.strip() for p in _SPLIT.split(str(value)) if p.strip()))


def text(value: Any) -> str:
    """A cell as trimmed text; whole numbers typed into Excel come back without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def as_date(value: Any) -> date | None:
    """A date cell (a real date or text like 2025-01-01); raises ValueError on anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value).strip().replace("/", "-").replace(".", "-"))


def template_bytes() -> bytes:
    """The empty import template, with an explanation sheet."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "专家库"
    sheet.append([h for h, _, _, _ in COLUMNS])
    sheet.append(
        [
            "张明（示例，导入前删除）",
            "某某大学计算机学院",
            "教授",
            "vision、nlp",
            "模式识别",
            "440106",
            "从事机器视觉研究二十年",
            "是",
            "2025-01-01",
            "2027-12-31",
            "在库",
            "",
            3,
            "",
        ]
    )
    notes = book.create_sheet("说明")
    notes.append(["列", "必填", "说明"])
    for header, _, required, help_ in COLUMNS:
        notes.append([header, "是" if required else "", help_])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_sheet(data: bytes) -> list[SheetRow]:
    """Rows of the first sheet under a header row of known column names; refuses unknown files."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or foreign file
        raise SheetError([RowError(1, "文件", "无法读取，请上传 .xlsx 格式的专家库模板")]) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [text(h) for h in next(rows, ())]
    missing = [h for h, _, required, _ in COLUMNS if required and h not in header]
    if missing:
        raise SheetError([RowError(1, h, "表头缺少此列") for h in missing])
    keys = [HEADERS.get(h) for h in header]
    out: list[SheetRow] = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(out) >= MAX_ROWS:
            raise SheetError([RowError(number, "-", f"一次最多导入 {MAX_ROWS} 行")])
        cells = {k: v for k, v in zip(keys, values, strict=False) if k}
        out.append(SheetRow(number, cells))
    return out
