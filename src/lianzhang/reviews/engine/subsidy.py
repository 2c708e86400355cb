"""Subsidy programmes as data, eligibility by rule, and allocation by rank order or as an optimal choice.

Arithmetic is in integer fen. A subsidy is cost × rate rounded down to the fen (the rule never pays
more than its rate), then limited by the per-enterprise yearly cap, the yearly count and the budget.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from lianzhang.reviews.engine.money import MoneyError, format_yuan, parse_fen, yuan_to_fen

WHEN_SHORT = {
    "partial": "按预算余额支持（通常做法）",
    "skip": "跳过，继续支持后面金额放得下的申请",
    "stop": "停止分配",
}
OBJECTIVES = {"score": "入选申请得分之和最大", "count": "支持家数最多"}


class ProgrammeError(ValueError):
    """A programme definition that cannot be used, naming the key."""


@dataclass(frozen=True)
class RowError:
    """One bad cell of the applicant table."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 [{self.column}] {self.reason}"


class ApplicantsError(ValueError):
    """Every problem found in an applicant table (nothing is allocated when there is any)."""

    def __init__(self, errors: Sequence[RowError]) -> None:
        super().__init__("；".join(str(e) for e in errors[:20]))
        self.errors = list(errors)


@dataclass(frozen=True)
class Eligibility:
    """Conditions on registry fields; an empty condition admits everyone."""

    districts: tuple[str, ...] = ()
    nodes_any: tuple[str, ...] = ()
    tags_any: tuple[str, ...] = ()
    tags_all: tuple[str, ...] = ()
    tags_none: tuple[str, ...] = ()
    min_age_years: int | None = None
    max_age_years: int | None = None
    min_score: Decimal | None = None


@dataclass(frozen=True)
class Programme:
    """A subsidy programme (e.g. 30% of cost, at most 2,000,000 yuan a firm a year, at most 10 firms)."""

    id: str
    name: str
    year: int
    rate_bp: int  # basis points: 3000 = 30%
    cap_fen: int | None
    max_count: int | None
    budget_fen: int | None
    eligibility: Eligibility = field(default_factory=Eligibility)
    when_short: str = "partial"
    objective: str = "score"

    @property
    def rate_label(self) -> str:
        """The rate as people write it, e.g. '30%' or '12.5%'."""
        return f"{(Decimal(self.rate_bp) / 100).normalize():f}%"


def _list(value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list):
        raise ProgrammeError(f"{key} 应为列表")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _optional_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ProgrammeError(f"{key} 应为非负整数")
    return value


# Other spellings of the programme keys that people write (the first name of each list is canonical).
KEY_ALIASES = {
    "cap_per_enterprise": ("cap_per_enterprise", "cap_per_enterprise_per_year", "cap", "max_per_enterprise"),
    "budget": ("budget", "total_budget"),
    "max_count": ("max_count", "max_enterprises", "max_count_per_year", "max_per_year"),
}


def _aliased(data: Mapping[str, Any], stem: str, suffix: str) -> Any:
    found = [
        (name, data[f"{name}{suffix}"])
        for name in KEY_ALIASES[stem]
        if data.get(f"{name}{suffix}") is not None
    ]
    if len(found) > 1:
        raise ProgrammeError(f"{'、'.join(n + suffix for n, _ in found)} 只能写一个")
    return found[0][1] if found else None


def _money(data: Mapping[str, Any], stem: str) -> int | None:
    fen, yuan = _aliased(data, stem, "_fen"), _aliased(data, stem, "_yuan")
    if fen is not None and yuan is not None:
        raise ProgrammeError(f"{stem}_fen 与 {stem}_yuan 只能写一个")
    try:
        if fen is not None:
            return parse_fen(fen)
        if yuan is not None:
            return yuan_to_fen(yuan)
    except MoneyError as exc:
        raise ProgrammeError(f"{stem}: {exc}") from None
    return None


