"""Properties any sound composite index must have: monotone, direction-aware, order- and scale-free."""

from __future__ import annotations

import numpy as np
import pytest

from lianzhang.evaluation.engine import Method, evaluate, parse_framework


def _framework(directions: list[str], **method) -> object:
    return parse_framework(
        {
            "id": "prop",
            "entity": "district",
            "method": {"draws": 0, **method},
            "pillars": [
                {
                    "id": "p1",
                    "indicators": [
                        {"id": f"i{j}", "direction": d, "source": "imported"}
                        for j, d in enumerate(directions[:3])
                    ],
                },
                {
                    "id": "p2",
                    "indicators": [
                        {"id": f"i{j + 3}", "direction": d, "source": "imported"}
                        for j, d in enumerate(directions[3:])
                    ],
                },
            ],
        }
    )


DIRECTIONS = ["benefit", "cost", "benefit", "benefit", "cost"]
MONOTONE = [(n, a) for n in ("minmax", "rank", "vector") for a in ("arithmetic", "geometric")]


def _ranks(fw, x: np.ndarray, **method) -> np.ndarray:
    return evaluate(
        fw, [f"e{i}" for i in range(len(x))], x, Method(draws=0, **method), with_sensitivity=False
    ).rank


@pytest.mark.parametrize(("normalisation", "aggregation"), MONOTONE)
def test_improving_one_indicator_never_worsens_the_rank(normalisation, aggregation):
    rng = np.random.default_rng(7)
    fw = _framework(DIRECTIONS)
    for _ in range(30):
        x = rng.uniform(1, 100, size=(12, 5))
        i, j = rng.integers(12), rng.integers(5)
        before = _ranks(fw, x, normalisation=normalisation, aggregation=aggregation)[i]
        better = x.copy()
        # Better means more of a benefit indicator and less of a cost indicator.
        better[i, j] = better[i, j] * 1.5 if DIRECTIONS[j] == "benefit" else better[i, j] / 1.5
        after = _ranks(fw, better, normalisation=normalisation, aggregation=aggregation)[i]
        assert after <= before


@pytest.mark.parametrize("normalisation", ["minmax", "zscore", "rank"])
def test_a_cost_indicator_equals_the_negated_benefit_indicator(normalisation):
    rng = np.random.default_rng(8)
    x = rng.uniform(1, 100, size=(10, 5))
    as_cost = _ranks(_framework(DIRECTIONS), x, normalisation=normalisation)
    flipped = x.copy()
    flipped[:, [1, 4]] *= -1
    as_benefit = _ranks(_framework(["benefit"] * 5), flipped, normalisation=normalisation)
    assert as_cost.tolist() == as_benefit.tolist()


@pytest.mark.parametrize("normalisation", ["minmax", "zscore", "rank", "vector"])
def test_units_do_not_matter(normalisation):
    rng = np.random.default_rng(9)
    x = rng.uniform(1, 100, size=(10, 5))
    scaled = x * np.array([1, 1000, 0.01, 7, 1e4])
    fw = _framework(DIRECTIONS)
    assert (
        _ranks(fw, x, normalisation=normalisation).tolist()
        == _ranks(fw, scaled, normalisation=normalisation).tolist()
    )


def test_row_order_does_not_change_any_entity_result():
    rng = np.random.default_rng(10)
    x = rng.uniform(1, 100, size=(9, 5))
    fw = _framework(DIRECTIONS, draws=200)
    ids = [f"e{i}" for i in range(9)]
    a = {e["id"]: e for e in evaluate(fw, ids, x).to_dict()["entities"]}
    order = rng.permutation(9)
    b = {e["id"]: e for e in evaluate(fw, [ids[k] for k in order], x[order]).to_dict()["entities"]}
    for ident in ids:
        assert a[ident]["rank"] == b[ident]["rank"]
        assert a[ident]["score"] == pytest.approx(b[ident]["score"])


def test_a_dominant_entity_ranks_first_in_every_draw():
    rng = np.random.default_rng(12)
    x = rng.uniform(10, 100, size=(8, 5))
    x[3] = np.where(np.array(DIRECTIONS) == "benefit", 1000.0, 1.0)
    fw = _framework(DIRECTIONS, draws=500)
    top = evaluate(fw, [f"e{i}" for i in range(8)], x).to_dict()["entities"][0]
    assert top["id"] == "e3" and top["rank_interval"] == [1, 1]


def test_without_spread_or_method_choice_the_interval_is_the_rank():
    rng = np.random.default_rng(13)
    fw = _framework(DIRECTIONS)
    method = Method(
        draws=100, weight_spread=0.0, mc_normalisations=("minmax",), mc_aggregations=("arithmetic",)
    )
    result = evaluate(fw, [f"e{i}" for i in range(10)], rng.uniform(1, 100, size=(10, 5)), method)
    for e in result.to_dict()["entities"]:
        assert e["rank_interval"] == [e["rank"], e["rank"]]


def test_same_seed_same_intervals_and_intervals_bracket_the_median():
    rng = np.random.default_rng(14)
    x = rng.uniform(1, 100, size=(30, 5))
    fw = _framework(DIRECTIONS, draws=300, seed=5)
    first = evaluate(fw, [f"e{i}" for i in range(30)], x).to_dict()["entities"]
    again = evaluate(fw, [f"e{i}" for i in range(30)], x).to_dict()["entities"]
    assert first == again
    for e in first:
        lo, hi = e["rank_interval"]
        assert 1 <= lo <= e["median_rank"] <= hi <= 30


def test_pillar_scores_combine_into_the_composite_under_arithmetic_aggregation():
    rng = np.random.default_rng(15)
    fw = _framework(DIRECTIONS)
    out = evaluate(fw, [f"e{i}" for i in range(6)], rng.uniform(1, 100, size=(6, 5))).to_dict()
    pw = out["weights"]["pillars"]
    for e in out["entities"]:
        assert e["score"] == pytest.approx(sum(pw[p] * s for p, s in e["pillar_scores"].items()), abs=1e-4)


def test_sensitivity_finds_the_indicator_that_decides_the_ranking():
    rng = np.random.default_rng(16)
    # Four indicators tell the same story; only the first disagrees with them.
    x = np.hstack(
        [rng.uniform(0, 100, size=(20, 1)), np.repeat(rng.uniform(0, 100, size=(20, 1)), 4, axis=1)]
    )
    fw = _framework(["benefit"] * 5)
    sens = evaluate(fw, [f"e{i}" for i in range(20)], x).to_dict()["sensitivity"]
    shifts = {row["id"]: row["drop"]["mean_shift"] for row in sens["indicators"]}
    assert max(shifts, key=shifts.get) == "i0"


def test_geometric_scores_are_weighted_products_of_shifted_minmax_values():
    x = np.array([[1.0, 10, 5, 2, 8], [3.0, 20, 1, 4, 2], [2.0, 40, 3, 8, 6]])
    fw = _framework(DIRECTIONS)
    result = evaluate(
        fw, ["a", "b", "c"], x, Method(draws=0, aggregation="geometric"), with_sensitivity=False
    )
    w = result.hierarchy.weights
    for i in range(3):
        product = 1.0
        for j in range(5):
            col = x[:, j]
            z = (col[i] - col.min()) / (col.max() - col.min())
            if DIRECTIONS[j] == "cost":
                z = 1 - z
            product *= (0.01 + 0.99 * z) ** w[j]
        assert result.score[i] == pytest.approx(100 * product)
