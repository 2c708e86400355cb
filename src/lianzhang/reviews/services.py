"""Review rounds: set-up, applications, formal check, conflicts, reading, and the final ranking.

Assignment lives in assignment_services, scoring and the decision with 公示 in scoring_services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import Actor, allowed, guarded
from lianzhang.enterprises.models import Enterprise, NodeAssignment, Project
from lianzhang.enterprises.services import NotFound
from lianzhang.reviews import bridge, engine
from lianzhang.reviews.models import (
    Assignment,
    Conflict,
    ReviewApplication,
    ReviewRound,
)

R = ReviewRound.Status
K = ReviewRound.Kind
A = Assignment.Status
CHECK = ReviewApplication.Check
STEPS = [value for value, _ in R.choices]
# Experts see their assignments once scoring has begun, and the panel's scores only after it closed.
EXPERT_VISIBLE = (R.SCORING, R.CLOSED, R.DECIDED, R.NOTICED, R.FINAL)
RESULTS_OPEN = (R.CLOSED, R.DECIDED, R.NOTICED, R.FINAL)
PUBLIC = (R.NOTICED, R.FINAL)
# Ranked applications first, the unranked (unscored) after them, on every database.
RANK_ORDER = F("rank").asc(nulls_last=True)
# Applications may still join (late) until scoring ends; they then need conflicts and reviewers.
ADDABLE = (R.DRAFT, R.CHECKING, R.ASSIGNING, R.SCORING)
LATE = (R.ASSIGNING, R.SCORING)
# The round page's long tables are paged; a round may hold thousands of applications.
APPS_PER_PAGE = 50
ASSIGNMENTS_PER_PAGE = 100
VACANCIES_SHOWN = 100
DEFAULT_CRITERIA = [
    {"key": "innovation", "label": "技术创新性", "weight": 30, "max": 100},
    {"key": "feasibility", "label": "实施可行性", "weight": 25, "max": 100},
    {"key": "benefit", "label": "经济社会效益", "weight": 25, "max": 100},
    {"key": "team", "label": "团队与基础", "weight": 20, "max": 100},
]


@dataclass
class RoundInput:
    """A new review round's settings."""

    name: str
    kind: str = K.PROJECT
    criteria: list[dict[str, Any]] = field(default_factory=lambda: [dict(c) for c in DEFAULT_CRITERIA])
    per_app: int = 5
    max_load: int = 5
    mode: str = ReviewRound.Mode.DRAW
    same_district: bool = False


def criteria_of(round_: ReviewRound) -> list[engine.Criterion]:
    """The round's score sheet as engine criteria."""
    return [
        engine.Criterion(c["key"], c["label"], Decimal(str(c["weight"])), Decimal(str(c.get("max", 100))))
        for c in round_.criteria
    ]