def _rate_bp(data: Mapping[str, Any]) -> int:
    """The rate in basis points from rate_percent (30, "30%") or rate (0.3 as a fraction, or "30%")."""
    percent, rate = data.get("rate_percent"), data.get("rate")
    if percent is None and rate is None:
        raise ProgrammeError("缺少 rate_percent（补助比例，如 30）")
    if percent is not None and rate is not None:
        raise ProgrammeError("rate_percent 与 rate 只能写一个")
    text = str(percent if percent is not None else rate).strip()
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise ProgrammeError(f"补助比例应为数字，如 30 或 0.3，实为 {text!r}") from None
    if percent is None and not text.endswith("%") and value <= 1:
        value *= 100  # rate: 0.3 is a fraction
    bp = value * 100
    if not (0 < bp <= 10000) or bp != bp.to_integral_value():
        raise ProgrammeError("补助比例应在 0 到 100% 之间，最多两位小数")
    return int(bp)


def programme_from_dict(data: Any) -> Programme:
    """Build a programme from parsed YAML; raise ProgrammeError naming the bad key."""
    if not isinstance(data, Mapping):
        raise ProgrammeError("文件内容应为键值映射")
    rate_bp = _rate_bp(data)
    # id, name and year label the result; a programme file with only the money rules is still usable.
    year = data.get("year", date.today().year)
    if not isinstance(year, int) or not 1900 < year < 3000:
        raise ProgrammeError("year 应为年份，如 2025")
    rules = data.get("eligibility") or {}
    if not isinstance(rules, Mapping):
        raise ProgrammeError("eligibility 应为键值映射")
    unknown = set(rules) - set(Eligibility.__dataclass_fields__)
    if unknown:
        raise ProgrammeError(f"eligibility 中有未知条件：{', '.join(sorted(unknown))}")
    try:
        min_score = None if rules.get("min_score") is None else Decimal(str(rules["min_score"]))
    except InvalidOperation:
        raise ProgrammeError("eligibility.min_score 应为数字") from None
    eligibility = Eligibility(
        districts=_list(rules.get("districts"), "districts"),
        nodes_any=_list(rules.get("nodes_any"), "nodes_any"),
        tags_any=_list(rules.get("tags_any"), "tags_any"),
        tags_all=_list(rules.get("tags_all"), "tags_all"),
        tags_none=_list(rules.get("tags_none"), "tags_none"),
        min_age_years=_optional_int(rules, "min_age_years"),
        max_age_years=_optional_int(rules, "max_age_years"),
        min_score=min_score,
    )
    when_short = data.get("when_short", "partial")
    if when_short not in WHEN_SHORT:
        raise ProgrammeError(f"when_short 应为 {'/'.join(WHEN_SHORT)}")
    objective = data.get("objective", "score")
    if objective not in OBJECTIVES:
        raise ProgrammeError(f"objective 应为 {'/'.join(OBJECTIVES)}")
    max_count = _aliased(data, "max_count", "")
    return Programme(
        id=str(data.get("id") or "programme"),
        name=str(data.get("name") or data.get("id") or "补助项目"),
        year=year,
        rate_bp=rate_bp,
        cap_fen=_money(data, "cap_per_enterprise"),
        max_count=_optional_int({"max_count": max_count}, "max_count"),
        budget_fen=_money(data, "budget"),
        eligibility=eligibility,
        when_short=when_short,
        objective=objective,
    )


