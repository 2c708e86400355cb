"""The responsibility matrix and its 任务分工表 exports (Excel and Word)."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from lianzhang.plans import services
from tests.plans_platform.conftest import UNKNOWN_NAME

pytestmark = pytest.mark.django_db

EXPECTED_ROWS = [
    ["1", "培育链主企业", "市工信局", "市科技局、市发展改革委"],
    ["2", "建设产业园区", "市科技局", "市工信局、市规划和自然资源局"],
    ["3", "开展场景创新", "市科技局", UNKNOWN_NAME],
    ["4", "加强人才引育", "市人社局", "市科技局"],
]


def test_the_matrix_puts_lead_and_cooperating_in_each_departments_column(personas, confirmed_plan) -> None:
    matrix = services.responsibility_matrix(personas["district"].actor, confirmed_plan.pk)
    assert matrix.departments[0] == "市科技局"  # leads the most tasks
    assert matrix.totals["市科技局"] == {"lead": 2, "cooperating": 2}
    assert matrix.totals["市工信局"] == {"lead": 1, "cooperating": 1}
    first = matrix.rows[0]
    assert first["cells"] == {"市工信局": "牵头", "市科技局": "配合", "市发展改革委": "配合"}


def test_the_excel_export_opens_with_the_familiar_columns_and_rows(personas, confirmed_plan) -> None:
    data = services.export_matrix(personas["department"].actor, confirmed_plan.pk, "xlsx")
    book = load_workbook(io.BytesIO(data))
    sheet = book["任务分工表"]
    rows = [[("" if c is None else str(c)) for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == f"{confirmed_plan.title}任务分工表"
    assert rows[1] == ["序号", "任务", "牵头单位", "配合单位"]
    assert rows[2:] == EXPECTED_ROWS
    grid = list(book["责任矩阵"].iter_rows(values_only=True))
    header = list(grid[0])
    assert header[:3] == ["序号", "编号", "任务"]
    assert grid[1][header.index("市工信局")] == "牵头"
    assert grid[1][header.index("市科技局")] == "配合"
    assert grid[1][header.index("市人社局")] in (None, "")


def test_the_word_export_opens_with_the_same_table(personas, confirmed_plan) -> None:
    data = services.export_matrix(personas["chain_office"].actor, confirmed_plan.pk, "docx")
    document = Document(io.BytesIO(data))
    assert document.paragraphs[0].text == f"{confirmed_plan.title}任务分工表"
    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "任务", "牵头单位", "配合单位"]
    assert rows[1:] == EXPECTED_ROWS


def test_the_export_pages_download_files(personas, confirmed_plan) -> None:
    client = personas["district"].client
    xlsx = client.get(f"/plans/{confirmed_plan.pk}/matrix.xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in xlsx["Content-Disposition"]
    docx = client.get(f"/plans/{confirmed_plan.pk}/matrix.docx")
    assert docx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content))["任务分工表"].max_row == 6
    assert client.get(f"/plans/{confirmed_plan.pk}/matrix.pdf").status_code == 404


def test_the_matrix_page_and_its_json_twin_agree(personas, confirmed_plan) -> None:
    client = personas["chain_office"].client
    page = client.get(f"/plans/{confirmed_plan.pk}/matrix/").content.decode()
    data = client.get(f"/api/plans/{confirmed_plan.pk}/matrix").json()
    assert [r["title"] for r in data["rows"]] == [r[1] for r in EXPECTED_ROWS]
    for department in data["departments"]:
        assert department in page
    leads = sum(1 for r in data["rows"] for role in r["cells"].values() if role == "牵头")
    cooperating = sum(1 for r in data["rows"] for role in r["cells"].values() if role == "配合")
    assert page.count('class="cell lead"') == leads > 0
    assert page.count('class="cell cooperating"') == cooperating > 0
