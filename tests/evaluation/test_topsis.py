"""TOPSIS: Hwang and Yoon's fighter-aircraft example and agreement with a loop-by-loop computation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lianzhang.evaluation.engine import Method, evaluate, parse_framework, topsis

# Hwang and Yoon, Multiple Attribute Decision Making (1981): four aircraft; attributes maximum speed (Mach),
# ferry range (NM), maximum payload (lb), acquisition cost (10^6 $, a cost), reliability and
# manoeuvrability (qualitative, scored 3 low / 5 average / 7 high / 9 very high).
AIRCRAFT = [
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
]
WEIGHTS = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3]
BENEFIT = [True, True, True, False, True, True]
# The worked example rounds every intermediate step to four decimals and prints 0.643, 0.268, 0.613, 0.312
# (A1 > A3 > A4 > A2); exact arithmetic gives 0.6433, 0.2684, 0.6135, 0.3123, so the third decimal may
# differ by one.
PUBLISHED_CLOSENESS = [0.643, 0.268, 0.613, 0.312]


def _loop_topsis(x: list[list[float]], w: list[float], benefit: list[bool]) -> list[float]:
    """The textbook steps, one cell at a time."""
    m, n = len(x), len(x[0])
    norms = [math.sqrt(sum(x[i][j] ** 2 for i in range(m))) for j in range(n)]
    v = [[w[j] * x[i][j] / norms[j] for j in range(n)] for i in range(m)]
    best = [
        max(v[i][j] for i in range(m)) if benefit[j] else min(v[i][j] for i in range(m)) for j in range(n)
    ]
    worst = [
        min(v[i][j] for i in range(m)) if benefit[j] else max(v[i][j] for i in range(m)) for j in range(n)
    ]
    out = []
    for i in range(m):
        d_best = math.sqrt(sum((v[i][j] - best[j]) ** 2 for j in range(n)))
        d_worst = math.sqrt(sum((v[i][j] - worst[j]) ** 2 for j in range(n)))
        out.append(d_worst / (d_best + d_worst))
    return out


def test_aircraft_example_matches_published_closeness():
    c = topsis(np.array(AIRCRAFT), np.array(WEIGHTS), np.array(BENEFIT))
    assert c == pytest.approx(PUBLISHED_CLOSENESS, abs=1.01e-3)
    assert (np.argsort(-c) + 1).tolist() == [1, 3, 4, 2]


def test_engine_agrees_with_loop_on_random_problems():
    rng = np.random.default_rng(11)
    for _ in range(20):
        m, n = rng.integers(3, 12), rng.integers(2, 8)
        x = rng.uniform(0.5, 100, size=(m, n))
        w = rng.dirichlet(np.ones(n))
        benefit = rng.random(n) < 0.6
        expected = _loop_topsis(x.tolist(), w.tolist(), benefit.tolist())
        assert topsis(x, w, benefit) == pytest.approx(expected, abs=1e-12)


def test_pipeline_topsis_with_vector_normalisation_is_the_textbook_method():
    fw = parse_framework(
        {
            "id": "aircraft",
            "entity": "enterprise",
            "pillars": [
                {
                    "id": "all",
                    "indicators": [
                        {
                            "id": f"a{j}",
                            "direction": "benefit" if b else "cost",
                            "source": "imported",
                            "weight": w,
                        }
                        for j, (b, w) in enumerate(zip(BENEFIT, WEIGHTS, strict=True))
                    ],
                }
            ],
        }
    )
    method = Method(normalisation="vector", weighting="manual", ranking="topsis", draws=0)
    result = evaluate(fw, ["A1", "A2", "A3", "A4"], np.array(AIRCRAFT), method)
    assert result.score / 100 == pytest.approx(
        topsis(np.array(AIRCRAFT), np.array(WEIGHTS), np.array(BENEFIT))
    )
    assert result.score / 100 == pytest.approx(PUBLISHED_CLOSENESS, abs=1.01e-3)
    assert result.rank.tolist() == [1, 4, 2, 3]
