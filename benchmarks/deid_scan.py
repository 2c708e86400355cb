"""Speed and memory of `lianzhang deid scan` on a planted CSV, against a plain regular-expression scan.

    .venv/bin/python benchmarks/deid_scan.py                # 2,000,000 rows
    .venv/bin/python benchmarks/deid_scan.py --rows 10000000 --keep

The file is built from a block of 20,000 generated rows repeated (row numbers renumbered), which keeps
generation quick; scanning cost does not depend on repetition. Both scans read the file the same way
(pyarrow, one thread) and join each column chunk; the baseline only runs five unvalidated patterns.
Peak RSS is read after the scan and before the baseline, so it is the scan's.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import sys
import time
from collections import Counter
from pathlib import Path

from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.deid.detect import SEP
from lianzhang.opendata.deid.scan import scan_file
from lianzhang.opendata.deid.tables import iter_chunks

BLOCK = 20_000
PLAIN = {
    "id_card": re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])"),
    "mobile": re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])"),
    "bank_card": re.compile(r"(?<![0-9])[0-9]{16,19}(?![0-9])"),
    "email": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "ip": re.compile(r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])"),
}


def build(path: Path, rows: int) -> None:
    """Write ``rows`` planted rows to ``path``."""
    block = synthetic.generate(min(rows, BLOCK), seed=2026)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(block.columns)
        done = 0
        while done < rows:
            part = block.rows[: rows - done]
            writer.writerows([str(done + i + 1), *row[1:]] for i, row in enumerate(part))
            done += len(part)


def plain_scan(path: Path) -> int:
    """Count matches of the plain patterns per column, reading the file as the real scan does."""
    counts: Counter = Counter()
    for chunk in iter_chunks(path):
        for i in range(len(chunk.columns) if chunk.cells else chunk.batch.num_columns):
            text = chunk.joined(i, SEP)
            for kind, pattern in PLAIN.items():
                counts[kind] += len(pattern.findall(text))
    return sum(counts.values())


def timed(fn, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--path", type=Path, default=Path("/tmp/deid_bench.csv"))
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args()
    if not args.path.exists() or args.path.stat().st_size == 0 or not args.keep:
        t = time.perf_counter()
        build(args.path, args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    mb = args.path.stat().st_size / 1e6
    load = os.getloadavg()[0]
    result, wall, cpu = timed(scan_file, args.path)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    baseline, b_wall, b_cpu = timed(plain_scan, args.path)
    print(f"file: {args.path} {mb:,.1f} MB, {result['rows']:,} rows")
    print(f"deid scan : {wall:6.1f} s wall, {cpu:6.1f} s CPU, {mb / cpu:5.1f} MB/s per core, "
          f"{result['total_findings']:,} findings, peak RSS {peak:,.0f} MB")
    print(f"plain re  : {b_wall:6.1f} s wall, {b_cpu:6.1f} s CPU, {mb / b_cpu:5.1f} MB/s per core, "
          f"{baseline:,} matches (unvalidated)")
    print(f"deid / plain speed: {b_cpu / cpu:.2f}  (target: 20 MB/s per core)")
    print(f"load average (1 min) before / after: {load:.2f} / {os.getloadavg()[0]:.2f} on "
          f"{os.cpu_count()} CPUs (CPU seconds are the measure; wall time depends on the load)")
    if not args.keep:
        args.path.unlink()


if __name__ == "__main__":
    main()
