"""择优支持 services: programmes, applications, allocation (rank order or optimal), what-if, 公示."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lianzhang.accounts import audit
from lianzhang.accounts.models import AuditEntry, Department, Role
from lianzhang.accounts.permissions import Actor, allowed, guarded, in_area
from lianzhang.enterprises.models import Enterprise, Tag
from lianzhang.enterprises.records import KNOWN_TAGS
from lianzhang.enterprises.services import NotFound
from lianzhang.regions.models import Region
from lianzhang.reviews import services as review_services
from lianzhang.reviews.engine import subsidy as engine
from lianzhang.reviews.models import ReviewRound
from lianzhang.subsidies.models import ELIGIBILITY_KEYS, AllocationRun, Application, Programme, rule_words

MAX_FEN = 10**14  # 1 万亿元: larger amounts are typing errors
MAX_IMPORT_BYTES = 5 * 1024 * 1024
NOTICE_DAYS = 5  # the usual 公示 period (working days are counted by the office; default is calendar days)
LIST_KEYS = ("districts", "nodes_any", "tags_any", "tags_all", "tags_none")
PARAM_KEYS = ("rate_bp", "cap_fen", "max_count", "budget_fen", "when_short", "objective")
# Headers of the applicant table that name the application (the engine reads the other columns).
TITLE_HEADERS = ("title", "项目名称", "申报事项", "合作项目")


@dataclass
class ProgrammeInput:
    """A programme as the chain office edits it (money in fen, rate in basis points)."""

    name: str
    year: int
    rate_bp: int
    cap_fen: int | None = None
    max_count: int | None = None
    budget_fen: int | None = None
    eligibility: dict[str, Any] = field(default_factory=dict)
    when_short: str = Programme.WhenShort.PARTIAL
    objective: str = Programme.Objective.SCORE
    basis: str = ""
    department_id: int | None = None


@dataclass
class Params:
    """The money parameters of an allocation; a what-if changes some of them."""

    rate_bp: int
    cap_fen: int | None
    max_count: int | None
    budget_fen: int | None
    when_short: str = "partial"
    objective: str = "score"

    @classmethod
    def of(cls, programme: Programme) -> Params:
        """The saved parameters of a programme."""
        return cls(**{k: getattr(programme, k) for k in PARAM_KEYS})

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: getattr(self, k) for k in PARAM_KEYS}


# ------------------------------------------------------------------------------------ validation


def _clean_params(params: Params, errors: dict[str, str]) -> None:
    if not isinstance(params.rate_bp, int) or not 0 < params.rate_bp <= 10000:
        errors["rate_bp"] = "补助比例应在 0.01% 到 100% 之间"
    for key, label in (("cap_fen", "单家每年上限"), ("budget_fen", "年度总预算")):
        value = getattr(params, key)
        if value is not None and not 0 <= value <= MAX_FEN:
            errors[key] = f"{label}应为非负数且不超过 1 万亿元"
    if params.max_count is not None and not 0 < params.max_count <= 100000:
        errors["max_count"] = "每年最多支持家数应为正整数"
    if params.when_short not in Programme.WhenShort.values:
        errors["when_short"] = f"应为 {'/'.join(Programme.WhenShort.values)}"
    if params.objective not in Programme.Objective.values:
        errors["objective"] = f"应为 {'/'.join(Programme.Objective.values)}"


def _clean_eligibility(rules: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """Validated conditions in the engine's vocabulary; unknown codes, nodes and tags are errors."""
    from lianzhang.common.chains import platform_chain

    unknown = set(rules) - set(ELIGIBILITY_KEYS)
    if unknown:
        errors["eligibility"] = f"未知条件：{'、'.join(sorted(unknown))}"
        return {}
    clean: dict[str, Any] = {}
    for key in LIST_KEYS:
        values = rules.get(key) or []
        if isinstance(values, str):
            values = values.replace("，", ",").split(",")
        clean[key] = list(dict.fromkeys(str(v).strip() for v in values if str(v).strip()))
    if clean["districts"]:
        known = set(Region.objects.filter(code__in=clean["districts"]).values_list("code", flat=True))
        missing = [c for c in clean["districts"] if c not in known]
        if missing:
            errors["districts"] = f"未知的区划代码 {'、'.join(missing)}"
    nodes = platform_chain().nodes
    missing = [n for n in clean["nodes_any"] if n not in nodes]
    if missing:
        errors["nodes_any"] = f"产业链没有节点 {'、'.join(missing)}"
    known_tags = set(KNOWN_TAGS) | set(Tag.objects.values_list("name", flat=True))
    for key in ("tags_any", "tags_all", "tags_none"):
        missing = [t for t in clean[key] if t not in known_tags]
        if missing:
            errors[key] = f"未知的企业标签 {'、'.join(missing)}"
    for key in ("min_age_years", "max_age_years"):
        value = rules.get(key)
        if value in (None, ""):
            clean[key] = None
        elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 200:
            clean[key] = value
        else:
            errors[key] = "成立年限应为 0–200 的整数"
    low, high = clean.get("min_age_years"), clean.get("max_age_years")
    if low is not None and high is not None and low > high:
        errors["max_age_years"] = "最长成立年限不能小于最短成立年限"
    value = rules.get("min_score")
    clean["min_score"] = None
    if value not in (None, ""):
        try:
            score = Decimal(str(value))
            if not score.is_finite() or not 0 <= score <= 1000:
                raise InvalidOperation
            clean["min_score"] = str(score)
        except InvalidOperation:
            errors["min_score"] = "最低得分应为 0–1000 的数字"
    return {k: v for k, v in clean.items() if v not in (None, [])}


