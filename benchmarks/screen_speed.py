"""End-to-end speed and memory of `lianzhang screen`, with a jieba + TF-IDF baseline in the same run.

    .venv/bin/python benchmarks/screen_speed.py --records 1000000 --workers 2

Writes --records synthetic registry records (business scopes of about 150 characters, the generator of
benchmarks/classify_speed.py, plus name and main products) to a Parquet file, then runs the real
command (`python -m lianzhang.screening.cli INPUT -o OUTPUT --workers N`) in a child process and
reports records per second from start to finished output (process start, reading, classifying,
writing parts, joining them) and the peak memory of the command's process tree, sampled every 50 ms
from /proc: the sum of resident sets (RSS, counts pages shared by the forked workers once per
process) and the sum of proportional sets (PSS, shared pages split between the processes).

The baseline reads the same file with the same number of worker processes, segments each scope with
jieba and classifies it with TF-IDF + logistic regression trained on a labelled sample of the same
generator; it writes nothing, which favours it. It runs on the first --baseline-records records
(jieba is slow) and the ratio compares records per second.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq

from lianzhang.screening.synthetic import synthetic_scopes, write_parquet

TEXT_COLUMN = "经营范围"


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _field_kb(path: str, field: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_mb(pid: int) -> tuple[float, float]:
    """(RSS sum, PSS sum) of a process and all its descendants, in MB."""
    rss = pss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        rss += _field_kb(f"/proc/{current}/status", "VmRSS:")
        pss += _field_kb(f"/proc/{current}/smaps_rollup", "Pss:")
        todo += _children(current)
    return rss / 1024, pss / 1024


def run_screen(source: Path, output: Path, workers: int, chunk_rows: int) -> dict[str, float]:
    """Run the command in a child process; return wall seconds and peak RSS/PSS of its process tree."""
    command = [sys.executable, "-m", "lianzhang.screening.cli", str(source), "-o", str(output)]
    command += ["--workers", str(workers), "--chunk-rows", str(chunk_rows), "--restart"]
    peaks = {"rss": 0.0, "pss": 0.0}
    cpu_before = _children_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, pss = tree_memory_mb(process.pid)
            peaks["rss"] = max(peaks["rss"], rss)
            peaks["pss"] = max(peaks["pss"], pss)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - started
    # The workers are waited for by the command, and the command by us: their CPU time rolls up here.
    cpu = _children_cpu() - cpu_before
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"screen failed ({process.returncode}):\n{stderr}")
    print("  " + stderr.strip().replace("\n", " "), file=sys.stderr)
    return {"seconds": seconds, "cpu": cpu, **peaks}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ------------------------------------------------------------------------------------ baseline

_BASELINE = None


def _tokens(text: str) -> list[str]:
    import jieba

    return jieba.lcut(text)


def _baseline_init(model: tuple) -> None:
    global _BASELINE
    _BASELINE = model


def _baseline_chunk(texts: list[str]) -> tuple[int, int]:
    assert _BASELINE is not None
    vectorizer, model = _BASELINE
    return len(texts), int(model.predict(vectorizer.transform(texts)).sum())


def train_baseline(seed: int) -> tuple:
    """jieba + TF-IDF + logistic regression trained on a labelled sample of the same generator."""
    import jieba
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    jieba.setLogLevel(60)
    jieba.initialize()
    sample = list(synthetic_scopes(5000, seed + 1))
    vectorizer = TfidfVectorizer(tokenizer=_tokens, token_pattern=None, lowercase=False)
    features = vectorizer.fit_transform([t for t, _ in sample])
    model = LogisticRegression(max_iter=500).fit(features, [y for _, y in sample])
    return vectorizer, model


def run_baseline(source: Path, n: int, workers: int, chunk_rows: int, seed: int) -> tuple[int, float]:
    """Classify the first n records of the file with the baseline; return (records, seconds)."""
    model = train_baseline(seed)

    def chunks():
        left = n
        for batch in pq.ParquetFile(source).iter_batches(batch_size=chunk_rows, columns=[TEXT_COLUMN]):
            texts = batch.column(0).to_pylist()[:left]
            left -= len(texts)
            yield texts
            if left <= 0:
                return

    done = 0
    started = time.perf_counter()
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ctx.Pool(workers, initializer=_baseline_init, initargs=(model,)) as pool:
        for count, _ in pool.imap_unordered(_baseline_chunk, chunks()):
            done += count
    return done, time.perf_counter() - started


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    """Generate the input, screen it end to end, run the baseline, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-rows", type=int, default=20_000)
    parser.add_argument("--baseline-records", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--keep", type=Path, help="directory to keep the input and output in")
    args = parser.parse_args(argv)

    print(f"{os.cpu_count()} CPUs; load average before: {_load()}")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        source = folder / "registry.parquet"
        started = time.perf_counter()
        write_parquet(str(source), args.records, args.seed)
        lengths = [len(t) for t, _ in synthetic_scopes(2000, args.seed)]
        mean = sum(lengths) / len(lengths)
        megabytes = source.stat().st_size / 1e6
        print(
            f"input: {args.records:,} records, scopes of {mean:.0f} characters on average, "
            f"{megabytes:,.0f} MB Parquet (generated in {time.perf_counter() - started:.1f} s)"
        )

        output = folder / "screened.parquet"
        result = run_screen(source, output, args.workers, args.chunk_rows)
        rows = pq.ParquetFile(output).metadata.num_rows
        assert rows == args.records, (rows, args.records)
        rate = rows / result["seconds"]
        print(
            f"screen, {args.workers} workers, end to end: {rows:,} records in {result['seconds']:.1f} s = "
            f"{rate:,.0f} records/s; peak memory of the process tree: RSS {result['rss']:,.0f} MB, "
            f"PSS {result['pss']:,.0f} MB"
        )
        # On a shared machine the wall-clock rate depends on what else runs; the CPU time does much less.
        per_record = result["cpu"] / rows * 1e6
        idle_rate = args.workers / per_record * 1e6
        print(
            f"  CPU time of the command (parent + workers): {result['cpu']:.1f} s = {per_record:.1f} µs per "
            f"record; {args.workers} otherwise idle cores would give about {idle_rate:,.0f} records/s"
        )

        if args.baseline_records:
            n = min(args.baseline_records, args.records)
            done, seconds = run_baseline(source, n, args.workers, 5000, args.seed)
            baseline_rate = done / seconds
            print(
                f"jieba + TF-IDF baseline, {args.workers} workers: {done:,} records in {seconds:.1f} s = "
                f"{baseline_rate:,.0f} records/s; screen is {rate / baseline_rate:.1f}x faster"
            )
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
