"""Evaluation frameworks as data: pillars of indicators, methods and maturity rules, loaded from YAML."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

DIRECTIONS = ("benefit", "cost")
SOURCES = ("computed", "imported")
MISSING_RULES = ("fail", "mean", "median", "zero", "worst")
NORMALISATIONS = ("minmax", "zscore", "rank", "vector")
WEIGHTINGS = ("equal", "manual", "ahp", "entropy", "critic", "pca")
AGGREGATIONS = ("arithmetic", "geometric")
RANKINGS = ("weighted_sum", "topsis")
# "skewed": only the columns the OECD/JRC handbook flags (|skewness| > 2, kurtosis > 3.5); "always": all.
WINSORISE_WHEN = ("skewed", "always")
LEVELS = ("L5", "L4", "L3", "L2", "L1")
_ID = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
# One maturity condition: subject, comparison, number; e.g. "pillar.innovation >= 60".
_CONDITION = re.compile(
    r"^\s*(score|pillar\.[a-z][a-z0-9_]*|indicator\.[a-z][a-z0-9_]*)\s*(>=|<=|>|<|==)\s*(-?\d+(?:\.\d+)?)\s*$"
)
DEFAULT_FRAMEWORKS = {"district": "district.yaml", "enterprise": "enterprise.yaml"}


class FrameworkError(ValueError):
    """A framework file that cannot be used, with every problem found, each naming its place."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("评价框架有误：" + "；".join(problems))


@dataclass(frozen=True)
class Indicator:
    """One measured quantity; direction says whether more is better (benefit) or worse (cost)."""

    id: str
    name: str
    pillar: str
    direction: str
    unit: str
    source: str
    missing: str
    weight: float | None = None
    compute: str | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Pillar:
    """A group of indicators (支柱/一级指标) with its own optional weight and AHP matrix."""

    id: str
    name: str
    indicators: tuple[Indicator, ...]
    weight: float | None = None
    ahp: tuple[tuple[float, ...], ...] | None = None


@dataclass(frozen=True)
class Condition:
    """A threshold test on the composite score, a pillar score or an indicator's raw value."""

    subject: str
    op: str
    value: float

    @property
    def text(self) -> str:
        """The condition as written in the framework."""
        return f"{self.subject} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Level:
    """A maturity level with the conditions that must all hold (none for the fallback level)."""

    level: str
    name: str
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Method:
    """The method choices of one run; every field can be overridden per run."""

    normalisation: str = "minmax"
    weighting: str = "equal"
    aggregation: str = "arithmetic"
    ranking: str = "weighted_sum"
    winsorise: tuple[float, float] | None = None
    winsorise_when: str = "skewed"
    allow_inconsistent: bool = False
    draws: int = 1000
    seed: int = 2023
    weight_spread: float = 0.25
    mc_normalisations: tuple[str, ...] = NORMALISATIONS
    mc_aggregations: tuple[str, ...] = AGGREGATIONS
    mc_rankings: tuple[str, ...] = ("weighted_sum",)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and provenance records."""
        return {
            "normalisation": self.normalisation,
            "weighting": self.weighting,
            "aggregation": self.aggregation,
            "ranking": self.ranking,
            "winsorise": list(self.winsorise) if self.winsorise else None,
            "winsorise_when": self.winsorise_when,
            "allow_inconsistent": self.allow_inconsistent,
            "draws": self.draws,
            "seed": self.seed,
            "weight_spread": self.weight_spread,
            "mc_normalisations": list(self.mc_normalisations),
            "mc_aggregations": list(self.mc_aggregations),
            "mc_rankings": list(self.mc_rankings),
        }


@dataclass(frozen=True)
class Framework:
    """A whole evaluation framework: what is measured, how it is combined, how levels are set."""

    id: str
    name: str
    version: str
    entity: str
    pillars: tuple[Pillar, ...]
    method: Method
    ahp: tuple[tuple[float, ...], ...] | None = None
    levels: tuple[Level, ...] = ()
    description: str = ""
    source_text: str = field(default="", compare=False, repr=False)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator, in pillar order."""
        return tuple(ind for p in self.pillars for ind in p.indicators)

    @property
    def indicator_ids(self) -> list[str]:
        """Indicator ids in column order."""
        return [ind.id for ind in self.indicators]


