"""`lianzhang deid apply`: every action, k-anonymity, refusal when an identifier survives, bad policies."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lianzhang.cli import app
from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.deid.policy import PolicyError, parse_policy
from lianzhang.opendata.deid.process import (
    generalise_address,
    generalise_age,
    generalise_date,
    pseudonym,
    redact,
)
from lianzhang.opendata.deid.scan import scan_file

SECRET = "dataset-2026-secret-key"
SAFE_POLICY = {
    "secret": SECRET,
    "quasi_identifiers": ["性别", "出生日期", "住址"],
    "columns": {
        "序号": "keep",
        "姓名": "pseudonymise",
        "出生日期": {"action": "generalise", "to": "year"},
        "年龄": {"action": "generalise", "to": "band", "band": 10},
        "证件号码": "drop",
        "手机": {"action": "mask", "keep_head": 3, "keep_tail": 2},
        "住址": {"action": "generalise", "to": "district"},
        "备注": "redact",
    },
}


@pytest.fixture(scope="module")
def people(tmp_path_factory) -> tuple[synthetic.Planted, Path]:
    planted = synthetic.generate(600, seed=9)
    return planted, synthetic.write_csv(planted, tmp_path_factory.mktemp("in") / "people.csv")


def _apply(tmp_path: Path, source: Path, policy: dict, out_name: str = "out.csv"):
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text(yaml.safe_dump(policy, allow_unicode=True), encoding="utf-8")
    out, report = tmp_path / out_name, tmp_path / "report.json"
    result = CliRunner().invoke(
        app, ["deid", "apply", str(source), "--policy", str(policy_path), "--output", str(out),
              "--report", str(report)]
    )
    return result, out, report


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_action_and_a_clean_rescan(people, tmp_path):
    planted, source = people
    result, out, report_path = _apply(tmp_path, source, {**SAFE_POLICY, "suppress": "values"})
    assert result.exit_code == 0, result.output
    rows = _rows(out)
    assert len(rows) == 600 and "证件号码" not in rows[0]
    for row, original in zip(rows, planted.rows, strict=True):
        assert row["序号"] == original[0]
        assert row["姓名"] == pseudonym(SECRET.encode(), original[1]) and row["姓名"].isalpha()
        assert row["年龄"] == generalise_age(original[4], 10)
        assert row["手机"] == original[6][:3] + "******" + original[6][-2:]
        if row["出生日期"] != "*":  # suppressed as a rare combination
            assert row["出生日期"] == original[3][:4]
            assert original[7].startswith(row["住址"]) and "号" not in row["住址"]
    # The same person gets the same token within the release, so joins still work.
    by_name: dict[str, set[str]] = {}
    for row, original in zip(rows, planted.rows, strict=True):
        by_name.setdefault(original[1], set()).add(row["姓名"])
    assert all(len(tokens) == 1 for tokens in by_name.values())
    notes = "".join(row["备注"] for row in rows)
    assert "<id_card>" in notes and "<mobile>" in notes and "订单号" in notes
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["status"] == "written" and report["verification"]["direct_identifiers_remaining"] == {}
    assert report["found"]["证件号码"]["id_card"] > 0
    actions = {a["column"]: a["action"] for a in report["actions"]}
    assert actions["证件号码"] == "drop" and actions["姓名"] == "pseudonymise" and actions["性别"] == "keep"
    assert scan_file(out)["columns"][1]["types"] == {}


def test_k_anonymity_reports_violating_rows_and_residual_risk(tmp_path):
    header = ["性别", "年龄", "诊断"]
    rows = [["男", "34", "感冒"]] * 6 + [["女", "36", "感冒"]] * 5
    rows += [["女", "71", "骨折"], ["男", "92", "骨折"]]
    source = tmp_path / "t.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    policy = {"k": 5, "quasi_identifiers": ["性别", "年龄"],
              "columns": {"年龄": {"action": "generalise", "to": "band", "band": 10}}}
    result, out, report_path = _apply(tmp_path, source, policy)
    assert result.exit_code == 0, result.output
    k = json.loads(report_path.read_text(encoding="utf-8"))["k_anonymity"]
    assert k["satisfied"] is False and k["violating_rows"] == 2 and k["violating_row_numbers"] == [12, 13]
    assert k["min_class_size"] == 1
    assert k["residual_risk"]["max_reidentification_probability"] == 1.0
    assert k["residual_risk"]["rows_below_k_share"] == round(2 / 13, 6)
    assert "未满足 5-匿名" in result.output

    result, out, report_path = _apply(tmp_path, source, {**policy, "suppress": "rows"})
    k = json.loads(report_path.read_text(encoding="utf-8"))["k_anonymity"]
    assert k["satisfied"] is True and k["suppressed"] == 2 and len(_rows(out)) == 11
    assert k["residual_risk"]["max_reidentification_probability"] == 0.2
    assert k["before_suppression"]["satisfied"] is False


def test_refuses_output_when_a_direct_identifier_survives(people, tmp_path):
    _, source = people
    policy = {**SAFE_POLICY, "columns": {**SAFE_POLICY["columns"], "手机": "keep"}}
    result, out, report_path = _apply(tmp_path, source, policy)
    assert result.exit_code == 1
    assert "拒绝输出" in result.output and "手机" in result.output
    assert not out.exists() and not list(tmp_path.glob("*.partial*"))
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["status"] == "refused"
    assert report["verification"]["direct_identifiers_remaining"] == {"手机": {"mobile": 600}}


def test_refuses_free_text_that_is_kept(people, tmp_path):
    _, source = people
    policy = {**SAFE_POLICY, "columns": {**SAFE_POLICY["columns"], "备注": "keep"}}
    result, out, _ = _apply(tmp_path, source, policy, out_name="out.xlsx")
    assert result.exit_code == 1 and not out.exists()


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ({"电话号码": "drop"}, "策略中的列“电话号码”不在文件中"),
        ({"手机": "encrypt"}, "列“手机”的处理方式“encrypt”未知"),
        ({"住址": {"action": "generalise", "to": "province"}}, "列“住址”的泛化目标"),
        ({"手机": {"action": "mask", "keep_head": -1}}, "列“手机”的 keep_head"),
    ],
)
def test_bad_policy_names_the_column_and_writes_nothing(people, tmp_path, columns, message):
    _, source = people
    result, out, report = _apply(tmp_path, source, {"secret": SECRET, "columns": columns})
    assert result.exit_code == 2 and message in result.output
    assert not out.exists() and not report.exists()


def test_pseudonymise_needs_a_secret(monkeypatch):
    monkeypatch.delenv("LIANZHANG_DEID_SECRET", raising=False)
    with pytest.raises(PolicyError, match="LIANZHANG_DEID_SECRET"):
        parse_policy({"columns": {"姓名": "pseudonymise"}}, ["姓名"])
    monkeypatch.setenv("LIANZHANG_DEID_SECRET", SECRET)
    assert parse_policy({"columns": {"姓名": "pseudonymise"}}, ["姓名"]).secret == SECRET.encode()


def test_generalisers():
    assert generalise_date("1980-05-12", "year") == "1980"
    assert generalise_date("1980/5/12", "month") == "1980-05"
    assert generalise_date("19800512", "month") == "1980-05"
    assert generalise_date("1980年5月12日", "month") == "1980-05"
    assert generalise_date("不详", "year") == ""
    assert generalise_age("37", 10) == "30-39" and generalise_age("5岁", 5) == "5-9"
    assert generalise_age("?", 5) == ""
    assert generalise_address("广东省广州市天河区体育西路123号5栋801室", "district") == "广东省广州市天河区"
    assert generalise_address("东莞市石排镇中山村3组", "town") == "东莞市石排镇"
    assert generalise_address("广东省东莞市南城街道鸿福路88号", "town") == "广东省东莞市南城街道"
    assert generalise_address("上海市浦东新区世纪大道100号", "district") == "上海市浦东新区"
    assert pseudonym(b"k1" * 8, "张伟") == pseudonym(b"k1" * 8, "张伟") != pseudonym(b"k2" * 8, "张伟")


def test_jsonl_in_jsonl_out(tmp_path):
    source = tmp_path / "t.jsonl"
    records = [{"name": "陈晓红", "mobile": "13912345678", "city": "东莞"} for _ in range(5)]
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    policy = {"quasi_identifiers": ["city"], "columns": {"name": "drop", "mobile": {"action": "mask",
              "keep_head": 3, "keep_tail": 4}}}
    result, out, _ = _apply(tmp_path, source, policy, out_name="out.jsonl")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines[0] == {"mobile": "139****5678", "city": "东莞"} and len(lines) == 5


def test_redact_keeps_cells_aligned_even_with_a_stray_separator():
    cells = ["联系人：陈晓红，电话13912345678", "无", ""]
    assert redact(cells) == ["联系人：<person_name>，电话<mobile>", "无", ""]
    assert redact(["a\x1f13912345678", "b"]) == ["a <mobile>", "b"]
