"""Weighting methods: AHP (principal eigenvector, consistency ratio), entropy, CRITIC and PCA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Saaty's random consistency index by matrix order (order 1 and 2 are always consistent).
RANDOM_INDEX = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
CR_LIMIT = 0.1


@dataclass(frozen=True)
class AhpResult:
    """Priorities from a pairwise matrix with its principal eigenvalue and consistency figures."""

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float

    @property
    def consistent(self) -> bool:
        """Saaty's rule: a consistency ratio up to 0.1 is acceptable."""
        return self.cr <= CR_LIMIT

    def to_dict(self) -> dict[str, float]:
        """Plain figures for JSON output."""
        return {"lambda_max": round(self.lambda_max, 6), "ci": round(self.ci, 6), "cr": round(self.cr, 6)}


def ahp(matrix: np.ndarray) -> AhpResult:
    """Principal right eigenvector of a positive reciprocal matrix, normalised to sum 1, and its CR."""
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if n == 1:
        return AhpResult(np.ones(1), 1.0, 0.0, 0.0)
    values, vectors = np.linalg.eig(a)
    k = int(np.argmax(values.real))
    # Perron–Frobenius: the principal eigenvector of a positive matrix has one sign.
    w = np.abs(vectors[:, k].real)
    w = w / w.sum()
    lam = float(values[k].real)
    ci = (lam - n) / (n - 1)
    ri = RANDOM_INDEX.get(n, 1.59)
    cr = ci / ri if ri > 0 else 0.0
    # Rounding can leave a perfectly consistent matrix a hair below n.
    return AhpResult(w, lam, max(ci, 0.0), max(cr, 0.0))


def entropy(z: np.ndarray) -> np.ndarray:
    """Entropy weights from min-max normalised data: columns that vary more weigh more."""
    n = z.shape[0]
    totals = z.sum(axis=0)
    p = np.divide(z, totals, out=np.full_like(z, 1.0 / n), where=totals > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = np.clip(1.0 - e, 0.0, None)
    return _normalised(d)


def critic(z: np.ndarray) -> np.ndarray:
    """CRITIC weights: standard deviation times total conflict (1 - correlation) with other columns."""
    sd = z.std(axis=0, ddof=1)
    varying = sd > 0
    r = np.zeros((z.shape[1], z.shape[1]))
    if varying.sum() > 1:
        r[np.ix_(varying, varying)] = np.corrcoef(z[:, varying], rowvar=False)
    info = sd * (1.0 - r).sum(axis=0)
    return _normalised(info)


def pca(z: np.ndarray) -> np.ndarray:
    """PCA weights as in the OECD/JRC handbook: varimax-rotated factors with eigenvalue ≥ 1.

    Each indicator takes its largest scaled squared loading, times its factor's share of explained variance.
    """
    sd = z.std(axis=0)
    varying = sd > 0
    out = np.zeros(z.shape[1])
    if varying.sum() < 2:
        out[varying] = 1.0
        return _normalised(out)
    corr = np.corrcoef(z[:, varying], rowvar=False)
    values, vectors = np.linalg.eigh(corr)
    order = np.argsort(values)[::-1]
    values, vectors = values[order], vectors[:, order]
    keep = max(1, int((values >= 1.0).sum()))
    loadings = vectors[:, :keep] * np.sqrt(np.clip(values[:keep], 0, None))
    if keep > 1:
        loadings = varimax(loadings)
    squared = loadings**2
    explained = squared.sum(axis=0)
    scaled = squared / explained
    best = scaled.argmax(axis=1)
    share = explained / explained.sum()
    out[varying] = scaled[np.arange(scaled.shape[0]), best] * share[best]
    return _normalised(out)


def varimax(loadings: np.ndarray, iterations: int = 100, tol: float = 1e-8) -> np.ndarray:
    """Kaiser's varimax rotation of a loadings matrix (indicators × factors)."""
    p, k = loadings.shape
    rotation = np.eye(k)
    total = 0.0
    for _ in range(iterations):
        rotated = loadings @ rotation
        target = rotated**3 - rotated @ np.diag((rotated**2).sum(axis=0)) / p
        u, s, vt = np.linalg.svd(loadings.T @ target)
        rotation = u @ vt
        previous, total = total, float(s.sum())
        if previous and total < previous * (1 + tol):
            break
    return loadings @ rotation


def _normalised(v: np.ndarray) -> np.ndarray:
    total = v.sum()
    if total <= 0:
        return np.full(v.shape, 1.0 / v.size)
    return v / total
