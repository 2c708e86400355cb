"""One evaluation run: treat the data, weight, aggregate, rank, then measure how much ranks depend on it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from lianzhang.evaluation.engine import weights as wt
from lianzhang.evaluation.engine.aggregate import competition_ranks
from lianzhang.evaluation.engine.data import DataError
from lianzhang.evaluation.engine.framework import Framework, Method
from lianzhang.evaluation.engine.maturity import place
from lianzhang.evaluation.engine.scoring import Prepared, display_scale, scores
from lianzhang.evaluation.engine.steps import impute, normalise, skewed, winsorise
from lianzhang.evaluation.engine.uncertainty import Choices, Hierarchy, monte_carlo, sensitivity

ENGINE_VERSION = "1"


class InconsistentJudgements(ValueError):
    """An AHP matrix whose consistency ratio exceeds 0.1 while the run does not allow it."""


@dataclass
class Evaluation:
    """Everything one run produced; to_dict() is the JSON contract."""

    framework: Framework
    method: Method
    ids: list[str]
    raw: np.ndarray
    score: np.ndarray
    rank: np.ndarray
    pillar_scores: np.ndarray
    interval: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    hierarchy: Hierarchy
    consistency: dict[str, dict[str, float]]
    imputed: list[dict[str, Any]]
    winsorised: dict[str, int]
    warnings: list[str]
    levels: list[dict[str, object] | None]
    sensitivity: dict[str, list[dict[str, object]]] | None
    variance_sources: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: per-entity results sorted by rank, weights, consistency, provenance."""
        fw = self.framework
        pillar_ids = [p.id for p in fw.pillars]
        entities = []
        for i in np.lexsort((np.array(self.ids), self.rank)):
            item: dict[str, Any] = {
                "id": self.ids[i],
                "score": round(float(self.score[i]), 6),
                "rank": int(self.rank[i]),
                "pillar_scores": {
                    pid: round(float(self.pillar_scores[i, k]), 6) for k, pid in enumerate(pillar_ids)
                },
            }
            if self.interval is not None:
                p5, median, p95 = self.interval
                item["rank_interval"] = [int(p5[i]), int(p95[i])]
                item["median_rank"] = int(median[i])
            else:
                item["rank_interval"] = [int(self.rank[i]), int(self.rank[i])]
            if self.levels[i] is not None:
                item["maturity"] = self.levels[i]
            entities.append(item)
        out: dict[str, Any] = {
            "framework": {"id": fw.id, "name": fw.name, "version": fw.version, "entity": fw.entity},
            "engine_version": ENGINE_VERSION,
            "method": self.method.to_dict(),
            "score_scale": "0-100"
            if display_scale(self.method.normalisation, self.method.aggregation, self.method.ranking) == 100
            else self.method.normalisation,
            "weights": {
                "pillars": dict(zip(pillar_ids, _rounded(self.hierarchy.pillar_weights), strict=True)),
                "indicators": dict(zip(fw.indicator_ids, _rounded(self.hierarchy.weights), strict=True)),
            },
            "entities": entities,
            "imputed": self.imputed,
            "winsorised": self.winsorised,
            "warnings": self.warnings,
        }
        if self.consistency:
            out["consistency"] = self.consistency
            out["consistency_ratio"] = self.consistency.get("pillars", {}).get("cr")
        if self.sensitivity is not None:
            out["sensitivity"] = self.sensitivity
        if self.interval is not None:
            # Share of each entity's rank variance explained by one input alone, averaged over entities.
            out["uncertainty"] = {"draws": self.method.draws, "first_order": self.variance_sources}
        return out


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 6) for v in values]


