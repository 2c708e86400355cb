"""AHP: Saaty's published examples, an independent power-iteration check, and the CR > 0.1 refusal."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from lianzhang.evaluation.engine import InconsistentJudgements, Method, ahp, evaluate, parse_framework
from lianzhang.evaluation.engine.weights import RANDOM_INDEX


def _matrix(rows: str) -> np.ndarray:
    return np.array([[float(Fraction(c)) for c in row.split()] for row in rows.strip().split(";")])


# Saaty, "How to make a decision: the analytic hierarchy process", EJOR 48 (1990): criteria for buying
# a house (size, transportation, neighbourhood, age, yard, modern facilities, condition, financing).
HOUSE = _matrix(
    "1 5 3 7 6 6 1/3 1/4; 1/5 1 1/3 5 3 3 1/5 1/7; 1/3 3 1 6 3 4 6 1/5; 1/7 1/5 1/6 1 1/3 1/4 1/7 1/8;"
    "1/6 1/3 1/3 3 1 1/2 1/5 1/6; 1/6 1/3 1/4 4 2 1 1/5 1/6; 3 5 1/6 7 5 5 1 1/2; 4 7 5 8 6 6 2 1"
)
HOUSE_PRIORITIES = [0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333]

# Saaty (same paper): relative wealth of nations (US, USSR, China, France, UK, Japan, West Germany).
WEALTH = _matrix(
    "1 4 9 6 6 5 5; 1/4 1 7 5 5 3 4; 1/9 1/7 1 1/5 1/5 1/7 1/5; 1/6 1/5 5 1 1 1/3 1/3;"
    "1/6 1/5 5 1 1 1/3 1/3; 1/5 1/3 7 3 3 1 2; 1/5 1/4 5 3 3 1/2 1"
)
WEALTH_PRIORITIES = [0.427, 0.230, 0.021, 0.052, 0.052, 0.123, 0.094]


def _power_iteration(a: list[list[float]], steps: int = 500) -> tuple[list[float], float]:
    """Principal eigenvector and eigenvalue by repeated multiplication, written out with loops."""
    n = len(a)
    w = [1.0 / n] * n
    for _ in range(steps):
        nxt = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
        total = sum(nxt)
        w = [v / total for v in nxt]
    aw = [sum(a[i][j] * w[j] for j in range(n)) for i in range(n)]
    lam = sum(aw[i] / w[i] for i in range(n)) / n
    return w, lam


def test_house_example_matches_saaty_priorities_and_consistency():
    result = ahp(HOUSE)
    assert np.round(result.weights, 3).tolist() == HOUSE_PRIORITIES
    assert round(result.lambda_max, 3) == 9.669
    assert round(result.ci, 2) == 0.24
    assert round(result.cr, 2) == 0.17
    assert not result.consistent


def test_wealth_of_nations_example_matches_saaty_priorities_and_consistency():
    result = ahp(WEALTH)
    assert np.round(result.weights, 3).tolist() == WEALTH_PRIORITIES
    assert round(result.lambda_max, 2) == 7.61
    assert round(result.ci, 2) == 0.10
    assert round(result.cr, 2) == 0.08
    assert result.consistent


@pytest.mark.parametrize("matrix", [HOUSE, WEALTH])
def test_eigenvector_agrees_with_power_iteration(matrix):
    w, lam = _power_iteration(matrix.tolist())
    result = ahp(matrix)
    assert np.allclose(result.weights, w, atol=1e-9)
    assert result.lambda_max == pytest.approx(lam, abs=1e-9)
    n = len(matrix)
    assert result.cr == pytest.approx((lam - n) / (n - 1) / RANDOM_INDEX[n], abs=1e-9)


def test_consistent_matrix_has_zero_ratio_and_exact_weights():
    target = np.array([0.5, 0.3, 0.2])
    result = ahp(target[:, None] / target[None, :])
    assert np.allclose(result.weights, target)
    assert result.cr == pytest.approx(0.0, abs=1e-12)


def _framework(matrix: list[list[str]], allow: bool = False) -> dict:
    return {
        "id": "t",
        "entity": "district",
        "method": {"weighting": "ahp", "allow_inconsistent": allow, "draws": 0},
        "ahp": matrix,
        "pillars": [
            {"id": p, "indicators": [{"id": f"{p}_x", "direction": "benefit", "source": "imported"}]}
            for p in ("a", "b", "c")
        ],
    }


# Circular judgements: a ≫ b, b ≫ c, but c ≫ a.
INCONSISTENT = [["1", "5", "1/5"], ["1/5", "1", "5"], ["5", "1/5", "1"]]


def test_inconsistent_judgements_are_refused_with_the_ratio_named():
    fw = parse_framework(_framework(INCONSISTENT))
    with pytest.raises(InconsistentJudgements, match=r"CR=\d+\.\d{3}"):
        evaluate(fw, ["x", "y", "z"], np.arange(9.0).reshape(3, 3))


def test_inconsistent_judgements_run_when_explicitly_allowed_and_report_the_ratio():
    fw = parse_framework(_framework(INCONSISTENT, allow=True))
    out = evaluate(fw, ["x", "y", "z"], np.arange(9.0).reshape(3, 3)).to_dict()
    assert out["consistency_ratio"] > 0.1
    assert out["consistency"]["pillars"]["cr"] == out["consistency_ratio"]


def test_pillar_weights_are_the_ahp_priorities():
    matrix = [["1", "3", "5"], ["1/3", "1", "3"], ["1/5", "1/3", "1"]]
    fw = parse_framework(_framework(matrix))
    out = evaluate(
        fw, ["x", "y", "z"], np.arange(9.0).reshape(3, 3), Method(weighting="ahp", draws=0)
    ).to_dict()
    expected = ahp(_matrix("1 3 5; 1/3 1 3; 1/5 1/3 1")).weights
    assert list(out["weights"]["pillars"].values()) == pytest.approx(expected.tolist(), abs=1e-6)
    assert out["consistency_ratio"] < 0.1