def _clean_programme(data: ProgrammeInput) -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "请填写项目名称"
    if not 2000 <= data.year <= 2100:
        errors["year"] = "年度应在 2000–2100 之间"
    params = Params(
        data.rate_bp, data.cap_fen, data.max_count, data.budget_fen, data.when_short, data.objective
    )
    _clean_params(params, errors)
    eligibility = _clean_eligibility(dict(data.eligibility or {}), errors)
    if data.department_id is not None and not Department.objects.filter(pk=data.department_id).exists():
        errors["department_id"] = "未知的部门"
    values = {
        "name": data.name.strip(),
        "year": data.year,
        "basis": data.basis.strip(),
        "eligibility": eligibility,
        "department_id": data.department_id,
        **params.as_dict(),
    }
    return values, errors


# ------------------------------------------------------------------------------------ programmes


@guarded("subsidy.view")
def list_programmes(actor: Actor, year: int | None = None) -> QuerySet[Programme]:
    """Every programme (the programmes are citywide; what a district sees of their rows is scoped)."""
    qs = Programme.objects.select_related("department")
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "name", "id")


@guarded("subsidy.view")
def get_programme(actor: Actor, pk: int) -> Programme:
    """One programme."""
    found = Programme.objects.select_related("department").filter(pk=pk).first()
    if found is None:
        raise NotFound(f"择优支持项目 {pk} 不存在")
    return found


@guarded("subsidy.manage")
def create_programme(actor: Actor, data: ProgrammeInput) -> Programme:
    """Create a programme as a draft; raise ValidationError naming each bad field."""
    values, errors = _clean_programme(data)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        programme = Programme.objects.create(created_by_id=actor.user_id, **values)
        audit.record(actor, "create", programme, audit.snapshot(programme))
    return programme


@guarded("subsidy.manage")
def update_programme(actor: Actor, pk: int, version: int, data: ProgrammeInput) -> Programme:
    """Edit a programme (optimistic locking: a stale version raises StaleEdit and writes nothing)."""
    programme = get_programme(actor, pk)
    values, errors = _clean_programme(data)
    if programme.year != data.year and programme.runs.filter(status=AllocationRun.Status.CONFIRMED).exists():
        errors["year"] = "已有确认的分配结果，不能修改年度"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = audit.snapshot(programme)
        programme.version = version
        for name, value in values.items():
            setattr(programme, name, value)
        programme.save()
        audit.record(actor, "update", programme, audit.diff(before, audit.snapshot(programme)))
    return programme


@guarded("subsidy.manage")
def set_programme_status(actor: Actor, pk: int, version: int, status: str) -> Programme:
    """Open, close or reopen a programme."""
    programme = get_programme(actor, pk)
    if status not in Programme.Status.values:
        raise ValidationError({"status": f"未知状态 {status}"})
    with transaction.atomic():
        before = programme.status
        programme.version = version
        programme.status = status
        programme.save()
        audit.record(actor, f"status:{status}", programme, {"status": [before, status]})
    return programme


