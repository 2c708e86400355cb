"""Evaluation services: frameworks and their versions, imported values, runs, comparisons, exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import CITYWIDE_ROLES, SYSTEM, Actor, guarded, in_area
from lianzhang.enterprises.models import Enterprise
from lianzhang.enterprises.services import NotFound
from lianzhang.evaluation import metrics
from lianzhang.evaluation.engine import (
    DataError,
    Framework,
    FrameworkError,
    InconsistentJudgements,
    drop_indicators,
    evaluate,
    framework_to_data,
    load_framework,
    loads_framework,
    with_overrides,
)
from lianzhang.evaluation.engine.data import parse_number
from lianzhang.evaluation.engine.framework import AGGREGATIONS, NORMALISATIONS, RANKINGS, WEIGHTINGS
from lianzhang.evaluation.engine.pipeline import ENGINE_VERSION
from lianzhang.evaluation.models import (
    EntityKind,
    EvaluationFramework,
    EvaluationRun,
    FrameworkVersion,
    IndicatorValue,
)
from lianzhang.regions.models import Region

# Shipped framework name → the key (YAML id) it is installed under.
SHIPPED = {"district": "district-ai", "enterprise": "enterprise-merit"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ensure_default_frameworks() -> None:
    """Install the shipped district and enterprise frameworks as version 1 when absent."""
    installed = set(
        EvaluationFramework.objects.filter(key__in=SHIPPED.values()).values_list("key", flat=True)
    )
    for name, key in SHIPPED.items():
        if key in installed:
            continue
        fw = load_framework(name)
        with transaction.atomic():
            stored = EvaluationFramework.objects.create(key=fw.id, name=fw.name, entity=fw.entity)
            FrameworkVersion.objects.create(
                framework=stored,
                number=1,
                yaml_text=fw.source_text,
                sha256=_sha(fw.source_text),
                note="默认框架",
            )
            audit.record(SYSTEM, "evaluation.framework.install", stored, {"version": [None, 1]})


@guarded("evaluation.view")
def list_frameworks(actor: Actor) -> list[EvaluationFramework]:
    """Every framework (the shipped ones are installed on first use)."""
    ensure_default_frameworks()
    return list(EvaluationFramework.objects.all())


@guarded("evaluation.view")
def get_framework(actor: Actor, key: str) -> EvaluationFramework:
    """One framework by key."""
    ensure_default_frameworks()
    stored = EvaluationFramework.objects.filter(key=key).first()
    if stored is None:
        raise NotFound(f"没有编号为 {key} 的评价框架")
    return stored


def parsed(version: FrameworkVersion) -> Framework:
    """The engine framework of a stored version (stored versions were validated when saved)."""
    return loads_framework(version.yaml_text)


def run_framework(run: EvaluationRun) -> Framework:
    """The framework exactly as the run used it (without indicators that had no data)."""
    return drop_indicators(parsed(run.framework_version), set(run.result.get("dropped_indicators", [])))


def _check(stored: EvaluationFramework, fw: Framework) -> list[str]:
    problems = []
    if fw.id != stored.key:
        problems.append(f"id 应保持为 {stored.key}")
    if fw.entity != stored.entity:
        problems.append(f"entity 应保持为 {stored.entity}")
    known = metrics.METRICS[stored.entity]
    for ind in fw.indicators:
        if ind.source == "computed" and ind.compute not in known:
            problems.append(
                f"指标 {ind.id} 的 compute {ind.compute!r} 不是平台可计算的指标（可用：{'、'.join(known)}）"
            )
    return problems


@guarded("evaluation.edit")
def save_framework(actor: Actor, key: str, yaml_text: str, note: str, base_number: int) -> FrameworkVersion:
    """Validate framework YAML and store it as the next version; refuse if someone saved in between."""
    stored = get_framework(actor, key)
    try:
        fw = loads_framework(yaml_text)
    except FrameworkError as exc:
        raise ValidationError(exc.problems) from None
    problems = _check(stored, fw)
    if problems:
        raise ValidationError(problems)
    stale = ValidationError(f"框架已被他人修改（您编辑的是第 {base_number} 版），未保存。请刷新后重新编辑。")
    try:
        return _store_version(actor, stored, fw, yaml_text, note, base_number, stale)
    except IntegrityError:
        # Two editors saved the same base version at once; the unique version number let one through.
        raise stale from None


def _store_version(
    actor: Actor,
    stored: EvaluationFramework,
    fw: Framework,
    yaml_text: str,
    note: str,
    base_number: int,
    stale: ValidationError,
) -> FrameworkVersion:
    with transaction.atomic():
        current = stored.versions.select_for_update().order_by("-number").first()
        if current.number != base_number:
            raise stale
        if current.sha256 == _sha(yaml_text):
            return current
        version = FrameworkVersion.objects.create(
            framework=stored,
            number=current.number + 1,
            yaml_text=yaml_text,
            sha256=_sha(yaml_text),
            note=note[:300],
            created_by_id=actor.user_id,
        )
        if stored.name != fw.name:
            stored.name = fw.name
            stored.save()
        audit.record(
            actor,
            "evaluation.framework.save",
            stored,
            {
                "version": [current.number, version.number],
                "sha256": [current.sha256, version.sha256],
                "note": note,
            },
        )
    return version


@dataclass
class FrameworkSettings:
    """What the framework editor changes: method choices, weights and the pillar AHP matrix."""

    normalisation: str
    weighting: str
    aggregation: str
    ranking: str
    allow_inconsistent: bool
    draws: int
    seed: int
    weight_spread: float
    pillar_weights: dict[str, float] = field(default_factory=dict)
    indicator_weights: dict[str, float] = field(default_factory=dict)
    ahp: list[list[float]] | None = None


@guarded("evaluation.edit")
def save_framework_settings(
    actor: Actor, key: str, settings: FrameworkSettings, note: str, base_number: int
) -> FrameworkVersion:
    """Apply the editor's settings to the current version and save the result as a new version."""
    stored = get_framework(actor, key)
    data = framework_to_data(parsed(stored.current))
    method = data["method"]
    for name, allowed in (
        ("normalisation", NORMALISATIONS),
        ("weighting", WEIGHTINGS),
        ("aggregation", AGGREGATIONS),
        ("ranking", RANKINGS),
    ):
        value = getattr(settings, name)
        if value not in allowed:
            raise ValidationError(f"{name} 应为 {'/'.join(allowed)} 之一")
        method[name] = value
    method.update(
        allow_inconsistent=settings.allow_inconsistent,
        draws=settings.draws,
        seed=settings.seed,
        weight_spread=settings.weight_spread,
    )
    for pillar in data["pillars"]:
        if pillar["id"] in settings.pillar_weights:
            pillar["weight"] = settings.pillar_weights[pillar["id"]]
        for ind in pillar["indicators"]:
            if ind["id"] in settings.indicator_weights:
                ind["weight"] = settings.indicator_weights[ind["id"]]
    if settings.ahp is not None:
        data["ahp"] = settings.ahp
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    return save_framework(actor, key, text, note, base_number)


