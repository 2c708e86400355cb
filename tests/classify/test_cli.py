"""The `classify` command-line contract: JSONL in, one JSON line out per input line, bad lines reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from lianzhang.classify import cli as classify_cli

CONTRACT_FIELDS = {"id", "is_ai_chain", "nodes", "national_2018", "confidence", "evidence"}


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    application.command()(classify_cli.classify_command)
    return application


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args))


def test_each_record_gets_the_contract_fields(app, tmp_path):
    source = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(
                {
                    "id": "a",
                    "text": "一般项目：计算机视觉算法研发；人工智能应用软件开发",
                    "name": "某视觉科技有限公司",
                }
            ),
            json.dumps({"id": 2, "text": "一般项目：手机零售；手机维修"}),
        ],
    )
    out = tmp_path / "out.jsonl"
    result = _run(app, "--input", str(source), "--output", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", 2]
    for row in rows:
        assert set(row) >= CONTRACT_FIELDS
        assert isinstance(row["is_ai_chain"], bool)
        assert row["national_2018"] in {"1.5.1", "1.5.2", "1.5.3", "none"}
        assert 0.0 <= row["confidence"] <= 1.0
    assert rows[0]["is_ai_chain"] and rows[0]["nodes"][0] == "vision"
    assert rows[0]["national_2018"] == "1.5.1"
    assert rows[0]["evidence"]["vision"][0]["text"] == "计算机视觉"
    assert not rows[1]["is_ai_chain"] and rows[1]["nodes"] == [] and rows[1]["national_2018"] == "none"


def test_evidence_spans_point_into_the_input_text(app, tmp_path):
    text = "一般項目：機器視覺系統研發；工業機器人製造"
    source = _write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": text}, ensure_ascii=False)])
    out = tmp_path / "out.jsonl"
    assert _run(app, "-i", str(source), "-o", str(out)).exit_code == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    for items in row["evidence"].values():
        for ev in items:
            assert text[ev["start"] : ev["end"]] == ev["text"]


def test_bad_lines_are_reported_with_their_number_and_written_as_error_records(app, tmp_path):
    source = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": 1, "text": "智能无人飞行器制造"}),
            "{not json",
            json.dumps({"id": 3}),
            json.dumps({"text": "没有 id"}),
            "",
            json.dumps(["a", "list"]),
            json.dumps({"id": 7, "text": "服务消费机器人制造", "name": 5}),
        ],
    )
    out = tmp_path / "out.jsonl"
    result = _run(app, "--input", str(source), "--output", str(out))
    assert result.exit_code == 0
    assert "Traceback" not in result.output
    for number in (2, 3, 4, 6, 7):
        assert f"第 {number} 行" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 6  # the empty line is skipped, every other line has exactly one output line
    assert rows[0]["id"] == 1 and rows[0]["national_2018"] == "1.5.2"
    errors = [r for r in rows if "error" in r]
    assert [e["line"] for e in errors] == [2, 3, 4, 6, 7]
    assert [e["id"] for e in errors] == [None, 3, None, None, 7]


def test_missing_input_and_unknown_chain_fail_cleanly(app, tmp_path):
    result = _run(app, "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 2 and "Traceback" not in result.output
    source = _write(tmp_path / "in.jsonl", [json.dumps({"id": 1, "text": "机器视觉"})])
    result = _run(app, "-i", str(source), "-o", str(tmp_path / "o.jsonl"), "--chain", "nope")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_big_files_show_progress_and_still_write_every_line(app, tmp_path, monkeypatch):
    monkeypatch.setattr(classify_cli, "PROGRESS_MIN_BYTES", 10)
    lines = [
        json.dumps({"id": i, "text": "一般项目：智能安防系统集成；视频监控系统开发"}) for i in range(4500)
    ]
    source = _write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    result = _run(app, "-i", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4500


def test_stream_function_counts_good_and_bad_lines(tmp_path):
    import io

    sink = io.StringIO()
    good, bad = classify_cli.classify_stream(
        io.StringIO('{"id": 1, "text": "大模型训练服务"}\nnope\n'), sink, chain_id="ai"
    )
    assert (good, bad) == (1, 1)
    assert len(sink.getvalue().splitlines()) == 2
