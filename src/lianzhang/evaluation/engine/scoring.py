"""Scores for many weight vectors at once: the shared core of the base run, Monte Carlo and sensitivity."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lianzhang.evaluation.engine.steps import normalise, positive

# Scores of these normalisations lie in [0, 1] and are shown ×100; z-score and vector scores are shown as is.
PERCENT_SCALES = ("minmax", "rank")


@dataclass
class Prepared:
    """Treated data normalised once per method, with the derived matrices each aggregation needs."""

    x: np.ndarray
    benefit: np.ndarray
    _cache: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    def parts(self, normalisation: str) -> dict[str, np.ndarray]:
        """Normalised matrix plus log-positive and squared distances to the column best and worst."""
        if normalisation not in self._cache:
            z = normalise(self.x, normalisation, self.benefit)
            self._cache[normalisation] = {
                "z": z,
                "log": np.log(positive(z)),
                "to_best": (z - z.max(axis=0)) ** 2,
                "to_worst": (z - z.min(axis=0)) ** 2,
            }
        return self._cache[normalisation]


def scores(prep: Prepared, normalisation: str, aggregation: str, ranking: str, w: np.ndarray) -> np.ndarray:
    """Composite scores (entities × weight vectors) for weight rows w (k × indicators)."""
    part = prep.parts(normalisation)
    if ranking == "topsis":
        w2 = (w**2).T
        d_best = np.sqrt(part["to_best"] @ w2)
        d_worst = np.sqrt(part["to_worst"] @ w2)
        total = d_best + d_worst
        return np.divide(d_worst, total, out=np.full(total.shape, 0.5), where=total > 0)
    if aggregation == "geometric":
        return np.exp(part["log"] @ w.T)
    return part["z"] @ w.T


def display_scale(normalisation: str, aggregation: str, ranking: str) -> float:
    """Factor that turns raw composites into the shown score (0–100 where the composite lies in [0, 1])."""
    if ranking == "topsis" or aggregation == "geometric" or normalisation in PERCENT_SCALES:
        return 100.0
    return 1.0
