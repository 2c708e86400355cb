"""Target status on a linear trajectory, task progress roll-up and reporting periods (pure, no Django)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

ACHIEVED, ON_TRACK, AT_RISK, OVERDUE, UNKNOWN = "achieved", "on_track", "at_risk", "overdue", "unknown"
STATUS_LABELS = {
    ACHIEVED: "已达成",
    ON_TRACK: "进度正常",
    AT_RISK: "进度滞后",
    OVERDUE: "逾期未达成",
    UNKNOWN: "无法判断",
}
STATUS_ORDER = (OVERDUE, AT_RISK, ON_TRACK, ACHIEVED, UNKNOWN)

# A target counts as on track while its progress is at most this share of the whole way behind the
# straight line; plans move in steps (a park opens, a batch of firms is certified), not smoothly.
TOLERANCE = 0.10
# '约100家' is met from 95 on.
APPROX = 0.05

COMPARATORS = {
    ">": "超过",
    ">=": "不低于",
    "=": "达到",
    "~": "约",
    "<=": "不超过",
    "<": "低于",
}


@dataclass(frozen=True)
class TargetStatus:
    """A target's status, why, and the numbers behind it (progress and elapsed as shares of the way)."""

    status: str
    reason: str
    expected: float | None = None
    progress: float | None = None
    elapsed: float | None = None

    @property
    def label(self) -> str:
        """The status in Chinese."""
        return STATUS_LABELS[self.status]


def decreasing(comparator: str, target: float, baseline: float) -> bool:
    """Whether the goal is to bring a figure down (不超过, 低于, or a target below the baseline)."""
    return comparator in ("<", "<=") or (comparator in ("=", "~") and target < baseline)


def meets(value: float, target: float, comparator: str, baseline: float = 0.0) -> bool:
    """Whether a value satisfies the target under its comparator."""
    if comparator == ">":
        return value > target
    if comparator == ">=":
        return value >= target
    if comparator == "<":
        return value < target
    if comparator == "<=":
        return value <= target
    if comparator == "~":
        margin = abs(target) * APPROX
        return value <= target + margin if decreasing("~", target, baseline) else value >= target - margin
    if comparator == "=":
        return value <= target if decreasing("=", target, baseline) else value >= target
    raise ValueError(f"未知的比较符 {comparator!r}")


