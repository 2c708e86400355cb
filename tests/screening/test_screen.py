"""`lianzhang screen`: every input and output format, column choice, chunking, resumption, bounded memory."""

from __future__ import annotations

import csv
import itertools
import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from lianzhang.classify import classify
from lianzhang.screening import Interrupted, record_text, screen_file
from lianzhang.screening.cli import screen_command
from lianzhang.screening.local import _BoundedFeed
from lianzhang.screening.readers import OUTPUT_FIELDS, open_reader, resolve_columns
from lianzhang.screening.synthetic import synthetic_records

HEADERS = ("统一社会信用代码", "企业名称", "经营范围", "主要产品")

# Records that exercise the edges: quoting, line breaks, Traditional characters, evidence only in the
# products, an empty scope, a name that says AI over a trade scope, ids with leading zeros.
EDGE_RECORDS = [
    {
        "id": "000123",
        "name": "甲视觉科技有限公司",
        "scope": "一般项目：计算机视觉算法研发；人工智能应用软件开发",
        "products": "",
    },
    {"id": "A-2", "name": "", "scope": "一般項目：智能語音識別軟件開發；伺服器銷售", "products": ""},
    {
        "id": "A-3",
        "name": "乙贸易有限公司",
        "scope": '一般项目：服装零售，"鞋帽"批发\n日用百货销售',
        "products": "巡检机器人",
    },
    {
        "id": "A-4",
        "name": "丙人工智能有限公司",
        "scope": "一般项目：五金产品批发；建筑材料销售；餐饮管理",
        "products": "",
    },
    {"id": "A-5", "name": "丁公司", "scope": "", "products": ""},
    {
        "id": "A-6",
        "name": "戊科技有限公司",
        "scope": "一般项目：手机零售；保安服务；智能电网设备制造",
        "products": "激光雷达模组",
    },
]


def make_records(n: int = 240, seed: int = 11) -> list[dict[str, str]]:
    """Synthetic records plus the edge cases."""
    return EDGE_RECORDS + list(synthetic_records(n, seed))


def write_input(
    records: list[dict[str, str]], path: Path, encoding: str = "utf-8", title: bool = False
) -> Path:
    """Write records with the registry's Chinese headers in the format given by the extension."""
    rows = [[r["id"], r["name"], r["scope"], r["products"]] for r in records]
    suffix = path.suffix
    if suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows)
    elif suffix == ".xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("企业名录")
        if title:
            sheet.append(["2024 年企业名录（不含个体户）"])
            sheet.append([])
        sheet.append(list(HEADERS))
        for row in rows:
            sheet.append(row)
        workbook.save(path)
    elif suffix == ".parquet":
        pq.write_table(pa.table({h: [row[i] for row in rows] for i, h in enumerate(HEADERS)}), path)
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(dict(zip(HEADERS, row, strict=True)), ensure_ascii=False) + "\n")
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    """Rows of a screening output in any format, with nodes as lists and evidence parsed."""
    if path.suffix == ".parquet":
        rows = pq.read_table(path).to_pylist()
    elif path.suffix == ".jsonl":
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    else:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = []
            for raw in csv.DictReader(handle):
                rows.append(
                    {
                        "id": raw["id"] or None,
                        "name": raw["name"] or None,
                        "is_ai_chain": raw["is_ai_chain"] == "true",
                        "nodes": raw["nodes"].split(";") if raw["nodes"] else [],
                        "primary_node": raw["primary_node"] or None,
                        "national_2018": raw["national_2018"],
                        "confidence": float(raw["confidence"]),
                        "needs_review": raw["needs_review"] == "true",
                        "evidence": raw["evidence"],
                        "chain_version": raw["chain_version"],
                    }
                )
    for row in rows:
        assert tuple(row) == OUTPUT_FIELDS
        row["evidence"] = json.loads(row["evidence"])
    return rows