@guarded("subsidy.manage")
def delete_programme(actor: Actor, pk: int, version: int) -> None:
    """Delete a programme that has no confirmed allocation (published results stay on record)."""
    programme = get_programme(actor, pk)
    if programme.runs.filter(status=AllocationRun.Status.CONFIRMED).exists():
        raise ValidationError("该项目已有确认的分配结果，不能删除")
    if programme.version != version:
        raise ValidationError("该项目已被他人修改，请刷新后再删除")
    with transaction.atomic():
        audit.record(actor, "delete", programme, audit.snapshot(programme))
        programme.delete()


# ------------------------------------------------------------------------------------ applications


def _pending(programme: Programme) -> list[Application]:
    return list(
        programme.applications.filter(decided_run__isnull=True)
        .select_related("enterprise")
        .prefetch_related("enterprise__tags", "enterprise__nodes")
        .order_by("id")
    )


def _table(content: bytes, filename: str) -> list[dict[str, str]]:
    """The rows of an uploaded table as header → text (for the columns the engine does not read)."""
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # the engine reports the unreadable file with its row and column
            return []
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        return [
            {h: "" if v is None else str(v).strip() for h, v in zip(header, row, strict=False)}
            for row in rows
        ]
    return [
        {
            str(k or "").strip().lstrip("\ufeff"): (v or "").strip()
            for k, v in row.items()
            if isinstance(v, str)
        }
        for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig", errors="replace")))
    ]


def _read_applicants(content: bytes, filename: str) -> list[engine.Applicant]:
    try:
        if filename.lower().endswith(".xlsx"):
            return engine.read_applicants_xlsx(content)
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(
                ["第 1 行 [文件] 不是 UTF-8 编码的 CSV（请另存为 UTF-8 CSV 或 XLSX）"]
            ) from None
        return engine.read_applicants_csv(text)
    except engine.ApplicantsError as exc:
        raise ValidationError([str(e) for e in exc.errors]) from None


def _id_column(rows: list[dict[str, str]]) -> str:
    """The header the user wrote for the enterprise column (errors name the user's own column)."""
    for name in rows[0] if rows else ():
        if engine.COLUMNS.get(name) == "applicant_id":
            return name
    return "applicant_id"


def _enterprises_for(keys: list[str]) -> dict[str, Enterprise]:
    codes = [k.upper() for k in keys if len(k) == 18]
    ids = [int(k) for k in keys if k.isdigit() and len(k) < 18]
    found: dict[str, Enterprise] = {
        e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=codes)
    }
    found.update({str(e.pk): e for e in Enterprise.objects.filter(pk__in=ids)})
    return found


def _title(row: dict[str, str]) -> str:
    return next((row[h] for h in TITLE_HEADERS if row.get(h)), "")[:200]


def _bulk_create(actor: Actor, programme: Programme, items: list[Application], how: str) -> list[Application]:
    created = Application.objects.bulk_create(items)
    if created and created[0].pk is None:  # backends without RETURNING: read the new rows back
        created = list(programme.applications.order_by("-id")[: len(items)])[::-1]
    AuditEntry.objects.bulk_create([audit.entry(actor, "create", a, audit.snapshot(a)) for a in created])
    audit.record(actor, how, programme, {"applications": len(created)})
    return created


@guarded("subsidy.manage")
def import_applications(
    actor: Actor, programme_id: int, content: bytes, filename: str, replace: bool = False
) -> list[Application]:
    """Import applications from CSV or XLSX (credit code or enterprise id, cost, score or rank); all rows
    or none, every error naming its row, column and reason. `replace` drops the undecided ones first."""
    programme = get_programme(actor, programme_id)
    if len(content) > MAX_IMPORT_BYTES:
        raise ValidationError(["第 1 行 [文件] 文件超过 5 MB"])
    applicants = _read_applicants(content, filename)
    rows = _table(content, filename)
    column = _id_column(rows)
    enterprises = _enterprises_for([a.id.strip() for a in applicants])
    problems: list[str] = []
    items: list[Application] = []
    for a in applicants:
        enterprise = enterprises.get(a.id.strip().upper()) or enterprises.get(a.id.strip())
        if enterprise is None:
            problems.append(
                str(engine.RowError(a.row, column, f"{a.id} 不在企业库中（填统一社会信用代码或企业编号）"))
            )
            continue
        if not 0 < a.cost_fen <= MAX_FEN:
            problems.append(str(engine.RowError(a.row, "cost", "费用应大于 0 且不超过 1 万亿元")))
            continue
        if a.score is not None and not Decimal(-100000) < a.score < Decimal(100000):
            problems.append(str(engine.RowError(a.row, "score", "得分超出范围")))
            continue
        title = _title(rows[a.row - 2]) if 0 <= a.row - 2 < len(rows) else ""
        items.append(
            Application(
                programme=programme,
                enterprise=enterprise,
                title=title,
                cost_fen=a.cost_fen,
                score=a.score.quantize(Decimal("0.01")) if a.score is not None else None,
                rank=a.rank,
                source="导入",
                created_by_id=actor.user_id,
            )
        )
    if problems:
        raise ValidationError(problems)
    if not items:
        raise ValidationError(["第 2 行 [文件] 表中没有申报数据"])
    with transaction.atomic():
        if replace:
            dropped = programme.applications.filter(decided_run__isnull=True)
            audit.record(actor, "applications:replace", programme, {"dropped": dropped.count()})
            dropped.delete()
        return _bulk_create(actor, programme, items, "applications:import")


