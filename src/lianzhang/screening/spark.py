"""Batch screening on Apache Spark: the same engine function as the local pool, run as a pandas UDF.

Spark reads Parquet, CSV and JSON lines itself (XLSX is first streamed into a Parquet file), the records
are put in file order (file, block, position in block) before the UDF runs, so that sorting never makes
Spark evaluate the UDF twice, and the result is written as Parquet under ``OUTPUT.parts/spark``. The
driver then streams those files into OUTPUT with the same writers as the local engine, so both engines
produce the same file. A run interrupted during the Spark job starts that job again (Spark retries
failed tasks by itself); a run interrupted while writing OUTPUT only redoes the writing.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lianzhang.screening.local import (
    Interrupted,
    Plan,
    Reporter,
    Summary,
    classify_columns,
    finished_summary,
)
from lianzhang.screening.readers import (
    OUTPUT_FIELDS,
    CsvReader,
    InputError,
    OutputSink,
    XlsxReader,
    chunk_schema,
    input_format,
    iter_chunks,
)

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

# PySpark warns that it does not fully support pandas 3; the UDF hands it only object, bool and float
# columns, which convert the same under pandas 2 and 3 (tests/screening/test_spark.py checks it).
warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

RESULT_DDL = (
    "id string, name string, is_ai_chain boolean, nodes array<string>, primary_node string, "
    "national_2018 string, confidence double, needs_review boolean, evidence string, chain_version string"
)
_DTYPES = {"is_ai_chain": "bool", "needs_review": "bool", "confidence": "float64"}
_ORDER = ("_file", "_block", "_row")


class SparkUnavailable(InputError):
    """PySpark or Java is missing; the message says what to install."""


def check_spark() -> None:
    """Raise SparkUnavailable unless pyspark imports and a Java runtime is on JAVA_HOME or PATH."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise SparkUnavailable(
            "Spark 引擎需要 pyspark：pip install pyspark（另需 Java 17 或更高版本）"
        ) from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and shutil.which("java") is None:
        raise SparkUnavailable(
            "Spark 引擎需要 Java 运行时（17 或更高版本）：例如 apt-get install default-jre-headless"
        )


def spark_session(master: str, batch_rows: int = 10_000, partitions: int = 4) -> SparkSession:
    """A SparkSession for screening (Arrow on, no web UI); reuses the session already active, if any."""
    check_spark()
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if master.startswith("local"):
        # In local mode the Python workers must run the interpreter that has this package installed.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master(master)
        .appName("lianzhang-screen")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(batch_rows))
        .config("spark.sql.shuffle.partitions", str(partitions))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def classify_frame(ids: pd.Series, scopes: pd.Series, products: pd.Series, names: pd.Series) -> pd.DataFrame:
    """The pandas UDF body: classify_columns over one Arrow batch, as a frame Spark turns into structs."""

    def values(series: pd.Series) -> list[Any]:
        # Missing values arrive as None, NaN or pd.NA depending on the pandas version: make them None.
        return series.astype(object).where(series.notna(), None).tolist()

    columns = classify_columns(values(ids), values(scopes), values(products), values(names))
    return pd.DataFrame(
        {name: pd.Series(data, dtype=_DTYPES.get(name, object)) for name, data in columns.items()}
    )


def _extra_aliases(p: Plan) -> list[str]:
    # Spark carries the passed-through columns as x0, x1 …: their own names may clash or be awkward.
    return [f"x{i}" for i in range(len(p.columns.extra))]


