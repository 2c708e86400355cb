"""Score classifier output against labelled records: chain F1, node accuracy, national accuracy."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lianzhang.classify.engine import Classification, Classifier, get_classifier

NATIONAL_AI = ("1.5.1", "1.5.2", "1.5.3")


def load_labelled(path: str | Path) -> list[dict[str, Any]]:
    """Read a labelled JSONL file (id, name, text, is_ai_chain, node, national_2018)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Figures for one labelled set."""

    n: int = 0
    chain_precision: float = 0.0
    chain_recall: float = 0.0
    chain_f1: float = 0.0
    top1_accuracy: float = 0.0
    national_accuracy: float = 0.0
    is15_precision: float = 0.0
    is15_recall: float = 0.0
    per_node: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        """One line per headline figure."""
        return (
            f"n={self.n}  is_ai_chain P={self.chain_precision:.3f} R={self.chain_recall:.3f} "
            f"F1={self.chain_f1:.3f}  top-1 node={self.top1_accuracy:.3f}  "
            f"national={self.national_accuracy:.3f}  is-1.5.x P={self.is15_precision:.3f} "
            f"R={self.is15_recall:.3f}"
        )


def score(records: Iterable[Mapping[str, Any]], results: Iterable[Classification]) -> Report:
    """Compare results with the labels of the records, in the same order."""
    tp = fp = fn = 0
    top1_hits = ai_total = 0
    nat_hits = total = 0
    n15_tp = n15_fp = n15_fn = 0
    node_tp: dict[str, int] = {}
    node_fp: dict[str, int] = {}
    node_fn: dict[str, int] = {}
    errors = []
    for record, result in zip(records, results, strict=True):
        total += 1
        gold_ai = bool(record["is_ai_chain"])
        gold_node = record.get("node")
        gold_nat = record.get("national_2018") or "none"
        if result.is_ai_chain and gold_ai:
            tp += 1
        elif result.is_ai_chain:
            fp += 1
        elif gold_ai:
            fn += 1
        predicted = result.primary
        if gold_ai:
            ai_total += 1
            top1_hits += predicted == gold_node
        if gold_node:
            if predicted == gold_node:
                node_tp[gold_node] = node_tp.get(gold_node, 0) + 1
            else:
                node_fn[gold_node] = node_fn.get(gold_node, 0) + 1
        if predicted and predicted != gold_node:
            node_fp[predicted] = node_fp.get(predicted, 0) + 1
        nat_hits += result.national_2018 == gold_nat
        gold15, pred15 = gold_nat in NATIONAL_AI, result.national_2018 in NATIONAL_AI
        n15_tp += gold15 and pred15
        n15_fp += pred15 and not gold15
        n15_fn += gold15 and not pred15
        if (
            (result.is_ai_chain != gold_ai)
            or (gold_ai and predicted != gold_node)
            or (result.national_2018 != gold_nat)
        ):
            errors.append(
                {
                    "id": record.get("id"),
                    "name": record.get("name"),
                    "gold": [gold_ai, gold_node, gold_nat],
                    "got": [result.is_ai_chain, predicted, result.national_2018, round(result.ai_score, 2)],
                }
            )
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    p15, r15 = _ratio(n15_tp, n15_tp + n15_fp), _ratio(n15_tp, n15_tp + n15_fn)
    per_node = {}
    for node in sorted(set(node_tp) | set(node_fn) | set(node_fp)):
        tpn, fpn, fnn = node_tp.get(node, 0), node_fp.get(node, 0), node_fn.get(node, 0)
        per_node[node] = {
            "precision": _ratio(tpn, tpn + fpn),
            "recall": _ratio(tpn, tpn + fnn),
            "support": tpn + fnn,
        }
    return Report(
        n=total,
        chain_precision=p,
        chain_recall=r,
        chain_f1=_f1(p, r),
        top1_accuracy=_ratio(top1_hits, ai_total),
        national_accuracy=_ratio(nat_hits, total),
        is15_precision=p15,
        is15_recall=r15,
        per_node=per_node,
        errors=errors,
    )


def evaluate(records: list[Mapping[str, Any]], classifier: Classifier | None = None) -> Report:
    """Classify labelled records and score the results."""
    classifier = classifier or get_classifier()
    results = [classifier.classify(r["text"], r.get("name")) for r in records]
    return score(records, results)