def expected_row(record: dict[str, str]) -> dict[str, Any]:
    """What classify() called directly says about a record, in the output's shape."""
    result = classify(record_text(record["scope"], record["products"]), record["name"] or None).to_dict()
    return {
        "id": record["id"] or None,
        "name": record["name"] or None,
        "is_ai_chain": result["is_ai_chain"],
        "nodes": result["nodes"],
        "primary_node": result["nodes"][0] if result["nodes"] else None,
        "national_2018": result["national_2018"],
        "confidence": result["confidence"],
        "needs_review": result["needs_review"],
        "evidence": result["evidence"],
        "chain_version": result["chain_version"],
    }


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    return make_records()


@pytest.fixture(scope="module")
def expected(records) -> list[dict[str, Any]]:
    return [expected_row(r) for r in records]


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()
    application.command()(screen_command)
    return application


def run_cli(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, [*args, "--no-progress"])


# ------------------------------------------------------------------------------------ results


def test_results_equal_classify_called_directly(tmp_path, records, expected):
    source = write_input(records, tmp_path / "in.parquet")
    summary = screen_file(source, tmp_path / "out.jsonl", workers=1, chunk_rows=50)
    assert read_output(tmp_path / "out.jsonl") == expected
    assert summary.rows == len(records)
    assert summary.on_chain == sum(row["is_ai_chain"] for row in expected)
    assert summary.on_chain > 20  # the synthetic records do put some enterprises on the chain


def test_products_are_appended_to_the_scope_and_count_as_evidence(tmp_path):
    record = {"id": "p1", "name": "", "scope": "一般项目：五金产品批发", "products": "计算机视觉算法研发"}
    source = write_input([record], tmp_path / "in.csv")
    screen_file(source, tmp_path / "out.jsonl", workers=1)
    [row] = read_output(tmp_path / "out.jsonl")
    assert row["is_ai_chain"] and row["primary_node"] == "vision"
    assert record_text("a", "b") == "a；b" and record_text("", "b") == "b" and record_text("a", None) == "a"


@pytest.mark.parametrize(
    ("name", "encoding", "title"),
    [
        ("in.csv", "utf-8", False),
        ("in.csv", "utf-8-sig", False),
        ("in.csv", "gb18030", False),
        ("in.xlsx", "", True),
        ("in.parquet", "", False),
        ("in.jsonl", "", False),
    ],
)
def test_each_input_format_round_trips(tmp_path, records, expected, name, encoding, title):
    source = write_input(records, tmp_path / name, encoding=encoding or "utf-8", title=title)
    screen_file(source, tmp_path / "out.parquet", workers=1, chunk_rows=64)
    assert read_output(tmp_path / "out.parquet") == expected


@pytest.mark.parametrize("out_name", ["out.parquet", "out.jsonl", "out.csv"])
def test_each_output_format_holds_the_same_results(tmp_path, records, expected, out_name):
    source = write_input(records, tmp_path / "in.jsonl")
    screen_file(source, tmp_path / out_name, workers=1, chunk_rows=100)
    assert read_output(tmp_path / out_name) == expected


def test_csv_output_joins_nodes_with_semicolons_and_opens_in_excel(tmp_path):
    record = {
        "id": "x",
        "name": "",
        "scope": "一般项目：计算机视觉算法研发；智能语音识别软件开发；人脸识别算法研发",
        "products": "",
    }
    screen_file(write_input([record], tmp_path / "in.csv"), tmp_path / "out.csv", workers=1)
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel on Chinese Windows would otherwise assume GBK
    [row] = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    nodes = classify(record["scope"]).to_dict()["nodes"]
    assert len(nodes) > 1 and row["nodes"] == ";".join(nodes)


# ------------------------------------------------------------------------------------ columns


def test_columns_are_detected_by_english_or_chinese_names_ignoring_case_and_spaces():
    chosen = resolve_columns([" ID ", "Business_Scope", "products", "企业名称"])
    assert (chosen.id, chosen.text, chosen.products, chosen.name) == (
        " ID ",
        "Business_Scope",
        "products",
        "企业名称",
    )
    chosen = resolve_columns(["credit_code", "text", "经营范围", "name"])
    assert (chosen.id, chosen.text, chosen.products, chosen.name) == ("credit_code", "text", None, "name")