def _read(spark: SparkSession, p: Plan, work: Path) -> DataFrame:
    """The input as a frame of (id, scope, products, name, x0 …, _file, _block, _row)."""
    from pyspark.sql import functions as F

    fmt = input_format(p.input)
    columns = p.columns
    aliases = ["id", "scope", "products", "name", *_extra_aliases(p)]
    if fmt == "xlsx":
        # Spark has no spreadsheet reader: stream the sheet into Parquet with the standard columns first.
        assert isinstance(p.reader, XlsxReader)
        staged = work / "input.parquet"
        with pq.ParquetWriter(staged, chunk_schema(columns)) as writer:
            for chunk in iter_chunks(p.reader, columns, p.chunk_rows):
                writer.write_batch(chunk)
        frame = spark.read.parquet(str(staged))
        headers: tuple[str | None, ...] = tuple(aliases)
    else:
        if fmt == "parquet":
            frame = spark.read.parquet(str(p.input))
        elif fmt == "csv":
            assert isinstance(p.reader, CsvReader)
            if p.reader.encoding.replace("-", "").lower() != "utf8":
                # Spark 4 reads only a few charsets in CSV unless the JVM's full list is allowed.
                spark.conf.set("spark.sql.legacy.javaCharsets", "true")
            # RFC 4180 quoting (a doubled quote inside quotes), line breaks inside quoted cells.
            frame = spark.read.options(
                header=True, multiLine=True, escape='"', encoding=p.reader.encoding, inferSchema=False
            ).csv(str(p.input))
        else:
            frame = spark.read.options(primitivesAsString=True, mode="PERMISSIVE").json(str(p.input))
            if "_corrupt_record" in frame.columns:
                # The local reader skips lines that are not JSON objects; so does this one.
                frame = frame.where(F.col("_corrupt_record").isNull())
        headers = columns.headers()
    missing = [h for h in headers if h is not None and h not in frame.columns]
    if missing:
        raise InputError(
            f"Spark 读取到的列中没有 {'、'.join(missing)}；Spark 读到的列：{'、'.join(frame.columns)}"
        )
    values = [
        (F.col(f"`{header}`") if header is not None else F.lit(None)).cast("string") for header in headers
    ]
    # An empty passed-through cell is a missing value, as the local engine writes it (CSV gives "").
    values[4:] = [F.when(value == "", F.lit(None)).otherwise(value) for value in values[4:]]
    selected = [value.alias(alias) for value, alias in zip(values, aliases, strict=True)]
    return frame.select(
        *selected,
        F.col("_metadata.file_path").alias("_file"),
        F.col("_metadata.file_block_start").alias("_block"),
        F.monotonically_increasing_id().alias("_row"),
    )


def run_spark(
    p: Plan,
    *,
    workers: int | None = None,
    master: str | None = None,
    restart: bool = False,
    reporter: Reporter | None = None,
) -> Summary:
    """Screen p.input into p.output on Spark (default master local[workers])."""
    from pyspark.sql import functions as F

    reporter = reporter or Reporter()
    done_before = finished_summary(p.job, "spark")
    if done_before is not None and not restart:
        return done_before
    check_spark()
    started = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    job = p.job
    job.prepare(restart, reporter)
    result_dir = job.parts_dir / "spark"
    if (result_dir / "_SUCCESS").exists():
        reporter.note("Spark 作业上次已完成，只重新写出结果文件")
    else:
        reporter.note(f"Spark 作业运行中（{master or f'local[{workers}]'}）……")
        created = _no_active_session()
        spark = spark_session(master or f"local[{workers}]", p.chunk_rows, partitions=max(2, workers * 2))
        try:
            frame = _read(spark, p, job.parts_dir)
            udf = F.pandas_udf(classify_frame, RESULT_DDL)  # type: ignore[call-overload]
            # Sort the input, not the results: the sort samples its input, which must not run the UDF.
            ordered = frame.orderBy(*_ORDER)
            extra = _extra_aliases(p)
            result = ordered.select(udf("id", "scope", "products", "name").alias("r"), *extra).select(
                "r.*", *extra
            )
            result.write.mode("overwrite").parquet(str(result_dir))
        except KeyboardInterrupt:
            raise Interrupted("Spark 作业被中断") from None
        finally:
            if created:
                spark.stop()
    files = sorted(result_dir.glob("part-*.parquet"))
    sink = OutputSink(p.output, p.fmt, p.schema)
    on_chain = 0
    try:
        # Part files are numbered by partition, and the sort made partitions follow the input order.
        for path in files:
            source = pq.ParquetFile(path)
            for group in range(source.num_row_groups):
                table = source.read_row_group(group, columns=[*OUTPUT_FIELDS, *_extra_aliases(p)])
                table = table.rename_columns(p.schema.names)
                on_chain += int(pc.sum(table.column("is_ai_chain")).as_py() or 0)
                sink.write_table(table)
        sink.close()
    except BaseException:
        sink.abort()
        raise
    summary = Summary(
        output=p.output,
        rows=sink.rows,
        on_chain=on_chain,
        chunks=len(files),
        seconds=time.perf_counter() - started,
        engine="spark",
    )
    job.finish(summary)
    return summary


def _no_active_session() -> bool:
    from pyspark.sql import SparkSession

    return SparkSession.getActiveSession() is None