def expected_value(baseline: float, baseline_date: date, target: float, deadline: date, on: date) -> float:
    """The value the straight line from baseline to target reaches on a day (clamped to the ends)."""
    span = (deadline - baseline_date).days
    if span <= 0:
        return target
    share = min(max((on - baseline_date).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * share


def target_status(
    *,
    target: float,
    comparator: str,
    deadline: date | None,
    current: float | None,
    today: date,
    baseline: float | None = None,
    baseline_date: date | None = None,
) -> TargetStatus:
    """Achieved, on track, at risk or overdue, from the straight line between baseline and deadline."""
    base = baseline if baseline is not None else 0.0
    if current is not None and meets(current, target, comparator, base):
        return TargetStatus(ACHIEVED, "当前值已满足目标", progress=1.0)
    if deadline is not None and today > deadline:
        why = "期限已过，尚无完成值" if current is None else "期限已过，当前值未满足目标"
        return TargetStatus(OVERDUE, why, elapsed=1.0)
    if current is None:
        return TargetStatus(UNKNOWN, "尚无当前值")
    if deadline is None:
        return TargetStatus(UNKNOWN, "未设完成期限，无法按进度判断")
    if baseline_date is None or baseline_date >= deadline:
        return TargetStatus(AT_RISK, "未满足目标，且没有可用的基期（基期日期须早于期限）")
    gap = target - base
    if gap == 0 or (gap < 0) != decreasing(comparator, target, base):
        # The baseline already lies beyond the target in the wrong direction: no line to follow.
        return TargetStatus(AT_RISK, "基期值与目标方向不一致，无法按进度判断")
    elapsed = min(max((today - baseline_date).days / (deadline - baseline_date).days, 0.0), 1.0)
    progress = (current - base) / gap
    expected = expected_value(base, baseline_date, target, deadline, today)
    status = ON_TRACK if progress >= elapsed - TOLERANCE else AT_RISK
    reason = f"已完成 {progress:.0%}，按时间进度应完成 {elapsed:.0%}"
    if baseline is None:
        reason += "（基期值未填，按 0 计）"
    return TargetStatus(status, reason, expected=expected, progress=progress, elapsed=elapsed)


# --- task progress ---------------------------------------------------------------------------------

DONE, IN_PROGRESS, NOT_STARTED, UNASSIGNED = "done", "in_progress", "not_started", "unassigned"
TASK_STATE_LABELS = {
    DONE: "已完成",
    IN_PROGRESS: "推进中",
    NOT_STARTED: "未填报",
    UNASSIGNED: "未明确责任单位",
}
DUE_SOON, LATE = "due_soon", "overdue"
TIMING_LABELS = {DUE_SOON: "临近期限", LATE: "已逾期"}
SOON_DAYS = 60


@dataclass(frozen=True)
class DepartmentProgress:
    """One assigned department's latest report on a task (percent None when it has not reported)."""

    department: str
    role: str  # lead | cooperating
    percent: int | None = None
    period: str | None = None


@dataclass(frozen=True)
class Rollup:
    """A task's combined progress over its departments, its state and whether it is late or nearly due."""

    percent: float
    state: str
    timing: str | None
    reported: int
    total: int
    lead_percent: float | None

    @property
    def state_label(self) -> str:
        """The state in Chinese."""
        return TASK_STATE_LABELS[self.state]

    @property
    def timing_label(self) -> str:
        """逾期 / 临近期限, or an empty string."""
        return TIMING_LABELS.get(self.timing or "", "")


def rollup(
    parts: list[DepartmentProgress], deadline: date | None, today: date, soon_days: int = SOON_DAYS
) -> Rollup:
    """Combine the departments' latest reports: the mean percent, a department yet to report counting 0.

    A task is done only when every assigned department reports 100 %; it is late when its deadline has
    passed before that, and due soon within `soon_days` of it.
    """
    total = len(parts)
    reported = [p for p in parts if p.percent is not None]
    percent = sum(p.percent or 0 for p in parts) / total if total else 0.0
    leads = [p.percent or 0 for p in parts if p.role == "lead"]
    lead_percent = sum(leads) / len(leads) if leads else None
    if not total:
        state = UNASSIGNED
    elif all(p.percent == 100 for p in parts):
        state = DONE
    elif reported:
        state = IN_PROGRESS
    else:
        state = NOT_STARTED
    timing = None
    if state != DONE and deadline is not None:
        if today > deadline:
            timing = LATE
        elif (deadline - today).days <= soon_days:
            timing = DUE_SOON
    return Rollup(round(percent, 1), state, timing, len(reported), total, lead_percent)


# --- reporting periods ------------------------------------------------------------------------------

_PERIOD = re.compile(r"^(?P<year>(?:19|20)\d\d)(?:-(?:Q(?P<q>[1-4])|H(?P<h>[12])|(?P<m>0[1-9]|1[0-2])))?$")


class PeriodError(ValueError):
    """A reporting period that is not written as 2026, 2026-H1, 2026-Q3 or 2026-07."""


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of a reporting period: a year, half year, quarter or month."""
    match = _PERIOD.match(period.strip().upper())
    if not match:
        raise PeriodError(
            f"报送期 {period!r} 格式不对，应写作 2026-Q3（季度）、2026-07（月）、2026-H1（半年）或 2026（年）"
        )
    year = int(match["year"])
    if match["q"]:
        first = 3 * (int(match["q"]) - 1) + 1
        last = first + 2
    elif match["h"]:
        first = 1 if match["h"] == "1" else 7
        last = first + 5
    elif match["m"]:
        first = last = int(match["m"])
    else:
        first, last = 1, 12
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def normalise_period(period: str) -> str:
    """The period in its canonical spelling (upper-case Q/H), after checking it."""
    period_bounds(period)
    return period.strip().upper()


def period_label(period: str) -> str:
    """The period in Chinese: 2026年第3季度, 2026年7月, 2026年上半年, 2026年."""
    match = _PERIOD.match(period)
    if not match:
        return period
    year = match["year"]
    if match["q"]:
        return f"{year}年第{match['q']}季度"
    if match["h"]:
        return f"{year}年{'上' if match['h'] == '1' else '下'}半年"
    if match["m"]:
        return f"{year}年{int(match['m'])}月"
    return f"{year}年"


def current_quarter(today: date) -> str:
    """The quarter a day falls in, as 2026-Q3."""
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
