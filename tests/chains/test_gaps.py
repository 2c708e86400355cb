"""Weak-link analysis and the investment-attraction list over screened populations (pure engine and CLI)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from lianzhang.chains.cli import chain_app
from lianzhang.chains.engine import PopulationError, analyse_files
from lianzhang.chains.engine.population import connect, population_sql
from lianzhang.screening import screen_file
from lianzhang.screening.readers import OUTPUT_FIELDS

EXTRA = ("区划代码", "营业收入（万元）", "标签", "链主", "营收增长率", "专利数")


def enterprise(
    id: str,
    nodes: list[str],
    *,
    name: str | None = None,
    district: str = "440106",
    revenue_wan: str = "",
    tags: str = "",
    leader: str = "",
    growth: str = "",
    patents: str = "",
    confidence: float = 0.9,
) -> dict[str, Any]:
    """One record shaped like a `lianzhang screen` output row with enterprise fields carried through."""
    return {
        "id": id,
        "name": name or f"{id}公司",
        "is_ai_chain": bool(nodes),
        "nodes": nodes,
        "primary_node": nodes[0] if nodes else None,
        "national_2018": None,
        "confidence": confidence,
        "needs_review": False,
        "evidence": "{}",
        "chain_version": "1.0",
        "区划代码": district,
        "营业收入（万元）": revenue_wan or None,
        "标签": tags or None,
        "链主": leader or None,
        "营收增长率": growth or None,
        "专利数": patents or None,
    }


def write(rows: list[dict[str, Any]], path: Path) -> Path:
    """Write rows as `lianzhang screen` writes each format (CSV joins nodes with ;, has a BOM)."""
    if path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    else:
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow([*OUTPUT_FIELDS, *EXTRA])
            for r in rows:
                values = {**r, "nodes": ";".join(r["nodes"])}
                cells = []
                for key in (*OUTPUT_FIELDS, *EXTRA):
                    value = values[key]
                    cells.append(
                        "" if value is None else str(value).lower() if isinstance(value, bool) else value
                    )
                writer.writerow(cells)
    return path


# Reference: 20 enterprises on each of five nodes, plus 20 off the chain. Local: chip 1, sensor 2,
# vision 10, robot 6 (one of them the leader), phone 1, plus 5 off the chain.
def reference_rows() -> list[dict[str, Any]]:
    rows = []
    for node in ("chip", "sensor", "vision", "robot", "phone"):
        for i in range(20):
            rows.append(
                enterprise(
                    f"R-{node}-{i:02d}",
                    [node],
                    district="440305",
                    revenue_wan=str(100 * (i + 1)),
                    growth=f"{i}%",
                    patents=str(i),
                    tags="专精特新;高新" if i == 19 else "",
                )
            )
    rows += [enterprise(f"R-off-{i}", []) for i in range(20)]
    # Already local, under the same id, the same name, or in a local district: never a candidate.
    rows += [
        enterprise("L-chip-0", ["chip"], district="440305", revenue_wan="99999", tags="上市"),
        enterprise("R-chip-twin", ["chip"], name="本地芯片公司", district="440305", revenue_wan="99999"),
        enterprise("R-chip-here", ["chip"], district="440106", revenue_wan="99999", tags="上市"),
    ]
    return rows


def local_rows() -> list[dict[str, Any]]:
    rows = [enterprise("L-chip-0", ["chip"], name="本地芯片公司", revenue_wan="50", growth="1%")]
    rows += [enterprise(f"L-sensor-{i}", ["sensor"], revenue_wan="300") for i in range(2)]
    rows += [enterprise(f"L-vision-{i}", ["vision"], district="440103", revenue_wan="900") for i in range(10)]
    rows += [enterprise(f"L-robot-{i}", ["robot"], revenue_wan="800") for i in range(5)]
    rows.append(
        enterprise("L-robot-lead", ["robot"], name="本地机器人龙头", revenue_wan="90000", leader="是")
    )
    rows.append(enterprise("L-phone-0", ["phone"], revenue_wan="20"))
    rows += [enterprise(f"L-off-{i}", []) for i in range(5)]
    return rows


@pytest.fixture
def files(tmp_path) -> tuple[Path, Path]:
    return write(local_rows(), tmp_path / "local.jsonl"), write(
        reference_rows(), tmp_path / "reference.parquet"
    )


def test_the_engine_imports_without_django():
    code = (
        "import sys, lianzhang.chains.engine, lianzhang.chains.synthetic;"
        "assert 'django' not in sys.modules, 'django imported'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


def test_counts_shares_and_location_quotients_compare_chain_make_up(files):
    report = analyse_files(*files).report
    assert (report.local_total, report.local_chain) == (25, 20)
    assert (report.reference_total, report.reference_chain) == (123, 103)
    chip, vision = report.node("chip"), report.node("vision")
    assert (chip.local_count, chip.reference_count) == (1, 23)
    assert chip.local_share == 0.05 and chip.location_quotient == pytest.approx(0.05 / (23 / 103), abs=1e-3)
    assert vision.location_quotient == pytest.approx(0.5 / (20 / 103), abs=1e-3)
    assert report.node("robot").leaders == ["本地机器人龙头"]
    assert report.node("vision").revenue_fen == 10 * 900 * 1_000_000  # 万元 -> fen


def test_thin_nodes_are_weak_and_the_explanation_names_the_numbers(files):
    report = analyse_files(*files).report
    chip, phone, vision, robot = (report.node(n) for n in ("chip", "phone", "vision", "robot"))
    assert chip.weak and phone.weak and report.node("sensor").weak and not vision.weak and not robot.weak
    assert vision.strong and robot.strong
    assert chip.weak_score > vision.weak_score
    assert chip.explanation.startswith("薄弱")
    assert f"区位商 {chip.location_quotient:.2f}" in chip.explanation
    assert "本地没有链主或龙头企业" in chip.explanation
    # chip supplies the strong robot node, and the explanation says so.
    assert chip.supplies_strong == ["robot"] and "智能机器人" in chip.explanation
    assert [g.id for g in report.weak_nodes()] == ["chip", "phone", "sensor"]


def test_nodes_absent_everywhere_are_not_called_weak(files):
    report = analyse_files(*files).report
    nlp = report.node("nlp")
    assert (nlp.local_count, nlp.reference_count, nlp.weak_score, nlp.weak) == (0, 0, 0.0, False)
    assert "无从比较" in nlp.explanation


def test_supply_coverage_lists_the_missing_upstream_of_a_strong_node(files):
    robot = analyse_files(*files).report.node("robot")
    assert robot.upstream_missing == ["motion", "decision"]
    assert robot.supply_coverage == pytest.approx(3 / 5)
    assert "运动控制核心器件" in robot.explanation


def test_strong_middle_weak_ends_is_detected_by_layer_and_not_by_segment(files):
    report = analyse_files(*files).report
    by_lens = {p.lens: p for p in report.patterns}
    assert by_lens["层级"].detected and "中间强两头弱" in by_lens["层级"].explanation
    assert not by_lens["芯/器/端"].detected
    assert report.node("chip").two_ends_weak and not report.node("vision").two_ends_weak


def test_a_weak_score_needs_no_revenue_column(tmp_path):
    local = [{k: v for k, v in r.items() if k in OUTPUT_FIELDS} for r in local_rows()]
    reference = [{k: v for k, v in r.items() if k in OUTPUT_FIELDS} for r in reference_rows()]
    report = analyse_files(
        write(local, tmp_path / "l.parquet"), write(reference, tmp_path / "r.parquet")
    ).report
    chip = report.node("chip")
    assert set(chip.components) == {"presence", "supply"} and chip.weak


@pytest.mark.parametrize(("local_name", "reference_name"), [("l.csv", "r.csv"), ("l.parquet", "r.jsonl")])
def test_every_screen_output_format_gives_the_same_report(tmp_path, files, local_name, reference_name):
    expected = [n.to_dict() for n in analyse_files(*files).report.nodes]
    local = write(local_rows(), tmp_path / local_name)
    reference = write(reference_rows(), tmp_path / reference_name)
    assert [n.to_dict() for n in analyse_files(local, reference).report.nodes] == expected


def test_district_filter_keeps_only_that_districts_local_enterprises(files):
    report = analyse_files(*files, district="440103").report
    assert report.local_chain == 10 and report.node("vision").local_count == 10
    assert report.node("robot").local_count == 0


# ------------------------------------------------------------------------------------ candidates


def test_candidates_fill_weak_nodes_and_are_never_local(files):
    candidates = analyse_files(*files, top=50).candidates
    ids = [c.id for c in candidates]
    assert candidates and {c.node for c in candidates} == {"chip", "phone", "sensor"}
    assert not {"L-chip-0", "R-chip-twin", "R-chip-here"} & set(ids)
    assert not any(i.startswith("L-") for i in ids)
    assert [c.score for c in candidates] == sorted((c.score for c in candidates), reverse=True)


def test_the_strongest_chip_candidate_leads_and_its_reason_says_why(files):
    candidates = analyse_files(*files, top=50).candidates
    chips = [c for c in candidates if c.node == "chip"]
    best = chips[0]
    assert best.id == "R-chip-19"
    assert best.tags == ["专精特新", "高新"]
    assert "补 AI芯片与智能计算芯片（区位商" in best.reason
    assert "专精特新、高新" in best.reason and "营收 2,000 万元" in best.reason
    assert "可供给本地链主 本地机器人龙头 的 智能机器人 环节" in best.reason
    assert best.linkage == 1.0


def test_top_limits_the_list_and_no_node_takes_all_of_it(files):
    candidates = analyse_files(*files, top=4).candidates
    assert len(candidates) == 4
    # Three weak nodes share four places: at most ceil(2 × 4 / 3) = 3 go to one node.
    nodes = [c.node for c in candidates]
    assert max(nodes.count(n) for n in nodes) == 3 and len(set(nodes)) == 2


# ------------------------------------------------------------------------------------ command line


def invoke(*args: str):
    return CliRunner().invoke(chain_app, list(args))


def test_gaps_json_prints_the_contract_fields_per_node(files):
    result = invoke("gaps", "--local", str(files[0]), "--reference", str(files[1]), "--json")
    assert result.exit_code == 0, result.output
    nodes = json.loads(result.output)
    assert len(nodes) == 28
    assert list(nodes[0])[:6] == [
        "id",
        "local_count",
        "reference_count",
        "location_quotient",
        "weak_score",
        "explanation",
    ]
    chip = next(n for n in nodes if n["id"] == "chip")
    assert chip["local_count"] == 1 and chip["weak"] is True


def test_targets_json_prints_ranked_candidates_with_the_contract_fields(files):
    result = invoke("targets", "--local", str(files[0]), "--reference", str(files[1]), "--top", "3", "--json")
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.output)
    assert len(ranked) == 3 and list(ranked[0])[:5] == ["id", "name", "node", "score", "reason"]
    assert ranked[0]["score"] >= ranked[1]["score"] >= ranked[2]["score"]


def test_human_output_lists_weakest_first_and_the_pattern(files):
    result = invoke("gaps", "--local", str(files[0]), "--reference", str(files[1]))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].split()[1] == "chip" and "中间强两头弱" in result.output


def test_a_missing_file_is_one_clear_line(tmp_path, files):
    result = invoke("gaps", "--local", str(tmp_path / "nope.parquet"), "--reference", str(files[1]), "--json")
    assert result.exit_code == 1
    assert "本地名录文件不存在" in result.output and "Traceback" not in result.output


def test_a_file_without_screening_columns_names_what_is_missing(tmp_path, files):
    plain = tmp_path / "plain.csv"
    plain.write_text("统一社会信用代码,企业名称\n1,甲\n", encoding="utf-8")
    result = invoke("targets", "--local", str(files[0]), "--reference", str(plain), "--json")
    assert result.exit_code == 1
    message = result.output.strip()
    assert "参照名录" in message and "缺少列 id、nodes" in message and "统一社会信用代码" in message
    assert len(message.splitlines()) == 1


def test_an_unsupported_file_type_is_refused(tmp_path, files):
    other = tmp_path / "r.xlsx"
    other.write_bytes(b"")
    with pytest.raises(PopulationError, match="不支持"):
        analyse_files(files[0], other)


def test_district_filter_without_a_district_column_is_an_error(tmp_path, files):
    local = [{k: v for k, v in r.items() if k in OUTPUT_FIELDS} for r in local_rows()]
    with pytest.raises(PopulationError, match="区划"):
        analyse_files(write(local, tmp_path / "l.parquet"), files[1], district="440106")


# ------------------------------------------------------------------------------------ with real screening


def test_screen_outputs_with_carried_fields_feed_the_analysis(tmp_path):
    registry = [
        (
            "91440101A1",
            "甲视觉有限公司",
            "一般项目：计算机视觉算法研发；人脸识别算法研发",
            "440106",
            "1200",
            "高新",
        ),
        (
            "91440101A2",
            "乙机器人有限公司",
            "一般项目：工业机器人制造；服务消费机器人制造",
            "440106",
            "800",
            "",
        ),
        ("91440101A3", "丙贸易有限公司", "一般项目：五金产品批发；日用百货销售", "440103", "50", ""),
    ]
    outside = [
        (
            "91440301B1",
            "丁芯片有限公司",
            "一般项目：人工智能芯片研发；集成电路设计",
            "440305",
            "5000",
            "专精特新",
        ),
        ("91440301B2", "戊视觉有限公司", "一般项目：计算机视觉算法研发", "440305", "300", ""),
        ("91440301B3", "己机器人有限公司", "一般项目：工业机器人制造", "440305", "700", ""),
    ]
    headers = ["统一社会信用代码", "企业名称", "经营范围", "区划代码", "营业收入（万元）", "标签"]
    paths = []
    for label, rows in (("local", registry), ("reference", outside + registry)):
        source = tmp_path / f"{label}-registry.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(rows)
        output = tmp_path / f"{label}.csv"
        screen_file(source, output, workers=1)
        paths.append(output)
    analysis = analyse_files(*paths, top=5)
    assert analysis.report.node("vision").local_count == 1
    assert analysis.report.node("vision").revenue_fen == 1200 * 1_000_000
    assert analysis.report.node("chip").weak
    assert [c.id for c in analysis.candidates if c.node == "chip"] == ["91440301B1"]
    assert all(not c.id.startswith("91440101") for c in analysis.candidates)


def test_registry_fields_are_read_whatever_their_headers_units_and_types(tmp_path):
    rows = [
        {"id": "a", "nodes": ["chip"], "is_ai_chain": True, "营业收入（万元）": "1,200", "营收增长率": "25%",
         "专精特新": "是", "链主": "否", "成立日期": "2015-06-01", "从业人数": 80},
        {"id": "b", "nodes": ["chip"], "is_ai_chain": True, "营业收入（万元）": None, "营收增长率": "0.1",
         "专精特新": "否", "链主": "链主企业", "成立日期": None, "从业人数": None},
    ]  # fmt: skip
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    connection = connect()
    population = population_sql(path, "本地名录", connection)
    columns = "id, revenue_fen, growth, tags, leader, founded_year, employees"
    got = connection.execute(f"SELECT {columns} FROM ({population.sql}) ORDER BY id").fetchall()
    assert got == [
        ("a", 1200 * 1_000_000, 0.25, ";专精特新", False, 2015, 80),
        ("b", None, 0.1, ";链主", True, None, None),
    ]
    assert {"revenue_fen", "growth", "tags", "leader", "founded_year", "employees"} <= set(population.fields)


def test_a_district_analysis_never_recruits_from_the_rest_of_the_city(tmp_path):
    local = local_rows()
    # Another district of the same city has a chip enterprise that the province registry lists too.
    neighbour = enterprise("L-chip-other", ["chip"], district="440111", revenue_wan="99999", tags="上市")
    local.append(neighbour)
    reference = [*reference_rows(), neighbour]
    analysis = analyse_files(
        write(local, tmp_path / "l.parquet"),
        write(reference, tmp_path / "r.parquet"),
        district="440106",
        top=50,
    )
    assert analysis.report.node("chip").local_count == 1
    assert "L-chip-other" not in {c.id for c in analysis.candidates}
