"""Speed and memory of the weak-link analysis and the 50-candidate list, with a plain pandas baseline.

    .venv/bin/python benchmarks/chain_gaps.py --reference-records 7500000 --local-records 50000

Writes a synthetic screened reference population (a province's registry after `lianzhang screen`, the
enterprise fields carried through as text) and a city of --local-records enterprises that is strong in
the middle of the chain and thin at both ends, as Parquet under --cache (reused while the sizes and
seed are the same). Then, each in a fresh child process so that peak memory is its own:

- the engine: `lianzhang.chains.engine.analyse_files` — gap analysis and the top-N list, as
  `lianzhang chain targets` runs it (DuckDB straight over the Parquet files);
- the baseline: the same counts, location quotients, revenue figures and candidate ranking for the
  same weak nodes with plain pandas (read_parquet, explode, groupby, rank), without the explanations.

It prints seconds, records per second over the reference, peak resident memory of each child, and
checks that both found the same node counts and how many of the top-N candidates they share.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any

from lianzhang.chains.synthetic import write_population
from lianzhang.taxonomy import get_chain

LOCAL_DISTRICTS = tuple(f"4401{d:02d}" for d in (3, 4, 5, 6, 11, 12, 13, 14, 15, 17, 18))
# A province: the city's districts among many others, so the "not local" rule has work to do.
REFERENCE_DISTRICTS = LOCAL_DISTRICTS + tuple(f"44{c:02d}{d:02d}" for c in range(2, 21) for d in range(2, 8))


def city_profile() -> dict[str, float]:
    """Strong in the middle (器), thin at both ends (芯, 端), two thin technology nodes."""
    chain = get_chain("ai")
    factor = {"芯": 0.25, "器": 1.8, "端": 0.5}
    profile = {n.id: factor.get(n.segment or "", 1.0) for n in chain.nodes.values()}
    profile.update({"data": 0.3, "models": 0.4})
    return profile


def prepare(cache: Path, reference_records: int, local_records: int, seed: int) -> tuple[Path, Path, float]:
    """The two Parquet files (written unless cached) and the seconds spent writing them."""
    cache.mkdir(parents=True, exist_ok=True)
    chain = get_chain("ai")
    reference = cache / f"chain-reference-{reference_records}-{seed}.parquet"
    local = cache / f"chain-local-{local_records}-{seed}.parquet"
    started = time.perf_counter()
    if not reference.exists():
        write_population(
            reference,
            chain,
            reference_records,
            seed=seed,
            id_prefix="91440000RF",
            districts=REFERENCE_DISTRICTS,
        )
    if not local.exists():
        write_population(
            local,
            chain,
            local_records,
            seed=seed + 1,
            id_prefix="91440100LC",
            districts=LOCAL_DISTRICTS,
            profile=city_profile(),
        )
    return local, reference, time.perf_counter() - started


def run_engine(local: Path, reference: Path, top: int, threads: int) -> dict[str, Any]:
    """The engine, timed: gaps and the top-N list."""
    from lianzhang.chains.engine import analyse_files

    started = time.perf_counter()
    analysis = analyse_files(local, reference, top=top, threads=threads)
    seconds = time.perf_counter() - started
    report = analysis.report
    return {
        "seconds": seconds,
        "counts": {n.id: [n.local_count, n.reference_count] for n in report.nodes},
        "weak": [n.id for n in report.weak_nodes()],
        "weak_scores": {n.id: n.weak_score for n in report.weak_nodes()},
        "patterns": [p.explanation for p in report.patterns],
        "candidates": [c.id for c in analysis.candidates],
        "first": [f"{c.score:.1f} {c.name}：{c.reason}" for c in analysis.candidates[:3]],
        "reference_rows": report.reference_total,
    }


def _number(series: Any) -> Any:
    import pandas as pd

    return pd.to_numeric(series.astype("string").str.replace(",", "", regex=False), errors="coerce")


def run_baseline(
    local: Path, reference: Path, top: int, weak: list[str], weak_scores: dict[str, float]
) -> dict:
    """Plain pandas: read everything, explode the node lists, group, rank."""
    import numpy as np
    import pandas as pd

    started = time.perf_counter()
    columns = ["id", "name", "is_ai_chain", "nodes", "primary_node", "confidence", "needs_review", "区划代码",
               "营业收入", "专利数", "营收增长率", "标签", "链主"]  # fmt: skip
    ref = pd.read_parquet(reference, columns=columns)
    loc = pd.read_parquet(local, columns=columns)
    counts = {}
    for label, frame in (("local", loc), ("reference", ref)):
        on = frame[frame["is_ai_chain"]]
        exploded = on.explode("nodes")
        exploded["revenue"] = _number(exploded["营业收入"])
        grouped = exploded.groupby("nodes").agg(n=("id", "size"), revenue=("revenue", "sum"))
        counts[label] = (grouped, len(on), exploded["revenue"].sum())
    lq = (counts["local"][0]["n"] / counts["local"][1]) / (
        counts["reference"][0]["n"] / counts["reference"][1]
    )
    pool = ref[ref["is_ai_chain"]].explode("nodes")
    pool = pool[pool["nodes"].isin(weak)]
    pool = pool[
        ~pool["id"].isin(loc["id"])
        & ~pool["name"].isin(loc["name"])
        & ~pool["区划代码"].isin(loc["区划代码"])
    ]
    # One row per enterprise: the weakest of its weak nodes.
    order = {node: i for i, node in enumerate(weak)}
    pool = pool.assign(rank=pool["nodes"].map(order)).sort_values("rank").drop_duplicates("id")
    revenue = _number(pool["营业收入"])
    patents = _number(pool["专利数"])
    growth = _number(pool["营收增长率"]).clip(-0.5, 1.0)
    tags = pool["标签"].fillna("")
    tag_score = np.minimum(
        tags.str.contains("专精特新") * 0.4
        + tags.str.contains("高新") * 0.3
        + tags.str.contains("上市") * 0.3,
        1.0,
    )
    size = revenue.groupby(pool["nodes"]).rank(pct=True).fillna(0)
    patent_rank = patents.groupby(pool["nodes"]).rank(pct=True).fillna(0)
    strength = 0.45 * size + 0.2 * ((growth + 0.5) / 1.5).fillna(0) + 0.2 * tag_score + 0.15 * patent_rank
    fit = pool["confidence"] * np.where(pool["primary_node"] == pool["nodes"], 1, 0.85)
    fit = fit * np.where(pool["needs_review"], 0.8, 1)
    need = pool["nodes"].map(weak_scores).astype(float) / 100
    pool = pool.assign(score=100 * (0.25 * fit + 0.35 * strength + 0.2 * need))
    per_node = max(1, -(-2 * top // max(1, len(weak))))
    best = pool.sort_values(["score", "id"], ascending=[False, True]).groupby("nodes").head(per_node)
    chosen = best.head(top)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "counts": {
            node: [int(counts["local"][0]["n"].get(node, 0)), int(counts["reference"][0]["n"].get(node, 0))]
            for node in counts["reference"][0].index
        },
        "lq_nodes": int(lq.notna().sum()),
        "candidates": chosen["id"].tolist(),
    }


def _child(name: str, conn: Any, *args: Any) -> None:
    try:
        result = (run_engine if name == "engine" else run_baseline)(*args)
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        conn.send(result)
    except BaseException as exc:  # the parent reports it
        conn.send({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        conn.close()


def in_child(name: str, *args: Any) -> dict[str, Any]:
    """Run one phase in a fresh (spawned) process; its peak RSS is its own."""
    context = mp.get_context("spawn")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(name, child, *args))
    process.start()
    child.close()
    result = parent.recv()
    process.join()
    if "error" in result:
        raise SystemExit(f"{name} failed: {result['error']}")
    return result


def main() -> None:
    """Parse arguments, prepare the data, run both phases, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-records", type=int, default=7_500_000)
    parser.add_argument("--local-records", type=int, default=50_000)
    parser.add_argument("--top", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/lianzhang-bench"))
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()

    local, reference, written = prepare(args.cache, args.reference_records, args.local_records, args.seed)
    size_mb = reference.stat().st_size / 1e6
    print(f"reference: {args.reference_records:,} records, {size_mb:,.0f} MB Parquet ({reference})")
    print(f"local:     {args.local_records:,} records ({local})")
    if written > 0.5:
        print(f"synthetic data written in {written:.1f} s")
    engine = in_child("engine", local, reference, args.top, args.threads)
    rate = args.reference_records / engine["seconds"]
    print(
        f"engine (DuckDB, {args.threads} threads): gaps + {len(engine['candidates'])} candidates in "
        f"{engine['seconds']:.2f} s ({rate:,.0f} reference records/s), peak RSS {engine['peak_mb']:,.0f} MB"
    )
    scores = engine["weak_scores"]
    print("  weak nodes: " + ", ".join(f"{n} {scores[n]:.0f}" for n in engine["weak"]))
    for line in engine["patterns"]:
        print(f"  {line}")
    for line in engine["first"]:
        print(f"  {line}")
    verdict = "PASS" if engine["seconds"] < 60 else "FAIL"
    print(f"  target < 60 s: {verdict}")
    if args.no_baseline:
        return
    baseline = in_child("baseline", local, reference, args.top, engine["weak"], engine["weak_scores"])
    same_counts = all(baseline["counts"].get(node, [0, 0]) == pair for node, pair in engine["counts"].items())
    shared = len(set(baseline["candidates"]) & set(engine["candidates"]))
    print(
        f"baseline (pandas): same figures without explanations in {baseline['seconds']:.2f} s, "
        f"peak RSS {baseline['peak_mb']:,.0f} MB"
    )
    print(
        f"  engine is {baseline['seconds'] / engine['seconds']:.1f}× faster and uses "
        f"{baseline['peak_mb'] / engine['peak_mb']:.1f}× less memory; node counts agree: {same_counts}; "
        f"top-{args.top} lists share {shared} enterprises (the baseline leaves out linkage)"
    )
    print(json.dumps({"engine_s": round(engine["seconds"], 2), "baseline_s": round(baseline["seconds"], 2)}))
    if not same_counts:
        sys.exit(1)


if __name__ == "__main__":
    main()
