"""The Spark engine runs the same engine function as a pandas UDF and gives exactly the local results.

Run with `pytest -m spark -p no:xdist tests/screening/test_spark.py`: a real SparkSession in local mode
(pyspark and Java 17+ needed). When the marker is selected and either is missing, the tests fail
instead of skipping, so that a CI step that is meant to check Spark cannot pass without it.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from lianzhang.screening import screen_file
from lianzhang.screening.cli import screen_command
from tests.screening.test_screen import (
    EDGE_RECORDS,
    expected_row,
    make_records,
    read_any,
    read_output,
    write_fields,
    write_input,
)

pytestmark = [
    pytest.mark.spark,
    # PySpark 4 warns about pandas 3 on every UDF; the results are checked here instead.
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


@pytest.fixture(scope="module")
def spark():
    from lianzhang.screening.spark import SparkUnavailable, spark_session

    try:
        # Small Arrow batches, so that each partition goes through the UDF in several batches.
        session = spark_session("local[2]", batch_rows=64, partitions=2)
    except SparkUnavailable as exc:
        pytest.fail(f"the Spark tests need pyspark and a Java runtime: {exc}")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    return make_records(400, seed=23)


def _both(source: Path, out_dir: Path, out_name: str) -> tuple[Path, Path]:
    local = out_dir / f"local-{out_name}"
    on_spark = out_dir / f"spark-{out_name}"
    screen_file(source, local, engine="local", workers=2, chunk_rows=50)
    summary = screen_file(source, on_spark, engine="spark", workers=2, chunk_rows=50)
    assert summary.engine == "spark" and not summary.already_done
    return local, on_spark


@pytest.mark.parametrize("in_name", ["in.parquet", "in.csv", "in.jsonl", "in.xlsx"])
def test_spark_gives_exactly_the_local_results_for_each_input_format(spark, tmp_path, records, in_name):
    source = write_input(records, tmp_path / in_name)
    local, on_spark = _both(source, tmp_path, "out.parquet")
    assert pq.read_table(on_spark).equals(pq.read_table(local))
    assert read_output(on_spark) == [expected_row(r) for r in records]


@pytest.mark.parametrize("out_name", ["out.jsonl", "out.csv"])
def test_spark_writes_byte_identical_text_outputs(spark, tmp_path, records, out_name):
    source = write_input(records, tmp_path / "in.csv", encoding="gb18030")
    local, on_spark = _both(source, tmp_path, out_name)
    assert on_spark.read_bytes() == local.read_bytes()


def test_spark_keeps_input_order_across_many_partitions(spark, tmp_path, records):
    source = write_input(records * 5, tmp_path / "in.jsonl")
    # Split the file into many partitions, so that order has to come from (file, block, row).
    spark.conf.set("spark.sql.files.maxPartitionBytes", str(64 * 1024))
    spark.conf.set("spark.sql.files.openCostInBytes", str(1024))
    try:
        frame = spark.read.json(str(source))
        assert frame.rdd.getNumPartitions() > 3
        local, on_spark = _both(source, tmp_path, "out.jsonl")
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
        spark.conf.unset("spark.sql.files.openCostInBytes")
    assert on_spark.read_bytes() == local.read_bytes()


def test_the_command_runs_on_spark_and_a_rerun_is_a_no_op(spark, tmp_path):
    source = write_input(EDGE_RECORDS, tmp_path / "in.parquet")
    app = typer.Typer()
    app.command()(screen_command)
    output = tmp_path / "out.jsonl"
    args = [str(source), "-o", str(output), "--engine", "spark", "--workers", "2", "--no-progress"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert read_output(output) == [expected_row(r) for r in EDGE_RECORDS]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "无需重跑" in again.output


@pytest.mark.parametrize("in_name", ["in.csv", "in.jsonl", "in.xlsx"])
def test_spark_passes_through_the_same_enterprise_fields(spark, tmp_path, in_name):
    source = write_fields(tmp_path / in_name)
    local, on_spark = _both(source, tmp_path, "out.jsonl")
    assert on_spark.read_bytes() == local.read_bytes()
    assert read_any(on_spark)[1]["营业收入"] is None
