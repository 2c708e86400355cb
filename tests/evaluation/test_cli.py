"""The `evaluate` command-line contract: framework YAML + CSV in, per-entity JSON out; bad data named."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lianzhang.evaluation import cli as evaluation_cli

FRAMEWORK = """
id: mini
name: 小框架
version: "3"
entity: district
method: {weighting: ahp, draws: 200, seed: 7}
ahp: [[1, 3], ["1/3", 1]]
pillars:
  - id: innovation
    name: 创新能力
    indicators:
      - {id: patents, direction: benefit, source: imported, missing: fail, min: 0}
      - {id: rd_intensity, direction: benefit, source: imported, missing: median, min: 0, max: 100}
  - id: environment
    name: 环境保障
    indicators:
      - {id: approval_days, direction: cost, source: imported, missing: worst}
maturity:
  levels:
    - {level: L3, name: 高, when: ["score >= 60"]}
    - {level: L2, name: 中, when: ["score >= 30"]}
    - {level: L1, name: 低}
"""
DATA = "id,patents,rd_intensity,approval_days\nA,120,6.5,20\nB,40,3.0,35\nC,80,,28\nD,10,1.0,60\n"


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    application.command()(evaluation_cli.evaluate_command)
    return application


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    fw = tmp_path / "f.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(DATA, encoding="utf-8")
    return fw, data


def _run(app, fw: Path, data: Path, *extra: str):
    return CliRunner().invoke(app, ["--framework", str(fw), "--data", str(data), "--json", *extra])


def test_each_entity_gets_score_rank_pillars_and_interval(app, files):
    result = _run(app, *files)
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [e["id"] for e in out["entities"]] == ["A", "C", "B", "D"]
    for e in out["entities"]:
        assert set(e) >= {"id", "score", "rank", "pillar_scores", "rank_interval"}
        assert set(e["pillar_scores"]) == {"innovation", "environment"}
        lo, hi = e["rank_interval"]
        assert 1 <= lo <= hi <= 4
    assert out["entities"][0]["rank"] == 1 and out["entities"][0]["maturity"]["level"] == "L3"
    assert out["weights"]["pillars"] == pytest.approx({"innovation": 0.75, "environment": 0.25})
    assert sum(out["weights"]["indicators"].values()) == pytest.approx(1)
    assert out["consistency_ratio"] == pytest.approx(0.0, abs=1e-9)
    assert out["framework"] == {"id": "mini", "name": "小框架", "version": "3", "entity": "district"}
    assert out["method"]["seed"] == 7 and out["data"]["rows"] == 4 and len(out["data"]["sha256"]) == 64
    assert out["imputed"] == [{"id": "C", "indicator": "rd_intensity", "rule": "median", "value": 3.0}]


def test_scores_follow_the_published_formula(app, files):
    out = json.loads(_run(app, *files).stdout)
    # Min-max with AHP weights 0.75 (split equally) and 0.25, by hand for entity A.
    a_score = 100 * (0.375 * (120 - 10) / 110 + 0.375 * (6.5 - 1) / 5.5 + 0.25 * (60 - 20) / 40)
    assert out["entities"][0]["score"] == pytest.approx(a_score, abs=1e-4)


def test_same_seed_gives_the_same_output_and_overrides_apply(app, files):
    first = json.loads(_run(app, *files).stdout)
    again = json.loads(_run(app, *files).stdout)
    assert first["entities"] == again["entities"]
    other = json.loads(_run(app, *files, "--ranking", "topsis", "--weighting", "equal", "--seed", "9").stdout)
    assert other["method"]["ranking"] == "topsis" and other["method"]["seed"] == 9
    assert "consistency_ratio" not in other


def test_bad_number_names_row_and_column(app, files):
    fw, data = files
    data.write_text(DATA.replace("B,40,", "B,四十,"), encoding="utf-8")
    result = _run(app, fw, data)
    assert result.exit_code == 1
    assert "第 3 行（id=B）列 patents：'四十' 不是数字" in result.stderr
    assert result.stdout == ""


def test_missing_value_under_fail_rule_names_row_and_column(app, files):
    fw, data = files
    data.write_text(DATA.replace("D,10,", "D,,"), encoding="utf-8")
    result = _run(app, fw, data)
    assert result.exit_code == 1
    assert "第 5 行（id=D） 列 patents：缺失" in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,patents,rd_intensity\nA,1,2\n", "缺少指标列 approval_days"),
        ("name,patents,rd_intensity,approval_days\n", "第 1 行第 1 列应为 id"),
        (DATA + "A,1,1,1\n", "第 6 行 id A 与第 2 行重复"),
        (DATA.replace("A,120,6.5", "A,120,150"), "第 2 行（id=A）列 rd_intensity：150 超出允许范围 [0, 100]"),
        (DATA + "E,1,2\n", "第 6 行有 3 列"),
    ],
)
def test_malformed_tables_are_refused_with_the_place(app, files, text, message):
    fw, data = files
    data.write_text(text, encoding="utf-8")
    result = _run(app, fw, data)
    assert result.exit_code == 1 and message in result.stderr


def test_inconsistent_ahp_is_refused_unless_allowed(app, tmp_path):
    fw = tmp_path / "f.yaml"
    three = FRAMEWORK.replace(
        'ahp: [[1, 3], ["1/3", 1]]', 'ahp: [[1, 5, "1/5"], ["1/5", 1, 5], [5, "1/5", 1]]'
    )
    three = three.replace(
        "maturity:",
        "  - id: extra\n    indicators:\n"
        "      - {id: parks, direction: benefit, source: imported}\nmaturity:",
    )
    fw.write_text(three, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text(
        "id,patents,rd_intensity,approval_days,parks\nA,1,2,3,4\nB,2,3,4,1\nC,3,1,2,2\n", encoding="utf-8"
    )
    refused = _run(app, fw, data)
    assert refused.exit_code == 1 and "一致性不足" in refused.stderr
    allowed = _run(app, fw, data, "--allow-inconsistent")
    assert allowed.exit_code == 0 and json.loads(allowed.stdout)["consistency_ratio"] > 0.1


def test_shipped_framework_by_name_and_table_output(app, files):
    _, data = files
    result = CliRunner().invoke(app, ["--framework", "district", "--data", str(data)])
    assert result.exit_code == 1 and "缺少指标列" in result.stderr
    fw, _ = files
    table = CliRunner().invoke(app, ["--framework", str(fw), "--data", str(data)])
    assert table.exit_code == 0 and "CR = 0.0000" in table.stdout


def test_lianzhang_command_registers_evaluate(files):
    fw, data = files
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lianzhang.cli",
            "evaluate",
            "--framework",
            str(fw),
            "--data",
            str(data),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["entities"][0]["id"] == "A"


def test_engine_imports_without_django():
    code = (
        "import sys; from lianzhang.evaluation.engine import load_framework, evaluate; "
        "load_framework('district'); assert 'django' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_shipped_example_runs_with_the_shipped_district_framework(app):
    example = Path(evaluation_cli.__file__).parent / "data" / "district-example.csv"
    result = CliRunner().invoke(
        app, ["--framework", "district", "--data", str(example), "--json", "--draws", "300"]
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert len(out["entities"]) == 11 and out["consistency_ratio"] < 0.1
    assert sorted(e["rank"] for e in out["entities"]) == list(range(1, 12))
    assert {e["maturity"]["level"] for e in out["entities"]} <= {"L1", "L2", "L3", "L4", "L5"}
    assert set(out["weights"]["pillars"]) == {
        "foundation",
        "innovation",
        "application",
        "operation",
        "environment",
    }
