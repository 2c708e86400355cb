"""Review assignment: a seeded random draw with recusal, or the assignment of greatest total affinity.

Both modes solve one min-cost maximum flow (source → application, capacity K; application → expert,
capacity 1; expert → sink, capacity = load limit), so each application gets K reviewers whenever the
load limits and conflicts allow it. They differ only in the arc costs: 1 − affinity for the optimal
mode, a lottery ticket drawn from the seed for the draw. Each application first gets only its best few
dozen candidates, which keeps the graph small; applications left short are widened to every eligible
expert and solved again, so that a shortfall is only reported when it is real.
"""

from __future__ import annotations

import secrets
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

import numpy as np

from lianzhang.reviews.engine.affinity import AffinityModel, PairAffinity
from lianzhang.reviews.engine.conflicts import (
    DEFAULT_RULES,
    KIND_LABELS,
    Conflict,
    ConflictIndex,
    ConflictRules,
)
from lianzhang.reviews.engine.records import Application, Expert, InputError, check_unique

MODES = ("draw", "optimal")
DEFAULT_CANDIDATES = 30
# Costs are integers: affinity and lottery tickets are scaled to millionths.
SCALE = 1_000_000
BANNED = np.iinfo(np.int64).max
# Escalation stops widening candidate lists past this many arcs, to bound memory on huge pools.
MAX_ARCS = 6_000_000
CHUNK = 256


@dataclass(frozen=True)
class Assignment:
    """One expert assigned to one application, with why."""

    application: str
    expert: str
    affinity: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "application": self.application,
            "expert": self.expert,
            "affinity": self.affinity,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Shortfall:
    """An application that got fewer reviewers than asked for, and why."""

    application: str
    assigned: int
    needed: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "application": self.application,
            "assigned": self.assigned,
            "needed": self.needed,
            "reason": self.reason,
        }


@dataclass
class AssignmentResult:
    """The outcome of one assignment run, with everything needed to reproduce and explain it."""

    mode: str
    seed: int | None
    per_app: int
    max_load: int
    assignments: list[Assignment]
    unassigned: list[Shortfall]
    conflicts: list[Conflict]
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def conflicts_avoided(self) -> int:
        """Conflicting (application, expert) pairs that were kept out of the candidate pool."""
        return len({(c.application, c.expert) for c in self.conflicts})

    def to_dict(self, *, with_conflicts: bool = False) -> dict[str, Any]:
        """JSON-ready form (the `review assign` contract, plus mode, seed and statistics)."""
        data: dict[str, Any] = {
            "assignments": [a.to_dict() for a in self.assignments],
            "unassigned": [s.to_dict() for s in self.unassigned],
            "conflicts_avoided": self.conflicts_avoided,
            "mode": self.mode,
            "seed": self.seed,
            "per_app": self.per_app,
            "max_load": self.max_load,
            "stats": self.stats,
        }
        if with_conflicts:
            data["conflicts"] = [c.to_dict() for c in self.conflicts]
        return data


def _app_key(app_id: str) -> int:
    # crc32, not hash(): Python salts str hashes per process, which would break reproducibility.
    return zlib.crc32(app_id.encode("utf-8"))