def hierarchy_for(
    fw: Framework, method: Method, z_minmax: np.ndarray
) -> tuple[Hierarchy, dict[str, dict[str, float]]]:
    """Pillar and within-pillar weights for the chosen weighting, plus AHP consistency figures."""
    pillar_of = np.array([k for k, p in enumerate(fw.pillars) for _ in p.indicators])
    sizes = np.array([len(p.indicators) for p in fw.pillars], dtype=float)
    consistency: dict[str, dict[str, float]] = {}
    if method.weighting in ("entropy", "critic", "pca"):
        g = {"entropy": wt.entropy, "critic": wt.critic, "pca": wt.pca}[method.weighting](z_minmax)
        pw = np.bincount(pillar_of, weights=g, minlength=sizes.size)
        within = np.where(
            pw[pillar_of] > 0, g / np.where(pw[pillar_of] > 0, pw[pillar_of], 1), 1 / sizes[pillar_of]
        )
        return Hierarchy(pillar_of, pw / pw.sum(), within), consistency
    if method.weighting == "equal":
        return Hierarchy(pillar_of, np.full(sizes.size, 1 / sizes.size), 1 / sizes[pillar_of]), consistency
    within_parts = []
    for p in fw.pillars:
        if method.weighting == "ahp" and p.ahp is not None:
            result = wt.ahp(np.array(p.ahp))
            consistency[p.id] = result.to_dict()
            within_parts.append(result.weights)
        else:
            raw = np.array([ind.weight if ind.weight is not None else 1.0 for ind in p.indicators])
            within_parts.append(raw / raw.sum())
    if method.weighting == "ahp":
        if fw.ahp is None:
            raise ValueError("AHP 赋权需要顶层 ahp 矩阵（支柱两两比较）")
        top = wt.ahp(np.array(fw.ahp))
        consistency = {"pillars": top.to_dict(), **consistency}
        pw = top.weights
        bad = {k: v["cr"] for k, v in consistency.items() if v["cr"] > wt.CR_LIMIT}
        if bad and not method.allow_inconsistent:
            where = "、".join(
                f"{'支柱比较' if k == 'pillars' else '支柱 ' + k + ' 内'}矩阵 CR={v:.3f}"
                for k, v in bad.items()
            )
            raise InconsistentJudgements(
                f"判断矩阵一致性不足：{where}，超过 0.1。"
                "请修改两两比较，或明确允许不一致（allow_inconsistent）后再运行"
            )
    else:
        # Manual weighting: a pillar without a weight counts as 1, as an indicator without one does.
        pw = np.array([p.weight if p.weight is not None else 1.0 for p in fw.pillars])
    return Hierarchy(pillar_of, pw / pw.sum(), np.concatenate(within_parts)), consistency


def _pillar_scores(prep: Prepared, h: Hierarchy, method: Method, n_pillars: int) -> np.ndarray:
    """Each pillar's aggregate of its own indicators, with within-pillar weights (TOPSIS runs use
    the arithmetic or geometric aggregation chosen; only the composite uses closeness)."""
    # One weight row per pillar: its own indicators' within-pillar weights, zero elsewhere.
    block = np.zeros((n_pillars, h.within.size))
    block[h.pillar_of, np.arange(h.within.size)] = h.within
    raw = scores(prep, method.normalisation, method.aggregation, "weighted_sum", block)
    return raw * display_scale(method.normalisation, method.aggregation, "weighted_sum")


