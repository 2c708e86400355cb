"""Classification throughput on synthetic business scopes, with a jieba + TF-IDF baseline in the same run.

    .venv/bin/python benchmarks/classify_speed.py --records 1000000 --workers 2

Records are about 150 characters long, made from ordinary and AI-chain scope items the way registries
print them (一般项目：…；…（除依法须经批准的项目外…）); about one in five carries chain items. They are
generated chunk by chunk inside the worker processes (as each worker would read its own slice of a
file) and only a compact result comes back, so memory stays flat whatever --records is; timings include
generating the text. The baseline (jieba segmentation, TF-IDF, a linear model
trained on a labelled sample of the same generator) runs on the first --baseline-records records with
the same number of workers; the ratio compares records per second.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time
from collections.abc import Iterator

from lianzhang.screening.synthetic import synthetic_scopes


def chunk_tasks(n: int, size: int, seed: int) -> Iterator[tuple[int, int]]:
    """(seed, size) per chunk: each worker makes its own slice, as it would read its own part of a file."""
    for index in range(0, n, size):
        yield seed * 1_000_003 + index, min(size, n - index)


def _texts(task: tuple[int, int]) -> list[str]:
    seed, size = task
    return [text for text, _ in synthetic_scopes(size, seed)]


def _engine_chunk(task: tuple[int, int]) -> tuple[int, int]:
    from lianzhang.classify import get_classifier

    texts = _texts(task)
    classifier = get_classifier()
    on_chain = 0
    for text in texts:
        on_chain += classifier.classify(text).is_ai_chain
    return len(texts), on_chain


_BASELINE = None


def _baseline_init(model: tuple) -> None:
    global _BASELINE
    _BASELINE = model


def _tokens(text: str) -> list[str]:
    import jieba

    return jieba.lcut(text)


def _baseline_chunk(task: tuple[int, int]) -> tuple[int, int]:
    assert _BASELINE is not None
    texts = _texts(task)
    vectorizer, model = _BASELINE
    predicted = model.predict(vectorizer.transform(texts))
    return len(texts), int(predicted.sum())


def _train_baseline(seed: int) -> tuple:
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


def _peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024  # ru_maxrss is in KiB on Linux


def _run(worker, n: int, workers: int, chunk: int, seed: int, initializer=None, initargs=()) -> tuple:
    done = on_chain = 0
    start = time.perf_counter()
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ctx.Pool(workers, initializer=initializer, initargs=initargs) as pool:
        # imap keeps a bounded number of chunks in flight, so memory does not grow with n.
        for count, positive in pool.imap_unordered(worker, chunk_tasks(n, chunk, seed), chunksize=1):
            done += count
            on_chain += positive
            if done % (chunk * 40) == 0:
                rate = done / (time.perf_counter() - start)
                print(f"  {done:>10,} records  {rate:>10,.0f}/s", file=sys.stderr)
    return done, on_chain, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print records per second, peak memory and the baseline ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--baseline-records", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)

    lengths = [len(t) for t, _ in synthetic_scopes(2000, args.seed)]
    print(f"synthetic scopes: mean {sum(lengths) / len(lengths):.0f} characters; {os.cpu_count()} CPUs")

    from lianzhang.classify import get_classifier

    get_classifier()  # compile before forking, so workers share the automaton
    single_n = min(args.records, 50_000)
    start = time.perf_counter()
    _engine_chunk((args.seed, single_n))
    single = single_n / (time.perf_counter() - start)
    print(f"engine, 1 process (incl. generation): {single:,.0f} records/s on {single_n:,} records")

    done, on_chain, seconds = _run(_engine_chunk, args.records, args.workers, args.chunk, args.seed)
    engine_rate = done / seconds
    print(
        f"engine, {args.workers} workers: {done:,} records in {seconds:.1f} s = {engine_rate:,.0f} records/s "
        f"({on_chain:,} on the chain); peak memory {_peak_mb():,.0f} MB (parent + largest child)"
    )

    if args.baseline_records:
        model = _train_baseline(args.seed)
        n = min(args.baseline_records, args.records)
        done, _, seconds = _run(
            _baseline_chunk, n, args.workers, args.chunk, args.seed, _baseline_init, (model,)
        )
        baseline_rate = done / seconds
        print(
            f"jieba + TF-IDF baseline, {args.workers} workers: {done:,} records in {seconds:.1f} s = "
            f"{baseline_rate:,.0f} records/s; engine is {engine_rate / baseline_rate:.1f}x faster"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
