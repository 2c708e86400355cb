"""The `match` command-line contract: two JSONL files in, {scenario id: [{supplier, score, reason}]} out."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from lianzhang.cli import app as main_app
from lianzhang.scenarios.cli import match_command


def _app() -> typer.Typer:
    application = typer.Typer()
    application.command()(match_command)
    return application


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )
    return path


SCENARIOS = [
    {"id": "s1", "title": "外观检测", "text": "产品靠人工目检，划痕漏检多"},
    {"id": "s2", "title": "设备停机", "text": "设备经常突然停机"},
]
SUPPLIERS = [
    {"id": "p1", "name": "视觉公司", "text": "工业视觉缺陷检测系统研发"},
    {"id": "p2", "name": "预维公司", "text": "预测性维护与故障预警平台"},
    {"id": "p3", "name": "手机店", "text": "手机销售维修"},
]


def _run(tmp_path: Path, scenarios: list, suppliers: list, *extra: str):
    s = _write(tmp_path / "S.jsonl", scenarios)
    p = _write(tmp_path / "P.jsonl", suppliers)
    args = ["--scenarios", str(s), "--suppliers", str(p), *extra]
    return CliRunner().invoke(_app(), args)


def test_json_output_maps_each_scenario_to_ranked_suppliers_with_score_and_reason(tmp_path):
    result = _run(tmp_path, SCENARIOS, SUPPLIERS, "--top", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["s1", "s2"]
    assert data["s1"][0]["supplier"] == "p1"
    assert data["s2"][0]["supplier"] == "p2"
    assert all(set(m) == {"supplier", "score", "reason"} and m["reason"] for m in data["s1"])
    assert len(data["s1"]) == 2
    assert data["s1"][0]["score"] >= data["s1"][1]["score"]


def test_the_command_is_registered_on_the_main_cli(tmp_path):
    s = _write(tmp_path / "S.jsonl", SCENARIOS)
    p = _write(tmp_path / "P.jsonl", SUPPLIERS)
    result = CliRunner().invoke(main_app, ["match", "--scenarios", str(s), "--suppliers", str(p), "--json"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {"s1", "s2"}


def test_a_line_without_text_is_reported_with_file_line_and_field_and_nothing_is_printed(tmp_path):
    result = _run(tmp_path, [SCENARIOS[0], {"id": "s2", "title": "x"}], SUPPLIERS, "--json")
    assert result.exit_code == 2
    assert "S.jsonl 第 2 行：缺少字段 text" in result.output
    assert "{" not in result.stdout


def test_bad_json_and_duplicate_ids_are_reported(tmp_path):
    result = _run(tmp_path, SCENARIOS, [SUPPLIERS[0], "{oops"], "--json")
    assert result.exit_code == 2
    assert "P.jsonl 第 2 行：不是合法的 JSON" in result.output
    result = _run(tmp_path, SCENARIOS, [SUPPLIERS[0], SUPPLIERS[0]], "--json")
    assert "P.jsonl 第 2 行：字段 id 的值 p1 与第 1 行重复" in result.output


def test_a_missing_file_is_reported(tmp_path):
    result = CliRunner().invoke(
        _app(), ["--scenarios", str(tmp_path / "none.jsonl"), "--suppliers", str(tmp_path / "x"), "--json"]
    )
    assert result.exit_code == 2
    assert "文件不存在" in result.output


def test_without_json_a_readable_list_is_printed(tmp_path):
    result = _run(tmp_path, SCENARIOS[:1], SUPPLIERS, "--top", "1")
    assert result.exit_code == 0
    assert "场景 s1" in result.stdout and "p1" in result.stdout


def test_numeric_supplier_ids_come_back_as_numbers(tmp_path):
    suppliers = [{"id": 7, "name": "视觉公司", "text": "工业视觉缺陷检测系统研发"}]
    result = _run(tmp_path, SCENARIOS[:1], suppliers, "--json")
    assert json.loads(result.stdout)["s1"][0]["supplier"] == 7


def test_a_supplier_with_a_name_but_empty_text_is_still_ranked(tmp_path):
    suppliers = [*SUPPLIERS, {"id": "p4", "name": "某视觉检测公司", "text": ""}]
    result = _run(tmp_path, SCENARIOS[:1], suppliers, "--top", "4", "--json")
    assert result.exit_code == 0
    assert "p4" in [m["supplier"] for m in json.loads(result.stdout)["s1"]]
    result = _run(tmp_path, SCENARIOS[:1], [{"id": "p5", "text": " "}], "--json")
    assert result.exit_code == 2 and "P.jsonl 第 1 行：字段 text 为空" in result.output