def test_explicit_columns_win_and_empty_means_none(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(
        json.dumps(
            {"编号": "k1", "业务描述": "计算机视觉算法研发", "企业名称": "某视觉公司", "products": "五金"},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    screen_file(
        path,
        tmp_path / "out.jsonl",
        workers=1,
        id_column="编号",
        text_column="业务描述",
        name_column="",
        products_column="",
    )
    [row] = read_output(tmp_path / "out.jsonl")
    assert row["id"] == "k1" and row["name"] is None
    assert row == expected_row({"id": "k1", "name": "", "scope": "计算机视觉算法研发", "products": ""})


def test_explicit_columns_find_a_spreadsheet_header_below_a_title(tmp_path):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("名录")
    sheet.append(["2024 年新登记企业"])
    sheet.append(["编号", "业务描述"])
    sheet.append([1001, "一般项目：计算机视觉算法研发"])
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    screen_file(path, tmp_path / "out.jsonl", workers=1, id_column="编号", text_column="业务描述")
    [row] = read_output(tmp_path / "out.jsonl")
    assert row["id"] == "1001" and row["primary_node"] == "vision"


def test_missing_text_column_is_one_clear_line_naming_the_columns_found(app, tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("统一社会信用代码,企业名称,注册资本\n1,甲,100\n", encoding="utf-8")
    result = run_cli(app, str(path), "--output", str(tmp_path / "out.parquet"))
    assert result.exit_code == 1
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "Traceback" not in message
    assert "文本" in message and "统一社会信用代码、企业名称、注册资本" in message
    assert not (tmp_path / "out.parquet").exists()


def test_explicit_column_that_is_not_there_is_an_error(app, tmp_path):
    path = write_input(EDGE_RECORDS, tmp_path / "in.parquet")
    result = run_cli(app, str(path), "-o", str(tmp_path / "out.csv"), "--id-column", "编号")
    assert result.exit_code == 1
    assert (
        "编号" in result.output and "统一社会信用代码" in result.output and "Traceback" not in result.output
    )


@pytest.mark.parametrize(
    ("src", "out", "fragment"), [("in.xls", "out.csv", ".xls"), ("in.csv", "out.xlsx", ".xlsx")]
)
def test_unsupported_file_types_are_refused(app, tmp_path, src, out, fragment):
    (tmp_path / src).write_text("id,text\n1,x\n", encoding="utf-8")
    result = run_cli(app, str(tmp_path / src), "-o", str(tmp_path / out))
    assert result.exit_code == 1 and fragment in result.output and "Traceback" not in result.output


def test_missing_input_file_is_an_error(app, tmp_path):
    result = run_cli(app, str(tmp_path / "nope.csv"), "-o", str(tmp_path / "out.csv"))
    assert result.exit_code == 1 and "不存在" in result.output


def test_bad_json_lines_are_reported_and_skipped(app, tmp_path):
    path = tmp_path / "in.jsonl"
    good = {"id": "g", "text": "人工智能应用软件开发"}
    path.write_text(
        "\n".join([json.dumps(good, ensure_ascii=False), "{not json", "[1, 2]", "", json.dumps({"id": "h"})])
        + "\n",
        encoding="utf-8",
    )
    result = run_cli(app, str(path), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert "第 2 行" in result.output and "第 3 行" in result.output
    rows = read_output(tmp_path / "out.jsonl")
    assert [r["id"] for r in rows] == ["g", "h"]
    assert rows[1]["is_ai_chain"] is False  # no text: nothing puts it on the chain


@pytest.mark.parametrize("workers", ["1", "2"])
def test_bad_bytes_deep_in_a_csv_are_one_clear_error(app, tmp_path, workers):
    # Past the first megabyte, where the encoding was guessed from, so only the reader can find them.
    lines = ["id,text", *(f"{i},一般项目：计算机视觉算法研发；五金产品批发" for i in range(30_000))]
    path = tmp_path / "in.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b"30001,\xff\xfe\n")
    result = run_cli(
        app, str(path), "-o", str(tmp_path / "out.parquet"), "--workers", workers, "--chunk-rows", "5000"
    )
    assert result.exit_code == 1
    assert "UTF8" in result.output and "--encoding" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.parquet").exists()


def test_an_input_with_only_a_header_gives_an_empty_output(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text("id,text\n", encoding="utf-8")
    summary = screen_file(path, tmp_path / "out.csv", workers=1)
    assert summary.rows == 0
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines() == [
        ",".join(f'"{f}"' for f in OUTPUT_FIELDS)
    ]


# ------------------------------------------------------------------------------------ chunks and workers


def test_tiny_chunks_give_the_same_output_as_one_chunk(tmp_path, records):
    source = write_input(records, tmp_path / "in.csv")
    one = screen_file(source, tmp_path / "one.jsonl", workers=1, chunk_rows=1_000_000)
    tiny = screen_file(source, tmp_path / "tiny.jsonl", workers=1, chunk_rows=7)
    assert one.chunks == 1 and tiny.chunks == -(-len(records) // 7)
    assert (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "tiny.jsonl").read_bytes()


@pytest.mark.parametrize("out_name", ["out.parquet", "out.csv"])
def test_a_pool_of_workers_gives_the_same_output_as_one_process(tmp_path, records, out_name):
    source = write_input(records, tmp_path / "in.parquet")
    screen_file(source, tmp_path / f"one-{out_name}", workers=1, chunk_rows=30)
    screen_file(source, tmp_path / f"pool-{out_name}", workers=2, chunk_rows=30)
    assert read_output(tmp_path / f"one-{out_name}") == read_output(tmp_path / f"pool-{out_name}")
    assert not (tmp_path / f"pool-{out_name}.parts").exists()  # parts are removed once joined


def test_the_feed_never_hands_out_more_chunks_than_allowed():
    produced: list[int] = []

    def endless():
        for number in itertools.count():
            produced.append(number)
            yield number

    feed = _BoundedFeed(endless(), 3)
    tasks = iter(feed)
    assert [next(tasks) for _ in range(3)] == [0, 1, 2]
    got: list[int] = []
    waiting = threading.Thread(target=lambda: got.append(next(tasks)))
    waiting.start()
    waiting.join(0.5)
    assert waiting.is_alive() and got == []  # the fourth waits for a result to be taken
    assert len(produced) <= 4
    feed.taken()
    waiting.join(2)
    assert got == [3] and feed.peak == 3
    feed.stop()
    assert list(tasks) == []  # a stopped feed ends, so a terminating pool can join its thread


# ------------------------------------------------------------------------------------ resumption


@pytest.mark.parametrize(("workers", "out_name"), [(1, "out.jsonl"), (2, "out.parquet"), (2, "out.csv")])
def test_an_interrupted_run_resumes_and_gives_the_same_output_as_a_clean_run(
    tmp_path, records, workers, out_name
):
    source = write_input(records, tmp_path / "in.jsonl")
    clean = tmp_path / f"clean-{out_name}"
    screen_file(source, clean, workers=workers, chunk_rows=20)

    output = tmp_path / out_name
    with pytest.raises(Interrupted):
        screen_file(source, output, workers=workers, chunk_rows=20, stop_after=3)
    assert not output.exists()
    parts = list((tmp_path / f"{out_name}.parts").glob("part-*"))
    assert len(parts) >= 3

    resumed = screen_file(source, output, workers=workers, chunk_rows=20)
    assert resumed.resumed_chunks >= 3 and resumed.rows == len(records)
    assert resumed.on_chain == sum(r["is_ai_chain"] for r in read_output(clean))
    assert read_output(output) == read_output(clean)
    if out_name != "out.parquet":  # parquet row groups follow the chunks done, text formats are bytes
        assert output.read_bytes() == clean.read_bytes()


def test_a_killed_command_resumes_where_it_stopped(tmp_path):
    source = write_input(make_records(6000, seed=5), tmp_path / "in.parquet")
    clean = tmp_path / "clean.jsonl"
    screen_file(source, clean, workers=1, chunk_rows=100)
    output = tmp_path / "out.jsonl"
    parts = tmp_path / "out.jsonl.parts"
    command = [sys.executable, "-m", "lianzhang.screening.cli", str(source), "-o", str(output)]
    command += ["--workers", "2", "--chunk-rows", "100", "--no-progress"]
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("part-*.jsonl"))) < 5:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)  # the parent and its workers, as a power cut would
    process.wait()
    assert not output.exists(), "the run finished before it could be interrupted"
    finished_before = len(list(parts.glob("part-*.jsonl")))
    assert finished_before >= 5

    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "从断点继续" in result.stderr and "沿用上次的结果" in result.stderr
    assert output.read_bytes() == clean.read_bytes()


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(tmp_path):
    source = write_input(make_records(6000, seed=6), tmp_path / "in.csv")
    output = tmp_path / "out.parquet"
    command = [sys.executable, "-m", "lianzhang.screening.cli", str(source), "-o", str(output)]
    command += ["--workers", "2", "--chunk-rows", "100", "--no-progress"]
    process = subprocess.Popen(command, start_new_session=True, stderr=subprocess.PIPE, text=True)
    parts = tmp_path / "out.parquet.parts"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(parts.glob("part-*.parquet"))) < 3:
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGINT)  # what the terminal sends to the whole group on Ctrl+C
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "断点继续" in stderr and "Traceback" not in stderr
    resumed = screen_file(source, output, workers=2, chunk_rows=100)
    assert resumed.resumed_chunks >= 3 and resumed.rows == 6000 + len(EDGE_RECORDS)


def test_rerunning_a_finished_job_is_a_no_op_that_says_so(app, tmp_path, records):
    source = write_input(records, tmp_path / "in.parquet")
    output = tmp_path / "out.parquet"
    first = run_cli(app, str(source), "-o", str(output), "--workers", "1")
    assert first.exit_code == 0, first.output
    stamp = output.stat().st_mtime_ns
    again = run_cli(app, str(source), "-o", str(output), "--workers", "1")
    assert again.exit_code == 0 and "无需重跑" in again.output
    assert output.stat().st_mtime_ns == stamp
    forced = run_cli(app, str(source), "-o", str(output), "--workers", "1", "--restart")
    assert forced.exit_code == 0 and "无需重跑" not in forced.output and output.stat().st_mtime_ns != stamp


def test_a_changed_input_file_is_screened_again_not_taken_from_the_checkpoint(tmp_path, records):
    source = tmp_path / "in.jsonl"
    write_input(records, source)
    output = tmp_path / "out.jsonl"
    with pytest.raises(Interrupted):
        screen_file(source, output, workers=1, chunk_rows=20, stop_after=2)
    changed = [dict(r, id=f"new-{r['id']}") for r in records]  # same size class, different content
    write_input(changed, source)
    notes: list[str] = []

    class Notes:
        def start(self, total, unit): ...
        def update(self, position, rows): ...
        def note(self, message):
            notes.append(message)

    summary = screen_file(source, output, workers=1, chunk_rows=20, reporter=Notes())
    assert summary.resumed_chunks == 0 and any("已变化" in n for n in notes)
    assert [r["id"] for r in read_output(output)] == [f"new-{r['id']}" for r in records]

    # A finished output is not reused either once the input changes.
    write_input(records, source)
    again = screen_file(source, output, workers=1, chunk_rows=20)
    assert not again.already_done
    assert [r["id"] for r in read_output(output)] == [r["id"] for r in records]


def test_changed_classification_rules_invalidate_the_checkpoint(tmp_path, records):
    source = write_input(records, tmp_path / "in.parquet")
    output = tmp_path / "out.parquet"
    state_path = tmp_path / "out.parquet.screen.json"
    screen_file(source, output, workers=1)
    assert screen_file(source, output, workers=1).already_done

    # As if the output had been made with an earlier version of the chain taxonomy.
    state = json.loads(state_path.read_text(encoding="utf-8"))
    state["fingerprint"]["chain_version"] = "0.9"
    state_path.write_text(json.dumps(state), encoding="utf-8")
    redone = screen_file(source, output, workers=1)
    assert not redone.already_done and redone.rows == len(records)
    assert json.loads(state_path.read_text(encoding="utf-8"))["fingerprint"]["chain_version"] != "0.9"

    # Parts left by an interrupted run under other rules are dropped, not joined into the output.
    with pytest.raises(Interrupted):
        screen_file(source, output, workers=1, chunk_rows=20, stop_after=2, restart=True)
    state = json.loads(state_path.read_text(encoding="utf-8"))
    state["fingerprint"]["rules_sha256"] = "0" * 64
    state_path.write_text(json.dumps(state), encoding="utf-8")
    resumed = screen_file(source, output, workers=1, chunk_rows=20)
    assert resumed.resumed_chunks == 0


# ------------------------------------------------------------------------------------ memory


MEMORY_PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import pyarrow as pa
    from lianzhang.screening import readers
    from lianzhang.screening.readers import iter_chunks, open_reader, resolve_columns

    # pyarrow reads a fixed number of CSV blocks ahead; small blocks make that number visible as
    # "much less than the file" on a file of 20 MB.
    readers.CSV_BLOCK_BYTES = 64 * 1024
    reader = open_reader(Path(sys.argv[1]))
    chunks = iter_chunks(reader, resolve_columns(reader.columns()), 2000)
    rows = next(chunks).num_rows  # the first chunk imports what reading needs; count from here
    baseline = sys.getallocatedblocks()
    arrow_held = python_held = 0
    for chunk in chunks:
        assert chunk.num_rows <= 2000
        rows += chunk.num_rows
        arrow_held = max(arrow_held, pa.total_allocated_bytes())
        python_held = max(python_held, sys.getallocatedblocks() - baseline)
    print(rows, python_held, arrow_held)
    """
)


@pytest.mark.parametrize("name", ["big.csv", "big.jsonl", "big.parquet"])
def test_readers_hold_about_one_chunk_whatever_the_file_size(tmp_path, name):
    # 200,000 rows: the file is tens of megabytes, a chunk of 2,000 rows a few hundred kilobytes.
    n = 200_000
    scope = "一般项目：计算机视觉算法研发；五金产品批发；日用百货销售；"
    table = pa.table(
        {
            "id": [f"{i:08d}" for i in range(n)],
            "text": [scope + str(i) for i in range(n)],
        }
    )
    path = tmp_path / name
    if name.endswith(".csv"):
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    elif name.endswith(".parquet"):
        pq.write_table(table, path, row_group_size=n)  # one huge row group: the reader must still stream
    else:
        with path.open("w", encoding="utf-8") as handle:
            for i in range(n):
                handle.write(f'{{"id": "{i:08d}", "text": "{scope}{i}"}}\n')
    size = path.stat().st_size
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows, python_held, arrow_held = map(int, result.stdout.split())
    assert rows == n
    in_memory = table.nbytes
    # Held at once: a chunk or two plus the reader's buffers, far below the whole file in memory. (The
    # Parquet reader keeps about 8 MB of page buffers for a huge row group, as much for 1,000,000 rows.)
    assert arrow_held < in_memory / 2, (arrow_held, in_memory, size)
    if not name.endswith(".parquet"):
        assert arrow_held < in_memory / 4, (arrow_held, in_memory, size)
    # Python objects held between chunks: a few per row of one chunk, not two strings per row of the file.
    assert python_held < n / 10, python_held


def test_the_engine_imports_without_django():
    code = (
        "import sys, lianzhang.screening, lianzhang.screening.local, lianzhang.screening.readers;"
        "assert 'django' not in sys.modules, 'django imported'"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


def test_reader_reports_progress_position(tmp_path, records):
    path = write_input(records, tmp_path / "in.csv")
    reader = open_reader(path)
    columns = resolve_columns(reader.columns())
    list(reader.batches(columns, 50))
    assert reader.total == path.stat().st_size and reader.position == reader.total


# ------------------------------------------------------------------------------------ enterprise fields

FIELD_HEADERS = (
    "统一社会信用代码",
    "企业名称",
    "经营范围",
    "区划代码",
    "营业收入",
    "标签",
    "链主",
    "成立年份",
)
FIELD_ROWS = [
    [
        "f1",
        "甲视觉科技有限公司",
        "一般项目：计算机视觉算法研发",
        "440106",
        "1200000",
        "专精特新;高新",
        "是",
        "2015",
    ],
    ["f2", "乙贸易有限公司", "一般项目：五金产品批发", "440104", "", "", "", "2020"],
]
PASSED = FIELD_HEADERS[3:]


def write_fields(path: Path) -> Path:
    """The field records in the format given by the extension (numbers typed where the format can)."""
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(FIELD_HEADERS)
            writer.writerows(FIELD_ROWS)
    elif path.suffix == ".xlsx":
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("名录")
        sheet.append(list(FIELD_HEADERS))
        for row in FIELD_ROWS:
            sheet.append([int(v) if v.isdigit() and i >= 3 else (v or None) for i, v in enumerate(row)])
        workbook.save(path)
    else:
        with path.open("w", encoding="utf-8") as handle:
            for row in FIELD_ROWS:
                record = {
                    h: (int(v) if v.isdigit() and i >= 3 else v)
                    for i, (h, v) in enumerate(zip(FIELD_HEADERS, row, strict=True))
                }
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_any(path: Path) -> list[dict[str, Any]]:
    """Rows of an output as written, without assuming which fields it has (CSV cells stay text)."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [{k: v or None for k, v in row.items()} for row in csv.DictReader(handle)]


@pytest.mark.parametrize("in_name", ["in.csv", "in.xlsx", "in.jsonl"])
@pytest.mark.parametrize("out_name", ["out.parquet", "out.jsonl", "out.csv"])
def test_other_input_columns_are_passed_through_as_text_after_the_results(tmp_path, in_name, out_name):
    source = write_fields(tmp_path / in_name)
    screen_file(source, tmp_path / out_name, workers=1)
    rows = read_any(tmp_path / out_name)
    assert [tuple(row) for row in rows] == [(*OUTPUT_FIELDS, *PASSED)] * 2
    assert [row["id"] for row in rows] == ["f1", "f2"]
    assert rows[0]["primary_node"] == "vision"
    assert [row[h] for h in PASSED for row in rows[:1]] == [
        "440106",
        "1200000",
        "专精特新;高新",
        "是",
        "2015",
    ]
    # An empty cell is a missing value in every format, not an empty string in some of them.
    assert [rows[1][h] for h in PASSED] == ["440104", None, None, None, "2020"]


def test_jsonl_with_passed_through_columns_is_exactly_json_dumps(tmp_path):
    source = write_fields(tmp_path / "in.csv")
    screen_file(source, tmp_path / "out.jsonl", workers=1)
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert lines == [json.dumps(json.loads(line), ensure_ascii=False) for line in lines]


def test_a_pool_and_resumed_chunks_keep_the_passed_through_columns(tmp_path):
    rows = [
        [f"r{i}", f"企业{i}", "一般项目：智能语音识别软件开发", str(440100 + i % 7), str(i)]
        for i in range(300)
    ]
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "name", "text", "district", "revenue"])
        writer.writerows(rows)
    output = tmp_path / "out.parquet"
    with pytest.raises(Interrupted):
        screen_file(source, output, workers=1, chunk_rows=40, stop_after=2)
    summary = screen_file(source, output, workers=2, chunk_rows=40)
    assert summary.resumed_chunks == 2
    table = pq.read_table(output)
    assert table.column("district").to_pylist() == [r[3] for r in rows]
    assert table.column("revenue").to_pylist() == [r[4] for r in rows]
    assert screen_file(source, output, workers=2, chunk_rows=40).already_done


def test_a_column_named_like_a_result_field_is_left_out_with_a_note(app, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("id,text,confidence,district\nc1,计算机视觉算法研发,0.9,440106\n", encoding="utf-8")
    result = run_cli(app, str(source), "-o", str(tmp_path / "out.jsonl"), "--workers", "1")
    assert result.exit_code == 0, result.output
    assert "confidence" in result.output and "不带入输出" in result.output
    [row] = read_any(tmp_path / "out.jsonl")
    assert row["district"] == "440106" and row["confidence"] != 0.9
    assert tuple(row) == (*OUTPUT_FIELDS, "district")
