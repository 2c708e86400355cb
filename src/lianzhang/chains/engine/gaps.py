"""Weak-link analysis: a local population against a reference population, node by node.

Counts are memberships: an enterprise placed on several nodes counts on each. Shares are taken among
the population's chain enterprises, so the location quotient compares the chain's make-up here with
its make-up in the reference (a city with few AI enterprises overall can still be strong in one link).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from lianzhang.chains.engine.population import Population, tag_sql
from lianzhang.taxonomy import Chain

# Weight of each kind of weakness in the weak-link score; kinds without data are left out and the
# remaining weights scaled up, so a registry without revenue is judged on what it has.
WEIGHTS = {
    "presence": 0.50,
    "scale": 0.10,
    "innovation": 0.10,
    "growth": 0.10,
    "leader": 0.10,
    "supply": 0.10,
}
# Presence is fully weak at a location quotient of 0.25 and below, not weak at 1 and above.
PRESENCE_SPAN = 0.75
# Growth this many points below the reference counts as fully weak.
GROWTH_SPAN = 0.20
# A weakness component at least this large is named in the explanation.
NAMED_FROM = 0.3


@dataclass(frozen=True)
class GapSettings:
    """Thresholds of the analysis."""

    weak_score: float = 40.0
    strong_lq: float = 1.2
    strong_min_count: int = 3


@dataclass
class NodeGap:
    """The figures and verdict for one chain node."""

    id: str
    name: str
    layer: str
    segment: str | None
    track: str | None
    national_2018: str | None
    local_count: int
    local_share: float
    reference_count: int
    reference_share: float
    location_quotient: float | None
    revenue_fen: int | None
    rd_fen: int | None
    patents: int | None
    employees: int | None
    growth: float | None
    reference_growth: float | None
    revenue_lq: float | None
    tagged: dict[str, int]
    leaders: list[str]
    supplies_strong: list[str]
    supply_coverage: float | None
    upstream_missing: list[str]
    strong: bool
    weak: bool
    two_ends_weak: bool
    weak_score: float
    components: dict[str, float]
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the contract fields come first."""
        data = asdict(self)
        head = ("id", "local_count", "reference_count", "location_quotient", "weak_score", "explanation")
        return {**{k: data[k] for k in head}, **{k: v for k, v in data.items() if k not in head}}


@dataclass
class GroupPattern:
    """Location quotients of the three positions of a lens (layers, or 芯/器/端) and the verdict."""

    lens: str
    groups: list[tuple[str, float | None]]
    detected: bool
    explanation: str