@dataclass
class ImportReport:
    """How many values an import wrote, for which entities and indicators."""

    values: int
    entities: int
    indicators: list[str]


@guarded("evaluation.view")
def importable_indicators(actor: Actor, entity: str) -> dict[str, str]:
    """Imported indicators (id → name) that frameworks for this entity kind expect to be reported."""
    ensure_default_frameworks()
    out: dict[str, str] = {}
    for stored in EvaluationFramework.objects.filter(entity=entity):
        out.update(
            {ind.id: ind.name for ind in parsed(stored.current).indicators if ind.source == "imported"}
        )
    return out


@guarded("evaluation.edit")
def import_values(actor: Actor, entity: str, year: int, content: bytes, filename: str) -> ImportReport:
    """Import reported indicator values from CSV (id, then indicator columns); all rows or none."""
    if entity not in metrics.METRICS:
        raise ValidationError(f"对象类型应为 district 或 enterprise，实为 {entity!r}")
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 不在 2000–2100 之间")
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError("文件超过 5 MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("文件不是 UTF-8 编码（请另存为 UTF-8 CSV）") from None
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0].strip() != "id":
        raise ValidationError("第 1 行第 1 列应为 id，其后为指标编号")
    header = [h.strip() for h in rows[0]]
    known = set(importable_indicators(actor, entity))
    problems = [
        f"第 1 行列 {h}：不是需要导入的指标（可导入：{'、'.join(sorted(known))}）"
        for h in header[1:]
        if h not in known
    ]
    if problems:
        raise ValidationError(problems)
    keys = [r[0].strip() for r in rows[1:] if r and r[0].strip()]
    if entity == "district":
        existing = set(
            Region.objects.filter(code__in=keys, level=Region.Level.COUNTY).values_list("code", flat=True)
        )
    else:
        existing = set(Enterprise.objects.filter(credit_code__in=keys).values_list("credit_code", flat=True))
    parsed_values: list[tuple[str, str, float]] = []
    for line, record in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        key = record[0].strip()
        if len(record) != len(header):
            problems.append(f"第 {line} 行有 {len(record)} 列，表头有 {len(header)} 列")
            continue
        if key not in existing:
            kind = "区县区划代码" if entity == "district" else "已登记企业的统一社会信用代码"
            problems.append(f"第 {line} 行 id {key!r}：不是{kind}")
            continue
        for column, cell in zip(header[1:], record[1:], strict=True):
            value = parse_number(cell)
            if value is None:
                problems.append(f"第 {line} 行（id={key}）列 {column}：{cell!r} 不是数字")
            elif not math.isnan(value):
                parsed_values.append((key, column, value))
    if problems:
        raise ValidationError(problems[:50])
    with transaction.atomic():
        entries = []
        for key, indicator, value in parsed_values:
            obj, _ = IndicatorValue.objects.update_or_create(
                entity=entity,
                entity_key=key,
                year=year,
                indicator=indicator,
                defaults={"value": value, "source_name": filename[:255], "imported_by_id": actor.user_id},
            )
            entries.append(
                audit.entry(actor, "evaluation.value.import", obj, {"value": value, "file": filename})
            )
        AuditEntry.objects.bulk_create(entries)
    return ImportReport(len(parsed_values), len({k for k, _, _ in parsed_values}), header[1:])


