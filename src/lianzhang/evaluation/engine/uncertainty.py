"""Uncertainty and sensitivity: Monte Carlo over weights and method choices, one-at-a-time rank shifts."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import numpy as np

from lianzhang.evaluation.engine.aggregate import competition_ranks
from lianzhang.evaluation.engine.scoring import Prepared, scores

# Draws are scored in chunks so memory stays near entities × CHUNK_CELLS / entities floats.
CHUNK_CELLS = 2_000_000


@dataclass(frozen=True)
class Hierarchy:
    """Weights as pillar weights times within-pillar weights, with each indicator's pillar index."""

    pillar_of: np.ndarray
    pillar_weights: np.ndarray
    within: np.ndarray

    @property
    def weights(self) -> np.ndarray:
        """Global indicator weights (sum to 1)."""
        return self.pillar_weights[self.pillar_of] * self.within


@dataclass(frozen=True)
class Choices:
    """The method alternatives a Monte Carlo draw picks from, uniformly."""

    normalisations: tuple[str, ...]
    aggregations: tuple[str, ...]
    rankings: tuple[str, ...]

    def combos(self) -> list[tuple[str, str, str]]:
        """Distinct (normalisation, aggregation, ranking) triples; TOPSIS ignores the aggregation."""
        seen: list[tuple[str, str, str]] = []
        for n, a, r in product(self.normalisations, self.aggregations, self.rankings):
            key = (n, "arithmetic" if r == "topsis" else a, r)
            if key not in seen:
                seen.append(key)
        return seen


@dataclass(frozen=True)
class RankIntervals:
    """Per-entity rank percentiles over the Monte Carlo draws."""

    p5: np.ndarray
    median: np.ndarray
    p95: np.ndarray
    draws: int
    first_order: dict[str, float] = field(default_factory=dict)


