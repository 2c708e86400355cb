"""Review assignment on the platform: draw or optimal runs, replay from the seed, declines and redraws."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.common.chains import node_names
from lianzhang.common.versioning import StaleEdit
from lianzhang.reviews import bridge, engine
from lianzhang.reviews.models import Assignment, Expert, ReviewApplication, ReviewRound, Score
from lianzhang.reviews.services import CHECK, A, R, _assignment, _move, _need, _own, _round

# Chain node ids are the only lowercase Latin words in the engine's reasons.
NODE_ID = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9_]*(?![A-Za-z0-9_])")

# ------------------------------------------------------------------------------------ assignment


def _engine_inputs(
    round_: ReviewRound, experts: list[Expert] | None = None
) -> tuple[list[Expert], list[ReviewApplication], list[engine.Expert], list[engine.Application]]:
    apps = [a for a in bridge.reviewable(round_) if a.check_status == CHECK.PASSED]
    experts = experts if experts is not None else list(bridge.eligible_experts().order_by("pk"))
    return experts, apps, bridge.to_engine_experts(experts), bridge.to_engine_applications(apps)


def _readable(reason: str, names: dict[str, str] | None = None) -> str:
    """The engine's reason with chain node ids shown by their names."""
    names = node_names() if names is None else names
    return NODE_ID.sub(lambda m: names.get(m.group(), m.group()), reason)


def _store(round_: ReviewRound, items: list[engine.Assignment], origin: str) -> list[Assignment]:
    names = node_names()
    rows = [
        Assignment(
            application_id=bridge.pk_of(a.application),
            expert_id=bridge.pk_of(a.expert),
            affinity=a.affinity,
            reason=_readable(a.reason, names)[:500],
            origin=origin,
        )
        for a in items
    ]
    return Assignment.objects.bulk_create(rows, batch_size=1000)


@guarded("review.manage")
def run_assignment(
    actor: Actor,
    round_id: int,
    mode: str | None = None,
    seed: int | None = None,
    *,
    version: int | None = None,
) -> engine.AssignmentResult:
    """Assign experts (draw or optimal) from the eligible pool, never across a conflict; record the seed.

    A run replaces the round's assignments, so a caller that read the round at `version` is refused when
    a colleague has run (or changed) it since."""
    with transaction.atomic():
        round_ = _round(round_id, lock=True)
        if version is not None and version != round_.version:
            raise StaleEdit("评审批次", version, round_.version)
        _need(round_, R.ASSIGNING)
        mode = mode or round_.mode
        if mode not in ReviewRound.Mode.values:
            raise ValidationError({"mode": "分配方式应为 draw 或 optimal"})
        if seed is not None and not 0 <= seed < 2**32:
            # numpy's generators take seeds in this range; anything else would fail inside the draw.
            raise ValidationError({"seed": "随机种子应为 0 到 4294967295 之间的整数"})
        experts, apps, e_experts, e_apps = _engine_inputs(round_)
        if not experts:
            raise ValidationError("专家库中没有可用专家")
        result = engine.assign(
            e_experts,
            e_apps,
            per_app=round_.per_app,
            max_load=round_.max_load,
            mode=mode,
            seed=seed,
            rules=bridge.rules_of(round_),
        )
        Assignment.objects.filter(application__round=round_).delete()
        _store(round_, result.assignments, Assignment.Origin.INITIAL)
        round_.mode, round_.seed = mode, result.seed
        round_.draw_inputs = {"experts": [e.pk for e in experts], "applications": [a.pk for a in apps]}
        round_.assigned_at = timezone.now()
        round_.save()
        ReviewApplication.objects.filter(pk__in=[a.pk for a in apps if a.added_late]).update(added_late=False)
        bridge.store_conflicts(round_)
        audit.record(
            actor,
            "assign",
            round_,
            {
                "mode": mode,
                "seed": result.seed,
                "assignments": len(result.assignments),
                "conflicts_avoided": result.conflicts_avoided,
                "shortfalls": [s.reason for s in result.unassigned],
            },
        )
    return result