@guarded("subsidy.manage")
def add_ranked_applicants(
    actor: Actor, programme_id: int, rows: list[dict], source: str = "专家评审"
) -> list[Application]:
    """Add a review round's final ranking: dicts with enterprise_id, title, requested_fen, score, rank.

    All rows or none; a bad row raises ValidationError naming its position and field."""
    programme = get_programme(actor, programme_id)
    ids = {r.get("enterprise_id") for r in rows}
    known = set(
        Enterprise.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", flat=True)
    )
    problems: list[str] = []
    items: list[Application] = []
    for number, row in enumerate(rows, start=1):
        before = len(problems)
        ident = row.get("enterprise_id")
        if not isinstance(ident, int) or isinstance(ident, bool) or ident not in known:
            problems.append(f"第 {number} 条 [enterprise_id] 企业 {ident} 不在企业库中")
        cost = row.get("requested_fen")
        if not isinstance(cost, int) or isinstance(cost, bool) or not 0 < cost <= MAX_FEN:
            problems.append(f"第 {number} 条 [requested_fen] 申请金额应为正整数（分）")
        score = row.get("score")
        if score is not None and not (
            isinstance(score, Decimal | int) and Decimal(score).is_finite() and abs(score) < 100000
        ):
            problems.append(f"第 {number} 条 [score] 得分应为 -100000 到 100000 之间的数字")
        rank = row.get("rank")
        if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool) or rank < 1):
            problems.append(f"第 {number} 条 [rank] 排名应为正整数")
        if len(problems) == before:
            items.append(
                Application(
                    programme=programme,
                    enterprise_id=ident,
                    title=str(row.get("title") or "")[:200],
                    cost_fen=cost,
                    score=None if score is None else Decimal(score).quantize(Decimal("0.01")),
                    rank=rank,
                    source=source[:60] or "专家评审",
                    created_by_id=actor.user_id,
                )
            )
    if problems:
        raise ValidationError(problems)
    if not items:
        return []
    with transaction.atomic():
        return _bulk_create(actor, programme, items, "applications:ranked")


@guarded("subsidy.manage")
def rounds_to_import(actor: Actor) -> list[ReviewRound]:
    """Review rounds whose decisions are final (公示 over), which a programme can take applicants from."""
    return list(ReviewRound.objects.filter(status=ReviewRound.Status.FINAL).order_by("-id")[:50])


@guarded("subsidy.manage")
def import_review_round(actor: Actor, programme_id: int, round_id: int) -> list[Application]:
    """Add the applications a final review round approved, with their scores, ranks and requested amounts.

    Only a final round counts: money follows decisions that have stood their 公示. A round is taken
    once per programme."""
    round_ = ReviewRound.objects.filter(pk=round_id).first()
    if round_ is None:
        raise NotFound(f"评审 {round_id} 不存在")
    if round_.status != ReviewRound.Status.FINAL:
        state = round_.get_status_display()
        raise ValidationError(f"评审“{round_.name}”尚未定案（当前：{state}），公示期满定案后才能导入")
    source = f"专家评审：{round_.name}"[:60]
    if Application.objects.filter(programme_id=programme_id, source=source).exists():
        raise ValidationError(f"评审“{round_.name}”的结果已导入本项目")
    rows = [r for r in review_services.final_ranking(actor, round_id) if r["decision"] == "approved"]
    if not rows:
        raise ValidationError(f"评审“{round_.name}”没有决定支持的申请")
    return add_ranked_applicants(actor, programme_id, rows, source=source)


