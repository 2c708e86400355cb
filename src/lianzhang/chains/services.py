"""Chain map, weak-link analysis and the investment-attraction pipeline: the one service layer.

The map aggregates the registry's stored node assignments in the database (a 50,000-enterprise city is
a few GROUP BY queries). The weak-link analysis runs the pure engine on the registry, written out as a
Parquet population, against an imported reference kept as Parquet; its result is stored, so pages read
figures instead of recomputing them.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import Substr

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry, Role
from lianzhang.accounts.permissions import Actor, guarded, in_area
from lianzhang.chains.models import (
    STAGE_ORDER,
    Candidate,
    GapAnalysis,
    ReferencePopulation,
    Referral,
    StageChange,
)
from lianzhang.common.chains import platform_chain
from lianzhang.enterprises.models import ChainClassification, Enterprise, EnterpriseYear, NodeAssignment
from lianzhang.enterprises.services import NotFound, visible_enterprises
from lianzhang.regions.models import Region

LEADER_TAGS = ("链主",)
# Lenses of the map: how nodes are grouped into columns.
LENSES = {
    "layer": "层级（基础层/技术层/应用层）",
    "segment": "芯/器/端",
    "track": "造车健城",
    "national": "国家分类（2018）",
}
REFERENCE_DIR = "reference"


# ------------------------------------------------------------------------------------ chain map


def _latest_year() -> int | None:
    return EnterpriseYear.objects.aggregate(y=Max("year"))["y"]


FIGURES = ("count", "leaders", "revenue_fen", "rd_fen", "patents")


def _registry_stamp(chain_id: str) -> tuple:
    """Changes whenever the registry does: every registry write is audited, and classifications and
    yearly figures are counted, so cached map figures are never stale."""
    assignments = NodeAssignment.objects.filter(chain=chain_id).aggregate(m=Max("id"), n=Count("id"))
    years = EnterpriseYear.objects.aggregate(m=Max("id"), n=Count("id"))
    last_audit = AuditEntry.objects.aggregate(m=Max("id"))["m"]
    return (last_audit, assignments["m"], assignments["n"], years["m"], years["n"])


@dataclass
class MapFigures:
    """The registry aggregated for the map: (district, node) cells, the years with figures, the latest."""

    cells: dict[tuple[str, str], list[int]]
    years: list[int]
    year: int | None

    def nodes(self, district: str | None = None) -> dict[str, dict[str, Any]]:
        """Per node: enterprises, leaders, revenue, R&D and patents of the latest year (district: prefix)."""
        out: dict[str, dict[str, Any]] = {}
        for (code, node), values in self.cells.items():
            if district and not code.startswith(district[:6]):
                continue
            figures = out.setdefault(node, dict.fromkeys(FIGURES, 0))
            for name, value in zip(FIGURES, values, strict=True):
                figures[name] += value
        return out


def map_figures(chain_id: str) -> MapFigures:
    """The registry's map figures: three GROUP BY queries, kept in the cache until the registry changes."""
    stamp = repr(_registry_stamp(chain_id))
    key = f"chains:map:{chain_id}"
    cached = cache.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    qs = NodeAssignment.objects.filter(chain=chain_id).annotate(
        district=Substr("enterprise__division_id", 1, 6)
    )
    cells: dict[tuple[str, str], list[int]] = {}
    # One row per (enterprise, chain, node) by constraint: counting rows counts enterprises.
    for row in qs.values("district", "node").annotate(n=Count("id")):
        cells[(row["district"], row["node"])] = [row["n"], 0, 0, 0, 0]
    for row in (
        qs.filter(enterprise__tags__name__in=LEADER_TAGS).values("district", "node").annotate(n=Count("id"))
    ):
        cells[(row["district"], row["node"])][1] = row["n"]
    years = list(EnterpriseYear.objects.order_by("-year").values_list("year", flat=True).distinct())
    year = years[0] if years else None
    if year is not None:
        figures = (
            qs.filter(enterprise__years__year=year)
            .values("district", "node")
            .annotate(
                revenue=Sum("enterprise__years__revenue_fen"),
                rd=Sum("enterprise__years__rd_spend_fen"),
                patents=Sum("enterprise__years__patents"),
            )
        )
        for row in figures:
            cells[(row["district"], row["node"])][2:] = [
                row["revenue"] or 0,
                row["rd"] or 0,
                row["patents"] or 0,
            ]
    result = MapFigures(cells=cells, years=years, year=year)
    cache.set(key, (stamp, result), timeout=None)
    return result