def perturbed_weights(h: Hierarchy, spread: float, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Draw weight vectors: each pillar and within-pillar weight times U(1-spread, 1+spread), renormalised."""
    n_pillars = h.pillar_weights.size
    pw = h.pillar_weights * rng.uniform(1 - spread, 1 + spread, size=(draws, n_pillars))
    pw /= pw.sum(axis=1, keepdims=True)
    within = h.within * rng.uniform(1 - spread, 1 + spread, size=(draws, h.within.size))
    onehot = np.zeros((h.within.size, n_pillars))
    onehot[np.arange(h.within.size), h.pillar_of] = 1.0
    sums = within @ onehot
    within /= np.where(sums > 0, sums, 1.0)[:, h.pillar_of]
    return pw[:, h.pillar_of] * within


def monte_carlo(
    prep: Prepared,
    h: Hierarchy,
    choices: Choices,
    spread: float,
    draws: int,
    seed: int,
    pillar_ids: list[str] | None = None,
) -> RankIntervals:
    """Rank every entity under `draws` random weight vectors and method choices; summarise percentiles."""
    n = prep.x.shape[0]
    rng = np.random.default_rng(seed)
    w = perturbed_weights(h, spread, draws, rng)
    combos = choices.combos()
    pick = rng.integers(0, len(combos), size=draws)
    # Ranks are kept draw by draw (draws × entities) so each draw's ranking is one contiguous row.
    ranks = np.empty((draws, n), dtype=np.int32)
    chunk = max(1, CHUNK_CELLS // max(n, 1))
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        block = np.empty((n, stop - start))
        for c, (norm, agg, rank_method) in enumerate(combos):
            cols = np.flatnonzero(pick[start:stop] == c)
            if cols.size:
                block[:, cols] = scores(prep, norm, agg, rank_method, w[start + cols])
        ranks[start:stop] = competition_ranks(block).T
    factors: dict[str, np.ndarray] = {}
    for position, name in enumerate(("normalisation", "aggregation", "ranking")):
        levels = np.array([combo[position] for combo in combos])[pick]
        if len(set(levels.tolist())) > 1:
            factors[name] = np.unique(levels, return_inverse=True)[1]
    pillar_draws = np.zeros((draws, h.pillar_weights.size))
    np.add.at(pillar_draws.T, h.pillar_of, w.T)
    names = pillar_ids or [str(k) for k in range(h.pillar_weights.size)]
    continuous = {f"pillar_weight:{name}": pillar_draws[:, k] for k, name in enumerate(names) if spread > 0}
    indices = first_order(ranks, factors, continuous)
    # Percentiles by position in the sorted draws: the 5th rounded down and the 95th rounded up, so
    # the interval covers at least 90% of the draws (numpy's "lower" and "higher" methods).
    ranks.sort(axis=0)
    last = draws - 1
    return RankIntervals(
        p5=ranks[int(np.floor(0.05 * last))].astype(int),
        median=ranks[round(0.5 * last)].astype(int),
        p95=ranks[int(np.ceil(0.95 * last))].astype(int),
        draws=draws,
        first_order=indices,
    )


def first_order(
    ranks: np.ndarray, discrete: dict[str, np.ndarray], continuous: dict[str, np.ndarray], bins: int = 10
) -> dict[str, float]:
    """First-order sensitivity index of each input factor: Var(E[rank | factor]) / Var(rank).

    Averaged over entities whose rank varies. Discrete factors (method choices) are conditioned on
    their level; continuous ones (a pillar's drawn weight) on equal-count bins, the usual estimate.
    """
    draws = ranks.shape[0]
    total = ranks.var(axis=0)
    moving = total > 0
    if draws < 2 * bins or not moving.any():
        return {}
    values = ranks[:, moving].astype(np.float32)
    mean = values.mean(axis=0)
    out: dict[str, float] = {}
    groups = dict(discrete)
    for name, x in continuous.items():
        groups[name] = np.minimum(np.argsort(np.argsort(x, kind="stable")) * bins // draws, bins - 1)
    for name, codes in groups.items():
        onehot = np.zeros((codes.max() + 1, draws), dtype=np.float32)
        onehot[codes, np.arange(draws)] = 1.0
        counts = onehot.sum(axis=1)
        present = counts > 0
        conditional = (onehot[present] @ values) / counts[present, None]
        between = (counts[present, None] * (conditional - mean) ** 2).sum(axis=0) / draws
        out[name] = round(float((between / total[moving]).mean()), 4)
    return out


def _shift(base: np.ndarray, other: np.ndarray) -> tuple[float, int]:
    diff = np.abs(other - base[:, None]).astype(float)
    return float(diff.mean()), int(diff.max()) if diff.size else 0


def sensitivity(
    prep: Prepared,
    h: Hierarchy,
    method: tuple[str, str, str],
    indicator_ids: list[str],
    pillar_ids: list[str],
    choices: Choices,
) -> dict[str, list[dict[str, object]]]:
    """Mean and largest rank shift when one thing changes: an indicator dropped, a weight halved or
    raised by half, a method swapped. Larger shifts mean the ranking depends more on that choice."""
    norm, agg, rank_method = method
    base = competition_ranks(scores(prep, norm, agg, rank_method, h.weights[None, :])[:, 0])
    m, p = h.within.size, h.pillar_weights.size

    def regather(pw: np.ndarray, within: np.ndarray) -> np.ndarray:
        onehot = np.zeros((m, p))
        onehot[np.arange(m), h.pillar_of] = 1.0
        sums = within @ onehot
        alive = sums > 0
        pw = np.where(alive, pw, 0.0)
        pw = pw / pw.sum(axis=1, keepdims=True)
        within = within / np.where(alive, sums, 1.0)[:, h.pillar_of]
        return pw[:, h.pillar_of] * within

    eye = np.eye(m)
    tiled_pw = np.tile(h.pillar_weights, (m, 1))
    drop = regather(tiled_pw, np.tile(h.within, (m, 1)) * (1 - eye))
    half = regather(tiled_pw, np.tile(h.within, (m, 1)) * (1 - 0.5 * eye))
    more = regather(tiled_pw, np.tile(h.within, (m, 1)) * (1 + 0.5 * eye))
    variants = np.vstack([drop, half, more])
    ranks = competition_ranks(scores(prep, norm, agg, rank_method, variants))
    indicators = []
    for j, ident in enumerate(indicator_ids):
        row: dict[str, object] = {"id": ident}
        for label, offset in (("drop", 0), ("half", m), ("plus_half", 2 * m)):
            mean, largest = _shift(base, ranks[:, [offset + j]])
            row[label] = {"mean_shift": round(mean, 4), "max_shift": largest}
        indicators.append(row)
    pe = np.eye(p)
    tiled_within = np.tile(h.within, (2 * p, 1))
    pillar_variants = regather(
        np.vstack([h.pillar_weights * (1 - 0.5 * pe), h.pillar_weights * (1 + 0.5 * pe)]), tiled_within
    )
    pranks = competition_ranks(scores(prep, norm, agg, rank_method, pillar_variants))
    pillars = []
    for k, ident in enumerate(pillar_ids):
        half_mean, half_max = _shift(base, pranks[:, [k]])
        more_mean, more_max = _shift(base, pranks[:, [p + k]])
        pillars.append(
            {
                "id": ident,
                "half": {"mean_shift": round(half_mean, 4), "max_shift": half_max},
                "plus_half": {"mean_shift": round(more_mean, 4), "max_shift": more_max},
            }
        )
    methods = []
    for alt in choices.combos():
        if alt == (norm, "arithmetic" if rank_method == "topsis" else agg, rank_method):
            continue
        alt_ranks = competition_ranks(scores(prep, *alt, h.weights[None, :]))
        mean, largest = _shift(base, alt_ranks)
        methods.append(
            {
                "normalisation": alt[0],
                "aggregation": alt[1],
                "ranking": alt[2],
                "mean_shift": round(mean, 4),
                "max_shift": largest,
            }
        )
    return {"indicators": indicators, "pillars": pillars, "methods": methods}