@dataclass
class Table:
    """The data one run evaluates: entities, their names, and each cell's value and source."""

    ids: list[str]
    names: dict[str, str]
    values: np.ndarray
    sources: dict[str, str]


def build_table(fw: Framework, year: int, city_code: str) -> Table:
    """Computed indicators from the registry plus imported values, for every entity in the city."""
    if fw.entity == "district":
        districts = dict(
            Region.objects.filter(parent_id=city_code, level=Region.Level.COUNTY).values_list("code", "name")
        )
        computed = metrics.district_metrics(city_code, year, districts)
        names = districts
    else:
        names, computed = metrics.enterprise_metrics(city_code, year)
    ids = sorted(names)
    imported_ids = [ind.id for ind in fw.indicators if ind.source == "imported"]
    reported: dict[tuple[str, str], float] = {
        (v.entity_key, v.indicator): v.value
        for v in IndicatorValue.objects.filter(
            entity=fw.entity, year=year, indicator__in=imported_ids, entity_key__in=ids
        )
    }
    values = np.full((len(ids), len(fw.indicators)), np.nan)
    for i, ident in enumerate(ids):
        for j, ind in enumerate(fw.indicators):
            value = (
                computed[ident].get(ind.compute)
                if ind.source == "computed"
                else reported.get((ident, ind.id))
            )
            if value is not None:
                values[i, j] = value
    return Table(ids, names, values, {ind.id: ind.source for ind in fw.indicators})


MAX_DRAWS = 20_000
OVERRIDE_CHOICES = {
    "normalisation": NORMALISATIONS,
    "weighting": WEIGHTINGS,
    "aggregation": AGGREGATIONS,
    "ranking": RANKINGS,
}


def _checked(overrides: dict[str, Any]) -> dict[str, Any]:
    """Per-run method changes, refused with a reason when a name or number is out of range."""
    problems = []
    for name, value in overrides.items():
        if value is None:
            continue
        if name in OVERRIDE_CHOICES:
            if value not in OVERRIDE_CHOICES[name]:
                problems.append(f"{name} 应为 {'/'.join(OVERRIDE_CHOICES[name])} 之一，实为 {value!r}")
        elif name == "draws":
            if not isinstance(value, int) or not 0 <= value <= MAX_DRAWS:
                problems.append(f"draws 应为 0 到 {MAX_DRAWS} 的整数")
        elif name == "seed":
            if not isinstance(value, int) or value < 0:
                problems.append("seed 应为非负整数")
        elif name != "allow_inconsistent":
            problems.append(f"{name} 不是可临时修改的方法设置")
    if problems:
        raise ValidationError(problems)
    return overrides


