"""Evaluation pages: thin wrappers over the evaluation services."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lianzhang.accounts.permissions import actor_for, allowed, require
from lianzhang.enterprises.models import Enterprise, EnterpriseYear
from lianzhang.evaluation import services
from lianzhang.evaluation.engine.framework import (
    AGGREGATIONS,
    NORMALISATIONS,
    RANKINGS,
    WEIGHTINGS,
    parse_fraction,
)
from lianzhang.evaluation.engine.weights import RANDOM_INDEX
from lianzhang.evaluation.models import EntityKind
from lianzhang.regions.models import Region
from lianzhang.web.errors import page, refusal

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
METHOD_LABELS = {
    "minmax": "最小-最大",
    "zscore": "Z 分数",
    "rank": "排序",
    "vector": "向量",
    "equal": "等权",
    "manual": "人工赋权",
    "ahp": "层次分析法（AHP）",
    "entropy": "熵权法",
    "critic": "CRITIC",
    "pca": "主成分分析",
    "arithmetic": "算术加权",
    "geometric": "几何加权",
    "weighted_sum": "加权求和",
    "topsis": "TOPSIS",
}


def _latest_year() -> int:
    year = EnterpriseYear.objects.aggregate(latest=Max("year"))["latest"]
    return year or date.today().year - 1


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, METHOD_LABELS[v]) for v in values]


@login_required
@page
def index(request: HttpRequest) -> HttpResponse:
    """Frameworks, recent runs and the form to start a run."""
    actor = actor_for(request.user)
    frameworks = services.list_frameworks(actor)
    runs = services.list_runs(actor, request.GET.get("framework", ""))
    return render(
        request,
        "evaluation/index.html",
        {
            "frameworks": frameworks,
            "runs": runs,
            "cities": Region.objects.filter(level=Region.Level.CITY).order_by("code"),
            "default_year": _latest_year(),
            "can_run": allowed(actor, "evaluation.run"),
            "can_edit": allowed(actor, "evaluation.edit"),
            "normalisations": _choices(NORMALISATIONS),
            "weightings": _choices(WEIGHTINGS),
            "aggregations": _choices(AGGREGATIONS),
            "rankings": _choices(RANKINGS),
        },
    )


def _float(request: HttpRequest, name: str, default: float) -> float:
    raw = request.POST.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ValidationError(f"{name}：{raw!r} 不是数字") from None


def _ahp_from_post(request: HttpRequest, size: int) -> list[list[float]] | None:
    """The upper triangle as typed (fractions allowed); the lower triangle is its reciprocal."""
    if f"ahp_0_{size - 1}" not in request.POST:
        return None
    matrix = [[1.0] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            raw = request.POST.get(f"ahp_{i}_{j}", "")
            value = parse_fraction(raw)
            if value is None or value <= 0:
                raise ValidationError(f"两两比较第 {i + 1} 行第 {j + 1} 列：{raw!r} 应为正数或分数（如 1/3）")
            matrix[i][j] = round(value, 6)
            matrix[j][i] = round(1 / value, 6)
    return matrix


def _settings_from_post(request: HttpRequest, fw) -> services.FrameworkSettings:
    return services.FrameworkSettings(
        normalisation=request.POST.get("normalisation", ""),
        weighting=request.POST.get("weighting", ""),
        aggregation=request.POST.get("aggregation", ""),
        ranking=request.POST.get("ranking", ""),
        allow_inconsistent=request.POST.get("allow_inconsistent") == "on",
        draws=int(_float(request, "draws", fw.method.draws)),
        seed=int(_float(request, "seed", fw.method.seed)),
        weight_spread=_float(request, "weight_spread", fw.method.weight_spread),
        pillar_weights={p.id: _float(request, f"pw_{p.id}", p.weight or 1.0) for p in fw.pillars},
        indicator_weights={
            i.id: _float(request, f"iw_{i.id}", i.weight or 1.0) for p in fw.pillars for i in p.indicators
        },
        ahp=_ahp_from_post(request, len(fw.pillars)),
    )


@login_required
@page
def framework_detail(request: HttpRequest, key: str) -> HttpResponse:
    """A framework's pillars, indicators, weights and versions; the chain office edits it here."""
    actor = actor_for(request.user)
    stored = services.get_framework(actor, key)
    current = stored.current
    fw = services.parsed(current)
    yaml_text = current.yaml_text
    if request.method == "POST":
        raw_base = request.POST.get("base_number", "")
        base = int(raw_base) if raw_base.isdigit() else 0  # a tampered number fails as a stale edit
        note = request.POST.get("note", "").strip()
        try:
            if request.POST.get("section") == "yaml":
                yaml_text = request.POST.get("yaml_text", "")
                version = services.save_framework(actor, key, yaml_text, note, base)
            else:
                version = services.save_framework_settings(
                    actor, key, _settings_from_post(request, fw), note, base
                )
        except ValidationError as exc:
            messages.error(request, "未保存：" + refusal(exc))
        else:
            messages.success(request, f"已保存为第 {version.number} 版")
            return redirect("evaluation-framework", key=key)
    pillars = list(fw.pillars)
    matrix = [list(row) for row in fw.ahp] if fw.ahp else [[1.0] * len(pillars) for _ in pillars]
    return render(
        request,
        "evaluation/framework.html",
        {
            "stored": stored,
            "current": current,
            "fw": fw,
            "pillars": pillars,
            "ahp_rows": [
                (pillars[i], [(j, matrix[i][j]) for j in range(len(pillars))]) for i in range(len(pillars))
            ],
            "random_index": RANDOM_INDEX,
            "versions": stored.versions.select_related("created_by")[:30],
            "yaml_text": yaml_text,
            "can_edit": allowed(actor, "evaluation.edit"),
            "method_labels": METHOD_LABELS,
            "normalisations": _choices(NORMALISATIONS),
            "weightings": _choices(WEIGHTINGS),
            "aggregations": _choices(AGGREGATIONS),
            "rankings": _choices(RANKINGS),
        },
    )


