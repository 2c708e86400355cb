"""Scoring, aggregation, decision, public notice (公示) with objections, and the final result."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.permissions import Actor, guarded
from lianzhang.enterprises.services import NotFound
from lianzhang.reviews import bridge, engine
from lianzhang.reviews.models import Assignment, Decision, Objection, ReviewApplication, ReviewRound, Score
from lianzhang.reviews.services import (
    CHECK,
    EXPERT_VISIBLE,
    RESULTS_OPEN,
    A,
    R,
    _move,
    _need,
    _own,
    _round,
    criteria_of,
)

# ------------------------------------------------------------------------------------ scoring


@guarded("review.score")
def my_assignments(actor: Actor) -> QuerySet[Assignment]:
    """The actor's own assignments in rounds open to experts; nobody else's."""
    return (
        Assignment.objects.filter(
            expert__user_id=actor.user_id, application__round__status__in=EXPERT_VISIBLE
        )
        .exclude(expert__user_id__isnull=True)
        .select_related("application__round", "application__enterprise", "score")
        .order_by("-application__round__created_at", "application_id")
    )


@guarded("review.score")
def score_sheet(actor: Actor, assignment_id: int) -> dict[str, Any]:
    """One own assignment with its criteria and own score; the panel's scores only once the round closed."""
    assignment = _own(actor, assignment_id)
    round_ = assignment.application.round
    own = Score.objects.filter(assignment=assignment).first()
    panel = None
    if round_.status in RESULTS_OPEN:
        totals = Score.objects.filter(assignment__application=assignment.application).order_by("total")
        panel = {
            "totals": [s.total for s in totals],
            "application": assignment.application,
        }
    return {
        "assignment": assignment,
        "round": round_,
        "criteria": round_.criteria,
        "score": own,
        "panel": panel,
        "can_score": round_.status == R.SCORING and assignment.status != A.DECLINED,
        "can_decline": round_.status == R.SCORING and assignment.status == A.ASSIGNED,
    }


def _store_score(actor: Actor, assignment: Assignment, values: dict[str, Any], comment: str) -> Score:
    """Validate a score sheet against the criteria, store it and audit it."""
    round_ = assignment.application.round
    _need(round_, R.SCORING)
    if assignment.status == A.DECLINED:
        raise ValidationError("已谢绝的分配不能评分")
    if not comment.strip():
        raise ValidationError({"comment": "请填写评审意见"})
    criteria = criteria_of(round_)
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for c in criteria:
        raw = values.get(c.key)
        try:
            value = Decimal(str(raw).strip())
        except ArithmeticError:
            errors[c.key] = f"“{c.label}”不是数字"
            continue
        if raw in (None, "") or not value.is_finite():
            errors[c.key] = f"“{c.label}”未打分"
        elif not Decimal(0) <= value <= c.max_score:
            errors[c.key] = f"“{c.label}”应在 0 到 {c.max_score.normalize()} 之间，实为 {value}"
        else:
            clean[c.key] = str(value)
    if errors:
        raise ValidationError(errors)
    try:
        total = engine.sheet_total(criteria, clean)
    except engine.ScoreError as exc:
        raise ValidationError(str(exc)) from None
    with transaction.atomic():
        score, created = Score.objects.update_or_create(
            assignment=assignment,
            defaults={
                "values": clean,
                "total": total,
                "comment": comment.strip(),
                "submitted_at": timezone.now(),
            },
        )
        assignment.status = A.SUBMITTED
        assignment.save(update_fields=["status"])
        audit.record(actor, "score" if created else "rescore", score, {"total": total, "values": clean})
    return score


@guarded("review.score")
def submit_score(actor: Actor, assignment_id: int, values: dict[str, Any], comment: str) -> Score:
    """An expert scores one of their own assignments (may revise until the round closes)."""
    return _store_score(actor, _own(actor, assignment_id), values, comment)


@guarded("review.manage")
def close_round(actor: Actor, round_id: int, version: int, *, without_missing: bool = False) -> ReviewRound:
    """End scoring: aggregate each application (trimmed mean from 5 reviewers), flag disagreement, rank.

    While some assigned experts have not submitted, closing needs `without_missing=True`: their sheets
    then do not count, and the audit entry says how many were missing."""
    with transaction.atomic():
        round_ = _round(round_id, lock=True)
        _need(round_, R.SCORING)
        missing = Assignment.objects.filter(application__round=round_, status=A.ASSIGNED).exclude(
            application__check_status=CHECK.FAILED
        )
        n_missing = missing.count()
        if n_missing and not without_missing:
            names = "、".join(sorted({a.expert.name for a in missing.select_related("expert")[:10]}))
            raise ValidationError(
                f"还有 {n_missing} 份评分未提交（{names}）；如不再等待，请勾选“未提交的评分不计”后结束评分"
            )
        apps = list(round_.applications.exclude(check_status=CHECK.FAILED))
        totals: dict[int, list[Decimal]] = defaultdict(list)
        for app_id, total in Score.objects.filter(
            assignment__application__round=round_, assignment__status=A.SUBMITTED
        ).values_list("assignment__application_id", "total"):
            totals[app_id].append(total)
        scores: dict[str, Decimal] = {}
        for app in apps:
            if totals.get(app.pk):
                agg = engine.aggregate(totals[app.pk])
                app.score, app.reviewers, app.disagreement = agg.score, agg.reviewers, agg.disagreement
                app.dropped, app.method = [str(d) for d in agg.dropped], agg.method[:300]
                scores[f"{app.pk:012d}"] = agg.score
            else:
                app.score, app.reviewers, app.disagreement, app.dropped = None, 0, False, []
                app.method = "无有效评分，不参加排名"
            app.rank = None
        ranks = {int(key): position for key, position, _ in engine.rank(scores)}
        for app in apps:
            app.rank = ranks.get(app.pk)
        ReviewApplication.objects.bulk_update(
            apps, ["score", "reviewers", "disagreement", "dropped", "method", "rank"]
        )
        round_ = _move(actor, round_, version, R.CLOSED, closed_at=timezone.now())
        audit.record(
            actor,
            "aggregate",
            round_,
            {
                "ranked": len(ranks),
                "disagreement": [a.pk for a in apps if a.disagreement],
                "missing_sheets": n_missing,
            },
        )
    return round_