@guarded("review.view")
def verify_draw(actor: Actor, round_id: int) -> dict[str, Any]:
    """Re-run the first assignment from the recorded seed and inputs, and compare with what was stored."""
    round_ = _round(round_id)
    if round_.assigned_at is None:
        raise ValidationError("本批次尚未分配专家")
    ids = round_.draw_inputs
    experts = list(Expert.objects.filter(pk__in=ids.get("experts", [])).order_by("pk"))
    apps = list(
        ReviewApplication.objects.filter(pk__in=ids.get("applications", []))
        .select_related("enterprise")
        .order_by("pk")
    )
    again = engine.assign(
        bridge.to_engine_experts(experts),
        bridge.to_engine_applications(apps),
        per_app=round_.per_app,
        max_load=round_.max_load,
        mode=round_.mode,
        seed=round_.seed,
        rules=bridge.rules_of(round_),
    )
    replayed = {(bridge.pk_of(a.application), bridge.pk_of(a.expert)) for a in again.assignments}
    stored = set(
        Assignment.objects.filter(application__round=round_, origin=Assignment.Origin.INITIAL).values_list(
            "application_id", "expert_id"
        )
    )
    return {
        "same": replayed == stored,
        "seed": round_.seed,
        "mode": round_.mode,
        "pairs": len(stored),
        "only_stored": sorted(stored - replayed),
        "only_replayed": sorted(replayed - stored),
    }


@guarded("review.manage")
def open_scoring(actor: Actor, round_id: int, version: int) -> ReviewRound:
    """Let the assigned experts score."""
    with transaction.atomic():
        round_ = _round(round_id)
        _need(round_, R.ASSIGNING)
        if not Assignment.objects.filter(application__round=round_, status=A.ASSIGNED).exists():
            raise ValidationError("还没有分配专家")
        return _move(actor, round_, version, R.SCORING)


def _decline(actor: Actor, assignment: Assignment, reason: str) -> Assignment:
    _need(assignment.application.round, R.ASSIGNING, R.SCORING)
    if assignment.status == A.DECLINED:
        raise ValidationError("该分配已谢绝")
    if not reason.strip():
        raise ValidationError({"reason": "请写明原因"})
    with transaction.atomic():
        before = assignment.status
        Score.objects.filter(assignment=assignment).delete()
        assignment.status = A.DECLINED
        assignment.declined_reason = reason.strip()[:300]
        assignment.save(update_fields=["status", "declined_reason"])
        audit.record(actor, "decline", assignment, {"status": [before, A.DECLINED], "reason": reason})
    return assignment


@guarded("review.score")
def decline_assignment(actor: Actor, assignment_id: int, reason: str) -> Assignment:
    """An expert declines one of their own assignments; the chain office then redraws."""
    assignment = _own(actor, assignment_id)
    if assignment.status == A.SUBMITTED:
        raise ValidationError("已提交评分，不能谢绝")
    return _decline(actor, assignment, reason)


@guarded("review.manage")
def withdraw_assignment(actor: Actor, assignment_id: int, reason: str) -> Assignment:
    """Take an expert off an application (e.g. a conflict found late); a submitted score is voided."""
    return _decline(actor, _assignment(assignment_id), reason)


def _top_up(
    round_: ReviewRound,
    e_experts: list[engine.Expert],
    short: list[engine.Application],
    held: list[tuple[str, str]],
    declined: list[tuple[str, str]],
    active: dict[str, int],
    rules: engine.ConflictRules,
) -> list[engine.Assignment]:
    """Reviewers for applications still short of the panel size, from the experts' remaining load."""
    load: dict[str, int] = defaultdict(int)
    gone = set(declined)
    for pair in held:
        if pair not in gone:
            load[pair[1]] += 1
    room = []
    for e in e_experts:
        cap = min(round_.max_load, e.max_load if e.max_load is not None else round_.max_load)
        left = cap - load[e.id]
        room.append(replace(e, max_load=max(left, 0), available=e.available and left > 0))
    short_ids = {a.id for a in short}
    result = engine.assign(
        room,
        short,
        per_app=max(round_.per_app - active[a.id] for a in short),
        max_load=round_.max_load,
        mode=round_.mode,
        seed=round_.seed,
        rules=rules,
        # Experts already on an application (or who declined it) are not drawn for it again.
        declined=[pair for pair in held if pair[0] in short_ids],
    )
    out, given = [], defaultdict(int)
    for a in result.assignments:  # best first within each application
        if given[a.application] < round_.per_app - active[a.application]:
            out.append(a)
            given[a.application] += 1
    return out


