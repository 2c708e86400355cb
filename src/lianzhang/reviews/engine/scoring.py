"""Score sheets: weighted criteria, aggregation across reviewers (trimmed mean), disagreement, ranking."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# Trimming needs enough reviewers that dropping the extremes still leaves a panel.
TRIM_FROM = 5
# On a 100-point scale: a standard deviation or a range this wide means the panel did not agree.
DISAGREEMENT_STDEV = 12.0
DISAGREEMENT_RANGE = 30.0


@dataclass(frozen=True)
class Criterion:
    """One line of the score sheet."""

    key: str
    label: str
    weight: Decimal
    max_score: Decimal = Decimal(100)


class ScoreError(ValueError):
    """A score sheet that cannot be totalled, naming the criterion."""


def _round2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def sheet_total(criteria: Sequence[Criterion], scores: Mapping[str, Decimal | int | float | str]) -> Decimal:
    """One reviewer's total out of 100: the weighted mean of each criterion's share of its maximum."""
    if not criteria:
        raise ScoreError("评分表没有评分项")
    weights = sum((c.weight for c in criteria), Decimal(0))
    if weights <= 0:
        raise ScoreError("评分项权重之和应大于 0")
    total = Decimal(0)
    for c in criteria:
        if c.key not in scores or scores[c.key] in (None, ""):
            raise ScoreError(f"评分项“{c.label}”未打分")
        value = Decimal(str(scores[c.key]))
        if not Decimal(0) <= value <= c.max_score:
            raise ScoreError(f"评分项“{c.label}”应在 0 到 {c.max_score} 之间，实为 {value}")
        total += c.weight * value / c.max_score
    return _round2(total * 100 / weights)


@dataclass(frozen=True)
class Aggregate:
    """The panel's score for one application, and how it was obtained."""

    score: Decimal
    reviewers: int
    dropped: tuple[Decimal, ...]
    stdev: Decimal
    spread: Decimal
    disagreement: bool
    method: str


def aggregate(totals: Sequence[Decimal | int | float]) -> Aggregate:
    """Mean of the reviewers' totals, dropping the highest and lowest when there are at least five."""
    values = sorted(Decimal(str(t)) for t in totals)
    if not values:
        raise ScoreError("没有评分")
    dropped: tuple[Decimal, ...] = ()
    kept = values
    if len(values) >= TRIM_FROM:
        dropped, kept = (values[0], values[-1]), values[1:-1]
    mean = _round2(sum(kept, Decimal(0)) / len(kept))
    stdev = (
        _round2(Decimal(str(statistics.pstdev([float(v) for v in values]))))
        if len(values) > 1
        else Decimal(0)
    )
    spread = values[-1] - values[0]
    disagreement = len(values) > 1 and (
        stdev >= Decimal(str(DISAGREEMENT_STDEV)) or spread >= DISAGREEMENT_RANGE
    )
    if dropped:
        method = f"{len(values)} 位专家，去掉最高分 {dropped[1]} 与最低分 {dropped[0]} 后取平均 = {mean}"
    else:
        method = f"{len(values)} 位专家，算术平均 = {mean}（不足 {TRIM_FROM} 人不去极值）"
    if disagreement:
        method += f"；分歧较大（标准差 {stdev}，极差 {spread}），建议复议"
    return Aggregate(mean, len(values), dropped, stdev, spread, disagreement, method)


def rank(scores: Mapping[str, Decimal]) -> list[tuple[str, int, Decimal]]:
    """(key, rank, score) best first; equal scores share a rank (1, 2, 2, 4) and keep key order."""
    ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    out: list[tuple[str, int, Decimal]] = []
    for position, (key, score) in enumerate(ordered, start=1):
        shared = out[-1][1] if out and out[-1][2] == score else position
        out.append((key, shared, score))
    return out
