"""Classification of enterprises onto an industry chain, with evidence (pure Python, no Django)."""

from lianzhang.classify.engine import (
    Classification,
    Classifier,
    Evidence,
    NodeScore,
    classify,
    classify_many,
    get_classifier,
)

__all__ = [
    "Classification",
    "Classifier",
    "Evidence",
    "NodeScore",
    "classify",
    "classify_many",
    "get_classifier",
]