class _Problem:
    """Conflicts, capacities and arc costs for one run."""

    def __init__(
        self,
        experts: Sequence[Expert],
        applications: Sequence[Application],
        *,
        per_app: int,
        max_load: int,
        mode: str,
        seed: int,
        rules: ConflictRules,
        declined: Iterable[tuple[str, str]],
    ) -> None:
        self.experts, self.applications = experts, applications
        self.per_app, self.max_load, self.mode, self.seed = per_app, max_load, mode, seed
        started = perf_counter()
        self.model = AffinityModel(experts, applications)
        self.timing = {"affinity_model_s": perf_counter() - started}
        started = perf_counter()
        index = ConflictIndex(experts, rules)
        self.conflicts: list[dict[int, list[Conflict]]] = [index.conflicts_for(a) for a in applications]
        self.timing["conflicts_s"] = perf_counter() - started
        self.capacity = np.array(
            [
                min(max_load, e.max_load if e.max_load is not None else max_load) if e.available else 0
                for e in experts
            ],
            dtype=np.int64,
        )
        expert_pos = {e.id: j for j, e in enumerate(experts)}
        app_pos = {a.id: i for i, a in enumerate(applications)}
        self.declined: dict[int, set[int]] = {}
        for app_id, expert_id in declined:
            if app_id not in app_pos or expert_id not in expert_pos:
                raise InputError("谢绝记录", f"{app_id}:{expert_id}", "申请或专家不存在")
            self.declined.setdefault(app_pos[app_id], set()).add(expert_pos[expert_id])

    def banned(self, i: int) -> np.ndarray:
        """Expert positions that may not review application i."""
        out = set(self.conflicts[i]) | self.declined.get(i, set())
        return np.fromiter(out, dtype=np.int64, count=len(out))

    def ticket_row(self, i: int) -> np.ndarray:
        """The lottery tickets of every expert for application i, fixed by the seed and the application id."""
        rng = np.random.default_rng([self.seed, _app_key(self.applications[i].id)])
        return rng.random(len(self.experts))

    def cost_rows(self, rows: np.ndarray) -> np.ndarray:
        """Integer arc costs, rows × experts; BANNED where the pair is excluded."""
        if self.mode == "optimal":
            affinity, _ = self.model.block(rows)
            costs = np.rint((1.0 - np.clip(affinity, 0.0, 1.0)) * SCALE).astype(np.int64)
        else:
            shared = self.model.field_overlap(rows)
            costs = np.empty((len(rows), len(self.experts)), dtype=np.int64)
            for r, i in enumerate(rows):
                tickets = np.floor(self.ticket_row(int(i)) * SCALE).astype(np.int64)
                # Experts of the application's fields are drawn first; others only fill a shortfall.
                if self.applications[i].fields:
                    tickets += np.where(shared[r] > 0, 0, SCALE)
                costs[r] = tickets
        costs[:, self.capacity == 0] = BANNED
        for r, i in enumerate(rows):
            costs[r, self.banned(int(i))] = BANNED
        return costs

    def candidates(self, rows: np.ndarray, width: int | None) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """For each application, its `width` cheapest eligible experts (all when width is None)."""
        out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            costs = self.cost_rows(chunk)
            for r, i in enumerate(chunk):
                row = costs[r]
                allowed = np.flatnonzero(row != BANNED)
                if width is not None and len(allowed) > width:
                    allowed = allowed[np.argpartition(row[allowed], width - 1)[:width]]
                out[int(i)] = (allowed, row[allowed])
        return out


def _solve(problem: _Problem, cands: dict[int, tuple[np.ndarray, np.ndarray]]) -> dict[int, np.ndarray]:
    """Min-cost maximum flow over the candidate arcs; the experts chosen for each application."""
    from ortools.graph.python import min_cost_flow

    n_apps, n_experts = len(problem.applications), len(problem.experts)
    source, sink = 0, 1 + n_apps + n_experts
    apps = np.arange(n_apps, dtype=np.int64)
    lengths = np.array([len(cands[i][0]) for i in range(n_apps)], dtype=np.int64)
    pair_tails = np.repeat(apps + 1, lengths)
    pair_heads = np.concatenate([cands[i][0] for i in range(n_apps)] or [np.empty(0, np.int64)]) + 1 + n_apps
    pair_costs = np.concatenate([cands[i][1] for i in range(n_apps)] or [np.empty(0, np.int64)])
    tails = np.concatenate([np.zeros(n_apps, np.int64), pair_tails, np.arange(n_experts) + 1 + n_apps])
    heads = np.concatenate([apps + 1, pair_heads, np.full(n_experts, sink)])
    caps = np.concatenate(
        [np.full(n_apps, problem.per_app), np.ones(len(pair_tails), np.int64), problem.capacity]
    ).astype(np.int64)
    costs = np.concatenate([np.zeros(n_apps, np.int64), pair_costs, np.zeros(n_experts, np.int64)])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs.astype(np.int64)
    )
    demand = problem.per_app * n_apps
    flow.set_nodes_supplies(np.array([source, sink], np.int32), np.array([demand, -demand], np.int64))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"最小费用流求解失败（状态 {status}）")
    used = flow.flows(arcs)[n_apps : n_apps + len(pair_tails)] > 0
    chosen_apps, chosen_experts = pair_tails[used] - 1, pair_heads[used] - 1 - n_apps
    order = np.argsort(chosen_apps, kind="stable")
    chosen_apps, chosen_experts = chosen_apps[order], chosen_experts[order]
    bounds = np.searchsorted(chosen_apps, apps, side="left"), np.searchsorted(chosen_apps, apps, side="right")
    return {int(i): chosen_experts[bounds[0][i] : bounds[1][i]] for i in range(n_apps)}