# ------------------------------------------------------------------------------------ allocation


@dataclass
class Granted:
    """What confirmed runs of a programme already granted this year."""

    by_enterprise: dict[int, int]
    total_fen: int

    @property
    def count(self) -> int:
        """Enterprises funded so far."""
        return sum(1 for v in self.by_enterprise.values() if v > 0)


def _granted(programme: Programme, exclude_run: int | None = None) -> Granted:
    by_enterprise: dict[int, int] = {}
    runs = programme.runs.filter(status=AllocationRun.Status.CONFIRMED)
    if exclude_run:
        runs = runs.exclude(pk=exclude_run)
    for result in runs.values_list("result", flat=True):
        for row in result:
            if row.get("funded"):
                by_enterprise[row["enterprise_id"]] = (
                    by_enterprise.get(row["enterprise_id"], 0) + row["amount_fen"]
                )
    return Granted(by_enterprise, sum(by_enterprise.values()))


def _eligibility(rules: dict[str, Any]) -> engine.Eligibility:
    return engine.Eligibility(
        **{k: tuple(rules.get(k) or ()) for k in LIST_KEYS},
        min_age_years=rules.get("min_age_years"),
        max_age_years=rules.get("max_age_years"),
        min_score=None if rules.get("min_score") is None else Decimal(str(rules["min_score"])),
    )


def _engine_programme(programme: Programme, params: Params, granted: Granted) -> engine.Programme:
    """The engine's programme for this run: budget and count reduced by what was already granted."""
    budget = None if params.budget_fen is None else max(0, params.budget_fen - granted.total_fen)
    count = None if params.max_count is None else max(0, params.max_count - granted.count)
    return engine.Programme(
        id=str(programme.pk),
        name=programme.name,
        year=programme.year,
        rate_bp=params.rate_bp,
        cap_fen=params.cap_fen,
        max_count=count,
        budget_fen=budget,
        eligibility=_eligibility(programme.eligibility or {}),
        when_short=params.when_short,
        objective=params.objective,
    )


def applicant_of(application: Application, row: int, granted_fen: int = 0) -> engine.Applicant:
    """The engine's applicant from registry fields: division code, chain nodes, tags, founding year."""
    enterprise = application.enterprise
    return engine.Applicant(
        id=str(enterprise.pk),
        name=enterprise.name,
        cost_fen=application.cost_fen,
        score=application.score,
        rank=application.rank,
        district=enterprise.division_id,
        nodes=tuple(sorted({n.node for n in enterprise.nodes.all()})),
        tags=tuple(t.name for t in enterprise.tags.all()),
        founded_year=enterprise.founded_on.year if enterprise.founded_on else None,
        granted_fen=granted_fen,
        row=row,
    )


@dataclass
class Computed:
    """One allocation over the undecided applications, as rows for pages, JSON and exports."""

    allocation: engine.Allocation
    rows: list[dict[str, Any]]
    params: Params
    granted: Granted
    basis: str
    note: str

    @property
    def total_fen(self) -> int:
        """Sum paid in this allocation."""
        return self.allocation.total_fen

    @property
    def funded_count(self) -> int:
        """Enterprises funded in this allocation."""
        return len({r["enterprise_id"] for r in self.rows if r["funded"]})

    def summary(self) -> dict[str, Any]:
        """Totals, including what was granted before."""
        budget = self.params.budget_fen
        return {
            **self.allocation.summary(),
            "funded_count": self.funded_count,
            "granted_before_fen": self.granted.total_fen,
            "granted_before_count": self.granted.count,
            "budget_fen": budget,
            "remaining_fen": None if budget is None else budget - self.granted.total_fen - self.total_fen,
            "note": self.note,
        }