@dataclass
class GapReport:
    """The whole analysis: totals, nodes in chain order, the two-ends-weak patterns."""

    chain: str
    local_total: int
    reference_total: int
    local_chain: int
    reference_chain: int
    nodes: list[NodeGap]
    patterns: list[GroupPattern] = field(default_factory=list)
    fields: tuple[str, ...] = ()

    def node(self, node_id: str) -> NodeGap:
        """The node with this id."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def weak_nodes(self) -> list[NodeGap]:
        """Weak nodes, weakest first."""
        return sorted((n for n in self.nodes if n.weak), key=lambda n: (-n.weak_score, n.id))


def _aggregate(connection: duckdb.DuckDBPyConnection, relation: str, local: bool) -> dict[str, dict]:
    """Per-node figures of a population relation (one scan, nodes unnested); tags and leaders for local."""
    columns = "revenue_fen, rd_fen, patents, employees, growth"
    extra = ", NULL AS leaders"
    if local:
        columns += ", tags, leader, name"
        extra = ", " + ", ".join(
            f"count(*) FILTER ({tag_sql(t)}) AS {_tag_alias(t)}" for t in ("专精特新", "高新", "上市")
        )
        order = "ORDER BY revenue_fen DESC NULLS LAST, name"
        extra += f", list(name {order}) FILTER (leader AND name <> '') AS leaders"
    rows = connection.execute(
        f"""
        SELECT node, count(*) AS n, sum(revenue_fen) AS revenue, sum(rd_fen) AS rd, sum(patents) AS patents,
               sum(employees) AS employees, median(growth) AS growth,
               count(revenue_fen) AS with_revenue, count(patents) AS with_patents,
               count(rd_fen) AS with_rd{extra}
        FROM (SELECT unnest(nodes) AS node, {columns} FROM {relation} WHERE on_chain)
        GROUP BY node
        """
    ).fetchall()
    names = [d[0] for d in connection.description]
    return {row[0]: dict(zip(names, row, strict=True)) for row in rows}


def _tag_alias(tag: str) -> str:
    return {"专精特新": "t_zjtx", "高新": "t_gx", "上市": "t_ss"}[tag]


def _totals(connection: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int, int | None]:
    # Two queries: counting reads two columns of every row, the revenue only those of chain enterprises.
    total, on_chain = connection.execute(
        f"SELECT count(*), count(*) FILTER (on_chain) FROM {relation}"
    ).fetchone()
    (revenue,) = connection.execute(f"SELECT sum(revenue_fen) FROM {relation} WHERE on_chain").fetchone()
    return int(total), int(on_chain), revenue


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _percent(x: float) -> str:
    return f"{x * 100:.1f}%"


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def analyse(
    chain: Chain,
    local: Population,
    reference: Population,
    connection: duckdb.DuckDBPyConnection,
    settings: GapSettings | None = None,
    *,
    local_relation: str | None = None,
) -> GapReport:
    """Weak-link analysis of local against reference; local_relation: a table already holding local."""
    settings = settings or GapSettings()
    loc_rel = local_relation or f"({local.sql})"
    ref_rel = f"({reference.sql})"
    local_total, local_chain, local_revenue = _totals(connection, loc_rel)
    reference_total, reference_chain, reference_revenue = _totals(connection, ref_rel)
    loc = _aggregate(connection, loc_rel, local=True)
    ref = _aggregate(connection, ref_rel, local=False)

    # First pass: presence, to know the strong nodes that the supply check is about.
    counts = {n: int(loc.get(n, {}).get("n") or 0) for n in chain.nodes}
    ref_counts = {n: int(ref.get(n, {}).get("n") or 0) for n in chain.nodes}
    lqs: dict[str, float | None] = {}
    for node_id in chain.nodes:
        local_share = counts[node_id] / local_chain if local_chain else 0.0
        reference_share = ref_counts[node_id] / reference_chain if reference_chain else 0.0
        lqs[node_id] = local_share / reference_share if reference_share else None
    strong = {
        n
        for n in chain.nodes
        if counts[n] >= settings.strong_min_count and (lqs[n] is None or lqs[n] >= settings.strong_lq)
    }

    nodes: list[NodeGap] = []
    for node_id, node in chain.nodes.items():
        mine, theirs = loc.get(node_id, {}), ref.get(node_id, {})
        lc, rc, lq = counts[node_id], ref_counts[node_id], lqs[node_id]
        local_share = lc / local_chain if local_chain else 0.0
        reference_share = rc / reference_chain if reference_chain else 0.0
        supplies_strong = [d for d in node.downstream if d in strong]
        upstream = [u.id for u in chain.upstream(node_id)]
        coverage = None
        upstream_missing: list[str] = []
        if node_id in strong and upstream:
            present = [u for u in upstream if counts[u] > 0]
            coverage = len(present) / len(upstream)
            upstream_missing = [u for u in upstream if counts[u] == 0]

        revenue_lq = None
        if local_revenue and reference_revenue and mine.get("with_revenue") and theirs.get("with_revenue"):
            revenue_lq = _ratio(
                (mine["revenue"] or 0) / local_revenue, (theirs["revenue"] or 0) / reference_revenue
            )
        patent_ratio = None
        if mine.get("with_patents") and theirs.get("with_patents"):
            patent_ratio = _ratio((mine["patents"] or 0) / lc, (theirs["patents"] or 0) / rc)
        rd_ratio = None
        if mine.get("with_rd") and theirs.get("with_rd") and mine.get("revenue") and theirs.get("revenue"):
            rd_ratio = _ratio(mine["rd"] / mine["revenue"], theirs["rd"] / theirs["revenue"])
        growth, reference_growth = mine.get("growth"), theirs.get("growth")

        components: dict[str, float] = {}
        if rc > 0:
            components["presence"] = 1.0 if lc == 0 else _clip((1 - (lq or 0.0)) / PRESENCE_SPAN)
            if lc == 0:
                # Nothing here: every figure is as weak as it can be, wherever the reference has data.
                if theirs.get("with_revenue"):
                    components["scale"] = 1.0
                if theirs.get("with_patents") or theirs.get("with_rd"):
                    components["innovation"] = 1.0
            else:
                if revenue_lq is not None:
                    components["scale"] = _clip(1 - revenue_lq)
                ratios = [r for r in (patent_ratio, rd_ratio) if r is not None]
                if ratios:
                    components["innovation"] = _clip(1 - sum(ratios) / len(ratios))
                if growth is not None and reference_growth is not None:
                    components["growth"] = _clip((reference_growth - growth) / GROWTH_SPAN)
            if "leader" in local.fields:
                components["leader"] = 0.0 if mine.get("leaders") else 1.0
            components["supply"] = 1.0 if supplies_strong and (lq or 0.0) < 1 else 0.0
        weight = sum(WEIGHTS[k] for k in components)
        score = 100 * sum(WEIGHTS[k] * v for k, v in components.items()) / weight if weight else 0.0
        score = round(score, 1)
        leaders = list(mine.get("leaders") or [])
        gap = NodeGap(
            id=node_id,
            name=node.name,
            layer=node.layer,
            segment=node.segment,
            track=node.track,
            national_2018=node.national_2018,
            local_count=lc,
            local_share=round(local_share, 4),
            reference_count=rc,
            reference_share=round(reference_share, 4),
            location_quotient=None if lq is None else round(lq, 3),
            revenue_fen=None if mine.get("revenue") is None else int(mine["revenue"]),
            rd_fen=None if mine.get("rd") is None else int(mine["rd"]),
            patents=None if mine.get("patents") is None else int(mine["patents"]),
            employees=None if mine.get("employees") is None else int(mine["employees"]),
            growth=None if growth is None else round(float(growth), 4),
            reference_growth=None if reference_growth is None else round(float(reference_growth), 4),
            revenue_lq=None if revenue_lq is None else round(revenue_lq, 3),
            tagged={t: int(mine.get(_tag_alias(t)) or 0) for t in ("专精特新", "高新", "上市")},
            leaders=leaders,
            supplies_strong=supplies_strong,
            supply_coverage=None if coverage is None else round(coverage, 3),
            upstream_missing=upstream_missing,
            strong=node_id in strong,
            weak=rc > 0 and score >= settings.weak_score,
            two_ends_weak=False,
            weak_score=score,
            components={k: round(v, 3) for k, v in components.items()},
            explanation="",
        )
        gap.explanation = _explain(gap, chain, patent_ratio, rd_ratio)
        nodes.append(gap)

    report = GapReport(
        chain=chain.id,
        local_total=local_total,
        reference_total=reference_total,
        local_chain=local_chain,
        reference_chain=reference_chain,
        nodes=nodes,
        fields=tuple(f for f in local.fields if f in reference.fields),
    )
    report.patterns = _patterns(chain, report)
    return report


def _explain(gap: NodeGap, chain: Chain, patent_ratio: float | None, rd_ratio: float | None) -> str:
    """One plain-language sentence: the verdict, then the numbers that made it."""
    if gap.reference_count == 0:
        if gap.local_count == 0:
            return "参照名录中也没有该环节的企业，无从比较。"
        return f"本地有 {gap.local_count} 家，参照名录中没有该环节的企业，无从计算区位商。"
    c = gap.components
    parts: list[str] = []
    if gap.local_count == 0:
        parts.append(
            f"本地没有该环节企业（参照中有 {gap.reference_count:,} 家，占 {_percent(gap.reference_share)}）"
        )
    else:
        parts.append(
            f"本地 {gap.local_count:,} 家，占链上企业 {_percent(gap.local_share)}，参照为 "
            f"{_percent(gap.reference_share)}，区位商 {gap.location_quotient:.2f}"
        )
    if gap.local_count and c.get("scale", 0) >= NAMED_FROM and gap.revenue_lq is not None:
        parts.append(f"营收区位商 {gap.revenue_lq:.2f}，规模偏小")
    if gap.local_count and c.get("innovation", 0) >= NAMED_FROM:
        if patent_ratio is not None:
            parts.append(f"户均专利为参照的 {patent_ratio * 100:.0f}%")
        if rd_ratio is not None:
            parts.append(f"研发强度为参照的 {rd_ratio * 100:.0f}%")
    if c.get("growth", 0) >= NAMED_FROM and gap.growth is not None and gap.reference_growth is not None:
        parts.append(f"营收增长中位数 {_percent(gap.growth)}，低于参照的 {_percent(gap.reference_growth)}")
    if c.get("leader") == 1.0:
        parts.append("本地没有链主或龙头企业")
    elif gap.leaders:
        parts.append(f"链主/龙头：{'、'.join(gap.leaders[:3])}")
    if c.get("supply") == 1.0:
        names = "、".join(chain.node(d).name for d in gap.supplies_strong)
        parts.append(f"本地优势环节 {names} 需要它供给")
    if gap.supply_coverage is not None:
        text = f"上游 {len(chain.upstream(gap.id))} 个环节本地覆盖 {_percent(gap.supply_coverage)}"
        if gap.upstream_missing:
            text += f"，缺 {'、'.join(chain.node(u).name for u in gap.upstream_missing)}"
        parts.append(text)
    if gap.weak:
        verdict = "薄弱"
    elif gap.strong:
        verdict = "优势"
    else:
        verdict = "一般"
    return f"{verdict}（{gap.weak_score:.0f} 分）：" + "；".join(parts) + "。"


# Positions of each lens, upstream to downstream.
def _lenses(chain: Chain) -> list[tuple[str, list[tuple[str, list[str]]]]]:
    layers = [(c.id, [n.id for n in chain.nodes.values() if n.layer == c.id]) for c in chain.layers]
    segments = [(c.id, [n.id for n in chain.nodes.values() if n.segment == c.id]) for c in chain.segments]
    lenses = []
    for lens, groups in (("层级", layers), ("芯/器/端", segments)):
        if len(groups) == 3:
            lenses.append((lens, groups))
    return lenses


def _patterns(chain: Chain, report: GapReport) -> list[GroupPattern]:
    """中间强两头弱: the middle position above the reference, both ends below it and well below the middle."""
    local_sum = sum(n.local_count for n in report.nodes)
    reference_sum = sum(n.reference_count for n in report.nodes)
    counts = {n.id: (n.local_count, n.reference_count) for n in report.nodes}
    out = []
    for lens, groups in _lenses(chain):
        quotients: list[tuple[str, float | None]] = []
        for group_id, members in groups:
            lc = sum(counts[m][0] for m in members)
            rc = sum(counts[m][1] for m in members)
            share = lc / local_sum if local_sum else 0.0
            ref_share = rc / reference_sum if reference_sum else 0.0
            quotients.append((group_id, round(share / ref_share, 3) if ref_share else None))
        (up, q_up), (mid, q_mid), (down, q_down) = quotients
        detected = (
            q_up is not None
            and q_mid is not None
            and q_down is not None
            and q_mid >= 1
            and q_up < 1
            and q_down < 1
            and max(q_up, q_down) <= 0.8 * q_mid
        )
        figures = "，".join(f"{g} {q:.2f}" if q is not None else f"{g} 无参照" for g, q in quotients)
        if detected:
            text = f"按{lens}看，中间强两头弱：{mid} 高于参照，两端 {up}、{down} 偏弱（区位商 {figures}）。"
            for group_id, members in groups:
                if group_id in (up, down):
                    for member in members:
                        report.node(member).two_ends_weak = True
        else:
            text = f"按{lens}看，未见中间强两头弱（区位商 {figures}）。"
        out.append(GroupPattern(lens=lens, groups=quotients, detected=detected, explanation=text))
    return out