def _assign_flow(problem: _Problem, width: int) -> tuple[dict[int, np.ndarray], dict[str, Any]]:
    """Solve on narrow candidate lists, then widen the lists of short applications and of their rivals."""
    n_apps = len(problem.applications)
    started = perf_counter()
    cands = problem.candidates(np.arange(n_apps), width)
    # Applications whose list already holds every eligible expert.
    full = {i for i, (experts, _) in cands.items() if len(experts) < width}
    stats: dict[str, Any] = {"candidates_s": perf_counter() - started, "passes": 1}
    started = perf_counter()
    chosen = _solve(problem, cands)
    rival_width = width
    for _ in range(4):
        short = [i for i in range(n_apps) if len(chosen[i]) < problem.per_app]
        if not short:
            break
        narrow = [i for i in short if i not in full]
        if narrow:
            grown = problem.candidates(np.array(narrow), None)
            full.update(narrow)
        else:
            # Short applications see all their eligible experts, who are busy elsewhere: give the
            # applications holding them more alternatives, so that they can make room.
            wanted = {int(j) for i in short for j in cands[i][0]}
            rivals = [i for i in range(n_apps) if i not in full and wanted.intersection(chosen[i].tolist())]
            if not rivals:
                break
            rival_width *= 4
            grown = problem.candidates(np.array(rivals), rival_width)
        arcs = sum(len(c[0]) for i, c in cands.items() if i not in grown) + sum(
            len(c[0]) for c in grown.values()
        )
        if arcs > MAX_ARCS:
            stats["widening_stopped"] = f"候选边将超过 {MAX_ARCS} 条，停止扩展"
            break
        cands.update(grown)
        chosen = _solve(problem, cands)
        stats["passes"] += 1
    stats["solve_s"] = perf_counter() - started
    stats["arcs"] = int(sum(len(c[0]) for c in cands.values()))
    return chosen, stats


def _shortfall_reason(problem: _Problem, i: int, got: int) -> str:
    app = problem.applications[i]
    kinds = Counter(c.kind for cs in problem.conflicts[i].values() for c in cs[:1])
    unavailable = int(np.count_nonzero(problem.capacity == 0))
    declined = len(problem.declined.get(i, ()))
    excluded = set(problem.conflicts[i]) | problem.declined.get(i, set())
    eligible = sum(1 for j in range(len(problem.experts)) if j not in excluded and problem.capacity[j] > 0)
    parts = [f"专家库 {len(problem.experts)} 人"]
    if problem.conflicts[i]:
        detail = "、".join(f"{KIND_LABELS[k]} {n} 人" for k, n in sorted(kinds.items()))
        parts.append(f"回避 {len(problem.conflicts[i])} 人（{detail}）")
    if declined:
        parts.append(f"谢绝 {declined} 人")
    if unavailable:
        parts.append(f"暂不可用 {unavailable} 人")
    if eligible < problem.per_app:
        return f"可选专家不足：{'，'.join(parts)}，可选 {eligible} 人，少于每项所需 {problem.per_app} 人"
    capacity, demand = int(problem.capacity.sum()), problem.per_app * len(problem.applications)
    total = f"；全库评审容量 {capacity} 项，少于需求 {demand} 项" if capacity < demand else ""
    return (
        f"评审量已满：{'，'.join(parts)}，可选 {eligible} 人，但其余可选专家均已达到评审量上限"
        f"（每人至多 {problem.max_load} 项），已分给其他申请{total}；{app.id} 只分到 {got} 人"
    )


def _reason(problem: _Problem, i: int, pair: PairAffinity, ticket: float) -> str:
    recused = len(problem.conflicts[i])
    tail = f"；已回避 {recused} 人" if recused else ""
    fields = "、".join(pair.shared_fields)
    if problem.mode == "optimal":
        field_part = f"共同领域：{fields}；" if fields else ""
        return (
            f"最优分配：亲和度 {pair.affinity:.3f}（{field_part}文本相似 {pair.text_similarity:.3f}）{tail}"
        )
    if fields or not problem.applications[i].fields:
        pool = f"同领域（{fields}）" if fields else "全库"
        return f"随机抽取（种子 {problem.seed}，签号 {ticket:.6f}）：{pool}{tail}"
    return f"随机抽取（种子 {problem.seed}，签号 {ticket:.6f}）：同领域可选专家不足，跨领域补抽{tail}"