@guarded("evaluation.run")
def run_evaluation(
    actor: Actor, key: str, year: int, city_code: str, overrides: dict[str, Any] | None = None
) -> EvaluationRun:
    """Evaluate every entity of the city with the framework's current version and store the run."""
    stored = get_framework(actor, key)
    city = Region.objects.filter(code=city_code, level=Region.Level.CITY).first()
    if city is None:
        raise ValidationError(f"{city_code} 不是地级市区划代码")
    version = stored.current
    fw = parsed(version)
    method = with_overrides(fw.method, **_checked(overrides or {}))
    if method.weighting == "ahp" and fw.ahp is None:
        raise ValidationError("该框架没有支柱两两比较矩阵，不能使用 AHP 赋权")
    table = build_table(fw, year, city_code)
    if len(table.ids) < 2:
        raise ValidationError(f"{city.name}{year} 年可评价的对象少于 2 个，无法排名")
    labels = [f"{table.names[i]}（{i}）" for i in table.ids]
    # Indicators nobody has reported yet are left out (and said so) rather than blocking the run.
    empty = [ind.id for j, ind in enumerate(fw.indicators) if np.isnan(table.values[:, j]).all()]
    try:
        used = drop_indicators(fw, set(empty))
        keep = [j for j, ind in enumerate(fw.indicators) if ind.id not in empty]
        result = evaluate(used, table.ids, table.values[:, keep], method, labels)
    except FrameworkError as exc:
        raise ValidationError(exc.problems) from None
    except (DataError, InconsistentJudgements) as exc:
        problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
        raise ValidationError(problems[:50]) from None
    inputs = {
        "ids": table.ids,
        "names": table.names,
        "indicators": fw.indicator_ids,
        "sources": table.sources,
        "values": [[None if math.isnan(v) else v for v in row] for row in table.values.tolist()],
    }
    data_sha = _sha(json.dumps(inputs, sort_keys=True, ensure_ascii=False))
    out = result.to_dict()
    out["data"] = {"sha256": data_sha, "rows": len(table.ids), "year": year, "scope": city_code}
    out["dropped_indicators"] = empty
    if empty:
        out["warnings"].append(
            "以下指标没有任何数据，本次评价未使用（其权重按支柱内比例分给其余指标）：" + "、".join(empty)
        )
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            framework_version=version,
            year=year,
            scope=city,
            inputs=inputs,
            data_sha256=data_sha,
            result=out,
            created_by_id=actor.user_id,
        )
        audit.record(
            actor,
            "evaluation.run",
            run,
            {
                "framework": key,
                "version": version.number,
                "year": year,
                "scope": city_code,
                "method": out["method"],
                "data_sha256": data_sha,
            },
        )
    return run


@guarded("evaluation.view")
def list_runs(actor: Actor, key: str = "") -> list[EvaluationRun]:
    """Recent runs, newest first, optionally of one framework."""
    qs = EvaluationRun.objects.select_related("framework_version__framework", "scope", "created_by")
    if key:
        qs = qs.filter(framework_version__framework__key=key)
    return list(qs.defer("inputs", "result")[:200])


@guarded("evaluation.view")
def get_run(actor: Actor, pk: int) -> EvaluationRun:
    """One run with its stored inputs and result."""
    run = EvaluationRun.objects.select_related("framework_version__framework", "scope", "created_by").filter(
        pk=pk
    )
    found = run.first()
    if found is None:
        raise NotFound(f"没有编号为 {pk} 的评价结果")
    if actor.role not in CITYWIDE_ROLES and found.framework_version.framework.entity == EntityKind.ENTERPRISE:
        _limit_to_area(actor, found)
    return found


def _limit_to_area(actor: Actor, run: EvaluationRun) -> None:
    """Keep only the enterprises in the actor's area (ranks stay city-wide); the run is never saved after."""
    ids = run.inputs["ids"]
    visible = {
        code
        for code, division in Enterprise.objects.filter(credit_code__in=ids).values_list(
            "credit_code", "division_id"
        )
        if in_area(actor, division)
    }
    keep = [i for i, ident in enumerate(ids) if ident in visible]
    run.inputs = {
        **run.inputs,
        "ids": [ids[i] for i in keep],
        "names": {k: v for k, v in run.inputs["names"].items() if k in visible},
        "values": [run.inputs["values"][i] for i in keep],
    }
    run.result = {**run.result, "entities": [e for e in run.result["entities"] if e["id"] in visible]}


def comparable_runs(run: EvaluationRun) -> list[EvaluationRun]:
    """Other years' runs of the same framework and scope (the newest run per year)."""
    others = (
        EvaluationRun.objects.filter(
            framework_version__framework=run.framework_version.framework, scope=run.scope
        )
        .exclude(year=run.year)
        .order_by("year", "-created_at")
        .defer("inputs", "result")
    )
    newest: dict[int, EvaluationRun] = {}
    for other in others:
        newest.setdefault(other.year, other)
    return [newest[y] for y in sorted(newest)]


