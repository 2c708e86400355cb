"""Data treatment steps before weighting: imputation, winsorising and normalisation (all column-wise)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import kurtosis, rankdata, skew

# Geometric aggregation needs strictly positive values: normalised columns are mapped to [FLOOR, 1].
GEOMETRIC_FLOOR = 0.01


@dataclass(frozen=True)
class Imputed:
    """One filled-in cell: which entity, which indicator, the rule used and the value put in."""

    row: int
    column: int
    rule: str
    value: float


def impute(x: np.ndarray, rules: list[str], benefit: np.ndarray) -> tuple[np.ndarray, list[Imputed]]:
    """Fill missing cells (NaN) column by column by each indicator's rule; 'fail' columns must be complete."""
    out = x.copy()
    filled: list[Imputed] = []
    for j, rule in enumerate(rules):
        column = out[:, j]
        gaps = np.flatnonzero(np.isnan(column))
        if gaps.size == 0:
            continue
        present = column[~np.isnan(column)]
        if rule == "fail":
            raise ValueError(f"column {j} has missing values and rule 'fail'")
        if present.size == 0 and rule != "zero":
            raise ValueError(f"column {j} has no values to impute from")
        if rule == "mean":
            value = float(present.mean())
        elif rule == "median":
            value = float(np.median(present))
        elif rule == "zero":
            value = 0.0
        else:  # worst: the least favourable observed value, so a gap never helps an entity
            value = float(present.min() if benefit[j] else present.max())
        column[gaps] = value
        filled.extend(Imputed(int(i), j, rule, value) for i in gaps)
    return out, filled


def skewed(x: np.ndarray) -> np.ndarray:
    """Columns with outliers by the OECD/JRC rule of thumb: |skewness| > 2 and (excess) kurtosis > 3.5."""
    flags = np.zeros(x.shape[1], dtype=bool)
    # Constant or near-constant columns have no outliers, and their moments are numerically meaningless.
    varying = np.ptp(x, axis=0) > 1e-9 * np.maximum(1.0, np.abs(x).max(axis=0))
    if varying.any():
        cols = x[:, varying]
        flags[varying] = (np.abs(skew(cols, axis=0)) > 2) & (kurtosis(cols, axis=0) > 3.5)
    return flags


def winsorise(
    x: np.ndarray, lower: float, upper: float, columns: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Clip columns (all, or those marked) to their [lower, upper] quantiles; also return counts clipped."""
    lo = np.quantile(x, lower, axis=0)
    hi = np.quantile(x, upper, axis=0)
    clipped = np.clip(x, lo, hi)
    if columns is not None:
        clipped = np.where(columns, clipped, x)
    return clipped, (clipped != x).sum(axis=0)


def normalise(x: np.ndarray, method: str, benefit: np.ndarray) -> np.ndarray:
    """Normalise columns so that higher is always better; cost indicators are mirrored."""
    n = x.shape[0]
    sign = np.where(benefit, 1.0, -1.0)
    if method == "minmax":
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = hi - lo
        safe = np.where(span > 0, span, 1.0)
        scaled = np.where(benefit, x - lo, hi - x) / safe
        # A constant column carries no information: every entity sits in the middle.
        return np.where(span > 0, scaled, 0.5)
    if method == "zscore":
        sd = x.std(axis=0)
        safe = np.where(sd > 0, sd, 1.0)
        return np.where(sd > 0, sign * (x - x.mean(axis=0)) / safe, 0.0)
    if method == "rank":
        if n == 1:
            return np.full_like(x, 0.5)
        # Average ranks for ties, scaled to [0, 1] with the best at 1.
        return (rankdata(x * sign, method="average", axis=0) - 1) / (n - 1)
    if method == "vector":
        norm = np.sqrt((x**2).sum(axis=0))
        safe = np.where(norm > 0, norm, 1.0)
        v = x / safe
        # Mirroring by 1 - v keeps distances, so TOPSIS on mirrored cost columns equals the textbook form.
        return np.where(benefit, v, 1.0 - v)
    raise ValueError(f"unknown normalisation {method!r}")


def positive(z: np.ndarray) -> np.ndarray:
    """Map normalised columns onto [GEOMETRIC_FLOOR, 1] so a geometric mean is defined."""
    lo, hi = z.min(axis=0), z.max(axis=0)
    span = hi - lo
    unit = np.where(span > 0, (z - lo) / np.where(span > 0, span, 1.0), 0.5)
    return GEOMETRIC_FLOOR + (1 - GEOMETRIC_FLOOR) * unit