@login_required
@require_POST
@page
def run_create(request: HttpRequest) -> HttpResponse:
    """Start a run from the index form; errors go back to the index as a message."""
    actor = actor_for(request.user)
    overrides = {
        name: request.POST.get(name) or None
        for name in ("normalisation", "weighting", "aggregation", "ranking")
    }
    try:
        if request.POST.get("seed"):
            overrides["seed"] = int(request.POST["seed"])
        if request.POST.get("draws"):
            overrides["draws"] = int(request.POST["draws"])
        year = int(request.POST.get("year") or 0)
        run = services.run_evaluation(
            actor, request.POST.get("framework", ""), year, request.POST.get("city", ""), overrides
        )
    except ValueError:
        messages.error(request, "年度、随机种子与抽样次数须为整数")
    except ValidationError as exc:
        messages.error(request, "未能评价：" + refusal(exc))
    else:
        messages.success(request, "评价完成")
        return redirect("evaluation-run", pk=run.pk)
    return redirect("evaluation-index")


def _chart_data(rows: list[dict], fw) -> dict:
    return {
        "pillars": [{"id": p.id, "name": p.name} for p in fw.pillars],
        "entities": [
            {
                "id": e["id"],
                "name": e["name"],
                "rank": e["rank"],
                "score": e["score"],
                "interval": e["rank_interval"],
                "median": e.get("median_rank"),
                "pillars": e["pillar_scores"],
            }
            for e in rows
        ],
    }


def _districts(city_code: str) -> list[tuple[str, str]]:
    return list(
        Region.objects.filter(parent_id=city_code, level=Region.Level.COUNTY).values_list("code", "name")
    )


