"""Aggregation, TOPSIS and ranking: from a normalised matrix and weights to scores and ranks."""

from __future__ import annotations

import numpy as np

from lianzhang.evaluation.engine.steps import normalise, positive


def arithmetic(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted arithmetic mean of each row (weights sum to 1)."""
    return z @ w


def geometric(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted geometric mean of each row, after mapping columns onto a positive range."""
    return np.exp(np.log(positive(z)) @ w)


def closeness(z: np.ndarray, w: np.ndarray) -> np.ndarray:
    """TOPSIS relative closeness to the ideal, for columns already oriented so that higher is better."""
    v = z * w
    d_best = np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1))
    d_worst = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
    total = d_best + d_worst
    return np.divide(d_worst, total, out=np.full(total.shape, 0.5), where=total > 0)


def topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Textbook TOPSIS (Hwang and Yoon): vector normalisation, weighted ideal and anti-ideal, closeness."""
    return closeness(normalise(np.asarray(x, dtype=float), "vector", np.asarray(benefit, dtype=bool)), w)


def competition_ranks(scores: np.ndarray) -> np.ndarray:
    """Rank 1 for the highest score; ties share the best rank (1, 2, 2, 4), column by column for 2-D input."""
    s = np.asarray(scores, dtype=float)
    if s.ndim == 1:
        return _rank_rows(s[None, :])[0]
    return _rank_rows(np.ascontiguousarray(s.T)).T


def _rank_rows(s: np.ndarray) -> np.ndarray:
    """Competition ranks along each row; rows are contiguous, which makes the sort several times faster."""
    # Rounding keeps equal rows equal when floating-point summation order differs between them.
    s = np.round(s, 9)
    # Order inside a tie does not matter (all members get the first position), so an unstable sort will do.
    order = np.argsort(-s, axis=1)
    ordered = np.take_along_axis(s, order, axis=1)
    n = s.shape[1]
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first = np.where(starts, np.arange(n, dtype=np.int32)[None, :], 0).astype(np.int32)
    np.maximum.accumulate(first, axis=1, out=first)
    ranks = np.empty(s.shape, dtype=np.int32)
    np.put_along_axis(ranks, order, first + 1, axis=1)
    return ranks
