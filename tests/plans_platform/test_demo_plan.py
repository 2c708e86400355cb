"""The demo plan goes through the real import, confirmation and reporting services."""

from __future__ import annotations

import pytest

from lianzhang.demo.loader import _load_departments
from lianzhang.plans.demo import load_demo_plan
from lianzhang.plans.models import Plan, ProgressReport


@pytest.mark.django_db
def test_the_demo_plan_is_confirmed_with_tasks_targets_and_reports() -> None:
    _load_departments()
    plan = load_demo_plan()
    assert plan is not None and plan.status == Plan.Status.CONFIRMED
    assert [t.number for t in plan.tasks.order_by("order")] == [
        "二.(一).1", "二.(一).2", "二.(二).3", "二.(二).4", "二.(三).5"
    ]
    comparators = {t.metric: t.comparator for t in plan.targets.all() if t.kind == "goal"}
    assert comparators == {
        "人工智能产业链企业数量": ">",
        "人工智能特色园区数量": "=",
        "发布应用场景数量": ">=",
        "人工智能核心产业规模": "~",
    }
    assert sorted(r.parameters["unit"] for r in plan.rules.all()) == ["%", "万元"]
    # Every department written in the plan resolved to one directory record; none left to confirm.
    assert all(a.department_id for t in plan.tasks.all() for a in t.assignments.all())
    assert ProgressReport.objects.filter(task__plan=plan).count() == 4
    live = dict(plan.targets.values_list("metric", "live_key"))
    assert live == {
        "人工智能产业链企业数量": "ai_enterprises",
        "人工智能特色园区数量": "parks",
        "发布应用场景数量": "published_scenarios",
        "人工智能核心产业规模": "",
    }


@pytest.mark.django_db
def test_the_demo_plan_is_loaded_once() -> None:
    _load_departments()
    assert load_demo_plan() is not None
    assert load_demo_plan() is None
    assert Plan.objects.count() == 1
