"""`lianzhang plan parse`: the JSON contract, the readable summary and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lianzhang.plans.cli import plan_app

DATA = Path(__file__).resolve().parent / "data"
runner = CliRunner()

# A valid PDF whose only page carries no text, as a scanned document without OCR would.
BLANK_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _parse(*args: str):
    return runner.invoke(plan_app, ["parse", *args])


def test_json_output_follows_the_contract():
    result = _parse(str(DATA / "city_plan_wrapped.pdf"), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"tasks", "targets", "rules"} <= set(data)
    task = data["tasks"][0]
    assert {"number", "title", "lead", "cooperating"} <= set(task)
    assert (task["number"], task["lead"], task["cooperating"]) == (
        "二.(一).1",
        ["市发展改革委"],
        ["市工业和信息化局", "市数据局"],
    )
    target = data["targets"][0]
    assert {"text", "metric", "value", "unit", "comparator", "deadline"} <= set(target)
    assert (target["value"], target["unit"], target["comparator"], target["deadline"]) == (
        300,
        "亿元",
        ">",
        "2026",
    )
    assert {(r["value"], r["unit"]) for r in data["rules"]} >= {(30, "%"), (200, "万元")}


def test_department_names_come_out_in_simplified_characters():
    data = json.loads(_parse(str(DATA / "traditional_labelled.txt"), "--json").stdout)
    assert data["tasks"][0]["lead"] == ["市科技局"]
    assert data["tasks"][1]["cooperating"] == ["市金融局", "各区政府"]
    assert data["unknown_departments"] == ["市经济和资讯化局"]


def test_each_department_carries_its_directory_record():
    data = json.loads(_parse(str(DATA / "circled_boxes.txt"), "--json").stdout)
    first = data["tasks"][0]["departments"][0]
    assert first == {
        "name": "市工业和信息化局",
        "role": "lead",
        "id": "dongguan.industry_it",
        "canonical": "东莞市工业和信息化局",
        "known": True,
    }


def test_city_option_chooses_the_directory_city():
    data = json.loads(_parse(str(DATA / "city_plan_wrapped.pdf"), "--json", "--city", "guangzhou").stdout)
    assert data["city"] == "guangzhou"
    assert data["tasks"][0]["departments"][0]["canonical"] == "广州市发展和改革委员会"


def test_summary_without_json_is_readable():
    result = _parse(str(DATA / "district_task_table.docx"))
    assert result.exit_code == 0
    assert "任务 4 项" in result.stdout
    assert "一.1  建设人工智能算力中心  牵头：区发改局  配合：区科工信局、区财政局" in result.stdout
    assert "人工智能核心产业营业收入：超过80亿元（2025年）" in result.stdout
    assert "政策参数 2 项" in result.stdout


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "文件不存在"),
        ("plan.rtf", b"{\\rtf1 hello}", "不支持的文件类型 .rtf"),
        ("plan.doc", b"\xd0\xcf\x11\xe0", "请另存为 .docx"),
        ("broken.pdf", b"this is not a pdf", "无法读取 PDF"),
        ("scanned.pdf", BLANK_PDF, "没有可提取的文字"),
        ("broken.docx", b"PK not really a zip", "无法读取 Word 文档"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_code_1(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = _parse(str(path), "--json")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_an_unknown_city_is_an_error():
    result = _parse(str(DATA / "circled_boxes.txt"), "--city", "atlantis")
    assert result.exit_code == 1
    assert "未知的城市" in result.stderr