def load_programme(text: str) -> Programme:
    """Parse a programme from YAML text."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ProgrammeError(f"不是合法的 YAML：{exc}") from None
    return programme_from_dict(data)


@dataclass(frozen=True)
class Applicant:
    """One application for a subsidy: an enterprise, its eligible cost and its review result."""

    id: str
    name: str
    cost_fen: int
    score: Decimal | None = None
    rank: int | None = None
    district: str = ""
    nodes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    founded_year: int | None = None
    granted_fen: int = 0  # already granted to this enterprise under the programme this year
    row: int = 0


# Column names accepted in the applicant table; Chinese headers map to the same fields.
COLUMNS = {
    "applicant_id": "applicant_id",
    "id": "applicant_id",
    "enterprise_id": "applicant_id",
    "申报单位编号": "applicant_id",
    "统一社会信用代码": "applicant_id",
    "name": "name",
    "applicant_name": "name",
    "名称": "name",
    "单位名称": "name",
    "cost_fen": "cost_fen",
    "费用（分）": "cost_fen",
    "cost_yuan": "cost_yuan",
    "cost": "cost_yuan",
    "费用（元）": "cost_yuan",
    "score": "score",
    "得分": "score",
    "rank": "rank",
    "排名": "rank",
    "district": "district",
    "区划代码": "district",
    "nodes": "nodes",
    "产业链节点": "nodes",
    "tags": "tags",
    "标签": "tags",
    "founded_year": "founded_year",
    "成立年份": "founded_year",
    "granted_fen": "granted_fen",
    "本年已获补助（分）": "granted_fen",
    "granted_yuan": "granted_yuan",
    "本年已获补助（元）": "granted_yuan",
}
_SPLIT = re.compile(r"[;；、,，|]")


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in _SPLIT.split(value) if v.strip()))


def _money_cell(cells: Mapping[str, str], stem: str, row: int, errors: list[RowError], required: bool) -> int:
    fen, yuan = cells.get(f"{stem}_fen", ""), cells.get(f"{stem}_yuan", "")
    if fen and yuan:
        errors.append(RowError(row, f"{stem}_fen/{stem}_yuan", "两列都有值，只能填一列（分或元）"))
        return 0
    if not fen and not yuan:
        if required:
            errors.append(
                RowError(row, f"{stem}_fen/{stem}_yuan", "缺少金额（填 cost_fen 分 或 cost_yuan 元）")
            )
        return 0
    try:
        return parse_fen(fen) if fen else yuan_to_fen(yuan)
    except MoneyError as exc:
        errors.append(RowError(row, f"{stem}_fen" if fen else f"{stem}_yuan", str(exc)))
        return 0


def read_applicants(rows: Iterable[Mapping[str, Any]], first_row: int = 2) -> list[Applicant]:
    """Applicants from table rows (headers as in COLUMNS); raise ApplicantsError listing every problem."""
    errors: list[RowError] = []
    out: list[Applicant] = []
    for number, raw in enumerate(rows, start=first_row):
        cells: dict[str, str] = {}
        for key, value in raw.items():
            name = COLUMNS.get(str(key or "").strip().lstrip("\ufeff"))
            if name:
                cells[name] = "" if value is None else str(value).strip()
        if not any(cells.values()):
            continue
        before = len(errors)
        ident = cells.get("applicant_id", "")
        if not ident:
            errors.append(RowError(number, "applicant_id", "缺少申报单位编号"))
        cost = _money_cell(cells, "cost", number, errors, required=True)
        granted = _money_cell(cells, "granted", number, errors, required=False)
        score = rank = founded = None
        if cells.get("score"):
            try:
                score = Decimal(cells["score"])
                if not score.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                errors.append(RowError(number, "score", f"不是数字：{cells['score']!r}"))
        if cells.get("rank"):
            if cells["rank"].isdigit() and int(cells["rank"]) > 0:
                rank = int(cells["rank"])
            else:
                errors.append(RowError(number, "rank", f"排名应为正整数：{cells['rank']!r}"))
        if cells.get("founded_year"):
            if re.fullmatch(r"\d{4}", cells["founded_year"]):
                founded = int(cells["founded_year"])
            else:
                errors.append(RowError(number, "founded_year", f"应为四位年份：{cells['founded_year']!r}"))
        if len(errors) == before:
            out.append(
                Applicant(
                    id=ident,
                    name=cells.get("name", ""),
                    cost_fen=cost,
                    score=score,
                    rank=rank,
                    district=cells.get("district", ""),
                    nodes=_split(cells.get("nodes", "")),
                    tags=_split(cells.get("tags", "")),
                    founded_year=founded,
                    granted_fen=granted,
                    row=number,
                )
            )
    ranked = [a for a in out if a.rank is not None]
    if ranked and len(ranked) != len(out):
        missing = next(a for a in out if a.rank is None)
        errors.append(
            RowError(missing.row, "rank", "有的行填了排名、有的没填：要么都填，要么都不填（按得分排序）")
        )
    if errors:
        raise ApplicantsError(errors)
    return out


def read_applicants_csv(text: str) -> list[Applicant]:
    """Applicants from CSV text with a header row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames or not any(COLUMNS.get(f.strip()) == "applicant_id" for f in reader.fieldnames):
        raise ApplicantsError([RowError(1, "表头", "缺少 applicant_id 列（见文档中的列说明）")])
    return read_applicants(reader)