def _in_district(rows: list[dict], area: str) -> list[dict]:
    codes = {r["id"] for r in rows}
    inside = set(
        Enterprise.objects.filter(credit_code__in=codes, division__code__startswith=area).values_list(
            "credit_code", flat=True
        )
    )
    return [r for r in rows if r["id"] in inside]


@login_required
@page
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Results table, radar and rank-interval charts, year-over-year comparison and provenance."""
    actor = actor_for(request.user)
    run = services.get_run(actor, pk)
    fw = services.run_framework(run)
    other = request.GET.get("compare")
    try:
        comparison = services.compare(actor, pk, int(other) if other and other.isdigit() else None)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
        comparison = services.compare(actor, pk)
    names = run.inputs["names"]
    rows = [
        {
            **e,
            "name": names.get(e["id"], e["id"]),
            "pillar_list": [e["pillar_scores"][p.id] for p in fw.pillars],
        }
        for e in run.result["entities"]
    ]
    # Enterprise rankings can be narrowed to one district (ranks stay city-wide).
    area = request.GET.get("area", "") if fw.entity == EntityKind.ENTERPRISE else ""
    if area:
        rows = _in_district(rows, area)
    sens = run.result.get("sensitivity") or {}
    indicator_names = {i.id: i.name for i in fw.indicators}
    pillar_names = {p.id: p.name for p in fw.pillars}
    return render(
        request,
        "evaluation/run.html",
        {
            "run": run,
            "fw": fw,
            "rows": rows,
            "area": area,
            "districts": [] if fw.entity == EntityKind.DISTRICT else _districts(run.scope_id),
            "chart": _chart_data(rows, fw),
            "comparison": comparison,
            "provenance": services.provenance(run),
            "weights": [
                (
                    p,
                    run.result["weights"]["pillars"][p.id],
                    [(i, run.result["weights"]["indicators"][i.id]) for i in p.indicators],
                )
                for p in fw.pillars
            ],
            "consistency": run.result.get("consistency") or {},
            "sensitivity_indicators": sorted(
                (
                    {**row, "name": indicator_names.get(row["id"], row["id"])}
                    for row in sens.get("indicators", [])
                ),
                key=lambda row: -row["drop"]["mean_shift"],
            ),
            "sensitivity_pillars": [
                {**row, "name": pillar_names.get(row["id"], row["id"])} for row in sens.get("pillars", [])
            ],
            "sensitivity_methods": sorted(sens.get("methods", []), key=lambda m: -m["mean_shift"]),
            "variance_sources": services.variance_sources(run, fw),
            "method_labels": METHOD_LABELS,
            "is_district": fw.entity == EntityKind.DISTRICT,
            "can_export": allowed(actor, "evaluation.export"),
        },
    )


@login_required
@page
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The run as an Excel workbook."""
    content = services.export_run(actor_for(request.user), pk)
    response = HttpResponse(content, content_type=XLSX)
    filename = quote(f"综合评价结果-{pk}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
@page
def values_import(request: HttpRequest) -> HttpResponse:
    """Upload reported indicator values (CSV: id, then one column per imported indicator)."""
    actor = actor_for(request.user)
    require(actor, "evaluation.edit")
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError("请选择 CSV 文件")
            year = int(request.POST.get("year") or 0)
            report = services.import_values(
                actor, request.POST.get("entity", ""), year, upload.read(), upload.name
            )
        except ValueError:
            messages.error(request, "年度须为整数")
        except ValidationError as exc:
            messages.error(request, "未导入：" + refusal(exc))
        else:
            messages.success(
                request,
                f"已导入 {report.values} 个数值（{report.entities} 个对象，"
                f"指标 {'、'.join(report.indicators)}）",
            )
            return redirect("evaluation-index")
    importable = {
        kind: sorted(services.importable_indicators(actor, kind).items())
        for kind in ("district", "enterprise")
    }
    return render(
        request,
        "evaluation/import.html",
        {"default_year": _latest_year(), "importable": importable},
    )