def _result(problem: _Problem, chosen: dict[int, np.ndarray], stats: dict[str, Any]) -> AssignmentResult:
    assignments: list[Assignment] = []
    unassigned: list[Shortfall] = []
    for i, app in enumerate(problem.applications):
        tickets = problem.ticket_row(i) if problem.mode == "draw" and len(chosen[i]) else None
        pairs = [(int(j), problem.model.pair(i, int(j))) for j in chosen[i]]
        # Listed best first: highest affinity, or lowest ticket for the draw.
        pairs.sort(key=lambda p: -p[1].affinity if tickets is None else tickets[p[0]])
        for j, pair in pairs:
            ticket = float(tickets[j]) if tickets is not None else 0.0
            assignments.append(
                Assignment(app.id, problem.experts[j].id, pair.affinity, _reason(problem, i, pair, ticket))
            )
        if len(chosen[i]) < problem.per_app:
            unassigned.append(
                Shortfall(
                    app.id, len(chosen[i]), problem.per_app, _shortfall_reason(problem, i, len(chosen[i]))
                )
            )
    conflicts = [c for per_app in problem.conflicts for cs in per_app.values() for c in cs]
    stats = {
        **{k: round(v, 3) if isinstance(v, float) else v for k, v in {**problem.timing, **stats}.items()}
    }
    return AssignmentResult(
        problem.mode,
        problem.seed,
        problem.per_app,
        problem.max_load,
        assignments,
        unassigned,
        conflicts,
        stats,
    )


def assign(
    experts: Sequence[Expert],
    applications: Sequence[Application],
    *,
    per_app: int,
    max_load: int,
    mode: str = "optimal",
    seed: int | None = None,
    rules: ConflictRules = DEFAULT_RULES,
    declined: Iterable[tuple[str, str]] = (),
    candidates: int = DEFAULT_CANDIDATES,
) -> AssignmentResult:
    """Assign per_app experts to every application, at most max_load per expert, never across a conflict.

    The draw records its seed (a fresh one when none is given), so the same inputs and seed give the
    same draw. Pairs in `declined` (application id, expert id) are excluded, which is how a decline is
    redrawn: run again with the decline added and the same seed.
    """
    if mode not in MODES:
        raise InputError("参数", "mode", f"应为 {' 或 '.join(MODES)}")
    if per_app < 1:
        raise InputError("参数", "per_app", "每项评审人数至少为 1")
    if max_load < 1:
        raise InputError("参数", "max_load", "每位专家评审上限至少为 1")
    check_unique((e.id for e in experts), "专家")
    check_unique((a.id for a in applications), "申请")
    if seed is None:
        seed = secrets.randbelow(2**31) if mode == "draw" else 0
    started = perf_counter()
    problem = _Problem(
        experts,
        applications,
        per_app=per_app,
        max_load=max_load,
        mode=mode,
        seed=seed,
        rules=rules,
        declined=declined,
    )
    if not applications or not experts:
        chosen: dict[int, np.ndarray] = {i: np.empty(0, np.int64) for i in range(len(applications))}
        stats: dict[str, Any] = {}
    else:
        chosen, stats = _assign_flow(problem, max(candidates, per_app * 4))
    result = _result(problem, chosen, stats)
    result.stats["total_s"] = round(perf_counter() - started, 3)
    return result


def redraw(
    previous: AssignmentResult,
    experts: Sequence[Expert],
    applications: Sequence[Application],
    declined: Iterable[tuple[str, str]],
    *,
    rules: ConflictRules = DEFAULT_RULES,
) -> AssignmentResult:
    """Replace declined experts, keeping every other assignment of the previous run in place.

    Each vacated place goes to the eligible expert with the lowest ticket (draw) or the highest affinity
    (optimal) who is not yet on that application and still has room; the seed is the previous one.
    """
    declined = list(declined)
    problem = _Problem(
        experts,
        applications,
        per_app=previous.per_app,
        max_load=previous.max_load,
        mode=previous.mode,
        seed=previous.seed or 0,
        rules=rules,
        declined=declined,
    )
    expert_pos = {e.id: j for j, e in enumerate(experts)}
    app_pos = {a.id: i for i, a in enumerate(applications)}
    dropped = {(app_pos[a], expert_pos[e]) for a, e in declined}
    kept: dict[int, list[int]] = {i: [] for i in range(len(applications))}
    for a in previous.assignments:
        pair = (app_pos[a.application], expert_pos[a.expert])
        if pair not in dropped:
            kept[pair[0]].append(pair[1])
    load = np.zeros(len(experts), np.int64)
    for experts_of_app in kept.values():
        np.add.at(load, experts_of_app, 1)
    vacant = sorted({i for i, _ in dropped})
    for i in vacant:
        row = problem.cost_rows(np.array([i]))[0]
        row[kept[i]] = BANNED
        row[load >= problem.capacity] = BANNED
        for j in np.argsort(row, kind="stable"):
            if len(kept[i]) >= problem.per_app or row[j] == BANNED:
                break
            kept[i].append(int(j))
            load[j] += 1
    chosen = {i: np.array(v, dtype=np.int64) for i, v in kept.items()}
    return _result(problem, chosen, {"redrawn": len(vacant)})