def read_applicants_xlsx(data: bytes) -> list[Applicant]:
    """Applicants from the first sheet of an .xlsx workbook with a header row."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign file
        raise ApplicantsError([RowError(1, "文件", f"无法读取 XLSX：{exc}")]) from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    if not any(COLUMNS.get(h) == "applicant_id" for h in header):
        raise ApplicantsError([RowError(1, "表头", "缺少 applicant_id 列（见文档中的列说明）")])

    def cell(value: Any) -> str:
        # Whole numbers typed into Excel arrive as floats (5200000.0); they are whole yuan or fen.
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return "" if value is None else str(value)

    return read_applicants({h: cell(v) for h, v in zip(header, row, strict=False)} for row in rows)


def ineligibility(programme: Programme, applicant: Applicant) -> list[str]:
    """Why the applicant does not meet the programme's conditions (empty when it does)."""
    rules, reasons = programme.eligibility, []
    if rules.districts and not any(applicant.district.startswith(d) for d in rules.districts):
        reasons.append(f"所在区划 {applicant.district or '未填'} 不在 {'、'.join(rules.districts)} 内")
    if rules.nodes_any and not set(rules.nodes_any) & set(applicant.nodes):
        reasons.append(f"产业链节点不含 {'、'.join(rules.nodes_any)} 之一")
    if rules.tags_any and not set(rules.tags_any) & set(applicant.tags):
        reasons.append(f"标签不含 {'、'.join(rules.tags_any)} 之一")
    missing = [t for t in rules.tags_all if t not in applicant.tags]
    if missing:
        reasons.append(f"缺少标签 {'、'.join(missing)}")
    barred = [t for t in rules.tags_none if t in applicant.tags]
    if barred:
        reasons.append(f"带有排除标签 {'、'.join(barred)}")
    if rules.min_age_years is not None or rules.max_age_years is not None:
        if applicant.founded_year is None:
            reasons.append("未填成立年份，无法核对成立年限")
        else:
            age = programme.year - applicant.founded_year
            if rules.min_age_years is not None and age < rules.min_age_years:
                reasons.append(f"成立 {age} 年，要求至少 {rules.min_age_years} 年")
            if rules.max_age_years is not None and age > rules.max_age_years:
                reasons.append(f"成立 {age} 年，要求不超过 {rules.max_age_years} 年")
    if rules.min_score is not None and (applicant.score is None or applicant.score < rules.min_score):
        reasons.append(
            f"评审得分 {applicant.score if applicant.score is not None else '未填'} 低于 {rules.min_score}"
        )
    return reasons


@dataclass(frozen=True)
class Award:
    """The outcome for one applicant, with the rule that produced the amount."""

    applicant_id: str
    name: str
    order: int
    eligible: bool
    funded: bool
    amount_fen: int
    by_rule_fen: int
    rule: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "applicant_id": self.applicant_id,
            "name": self.name,
            "order": self.order,
            "eligible": self.eligible,
            "funded": self.funded,
            "amount_fen": self.amount_fen,
            "amount_yuan": format_yuan(self.amount_fen),
            "by_rule_fen": self.by_rule_fen,
            "rule": self.rule,
        }


@dataclass
class Allocation:
    """All awards of one allocation run and its totals."""

    programme: Programme
    method: str
    awards: list[Award]
    note: str = ""

    @property
    def funded(self) -> list[Award]:
        """The awards that are paid."""
        return [a for a in self.awards if a.funded]

    @property
    def total_fen(self) -> int:
        """Sum paid."""
        return sum(a.amount_fen for a in self.awards)

    def summary(self) -> dict[str, Any]:
        """Totals for people and for JSON."""
        budget = self.programme.budget_fen
        return {
            "method": self.method,
            "funded_count": len({a.applicant_id for a in self.funded}),
            "eligible_count": sum(1 for a in self.awards if a.eligible),
            "applicants": len(self.awards),
            "total_fen": self.total_fen,
            "total_yuan": format_yuan(self.total_fen),
            "budget_fen": budget,
            "remaining_fen": None if budget is None else budget - self.total_fen,
            "note": self.note,
        }


def rank_order(applicants: Sequence[Applicant]) -> list[Applicant]:
    """Review order: by rank when ranks are given, else by score (highest first); ties keep table order."""
    if applicants and all(a.rank is not None for a in applicants):
        return sorted(applicants, key=lambda a: (a.rank, a.row))
    return sorted(
        applicants, key=lambda a: (-(a.score if a.score is not None else Decimal("-Infinity")), a.row)
    )