def _check_criteria(criteria: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    if not isinstance(criteria, list) or not criteria:
        errors["criteria"] = "评分表至少要有一项"
        return []
    out, keys = [], set()
    for n, c in enumerate(criteria, start=1):
        try:
            key, label = str(c["key"]).strip(), str(c["label"]).strip()
            weight, top = Decimal(str(c["weight"])), Decimal(str(c.get("max", 100)))
        except (KeyError, TypeError, ArithmeticError, ValueError):
            errors["criteria"] = f"第 {n} 项应含 key、label、weight、max"
            return []
        if not key or not label or key in keys:
            errors["criteria"] = f"第 {n} 项缺少名称或编号重复"
            return []
        if weight <= 0 or top <= 0:
            errors["criteria"] = f"第 {n} 项“{label}”的权重和满分应大于 0"
            return []
        keys.add(key)
        out.append({"key": key, "label": label, "weight": float(weight), "max": float(top)})
    return out


def _round(pk: int, *, lock: bool = False) -> ReviewRound:
    qs = ReviewRound.objects.select_for_update() if lock else ReviewRound.objects
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound(f"评审批次 {pk} 不存在")
    return found


def _need(round_: ReviewRound, *statuses: str) -> None:
    if round_.status not in statuses:
        labels = "、".join(R(s).label for s in statuses)
        raise ValidationError(f"当前为“{round_.get_status_display()}”，此操作只能在“{labels}”阶段进行")


def _move(actor: Actor, round_: ReviewRound, version: int | None, to: str, **extra: Any) -> ReviewRound:
    """Advance the round's status (optimistic lock on the version the user saw) and audit the step."""
    before = round_.status
    if version is not None:
        round_.version = version
    round_.status = to
    for name, value in extra.items():
        setattr(round_, name, value)
    round_.save()
    audit.record(actor, f"round.{to}", round_, {"status": [before, to], **extra})
    return round_


# ------------------------------------------------------------------------------------ reading


@guarded("review.view")
def list_rounds(actor: Actor) -> QuerySet[ReviewRound]:
    """Every round with its application count."""
    return ReviewRound.objects.annotate(n_apps=Count("applications")).order_by("-created_at", "-pk")


@guarded("review.view")
def get_round(actor: Actor, pk: int) -> ReviewRound:
    """One round."""
    return _round(pk)


def _steps(round_: ReviewRound) -> list[dict[str, str]]:
    current = STEPS.index(round_.status)
    return [
        {"label": label, "state": "done" if i < current else "current" if i == current else "todo"}
        for i, (_, label) in enumerate(R.choices)
    ]


@guarded("review.view")
def round_detail(actor: Actor, pk: int) -> dict[str, Any]:
    """Everything the round page shows: steps, applications, conflicts, assignments, progress, results."""
    round_ = _round(pk)
    apps = list(round_.applications.select_related("enterprise", "decision").order_by(RANK_ORDER, "pk"))
    # Joined on the round rather than prefetched by id: SQLite refuses the thousands of ids a large
    # round would put into one query.
    by_app: dict[int, list[Assignment]] = defaultdict(list)
    for a in Assignment.objects.filter(application__round=round_).select_related("expert", "score"):
        by_app[a.application_id].append(a)
    conflicts: dict[int, list[Conflict]] = defaultdict(list)
    for c in round_.conflicts.select_related("expert").order_by("application_id", "expert__name"):
        conflicts[c.application_id].append(c)
    conflicted_pairs = {(c.application_id, c.expert_id) for cs in conflicts.values() for c in cs}
    rows, conflicted, vacancies = [], [], []
    active_total = submitted = 0
    for app in apps:
        mine = by_app.get(app.pk, [])
        active = [a for a in mine if a.status != A.DECLINED]
        active_total += len(active)
        submitted += sum(1 for a in active if a.status == A.SUBMITTED)
        for a in mine:
            a.application = app
            a.conflict = (app.pk, a.expert_id) in conflicted_pairs and a.status != A.DECLINED
            if a.conflict:
                conflicted.append(a)
            rows.append(a)
        open_round = round_.status in (R.ASSIGNING, R.SCORING) and round_.assigned_at
        if open_round and app.check_status != CHECK.FAILED and len(active) < round_.per_app:
            vacancies.append((app, len(active)))
        app.conflict_list = conflicts.get(app.pk, [])
    manage = allowed(actor, "review.manage")
    return {
        "round": round_,
        "steps": _steps(round_),
        "applications": apps,
        "conflict_count": sum(len(cs) for cs in conflicts.values()),
        "assignments": rows,
        "conflicted": conflicted,
        "vacancies": vacancies,
        "progress": {
            "submitted": submitted,
            "total": active_total,
            "percent": round(100 * submitted / active_total) if active_total else 0,
        },
        "results": [a for a in apps if a.score is not None] if round_.status in RESULTS_OPEN else [],
        "objections": list(round_.objections.select_related("application", "enterprise")),
        "criteria": round_.criteria,
        "can_manage": manage,
        "today": bridge.today(),
    }


@dataclass
class PageQuery:
    """What the round page was asked to show: filters and page numbers of its two long tables."""

    q: str = ""  # applications: title or applicant contains
    check: str = ""  # applications: formal check status
    page: int = 1  # applications page
    who: str = ""  # assignments: application title or expert name contains
    status: str = ""  # assignments: status
    conflicted: bool = False  # assignments: only those crossing a conflict found after the draw
    assignment_page: int = 1


def _conflict_exists() -> Exists:
    return Exists(
        Conflict.objects.filter(application_id=OuterRef("application_id"), expert_id=OuterRef("expert_id"))
    )


@guarded("review.view")
def round_page(actor: Actor, pk: int, query: PageQuery | None = None) -> dict[str, Any]:
    """The round page for rounds of any size: counts for the whole round, one page of each long table.

    Unlike `round_detail`, nothing here loads every application or assignment: a round of 2,000
    applications and 6,000 assignments opens as fast as a small one.
    """
    query = query or PageQuery()
    round_ = _round(pk)
    apps = round_.applications.all()
    check_counts = dict(apps.values_list("check_status").annotate(n=Count("pk")).order_by())
    shown = apps.select_related("enterprise", "decision").order_by(RANK_ORDER, "pk")
    if query.q.strip():
        shown = shown.filter(
            Q(title__icontains=query.q.strip()) | Q(enterprise__name__icontains=query.q.strip())
        )
    if query.check in CHECK.values:
        shown = shown.filter(check_status=query.check)
    app_page = Paginator(shown, APPS_PER_PAGE).get_page(query.page)
    on_page = list(app_page.object_list)
    ids = [a.pk for a in on_page]
    conflicts: dict[int, list[Conflict]] = defaultdict(list)
    for c in (
        Conflict.objects.filter(application_id__in=ids)
        .select_related("expert")
        .order_by("application_id", "expert__name")
    ):
        conflicts[c.application_id].append(c)
    round_assignments = Assignment.objects.filter(application__round=round_)
    active = round_assignments.exclude(status=A.DECLINED)
    panel = dict(
        active.filter(application_id__in=ids).values_list("application_id").annotate(n=Count("pk")).order_by()
    )
    for app in on_page:
        app.conflict_list = conflicts.get(app.pk, [])
        app.panel = panel.get(app.pk, 0)
    totals = active.aggregate(total=Count("pk"), submitted=Count("pk", filter=Q(status=A.SUBMITTED)))
    vacancies: list[tuple[ReviewApplication, int]] = []
    vacancy_count = 0
    if round_.status in (R.ASSIGNING, R.SCORING) and round_.assigned_at:
        short = (
            apps.exclude(check_status=CHECK.FAILED)
            .annotate(n_active=Count("assignments", filter=~Q(assignments__status=A.DECLINED)))
            .filter(n_active__lt=round_.per_app)
            .order_by(RANK_ORDER, "pk")
        )
        vacancy_count = short.count()
        vacancies = [(a, a.n_active) for a in short[:VACANCIES_SHOWN]]
    conflicted = list(
        active.filter(_conflict_exists())
        .select_related("expert", "application")
        .order_by("application_id", "pk")
    )
    listed = round_assignments.select_related("application", "expert", "score").order_by(
        F("application__rank").asc(nulls_last=True), "application_id", "-affinity", "pk"
    )
    if query.who.strip():
        who = query.who.strip()
        listed = listed.filter(Q(application__title__icontains=who) | Q(expert__name__icontains=who))
    if query.status in A.values:
        listed = listed.filter(status=query.status)
    if query.conflicted:
        listed = listed.exclude(status=A.DECLINED).filter(_conflict_exists())
    assignment_page = Paginator(listed, ASSIGNMENTS_PER_PAGE).get_page(query.assignment_page)
    rows = list(assignment_page.object_list)
    flagged = {(a.application_id, a.expert_id) for a in conflicted}
    for a in rows:
        a.conflict = (a.application_id, a.expert_id) in flagged
    results: list[ReviewApplication] = []
    if round_.status in RESULTS_OPEN:
        results = list(
            apps.filter(score__isnull=False)
            .select_related("enterprise", "decision")
            .order_by(RANK_ORDER, "pk")
        )
    total, submitted = totals["total"], totals["submitted"]
    return {
        "round": round_,
        "steps": _steps(round_),
        "application_total": sum(check_counts.values()),
        "check_counts": {value: check_counts.get(value, 0) for value in CHECK.values},
        "applications": on_page,
        "application_page": app_page,
        "conflict_count": Conflict.objects.filter(round=round_).count(),
        "assignments": rows,
        "assignment_page": assignment_page,
        "conflicted": conflicted,
        "vacancies": vacancies,
        "vacancy_count": vacancy_count,
        "progress": {
            "submitted": submitted,
            "total": total,
            "percent": round(100 * submitted / total) if total else 0,
        },
        "results": results,
        "objections": list(round_.objections.select_related("application", "enterprise")),
        "criteria": round_.criteria,
        "can_manage": allowed(actor, "review.manage"),
        "today": bridge.today(),
        "query": query,
    }


def public_notices() -> QuerySet[ReviewRound]:
    """Rounds under public notice or final, for everyone without login (nothing here is restricted)."""
    return ReviewRound.objects.filter(status__in=PUBLIC).order_by("-noticed_on", "-pk")


def public_notice(pk: int) -> dict[str, Any]:
    """What the public sees of one noticed round: ranking, decisions and the objection deadline."""
    round_ = public_notices().filter(pk=pk).first()
    if round_ is None:
        raise NotFound(f"评审批次 {pk} 不存在或未公示")
    apps = list(
        round_.applications.exclude(check_status=CHECK.FAILED)
        .select_related("enterprise", "decision")
        .order_by(RANK_ORDER, "pk")
    )
    today = bridge.today()
    return {
        "round": round_,
        "applications": apps,
        "objection_open": round_.status == R.NOTICED and today <= round_.objection_deadline,
        "today": today,
    }


# ------------------------------------------------------------------------------------ set-up


@guarded("review.manage")
def create_round(actor: Actor, data: RoundInput) -> ReviewRound:
    """Create a round in draft with its criteria sheet, panel size, load limit, mode and rules."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "请填写评审名称"
    if data.kind not in K.values:
        errors["kind"] = "评审类型不正确"
    if data.mode not in ReviewRound.Mode.values:
        errors["mode"] = "分配方式应为 随机抽取 或 亲和度最优"
    if not 1 <= data.per_app <= 15:
        errors["per_app"] = "每项专家人数应为 1–15"
    if not 1 <= data.max_load <= 100:
        errors["max_load"] = "每位专家上限应为 1–100"
    criteria = _check_criteria(data.criteria, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        round_ = ReviewRound.objects.create(
            name=data.name.strip()[:200],
            kind=data.kind,
            criteria=criteria,
            per_app=data.per_app,
            max_load=data.max_load,
            mode=data.mode,
            same_district=data.same_district,
            created_by_id=actor.user_id,
        )
        audit.record(actor, "create", round_, audit.snapshot(round_))
    return round_


def _node_fields(enterprise: Enterprise) -> list[str]:
    return list(dict.fromkeys(enterprise.nodes.values_list("node", flat=True)))


def _source(kind: str, source_id: int) -> dict[str, Any]:
    """Applicant, title, text and amount of a registry project, a scenario bid or a 技术对接 record."""
    from lianzhang.scenarios.models import Application as Bid
    from lianzhang.scenarios.models import Cooperation

    if kind == K.PROJECT:
        project = Project.objects.select_related("enterprise").filter(pk=source_id).first()
        if project is None:
            raise ValidationError({"source_id": f"项目库没有项目 {source_id}"})
        return {
            "enterprise": project.enterprise,
            "title": project.name,
            "text": project.description,
            "requested_fen": project.budget_fen,
        }
    if kind == K.SCENARIO_BID:
        bid = Bid.objects.select_related("enterprise", "scenario").filter(pk=source_id).first()
        if bid is None:
            raise ValidationError({"source_id": f"没有揭榜申请 {source_id}"})
        return {
            "enterprise": bid.enterprise,
            "title": f"揭榜：{bid.scenario.title}"[:200],
            "text": f"{bid.scenario.description}\n{bid.solution}",
            "requested_fen": bid.price_fen,
            "fields": bid.scenario.node_list,
        }
    if kind == K.COOPERATION:
        # The claim is the local manufacturer's: it paid the AI supplier and asks for the subsidy.
        coop = Cooperation.objects.select_related("manufacturer", "supplier").filter(pk=source_id).first()
        if coop is None:
            raise ValidationError({"source_id": f"没有技术对接记录 {source_id}"})
        return {
            "enterprise": coop.manufacturer,
            "title": f"技术对接：{coop.manufacturer.name} × {coop.supplier.name}（{coop.year}）"[:200],
            "text": coop.description,
            "requested_fen": coop.cost_fen,
        }
    raise ValidationError({"source_kind": "来源应为 项目、揭榜 或 技术对接"})


@guarded("review.manage")
def add_application(actor: Actor, round_id: int, source_kind: str, source_id: int) -> ReviewApplication:
    """Put a registry project, scenario bid or 技术对接 claim into a round; late ones recompute conflicts."""
    with transaction.atomic():
        round_ = _round(round_id, lock=True)
        _need(round_, *ADDABLE)
        if source_kind != round_.kind:
            raise ValidationError({"source_kind": f"本批次为“{round_.get_kind_display()}”，只收同类申请"})
        if round_.applications.filter(source_kind=source_kind, source_id=source_id).exists():
            raise ValidationError({"source_id": "该申请已在本批次中"})
        src = _source(source_kind, source_id)
        late = round_.status in (R.ASSIGNING, R.SCORING) and round_.assigned_at is not None
        app = ReviewApplication.objects.create(
            round=round_,
            enterprise=src["enterprise"],
            title=src["title"],
            text=src["text"],
            fields=src.get("fields") or _node_fields(src["enterprise"]),
            requested_fen=src["requested_fen"],
            source_kind=source_kind,
            source_id=source_id,
            added_late=late,
        )
        audit.record(actor, "create", app, {**audit.snapshot(app), "late": late})
        if round_.status in bridge.OPEN_STATUSES:
            bridge.store_conflicts(round_, [app.pk])
    return app


def _project_sources(ids: list[int]) -> dict[int, dict[str, Any]]:
    """What `_source` gives for registry projects, for many at once (with the enterprises' node fields)."""
    projects = {p.pk: p for p in Project.objects.select_related("enterprise").filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in projects]
    if missing:
        raise ValidationError({"source_id": f"项目库没有项目 {'、'.join(map(str, missing[:20]))}"})
    nodes: dict[int, list[str]] = defaultdict(list)
    # The same order as `_node_fields` (the model's ordering), per enterprise.
    for enterprise_id, node in NodeAssignment.objects.filter(
        enterprise_id__in={p.enterprise_id for p in projects.values()}
    ).values_list("enterprise_id", "node"):
        nodes[enterprise_id].append(node)
    return {
        pk: {
            "enterprise": p.enterprise,
            "title": p.name,
            "text": p.description,
            "requested_fen": p.budget_fen,
            "fields": list(dict.fromkeys(nodes[p.enterprise_id])),
        }
        for pk, p in projects.items()
    }


def _fields_of(kind: str, src: dict[str, Any]) -> list[str]:
    if kind == K.PROJECT:  # `_project_sources` read the node fields already
        return src["fields"]
    return src.get("fields") or _node_fields(src["enterprise"])


@guarded("review.manage")
def add_applications(
    actor: Actor, round_id: int, source_kind: str, source_ids: list[int]
) -> list[ReviewApplication]:
    """Put many projects, bids or 技术对接 claims into a round at once: all of them or none."""
    ids = list(dict.fromkeys(source_ids))
    if len(ids) != len(source_ids):
        raise ValidationError({"source_id": "同一申请列了两次"})
    with transaction.atomic():
        round_ = _round(round_id, lock=True)
        _need(round_, *ADDABLE)
        if source_kind != round_.kind:
            raise ValidationError({"source_kind": f"本批次为“{round_.get_kind_display()}”，只收同类申请"})
        taken = set(
            round_.applications.filter(source_kind=source_kind, source_id__in=ids).values_list(
                "source_id", flat=True
            )
        )
        if taken:
            raise ValidationError({"source_id": f"已在本批次中：{'、'.join(map(str, sorted(taken)[:20]))}"})
        if source_kind == K.PROJECT:
            sources = _project_sources(ids)
        else:
            sources = {pk: _source(source_kind, pk) for pk in ids}
        late = round_.status in (R.ASSIGNING, R.SCORING) and round_.assigned_at is not None
        apps = ReviewApplication.objects.bulk_create(
            [
                ReviewApplication(
                    round=round_,
                    enterprise=sources[pk]["enterprise"],
                    title=sources[pk]["title"],
                    text=sources[pk]["text"],
                    fields=_fields_of(source_kind, sources[pk]),
                    requested_fen=sources[pk]["requested_fen"],
                    source_kind=source_kind,
                    source_id=pk,
                    added_late=late,
                )
                for pk in ids
            ],
            batch_size=500,
        )
        AuditEntry.objects.bulk_create(
            [audit.entry(actor, "create", app, {**audit.snapshot(app), "late": late}) for app in apps],
            batch_size=500,
        )
        if round_.status in bridge.OPEN_STATUSES:
            bridge.store_conflicts(round_, [app.pk for app in apps])
    return apps


@guarded("review.manage")
def start_check(actor: Actor, round_id: int, version: int) -> ReviewRound:
    """Close the intake and begin the formal check (形式审查)."""
    with transaction.atomic():
        round_ = _round(round_id)
        _need(round_, R.DRAFT)
        if not round_.applications.exists():
            raise ValidationError("批次中还没有申请")
        return _move(actor, round_, version, R.CHECKING)


@guarded("review.manage")
def formal_check(actor: Actor, application_id: int, passed: bool, reason: str = "") -> ReviewApplication:
    """Record the formal check of one application; a failure needs its reason."""
    app = ReviewApplication.objects.select_related("round").filter(pk=application_id).first()
    if app is None:
        raise NotFound(f"申请 {application_id} 不存在")
    _need(app.round, R.CHECKING, R.ASSIGNING, R.SCORING)
    if not passed and not reason.strip():
        raise ValidationError({"reason": "不通过时请写明原因"})
    if not passed and app.assignments.filter(status=A.SUBMITTED).exists():
        raise ValidationError("已有专家提交评分，不能再改为不通过")
    with transaction.atomic():
        before = app.check_status
        app.check_status = CHECK.PASSED if passed else CHECK.FAILED
        app.check_reason = reason.strip()[:500]
        app.save(update_fields=["check_status", "check_reason"])
        if not passed:
            app.assignments.all().delete()
        audit.record(
            actor, "formal_check", app, {"check_status": [before, app.check_status], "reason": reason}
        )
        if app.round.status in bridge.OPEN_STATUSES:
            bridge.store_conflicts(app.round, [app.pk])
    return app


@guarded("review.manage")
def formal_check_many(
    actor: Actor, round_id: int, application_ids: list[int], passed: bool, reason: str = ""
) -> int:
    """Record the same formal check for many applications of a round at once; returns how many."""
    round_ = _round(round_id)
    _need(round_, R.CHECKING, R.ASSIGNING, R.SCORING)
    if not passed and not reason.strip():
        raise ValidationError({"reason": "不通过时请写明原因"})
    apps = list(round_.applications.filter(pk__in=list(application_ids)).order_by("pk"))
    if len(apps) != len(set(application_ids)):
        raise ValidationError({"application_ids": "有申请不在本批次中"})
    if not passed:
        scored = Assignment.objects.filter(application__in=apps, status=A.SUBMITTED)
        titles = sorted({a.application.title for a in scored.select_related("application")[:10]})
        if titles:
            raise ValidationError(f"已有专家提交评分，不能再改为不通过：{'、'.join(titles)}")
    status = CHECK.PASSED if passed else CHECK.FAILED
    entries = []
    for app in apps:
        entries.append(
            audit.entry(
                actor, "formal_check", app, {"check_status": [app.check_status, status], "reason": reason}
            )
        )
        app.check_status, app.check_reason = status, reason.strip()[:500]
    with transaction.atomic():
        ReviewApplication.objects.bulk_update(apps, ["check_status", "check_reason"], batch_size=500)
        if not passed:
            Assignment.objects.filter(application__in=apps).delete()
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        if round_.status in bridge.OPEN_STATUSES:
            bridge.store_conflicts(round_, [a.pk for a in apps])
    return len(apps)


@guarded("review.manage")
def pass_pending(actor: Actor, round_id: int) -> int:
    """Pass the formal check of every application still waiting for it; returns how many."""
    round_ = _round(round_id)
    pending = list(round_.applications.filter(check_status=CHECK.PENDING).values_list("pk", flat=True))
    if not pending:
        raise ValidationError("没有待审查的申请")
    return formal_check_many(actor, round_id, pending, True)


@guarded("review.manage")
def open_assignment(actor: Actor, round_id: int, version: int) -> ReviewRound:
    """Finish the formal check and compute the conflicts; every application must have been checked."""
    with transaction.atomic():
        round_ = _round(round_id)
        _need(round_, R.CHECKING)
        if round_.applications.filter(check_status=CHECK.PENDING).exists():
            raise ValidationError("还有申请未完成形式审查")
        if not round_.applications.filter(check_status=CHECK.PASSED).exists():
            raise ValidationError("没有通过形式审查的申请")
        round_ = _move(actor, round_, version, R.ASSIGNING)
        found = bridge.store_conflicts(round_)
        audit.record(actor, "conflicts", round_, {"count": len(found)})
    return round_


@guarded("review.manage")
def compute_conflicts(actor: Actor, round_id: int) -> list[Conflict]:
    """Recompute the round's conflicts from the current pool, registry and declarations."""
    with transaction.atomic():
        round_ = _round(round_id)
        _need(round_, *bridge.OPEN_STATUSES)
        found = bridge.store_conflicts(round_)
        audit.record(actor, "conflicts", round_, {"count": len(found)})
    return found


def _assignment(pk: int) -> Assignment:
    found = Assignment.objects.select_related(
        "application__round", "application__enterprise", "expert"
    ).filter(pk=pk)
    assignment = found.first()
    if assignment is None:
        raise NotFound(f"评审分配 {pk} 不存在")
    return assignment


def _own(actor: Actor, pk: int) -> Assignment:
    """An assignment of the expert behind the actor; anyone else's does not exist for them."""
    assignment = _assignment(pk)
    if assignment.expert.user_id is None or assignment.expert.user_id != actor.user_id:
        raise NotFound(f"评审分配 {pk} 不存在")
    if assignment.application.round.status not in EXPERT_VISIBLE:
        raise NotFound(f"评审分配 {pk} 不存在")
    return assignment


@guarded("review.view")
def final_ranking(actor: Actor, round_id: int) -> list[dict[str, Any]]:
    """The decided ranking of a round, best first (for subsidy programmes): one dict per application."""
    round_ = _round(round_id)
    _need(round_, R.DECIDED, R.NOTICED, R.FINAL)
    apps = (
        round_.applications.exclude(check_status=CHECK.FAILED)
        .select_related("enterprise", "decision")
        .order_by(RANK_ORDER, "pk")
    )
    out = []
    for app in apps:
        decision = getattr(app, "decision", None)
        out.append(
            {
                "enterprise_id": app.enterprise_id,
                "enterprise_name": app.enterprise.name,
                "application_id": app.pk,
                "title": app.title,
                "requested_fen": app.requested_fen,
                "score": app.score,
                "rank": app.rank,
                "decision": None if decision is None else ("approved" if decision.approved else "rejected"),
            }
        )
    # Unranked (unscored) applications last.
    return sorted(out, key=lambda r: (r["rank"] is None, r["rank"] or 0))
