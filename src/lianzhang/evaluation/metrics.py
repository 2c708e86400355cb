"""Indicators the platform computes from its registry: enterprises, figures, tags, nodes, parks, projects."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db.models import Q

from lianzhang.enterprises.models import Enterprise, EnterpriseYear, NodeAssignment, Park, Project
from lianzhang.scenarios.models import Scenario

FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 yuan = 1,000,000 fen
FEN_PER_YI = 10_000_000_000  # 1 亿元
LEADER_TAGS = frozenset({"链主", "上市"})
QUALIFICATION_TAGS = frozenset({"高新技术企业", "专精特新", "小巨人", "链主", "上市"})

DISTRICT_METRICS = {
    "ai_enterprises": "人工智能产业链企业数（有产业链节点的企业）",
    "leaders": "链主及上市企业数",
    "high_tech": "产业链高新技术企业数",
    "rd_intensity": "产业链企业研发投入合计 ÷ 营业收入合计 × 100",
    "patents": "产业链企业当年专利数合计",
    "ai_revenue": "产业链企业人工智能营业收入合计（亿元）",
    "node_coverage": "企业覆盖的产业链节点数",
    "parks": "区内产业园区数",
    "projects": "产业链企业截至当年未终止的项目数",
    "accepted_scenarios": "区内截至当年已验收（含示范）的应用场景数",
}
ENTERPRISE_METRICS = {
    "rd_intensity": "研发投入 ÷ 营业收入 × 100",
    "patents": "当年专利数",
    "revenue": "营业收入（万元）",
    "ai_revenue_share": "人工智能营业收入 ÷ 营业收入 × 100",
    "employees": "从业人员",
    "qualifications": "资质数（高新、专精特新、小巨人、链主、上市）",
    "projects": "截至当年未终止的项目数",
}
METRICS = {"district": DISTRICT_METRICS, "enterprise": ENTERPRISE_METRICS}


def _ratio(top: int | None, bottom: int | None) -> float | None:
    if top is None or not bottom:
        return None
    return 100.0 * top / bottom


def _chain_firms(city_code: str) -> list[dict]:
    """AI-chain enterprises (with at least one node on the AI chain) registered in the city."""
    return list(
        Enterprise.objects.filter(division__code__startswith=city_code, nodes__chain="ai")
        .distinct()
        .values("pk", "credit_code", "name", "division_id")
    )


def _tags(pks: list[int]) -> dict[int, set[str]]:
    out: dict[int, set[str]] = defaultdict(set)
    through = Enterprise.tags.through
    for pk, tag in through.objects.filter(enterprise_id__in=pks).values_list("enterprise_id", "tag__name"):
        out[pk].add(tag)
    return out


def _figures(pks: list[int], year: int) -> dict[int, EnterpriseYear]:
    return {fy.enterprise_id: fy for fy in EnterpriseYear.objects.filter(enterprise_id__in=pks, year=year)}


def _projects(pks: list[int], year: int) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    rows = Project.objects.filter(enterprise_id__in=pks, submitted_on__lte=date(year, 12, 31)).exclude(
        status="terminated"
    )
    for pk in rows.values_list("enterprise_id", flat=True):
        counts[pk] += 1
    return counts


def enterprise_metrics(
    city_code: str, year: int
) -> tuple[dict[str, str], dict[str, dict[str, float | None]]]:
    """Names and computed indicators of the city's AI-chain enterprises, keyed by credit code."""
    firms = _chain_firms(city_code)
    pks = [f["pk"] for f in firms]
    tags, figures, projects = _tags(pks), _figures(pks, year), _projects(pks, year)
    names: dict[str, str] = {}
    values: dict[str, dict[str, float | None]] = {}
    for f in firms:
        fy = figures.get(f["pk"])
        revenue = fy.revenue_fen if fy else None
        names[f["credit_code"]] = f["name"]
        values[f["credit_code"]] = {
            "rd_intensity": _ratio(fy.rd_spend_fen, revenue) if fy else None,
            "patents": float(fy.patents) if fy and fy.patents is not None else None,
            "revenue": revenue / FEN_PER_WAN if revenue is not None else None,
            "ai_revenue_share": _ratio(fy.ai_revenue_fen, revenue) if fy else None,
            "employees": float(fy.employees) if fy and fy.employees is not None else None,
            "qualifications": float(len(tags[f["pk"]] & QUALIFICATION_TAGS)),
            "projects": float(projects[f["pk"]]),
        }
    return names, values


def district_metrics(
    city_code: str, year: int, districts: dict[str, str]
) -> dict[str, dict[str, float | None]]:
    """Computed indicators per district code (every district in `districts` gets a row)."""
    firms = _chain_firms(city_code)
    pks = [f["pk"] for f in firms]
    tags, figures, projects = _tags(pks), _figures(pks, year), _projects(pks, year)
    nodes: dict[int, set[str]] = defaultdict(set)
    for pk, node in NodeAssignment.objects.filter(enterprise_id__in=pks, chain="ai").values_list(
        "enterprise_id", "node"
    ):
        nodes[pk].add(node)
    parks: dict[str, int] = defaultdict(int)
    for division in Park.objects.filter(division__code__startswith=city_code).values_list(
        "division_id", flat=True
    ):
        parks[division[:6]] += 1
    scenarios: dict[str, int] = defaultdict(int)
    # A scenario counts from the year of its acceptance; rows accepted before the date was recorded
    # have none, and the year they were filed is the closest bound left.
    accepted = Scenario.objects.filter(
        Q(accepted_on__year__lte=year) | Q(accepted_on__isnull=True, created_at__year__lte=year),
        division__code__startswith=city_code,
        status__in=(Scenario.Status.ACCEPTED, Scenario.Status.DEMONSTRATION),
    )
    for division in accepted.values_list("division_id", flat=True):
        scenarios[division[:6]] += 1
    out = {
        code: {
            "ai_enterprises": 0.0,
            "leaders": 0.0,
            "high_tech": 0.0,
            "patents": 0.0,
            "ai_revenue": 0.0,
            "projects": 0.0,
            "parks": float(parks[code]),
            "accepted_scenarios": float(scenarios[code]),
            "node_coverage": 0.0,
            "rd_intensity": None,
        }
        for code in districts
    }
    rd: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    covered: dict[str, set[str]] = defaultdict(set)
    for f in firms:
        code = f["division_id"][:6]
        if code not in out:
            continue
        row = out[code]
        firm_tags = tags[f["pk"]]
        row["ai_enterprises"] += 1
        row["leaders"] += 1 if firm_tags & LEADER_TAGS else 0
        row["high_tech"] += 1 if "高新技术企业" in firm_tags else 0
        row["projects"] += projects[f["pk"]]
        covered[code] |= nodes[f["pk"]]
        fy = figures.get(f["pk"])
        if fy is None:
            continue
        row["patents"] += fy.patents or 0
        row["ai_revenue"] += (fy.ai_revenue_fen or 0) / FEN_PER_YI
        if fy.rd_spend_fen is not None and fy.revenue_fen:
            rd[code][0] += fy.rd_spend_fen
            rd[code][1] += fy.revenue_fen
    for code, row in out.items():
        row["node_coverage"] = float(len(covered[code]))
        row["rd_intensity"] = _ratio(*rd[code]) if code in rd else None
    return out
