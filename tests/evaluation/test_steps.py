"""Data treatment and weighting steps, each checked against a plain loop or a hand-worked case."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lianzhang.evaluation.engine import competition_ranks
from lianzhang.evaluation.engine.steps import impute, normalise, skewed, winsorise
from lianzhang.evaluation.engine.weights import critic, entropy, pca

X = np.array([[1.0, 10.0], [2.0, 30.0], [4.0, 20.0], [3.0, 40.0]])


def test_minmax_mirrors_cost_columns():
    z = normalise(X, "minmax", np.array([True, False]))
    assert z[:, 0].tolist() == pytest.approx([0, 1 / 3, 1, 2 / 3])
    assert z[:, 1].tolist() == pytest.approx([1, 1 / 3, 2 / 3, 0])


def test_zscore_uses_population_deviation_and_flips_cost():
    z = normalise(X, "zscore", np.array([True, False]))
    col = X[:, 0]
    mean = sum(col) / 4
    sd = math.sqrt(sum((v - mean) ** 2 for v in col) / 4)
    assert z[:, 0].tolist() == pytest.approx([(v - mean) / sd for v in col])
    assert z[:, 1].mean() == pytest.approx(0) and z[1, 1] < 0 < z[0, 1]


def test_rank_normalisation_averages_ties():
    z = normalise(np.array([[5.0], [1.0], [5.0], [3.0]]), "rank", np.array([True]))
    assert z[:, 0].tolist() == pytest.approx([2.5 / 3, 0, 2.5 / 3, 1 / 3])


def test_constant_column_sits_in_the_middle():
    z = normalise(np.array([[7.0], [7.0], [7.0]]), "minmax", np.array([True]))
    assert z[:, 0].tolist() == [0.5, 0.5, 0.5]


def test_imputation_rules_fill_as_declared_and_report_each_cell():
    x = np.array([[1.0, np.nan, 5.0, np.nan], [np.nan, 4.0, np.nan, 2.0], [3.0, 8.0, 9.0, 6.0]])
    filled, cells = impute(x, ["mean", "median", "zero", "worst"], np.array([True, True, True, False]))
    assert filled[1, 0] == 2.0
    assert filled[0, 1] == 6.0
    assert filled[1, 2] == 0.0
    assert filled[0, 3] == 6.0  # worst for a cost indicator is the largest value seen
    assert sorted((c.row, c.column, c.rule) for c in cells) == [
        (0, 1, "median"),
        (0, 3, "worst"),
        (1, 0, "mean"),
        (1, 2, "zero"),
    ]


def test_worst_imputation_for_benefit_is_the_minimum():
    filled, _ = impute(np.array([[np.nan], [4.0], [2.0]]), ["worst"], np.array([True]))
    assert filled[0, 0] == 2.0


def test_winsorising_clips_to_quantiles_and_counts():
    col = np.array([[float(v)] for v in [*range(1, 20), 1000]])
    clipped, counts = winsorise(col, 0.05, 0.95)
    assert clipped.max() == pytest.approx(np.quantile(col, 0.95))
    assert counts.tolist() == [2]


def _loop_entropy(z: list[list[float]]) -> list[float]:
    n, m = len(z), len(z[0])
    d = []
    for j in range(m):
        total = sum(z[i][j] for i in range(n))
        e = 0.0
        for i in range(n):
            p = z[i][j] / total
            if p > 0:
                e -= p * math.log(p)
        d.append(1 - e / math.log(n))
    return [v / sum(d) for v in d]


def _loop_critic(z: list[list[float]]) -> list[float]:
    n, m = len(z), len(z[0])
    means = [sum(z[i][j] for i in range(n)) / n for j in range(m)]
    sds = [math.sqrt(sum((z[i][j] - means[j]) ** 2 for i in range(n)) / (n - 1)) for j in range(m)]

    def r(a: int, b: int) -> float:
        cov = sum((z[i][a] - means[a]) * (z[i][b] - means[b]) for i in range(n)) / (n - 1)
        return cov / (sds[a] * sds[b])

    c = [sds[j] * sum(1 - r(j, k) for k in range(m)) for j in range(m)]
    return [v / sum(c) for v in c]


def test_entropy_and_critic_agree_with_loops():
    rng = np.random.default_rng(3)
    z = normalise(rng.lognormal(size=(15, 5)), "minmax", np.ones(5, dtype=bool))
    assert entropy(z) == pytest.approx(_loop_entropy(z.tolist()), abs=1e-12)
    assert critic(z) == pytest.approx(_loop_critic(z.tolist()), abs=1e-12)


def test_pca_weights_are_non_negative_and_favour_the_block_that_explains_most():
    rng = np.random.default_rng(4)
    f1, f2 = rng.normal(size=(2, 200, 1))
    # Four indicators share one factor, two share another: the larger block explains more variance.
    z = np.hstack([f1 + 0.3 * rng.normal(size=(200, 4)), f2 + 0.3 * rng.normal(size=(200, 2))])
    w = pca(z)
    assert w.sum() == pytest.approx(1) and (w >= 0).all()
    assert w[:4].sum() > w[4:].sum()


def test_competition_ranks_share_the_best_rank_on_ties():
    assert competition_ranks(np.array([3.0, 5.0, 5.0, 1.0])).tolist() == [3, 1, 1, 4]
    two = competition_ranks(np.array([[1.0, 2.0], [2.0, 2.0], [0.5, 1.0]]))
    assert two.tolist() == [[2, 1], [1, 1], [3, 3]]


def test_only_skewed_columns_are_flagged_for_winsorising():
    rng = np.random.default_rng(5)
    normal = rng.normal(50, 5, size=200)
    heavy = np.append(rng.normal(50, 5, size=199), 5000.0)
    flags = skewed(np.column_stack([normal, heavy]))
    assert flags.tolist() == [False, True]
    clipped, counts = winsorise(np.column_stack([normal, heavy]), 0.05, 0.95, columns=flags)
    assert counts[0] == 0 and counts[1] > 0 and (clipped[:, 0] == normal).all()