def _number(value: Any, where: str, problems: list[str], positive: bool = False) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.append(f"{where} 应为数字，实为 {value!r}")
        return None
    if positive and value <= 0:
        problems.append(f"{where} 应为正数，实为 {value!r}")
        return None
    return float(value)


def _choice(value: Any, allowed: tuple[str, ...], where: str, problems: list[str], default: str) -> str:
    if value is None:
        return default
    if value not in allowed:
        problems.append(f"{where} 应为 {'/'.join(allowed)} 之一，实为 {value!r}")
        return default
    return str(value)


def _pairwise(raw: Any, size: int, where: str, problems: list[str]) -> tuple[tuple[float, ...], ...] | None:
    """Read a pairwise comparison matrix; entries may be numbers or fractions written as '1/3'."""
    if raw is None:
        return None
    if not isinstance(raw, list) or len(raw) != size or any(not isinstance(r, list) for r in raw):
        problems.append(f"{where} 应为 {size}×{size} 的矩阵")
        return None
    rows: list[tuple[float, ...]] = []
    for i, row in enumerate(raw):
        if len(row) != size:
            problems.append(f"{where} 第 {i + 1} 行应有 {size} 个数，实有 {len(row)} 个")
            return None
        values = []
        for j, cell in enumerate(row):
            value = parse_fraction(cell)
            if value is None or value <= 0:
                problems.append(f"{where} 第 {i + 1} 行第 {j + 1} 列应为正数或分数（如 1/3），实为 {cell!r}")
                return None
            values.append(value)
        rows.append(tuple(values))
    for i in range(size):
        if abs(rows[i][i] - 1) > 1e-9:
            problems.append(f"{where} 对角线第 {i + 1} 个元素应为 1")
        for j in range(i + 1, size):
            if abs(rows[i][j] * rows[j][i] - 1) > 1e-3:
                problems.append(f"{where} 第 {i + 1} 行第 {j + 1} 列与第 {j + 1} 行第 {i + 1} 列应互为倒数")
    return tuple(rows)


