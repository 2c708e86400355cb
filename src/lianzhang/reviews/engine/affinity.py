"""Affinity between experts and applications: shared fields plus TF-IDF similarity of character n-grams."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lianzhang.reviews.engine.records import Application, Expert

# Fields are the declared match; text catches what the field list misses. Fields weigh a little less
# because experts tend to list many.
FIELD_WEIGHT = 0.4


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def _clean(text: str) -> str:
    return _t2s().convert(unicodedata.normalize("NFKC", text).lower())


@dataclass(frozen=True)
class PairAffinity:
    """The parts of one expert–application affinity, for explaining it."""

    affinity: float
    text_similarity: float
    field_overlap: float
    shared_fields: tuple[str, ...]


class AffinityModel:
    """Fitted once on a batch of experts and applications; scores any application against every expert."""

    def __init__(
        self,
        experts: Sequence[Expert],
        applications: Sequence[Application],
        field_weight: float = FIELD_WEIGHT,
    ) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.experts, self.applications, self.field_weight = experts, applications, field_weight
        expert_docs = [_clean(" ".join((*e.fields, e.text))) for e in experts]
        app_docs = [_clean(" ".join((a.title, a.text, *a.fields))) for a in applications]
        # Character bigrams and trigrams suit Chinese without a word segmenter and survive wording changes.
        vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, dtype=np.float32
        )
        vectorizer.fit(expert_docs + app_docs)
        # Rows for scoring one pair (a CSR column slice is slow), the transpose for whole blocks.
        self._expert_rows = vectorizer.transform(expert_docs).tocsr()
        self._expert_vectors = self._expert_rows.T.tocsr()
        self._app_vectors = vectorizer.transform(app_docs).tocsr()
        names = sorted({f for e in experts for f in e.fields} | {f for a in applications for f in a.fields})
        self._field_pos = {name: i for i, name in enumerate(names)}
        self._expert_fields = self._field_matrix([e.fields for e in experts])
        self._app_fields = self._field_matrix([a.fields for a in applications])
        self._expert_field_count = self._expert_fields.sum(axis=1)

    def _field_matrix(self, lists: Sequence[Sequence[str]]) -> np.ndarray:
        matrix = np.zeros((len(lists), max(1, len(self._field_pos))), dtype=np.float32)
        for row, fields in enumerate(lists):
            for name in fields:
                matrix[row, self._field_pos[name]] = 1.0
        return matrix

    def field_overlap(self, rows: slice | np.ndarray) -> np.ndarray:
        """Shared-field counts, applications in rows × all experts."""
        return self._app_fields[rows] @ self._expert_fields.T

    def block(self, rows: slice | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(affinity, shared-field count) for applications in rows × all experts, as dense arrays."""
        text = (self._app_vectors[rows] @ self._expert_vectors).toarray()
        shared = self.field_overlap(rows)
        app_count = self._app_fields[rows].sum(axis=1, keepdims=True)
        union = app_count + self._expert_field_count[None, :] - shared
        jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        # Applications without fields are matched on text alone rather than penalised.
        weight = np.where(app_count > 0, self.field_weight, 0.0).astype(np.float32)
        return (1 - weight) * text + weight * jaccard, shared

    def pair(self, app_index: int, expert_index: int) -> PairAffinity:
        """The affinity of one pair with its parts."""
        app, expert = self.applications[app_index], self.experts[expert_index]
        text = float(self._app_vectors[app_index].multiply(self._expert_rows[expert_index]).sum())
        shared = tuple(f for f in app.fields if f in set(expert.fields))
        union = len(set(app.fields) | set(expert.fields))
        jaccard = len(shared) / union if union else 0.0
        weight = self.field_weight if app.fields else 0.0
        return PairAffinity(
            round((1 - weight) * text + weight * jaccard, 4), round(text, 4), round(jaccard, 4), shared
        )