@guarded("evaluation.view")
def compare(actor: Actor, pk: int, other_pk: int | None = None) -> dict[str, Any]:
    """Year-over-year comparison with another run (default: the previous year's newest run)."""
    run = get_run(actor, pk)
    candidates = comparable_runs(run)
    if other_pk is None:
        earlier = [r for r in candidates if r.year < run.year]
        other = earlier[-1] if earlier else None
    else:
        other = next((r for r in candidates if r.pk == other_pk), None)
        if other is None:
            raise ValidationError("只能与同一框架、同一范围、其他年度的评价结果比较")
    if other is None:
        return {"other": None, "candidates": candidates, "rows": []}
    other = get_run(actor, other.pk)
    before = {e["id"]: e for e in other.result["entities"]}
    rows = []
    for e in run.result["entities"]:
        prev = before.get(e["id"])
        rows.append(
            {
                "id": e["id"],
                "name": run.inputs["names"].get(e["id"], e["id"]),
                "rank": e["rank"],
                "score": e["score"],
                "level": e.get("maturity", {}).get("level", ""),
                "prev_rank": prev["rank"] if prev else None,
                "prev_score": prev["score"] if prev else None,
                "prev_level": prev.get("maturity", {}).get("level", "") if prev else "",
                "rank_change": prev["rank"] - e["rank"] if prev else None,
                "score_change": round(e["score"] - prev["score"], 4) if prev else None,
            }
        )
    return {"other": other, "candidates": candidates, "rows": rows}


def provenance(run: EvaluationRun) -> list[tuple[str, str]]:
    """Where a result came from: framework version, data, method, seed, engine, who and when."""
    version = run.framework_version
    method = run.result["method"]
    sources = run.inputs.get("sources", {})
    values = run.inputs.get("values", [])
    computed = sum(1 for s in sources.values() if s == "computed")
    filled = len(run.result.get("imputed", []))
    cells = sum(1 for row in values for v in row if v is not None)
    return [
        ("评价框架", f"{version.framework.name}（{version.framework.key}）第 {version.number} 版"),
        ("框架摘要", version.sha256),
        (
            "数据",
            f"{run.year} 年，{run.scope.name}，{len(run.inputs.get('ids', []))} 个对象；"
            f"{computed} 个指标由平台计算，{len(sources) - computed} 个为导入值；"
            f"有值 {cells} 格，按缺失规则补齐 {filled} 格",
        ),
        ("数据摘要", run.data_sha256),
        (
            "方法",
            f"标准化 {method['normalisation']}，赋权 {method['weighting']}，合成 {method['aggregation']}，"
            f"排序 {method['ranking']}，缩尾 {method['winsorise'] or '不做'}",
        ),
        (
            "不确定性分析",
            f"蒙特卡洛 {method['draws']} 次，随机种子 {method['seed']}，"
            f"权重浮动 ±{method['weight_spread']:.0%}，"
            f"方法在 {'/'.join(method['mc_normalisations'])} × {'/'.join(method['mc_aggregations'])} × "
            f"{'/'.join(method['mc_rankings'])} 中随机选取",
        ),
        ("计算引擎", f"第 {run.result.get('engine_version', ENGINE_VERSION)} 版"),
        (
            "运行",
            f"{run.created_by.get_username() if run.created_by else '系统'}，{run.created_at:%Y-%m-%d %H:%M}",
        ),
    ]


FACTOR_LABELS = {
    "normalisation": "标准化方法的选择",
    "aggregation": "合成方法的选择",
    "ranking": "排序方法的选择",
}


def variance_sources(run: EvaluationRun, fw: Framework) -> list[tuple[str, float]]:
    """First-order sensitivity indices of the run's Monte Carlo, labelled in Chinese, largest first."""
    names = {p.id: p.name for p in fw.pillars}
    out = []
    for key, value in (run.result.get("uncertainty") or {}).get("first_order", {}).items():
        if key.startswith("pillar_weight:"):
            pillar = key.split(":", 1)[1]
            out.append((f"“{names.get(pillar, pillar)}”支柱权重", value))
        else:
            out.append((FACTOR_LABELS.get(key, key), value))
    return sorted(out, key=lambda item: -item[1])


@guarded("evaluation.export")
def export_run(actor: Actor, pk: int) -> bytes:
    """The run as an Excel workbook: results, weights, input data, sensitivity and provenance."""
    from lianzhang.evaluation.exports import run_workbook

    run = get_run(actor, pk)
    fw = run_framework(run)
    return run_workbook(run, fw, provenance(run), variance_sources(run, fw))
