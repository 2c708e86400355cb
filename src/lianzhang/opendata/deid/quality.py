"""Precision and recall per identifier type on freshly generated planted data.

    .venv/bin/python -m lianzhang.opendata.deid.quality               # a new random seed each run
    .venv/bin/python -m lianzhang.opendata.deid.quality --seed 7 --rows 20000

Two views are measured. Cell level: every span ``find_spans`` reports in a cell (plus whole-cell names in
name columns) is matched against the planted truth of that cell, so a finding in the wrong cell or of
the wrong type is a false positive. Column level: the counts of ``scan_file`` (what ``deid scan --json``
prints) against the planted counts per column and type.
"""

from __future__ import annotations

import argparse
import secrets
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.deid.detect import TYPES, find_spans
from lianzhang.opendata.deid.names import looks_like_cell_name
from lianzhang.opendata.deid.scan import (
    address_header,
    name_column,
    organisation_header,
    passport_header,
    scan_file,
)

Finding = tuple[int, str, str, str]  # (row, column, type, value)


def cell_findings(planted: synthetic.Planted) -> Counter:
    """(row, column, type, value) of every finding, cell by cell, the way the scan sees each column."""
    found: Counter = Counter()
    for c, column in enumerate(planted.columns):
        cells = [row[c] for row in planted.rows]
        whole_names = name_column(column, cells[:2000])
        passports, addresses = passport_header(column), address_header(column)
        organisations = organisation_header(column)
        for r, cell in enumerate(cells):
            spans = find_spans(
                cell, passport_column=passports, address_column=addresses, organisation_column=organisations
            )
            for start, end, kind in spans:
                found[(r, column, kind, cell[start:end])] += 1
            if whole_names and looks_like_cell_name(cell):
                found[(r, column, "person_name", cell)] += 1
    return found


def _matches(found: Finding, truth: Finding) -> bool:
    """Exact values, except that an address is matched by its part below town level."""
    if found[:3] != truth[:3]:
        return False
    if found[2] == "address":
        return len(found[3]) >= 4 and found[3] in truth[3]
    return found[3] == truth[3]


def cell_scores(planted: synthetic.Planted) -> dict[str, dict[str, float]]:
    """Per type: true and false positives, misses, precision and recall over cells."""
    by_cell: dict[tuple, list[Finding]] = {}
    for key in planted.truth:
        by_cell.setdefault(key[:3], []).append(key)
    tp: Counter = Counter()
    fp: Counter = Counter()
    for key, n in cell_findings(planted).items():
        for _ in range(n):
            pool = by_cell.get(key[:3], [])
            hit = next((t for t in pool if _matches(key, t)), None)
            if hit is None:
                fp[key[2]] += 1
            else:
                pool.remove(hit)
                tp[key[2]] += 1
    total = Counter(key[2] for key in planted.truth)
    return {
        kind: {
            "planted": total[kind], "tp": tp[kind], "fp": fp[kind], "fn": total[kind] - tp[kind],
            "precision": tp[kind] / (tp[kind] + fp[kind]) if tp[kind] + fp[kind] else 1.0,
            "recall": tp[kind] / total[kind] if total[kind] else 1.0,
        }
        for kind in TYPES
    }


def column_counts(planted: synthetic.Planted, folder: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(column, type) -> (planted, scanned) counts, through ``scan_file`` on a CSV of the rows."""
    path = synthetic.write_csv(planted, folder / "planted.csv")
    columns = {c["name"]: c["types"] for c in scan_file(path)["columns"]}
    truth = Counter((column, kind) for _, column, kind, _ in planted.truth)
    keys = set(truth) | {(name, kind) for name, types in columns.items() for kind in types}
    return {key: (truth[key], columns.get(key[0], {}).get(key[1], 0)) for key in sorted(keys)}


def report(rows: int, seed: int) -> dict[str, Any]:
    """Both views for one generated table."""
    planted = synthetic.generate(rows, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        counts = column_counts(planted, Path(folder))
    return {"rows": rows, "seed": seed, "cells": cell_scores(planted), "columns": counts}


def main() -> None:
    """Print precision and recall per type and the scan's counts per column."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=None, help="default: a new random seed")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    result = report(args.rows, seed)
    print(f"{args.rows:,} planted rows, seed {seed}")
    print(f"{'type':12} {'planted':>8} {'tp':>7} {'fp':>5} {'fn':>5} {'precision':>9} {'recall':>7}")
    for kind, s in result["cells"].items():
        counts = f"{s['planted']:8} {s['tp']:7} {s['fp']:5} {s['fn']:5}"
        print(f"{kind:12} {counts} {s['precision']:9.4f} {s['recall']:7.4f}")
    print("scan counts per column (planted -> scanned):")
    for (column, kind), (want, got) in result["columns"].items():
        flag = "" if want == got else "  <-"
        print(f"  {column:6} {kind:12} {want:7} -> {got:7}{flag}")


if __name__ == "__main__":
    main()
