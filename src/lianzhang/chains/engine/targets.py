"""The investment-attraction list: outside enterprises ranked for the weak nodes they would fill.

score = 100 × (0.25 fit + 0.35 strength + 0.20 linkage + 0.20 need), each part in [0, 1]:
- fit: the classification confidence, lower when the weak node is not the enterprise's main node or
  the classification awaits review;
- strength: size (revenue rank among the node's candidates, employees when revenue is missing), growth,
  tags (专精特新, 高新, 上市, 独角兽, 瞪羚) and patents (rank);
- linkage: it would supply, or be supplied by, a node where a local leader (链主/龙头) works (1), or a
  node where the city is strong without a leader (0.5);
- need: the weak node's weak-link score.
Candidates are never local: their id, their name and their district must all differ from the local
population's. One node takes at most a share of the list, so the list covers the weak links.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import duckdb

from lianzhang.chains.engine.gaps import GapReport
from lianzhang.chains.engine.population import TAG_WORDS, Population, literal, node_case, tag_sql
from lianzhang.taxonomy import Chain

WEIGHTS = {"fit": 0.25, "strength": 0.35, "linkage": 0.20, "need": 0.20}
STRENGTH = {"size": 0.45, "growth": 0.20, "tags": 0.20, "patents": 0.15}
TAG_VALUES = {"专精特新": 0.4, "高新": 0.3, "上市": 0.3, "独角兽": 0.2, "瞪羚": 0.2}
# Growth is scored on [-50 %, +100 %]; beyond it a registry's odd value should not decide the rank.
GROWTH_FLOOR, GROWTH_CEILING = -0.5, 1.0
SECONDARY_NODE_FIT = 0.85
REVIEW_FIT = 0.8


@dataclass
class Candidate:
    """One enterprise on the list."""

    id: str
    name: str
    node: str
    score: float
    reason: str
    node_name: str
    district: str | None
    fit: float
    strength: float
    linkage: float
    need: float
    revenue_fen: int | None
    growth: float | None
    patents: int | None
    tags: list[str]
    nodes: list[str]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict; the contract fields come first."""
        return asdict(self)


@dataclass(frozen=True)
class Link:
    """Why a node links to the local chain: the local node it meets, in which direction, and who is there."""

    value: float
    local_node: str
    supplies: bool
    leader: str | None


def links(chain: Chain, report: GapReport) -> dict[str, Link]:
    """For each node, its best link to a local leader's node (1.0) or to a strong local node (0.5)."""
    out: dict[str, Link] = {}
    for gap in report.nodes:
        if not (gap.leaders or gap.strong):
            continue
        value = 1.0 if gap.leaders else 0.5
        leader = gap.leaders[0] if gap.leaders else None
        neighbours = [(u.id, True) for u in chain.upstream(gap.id)] + [
            (d, False) for d in chain.node(gap.id).downstream
        ]
        for node_id, supplies in neighbours:
            if node_id not in out or out[node_id].value < value:
                out[node_id] = Link(value=value, local_node=gap.id, supplies=supplies, leader=leader)
    return out


