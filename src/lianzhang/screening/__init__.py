"""Batch screening of an enterprise registry onto the AI chain, on one machine or on Apache Spark."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from lianzhang.screening.local import (
    Interrupted,
    Reporter,
    Summary,
    classify_columns,
    plan,
    record_text,
    run_local,
)
from lianzhang.screening.readers import DEFAULT_CHUNK_ROWS, OUTPUT_FIELDS, OUTPUT_SCHEMA, InputError

__all__ = [
    "DEFAULT_CHUNK_ROWS",
    "OUTPUT_FIELDS",
    "OUTPUT_SCHEMA",
    "InputError",
    "Interrupted",
    "Reporter",
    "Summary",
    "classify_columns",
    "record_text",
    "screen_file",
]


def screen_file(
    input: Path,
    output: Path,
    *,
    engine: Literal["local", "spark"] = "local",
    workers: int | None = None,
    id_column: str | None = None,
    text_column: str | None = None,
    name_column: str | None = None,
    products_column: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    restart: bool = False,
    spark_master: str | None = None,
    reporter: Reporter | None = None,
    stop_after: int | None = None,
) -> Summary:
    """Classify every record of input into output with the chosen engine; resume an interrupted run."""
    p = plan(
        Path(input),
        Path(output),
        id_column=id_column,
        text_column=text_column,
        name_column=name_column,
        products_column=products_column,
        encoding=encoding,
        chunk_rows=chunk_rows,
        reporter=reporter,
    )
    if engine == "spark":
        from lianzhang.screening.spark import run_spark

        return run_spark(p, workers=workers, master=spark_master, restart=restart, reporter=reporter)
    if engine != "local":
        raise InputError(f"未知的引擎 {engine}：应为 local 或 spark")
    return run_local(p, workers=workers, restart=restart, reporter=reporter, stop_after=stop_after)