def by_rule(programme: Programme, applicant: Applicant, granted_before: int) -> tuple[int, str]:
    """The amount the rate and the cap allow, before count and budget, and the sentence that explains it."""
    base = applicant.cost_fen * programme.rate_bp // 10000
    text = f"{programme.rate_label} × {format_yuan(applicant.cost_fen)} 元 = {format_yuan(base)} 元"
    if applicant.cost_fen * programme.rate_bp % 10000:
        text += "（不足一分的部分舍去）"
    if programme.cap_fen is None:
        return base, text
    room = max(0, programme.cap_fen - applicant.granted_fen - granted_before)
    cap = f"每家每年 {format_yuan(programme.cap_fen)} 元上限"
    already = applicant.granted_fen + granted_before
    if already:
        cap += f"（本年已获 {format_yuan(already)} 元，尚余 {format_yuan(room)} 元）"
    if base <= room:
        return base, f"{text}，未超过{cap}"
    return room, f"{text}，超过{cap}，按 {format_yuan(room)} 元"


def allocate_by_rank(programme: Programme, applicants: Sequence[Applicant]) -> Allocation:
    """Fund eligible applicants in rank order until the count or the budget runs out (the usual practice).

    `max_count` is the number of places for enterprises not yet funded this year: an applicant already
    granted something this year (granted_fen > 0) holds its place, and funding it again takes no new one."""
    remaining = programme.budget_fen
    granted: dict[str, int] = {}
    counted: set[str] = set()  # enterprises that took one of the places
    stopped = False
    awards: list[Award] = []
    for order, app in enumerate(rank_order(applicants), start=1):
        reasons = ineligibility(programme, app)
        if reasons:
            awards.append(
                Award(app.id, app.name, order, False, False, 0, 0, "不符合条件：" + "；".join(reasons))
            )
            continue
        amount, rule = by_rule(programme, app, granted.get(app.id, 0))
        full = amount
        funded = amount > 0
        if not funded:
            rule += "；已达上限，不再支持"
        elif stopped:
            funded, rule = False, rule + "；预算不足，已停止分配"
        elif (
            programme.max_count is not None
            and not app.granted_fen
            and app.id not in counted
            and len(counted) >= programme.max_count
        ):
            funded, rule = False, rule + f"；本年支持数量已满 {programme.max_count} 家"
        elif remaining is not None and amount > remaining:
            if programme.when_short == "partial" and remaining > 0:
                amount = remaining
                rule += f"；预算余额仅 {format_yuan(remaining)} 元，按余额支持"
            elif programme.when_short == "skip" and remaining > 0:
                funded, rule = False, rule + f"；预算余额 {format_yuan(remaining)} 元不足全额，跳过"
            else:
                funded, rule = False, rule + "；预算已用完"
                stopped = programme.when_short == "stop"
        if not funded:
            awards.append(Award(app.id, app.name, order, True, False, 0, full, rule))
            continue
        if remaining is not None:
            remaining -= amount
        granted[app.id] = granted.get(app.id, 0) + amount
        if not app.granted_fen:
            counted.add(app.id)
        awards.append(Award(app.id, app.name, order, True, True, amount, full, rule))
    when = WHEN_SHORT[programme.when_short]
    return Allocation(programme, "rank", awards, note=f"按排名依次支持；预算余额不足全额时：{when}")