def node_figures(chain_id: str, district: str | None = None) -> dict[str, dict[str, Any]]:
    """Per node: enterprises, leaders, revenue and R&D of the latest year, patents (district: code prefix)."""
    return map_figures(chain_id).nodes(district)


def _column(node: Any, lens: str, chain: Any) -> str:
    if lens == "segment":
        return node.segment or "其他"
    if lens == "track":
        return node.track or "通用"
    if lens == "national":
        return node.national_2018 or "其他门类"
    return node.layer


def _columns(lens: str, chain: Any) -> list[str]:
    if lens == "segment":
        return [c.id for c in chain.segments] + ["其他"]
    if lens == "track":
        return [c.id for c in chain.tracks] + ["通用"]
    if lens == "national":
        return [*chain.national_2018, "其他门类"]
    return [c.id for c in chain.layers]


def _column_label(column: str, lens: str, chain: Any) -> str:
    if lens == "segment" and column in {c.id for c in chain.segments}:
        return f"{column}（{chain.segment(column).name}）"
    if lens == "track" and column in {c.id for c in chain.tracks}:
        return f"{column}（{chain.track(column).name}）"
    if lens == "national" and column in chain.national_2018:
        return f"{column} {chain.national_name(column)}"
    return column


@guarded("chain.map.view")
def chain_map(
    actor: Actor,
    *,
    chain_id: str = "ai",
    lens: str = "layer",
    district: str | None = None,
    compare: str | None = None,
    years: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """Nodes by lens column with edges (size = enterprises, colour = strength), heatmap, comparison.

    compare: a second district, side by side with district by enterprises; years: two years side by
    side by the revenue of each node's enterprises (within district when one is chosen).
    """
    chain = platform_chain(chain_id)
    lens = lens if lens in LENSES else "layer"
    aggregated = map_figures(chain_id)
    figures = aggregated.nodes(district)
    analysis = GapAnalysis.objects.filter(chain=chain_id).first()
    stored = {n["id"]: n for n in (analysis.report.get("nodes", []) if analysis else [])}
    counts = [f["count"] for f in figures.values()]
    mean = sum(counts) / len(chain.nodes) if counts else 0
    columns = _columns(lens, chain)
    rows_in_column: dict[str, int] = {}
    nodes = []
    for node in chain.nodes.values():
        f = figures.get(node.id, {"count": 0, "leaders": 0, "revenue_fen": 0, "rd_fen": 0, "patents": 0})
        column = _column(node, lens, chain)
        row = rows_in_column.get(column, 0)
        rows_in_column[column] = row + 1
        gap = stored.get(node.id)
        # Strength: 100 − weak score of the stored analysis when there is one; otherwise the node's
        # enterprises against the chain's average node (100 = twice the average or more).
        if gap is not None and not district:
            strength = round(100 - gap["weak_score"], 1)
        else:
            strength = round(min(100.0, 50 * f["count"] / mean), 1) if mean else 0.0
        nodes.append(
            {
                "id": node.id,
                "name": node.name,
                "layer": node.layer,
                "segment": node.segment,
                "track": node.track,
                "national_2018": node.national_2018,
                "column": columns.index(column) if column in columns else len(columns),
                "row": row,
                "strength": strength,
                "weak": bool(gap and gap.get("weak")) and not district,
                **f,
            }
        )
    edges = [[a, b] for a, b in chain.edges()]
    heatmap = _heatmap(aggregated, chain)
    comparison = None
    if district and compare:
        other = aggregated.nodes(compare)
        comparison = {
            "labels": [_region_name(district), _region_name(compare)],
            "measure": "企业数",
            "nodes": [
                {
                    "id": n.id,
                    "name": n.name,
                    "a": figures.get(n.id, {}).get("count", 0),
                    "b": other.get(n.id, {}).get("count", 0),
                }
                for n in chain.nodes.values()
            ],
        }
    elif years:
        revenue = node_revenue_by_year(chain_id, years, district)
        comparison = {
            "labels": [f"{years[0]} 年", f"{years[1]} 年"],
            "measure": "营业收入（万元）",
            "nodes": [
                {
                    "id": n.id,
                    "name": n.name,
                    "a": round(revenue.get((n.id, years[0]), 0) / 1_000_000, 1),
                    "b": round(revenue.get((n.id, years[1]), 0) / 1_000_000, 1),
                }
                for n in chain.nodes.values()
            ],
        }
    return {
        "chain": chain.id,
        "chain_name": chain.name,
        "lens": lens,
        "lenses": LENSES,
        "columns": [_column_label(c, lens, chain) for c in columns],
        "district": district,
        "district_name": _region_name(district) if district else None,
        "nodes": nodes,
        "edges": edges,
        "heatmap": heatmap,
        "comparison": comparison,
        "analysis_at": analysis.created_at.isoformat() if analysis else None,
        "year": aggregated.year,
        "years": aggregated.years,
        "districts": heatmap["districts"],
    }


def node_revenue_by_year(chain_id: str, years: tuple[int, int], district: str | None) -> dict[tuple, int]:
    """(node, year) -> revenue in fen of the node's enterprises that year (one GROUP BY query)."""
    qs = NodeAssignment.objects.filter(chain=chain_id, enterprise__years__year__in=years)
    if district:
        qs = qs.filter(enterprise__division__code__startswith=district)
    rows = qs.values("node", "enterprise__years__year").annotate(r=Sum("enterprise__years__revenue_fen"))
    return {(row["node"], row["enterprise__years__year"]): row["r"] or 0 for row in rows}


def _region_name(code: str | None) -> str:
    if not code:
        return ""
    return Region.objects.filter(pk=code).values_list("name", flat=True).first() or code


def _heatmap(aggregated: MapFigures, chain: Any) -> dict[str, Any]:
    """District × node enterprise counts (districts as 6-digit county codes)."""
    cells = aggregated.cells
    codes = sorted({code for code, _ in cells})
    names = dict(Region.objects.filter(pk__in=codes).values_list("code", "name"))
    node_ids = list(chain.nodes)
    return {
        "districts": [{"code": c, "name": names.get(c, c)} for c in codes],
        "nodes": [{"id": n, "name": chain.nodes[n].name} for n in node_ids],
        "z": [[cells.get((c, n), [0])[0] for n in node_ids] for c in codes],
    }


@guarded("chain.map.view")
def districts(actor: Actor, chain_id: str = "ai") -> list[Region]:
    """Districts (county level) with chain enterprises, for the district filter and team choice."""
    codes = {code for code, _ in map_figures(chain_id).cells}
    return list(Region.objects.filter(pk__in=codes).order_by("code"))


@guarded("chain.map.view")
def node_detail(
    actor: Actor, node: str, *, chain_id: str = "ai", district: str | None = None
) -> dict[str, Any]:
    """A node's figures and the enterprises on it that the actor may see (largest first, at most 100)."""
    chain = platform_chain(chain_id)
    try:
        chain_node = chain.node(node)
    except KeyError as exc:
        raise NotFound(str(exc.args[0])) from None
    year = _latest_year()
    qs = visible_enterprises(actor).filter(nodes__chain=chain_id, nodes__node=node)
    if district:
        qs = qs.filter(division__code__startswith=district)
    qs = qs.annotate(revenue=Sum("years__revenue_fen", filter=Q(years__year=year))).order_by(
        "-revenue", "name"
    )
    enterprises = [
        {"id": e.pk, "name": e.name, "division": e.division_id, "revenue_fen": e.revenue}
        for e in qs.distinct()[:100]
    ]
    figures = node_figures(chain_id, district).get(node, {"count": 0})
    analysis = GapAnalysis.objects.filter(chain=chain_id).first()
    gap = next((n for n in (analysis.report.get("nodes", []) if analysis else []) if n["id"] == node), None)
    return {
        "id": node,
        "name": chain_node.name,
        "layer": chain_node.layer,
        "upstream": [n.name for n in chain.upstream(node)],
        "downstream": [n.name for n in chain.downstream(node)],
        "figures": figures,
        "gap": gap,
        "enterprises": enterprises,
    }


# ------------------------------------------------------------------------------------ reference and analysis


def data_dir() -> Path:
    """The platform's data folder, where reference Parquet files are kept."""
    return Path(settings.CONFIG.data_dir)


def reference_path(reference: ReferencePopulation) -> Path:
    """Where a reference's Parquet file lives (under the data folder)."""
    return data_dir() / reference.file


def _file_digest(path: Path) -> str:
    """A short digest of a file's size and its first and last megabyte."""
    digest = hashlib.sha256(str(path.stat().st_size).encode())
    with path.open("rb") as handle:
        digest.update(handle.read(1 << 20))
        handle.seek(max(0, path.stat().st_size - (1 << 20)))
        digest.update(handle.read())
    return digest.hexdigest()[:16]


@guarded("chain.reference.import")
def import_reference(actor: Actor, source: Path, name: str, *, chain_id: str = "ai") -> ReferencePopulation:
    """Copy a screened reference registry into the data folder as Parquet and record it."""
    from lianzhang.chains.engine import PopulationError
    from lianzhang.chains.engine.population import connect, literal, population_sql

    if not name.strip():
        raise ValidationError({"name": "请填写参照名录名称"})
    connection = connect()
    try:
        try:
            population = population_sql(Path(source), "参照名录", connection)
            records, on_chain = connection.execute(
                f"SELECT count(*), count(*) FILTER (on_chain) FROM ({population.sql})"
            ).fetchone()
        except PopulationError as exc:
            raise ValidationError({"file": str(exc)}) from None
        folder = data_dir() / REFERENCE_DIR
        folder.mkdir(parents=True, exist_ok=True)
        # Named by content, so importing the same file again (or reloading the demo) reuses one file.
        target = folder / f"{chain_id}-{_file_digest(Path(source))}.parquet"
        tmp = target.with_name(target.name + ".tmp")
        if Path(source).suffix.lower() in {".parquet", ".pq"}:
            shutil.copyfile(source, tmp)
        else:
            # CSV and JSON lines become Parquet once, so every later analysis reads columns, not text.
            connection.execute(
                f"COPY (SELECT * FROM {population.reader}) TO {literal(str(tmp))} (FORMAT parquet)"
            )
        tmp.replace(target)
    finally:
        connection.close()
    reference = ReferencePopulation.objects.create(
        chain=chain_id,
        name=name.strip(),
        file=str(target.relative_to(data_dir())),
        records=int(records),
        on_chain=int(on_chain),
        fields=",".join(population.fields),
        imported_by_id=actor.user_id,
    )
    audit.record(actor, "import", reference, {"records": records, "on_chain": on_chain})
    return reference


@guarded("chain.map.view")
def list_references(actor: Actor, chain_id: str = "ai") -> QuerySet[ReferencePopulation]:
    """Imported reference registries, newest first."""
    return ReferencePopulation.objects.filter(chain=chain_id)


def registry_population(chain_id: str, path: Path) -> int:
    """Write the registry as a screened population (canonical columns) to Parquet; return its rows."""
    year = _latest_year()
    nodes: dict[int, list[str]] = {}
    confidence: dict[int, float] = {}
    for pk, node, conf in (
        NodeAssignment.objects.filter(chain=chain_id)
        .order_by("enterprise_id", "-is_primary", "-confidence", "node")
        .values_list("enterprise_id", "node", "confidence")
    ):
        nodes.setdefault(pk, []).append(node)
        confidence.setdefault(pk, conf)
    review = set(
        ChainClassification.objects.filter(
            chain=chain_id, review=ChainClassification.Review.PENDING
        ).values_list("enterprise_id", flat=True)
    )
    tags: dict[int, list[str]] = {}
    for pk, tag in Enterprise.tags.through.objects.values_list("enterprise_id", "tag__name"):
        tags.setdefault(pk, []).append(tag)
    figures: dict[int, dict[int, tuple]] = {}
    if year is not None:
        for pk, y, revenue, rd, patents, employees in EnterpriseYear.objects.filter(
            year__gte=year - 1
        ).values_list("enterprise_id", "year", "revenue_fen", "rd_spend_fen", "patents", "employees"):
            figures.setdefault(pk, {})[y] = (revenue, rd, patents, employees)
    columns: dict[str, list[Any]] = {
        k: []
        for k in (
            "id", "name", "is_ai_chain", "nodes", "primary_node", "confidence", "needs_review", "district",
            "revenue_fen", "rd_fen", "patents", "employees", "growth", "tags",
        )
    }  # fmt: skip
    for pk, code, name, division in Enterprise.objects.values_list(
        "pk", "credit_code", "name", "division_id"
    ):
        own = nodes.get(pk, [])
        years = figures.get(pk, {})
        latest = years.get(year) if year is not None else None
        before = years.get(year - 1) if year is not None else None
        growth = None
        if latest and before and latest[0] is not None and before[0]:
            growth = latest[0] / before[0] - 1
        columns["id"].append(code)
        columns["name"].append(name)
        columns["is_ai_chain"].append(bool(own))
        columns["nodes"].append(own)
        columns["primary_node"].append(own[0] if own else None)
        columns["confidence"].append(confidence.get(pk, 0.0))
        columns["needs_review"].append(pk in review)
        columns["district"].append(division[:6])
        for index, key in enumerate(("revenue_fen", "rd_fen", "patents", "employees")):
            columns[key].append(latest[index] if latest else None)
        columns["growth"].append(growth)
        columns["tags"].append(";".join(tags.get(pk, [])))
    table = pa.table(
        {
            **columns,
            "nodes": pa.array(columns["nodes"], pa.list_(pa.string())),
            "revenue_fen": pa.array(columns["revenue_fen"], pa.int64()),
            "rd_fen": pa.array(columns["rd_fen"], pa.int64()),
            "patents": pa.array(columns["patents"], pa.int64()),
            "employees": pa.array(columns["employees"], pa.int64()),
            "growth": pa.array(columns["growth"], pa.float64()),
        }
    )
    pq.write_table(table, path)
    return table.num_rows


@guarded("chain.analysis.run")
def run_analysis(actor: Actor, reference_id: int, *, top: int = 50, chain_id: str = "ai") -> GapAnalysis:
    """Analyse the registry against a reference and store the weak links and the candidate list."""
    from lianzhang.chains.engine import PopulationError, analyse_files

    reference = ReferencePopulation.objects.filter(pk=reference_id, chain=chain_id).first()
    if reference is None:
        raise NotFound("参照名录不存在")
    if not reference_path(reference).is_file():
        raise ValidationError({"reference": f"参照名录文件已不在数据目录中：{reference.file}"})
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as work:
        local = Path(work) / "registry.parquet"
        rows = registry_population(chain_id, local)
        try:
            result = analyse_files(local, reference_path(reference), chain=platform_chain(chain_id), top=top)
        except PopulationError as exc:
            raise ValidationError({"reference": str(exc)}) from None
    report = result.report
    analysis = GapAnalysis.objects.create(
        chain=chain_id,
        reference=reference,
        local_records=rows,
        report={
            "local_total": report.local_total,
            "local_chain": report.local_chain,
            "reference_total": report.reference_total,
            "reference_chain": report.reference_chain,
            "nodes": [n.to_dict() for n in report.nodes],
            "patterns": [
                {"lens": p.lens, "detected": p.detected, "explanation": p.explanation}
                for p in report.patterns
            ],
        },
        candidates=[c.to_dict() for c in result.candidates],
        seconds=round(time.perf_counter() - started, 2),
        created_by_id=actor.user_id,
    )
    audit.record(
        actor, "analyse", analysis, {"reference": reference.name, "candidates": len(result.candidates)}
    )
    return analysis


@guarded("chain.map.view")
def latest_analysis(actor: Actor, chain_id: str = "ai") -> GapAnalysis | None:
    """The newest stored analysis of a chain, or None."""
    return GapAnalysis.objects.filter(chain=chain_id).select_related("reference").first()


@guarded("chain.targets.export")
def export_targets(actor: Actor, chain_id: str = "ai") -> bytes:
    """The latest investment-attraction list as an Excel workbook, with the team already chasing each."""
    import io

    import openpyxl
    from openpyxl.styles import Font

    analysis = GapAnalysis.objects.filter(chain=chain_id).first()
    if analysis is None:
        raise NotFound("尚未进行薄弱环节分析")
    teams = dict(Candidate.objects.filter(chain=chain_id).values_list("external_id", "team__name"))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "招商清单"
    headers = ["序号", "统一社会信用代码", "企业名称", "补链环节", "得分", "推荐理由", "所在区划"]
    headers += ["营业收入（万元）", "标签", "跟进区"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for place, c in enumerate(analysis.candidates, start=1):
        revenue = None if c.get("revenue_fen") is None else round(c["revenue_fen"] / 1_000_000, 2)
        sheet.append(
            [
                place,
                c["id"],
                c["name"],
                c["node_name"],
                c["score"],
                c["reason"],
                c.get("district") or "",
                revenue,
                "、".join(c.get("tags") or []),
                teams.get(c["id"], ""),
            ]
        )
    gaps = workbook.create_sheet("薄弱环节")
    gaps.append(["节点", "名称", "本地企业", "参照企业", "区位商", "薄弱度", "说明"])
    for cell in gaps[1]:
        cell.font = Font(bold=True)
    for n in sorted(analysis.report.get("nodes", []), key=lambda n: -n["weak_score"]):
        gaps.append(
            [
                n["id"],
                n["name"],
                n["local_count"],
                n["reference_count"],
                n["location_quotient"],
                n["weak_score"],
                n["explanation"],
            ]
        )
    for ws, widths in ((sheet, (6, 22, 34, 24, 8, 90, 10, 14, 20, 10)), (gaps, (14, 26, 10, 10, 8, 8, 100))):
        for index, width in enumerate(widths):
            ws.column_dimensions[chr(ord("A") + index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------ pipeline


@dataclass
class CandidateInput:
    """What is needed to open a candidate: the enterprise, the node it fills, and the district team."""

    external_id: str
    name: str
    node: str
    team_code: str
    score: float = 0.0
    reason: str = ""
    note: str = ""


def _team_allowed(actor: Actor, team_code: str) -> bool:
    if actor.role == Role.DISTRICT:
        return bool(actor.region_code) and team_code.startswith(actor.region_code)
    return in_area(actor, team_code)


def _own(actor: Actor, candidate: Candidate) -> None:
    if actor.role == Role.DISTRICT and not _team_allowed(actor, candidate.team_id):
        raise PermissionDenied(f"该招商对象由{candidate.team.name}跟进，只有该区或链长办可以更改")


@guarded("pipeline.view")
def list_candidates(actor: Actor, *, chain_id: str = "ai", team: str | None = None) -> QuerySet[Candidate]:
    """Every candidate with its team and stage: districts see all, so nobody chases a company unknowingly."""
    qs = Candidate.objects.filter(chain=chain_id).select_related("team")
    if team:
        qs = qs.filter(team_id=team)
    return qs


@guarded("pipeline.view")
def get_candidate(actor: Actor, pk: int) -> Candidate:
    """One candidate with its history and referrals."""
    candidate = Candidate.objects.select_related("team").filter(pk=pk).first()
    if candidate is None:
        raise NotFound("招商对象不存在")
    return candidate


@guarded("pipeline.claim")
def claim_candidate(actor: Actor, data: CandidateInput, *, chain_id: str = "ai") -> Candidate:
    """Open a candidate as a 线索 for one district team; refused when another team already has it."""
    chain = platform_chain(chain_id)
    errors: dict[str, str] = {}
    if not data.external_id.strip():
        errors["external_id"] = "请填写统一社会信用代码或参照编号"
    if not data.name.strip():
        errors["name"] = "请填写企业名称"
    if data.node not in chain.nodes:
        errors["node"] = f"产业链没有节点 {data.node}"
    team = Region.objects.filter(pk=data.team_code, level=Region.Level.COUNTY).first()
    if team is None:
        errors["team_code"] = f"区划代码 {data.team_code} 不是区县"
    elif not _team_allowed(actor, team.code):
        errors["team_code"] = "区/镇街只能为本区建立招商线索"
    existing = Candidate.objects.filter(chain=chain_id, external_id=data.external_id.strip()).select_related(
        "team"
    )
    taken = existing.first()
    if taken is not None:
        errors["external_id"] = f"该企业已由{taken.team.name}跟进（{taken.get_stage_display()}），请与其协调"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            candidate = Candidate.objects.create(
                chain=chain_id,
                external_id=data.external_id.strip(),
                name=data.name.strip(),
                node=data.node,
                score=data.score,
                reason=data.reason[:500],
                team=team,
                note=data.note[:500],
                created_by_id=actor.user_id,
            )
            StageChange.objects.create(
                candidate=candidate, to_stage="lead", to_team=team.code, by_id=actor.user_id, note="建立线索"
            )
            audit.record(actor, "create", candidate, {"team": [None, team.code], "stage": [None, "lead"]})
    except IntegrityError:
        # Another team claimed the same enterprise between the check above and this insert.
        raise ValidationError({"external_id": "该企业刚刚已被其他区建立线索，请刷新后查看"}) from None
    return candidate


@guarded("pipeline.advance")
def advance_candidate(actor: Actor, pk: int, version: int, stage: str, note: str = "") -> Candidate:
    """Move a candidate to a stage (forward along 线索→接触→洽谈→签约→落地, or 放弃); audited."""
    candidate = get_candidate(actor, pk)
    _own(actor, candidate)
    if stage not in dict(Candidate.Stage.choices):
        raise ValidationError({"stage": f"未知的阶段 {stage}"})
    current = candidate.stage
    if current in ("landed", "dropped"):
        raise ValidationError({"stage": f"已{candidate.get_stage_display()}，不能再变更"})
    if stage != "dropped" and STAGE_ORDER.index(stage) <= STAGE_ORDER.index(current):
        raise ValidationError({"stage": "只能向后推进（或放弃）"})
    candidate.version = version
    candidate.stage = stage
    with transaction.atomic():
        candidate.save(update_fields=["stage"])
        StageChange.objects.create(
            candidate=candidate, from_stage=current, to_stage=stage, by_id=actor.user_id, note=note[:500]
        )
        audit.record(actor, "transition", candidate, {"stage": [current, stage], "note": note})
    return candidate


@guarded("pipeline.reassign")
def reassign_candidate(actor: Actor, pk: int, version: int, team_code: str, note: str = "") -> Candidate:
    """Hand a candidate to another district team (chain office); audited."""
    candidate = get_candidate(actor, pk)
    team = Region.objects.filter(pk=team_code, level=Region.Level.COUNTY).first()
    if team is None:
        raise ValidationError({"team_code": f"区划代码 {team_code} 不是区县"})
    before = candidate.team_id
    if before == team.code:
        return candidate
    candidate.version = version
    candidate.team = team
    with transaction.atomic():
        candidate.save(update_fields=["team"])
        StageChange.objects.create(
            candidate=candidate,
            from_stage=candidate.stage,
            to_stage=candidate.stage,
            from_team=before,
            to_team=team.code,
            by_id=actor.user_id,
            note=note[:500] or "转交",
        )
        audit.record(actor, "reassign", candidate, {"team": [before, team.code], "note": note})
    return candidate


@guarded("referral.record")
def record_referral(
    actor: Actor,
    candidate_pk: int,
    *,
    ambassador: str,
    referred_on: date,
    organisation: str = "",
    outcome: str = "pending",
    note: str = "",
) -> Referral:
    """Record who referred a candidate (招商大使) and the outcome; audited."""
    candidate = get_candidate(actor, candidate_pk)
    _own(actor, candidate)
    errors = {}
    if not ambassador.strip():
        errors["ambassador"] = "请填写招商大使姓名"
    if outcome not in dict(Referral.Outcome.choices):
        errors["outcome"] = f"未知的结果 {outcome}"
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        candidate=candidate,
        ambassador=ambassador.strip(),
        organisation=organisation.strip(),
        referred_on=referred_on,
        outcome=outcome,
        note=note[:500],
        recorded_by_id=actor.user_id,
    )
    audit.record(actor, "create", referral, {"candidate": candidate.name, "outcome": outcome})
    return referral


@guarded("pipeline.view")
def can_work(actor: Actor, candidate: Candidate) -> bool:
    """Whether the actor may move or annotate this candidate (its team, or the chain office)."""
    if actor.role == Role.DISTRICT:
        return _team_allowed(actor, candidate.team_id)
    return actor.role in (Role.CHAIN_OFFICE, Role.ADMIN)