def _fingerprint(apps: list[Application], granted: Granted, params: Params, version: int) -> str:
    payload = {
        "apps": [[a.pk, a.enterprise_id, a.cost_fen, str(a.score), a.rank, a.version] for a in apps],
        "granted": sorted(granted.by_enterprise.items()),
        "params": params.as_dict(),
        "version": version,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _compute(
    programme: Programme, params: Params, mode: str, apps: list[Application] | None = None
) -> Computed:
    apps = _pending(programme) if apps is None else apps
    granted = _granted(programme)
    spec = _engine_programme(programme, params, granted)
    applicants = [
        applicant_of(a, i, granted.by_enterprise.get(a.enterprise_id, 0)) for i, a in enumerate(apps, 1)
    ]
    allocation = (
        engine.allocate_optimal(spec, applicants)
        if mode == "optimal"
        else engine.allocate_by_rank(spec, applicants)
    )
    by_row = {i: a for i, a in enumerate(apps, 1)}
    rows = []
    # The engine's awards follow its review order; rank_order gives the same order of the applicants.
    for applicant, award in zip(engine.rank_order(applicants), allocation.awards, strict=True):
        app = by_row[applicant.row]
        rule = award.rule
        if granted.count and spec.max_count is not None:
            # The engine counts this batch only; say the yearly limit as the programme states it.
            rule = rule.replace(
                f"本年支持数量已满 {spec.max_count} 家",
                f"本年支持数量已满 {params.max_count} 家（此前批次已确认 {granted.count} 家）",
            )
        rows.append(
            {
                "application_id": app.pk,
                "enterprise_id": app.enterprise_id,
                "enterprise": app.enterprise.name,
                "credit_code": app.enterprise.credit_code,
                "district": app.enterprise.division_id,
                "title": app.title,
                "source": app.source,
                "cost_fen": app.cost_fen,
                "score": None if app.score is None else str(app.score),
                "rank": app.rank,
                "order": award.order,
                "eligible": award.eligible,
                "funded": award.funded,
                "amount_fen": award.amount_fen,
                "by_rule_fen": award.by_rule_fen,
                "rule": rule,
                "reasons": engine.ineligibility(spec, applicant),
            }
        )
    note = allocation.note
    if granted.total_fen:
        note += (
            f"；本年此前已确认支持 {granted.count} 家、{engine.format_yuan(granted.total_fen)} 元，"
            "已计入单家上限、预算和家数"
        )
    ranked = sum(1 for a in apps if a.rank is not None)
    if 0 < ranked < len(apps):
        # The engine orders by rank only when every application has one; say so instead of mixing silently.
        note += f"；{len(apps) - ranked} 条申报没有排名，全部按得分从高到低排序（排名未使用）"
    basis = _fingerprint(apps, granted, params, programme.version)
    return Computed(allocation, rows, params, granted, basis, note)


def _scope_rows(actor: Actor, rows: list[dict]) -> list[dict]:
    """A district officer sees the rows of its own area; the totals stay citywide."""
    if actor.role == Role.DISTRICT:
        return [r for r in rows if in_area(actor, r["district"])]
    return rows


@guarded("subsidy.view")
def programme_detail(actor: Actor, pk: int) -> dict[str, Any]:
    """A programme with its undecided applications (eligibility and reasons), runs and what was granted."""
    programme = get_programme(actor, pk)
    apps = _pending(programme)
    computed = _compute(programme, Params.of(programme), "rank", apps)
    decided = programme.applications.filter(decided_run__isnull=False).count()
    return {
        "programme": programme,
        "rows": _scope_rows(actor, sorted(computed.rows, key=lambda r: r["order"])),
        "summary": computed.summary(),
        "decided_count": decided,
        "runs": list(programme.runs.select_related("created_by").order_by("-created_at", "-id")[:50]),
        "can_manage": allowed(actor, "subsidy.manage"),
        "can_preview": allowed(actor, "subsidy.preview"),
        "can_export": allowed(actor, "subsidy.export"),
        "review_rounds": rounds_to_import(actor) if allowed(actor, "subsidy.manage") else [],
    }


def _parse_overrides(programme: Programme, overrides: dict[str, Any] | None) -> Params:
    params = Params.of(programme)
    for key, value in (overrides or {}).items():
        if key not in PARAM_KEYS:
            raise ValidationError({key: "不能试算的参数"})
        setattr(params, key, value)
    errors: dict[str, str] = {}
    _clean_params(params, errors)
    if errors:
        raise ValidationError(errors)
    return params


def _compare(saved: Computed, trial: Computed) -> dict[str, Any]:
    """Who gains and who loses under the trial parameters, by application, and the totals."""
    before = {r["application_id"]: r for r in saved.rows}
    changes = []
    for row in trial.rows:
        old = before.get(row["application_id"], {"amount_fen": 0, "funded": False})
        delta = row["amount_fen"] - old["amount_fen"]
        if delta:
            changes.append(
                {
                    "application_id": row["application_id"],
                    "enterprise_id": row["enterprise_id"],
                    "district": row["district"],
                    "enterprise": row["enterprise"],
                    "order": row["order"],
                    "saved_fen": old["amount_fen"],
                    "trial_fen": row["amount_fen"],
                    "delta_fen": delta,
                    "change": "新获支持"
                    if not old["funded"] and row["funded"]
                    else "不再支持"
                    if old["funded"] and not row["funded"]
                    else "增加"
                    if delta > 0
                    else "减少",
                }
            )
    changes.sort(key=lambda c: c["order"])
    return {
        "gains": [c for c in changes if c["delta_fen"] > 0],
        "losses": [c for c in changes if c["delta_fen"] < 0],
        "saved_total_fen": saved.total_fen,
        "trial_total_fen": trial.total_fen,
        "delta_total_fen": trial.total_fen - saved.total_fen,
        "saved_count": saved.funded_count,
        "trial_count": trial.funded_count,
    }


@guarded("subsidy.preview")
def preview_allocation(
    actor: Actor, programme_id: int, overrides: dict[str, Any] | None = None, mode: str = "rank"
) -> dict[str, Any]:
    """What-if: the allocation under changed rate, cap, budget or count, compared with the saved
    parameters (who gains, who loses, totals). Nothing is written."""
    if mode not in AllocationRun.Mode.values:
        raise ValidationError({"mode": "分配方式应为 rank 或 optimal"})
    programme = get_programme(actor, programme_id)
    trial_params = _parse_overrides(programme, overrides)
    apps = _pending(programme)
    saved = _compute(programme, Params.of(programme), mode, apps)
    trial = _compute(programme, trial_params, mode, apps)
    return {
        "programme": programme,
        "mode": mode,
        "params": trial_params.as_dict(),
        "rule_text": rule_words(
            trial_params.rate_bp, trial_params.cap_fen, trial_params.max_count, trial_params.budget_fen
        ),
        "rows": trial.rows,
        "summary": trial.summary(),
        "saved_summary": saved.summary(),
        "comparison": _compare(saved, trial),
    }


@guarded("subsidy.manage")
def run_allocation(actor: Actor, programme_id: int, mode: str = "rank") -> AllocationRun:
    """Allocate the undecided applications by rank order or optimally and save it as a preview run,
    with the difference from the other method explained."""
    if mode not in AllocationRun.Mode.values:
        raise ValidationError({"mode": "分配方式应为 rank 或 optimal"})
    programme = get_programme(actor, programme_id)
    apps = _pending(programme)
    if not apps:
        raise ValidationError("该项目没有待分配的申报")
    params = Params.of(programme)
    by_rank = _compute(programme, params, "rank", apps)
    optimal = _compute(programme, params, "optimal", apps)
    chosen = optimal if mode == "optimal" else by_rank
    difference = engine.explain_difference(by_rank.allocation, optimal.allocation)
    with transaction.atomic():
        run = AllocationRun.objects.create(
            programme=programme,
            programme_version=programme.version,
            mode=mode,
            params=params.as_dict(),
            result=chosen.rows,
            summary=chosen.summary(),
            difference=difference,
            basis=chosen.basis,
            total_fen=chosen.total_fen,
            funded_count=chosen.funded_count,
            note=chosen.note,
            created_by_id=actor.user_id,
        )
        audit.record(
            actor, "allocate", run, {"mode": mode, "total_fen": run.total_fen, "funded": run.funded_count}
        )
    return run


def _get_run(pk: int) -> AllocationRun:
    run = (
        AllocationRun.objects.select_related("programme", "created_by", "confirmed_by").filter(pk=pk).first()
    )
    if run is None:
        raise NotFound(f"分配结果 {pk} 不存在")
    return run


@guarded("subsidy.view")
def run_detail(actor: Actor, pk: int) -> dict[str, Any]:
    """One allocation run with the rows the actor may see."""
    run = _get_run(pk)
    return {
        "run": run,
        "programme": run.programme,
        "rows": _scope_rows(actor, run.result),
        "can_confirm": allowed(actor, "subsidy.manage") and run.status == AllocationRun.Status.PREVIEW,
        "can_export": allowed(actor, "subsidy.export"),
        "default_notice_start": timezone.localdate(),
        "default_objection_deadline": timezone.localdate() + timedelta(days=NOTICE_DAYS),
    }


@guarded("subsidy.manage")
def confirm_run(
    actor: Actor, pk: int, version: int, notice_start: date, objection_deadline: date | None = None
) -> AllocationRun:
    """Confirm a preview run: its applications are decided, its grants count against later caps, and it
    is published for 公示 from `notice_start`. Refused when anything it was computed from has changed."""
    objection_deadline = objection_deadline or notice_start + timedelta(days=NOTICE_DAYS)
    with transaction.atomic():
        run = _get_run(pk)
        # Checked inside the transaction with the programme locked, so that two runs of one programme
        # confirmed at the same moment cannot both pass the check and pay twice.
        programme = Programme.objects.select_for_update().get(pk=run.programme_id)
        errors: dict[str, str] = {}
        if run.status != AllocationRun.Status.PREVIEW:
            errors["__all__"] = "该结果已确认"
        elif programme.status == Programme.Status.DRAFT:
            errors["__all__"] = "草稿状态的项目不能确认分配结果，请先开始受理"
        elif programme.version != run.programme_version:
            errors["__all__"] = "项目参数在计算后已修改，请重新计算"
        elif (
            _fingerprint(_pending(programme), _granted(programme), Params(**run.params), programme.version)
            != run.basis
        ):
            errors["__all__"] = "申报或已确认的结果在计算后有变化，请重新计算"
        if objection_deadline < notice_start:
            errors["objection_deadline"] = "异议截止日期不能早于公示开始日期"
        if errors:
            raise ValidationError(errors)
        run.version = version
        run.status = AllocationRun.Status.CONFIRMED
        run.confirmed_by_id = actor.user_id
        run.confirmed_at = timezone.now()
        run.notice_start = notice_start
        run.objection_deadline = objection_deadline
        run.save()
        ids = [r["application_id"] for r in run.result]
        Application.objects.filter(pk__in=ids, decided_run__isnull=True).update(decided_run=run)
        audit.record(
            actor,
            "confirm",
            run,
            {
                "total_fen": run.total_fen,
                "funded": run.funded_count,
                "notice_start": notice_start,
                "objection_deadline": objection_deadline,
            },
        )
    return run


# ------------------------------------------------------------------------------------ 公示 and exports


def public_notices() -> QuerySet[AllocationRun]:
    """Confirmed runs whose 公示 has begun, for everyone without login (no actor: nothing is restricted)."""
    return (
        AllocationRun.objects.filter(
            status=AllocationRun.Status.CONFIRMED, notice_start__lte=timezone.localdate()
        )
        .select_related("programme")
        .order_by("-notice_start", "-id")
    )


def public_notice(pk: int) -> AllocationRun:
    """One published 公示 list, or NotFound (unconfirmed or not yet published runs do not exist publicly)."""
    found = public_notices().filter(pk=pk).first()
    if found is None:
        raise NotFound(f"公示 {pk} 不存在或尚未开始")
    return found


@guarded("subsidy.export")
def export_run(actor: Actor, pk: int, fmt: str) -> tuple[str, str, bytes]:
    """The 公示 list of a run as (filename, content type, bytes), in xlsx or pdf."""
    from lianzhang.subsidies import exports

    run = _get_run(pk)
    if fmt == "xlsx":
        content = exports.notice_workbook(run)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        content, kind = exports.notice_pdf(run), "application/pdf"
    else:
        raise NotFound(f"不支持的导出格式 {fmt}")
    audit.record(actor, f"export:{fmt}", run, {"rows": len(run.funded_rows)})
    return f"subsidy-notice-{run.programme.year}-{run.pk}.{fmt}", kind, content


# ------------------------------------------------------------------------------------ enterprises


@guarded("subsidy.mine")
def my_applications(actor: Actor) -> list[dict[str, Any]]:
    """The actor's own enterprise's applications and, once a run is confirmed, its result and rule."""
    if not actor.enterprise_id:
        raise PermissionDenied("只有企业用户有本企业的申报")
    apps = (
        Application.objects.filter(enterprise_id=actor.enterprise_id)
        .select_related("programme", "decided_run")
        .order_by("-programme__year", "programme__name", "id")
    )
    out = []
    for app in apps:
        run = app.decided_run
        row = None
        if run is not None and run.status == AllocationRun.Status.CONFIRMED:
            row = next((r for r in run.result if r["application_id"] == app.pk), None)
        out.append(
            {
                "application": app,
                "programme": app.programme,
                "decided": row is not None,
                "funded": bool(row and row["funded"]),
                "amount_fen": row["amount_fen"] if row else None,
                "rule": row["rule"] if row else "",
                "notice_start": run.notice_start if row else None,
                "objection_deadline": run.objection_deadline if row else None,
            }
        )
    return out