def allocate_optimal(
    programme: Programme, applicants: Sequence[Applicant], time_limit_s: float = 5.0
) -> Allocation:
    """The full awards that maximise the programme's objective under budget, count and caps (CP-SAT)."""
    from ortools.sat.python import cp_model

    ordered = rank_order(applicants)
    model = cp_model.CpModel()
    picks: dict[int, Any] = {}
    amounts: dict[int, tuple[int, str]] = {}
    enterprise_rows: dict[str, list[int]] = {}
    for k, app in enumerate(ordered):
        if ineligibility(programme, app):
            continue
        # Each row on its own against the cap; the shared cap is a constraint per enterprise below.
        amount, rule = by_rule(programme, app, 0)
        if amount <= 0:
            continue
        picks[k] = model.new_bool_var(f"x{k}")
        amounts[k] = (amount, rule)
        enterprise_rows.setdefault(app.id, []).append(k)
    if programme.budget_fen is not None and picks:
        model.add(sum(amounts[k][0] * picks[k] for k in picks) <= programme.budget_fen)
    funded_enterprise = {}
    for ident, rows in enterprise_rows.items():
        first = ordered[rows[0]]
        if programme.cap_fen is not None and len(rows) > 1:
            room = max(0, programme.cap_fen - first.granted_fen)
            model.add(sum(amounts[k][0] * picks[k] for k in rows) <= room)
        funded_enterprise[ident] = model.new_bool_var(f"y{ident}")
        for k in rows:
            model.add_implication(picks[k], funded_enterprise[ident])
    # Enterprises granted something earlier this year hold their place already (see allocate_by_rank).
    new_places = [
        var for ident, var in funded_enterprise.items() if not ordered[enterprise_rows[ident][0]].granted_fen
    ]
    if programme.max_count is not None and new_places:
        model.add(sum(new_places) <= programme.max_count)
    if programme.objective == "count":
        # More enterprises first; among equals, the better scores.
        weights = {k: 10**9 + _score_units(ordered[k]) for k in picks}
    else:
        weights = {k: _score_units(ordered[k]) for k in picks}
    model.maximize(sum(weights[k] * picks[k] for k in picks))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = 2
    status = solver.solve(model) if picks else cp_model.OPTIMAL
    if picks and status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError("最优分配求解失败")
    proven = (
        "（已证明最优）"
        if status == cp_model.OPTIMAL
        else f"（{time_limit_s:g} 秒内找到的最好方案，未证明最优）"
    )
    awards = []
    for k, app in enumerate(ordered, start=0):
        reasons = ineligibility(programme, app)
        if reasons:
            awards.append(
                Award(app.id, app.name, k + 1, False, False, 0, 0, "不符合条件：" + "；".join(reasons))
            )
            continue
        if k not in picks:
            amount, rule = by_rule(programme, app, 0)
            awards.append(
                Award(app.id, app.name, k + 1, True, False, 0, amount, rule + "；已达上限，不再支持")
            )
            continue
        amount, rule = amounts[k]
        chosen = bool(solver.value(picks[k]))
        suffix = "；入选最优组合" if chosen else "；未入选最优组合"
        awards.append(
            Award(app.id, app.name, k + 1, True, chosen, amount if chosen else 0, amount, rule + suffix)
        )
    note = f"最优组合：{OBJECTIVES[programme.objective]}，只给全额{proven}"
    return Allocation(programme, "optimal", awards, note=note)


def _score_units(app: Applicant) -> int:
    # Hundredths of a point, so that CP-SAT works on integers; unscored applicants weigh 1.
    return max(1, int((app.score or Decimal(0)) * 100))


def explain_difference(by_rank: Allocation, optimal: Allocation) -> dict[str, Any]:
    """What the optimal choice does differently from rank order, in numbers and one paragraph."""
    rank_ids = {a.applicant_id: a for a in by_rank.funded}
    best_ids = {a.applicant_id: a for a in optimal.funded}
    only_rank = [a for a in by_rank.funded if a.applicant_id not in best_ids]
    only_best = [a for a in optimal.funded if a.applicant_id not in rank_ids]
    partial = [a for a in by_rank.funded if a.amount_fen < a.by_rule_fen]

    def names(items: list[Award]) -> str:
        return "、".join(
            f"{a.name or a.applicant_id}（第 {a.order} 名，{format_yuan(a.amount_fen)} 元）" for a in items
        )

    lines = [
        f"按排名：支持 {len(rank_ids)} 家，共 {format_yuan(by_rank.total_fen)} 元",
        f"最优组合：支持 {len(best_ids)} 家，共 {format_yuan(optimal.total_fen)} 元",
    ]
    if not only_rank and not only_best:
        lines.append("两种方式支持的企业相同")
    if only_rank:
        lines.append(f"只在按排名时获支持：{names(only_rank)}")
    if only_best:
        lines.append(f"只在最优组合中获支持：{names(only_best)}")
    if partial:
        lines.append(f"按排名时按预算余额部分支持：{names(partial)}；最优组合只给全额")
    return {
        "rank_only": [a.applicant_id for a in only_rank],
        "optimal_only": [a.applicant_id for a in only_best],
        "rank_total_fen": by_rank.total_fen,
        "optimal_total_fen": optimal.total_fen,
        "text": "。".join(lines) + "。",
    }