def parse_fraction(cell: Any) -> float | None:
    """A positive-judgement cell: a number or a fraction written as '1/3'; None when unreadable."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    if isinstance(cell, str):
        text = cell.strip()
        try:
            if "/" in text:
                top, bottom = text.split("/", 1)
                return float(top) / float(bottom)
            return float(text)
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _method(raw: Any, problems: list[str]) -> Method:
    if raw is None:
        return Method()
    if not isinstance(raw, dict):
        problems.append("method 应为映射")
        return Method()
    known = {
        "normalisation",
        "weighting",
        "aggregation",
        "ranking",
        "winsorise",
        "winsorise_when",
        "allow_inconsistent",
        "draws",
        "seed",
        "weight_spread",
        "uncertainty",
    }
    for key in raw:
        if key not in known:
            problems.append(f"method.{key} 不是可识别的设置")
    winsorise = None
    if raw.get("winsorise") is not None:
        w = raw["winsorise"]
        if (
            isinstance(w, list)
            and len(w) == 2
            and all(isinstance(x, int | float) and not isinstance(x, bool) for x in w)
            and 0 <= w[0] < w[1] <= 1
        ):
            winsorise = (float(w[0]), float(w[1]))
        else:
            problems.append(f"method.winsorise 应为 [下分位, 上分位]，如 [0.05, 0.95]，实为 {w!r}")
    unc = raw.get("uncertainty") or {}
    if not isinstance(unc, dict):
        problems.append("method.uncertainty 应为映射")
        unc = {}

    def choices(key: str, allowed: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
        value = unc.get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not value or any(v not in allowed for v in value):
            problems.append(f"method.uncertainty.{key} 应为 {'/'.join(allowed)} 中若干项的列表")
            return default
        return tuple(value)

    draws = raw.get("draws", 1000)
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= 100_000:
        problems.append(f"method.draws 应为 0 到 100000 的整数，实为 {draws!r}")
        draws = 1000
    seed = raw.get("seed", 2023)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"method.seed 应为非负整数，实为 {seed!r}")
        seed = 2023
    spread = _number(raw.get("weight_spread", 0.25), "method.weight_spread", problems)
    if spread is not None and not 0 <= spread < 1:
        problems.append("method.weight_spread 应在 0 与 1 之间（如 0.25 表示权重上下浮动 25%）")
    return Method(
        normalisation=_choice(
            raw.get("normalisation"), NORMALISATIONS, "method.normalisation", problems, "minmax"
        ),
        weighting=_choice(raw.get("weighting"), WEIGHTINGS, "method.weighting", problems, "equal"),
        aggregation=_choice(
            raw.get("aggregation"), AGGREGATIONS, "method.aggregation", problems, "arithmetic"
        ),
        ranking=_choice(raw.get("ranking"), RANKINGS, "method.ranking", problems, "weighted_sum"),
        winsorise=winsorise,
        winsorise_when=_choice(
            raw.get("winsorise_when"), WINSORISE_WHEN, "method.winsorise_when", problems, "skewed"
        ),
        allow_inconsistent=bool(raw.get("allow_inconsistent", False)),
        draws=draws,
        seed=seed,
        weight_spread=spread if spread is not None and 0 <= spread < 1 else 0.25,
        mc_normalisations=choices("normalisations", NORMALISATIONS, NORMALISATIONS),
        mc_aggregations=choices("aggregations", AGGREGATIONS, AGGREGATIONS),
        mc_rankings=choices("rankings", RANKINGS, ("weighted_sum",)),
    )


def _indicator(raw: Any, pillar: str, where: str, problems: list[str]) -> Indicator | None:
    if not isinstance(raw, dict):
        problems.append(f"{where} 应为映射")
        return None
    ident = raw.get("id")
    if not isinstance(ident, str) or not _ID.match(ident):
        problems.append(f"{where}.id 应为小写字母开头的英文标识（字母、数字、下划线），实为 {ident!r}")
        return None
    where = f"指标 {ident}"
    known = {"id", "name", "direction", "unit", "source", "missing", "weight", "compute", "min", "max"}
    for key in raw:
        if key not in known:
            problems.append(f"{where} 的 {key} 不是可识别的设置")
    if raw.get("direction") not in DIRECTIONS:
        problems.append(
            f"{where} 的 direction 应为 benefit（越大越好）或 cost（越小越好），实为 {raw.get('direction')!r}"
        )
    if raw.get("source") not in SOURCES:
        problems.append(
            f"{where} 的 source 应为 computed（平台计算）或 imported（导入），实为 {raw.get('source')!r}"
        )
    missing = _choice(raw.get("missing"), MISSING_RULES, f"{where} 的 missing", problems, "fail")
    if raw.get("source") == "computed" and not isinstance(raw.get("compute"), str):
        problems.append(f"{where} 来源为 computed，须给出 compute（平台指标名）")
    lo = _number(raw.get("min"), f"{where} 的 min", problems)
    hi = _number(raw.get("max"), f"{where} 的 max", problems)
    if lo is not None and hi is not None and lo >= hi:
        problems.append(f"{where} 的 min 应小于 max")
    return Indicator(
        id=ident,
        name=str(raw.get("name") or ident),
        pillar=pillar,
        direction=str(raw.get("direction")),
        unit=str(raw.get("unit") or ""),
        source=str(raw.get("source")),
        missing=missing,
        weight=_number(raw.get("weight"), f"{where} 的 weight", problems, positive=True),
        compute=raw.get("compute") if isinstance(raw.get("compute"), str) else None,
        minimum=lo,
        maximum=hi,
    )


def _levels(
    raw: Any, pillar_ids: set[str], indicator_ids: set[str], problems: list[str]
) -> tuple[Level, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("maturity 应为等级列表（L5 到 L1）")
        return ()
    levels: list[Level] = []
    for k, item in enumerate(raw):
        where = f"maturity 第 {k + 1} 项"
        if not isinstance(item, dict) or item.get("level") not in LEVELS:
            problems.append(f"{where} 的 level 应为 L1–L5 之一")
            continue
        conditions = []
        raw_conditions = item.get("when") or []
        if not isinstance(raw_conditions, list):
            problems.append(f"{where} 的 when 应为条件列表")
            continue
        for text in raw_conditions:
            match = _CONDITION.match(str(text))
            if not match:
                problems.append(
                    f"{where} 的条件 {text!r} 无法识别（示例：score >= 80、pillar.innovation >= 60）"
                )
                continue
            subject, op, value = match.groups()
            kind, _, ref = subject.partition(".")
            if kind == "pillar" and ref not in pillar_ids:
                problems.append(f"{where} 的条件 {text!r} 引用了不存在的支柱 {ref}")
            if kind == "indicator" and ref not in indicator_ids:
                problems.append(f"{where} 的条件 {text!r} 引用了不存在的指标 {ref}")
            conditions.append(Condition(subject, op, float(value)))
        levels.append(
            Level(
                level=item["level"], name=str(item.get("name") or item["level"]), conditions=tuple(conditions)
            )
        )
    order = [lv.level for lv in levels]
    if order != sorted(order, reverse=True) or len(set(order)) != len(order):
        problems.append("maturity 的等级应从高到低排列且不重复（L5、L4 … L1）")
    if levels and levels[-1].conditions:
        problems.append("maturity 的最后一级应没有条件，作为兜底等级")
    return tuple(levels)


def parse_framework(data: Any, source_text: str = "") -> Framework:
    """Validate a framework given as parsed YAML data; raise FrameworkError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise FrameworkError(["文件顶层应为映射（id、name、pillars …）"])
    for key in data:
        if key not in {
            "id",
            "name",
            "version",
            "entity",
            "description",
            "method",
            "pillars",
            "ahp",
            "maturity",
        }:
            problems.append(f"顶层的 {key} 不是可识别的设置")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.strip():
        problems.append("缺少 id")
    if data.get("entity") not in ("district", "enterprise"):
        problems.append(f"entity 应为 district（区）或 enterprise（企业），实为 {data.get('entity')!r}")
    raw_pillars = data.get("pillars")
    pillars: list[Pillar] = []
    if not isinstance(raw_pillars, list) or not raw_pillars:
        problems.append("pillars 应为非空列表")
        raw_pillars = []
    seen: set[str] = set()
    for p_index, raw in enumerate(raw_pillars):
        where = f"第 {p_index + 1} 个支柱"
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not _ID.match(raw["id"]):
            problems.append(f"{where} 缺少合法的 id（小写英文标识）")
            continue
        pid = raw["id"]
        if pid in seen:
            problems.append(f"支柱 id {pid} 重复")
        seen.add(pid)
        raw_indicators = raw.get("indicators")
        if not isinstance(raw_indicators, list) or not raw_indicators:
            problems.append(f"支柱 {pid} 的 indicators 应为非空列表")
            continue
        indicators = []
        for i_index, item in enumerate(raw_indicators):
            ind = _indicator(item, pid, f"支柱 {pid} 第 {i_index + 1} 个指标", problems)
            if ind is None:
                continue
            if ind.id in seen:
                problems.append(f"指标 id {ind.id} 与其他支柱或指标重复")
            seen.add(ind.id)
            indicators.append(ind)
        pillars.append(
            Pillar(
                id=pid,
                name=str(raw.get("name") or pid),
                indicators=tuple(indicators),
                weight=_number(raw.get("weight"), f"支柱 {pid} 的 weight", problems, positive=True),
                ahp=_pairwise(raw.get("ahp"), len(indicators), f"支柱 {pid} 的 ahp 矩阵", problems),
            )
        )
    method = _method(data.get("method"), problems)
    ahp = _pairwise(data.get("ahp"), len(pillars), "顶层 ahp 矩阵（支柱两两比较）", problems)
    if method.weighting == "ahp" and ahp is None:
        problems.append("method.weighting 为 ahp 时须给出顶层 ahp 矩阵")
    levels = _levels(
        (data.get("maturity") or {}).get("levels")
        if isinstance(data.get("maturity"), dict)
        else data.get("maturity"),
        {p.id for p in pillars},
        {i.id for p in pillars for i in p.indicators},
        problems,
    )
    if problems:
        raise FrameworkError(problems)
    return Framework(
        id=str(ident),
        name=str(data.get("name") or ident),
        version=str(data.get("version", "1")),
        entity=str(data["entity"]),
        pillars=tuple(pillars),
        method=method,
        ahp=ahp,
        levels=levels,
        description=str(data.get("description") or ""),
        source_text=source_text,
    )