# ------------------------------------------------------------------------------------ decision and 公示


@guarded("review.manage")
def decide(actor: Actor, round_id: int, version: int, decisions: dict[int, tuple[bool, str]]) -> ReviewRound:
    """Record approve/reject for every reviewed application (failed formal checks are rejected)."""
    with transaction.atomic():
        round_ = _round(round_id, lock=True)
        _need(round_, R.CLOSED)
        apps = list(round_.applications.all())
        strangers = sorted(set(decisions) - {a.pk for a in apps})
        if strangers:
            # A decision for another round's application is a mistake of the caller, not something to drop.
            raise ValidationError(f"以下申请不属于本批评审：{'、'.join(map(str, strangers[:10]))}")
        missing = [a.title for a in apps if a.check_status != CHECK.FAILED and a.pk not in decisions]
        if missing:
            raise ValidationError(f"以下申请还没有决定：{'、'.join(missing[:10])}")
        for app in apps:
            if app.check_status == CHECK.FAILED:
                approved, note = False, f"形式审查不通过：{app.check_reason}"
            else:
                approved, note = decisions[app.pk]
            decision, _ = Decision.objects.update_or_create(
                application=app,
                defaults={"approved": approved, "note": note.strip()[:500], "decided_by_id": actor.user_id},
            )
            audit.record(actor, "decide", decision, {"approved": approved, "note": note})
        return _move(actor, round_, version, R.DECIDED)


@guarded("review.manage")
def publish_notice(actor: Actor, round_id: int, version: int, objection_deadline: date) -> ReviewRound:
    """Publish the results (公示) with the last day on which objections may be filed."""
    with transaction.atomic():
        round_ = _round(round_id)
        _need(round_, R.DECIDED)
        if objection_deadline < bridge.today():
            raise ValidationError({"objection_deadline": "异议截止日期不能早于今天"})
        return _move(
            actor,
            round_,
            version,
            R.NOTICED,
            objection_deadline=objection_deadline,
            noticed_on=bridge.today(),
        )


@guarded("review.object")
def file_objection(actor: Actor, round_id: int, text: str, application_id: int | None = None) -> Objection:
    """An enterprise objects to a noticed result, on or before the objection deadline only."""
    round_ = _round(round_id)
    if round_.status != R.NOTICED:
        raise ValidationError("本批次不在公示期，不能提出异议")
    if bridge.today() > round_.objection_deadline:
        raise ValidationError(f"异议期已于 {round_.objection_deadline} 结束")
    if not actor.enterprise_id:
        raise PermissionDenied("企业用户未关联企业，不能提出异议")
    if not text.strip():
        raise ValidationError({"text": "请写明异议内容与理由"})
    app = None
    if application_id:
        app = round_.applications.filter(pk=application_id).first()
        if app is None:
            raise ValidationError({"application_id": "该申请不在本批次中"})
    with transaction.atomic():
        objection = Objection.objects.create(
            round=round_,
            application=app,
            enterprise_id=actor.enterprise_id,
            filed_by_id=actor.user_id,
            text=text.strip()[:5000],
        )
        audit.record(actor, "object", objection, {"text": objection.text, "application": application_id})
    return objection


@guarded("review.manage")
def resolve_objection(actor: Actor, objection_id: int, resolution: str) -> Objection:
    """The chain office answers an objection."""
    objection = Objection.objects.select_related("round").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound(f"异议 {objection_id} 不存在")
    if not resolution.strip():
        raise ValidationError({"resolution": "请写明处理结果"})
    _need(objection.round, R.NOTICED)
    with transaction.atomic():
        objection.resolution = resolution.strip()[:5000]
        objection.resolved_by_id = actor.user_id
        objection.resolved_at = timezone.now()
        objection.save()
        audit.record(actor, "resolve", objection, {"resolution": objection.resolution})
    return objection


@guarded("review.manage")
def finalise(actor: Actor, round_id: int, version: int) -> ReviewRound:
    """Make the result final once the objection period is over and every objection is answered."""
    with transaction.atomic():
        round_ = _round(round_id)
        _need(round_, R.NOTICED)
        if bridge.today() <= round_.objection_deadline:
            raise ValidationError(f"异议期至 {round_.objection_deadline} 结束，之后才能定案")
        if round_.objections.filter(resolved_at__isnull=True).exists():
            raise ValidationError("还有未处理的异议")
        return _move(actor, round_, version, R.FINAL, finalised_at=timezone.now())
