"""Detection quality on planted data with known answers, and the scan's output contract."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lianzhang.cli import app
from lianzhang.opendata.deid import quality, synthetic
from lianzhang.opendata.deid.detect import TYPES, classify_runs
from lianzhang.opendata.deid.scan import scan_file
from lianzhang.opendata.deid.validators import id_card_valid

CHECKSUM_TYPES = ("id_card", "bank_card", "uscc", "mobile", "email", "ip")


@pytest.fixture(scope="module")
def planted() -> synthetic.Planted:
    return synthetic.generate(4000, seed=20261122)


def test_precision_and_recall_on_planted_data(planted):
    scores = {kind: (s["precision"], s["recall"]) for kind, s in quality.cell_scores(planted).items()}
    for kind in CHECKSUM_TYPES:
        precision, recall = scores[kind]
        assert precision >= 0.99 and recall >= 0.99, (kind, scores[kind])
    for kind in ("person_name", "address"):
        precision, recall = scores[kind]
        assert precision >= 0.90 and recall >= 0.90, (kind, scores[kind])
    for kind in ("phone", "passport", "plate"):
        assert min(scores[kind]) >= 0.95, (kind, scores[kind])


def test_order_numbers_and_mistyped_ids_are_not_id_cards():
    rng = random.Random(5)
    orders = [synthetic.order_number(rng) for _ in range(3000)]
    accounts = [synthetic.account_number(rng) for _ in range(300)]
    bad_ids = [synthetic.id_card(rng, valid=False) for _ in range(3000)]
    kinds = classify_runs(orders + accounts + bad_ids)
    assert "id_card" not in kinds
    assert not any(id_card_valid(v) for v in bad_ids)
    good = [synthetic.id_card(rng) for _ in range(500)]
    assert classify_runs(good) == ["id_card"] * 500


def test_id_card_shaped_order_number_with_a_province_prefix_is_not_an_id():
    # An order number may begin like an ID (44 = Guangdong, a real date) yet fail the check digit.
    body = "44010619900307123"
    wrong = next(c for c in "0123456789X" if c != synthetic.ID_CHECK[
        sum(int(d) * w for d, w in zip(body, synthetic.ID_WEIGHTS, strict=True)) % 11])
    assert classify_runs([body + wrong]) == [None]


def test_scan_counts_match_the_planted_truth(planted, tmp_path):
    path = synthetic.write_csv(planted, tmp_path / "people.csv", encoding="gb18030")
    result = scan_file(path)
    truth = Counter((column, kind) for _, column, kind, _ in planted.truth)
    columns = {c["name"]: c for c in result["columns"]}
    for (column, kind), n in truth.items():
        got = columns[column]["types"].get(kind, 0)
        assert abs(got - n) <= 0.01 * n + 1, (column, kind, got, n)
    assert set(columns["证件号码"]["types"]) == {"id_card", "uscc"}
    kinds = {q["name"]: q["kind"] for q in result["quasi_identifiers"]}
    assert kinds == {"性别": "sex", "出生日期": "birth_date", "年龄": "age"}
    assert result["rows"] == 4000
    assert result["total_findings"] == sum(sum(c["types"].values()) for c in result["columns"])


def test_cli_scan_json_shape_and_masked_examples(tmp_path):
    planted = synthetic.generate(300, seed=3)
    path = synthetic.write_csv(planted, tmp_path / "people.csv")
    result = CliRunner().invoke(app, ["deid", "scan", str(path), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) >= {"columns", "total_findings"}
    assert [c["name"] for c in out["columns"]] == list(planted.columns)
    for column in out["columns"]:
        assert set(column) >= {"name", "types", "examples"}
        assert set(column["types"]) <= set(TYPES)
        assert len(column["examples"]) <= 3
    raw = {value for _, _, _, value in planted.truth}
    shown = [e["value"] for c in out["columns"] for e in c["examples"]]
    assert shown and not raw & set(shown)
    assert all("*" in value for value in shown)


def test_scan_reads_xlsx_and_jsonl(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["联系人", "电话", "金额"])
    sheet.append(["张伟", 13812345678, 12.5])
    sheet.append(["李秀英", "020-83123456", 3])
    book.save(tmp_path / "t.xlsx")
    xlsx = {c["name"]: c["types"] for c in scan_file(tmp_path / "t.xlsx")["columns"]}
    assert xlsx == {"联系人": {"person_name": 2}, "电话": {"mobile": 1, "phone": 1}, "金额": {}}
    lines = [
        {"id": 1, "text": "患者李秀英，邮箱ab12@qq.com"}, {"id": 2, "text": "登录IP 10.2.3.4", "extra": "x"}
    ]
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    jsonl = {c["name"]: c["types"] for c in scan_file(tmp_path / "t.jsonl")["columns"]}
    assert jsonl == {"id": {}, "text": {"person_name": 1, "email": 1, "ip": 1}, "extra": {}}


def test_unreadable_file_is_a_clear_message(tmp_path):
    bad = tmp_path / "x.pdf"
    bad.write_text("x")
    result = CliRunner().invoke(app, ["deid", "scan", str(bad), "--json"])
    assert result.exit_code == 2 and "不支持的文件类型" in result.output


def test_the_engine_imports_without_django():
    code = (
        "import sys, lianzhang.opendata.deid.scan, lianzhang.opendata.deid.process;"
        "import lianzhang.opendata.deid.cli;"
        "assert 'django' not in sys.modules, 'django imported'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)
