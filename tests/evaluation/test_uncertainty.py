"""Monte Carlo rank intervals agree with a per-draw loop; data-driven weights; maturity placement."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata

from lianzhang.evaluation.engine import Method, evaluate, parse_framework
from lianzhang.evaluation.engine.maturity import place
from lianzhang.evaluation.engine.scoring import Prepared
from lianzhang.evaluation.engine.steps import normalise, positive
from lianzhang.evaluation.engine.uncertainty import Choices, monte_carlo, perturbed_weights

CHOICES = Choices(
    ("minmax", "zscore", "rank", "vector"), ("arithmetic", "geometric"), ("weighted_sum", "topsis")
)


def _framework() -> object:
    return parse_framework(
        {
            "id": "u",
            "entity": "district",
            "method": {"draws": 0},
            "pillars": [
                {
                    "id": "a",
                    "indicators": [
                        {"id": f"a{j}", "direction": "benefit", "source": "imported"} for j in range(3)
                    ],
                },
                {
                    "id": "b",
                    "indicators": [
                        {"id": "b0", "direction": "cost", "source": "imported"},
                        {"id": "b1", "direction": "benefit", "source": "imported"},
                    ],
                },
            ],
            "maturity": {
                "levels": [
                    {"level": "L3", "name": "高", "when": ["score >= 70", "pillar.a >= 50"]},
                    {"level": "L2", "name": "中", "when": ["indicator.b0 < 20"]},
                    {"level": "L1", "name": "低"},
                ]
            },
        }
    )


def test_rank_intervals_equal_a_draw_by_draw_loop():
    rng = np.random.default_rng(21)
    x = rng.lognormal(size=(25, 5))
    benefit = np.array([True, True, True, False, True])
    fw = _framework()
    h = evaluate(fw, [f"e{i}" for i in range(25)], x, with_sensitivity=False).hierarchy
    fast = monte_carlo(Prepared(x, benefit), h, CHOICES, 0.3, 400, seed=3)
    # The same draws (weights first, then the method index), evaluated one at a time.
    draw_rng = np.random.default_rng(3)
    w = perturbed_weights(h, 0.3, 400, draw_rng)
    combos = CHOICES.combos()
    pick = draw_rng.integers(0, len(combos), size=400)
    ranks = []
    for d in range(400):
        norm, agg, ranking = combos[pick[d]]
        z = normalise(x, norm, benefit)
        if ranking == "topsis":
            v = z * w[d]
            far = np.sqrt(((v - v.min(axis=0)) ** 2).sum(axis=1))
            s = far / (np.sqrt(((v - v.max(axis=0)) ** 2).sum(axis=1)) + far)
        elif agg == "geometric":
            s = np.prod(positive(z) ** w[d], axis=1)
        else:
            s = (z * w[d]).sum(axis=1)
        ranks.append(rankdata(-np.round(s, 9), method="min"))
    ranks = np.array(ranks)
    assert fast.p5.tolist() == np.percentile(ranks, 5, axis=0, method="lower").astype(int).tolist()
    assert fast.p95.tolist() == np.percentile(ranks, 95, axis=0, method="higher").astype(int).tolist()


def test_perturbed_weights_stay_within_the_spread_and_sum_to_one():
    h = evaluate(
        _framework(), ["x", "y", "z"], np.arange(15.0).reshape(3, 5) + 1, with_sensitivity=False
    ).hierarchy
    w = perturbed_weights(h, 0.25, 2000, np.random.default_rng(0))
    assert np.allclose(w.sum(axis=1), 1)
    ratio = w / h.weights
    # Pillar and indicator factors each lie in [0.75, 1.25] before renormalising.
    assert ratio.min() > 0.75**2 / 1.25**2 - 1e-9 and ratio.max() < 1.25**2 / 0.75**2 + 1e-9


@pytest.mark.parametrize("weighting", ["entropy", "critic", "pca"])
def test_data_driven_weights_sum_to_one_and_split_into_pillars(weighting):
    rng = np.random.default_rng(22)
    out = evaluate(
        _framework(),
        [f"e{i}" for i in range(30)],
        rng.lognormal(size=(30, 5)),
        Method(weighting=weighting, draws=0),
    ).to_dict()
    indicators, pillars = out["weights"]["indicators"], out["weights"]["pillars"]
    assert sum(indicators.values()) == pytest.approx(1, abs=1e-5)
    assert pillars["a"] == pytest.approx(indicators["a0"] + indicators["a1"] + indicators["a2"], abs=1e-5)


def test_data_driven_weights_need_three_entities():
    from lianzhang.evaluation.engine import DataError

    with pytest.raises(DataError, match="至少 3 个"):
        evaluate(_framework(), ["x", "y"], np.ones((2, 5)), Method(weighting="entropy"))


def test_maturity_takes_the_highest_level_whose_rules_all_hold_and_says_which():
    fw = _framework()
    assert place(fw.levels, 80, {"a": 60, "b": 0}, {"b0": 50}) == {
        "level": "L3",
        "name": "高",
        "rule": "score >= 70 且 pillar.a >= 50",
    }
    assert place(fw.levels, 80, {"a": 40, "b": 0}, {"b0": 10})["rule"] == "indicator.b0 < 20"
    fallback = place(fw.levels, 80, {"a": 40, "b": 0}, {"b0": 30})
    assert fallback["level"] == "L1" and "兜底" in fallback["rule"]


def test_every_entity_gets_a_level_in_the_output():
    rng = np.random.default_rng(23)
    out = evaluate(_framework(), [f"e{i}" for i in range(10)], rng.uniform(1, 40, size=(10, 5))).to_dict()
    assert all(
        e["maturity"]["level"] in {"L1", "L2", "L3"} and e["maturity"]["rule"] for e in out["entities"]
    )
    best = out["entities"][0]
    assert best["score"] == pytest.approx(max(e["score"] for e in out["entities"]))


def test_first_order_index_is_one_for_the_only_source_and_near_zero_for_noise():
    from lianzhang.evaluation.engine.uncertainty import first_order

    rng = np.random.default_rng(30)
    factor = rng.integers(0, 2, size=2000)
    noise = rng.random(2000)
    # Entity 0's rank is decided by the factor alone; entity 1's moves with it too, in reverse.
    ranks = np.column_stack([1 + factor, 2 - factor]).astype(np.int32)
    out = first_order(ranks, {"choice": factor}, {"noise": noise})
    assert out["choice"] == pytest.approx(1.0)
    assert out["noise"] < 0.02


def test_monte_carlo_attributes_rank_variance_to_the_method_choice_when_weights_are_fixed():
    rng = np.random.default_rng(31)
    x = rng.lognormal(size=(40, 5))
    fw = _framework()
    method = Method(
        draws=400, weight_spread=0.0, mc_normalisations=("minmax", "rank"), mc_aggregations=("arithmetic",)
    )
    out = evaluate(fw, [f"e{i}" for i in range(40)], x, method).to_dict()
    sources = out["uncertainty"]["first_order"]
    assert set(sources) == {"normalisation"} and sources["normalisation"] == pytest.approx(1.0)
