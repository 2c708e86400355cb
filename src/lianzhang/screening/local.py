"""Batch screening on one machine: the engine function, checkpointed chunks and a multiprocessing pool.

``classify_columns`` is the one function both engines run: here in worker processes fed chunk by chunk,
in ``lianzhang.screening.spark`` as a pandas UDF. A job writes one part file per chunk into
``OUTPUT.parts/`` (atomically, by rename) and records what it was run on in ``OUTPUT.screen.json``;
re-running the same command skips the chunks whose part exists, then the parts are joined in order
into OUTPUT. A changed input file or changed classification rules invalidate the parts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lianzhang.screening.readers import (
    DEFAULT_CHUNK_ROWS,
    HEAD_BYTES,
    OUTPUT_FIELDS,
    STANDARD_COLUMNS,
    Columns,
    CsvReader,
    InputError,
    OutputFormat,
    OutputSink,
    Reader,
    clashing_columns,
    iter_chunks,
    open_reader,
    output_format,
    output_schema,
    resolve_columns,
    write_part,
)

STATE_VERSION = 1
EMPTY_EVIDENCE = "{}"
# Joins the products to the scope so that the scope parser sees them as one more item.
PRODUCTS_SEPARATOR = "；"


class Interrupted(Exception):
    """The run stopped before every chunk was done; re-running the same command resumes it."""


class Reporter:
    """Progress and notes from a run; the command line draws them, tests and notebooks ignore them."""

    def start(self, total: int | None, unit: str) -> None:
        """The run starts reading; total is in units of the reader (rows or bytes), None if unknown."""

    def update(self, position: int, rows: int) -> None:
        """position units of the input read, rows classified so far (including resumed chunks)."""

    def note(self, message: str) -> None:
        """A one-line message for the user."""


@dataclass
class Summary:
    """What a screening run did."""

    output: Path
    rows: int
    on_chain: int
    chunks: int
    resumed_chunks: int = 0
    already_done: bool = False
    seconds: float = 0.0
    engine: str = "local"
    bad_lines: int = 0


# ------------------------------------------------------------------------------------ engine function


def record_text(scope: Any, products: Any) -> str:
    """The text classified for a record: the business scope, then the main products when there are any."""
    scope = scope if isinstance(scope, str) else ""
    products = products if isinstance(products, str) else ""
    if not products.strip():
        return scope
    if not scope.strip():
        return products
    return scope + PRODUCTS_SEPARATOR + products


def _optional_text(value: Any) -> str | None:
    # Spark hands missing values over as NaN or None, pyarrow CSV as "": all mean "no value".
    if isinstance(value, str):
        return value or None
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def classify_columns(
    ids: Sequence[Any], scopes: Sequence[Any], products: Sequence[Any], names: Sequence[Any]
) -> dict[str, list[Any]]:
    """Classify a batch of records given as columns; return the output columns (OUTPUT_FIELDS order)."""
    from lianzhang.classify import get_classifier

    classifier = get_classifier()
    out: dict[str, list[Any]] = {field: [] for field in OUTPUT_FIELDS}
    (out_id, out_name, out_ai, out_nodes, out_primary, out_national, out_confidence, out_review, out_evidence,
     out_version) = out.values()  # fmt: skip
    for record_id, scope, product, name in zip(ids, scopes, products, names, strict=True):
        name = _optional_text(name)
        result = classifier.classify(record_text(scope, product), name, exclusions=False)
        out_id.append(_optional_text(record_id))
        out_name.append(name)
        out_ai.append(result.is_ai_chain)
        nodes = [n.node for n in result.nodes]
        out_nodes.append(nodes)
        out_primary.append(nodes[0] if nodes else None)
        out_national.append(result.national_2018)
        out_confidence.append(round(result.confidence, 3))
        out_review.append(result.needs_review)
        shown = result.nodes or result.candidates
        if shown:
            # Same shape as Classification.to_dict()["evidence"], built without the rest of to_dict().
            evidence = {n.node: [e.to_dict() for e in n.evidence] for n in shown}
            out_evidence.append(json.dumps(evidence, ensure_ascii=False))
        else:
            out_evidence.append(EMPTY_EVIDENCE)
        out_version.append(result.chain_version)
    return out


def screen_batch(batch: pa.RecordBatch, extra: Sequence[str] = ()) -> dict[str, list[Any]]:
    """classify_columns over a standard chunk; the passed-through columns x0 … are added as extra."""
    out = classify_columns(
        batch.column("id").to_pylist(),
        batch.column("scope").to_pylist(),
        batch.column("products").to_pylist(),
        batch.column("name").to_pylist(),
    )
    for index, name in enumerate(extra):
        out[name] = [_optional_text(v) for v in batch.column(STANDARD_COLUMNS + index).to_pylist()]
    return out


# ------------------------------------------------------------------------------------ job state


def rules_digest() -> dict[str, str]:
    """The chain id and version and a digest of everything that decides a classification."""
    import lianzhang
    from lianzhang.classify import engine
    from lianzhang.classify.lexicon import LEXICON_DIR
    from lianzhang.taxonomy import chain_files, get_chain

    chain = get_chain("ai")
    digest = hashlib.sha256(lianzhang.__version__.encode())
    # The chain and lexicon YAML are the rules; the engine modules decide how they apply, and this
    # package how results are written (a part written by other code must not be joined to new ones).
    here = Path(__file__).parent
    sources = [chain_files()["ai"], LEXICON_DIR / "ai.yaml", here / "local.py", here / "readers.py"]
    sources += sorted(Path(engine.__file__).parent.glob("*.py"))
    for path in sources:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return {"chain": chain.id, "chain_version": chain.version, "rules_sha256": digest.hexdigest()}


def input_fingerprint(path: Path) -> dict[str, Any]:
    """Size, modification time and a hash of the first megabyte of the input."""
    stat = path.stat()
    with path.open("rb") as handle:
        head = hashlib.sha256(handle.read(HEAD_BYTES)).hexdigest()
    return {
        "input": str(path.resolve()),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "head_sha256": head,
    }


class Job:
    """The state file and part files of one screening output."""

    def __init__(self, output: Path, fingerprint: dict[str, Any]) -> None:
        self.output = output
        self.fingerprint = fingerprint
        self.state_path = output.with_name(output.name + ".screen.json")
        self.parts_dir = output.with_name(output.name + ".parts")

    def _state(self) -> dict[str, Any] | None:
        try:
            return json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def finished(self) -> dict[str, Any] | None:
        """The recorded state when the output is complete for exactly this input and these rules."""
        state = self._state()
        if not state or state.get("status") != "done" or state.get("fingerprint") != self.fingerprint:
            return None
        try:
            size = self.output.stat().st_size
        except OSError:
            return None
        return state if size == state.get("output_bytes") else None

    def prepare(self, restart: bool, reporter: Reporter) -> None:
        """Keep the parts of an interrupted run of the same job; drop anything else."""
        state = self._state()
        stale = state is not None and state.get("fingerprint") != self.fingerprint
        if self.parts_dir.exists() and (restart or stale or state is None):
            if stale and not restart:
                reporter.note("输入文件或分类规则已变化，丢弃上次未完成的中间结果，重新筛查")
            shutil.rmtree(self.parts_dir)
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        for leftover in self.parts_dir.glob("*.tmp"):
            leftover.unlink()  # a part being written when the run was killed
        self._write({"status": "running", "fingerprint": self.fingerprint})

    def part_path(self, index: int, suffix: str) -> Path:
        """Where chunk index's results go."""
        return self.parts_dir / f"part-{index:06d}.{suffix}"

    def done_chunks(self, suffix: str) -> set[int]:
        """Indices of the chunks whose part file is complete."""
        return {int(p.name[5:11]) for p in self.parts_dir.glob(f"part-*.{suffix}") if p.name[5:11].isdigit()}

    def finish(self, summary: Summary) -> None:
        """Record the finished output and remove the parts."""
        self._write(
            {
                "status": "done",
                "fingerprint": self.fingerprint,
                "rows": summary.rows,
                "on_chain": summary.on_chain,
                "chunks": summary.chunks,
                "engine": summary.engine,
                "output_bytes": self.output.stat().st_size,
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        shutil.rmtree(self.parts_dir, ignore_errors=True)

    def _write(self, state: dict[str, Any]) -> None:
        tmp = self.state_path.with_name(self.state_path.name + ".tmp")
        tmp.write_text(json.dumps({"version": STATE_VERSION, **state}, ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(self.state_path)


@dataclass
class Plan:
    """Everything a run needs to know before it starts."""

    input: Path
    output: Path
    fmt: OutputFormat
    reader: Reader
    columns: Columns
    chunk_rows: int
    job: Job

    @property
    def schema(self) -> pa.Schema:
        """The output schema: classification fields, then the passed-through columns."""
        return output_schema(self.columns.extra)


def plan(
    input: Path,
    output: Path,
    *,
    id_column: str | None = None,
    text_column: str | None = None,
    name_column: str | None = None,
    products_column: str | None = None,
    encoding: str | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    reporter: Reporter | None = None,
) -> Plan:
    """Check the files and choose the columns; raise InputError with one line for the user."""
    reporter = reporter or Reporter()
    fmt = output_format(output)
    if chunk_rows < 1:
        raise InputError("分块行数必须是正整数")
    if input.exists() and output.exists() and input.resolve() == output.resolve():
        raise InputError("输出文件不能与输入文件相同")

    def bad_line(number: int, problem: str) -> None:
        reporter.note(f"第 {number} 行：{problem}，已跳过")

    asked = [c for c in (id_column, text_column, name_column, products_column) if c]
    reader = open_reader(input, encoding=encoding, on_bad_line=bad_line, header_hints=asked)
    columns = resolve_columns(
        reader.columns(),
        id_column=id_column,
        text_column=text_column,
        name_column=name_column,
        products_column=products_column,
    )
    clashing = clashing_columns(reader.columns(), columns)
    if clashing:
        reporter.note(f"输入列 {'、'.join(clashing)} 与结果字段同名，不带入输出")
    fingerprint = {
        "state": STATE_VERSION,
        **input_fingerprint(input),
        "encoding": reader.encoding if isinstance(reader, CsvReader) else None,
        # As a list: the state file is JSON, and a tuple would never compare equal to what it reads back.
        "columns": {**asdict(columns), "extra": list(columns.extra)},
        "chunk_rows": chunk_rows,
        "output_format": fmt,
        **rules_digest(),
    }
    return Plan(input, output, fmt, reader, columns, chunk_rows, Job(output, fingerprint))


def finished_summary(job: Job, engine: str) -> Summary | None:
    """The summary of an already finished identical job, or None."""
    state = job.finished()
    if state is None:
        return None
    return Summary(
        output=job.output,
        rows=state.get("rows", 0),
        on_chain=state.get("on_chain", 0),
        chunks=state.get("chunks", 0),
        already_done=True,
        engine=engine,
    )


# ------------------------------------------------------------------------------------ workers


def _init_worker() -> None:
    """Build the classifier once per worker; leave Ctrl+C to the parent, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from lianzhang.classify import get_classifier

    get_classifier()


def _screen_chunk(
    task: tuple[int, pa.RecordBatch, str, OutputFormat, tuple[str, ...]],
) -> tuple[int, int, int]:
    """Classify one chunk and write its part file; return (index, rows, rows on the chain)."""
    index, batch, path, fmt, extra = task
    rows = screen_batch(batch, extra)
    write_part(rows, Path(path), fmt, output_schema(extra))
    return index, batch.num_rows, sum(rows["is_ai_chain"])


class _BoundedFeed:
    """Hands tasks to Pool.imap at most ``limit`` ahead of the results taken, so memory stays flat.

    The pool pulls from this iterator in its own thread as fast as it can; the semaphore makes it wait
    until a result has been taken. stop() lets that thread finish when the run is abandoned (the pool
    joins it while terminating).
    """

    def __init__(self, tasks: Iterator[Any], limit: int) -> None:
        self._tasks = tasks
        self._slots = threading.Semaphore(limit)
        self._stopped = threading.Event()
        self.outstanding = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[Any]:
        for task in self._tasks:
            while not self._slots.acquire(timeout=0.1):
                if self._stopped.is_set():
                    return
            if self._stopped.is_set():
                return
            with self._lock:
                self.outstanding += 1
                self.peak = max(self.peak, self.outstanding)
            yield task

    def taken(self) -> None:
        """One result has been taken: one more task may go out."""
        with self._lock:
            self.outstanding -= 1
        self._slots.release()

    def stop(self) -> None:
        """Stop handing out tasks."""
        self._stopped.set()


@contextlib.contextmanager
def _ctrl_c_as_flag() -> Iterator[threading.Event]:
    """While the pool runs, Ctrl+C only sets a flag that the result loop checks.

    A KeyboardInterrupt raised at an arbitrary point can land inside the pool's own locked sections
    (the result iterator's condition) and leave a lock held, and then terminating the pool waits forever
    for its result thread. Raising it ourselves between results avoids that.
    """
    flag = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield flag  # signal handlers can only be set from the main thread
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: flag.set())
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


def _pool_context() -> Any:
    # fork shares the imported engine with the workers at no cost; elsewhere spawn is the only choice.
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def run_local(
    p: Plan,
    *,
    workers: int | None = None,
    restart: bool = False,
    reporter: Reporter | None = None,
    stop_after: int | None = None,
    in_flight: int | None = None,
) -> Summary:
    """Screen p.input into p.output with a pool of worker processes; resume an interrupted run.

    stop_after raises Interrupted after that many chunks were newly finished (a deterministic way to
    test resumption); in_flight caps the chunks handed out ahead of the results (default 2 per worker).
    """
    reporter = reporter or Reporter()
    done_before = finished_summary(p.job, "local")
    if done_before is not None and not restart:
        return done_before
    started = time.perf_counter()
    workers = max(1, workers or os.cpu_count() or 1)
    suffix = p.fmt
    job = p.job
    job.prepare(restart, reporter)
    done = job.done_chunks(suffix)
    if done:
        reporter.note(f"从断点继续：已有 {len(done)} 个分块的结果")

    # The task generator runs in the pool's feeder thread: it keeps its own counters, apart from the
    # ones the results update in this thread.
    counts = {"chunks": 0, "rows": 0, "on_chain": 0}
    resumed = {"chunks": 0, "rows": 0, "on_chain": 0}
    read_up_to: dict[int, int] = {}
    shown = 0

    def tasks() -> Iterator[tuple[int, pa.RecordBatch, str, OutputFormat, tuple[str, ...]]]:
        for index, chunk in enumerate(iter_chunks(p.reader, p.columns, p.chunk_rows)):
            counts["chunks"] = index + 1
            if index in done:
                # Resumed chunks still count towards the totals; their rows were read to find the next chunk.
                resumed["chunks"] += 1
                resumed["rows"] += chunk.num_rows
                resumed["on_chain"] += _part_on_chain(job.part_path(index, suffix), suffix, p.schema)
                continue
            # Where the reader stood after this chunk: the bar shows work finished, not input read ahead.
            read_up_to[index] = p.reader.position
            yield index, chunk, str(job.part_path(index, suffix)), p.fmt, p.columns.extra

    # Fork the workers before the progress bar starts its drawing thread: a lock that thread holds at
    # the moment of the fork would stay locked forever in the children.
    pool = _pool_context().Pool(workers, initializer=_init_worker) if workers > 1 else None
    reporter.start(p.reader.total, p.reader.unit)
    finished_now = 0

    def account(index: int, rows: int, on_chain: int) -> None:
        nonlocal finished_now, shown
        counts["rows"] += rows
        counts["on_chain"] += on_chain
        finished_now += 1
        shown = max(shown, read_up_to.pop(index, 0))
        reporter.update(shown, counts["rows"] + resumed["rows"])
        if stop_after is not None and finished_now >= stop_after:
            raise Interrupted(f"已按要求在完成 {finished_now} 个分块后停止")

    if pool is None:
        # One worker: classify in this process; a pool would only add copying.
        _init_classifier_here()
        for task in tasks():
            account(*_screen_chunk(task))
    else:
        feed = _BoundedFeed(tasks(), in_flight or 2 * workers)
        with _ctrl_c_as_flag() as interrupted:
            try:
                results = pool.imap_unordered(_screen_chunk, feed, chunksize=1)
                while True:
                    if interrupted.is_set():
                        raise KeyboardInterrupt
                    try:
                        index, rows, on_chain = results.next(timeout=0.2)
                    except mp.TimeoutError:
                        continue
                    except StopIteration:
                        break
                    feed.taken()
                    account(index, rows, on_chain)
                pool.close()
            except BaseException:
                feed.stop()
                pool.terminate()
                raise
            finally:
                pool.join()

    total_chunks = counts["chunks"]
    missing = [i for i in range(total_chunks) if not job.part_path(i, suffix).exists()]
    if missing:
        raise Interrupted(f"{len(missing)} 个分块没有结果（第一个是第 {missing[0]} 块）")
    sink = OutputSink(p.output, p.fmt, p.schema)
    try:
        for index in range(total_chunks):
            sink.append_part(job.part_path(index, suffix))
        sink.close()
    except BaseException:
        sink.abort()
        raise
    summary = Summary(
        output=p.output,
        rows=counts["rows"] + resumed["rows"],
        on_chain=counts["on_chain"] + resumed["on_chain"],
        chunks=total_chunks,
        resumed_chunks=resumed["chunks"],
        seconds=time.perf_counter() - started,
        engine="local",
        bad_lines=getattr(p.reader, "bad_lines", 0),
    )
    job.finish(summary)
    return summary


def _init_classifier_here() -> None:
    from lianzhang.classify import get_classifier

    get_classifier()


def _part_on_chain(path: Path, fmt: OutputFormat, schema: pa.Schema) -> int:
    """Rows on the chain in a finished part, for the totals of a resumed run."""
    if fmt == "parquet":
        column = pq.read_table(path, columns=["is_ai_chain"]).column("is_ai_chain")
    elif fmt == "jsonl":
        with path.open(encoding="utf-8") as handle:
            return sum(1 for line in handle if line.strip() and json.loads(line)["is_ai_chain"])
    else:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=schema.names),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=["is_ai_chain"], column_types={"is_ai_chain": pa.bool_()}
            ),
        )
        column = table.column("is_ai_chain")
    return int(pc.sum(column).as_py() or 0)
