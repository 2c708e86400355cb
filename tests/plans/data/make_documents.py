"""Rebuild the .docx and .pdf test documents of this folder (needs python-docx and reportlab).

Run from the repository root: .venv/bin/python tests/plans/data/make_documents.py
The documents are committed, so the tests do not need reportlab.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent

DOCX_INTRO = [
    "江城市高新区人工智能产业发展工作方案（2023—2025年）",
    "为加快高新区人工智能产业发展，结合实际，制定本方案。",
    "一、工作目标",
    "到2025年，全区人工智能核心产业营业收入突破80亿元，集聚人工智能企业200家以上，其中国家级专精特新“小巨人”"
    "企业不少于5家，建成2个以上人工智能公共服务平台，人工智能应用场景开放数量达到50个左右。",
    "二、重点任务",
    "各项任务分工见下表。",
]
DOCX_TASKS = [
    ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"],
    ["一、夯实创新基础"] * 6,
    [
        "1",
        "建设人工智能算力中心",
        "建成算力规模不低于500PFLOPS的公共算力中心。",
        "区发改局",
        "区科工信局、区财政局",
        "2024年底",
    ],
    [
        "2",
        "组建人工智能创新联合体",
        "支持龙头企业牵头组建创新联合体3个。",
        "区科工信局",
        "区教育局",
        "2025年",
    ],
    ["二、推动场景应用"] * 6,
    [
        "3",
        "开放人工智能应用场景",
        "每年发布场景清单，累计开放场景50个。",
        "区政务服务数据管理局",
        "各街道办事处",
        "持续推进",
    ],
    [
        "4",
        "建设人工智能产业园",
        "建成1个人工智能产业园，入驻企业超过100家。",
        "区投资促进局、区科工信局",
        "区住建局",
        "2025年",
    ],
]
DOCX_SAFEGUARDS = [
    "三、保障措施",
    "（一）加大资金支持。对经认定的人工智能公共服务平台，按项目总投资的20%给予资助，最高不超过500万元。",
    "（二）加强统计监测。建立人工智能产业统计监测制度，主要指标见下表。",
]
DOCX_INDICATORS = [
    ["指标名称", "单位", "2022年（基期）", "2025年目标"],
    ["人工智能核心产业营业收入", "亿元", "35", "80"],
    ["人工智能企业数量", "家", "120", "≥200"],
]

PDF_PARAGRAPHS = [
    "海州市促进人工智能产业发展三年行动计划（2024—2026年）",
    "为抢抓人工智能发展重大机遇，推动人工智能与实体经济深度融合，加快建设人工智能创新应用先导城市，制定本行动计划。",
    "一、总体要求",
    "（一）指导思想。坚持创新驱动、应用牵引、生态培育，以算力、数据、算法为基础，以场景开放为牵引，以企业培育为"
    "核心，推动人工智能产业规模化、集群化发展，为全市高质量发展注入新动能。",
    "（二）发展目标。到2026年，全市人工智能产业规模超过300亿元，人工智能企业数量达到500家，培育营收超10亿元的龙头"
    "企业5家以上，建设市级以上人工智能创新平台30个，打造100个以上典型应用场景，人工智能人才规模达到2万人左右。",
    "二、主要行动",
    "（一）算力筑基行动",
    "1.建设城市智算中心。统筹全市算力资源布局，建设城市级智能计算中心和边缘计算节点，推动算力资源统一调度和普惠使用，"
    "新增智能算力1000PFLOPS以上。（市发展改革委牵头，市工业和信息化局、市数据局配合）",
    "2.推进数据要素流通。建立公共数据授权运营机制，建设行业高质量数据集，探索数据资产登记和交易，培育数据标注和数据"
    "服务企业。（市数据局牵头，市财政局、各区人民政府配合）",
    "（二）场景牵引行动",
    "3.开放标杆应用场景。每年发布场景机会清单，在政务服务、城市治理、交通出行、医疗健康等领域开放一批标杆场景，"
    "组织供需对接活动。（市工业和信息化局、市交通运输局、市卫生健康委按职责分工负责）",
    "4.推动制造业智能化改造。推广机器视觉质检、预测性维护、智能排产等应用，支持200家规上工业企业实施智能化改造，"
    "建设一批智能工厂和数字化车间。（市工业和信息化局牵头，各区人民政府配合）",
    "（三）主体培育行动",
    "5.引育龙头企业。围绕智能芯片、大模型、智能终端等领域开展精准招商，引进一批具有核心技术的龙头企业和研发"
    "中心。（市投资促进局牵头，市商务局、市科技局配合）",
    "6.培育专精特新企业。建立人工智能企业梯度培育库，新认定专精特新企业50家。（市科技局牵头）",
    "三、保障措施",
    "（一）强化组织领导。建立市人工智能产业发展工作专班，统筹推进重大事项。（市工业和信息化局牵头）",
    "（二）加大政策支持。对新获批的国家级人工智能创新平台，给予一次性奖励1000万元；对企业购买算力服务的，按实际"
    "费用的30%给予补贴，单家企业每年最高200万元。",
    "（三）加强宣传推广。总结推广典型经验做法，营造全社会关注和支持人工智能发展的良好氛围。",
]


def make_docx(path: Path) -> None:
    """The district work plan with a task table and an indicator table."""
    import docx

    document = docx.Document()
    for text in DOCX_INTRO:
        document.add_paragraph(text)
    _add_table(document, DOCX_TASKS)
    for text in DOCX_SAFEGUARDS:
        document.add_paragraph(text)
    _add_table(document, DOCX_INDICATORS)
    document.save(str(path))


def _add_table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    for r, row in enumerate(rows):
        if len(set(row)) == 1:
            # A group row: one cell merged across the table.
            merged = table.cell(r, 0).merge(table.cell(r, len(row) - 1))
            merged.text = row[0]
            continue
        for c, text in enumerate(row):
            table.cell(r, c).text = text


def make_pdf(path: Path) -> None:
    """The city action plan as a two-page PDF, paragraphs wrapped at the page width, page numbers below."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle(
        "body", fontName="STSong-Light", fontSize=10.5, leading=17, wordWrap="CJK", firstLineIndent=21
    )
    title = ParagraphStyle("title", parent=body, fontSize=13, alignment=1, firstLineIndent=0, spaceAfter=8)

    def footer(canvas, doc) -> None:
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A5[0] / 2, 20, f"- {doc.page} -")

    document = SimpleDocTemplate(
        str(path), pagesize=A5, leftMargin=40, rightMargin=40, topMargin=40, bottomMargin=40
    )
    flow = [Paragraph(PDF_PARAGRAPHS[0], title)] + [Paragraph(text, body) for text in PDF_PARAGRAPHS[1:]]
    document.build(flow, onFirstPage=footer, onLaterPages=footer)


if __name__ == "__main__":
    make_docx(HERE / "district_task_table.docx")
    make_pdf(HERE / "city_plan_wrapped.pdf")
    print("written:", HERE / "district_task_table.docx", HERE / "city_plan_wrapped.pdf")
