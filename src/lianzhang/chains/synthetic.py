"""Synthetic screened populations for benchmarks and the demo, built column-wise with numpy and pyarrow.

A population looks like a `lianzhang screen` output of a registry that carried enterprise figures: the
screening fields, then 区划代码, 营业收入 (yuan), 研发投入, 专利数, 从业人数, 营收增长率, 标签, 链主 and
成立年份 as text. ``profile`` multiplies the chance of each node, so a city can be given a shape
(strong in the middle, weak at both ends) against a plain reference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lianzhang.screening.readers import OUTPUT_SCHEMA
from lianzhang.taxonomy import Chain

FIELDS = ("区划代码", "营业收入", "研发投入", "专利数", "从业人数", "营收增长率", "标签", "链主", "成立年份")
SCHEMA = pa.schema([*OUTPUT_SCHEMA, *((name, pa.string()) for name in FIELDS)])
_STEMS = (
    "智瞳",
    "云帆",
    "华禾",
    "启明",
    "星河",
    "正通",
    "远图",
    "嘉和",
    "海纳",
    "天衡",
    "芯源",
    "锐视",
    "极光",
    "深蓝",
)
_TRADES = ("科技", "信息技术", "智能科技", "电子", "机器人", "半导体", "网络科技", "数据")
_TAGS = ("", "高新", "专精特新", "专精特新;高新", "上市", "高新;上市", "瞪羚")
_TAG_P = (0.55, 0.2, 0.08, 0.07, 0.03, 0.03, 0.04)


def _text(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    array = pc.cast(pa.array(values), pa.string())
    if missing is not None:
        array = pc.if_else(pa.array(missing), pa.scalar(None, pa.string()), array)
    return array


def population_batch(
    chain: Chain,
    n: int,
    *,
    seed: int,
    start: int = 0,
    id_prefix: str = "91440000SY",
    districts: Sequence[str] = ("440106",),
    profile: Mapping[str, float] | None = None,
    ai_share: float = 0.2,
    leader_share: float = 0.003,
    name_suffix: str = "",
) -> pa.Table:
    """n screened records with ids id_prefix + 8 digits from start; the same arguments give the same rows."""
    rng = np.random.default_rng(seed)
    node_ids = list(chain.nodes)
    weights = np.array([(profile or {}).get(node, 1.0) for node in node_ids], dtype=float)
    weights /= weights.sum()
    k = len(node_ids)
    ai = rng.random(n) < ai_share
    primary = rng.choice(k, size=n, p=weights)
    second = ai & (rng.random(n) < 0.3)
    other = (primary + rng.integers(1, k, size=n)) % k
    lengths = ai.astype(np.int32) + second.astype(np.int32)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    values[offsets[:-1][ai]] = primary[ai]
    values[offsets[:-1][second] + 1] = other[second]
    names_array = pa.array(node_ids)
    nodes = pa.ListArray.from_arrays(pa.array(offsets), pc.take(names_array, pa.array(values)))
    primary_node = pc.if_else(
        pa.array(ai), pc.take(names_array, pa.array(primary)), pa.scalar(None, pa.string())
    )
    national = [chain.nodes[node].national_2018 for node in node_ids]
    national_2018 = pc.if_else(
        pa.array(ai),
        pc.take(pa.array(national, pa.string()), pa.array(primary)),
        pa.scalar(None, pa.string()),
    )
    numbers = pc.cast(pa.array(np.arange(start, start + n)), pa.string())
    ids = pc.binary_join_element_wise(id_prefix, pc.utf8_lpad(numbers, 8, "0"), "")
    names = pc.binary_join_element_wise(
        pc.take(pa.array(_STEMS), pa.array(rng.integers(0, len(_STEMS), n))),
        pc.take(pa.array(_TRADES), pa.array(rng.integers(0, len(_TRADES), n))),
        numbers,
        "有限公司" + name_suffix,
        "",
    )
    confidence = np.round(np.where(ai, rng.uniform(0.5, 0.99, n), rng.uniform(0.0, 0.3, n)), 3)
    revenue = np.round(rng.lognormal(np.log(5e6), 1.2, n)).astype(np.int64)
    leader = ai & (rng.random(n) < leader_share)
    # Leaders are large: their revenue is raised by an order of magnitude and more.
    revenue = np.where(leader, revenue * 30, revenue)
    rd = np.round(revenue * rng.uniform(0.01, 0.15, n)).astype(np.int64)
    columns = {
        "id": ids,
        "name": names,
        "is_ai_chain": pa.array(ai),
        "nodes": nodes,
        "primary_node": primary_node,
        "national_2018": national_2018,
        "confidence": pa.array(confidence),
        "needs_review": pa.array(ai & (confidence < 0.6)),
        "evidence": pa.array(np.full(n, "{}", dtype=object), pa.string()),
        "chain_version": pa.array(np.full(n, chain.version, dtype=object), pa.string()),
        "区划代码": pc.take(pa.array(list(districts)), pa.array(rng.integers(0, len(districts), n))),
        "营业收入": _text(revenue, rng.random(n) < 0.1),
        "研发投入": _text(rd, rng.random(n) < 0.3),
        "专利数": _text(rng.poisson(np.where(ai, 8, 1))),
        "从业人数": _text(np.maximum(1, np.round(rng.lognormal(np.log(30), 1.2, n))).astype(np.int64)),
        "营收增长率": _text(np.round(rng.normal(0.08, 0.2, n), 3), rng.random(n) < 0.2),
        "标签": pc.take(pa.array(_TAGS), pa.array(rng.choice(len(_TAGS), size=n, p=_TAG_P))),
        "链主": pc.if_else(pa.array(leader), pa.scalar("是"), pa.scalar("")),
        "成立年份": _text(rng.integers(1995, 2025, n)),
    }
    return pa.table(columns).cast(SCHEMA)


def write_population(
    path: Path,
    chain: Chain,
    n: int,
    *,
    seed: int,
    batch_rows: int = 500_000,
    **options: object,
) -> int:
    """Write n synthetic screened records to Parquet in batches (memory stays at one batch)."""
    written = 0
    tmp = path.with_name(path.name + ".tmp")
    with pq.ParquetWriter(tmp, SCHEMA, compression="zstd") as writer:
        while written < n:
            size = min(batch_rows, n - written)
            batch = population_batch(chain, size, seed=seed * 1_000_003 + written, start=written, **options)  # type: ignore[arg-type]
            writer.write_table(batch, row_group_size=size)
            written += size
    tmp.replace(path)
    return written