def rank(
    chain: Chain,
    report: GapReport,
    local: Population,
    reference: Population,
    connection: duckdb.DuckDBPyConnection,
    top: int = 50,
    *,
    local_relation: str | None = None,
) -> list[Candidate]:
    """The top candidates for the weak nodes of report, best first.

    local_relation: a table holding the local population, whose enterprises are never candidates.
    """
    weak = report.weak_nodes()
    if not weak or top <= 0:
        return []
    loc_rel = local_relation or f"({local.sql})"
    order = {gap.id: index for index, gap in enumerate(weak)}
    names = "[" + ", ".join(literal(g.id) for g in weak) + "]"
    need = {g.id: round(g.weak_score / 100, 4) for g in weak}
    link_map = links(chain, report)
    link_sql = node_case({n: link.value for n, link in link_map.items()}, default="0")
    per_node = max(1, math.ceil(2 * top / len(weak)))
    tag_score = " + ".join(f"CASE WHEN {tag_sql(t)} THEN {v} ELSE 0 END" for t, v in TAG_VALUES.items())
    local_districts = ""
    if "district" in local.fields and "district" in reference.fields:
        local_districts = (
            f"AND (r.district IS NULL OR r.district NOT IN "
            f"(SELECT district FROM {loc_rel} WHERE district IS NOT NULL))"
        )
    growth = f"least(greatest(growth, {GROWTH_FLOOR}), {GROWTH_CEILING})"
    sql = f"""
    WITH local_ids AS (SELECT id FROM {loc_rel} WHERE id IS NOT NULL),
    local_names AS (SELECT name FROM {loc_rel} WHERE name <> ''),
    pool AS (
        SELECT r.id, r.name, r.nodes, r.primary_node, r.confidence, r.needs_review, r.district, r.revenue_fen,
               r.employees, r.patents, r.growth, r.tags,
               {names}[list_min(list_transform(r.nodes, lambda n: {node_case(order)})) + 1] AS node
        FROM ({reference.sql}) r
        WHERE r.on_chain AND list_has_any(r.nodes, {names})
          AND r.id IS NOT NULL
          AND r.id NOT IN (SELECT id FROM local_ids)
          AND r.name NOT IN (SELECT name FROM local_names)
          {local_districts}
    ),
    featured AS (
        SELECT *,
               confidence * CASE WHEN primary_node = node THEN 1 ELSE {SECONDARY_NODE_FIT} END
                          * CASE WHEN needs_review THEN {REVIEW_FIT} ELSE 1 END AS fit,
               CASE WHEN revenue_fen IS NOT NULL
                    THEN percent_rank() OVER (PARTITION BY node ORDER BY revenue_fen NULLS FIRST)
                    WHEN employees IS NOT NULL
                    THEN percent_rank() OVER (PARTITION BY node ORDER BY employees NULLS FIRST)
                    ELSE 0 END AS size_score,
               COALESCE(({growth} - ({GROWTH_FLOOR})) / {GROWTH_CEILING - GROWTH_FLOOR}, 0) AS growth_score,
               least({tag_score}, 1.0) AS tags_score,
               CASE WHEN patents IS NOT NULL
                    THEN percent_rank() OVER (PARTITION BY node ORDER BY patents NULLS FIRST)
                    ELSE 0 END AS patents_score,
               COALESCE(list_max(list_transform(nodes, lambda n: {link_sql})), 0) AS linkage,
               {node_case(need, variable="node", default="0")} AS need
        FROM pool
    ),
    scored AS (
        SELECT *,
               {STRENGTH["size"]} * size_score + {STRENGTH["growth"]} * growth_score
               + {STRENGTH["tags"]} * tags_score + {STRENGTH["patents"]} * patents_score AS strength
        FROM featured
    ),
    final AS (
        SELECT *,
               100 * ({WEIGHTS["fit"]} * fit + {WEIGHTS["strength"]} * strength
                      + {WEIGHTS["linkage"]} * linkage + {WEIGHTS["need"]} * need) AS score
        FROM scored
    )
    SELECT id, name, node, score, district, fit, strength, linkage, need, revenue_fen, growth, patents, tags,
           nodes
    FROM (SELECT *, row_number() OVER (PARTITION BY node ORDER BY score DESC, id) AS place FROM final)
    WHERE place <= {per_node}
    ORDER BY score DESC, id
    LIMIT {int(top)}
    """
    rows = connection.execute(sql).fetchall()
    columns = [d[0] for d in connection.description]
    out = []
    for row in rows:
        data = dict(zip(columns, row, strict=True))
        tags = [t for t, words in TAG_WORDS.items() if any(w in (data["tags"] or "") for w in words)]
        candidate = Candidate(
            id=data["id"],
            name=data["name"] or data["id"],
            node=data["node"],
            score=round(float(data["score"]), 1),
            reason="",
            node_name=chain.node(data["node"]).name,
            district=data["district"],
            fit=round(float(data["fit"]), 3),
            strength=round(float(data["strength"]), 3),
            linkage=float(data["linkage"]),
            need=float(data["need"]),
            revenue_fen=data["revenue_fen"],
            growth=None if data["growth"] is None else round(float(data["growth"]), 4),
            patents=data["patents"],
            tags=tags,
            nodes=list(data["nodes"]),
        )
        candidate.reason = _reason(candidate, chain, report, link_map)
        out.append(candidate)
    return out


def yuan_text(fen: int) -> str:
    """Money for a sentence: 3.2 亿元, 850 万元 or 1,200 元."""
    yuan = fen / 100
    if abs(yuan) >= 1e8:
        return f"{yuan / 1e8:.1f} 亿元"
    if abs(yuan) >= 1e4:
        return f"{yuan / 1e4:,.0f} 万元"
    return f"{yuan:,.0f} 元"


def _reason(candidate: Candidate, chain: Chain, report: GapReport, link_map: dict[str, Link]) -> str:
    """One line: the gap it fills, what makes it strong, how it meets the local chain."""
    gap = report.node(candidate.node)
    lq = "本地没有" if gap.local_count == 0 else f"区位商 {gap.location_quotient:.2f}"
    parts = [f"补 {gap.name}（{lq}）"]
    strong = ["、".join(candidate.tags)] if candidate.tags else []
    if candidate.revenue_fen:
        strong.append(f"营收 {yuan_text(candidate.revenue_fen)}")
    if candidate.growth is not None and candidate.growth > 0:
        strong.append(f"增长 {candidate.growth * 100:.0f}%")
    if candidate.patents:
        strong.append(f"专利 {candidate.patents} 项")
    if strong:
        parts.append("，".join(strong))
    best = max(
        (link_map[n] for n in candidate.nodes if n in link_map),
        key=lambda link: link.value,
        default=None,
    )
    if best is not None:
        local_name = chain.node(best.local_node).name
        who = f"本地链主 {best.leader} 的" if best.leader else "本地优势环节"
        if best.supplies:
            parts.append(f"可供给{who} {local_name} 环节")
        else:
            parts.append(f"可由{who} {local_name} 环节配套供给")
    return "；".join(parts)
