"""Deterministic generator of a clearly labelled synthetic AI-industry registry for demos.

All enterprises, parks and projects are invented from the word lists in ``vocabulary``; every
enterprise and park name ends with ``（演示）``. The same inputs and seed always give the same
output: one ``random.Random`` drives every draw, and nothing iterates over a set.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import TypeVar

from lianzhang.codes import CREDIT_CODE_ALPHABET, make_credit_code
from lianzhang.demo import vocabulary as voc
from lianzhang.enterprises.records import (
    KNOWN_TAGS,
    PROJECT_STATUSES,
    PROJECT_TYPES,
    EnterpriseRecord,
    YearFigures,
)

# ---------------------------------------------------------------------------------------------
# Inputs and outputs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NodeSpec:
    """One node of the AI chain, as the chain definition gives it."""

    id: str
    name: str
    layer: str  # 基础层 / 技术层 / 应用层
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlaceSpec:
    """One town or street where demo enterprises may be registered."""

    code: str  # 9-digit statistical division code, e.g. 440106001
    name: str  # e.g. 天河区五山街道
    city: str  # e.g. 广州市


@dataclass
class DemoPark:
    """An invented industrial park with the chain nodes it focuses on."""

    name: str
    division_code: str
    nodes: list[str]
    description: str


@dataclass
class DemoAssignment:
    """One enterprise-to-node assignment with the terms that justify it."""

    node_id: str
    confidence: float
    evidence: list[str]


@dataclass
class DemoProject:
    """One project in the project registry with its workflow history."""

    name: str
    type: str  # code from PROJECT_TYPES
    budget_fen: int
    status: str  # code from PROJECT_STATUSES
    history: list[tuple[str, date]]
    description: str


@dataclass
class DemoEnterprise:
    """One invented enterprise: the registry record, its chain nodes and its projects."""

    record: EnterpriseRecord
    nodes: list[DemoAssignment]
    projects: list[DemoProject]


@dataclass
class DemoData:
    """Everything the demo database is loaded with."""

    parks: list[DemoPark]
    enterprises: list[DemoEnterprise]


# ---------------------------------------------------------------------------------------------
# Tunable shares (what "realistic" means here)
# ---------------------------------------------------------------------------------------------

MIN_FIRMS_PER_NODE = 20
NON_AI_SHARE = (0.26, 0.29)
BURIED_SHARE = 0.12  # AI firms whose only AI item hides among a dozen ordinary ones
EXTRA_NODE_WEIGHTS = ((0, 0.55), (1, 0.32), (2, 0.13))
PARK_COUNT = (10, 15)
AI_IN_PARK_SHARE = 0.40
NON_AI_IN_PARK_SHARE = 0.04
FIGURES_SHARE = 0.90
PROJECTS_PER_FIRM = 0.20  # 3,000 firms -> about 600 projects
MAX_PROJECTS_PER_FIRM = 5
FIRST_YEAR, LAST_FOUNDING_YEAR = 1995, 2024

# Tag shares among AI firms.
HIGH_TECH_SHARE = 0.35
SPECIALISED_SHARE = 0.10
LITTLE_GIANT_SHARE = 0.02
LISTED_SHARE = 0.02
GAZELLE_SHARE = 0.03
FIRMS_PER_UNICORN = 500
NODES_PER_CHAIN_LEADER = 3.5

SIZES = ("micro", "small", "medium", "large")
# Size mix by age band (years since founding): young firms are small.
SIZE_WEIGHTS_BY_AGE = (
    (3, (0.78, 0.19, 0.03, 0.0)),
    (8, (0.50, 0.34, 0.14, 0.02)),
    (16, (0.36, 0.36, 0.21, 0.07)),
    (999, (0.30, 0.36, 0.24, 0.10)),
)
REVENUE_MEDIAN_YUAN = {"micro": 2.5e6, "small": 2.0e7, "medium": 1.5e8, "large": 1.2e9}
CAPITAL_WAN = {
    "micro": (10, 30, 50, 100, 100, 200, 300, 500),
    "small": (300, 500, 1000, 1000, 2000, 3000),
    "medium": (1000, 2000, 5000, 5000, 8000, 10000),
    "large": (10000, 20000, 50000, 100000, 200000),
}
SIZE_PROJECT_WEIGHT = {"micro": 0.6, "small": 1.0, "medium": 1.6, "large": 2.0}

# Project workflow: share of each current state and days spent between consecutive states.
STATUS_WEIGHTS = (
    ("submitted", 0.08),
    ("formal_check", 0.10),
    ("review", 0.17),
    ("approved", 0.35),
    ("accepted", 0.20),
    ("terminated", 0.10),
)
TERMINATED_AFTER_WEIGHTS = (
    ("submitted", 0.10),
    ("formal_check", 0.35),
    ("review", 0.35),
    ("approved", 0.20),
)
STEP_DAYS = {
    "formal_check": (5, 30),
    "review": (15, 60),
    "approved": (20, 90),
    "accepted": (300, 900),
    "terminated": (10, 120),
}
# How long a project may already sit in its current state: open applications are recent.
IDLE_DAYS = {
    "submitted": 30,
    "formal_check": 30,
    "review": 45,
    "approved": 700,
    "accepted": 1000,
    "terminated": 1000,
}

_STATUS_CODES = tuple(code for code, _ in PROJECT_STATUSES)
_TERMINAL = "terminated"
_OPEN_PATH = tuple(code for code in _STATUS_CODES if code != _TERMINAL)
_TYPE_LABELS = dict(PROJECT_TYPES)

_T = TypeVar("_T")


# ---------------------------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------------------------


def generate(
    nodes: Sequence[NodeSpec],
    places: Sequence[PlaceSpec],
    *,
    n_enterprises: int = 3000,
    seed: int = 2023,
    as_of: date = date(2025, 12, 31),
) -> DemoData:
    """Generate parks, enterprises, node assignments and projects; same inputs, same output."""
    _check_inputs(nodes, places, n_enterprises, as_of)
    return _Builder(nodes, places, n_enterprises, seed, as_of).build()


def split_marked(item: str) -> tuple[str, str]:
    """Split a vocabulary item with a 【term】 mark into (plain text, term)."""
    start, end = item.find("【"), item.find("】")
    if start < 0 or end < start:
        return item, item
    return item.replace("【", "").replace("】", ""), item[start + 1 : end]


# ---------------------------------------------------------------------------------------------
# Internals
# ---------------------------------------------------------------------------------------------


def _check_inputs(
    nodes: Sequence[NodeSpec], places: Sequence[PlaceSpec], n_enterprises: int, as_of: date
) -> None:
    if not nodes:
        raise ValueError("至少需要一个产业链节点")
    if not places:
        raise ValueError("至少需要一个镇街（PlaceSpec）")
    ids = [node.id for node in nodes]
    if len(set(ids)) != len(ids):
        raise ValueError("产业链节点编号重复")
    for place in places:
        if len(place.code) != 9 or not place.code.isdigit():
            raise ValueError(f"镇街代码应为9位数字：{place.code!r}")
    if n_enterprises < 0:
        raise ValueError("企业数量不能为负数")
    if as_of.year < FIRST_YEAR + 3:
        raise ValueError(f"as_of 应晚于 {FIRST_YEAR + 3} 年")


@dataclass
class _Park:
    name: str
    short: str
    place: PlaceSpec
    nodes: list[str]
    road: str
    members: int = 0


@dataclass
class _Firm:
    index: int
    city: str
    ai: bool
    kind: str = ""  # primary node id, or TradeProfile.key for ordinary firms
    nodes: list[str] = field(default_factory=list)
    buried: bool = False
    founded: date = date(FIRST_YEAR, 1, 1)
    size: str = "micro"
    revenue: float = 0.0  # yuan, full year, in the as_of year
    growth: float = 0.0
    rd: float = 0.0
    ai_share: float = 0.0
    employees: int = 0
    patents: int = 0
    has_figures: bool = True
    tags: list[str] = field(default_factory=list)
    park: _Park | None = None
    place: PlaceSpec | None = None
    short_name: str = ""


def _generic_profile(node: NodeSpec, nodes: Sequence[NodeSpec]) -> voc.NodeProfile:
    """Profile for a node the vocabulary does not know, built from its name and keywords."""
    terms = node.keywords or (node.name,)
    siblings = tuple(other.id for other in nodes if other.layer == node.layer and other.id != node.id)
    return voc.NodeProfile(
        words=("智能科技", "信息技术"),
        scope=tuple(f"【{term}】技术研发" for term in terms),
        products=tuple(f"【{term}】解决方案" for term in terms),
        trade=("软件开发", "信息技术咨询服务", "电子产品销售"),
        topics=(f"{node.name}关键技术",),
        related=siblings[:4],
        weight=voc.LAYER_WEIGHTS.get(node.layer, 2.0),
        hardware=False,
        rd=0.10,
        ai_share=(0.3, 0.9),
    )


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split total into integer parts proportional to weights (largest remainder)."""
    mass = sum(weights)
    raw = [total * w / mass for w in weights]
    counts = [int(r) for r in raw]
    order = sorted(range(len(weights)), key=lambda i: (-(raw[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _weighted_sample(rng: random.Random, items: Sequence[_T], weights: Sequence[float], k: int) -> list[_T]:
    """Draw k distinct items with probability proportional to weight (Efraimidis-Spirakis)."""
    keyed = []
    for i, (item, weight) in enumerate(zip(items, weights, strict=True)):
        u = rng.random()
        if weight > 0:
            keyed.append((math.log(u or 1e-300) / weight, i, item))
    keyed.sort(key=lambda entry: (-entry[0], entry[1]))
    return [item for _, _, item in keyed[:k]]


def _org_code(rng: random.Random, founded: date) -> str:
    """Nine-character organisation part (GB 11714 body and check) of a credit code."""
    if founded.year >= 2016:
        # Registrations since the 2015 reform carry a centrally assigned "MA" prefix.
        body = "MA" + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=6))
    else:
        body = f"{rng.randrange(10**8):08d}"
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - 55) * w
        for ch, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


class _Builder:
    """Holds the random stream and lookup tables for one generate() call."""

    def __init__(
        self,
        nodes: Sequence[NodeSpec],
        places: Sequence[PlaceSpec],
        n: int,
        seed: int,
        as_of: date,
    ) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.as_of = as_of
        self.nodes = list(nodes)
        self.node_ids = [node.id for node in nodes]
        self.node_by_id = {node.id: node for node in nodes}
        self.profiles = {
            node.id: voc.NODE_PROFILES.get(node.id) or _generic_profile(node, nodes) for node in nodes
        }
        self.places = list(places)
        self.cities: list[str] = []
        for place in places:
            if place.city not in self.cities:
                self.cities.append(place.city)
        self.places_by_city = {c: [p for p in places if p.city == c] for c in self.cities}
        shares = dict(voc.CITY_SHARES)
        self.city_share = {c: shares.get(c, voc.OTHER_CITY_SHARE) for c in self.cities}
        self.node_weights = {
            city: [
                self.profiles[nid].weight * voc.CITY_FLAVOUR.get(city, {}).get(nid, 1.0)
                for nid in self.node_ids
            ]
            for city in self.cities
        }
        self.last_year = as_of.year
        self.max_founding_year = min(LAST_FOUNDING_YEAR, as_of.year)
        self.used_names: set[str] = set()
        self.used_codes: set[str] = set()
        self.marked: dict[str, tuple[str, str]] = {}
        self.trades = {t.key: t for t in voc.TRADE_PROFILES}
        self.years = list(range(FIRST_YEAR, self.max_founding_year + 1))
        self.year_cum = {
            # The AI wave: most AI firms were founded after 2015.
            True: list(
                accumulate(
                    0.3 if y < 2005 else 0.6 if y < 2010 else 1.2 if y < 2015 else 2.2 if y < 2022 else 1.5
                    for y in self.years
                )
            ),
            False: list(accumulate(0.7 if y < 2005 else 1.0 if y < 2015 else 1.2 for y in self.years)),
        }

    # -- orchestration ---------------------------------------------------------------------

    def build(self) -> DemoData:
        firms = self._draw_cities_and_kinds()
        for firm in firms:
            self._draw_company_facts(firm)
        parks = self._make_parks()
        self._place_firms(firms, parks)
        self._assign_tags(firms)
        enterprises = [self._make_enterprise(firm) for firm in firms]
        self._add_projects(firms, enterprises)
        demo_parks = [
            DemoPark(
                name=park.name,
                division_code=park.place.code,
                nodes=list(park.nodes),
                description=self._park_description(park),
            )
            for park in parks
        ]
        return DemoData(parks=demo_parks, enterprises=enterprises)

    # -- who is where, doing what ------------------------------------------------------------

    def _draw_cities_and_kinds(self) -> list[_Firm]:
        rng = self.rng
        counts = _apportion(self.n, [self.city_share[c] for c in self.cities])
        cities = [city for city, k in zip(self.cities, counts, strict=True) for _ in range(k)]
        rng.shuffle(cities)
        n_non_ai = round(self.n * rng.uniform(*NON_AI_SHARE))
        non_ai = [False] * self.n
        for i in rng.sample(range(self.n), n_non_ai):
            non_ai[i] = True
        firms = [_Firm(index=i, city=cities[i], ai=not non_ai[i]) for i in range(self.n)]

        cum = {c: list(accumulate(self.node_weights[c])) for c in self.cities}
        trade_keys = [t.key for t in voc.TRADE_PROFILES]
        trade_cum = {
            c: list(accumulate(dict(t.cities).get(c, 0.3) for t in voc.TRADE_PROFILES)) for c in self.cities
        }
        for firm in firms:
            if firm.ai:
                firm.kind = rng.choices(self.node_ids, cum_weights=cum[firm.city])[0]
            else:
                firm.kind = rng.choices(trade_keys, cum_weights=trade_cum[firm.city])[0]
        ai_firms = [firm for firm in firms if firm.ai]
        self._fill_node_quotas(ai_firms)
        for firm in ai_firms:
            firm.buried = rng.random() < BURIED_SHARE
            firm.nodes = [firm.kind] + ([] if firm.buried else self._extra_nodes(firm.kind))
        return firms

    def _fill_node_quotas(self, ai_firms: list[_Firm]) -> None:
        """Move firms from the most crowded nodes so that every node has its minimum."""
        if not ai_firms:
            return
        quota = min(MIN_FIRMS_PER_NODE, len(ai_firms) // len(self.node_ids))
        members: dict[str, list[_Firm]] = {nid: [] for nid in self.node_ids}
        for firm in ai_firms:
            members[firm.kind].append(firm)
        column = {nid: i for i, nid in enumerate(self.node_ids)}
        for nid in self.node_ids:
            while len(members[nid]) < quota:
                donor = max(self.node_ids, key=lambda d: len(members[d]))
                pool = members[donor]
                # Take the donor firm whose city suits the short node best, so city flavour holds.
                best = max(
                    range(len(pool)),
                    key=lambda i: (self.node_weights[pool[i].city][column[nid]], i),
                )
                firm = pool.pop(best)
                firm.kind = nid
                members[nid].append(firm)

    def _extra_nodes(self, primary: str) -> list[str]:
        rng = self.rng
        candidates = [r for r in self.profiles[primary].related if r in self.node_by_id]
        candidates = [r for r in candidates if r != primary]
        if not candidates:
            layer = self.node_by_id[primary].layer
            candidates = [n.id for n in self.nodes if n.layer == layer and n.id != primary]
        k = rng.choices([k for k, _ in EXTRA_NODE_WEIGHTS], [w for _, w in EXTRA_NODE_WEIGHTS])[0]
        # Earlier related nodes are the more usual companions.
        weights = [1.0 / (i + 1) for i in range(len(candidates))]
        return _weighted_sample(rng, candidates, weights, min(k, len(candidates)))

    # -- founding, size and figures ------------------------------------------------------------

    def _draw_company_facts(self, firm: _Firm) -> None:
        rng = self.rng
        year = rng.choices(self.years, cum_weights=self.year_cum[firm.ai])[0]
        start = date(year, 1, 1)
        end = min(date(year, 12, 31), self.as_of)
        firm.founded = start + timedelta(days=rng.randrange((end - start).days + 1))

        age = self.last_year - year
        size_weights = next(w for limit, w in SIZE_WEIGHTS_BY_AGE if age < limit)
        firm.size = rng.choices(SIZES, size_weights)[0]
        firm.has_figures = rng.random() < FIGURES_SHARE

        spread = 0.7 if firm.size == "large" else 0.45
        if firm.ai:
            profile = self.profiles[firm.kind]
            scale = 1.3 if profile.hardware else 0.8
            per_head = 700_000 if profile.hardware else 500_000
            firm.growth = rng.gauss(0.15 + (0.15 if age < 5 else 0.0), 0.22)
            firm.rd = rng.lognormvariate(math.log(profile.rd), 0.45)
            firm.ai_share = rng.uniform(*profile.ai_share)
            patent_rate = 0.12 if profile.hardware else 0.04
        else:
            trade = self._trade(firm.kind)
            scale = 1.0
            per_head = trade.revenue_per_head
            firm.growth = rng.gauss(0.03, 0.12)
            firm.rd = trade.rd * rng.lognormvariate(0.0, 0.5) if trade.rd else 0.0
            firm.ai_share = 0.0
            patent_rate = 0.02 if trade.rd else 0.0
        firm.growth = min(max(firm.growth, -0.45), 1.2)
        firm.rd = min(firm.rd, 0.8)
        firm.revenue = REVENUE_MEDIAN_YUAN[firm.size] * scale * rng.lognormvariate(0.0, spread)
        firm.employees = max(3, round(firm.revenue / per_head * rng.lognormvariate(0.0, 0.25)))
        firm.patents = round(firm.employees * patent_rate * rng.lognormvariate(0.0, 0.6))

    def _trade(self, key: str) -> voc.TradeProfile:
        return self.trades[key]

    def _year_figures(self, firm: _Firm) -> list[YearFigures]:
        rng = self.rng
        figures = []
        for year in range(self.last_year - 2, self.last_year + 1):
            if year < firm.founded.year:
                continue
            back = self.last_year - year
            revenue = firm.revenue / (1 + firm.growth) ** back * rng.lognormvariate(0.0, 0.04)
            if year == firm.founded.year:
                revenue *= (13 - firm.founded.month) / 12  # only the months since founding
            revenue_yuan = max(1, round(revenue))
            rd_yuan = min(revenue_yuan, round(revenue_yuan * firm.rd * rng.lognormvariate(0, 0.1)))
            share = min(1.0, firm.ai_share * (1 - 0.04 * back))
            employees = max(1, round(firm.employees / (1 + firm.growth) ** (0.6 * back)))
            figures.append(
                YearFigures(
                    year=year,
                    revenue_fen=revenue_yuan * 100,
                    rd_spend_fen=rd_yuan * 100,
                    employees=employees,
                    patents=max(0, math.floor(firm.patents * (1 - 0.12 * back))),
                    ai_revenue_fen=min(revenue_yuan, round(revenue_yuan * share)) * 100,
                )
            )
        return figures

    # -- parks and places ----------------------------------------------------------------------

    def _make_parks(self) -> list[_Park]:
        rng = self.rng
        n_parks = rng.randint(*PARK_COUNT)
        weights = [self.city_share[c] for c in self.cities]
        if n_parks >= len(self.cities):
            # Every city gets a park, the rest by share.
            counts = [1 + k for k in _apportion(n_parks - len(self.cities), weights)]
        else:
            counts = _apportion(n_parks, weights)
        parks: list[_Park] = []
        used_short: list[str] = []
        for city, count in zip(self.cities, counts, strict=True):
            city_places = list(self.places_by_city[city])
            rng.shuffle(city_places)
            for i in range(count):
                place = city_places[i % len(city_places)]
                # Squared weights: a park is built around what its city is strongest in.
                focus = _weighted_sample(
                    rng,
                    self.node_ids,
                    [w * w for w in self.node_weights[city]],
                    rng.randint(2, 4),
                )
                theme = next(
                    (name for name, ids in voc.PARK_THEMES if focus[0] in ids),
                    voc.DEFAULT_PARK_THEME,
                )
                short = rng.choice(voc.PARK_FIRST) + rng.choice(voc.PARK_SECOND)
                while short in used_short:
                    short = rng.choice(voc.PARK_FIRST) + rng.choice(voc.PARK_SECOND)
                used_short.append(short)
                name = f"{city.removesuffix('市')}{short}{theme}{voc.DEMO_MARKER}"
                parks.append(_Park(name, short, place, focus, self._road()))
        return parks

    def _road(self) -> str:
        return self.rng.choice(voc.ROAD_FIRST) + self.rng.choice(voc.ROAD_KIND)

    def _place_firms(self, firms: list[_Firm], parks: list[_Park]) -> None:
        rng = self.rng
        # Some towns are busier than others.
        place_cum = {
            city: list(accumulate(rng.lognormvariate(0.0, 0.8) for _ in self.places_by_city[city]))
            for city in self.cities
        }
        parks_by_city = {c: [p for p in parks if p.place.city == c] for c in self.cities}
        ai_firms = [f for f in firms if f.ai]
        covered = sum(1 for f in ai_firms if parks_by_city[f.city])
        ai_rate = min(0.95, AI_IN_PARK_SHARE * len(ai_firms) / covered) if covered else 0.0
        for firm in firms:
            city_parks = parks_by_city[firm.city]
            rate = ai_rate if firm.ai else NON_AI_IN_PARK_SHARE
            if city_parks and rng.random() < rate:
                weights = [
                    8.0 if firm.kind in p.nodes else 3.0 if any(n in p.nodes for n in firm.nodes) else 1.0
                    for p in city_parks
                ]
                firm.park = rng.choices(city_parks, weights)[0]
                firm.park.members += 1
                firm.place = firm.park.place
            else:
                pool = self.places_by_city[firm.city]
                firm.place = rng.choices(pool, cum_weights=place_cum[firm.city])[0]

    def _park_description(self, park: _Park) -> str:
        names = "、".join(self.node_by_id[nid].name for nid in park.nodes)
        return (
            f"演示数据（虚构园区）：位于{self._place_prefix(park.place)}，聚焦{names}等环节，"
            f"入驻演示企业{park.members}家。"
        )

    # -- tags ------------------------------------------------------------------------------------

    def _assign_tags(self, firms: list[_Firm]) -> None:
        rng = self.rng
        ai_firms = [f for f in firms if f.ai]
        n_ai = len(ai_firms)
        tags: dict[int, list[str]] = {f.index: [] for f in firms}

        def pick(pool: list[_Firm], weights: list[float], share: float, tag: str) -> list[_Firm]:
            chosen = _weighted_sample(rng, pool, weights, round(share * n_ai))
            for firm in chosen:
                tags[firm.index].append(tag)
            return chosen

        def age(firm: _Firm) -> int:
            return self.last_year - firm.founded.year

        high_tech = pick(
            ai_firms,
            [f.rd * (1.0 if age(f) >= 2 else 0.15) * (1.5 if f.size != "micro" else 1.0) for f in ai_firms],
            HIGH_TECH_SHARE,
            "高新技术企业",
        )
        for firm in firms:
            # A few ordinary manufacturers and software houses hold the certificate too.
            if not firm.ai and rng.random() < self._trade(firm.kind).high_tech:
                tags[firm.index].append("高新技术企业")
        is_high_tech = {f.index for f in high_tech}
        smes = [f for f in ai_firms if f.size in ("small", "medium")]
        specialised = pick(
            smes,
            [3.0 if f.index in is_high_tech else 1.0 for f in smes],
            SPECIALISED_SHARE,
            "专精特新",
        )
        pick(specialised, [math.log10(f.revenue) for f in specialised], LITTLE_GIANT_SHARE, "小巨人")
        big = [f for f in ai_firms if f.size in ("medium", "large") and age(f) >= 5]
        listed = pick(big, [f.revenue for f in big], LISTED_SHARE, "上市")
        is_listed = {f.index for f in listed}
        young = [
            f for f in ai_firms if f.size in ("medium", "large") and age(f) <= 12 and f.index not in is_listed
        ]
        n_unicorns = min(6, max(1, round(n_ai / FIRMS_PER_UNICORN))) if n_ai else 0
        pick(young, [f.revenue * (1 + f.growth) for f in young], n_unicorns / max(n_ai, 1), "独角兽")
        fast = [f for f in ai_firms if f.growth > 0.2 and 3 <= age(f) <= 15 and f.size != "large"]
        pick(fast, [f.growth for f in fast], GAZELLE_SHARE, "瞪羚")

        # Chain leaders (链主): the largest firm of roughly one node in three or four.
        by_node: dict[str, list[_Firm]] = {nid: [] for nid in self.node_ids}
        for firm in ai_firms:
            by_node[firm.kind].append(firm)
        n_leaders = round(len(self.node_ids) / NODES_PER_CHAIN_LEADER)
        led_nodes = _weighted_sample(
            rng,
            self.node_ids,
            [sum(f.revenue for f in by_node[nid]) for nid in self.node_ids],
            n_leaders,
        )
        for nid in led_nodes:
            leader = max(by_node[nid], key=lambda f: (f.revenue, -f.index))
            tags[leader.index].append("链主")

        for firm in firms:
            firm.tags = [tag for tag in KNOWN_TAGS if tag in tags[firm.index]]
            if "上市" in firm.tags or "链主" in firm.tags:
                firm.has_figures = True  # listed firms and chain leaders always publish figures

    # -- the record: name, code, address, scope, products ----------------------------------------

    def _make_enterprise(self, firm: _Firm) -> DemoEnterprise:
        rng = self.rng
        assert firm.place is not None
        words = self.profiles[firm.kind].words if firm.ai else self._trade(firm.kind).words
        word = rng.choice(words)
        name, brand = self._name(firm, word)
        core = word.removesuffix("科技").removesuffix("技术")
        firm.short_name = brand + (core if 0 < len(core) <= 4 else "科技" if firm.ai else "")
        if firm.ai:
            scope, products, assignments = self._ai_text(firm)
        else:
            scope, products = self._ordinary_text(firm)
            assignments = []
        capital_wan = rng.choice(CAPITAL_WAN[firm.size])
        if "上市" in firm.tags:
            capital_wan = max(capital_wan, 10000)
        record = EnterpriseRecord(
            credit_code=self._credit_code(firm),
            name=name,
            division_code=firm.place.code,
            short_name=firm.short_name,
            address=self._address(firm),
            founded_on=firm.founded,
            registered_capital_fen=capital_wan * 10_000 * 100,
            business_scope=scope,
            products=products,
            tags=list(firm.tags),
            park=firm.park.name if firm.park else "",
            figures=self._year_figures(firm) if firm.has_figures else [],
        )
        return DemoEnterprise(record=record, nodes=assignments, projects=[])

    def _name(self, firm: _Firm, word: str) -> tuple[str, str]:
        rng = self.rng
        city = firm.city.removesuffix("市")
        suffix = "股份有限公司" if "上市" in firm.tags else "有限公司"
        attempts = 0
        while True:
            attempts += 1
            brand = rng.choice(voc.BRAND_FIRST) + rng.choice(voc.BRAND_SECOND)
            if attempts > 40:  # the two-syllable space is crowded: add a third syllable
                brand += rng.choice(voc.BRAND_SECOND)
            roll = rng.random()
            if roll < 0.55:
                name = f"{city}{brand}{word}{suffix}"
            elif roll < 0.80:
                name = f"{firm.city}{brand}{word}{suffix}"
            elif roll < 0.90 or firm.size in ("micro", "small"):
                name = f"{brand}{word}（{city}）{suffix}"
            else:
                # Names without a place need a national registration: only bigger firms.
                name = f"{brand}{word}{suffix}"
            name += voc.DEMO_MARKER
            if name in self.used_names:
                continue
            if any(fragment in name for fragment in voc.RESERVED_FRAGMENTS):
                continue
            self.used_names.add(name)
            return name, brand

    def _credit_code(self, firm: _Firm) -> str:
        assert firm.place is not None
        while True:
            # 9 = registered by the market regulator, 1 = enterprise; then the county code.
            code = make_credit_code("91" + firm.place.code[:6] + _org_code(self.rng, firm.founded))
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def _place_prefix(self, place: PlaceSpec) -> str:
        return place.name if place.name.startswith(place.city) else place.city + place.name

    def _address(self, firm: _Firm) -> str:
        rng = self.rng
        assert firm.place is not None
        prefix = self._place_prefix(firm.place)
        number = rng.randint(1, 388)
        if firm.park is not None:
            building = rng.randint(1, 12)
            return (
                f"{prefix}{firm.park.road}{number}号{firm.park.short}园区"
                f"{building}{rng.choice(voc.BUILDING_SUFFIXES)}{rng.randint(1, 12)}"
                f"{rng.randint(1, 20):02d}室"
            )
        road = self._road()
        roll = rng.random()
        if roll < 0.4:
            tail = f"{rng.randint(1, 8)}栋{rng.randint(1, 20)}{rng.randint(1, 30):02d}房"
        elif roll < 0.75:
            tail = f"{rng.randint(1, 25)}楼{rng.randint(1, 30):02d}室"
        elif roll < 0.9:
            tail = f"之{rng.randint(1, 9)}"
        else:
            tail = ""
        return f"{prefix}{road}{number}号{tail}"

    def _mark(self, item: str) -> tuple[str, str]:
        cached = self.marked.get(item)
        if cached is None:
            cached = self.marked[item] = split_marked(item)
        return cached

    def _keyword_item(self, nid: str, suffixes: tuple[str, ...]) -> tuple[str, str] | None:
        keywords = self.node_by_id[nid].keywords
        if not keywords:
            return None
        keyword = self.rng.choice(keywords)
        return keyword + self.rng.choice(suffixes), keyword

    def _ai_text(self, firm: _Firm) -> tuple[str, str, list[DemoAssignment]]:
        rng = self.rng
        primary = self.profiles[firm.kind]
        # (plain item, evidence term, node id) for every AI item chosen.
        ai_items: list[tuple[str, str, str]] = []
        products: list[tuple[str, str, str | None]] = []
        if firm.buried:
            item = self._keyword_item(firm.kind, voc.KEYWORD_ITEM_SUFFIXES)
            if item is None or rng.random() < 0.6:
                item = self._mark(rng.choice(primary.scope))
            ai_items.append((item[0], item[1], firm.kind))
            pool = voc.ORDINARY_PRODUCTS_HW if primary.hardware else voc.ORDINARY_PRODUCTS_SW
            for product in rng.sample(pool, rng.randint(1, 2)):
                products.append((product, "", None))
            if rng.random() < 0.5:
                text, term = self._mark(rng.choice(primary.products))
                products.append((text, term, firm.kind))
        else:
            for rank, nid in enumerate(firm.nodes):
                profile = self.profiles[nid]
                k = rng.randint(2, 4) if rank == 0 else rng.randint(1, 2)
                for raw in rng.sample(profile.scope, min(k, len(profile.scope))):
                    text, term = self._mark(raw)
                    ai_items.append((text, term, nid))
                if rng.random() < 0.5:
                    item = self._keyword_item(nid, voc.KEYWORD_ITEM_SUFFIXES)
                    if item is not None:
                        ai_items.append((item[0], item[1], nid))
                n_products = rng.randint(1, 2) if rank == 0 else int(rng.random() < 0.5)
                for raw in rng.sample(profile.products, min(n_products, len(profile.products))):
                    text, term = self._mark(raw)
                    products.append((text, term, nid))
            if rng.random() < 0.2:
                item = self._keyword_item(firm.kind, voc.KEYWORD_PRODUCT_SUFFIXES)
                if item is not None:
                    products.append((item[0], item[1], firm.kind))
            if rng.random() < 0.2:
                pool = voc.ORDINARY_PRODUCTS_HW if primary.hardware else voc.ORDINARY_PRODUCTS_SW
                products.append((rng.choice(pool), "", None))
            products = products[:4]

        if firm.buried:
            ordinary = [*primary.trade, *(i for i in voc.COMMON_ITEMS if i not in primary.trade)]
            general = rng.sample(ordinary, rng.randint(10, 14))
            position = rng.randint(3, len(general) - 1)
            items = [*general[:position], ai_items[0][0], *general[position:]]
        else:
            trade = rng.sample(primary.trade, min(len(primary.trade), rng.randint(1, 3)))
            common = rng.sample(voc.COMMON_ITEMS, rng.randint(2, 6))
            items = [text for text, _, _ in ai_items]
            if rng.random() < 0.4:
                items.append(rng.choice(voc.GENERAL_AI_ITEMS))
            items += trade + common
            if rng.random() < 0.3:
                rng.shuffle(items)
        if rng.random() < 0.7:
            items.insert(0, voc.TECH_SERVICE_ITEM)
        licences = list(primary.licences)
        if not primary.hardware:
            licences += [lic for lic in voc.COMMON_LICENCES[:2] if lic not in licences]
        chosen_licences = (
            rng.sample(licences, min(len(licences), rng.randint(1, 2)))
            if licences and rng.random() < 0.55
            else []
        )
        scope = _scope_text(items, chosen_licences)
        product_text = "、".join(_unique([text for text, _, _ in products]))

        assignments = []
        top = round(rng.uniform(0.45, 0.65) if firm.buried else rng.uniform(0.78, 0.97), 2)
        for rank, nid in enumerate(firm.nodes):
            terms = [term for _, term, owner in ai_items if owner == nid]
            terms += [term for _, term, owner in products if owner == nid]
            evidence = [t for t in _unique(terms) if t in scope or t in product_text]
            confidence = top if rank == 0 else round(rng.uniform(0.40, min(top - 0.05, 0.75)), 2)
            assignments.append(DemoAssignment(nid, confidence, evidence))
        return scope, product_text, assignments

    def _ordinary_text(self, firm: _Firm) -> tuple[str, str]:
        rng = self.rng
        trade = self._trade(firm.kind)
        items = rng.sample(trade.scope, min(len(trade.scope), rng.randint(4, 8)))
        extras = [i for i in voc.COMMON_ITEMS if i not in items]
        items += rng.sample(extras, rng.randint(0, 3))
        if rng.random() < (0.8 if trade.key == "erp" else 0.3):
            items.insert(0, voc.TECH_SERVICE_ITEM)
        licences = (
            rng.sample(trade.licences, min(len(trade.licences), rng.randint(1, 2)))
            if trade.licences and rng.random() < 0.75
            else []
        )
        products = rng.sample(trade.products, min(len(trade.products), rng.randint(1, 3)))
        return _scope_text(items, licences), "、".join(products)

    # -- projects --------------------------------------------------------------------------------

    def _add_projects(self, firms: list[_Firm], enterprises: list[DemoEnterprise]) -> None:
        rng = self.rng
        latest_founding = self.as_of - timedelta(days=365)
        eligible = [f for f in firms if f.ai and f.founded <= latest_founding]
        if not eligible:
            return
        weights = [
            (
                1.0
                + 2.0 * ("高新技术企业" in f.tags)
                + 1.5 * ("专精特新" in f.tags)
                + 1.0 * ("小巨人" in f.tags)
            )
            * SIZE_PROJECT_WEIGHT[f.size]
            for f in eligible
        ]
        cum = list(accumulate(weights))
        type_codes = [code for code, _ in voc.PROJECT_TYPE_WEIGHTS if code in _TYPE_LABELS]
        type_weights = [w for code, w in voc.PROJECT_TYPE_WEIGHTS if code in _TYPE_LABELS]
        for _ in range(round(self.n * PROJECTS_PER_FIRM)):
            firm = rng.choices(eligible, cum_weights=cum)[0]
            enterprise = enterprises[firm.index]
            if len(enterprise.projects) >= MAX_PROJECTS_PER_FIRM:
                continue
            enterprise.projects.append(self._project(firm, enterprise, type_codes, type_weights))
        for enterprise in enterprises:
            enterprise.projects.sort(key=lambda p: (p.history[0][1], p.name))

    def _project(
        self,
        firm: _Firm,
        enterprise: DemoEnterprise,
        type_codes: list[str],
        type_weights: list[float],
    ) -> DemoProject:
        rng = self.rng
        kind = rng.choices(type_codes, type_weights)[0]
        nid = firm.kind if rng.random() < 0.7 else rng.choice(firm.nodes)
        topic = rng.choice(self.profiles[nid].topics)
        suffixes = voc.PROJECT_SUFFIXES.get(kind, ("项目",))
        taken = {p.name for p in enterprise.projects}
        name = topic + rng.choice(suffixes)
        if name in taken:
            name = next((topic + s for s in suffixes if topic + s not in taken), name + "（二期）")
        low, high = voc.PROJECT_BUDGET_WAN.get(kind, (50, 5000))
        wan = math.exp(rng.uniform(math.log(low), math.log(high)))
        wan = round(wan / 5) * 5 if wan >= 500 else round(wan)
        wan = min(max(wan, 50), 5000)
        history = self._history(firm)
        months = rng.choice((12, 18, 24, 36))
        node_name = self.node_by_id[nid].name
        description = (
            f"{firm.short_name}申报的{_TYPE_LABELS[kind]}类项目：围绕{node_name}开展{topic}，"
            f"实施周期{months}个月，总投资{wan}万元（演示数据）。"
        )
        return DemoProject(
            name=name,
            type=kind,
            budget_fen=wan * 10_000 * 100,
            status=history[-1][0],
            history=history,
            description=description,
        )

    def _history(self, firm: _Firm) -> list[tuple[str, date]]:
        """A legal path of states, submitted first, with strictly increasing dates <= as_of."""
        rng = self.rng
        current = rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0]
        if current == _TERMINAL:
            stage = rng.choices(
                [s for s, _ in TERMINATED_AFTER_WEIGHTS], [w for _, w in TERMINATED_AFTER_WEIGHTS]
            )[0]
            path = [*_OPEN_PATH[: _OPEN_PATH.index(stage) + 1], _TERMINAL]
        else:
            path = list(_OPEN_PATH[: _OPEN_PATH.index(current) + 1])
        gaps = [0] + [rng.randint(*STEP_DAYS[state]) for state in path[1:]]
        earliest = firm.founded + timedelta(days=90)
        # Firms too young for a long path get a shorter one (a later state is never invented).
        while len(path) > 1 and self.as_of - timedelta(days=sum(gaps)) < earliest:
            path.pop()
            gaps.pop()
        latest_start = self.as_of - timedelta(days=sum(gaps))
        room = max(0, min(IDLE_DAYS[path[-1]], (latest_start - earliest).days))
        start = latest_start - timedelta(days=rng.randint(0, room))
        history = []
        day = start
        for state, gap in zip(path, gaps, strict=True):
            day += timedelta(days=gap)
            history.append((state, day))
        return history


def _unique(values: list[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


def _scope_text(items: list[str], licences: list[str]) -> str:
    """Format 经营范围 the way the market regulator prints it since 2021."""
    text = (
        "一般项目："
        + "；".join(_unique(items))
        + "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
    )
    if licences:
        text += (
            "许可项目："
            + "；".join(_unique(licences))
            + "（依法须经批准的项目，经相关部门批准后方可开展经营活动，"
            "具体经营项目以相关部门批准文件或许可证件为准）"
        )
    return text
