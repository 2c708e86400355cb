"""The 任务分工表 as Excel and Word files (pure: plain rows in, file bytes out)."""

from __future__ import annotations

import io
from typing import Any

HEADERS = ("序号", "任务", "牵头单位", "配合单位")


def table_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """The four columns of the familiar table, one list per task."""
    return [[str(r["index"]), r["title"], "、".join(r["lead"]), "、".join(r["cooperating"])] for r in rows]


def matrix_xlsx(title: str, rows: list[dict[str, Any]], departments: list[str]) -> bytes:
    """Sheet 任务分工表 (序号, 任务, 牵头单位, 配合单位) and sheet 责任矩阵 (task × department)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    head_fill = PatternFill("solid", fgColor="E4EBF3")

    book = Workbook()
    sheet = book.active
    sheet.title = "任务分工表"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(list(HEADERS))
    for row in table_rows(rows):
        sheet.append(row)
    for line in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in line:
            cell.border = border
            cell.alignment = wrap
            if cell.row == 2:
                cell.font = Font(bold=True)
                cell.fill = head_fill
    for column, width in zip("ABCD", (8, 60, 30, 40), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"

    grid = book.create_sheet("责任矩阵")
    grid.append(["序号", "编号", "任务", *departments])
    for r in rows:
        grid.append([r["index"], r["number"], r["title"], *(r["cells"].get(d, "") for d in departments)])
    for cell in grid[1]:
        cell.font = Font(bold=True)
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    grid.column_dimensions["C"].width = 40
    for i in range(len(departments)):
        grid.column_dimensions[get_column_letter(4 + i)].width = 12
    grid.freeze_panes = "D2"

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def matrix_docx(title: str, rows: list[dict[str, Any]]) -> bytes:
    """A Word document with the title and the four-column table; the header row repeats on every page."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    # East Asian text needs its own font slot, or Word falls back to a Latin font for Chinese.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(title)
    run.bold = True
    run.font.size = Pt(16)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "黑体")

    table = document.add_table(rows=1, cols=len(HEADERS))
    table.style = "Table Grid"
    header = table.rows[0]
    for cell, text in zip(header.cells, HEADERS, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(marker)
    for values in table_rows(rows):
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell, width in zip(row.cells, (Cm(1.3), Cm(8.0), Cm(3.8), Cm(4.5)), strict=True):
            cell.width = width

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