def loads_framework(text: str) -> Framework:
    """Parse and validate framework YAML text."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise FrameworkError([f"YAML 格式错误 {where}：{getattr(exc, 'problem', exc)}"]) from None
    return parse_framework(data, source_text=text)


def load_framework(path: str | Path) -> Framework:
    """Load a framework from a YAML file, or a shipped one by name ('district', 'enterprise')."""
    if str(path) in DEFAULT_FRAMEWORKS:
        path = Path(__file__).resolve().parent.parent / "data" / DEFAULT_FRAMEWORKS[str(path)]
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError([f"找不到框架文件 {path}"]) from None
    except UnicodeDecodeError:
        raise FrameworkError([f"框架文件 {path} 不是 UTF-8 文本"]) from None
    return loads_framework(text)


def framework_to_data(fw: Framework) -> dict[str, Any]:
    """The framework as plain data in the YAML layout (for editing and saving back)."""

    def matrix(m: tuple[tuple[float, ...], ...] | None) -> list[list[float]] | None:
        return [list(row) for row in m] if m else None

    method = fw.method
    data: dict[str, Any] = {
        "id": fw.id,
        "name": fw.name,
        "version": fw.version,
        "entity": fw.entity,
        "description": fw.description,
        "method": {
            "normalisation": method.normalisation,
            "weighting": method.weighting,
            "aggregation": method.aggregation,
            "ranking": method.ranking,
            "winsorise": list(method.winsorise) if method.winsorise else None,
            "winsorise_when": method.winsorise_when,
            "allow_inconsistent": method.allow_inconsistent,
            "draws": method.draws,
            "seed": method.seed,
            "weight_spread": method.weight_spread,
            "uncertainty": {
                "normalisations": list(method.mc_normalisations),
                "aggregations": list(method.mc_aggregations),
                "rankings": list(method.mc_rankings),
            },
        },
        "pillars": [],
    }
    if fw.ahp:
        data["ahp"] = matrix(fw.ahp)
    for p in fw.pillars:
        pillar: dict[str, Any] = {"id": p.id, "name": p.name, "indicators": []}
        if p.weight is not None:
            pillar["weight"] = p.weight
        if p.ahp:
            pillar["ahp"] = matrix(p.ahp)
        for ind in p.indicators:
            item: dict[str, Any] = {
                "id": ind.id,
                "name": ind.name,
                "direction": ind.direction,
                "unit": ind.unit,
                "source": ind.source,
                "missing": ind.missing,
            }
            for key, value in (
                ("weight", ind.weight),
                ("compute", ind.compute),
                ("min", ind.minimum),
                ("max", ind.maximum),
            ):
                if value is not None:
                    item[key] = value
            pillar["indicators"].append(item)
        data["pillars"].append(pillar)
    if fw.levels:
        data["maturity"] = {
            "levels": [
                {"level": lv.level, "name": lv.name, "when": [c.text for c in lv.conditions]}
                for lv in fw.levels
            ]
        }
    return data


def drop_indicators(fw: Framework, dropped: set[str]) -> Framework:
    """The framework without the given indicators (and pillars left empty), AHP matrices cut to match."""
    if not dropped:
        return fw
    kept_pillars: list[Pillar] = []
    kept_index: list[int] = []
    for k, p in enumerate(fw.pillars):
        keep = [i for i, ind in enumerate(p.indicators) if ind.id not in dropped]
        if not keep:
            continue
        ahp = tuple(tuple(p.ahp[a][b] for b in keep) for a in keep) if p.ahp else None
        kept_pillars.append(replace(p, indicators=tuple(p.indicators[i] for i in keep), ahp=ahp))
        kept_index.append(k)
    if not kept_pillars:
        raise FrameworkError(["所有指标都没有数据"])
    top = tuple(tuple(fw.ahp[a][b] for b in kept_index) for a in kept_index) if fw.ahp else None
    return replace(fw, pillars=tuple(kept_pillars), ahp=top)
