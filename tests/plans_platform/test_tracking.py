"""The pure tracking rules: target status on a straight line, task roll-up, reporting periods."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from lianzhang.plans import tracking
from lianzhang.plans.tracking import DepartmentProgress, rollup, target_status

START, END = date(2024, 1, 1), date(2026, 12, 31)
HALFWAY = date(2025, 7, 2)


def status(
    current, *, target=1000.0, comparator=">=", today=HALFWAY, baseline=0.0, start=START, deadline=END
):
    return target_status(
        target=target,
        comparator=comparator,
        deadline=deadline,
        current=current,
        today=today,
        baseline=baseline,
        baseline_date=start,
    )


def test_a_target_reached_is_achieved_whatever_the_date() -> None:
    assert status(1000).status == tracking.ACHIEVED
    assert status(1000, today=date(2027, 3, 1)).status == tracking.ACHIEVED


def test_strictly_more_than_needs_more_than_the_value() -> None:
    assert status(1000, comparator=">").status != tracking.ACHIEVED
    assert status(1001, comparator=">").status == tracking.ACHIEVED


def test_progress_on_the_line_is_on_track() -> None:
    result = status(500)
    assert result.status == tracking.ON_TRACK
    assert result.elapsed == pytest.approx(0.5, abs=0.01)
    assert result.progress == pytest.approx(0.5)
    assert result.expected == pytest.approx(500, abs=10)


def test_progress_a_little_behind_the_line_is_still_on_track() -> None:
    assert status(420).status == tracking.ON_TRACK  # 42 % done, 50 % of the time gone, within 10 points


def test_progress_well_behind_the_line_is_at_risk() -> None:
    result = status(300)
    assert result.status == tracking.AT_RISK
    assert "30%" in result.reason and "50%" in result.reason


def test_a_missed_deadline_is_overdue() -> None:
    assert status(900, today=date(2027, 1, 1)).status == tracking.OVERDUE
    assert status(None, today=date(2027, 1, 1)).status == tracking.OVERDUE


def test_the_deadline_day_itself_is_not_yet_overdue() -> None:
    assert status(950, today=END).status == tracking.ON_TRACK
    assert status(500, today=END).status == tracking.AT_RISK


def test_no_value_before_the_deadline_cannot_be_judged() -> None:
    assert status(None).status == tracking.UNKNOWN


def test_no_deadline_cannot_be_judged_unless_achieved() -> None:
    assert status(10, deadline=None).status == tracking.UNKNOWN
    assert status(1200, deadline=None).status == tracking.ACHIEVED


def test_the_line_starts_at_the_baseline() -> None:
    # From 400 to 1000 over three years: halfway means 700.
    assert status(700, baseline=400).status == tracking.ON_TRACK
    assert status(550, baseline=400).status == tracking.AT_RISK


def test_a_missing_baseline_counts_as_zero_and_says_so() -> None:
    result = target_status(
        target=100,
        comparator=">=",
        deadline=END,
        current=50,
        today=HALFWAY,
        baseline=None,
        baseline_date=START,
    )
    assert result.status == tracking.ON_TRACK
    assert "基期值未填" in result.reason


def test_a_ceiling_is_achieved_at_or_below_it() -> None:
    assert status(5, target=5, comparator="<=", baseline=9).status == tracking.ACHIEVED
    assert status(6, target=5, comparator="<").status != tracking.ACHIEVED


def test_a_decreasing_target_follows_its_line_downwards() -> None:
    # Energy per unit of output from 10 down to 6: halfway should be 8.
    assert status(8, target=6, comparator="<=", baseline=10).status == tracking.ON_TRACK
    assert status(9.5, target=6, comparator="<=", baseline=10).status == tracking.AT_RISK


def test_about_a_value_is_met_within_five_percent() -> None:
    assert status(96, target=100, comparator="~").status == tracking.ACHIEVED
    assert status(94, target=100, comparator="~").status != tracking.ACHIEVED


def test_before_the_baseline_date_nothing_is_expected_yet() -> None:
    assert status(0, today=date(2023, 6, 1)).status == tracking.ON_TRACK


def test_a_baseline_after_the_deadline_gives_no_line() -> None:
    result = status(10, start=date(2027, 1, 1), today=date(2026, 1, 1))
    assert result.status == tracking.AT_RISK
    assert "基期" in result.reason


def test_an_unknown_comparator_is_refused() -> None:
    with pytest.raises(ValueError, match="比较符"):
        tracking.meets(1, 1, "!=")


# --- roll-up ------------------------------------------------------------------------------------------


def parts(*percents):
    roles = ["lead"] + ["cooperating"] * (len(percents) - 1)
    return [
        DepartmentProgress(f"部门{i}", role, p)
        for i, (role, p) in enumerate(zip(roles, percents, strict=True))
    ]


def test_rollup_is_the_mean_with_silent_departments_counting_zero() -> None:
    result = rollup(parts(80, 40, None), END, HALFWAY)
    assert result.percent == 40.0
    assert (result.state, result.reported, result.total, result.lead_percent) == ("in_progress", 2, 3, 80)


def test_a_task_is_done_only_when_every_department_reports_100() -> None:
    assert rollup(parts(100, 90), END, HALFWAY).state == tracking.IN_PROGRESS
    done = rollup(parts(100, 100), date(2020, 1, 1), HALFWAY)
    assert done.state == tracking.DONE
    assert done.timing is None  # a finished task is never late


def test_a_task_past_its_deadline_without_100_is_late() -> None:
    assert rollup(parts(100, 90), date(2025, 6, 30), HALFWAY).timing == tracking.LATE


def test_a_task_within_sixty_days_of_its_deadline_is_due_soon() -> None:
    assert rollup(parts(10), date(2025, 8, 31), HALFWAY).timing == tracking.DUE_SOON
    assert rollup(parts(10), date(2025, 9, 1), HALFWAY, soon_days=60).timing is None


def test_a_task_nobody_has_reported_on_is_not_started_and_one_without_departments_unassigned() -> None:
    assert rollup(parts(None, None), END, HALFWAY).state == tracking.NOT_STARTED
    assert rollup([], END, HALFWAY).state == tracking.UNASSIGNED


# --- periods ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "first", "last", "label"),
    [
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "2026年第3季度"),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31), "2026年第1季度"),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), "2024年2月"),
        ("2025-H2", date(2025, 7, 1), date(2025, 12, 31), "2025年下半年"),
        ("2025", date(2025, 1, 1), date(2025, 12, 31), "2025年"),
    ],
)
def test_periods_have_bounds_and_chinese_labels(period, first, last, label) -> None:
    assert tracking.period_bounds(period) == (first, last)
    assert tracking.period_label(tracking.normalise_period(period)) == label


@pytest.mark.parametrize("period", ["2026-Q5", "2026-13", "26-Q1", "2026年三季度", ""])
def test_malformed_periods_are_refused(period) -> None:
    with pytest.raises(tracking.PeriodError):
        tracking.period_bounds(period)


def test_current_quarter() -> None:
    assert tracking.current_quarter(date(2026, 11, 22)) == "2026-Q4"


def test_the_tracking_rules_import_without_django() -> None:
    script = (
        "import sys, lianzhang.plans.tracking, lianzhang.plans.exports; assert 'django' not in sys.modules"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
