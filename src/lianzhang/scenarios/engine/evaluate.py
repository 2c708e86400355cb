"""Measure a ranking against graded relevance (nDCG@k), and the character-bigram TF-IDF baseline."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from lianzhang.scenarios.engine.matching import Record


def grade(needs: Sequence[str], related: Sequence[str], delivers: Sequence[str]) -> int:
    """Relevance 0..3: the main need delivered (3), another need (2), a related capability (1), none (0)."""
    offered = set(delivers)
    if needs and needs[0] in offered:
        return 3
    if offered & set(needs[1:]):
        return 2
    if offered & set(related):
        return 1
    return 0


def ndcg(ranked: Sequence[str], grades: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of one ranking at depth k (exponential gain)."""

    def dcg(values: Sequence[int]) -> float:
        return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(values[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    if ideal == 0:
        return 0.0
    return dcg([grades.get(doc, 0) for doc in ranked]) / ideal


def mean_ndcg(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]], k: int = 10
) -> float:
    """Mean nDCG@k over the queries of qrels (a query without a ranking scores 0)."""
    if not qrels:
        return 0.0
    return sum(ndcg(rankings.get(q, ()), g, k) for q, g in qrels.items()) / len(qrels)


def bigram_tfidf_rankings(
    demands: Sequence[Record], suppliers: Sequence[Record], top: int = 10
) -> dict[str, list[str]]:
    """Baseline: cosine similarity of character-bigram TF-IDF vectors (needs scikit-learn)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    supplier_matrix = vectorizer.fit_transform([f"{s.title} {s.text}" for s in suppliers])
    demand_matrix = vectorizer.transform([f"{d.title} {d.text}" for d in demands])
    similarity = (demand_matrix @ supplier_matrix.T).toarray()
    result = {}
    for row, demand in enumerate(demands):
        order = sorted(range(len(suppliers)), key=lambda i: (-similarity[row, i], i))[:top]
        result[demand.id] = [suppliers[i].id for i in order]
    return result