@guarded("review.manage")
def redraw(actor: Actor, round_id: int) -> list[Assignment]:
    """Fill every vacant place (declines, withdrawals, late applications) with the recorded seed.

    Every other assignment stays as it is; new ones never cross a conflict or an expert's load limit.
    """
    with transaction.atomic():
        round_ = _round(round_id, lock=True)
        _need(round_, R.ASSIGNING, R.SCORING)
        if round_.assigned_at is None:
            raise ValidationError("请先分配专家")
        existing = list(Assignment.objects.filter(application__round=round_))
        eligible = {e.pk: e for e in bridge.eligible_experts()}
        involved = Expert.objects.filter(pk__in={a.expert_id for a in existing} - set(eligible))
        experts = sorted([*eligible.values(), *involved], key=lambda e: e.pk)
        apps = [a for a in bridge.reviewable(round_) if a.check_status == CHECK.PASSED]
        e_apps = bridge.to_engine_applications(apps)
        app_keys = {a.id for a in e_apps}
        # Experts who left the pool keep what they hold but take nothing new.
        e_experts = bridge.to_engine_experts(experts, eligible=set(eligible))
        # Only applications still in play (a failed formal check drops its assignments anyway).
        current = [a for a in existing if bridge.application_key(a.application_id) in app_keys]
        pairs = [(bridge.application_key(a.application_id), bridge.expert_key(a.expert_id)) for a in current]
        declined = [p for p, a in zip(pairs, current, strict=True) if a.status == A.DECLINED]
        previous = engine.AssignmentResult(
            round_.mode,
            round_.seed,
            round_.per_app,
            round_.max_load,
            [engine.Assignment(app, expert, 0.0, "") for app, expert in pairs],
            [],
            [],
        )
        rules = bridge.rules_of(round_)
        active: dict[str, int] = defaultdict(int)
        for (app_key, _), a in zip(pairs, current, strict=True):
            if a.status != A.DECLINED:
                active[app_key] += 1
        if all(active[a.id] >= round_.per_app for a in e_apps):
            raise ValidationError("没有需要补抽的空位：每项申请的评审专家都已满额")
        taken = set(pairs)
        new: list[engine.Assignment] = []
        # Places left by declines: the engine's redraw, with the recorded seed.
        if declined:
            result = engine.redraw(previous, e_experts, e_apps, declined, rules=rules)
            new += [a for a in result.assignments if (a.application, a.expert) not in taken]
        for a in new:
            active[a.application] += 1
        # Still short (added late, or short from the start): a fresh run over those applications with
        # the same seed, within what each expert has left of their load, never repeating an expert.
        short = [a for a in e_apps if active[a.id] < round_.per_app]
        if short:
            new += _top_up(
                round_,
                e_experts,
                short,
                [*pairs, *((a.application, a.expert) for a in new)],
                declined,
                active,
                rules,
            )
        stored = _store(round_, new, Assignment.Origin.REDRAW)
        served = {bridge.pk_of(a.application) for a in new}
        ReviewApplication.objects.filter(pk__in=served).update(added_late=False)
        audit.record(
            actor,
            "redraw",
            round_,
            {
                "seed": round_.seed,
                "declined": len(declined),
                "new": [f"{a.application}:{a.expert}" for a in new],
            },
        )
    return stored
