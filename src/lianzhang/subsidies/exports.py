"""The 公示 list of an allocation run as Excel (openpyxl) and PDF (reportlab, built-in CJK font)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from lianzhang.reviews.engine.money import format_yuan
from lianzhang.subsidies.models import AllocationRun

BOLD = Font(bold=True)
HEADER = ["序号", "企业名称", "统一社会信用代码", "申报事项", "费用（元）", "补助金额（元）", "计算规则"]
CJK_FONT = "STSong-Light"  # one of reportlab's built-in CID fonts: no font file needed on an intranet


def title_of(run: AllocationRun) -> str:
    """The heading of the list; an unconfirmed run says so, so that it is never posted by mistake."""
    base = f"{run.programme.name}（{run.programme.year} 年）拟支持名单"
    if run.status != AllocationRun.Status.CONFIRMED:
        return f"{base}【试算结果，未确认，不得公示】"
    return f"{base}公示"


def period_of(run: AllocationRun) -> str:
    """The 公示 period in words."""
    if not run.notice_start:
        return "公示期：未确定"
    end = f"至 {run.objection_deadline:%Y年%m月%d日}" if run.objection_deadline else ""
    return f"公示期：{run.notice_start:%Y年%m月%d日}{end}。对名单有异议的，请在公示期内向主管部门书面反映。"


def rows_of(run: AllocationRun) -> list[list]:
    """One line per funded application, in rank order (amounts as yuan text with the rule)."""
    return [
        [
            number,
            r["enterprise"],
            r.get("credit_code", ""),
            r.get("title", ""),
            format_yuan(r["cost_fen"]),
            format_yuan(r["amount_fen"]),
            r["rule"],
        ]
        for number, r in enumerate(run.funded_rows, start=1)
    ]


def notice_workbook(run: AllocationRun) -> bytes:
    """The 公示 list as an .xlsx workbook: heading, rule, one row per funded enterprise, totals, period."""
    wb = Workbook()
    ws = wb.active
    ws.title = "公示名单"
    ws.append([title_of(run)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"支持规则：{run.rule_text}。申报条件：{run.programme.eligibility_text}。"])
    ws.append([period_of(run)])
    ws.append([])
    ws.append(HEADER)
    for cell in ws[5]:
        cell.font = BOLD
    for row in rows_of(run):
        ws.append(row)
    ws.append(["合计", f"{run.funded_count} 家", "", "", "", format_yuan(run.total_fen), run.note])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    widths = {"A": 6, "B": 34, "C": 22, "D": 26, "E": 16, "F": 16, "G": 80}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=6, min_col=7, max_col=7):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def notice_pdf(run: AllocationRun) -> bytes:
    """The 公示 list as a landscape A4 PDF with Chinese text in the built-in CID font."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    # wordWrap="CJK" breaks lines between Chinese characters, which have no spaces to break at.
    body = ParagraphStyle("body", fontName=CJK_FONT, fontSize=9, leading=12, wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, fontSize=16, leading=22, alignment=1)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title_of(run),
    )

    def cell(value: object) -> Paragraph:
        return Paragraph(str(value).replace("&", "&amp;").replace("<", "&lt;"), body)

    table = Table(
        [[cell(h) for h in HEADER]]
        + [[cell(v) for v in row] for row in rows_of(run)]
        + [[cell("合计"), cell(f"{run.funded_count} 家"), "", "", "", cell(format_yuan(run.total_fen)), ""]],
        colWidths=[12 * mm, 50 * mm, 40 * mm, 34 * mm, 24 * mm, 26 * mm, 87 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story = [
        Paragraph(title_of(run), head),
        Spacer(1, 4 * mm),
        cell(f"支持规则：{run.rule_text}。申报条件：{run.programme.eligibility_text}。"),
        cell(period_of(run)),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 3 * mm),
        cell(run.note),
    ]
    doc.build(story)
    return buffer.getvalue()