def evaluate(
    fw: Framework,
    ids: list[str],
    values: np.ndarray,
    method: Method | None = None,
    row_labels: list[str] | None = None,
    with_sensitivity: bool = True,
) -> Evaluation:
    """Run the full composite-indicator pipeline on a matrix (entities × indicators, NaN = missing)."""
    method = method or fw.method
    x = np.asarray(values, dtype=float)
    n, m = x.shape
    indicators = fw.indicators
    if m != len(indicators) or n != len(ids):
        raise ValueError(f"数据形状 {x.shape} 与框架指标数 {len(indicators)}、实体数 {len(ids)} 不符")
    labels = row_labels or [f"实体 {i}" for i in ids]
    problems = []
    for j, ind in enumerate(indicators):
        gaps = np.flatnonzero(np.isnan(x[:, j]))
        if gaps.size and ind.missing == "fail":
            problems.extend(
                f"{labels[i]} 列 {ind.id}：缺失，而该指标的缺失规则为 fail（不允许缺失）" for i in gaps
            )
        elif gaps.size == n and ind.missing != "zero":
            problems.append(f"列 {ind.id}：全部缺失，无法按规则 {ind.missing} 补齐")
    if problems:
        raise DataError(problems)
    if method.weighting in ("entropy", "critic", "pca") and n < 3:
        raise DataError([f"{method.weighting} 赋权需要至少 3 个评价对象，实有 {n} 个"])
    benefit = np.array([ind.direction == "benefit" for ind in indicators])
    filled, imputed_cells = impute(x, [ind.missing for ind in indicators], benefit)
    warnings: list[str] = []
    treated = filled
    clipped_counts: dict[str, int] = {}
    if method.winsorise is not None and n > 2:
        columns = None if method.winsorise_when == "always" else skewed(filled)
        treated, clipped = winsorise(filled, *method.winsorise, columns=columns)
        clipped_counts = {ind.id: int(c) for ind, c in zip(indicators, clipped, strict=True) if c}
    constant = [ind.id for j, ind in enumerate(indicators) if np.ptp(treated[:, j]) == 0]
    if constant:
        warnings.append("以下指标各对象取值相同，不影响排名：" + "、".join(constant))
    prep = Prepared(treated, benefit)
    pillar_ids = [p.id for p in fw.pillars]
    hierarchy, consistency = hierarchy_for(fw, method, normalise(treated, "minmax", benefit))
    composite = scores(
        prep, method.normalisation, method.aggregation, method.ranking, hierarchy.weights[None, :]
    )[:, 0]
    score = composite * display_scale(method.normalisation, method.aggregation, method.ranking)
    rank = competition_ranks(composite)
    pillar_scores = _pillar_scores(prep, hierarchy, method, len(fw.pillars))
    choices = Choices(method.mc_normalisations, method.mc_aggregations, method.mc_rankings)
    interval = None
    variance_sources: dict[str, float] = {}
    if method.draws > 0 and n > 1:
        ri = monte_carlo(
            prep, hierarchy, choices, method.weight_spread, method.draws, method.seed, pillar_ids
        )
        interval = (ri.p5, ri.median, ri.p95)
        variance_sources = ri.first_order
    sens = None
    if with_sensitivity and n > 1:
        sens = sensitivity(
            prep,
            hierarchy,
            (method.normalisation, method.aggregation, method.ranking),
            fw.indicator_ids,
            pillar_ids,
            choices,
        )
    levels: list[dict[str, object] | None] = []
    for i in range(n):
        levels.append(
            place(
                fw.levels,
                float(score[i]),
                dict(zip(pillar_ids, pillar_scores[i].tolist(), strict=True)),
                dict(zip(fw.indicator_ids, filled[i].tolist(), strict=True)),
            )
            if fw.levels
            else None
        )
    imputed = [
        {"id": ids[c.row], "indicator": indicators[c.column].id, "rule": c.rule, "value": round(c.value, 6)}
        for c in imputed_cells
    ]
    return Evaluation(
        framework=fw,
        method=method,
        ids=list(ids),
        raw=filled,
        score=score,
        rank=rank,
        pillar_scores=pillar_scores,
        interval=interval,
        hierarchy=hierarchy,
        consistency=consistency,
        imputed=imputed,
        winsorised=clipped_counts,
        warnings=warnings,
        levels=levels,
        sensitivity=sens,
        variance_sources=variance_sources,
    )


def with_overrides(method: Method, **changes: Any) -> Method:
    """A copy of the method with the given non-None fields replaced."""
    return replace(method, **{k: v for k, v in changes.items() if v is not None})
