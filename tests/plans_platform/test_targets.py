"""Targets: live figures from the registry, entered values, status on the trajectory, the chart."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises import services as registry
from lianzhang.enterprises.models import Park
from lianzhang.enterprises.project_services import transition_project
from lianzhang.plans import live, services
from lianzhang.plans.services import TrackingSettings
from tests.conftest import enterprise_record

pytestmark = pytest.mark.django_db
MID_2025 = date(2025, 7, 1)
NOT_AI = dict(business_scope="餐饮服务；食品销售。", products="快餐", tags=[])


def target(plan, metric):
    return plan.targets.get(metric=metric)


def link(personas, t, key):
    """Follow a live figure, keeping baseline and deadline (the settings are replaced as a whole)."""
    settings = TrackingSettings(t.baseline_value, t.baseline_date, t.deadline, key)
    return services.set_target_tracking(personas["chain_office"].actor, t.pk, t.version, settings)


def current(personas, t, today=MID_2025):
    return services.target_detail(personas["chain_office"].actor, t.pk, today=today)["view"]


def test_ai_enterprise_count_follows_the_registry_of_the_plans_city(
    personas, confirmed_plan, enterprise_a, enterprise_b
):
    t = link(personas, target(confirmed_plan, "人工智能产业链企业数量"), "ai_enterprises")
    before = current(personas, t).current
    assert before == registry.registry_summary(personas["chain_office"].actor)["ai_total"] == 2

    registry.create_enterprise(SYSTEM, enterprise_record("丙智能科技有限公司", "440106002", 31))
    registry.create_enterprise(SYSTEM, enterprise_record("丁餐饮有限公司", "440106002", 32, **NOT_AI))
    registry.create_enterprise(SYSTEM, enterprise_record("深圳视觉有限公司", "440305001", 33))  # 深圳市
    view = current(personas, t)
    assert view.current == before + 1
    assert view.source == "live" and view.as_of == MID_2025
    assert view.status.status == "at_risk"  # 3 of more than 1000, halfway through


def test_a_tag_count_and_the_park_count_follow_the_registry(personas, confirmed_plan, enterprise_a):
    t = link(personas, target(confirmed_plan, "专精特新企业数量"), "tag:专精特新")
    assert current(personas, t).current == 0
    registry.create_enterprise(
        SYSTEM, enterprise_record("戊精密有限公司", "440106002", 34, tags=["专精特新"])
    )
    assert current(personas, t).current == 1

    parks = link(personas, target(confirmed_plan, "人工智能产业园区数量"), "parks")
    # The registry has no park service yet: parks are registered by administrators.
    Park.objects.create(name="天河人工智能园（演示）", division_id="440106")
    Park.objects.create(name="南山园（演示）", division_id="440305")
    assert current(personas, parks).current == 1


def test_accepted_projects_count_once_a_project_is_accepted(personas, confirmed_plan, enterprise_a):
    t = target(confirmed_plan, "人工智能产业园区数量")
    t = link(personas, t, "accepted_projects")
    assert current(personas, t).current == 0
    project = enterprise_a.projects.get()
    for step in ("formal_check", "review", "approved", "accepted"):
        project = transition_project(SYSTEM, project.pk, project.version, step)
    assert current(personas, t).current == 1
    assert live.value("accepted_projects", "4403") == 0


def test_a_count_cannot_follow_a_money_target(personas, confirmed_plan):
    t = target(confirmed_plan, "人工智能核心产业规模")  # 500 亿元
    with pytest.raises(ValidationError, match="亿元"):
        link(personas, t, "ai_enterprises")
    with pytest.raises(ValidationError):
        link(personas, target(confirmed_plan, "人工智能产业链企业数量"), "no_such_figure")


def test_entered_values_make_the_status_and_the_chart(personas, confirmed_plan):
    actor = personas["chain_office"].actor
    t = target(confirmed_plan, "人工智能核心产业规模")
    t = services.record_target_value(actor, t.pk, t.version, 200, date(2025, 6, 30), "统计快报")
    t = services.record_target_value(actor, t.pk, t.version, 120, date(2024, 12, 31), "年报")
    # The latest date wins, not the latest entry.
    assert (t.current_value, t.current_as_of) == (200, date(2025, 6, 30))

    detail = services.target_detail(actor, t.pk, today=MID_2025)
    status = detail["view"].status
    assert status.status == "on_track"  # 40 % done, 50 % of the time gone
    assert status.progress == pytest.approx(0.4)
    chart = detail["chart"]
    assert chart["line"] == [{"date": "2024-01-01", "value": 0.0}, {"date": "2026-12-31", "value": 500}]
    assert [r["value"] for r in chart["readings"]] == [120, 200]
    assert current(personas, t, today=date(2027, 1, 2)).status.status == "overdue"

    first, second = AuditEntry.objects.filter(model="plans.target", action="record_value").order_by("id")
    assert first.changes == {
        "current_value": [None, 200.0],
        "current_as_of": [None, "2025-06-30"],
        "reading": [None, 200.0],
        "as_of": "2025-06-30",
    }
    assert second.changes == {"reading": [None, 120.0], "as_of": "2024-12-31"}


def test_a_baseline_moves_the_line(personas, confirmed_plan):
    actor = personas["chain_office"].actor
    t = target(confirmed_plan, "人工智能核心产业规模")
    t = services.record_target_value(actor, t.pk, t.version, 300, date(2025, 6, 30))
    assert current(personas, t).status.status == "on_track"
    t = services.set_target_tracking(
        actor,
        t.pk,
        t.version,
        TrackingSettings(baseline_value=250, baseline_date=date(2024, 1, 1), deadline=t.deadline),
    )
    assert current(personas, t).status.status == "at_risk"  # 20 % of the way from 250 to 500
    assert AuditEntry.objects.filter(
        model="plans.target", action="update", changes__has_key="baseline_value"
    ).exists()


def test_a_stale_value_entry_is_refused(personas, confirmed_plan):
    actor = personas["chain_office"].actor
    t = target(confirmed_plan, "人工智能核心产业规模")
    services.record_target_value(actor, t.pk, t.version, 100, date(2025, 1, 1))
    with pytest.raises(StaleEdit):
        services.record_target_value(actor, t.pk, t.version, 999, date(2025, 2, 1))
    t.refresh_from_db()
    assert t.current_value == 100


@pytest.mark.parametrize("role", ["department", "district", "expert"])
def test_only_the_chain_office_enters_values(personas, confirmed_plan, role):
    t = target(confirmed_plan, "人工智能核心产业规模")
    with pytest.raises(PermissionDenied):
        services.record_target_value(personas[role].actor, t.pk, t.version, 1, date(2025, 1, 1))


def test_the_target_page_draws_its_chart_with_the_local_plotly(personas, confirmed_plan):
    t = target(confirmed_plan, "人工智能核心产业规模")
    client = personas["chain_office"].client
    response = client.post(
        f"/plans/targets/{t.pk}/",
        {"section": "value", "version": t.version, "value": "210", "as_of": "2025-06-30", "note": "快报"},
    )
    assert response.status_code == 302
    body = client.get(f"/plans/targets/{t.pk}/").content.decode()
    assert '<script src="/assets/plotly.min.js">' in body
    assert 'id="target-chart-data"' in body and "/static/lianzhang/plans.js" in body
    assert "cdn" not in body.lower()
    api = client.get(f"/api/plans/targets/{t.pk}").json()
    assert api["current"] == 210 and api["current_source"] == "entered"
    assert api["chart"]["readings"] == [{"date": "2025-06-30", "value": 210.0}]
    plan_page = personas["district"].client.get(f"/plans/{confirmed_plan.pk}/").content.decode()
    assert 'class="status' in plan_page and "人工智能核心产业规模" in plan_page


def test_scenario_and_matchmaking_counts_follow_the_scenario_records(
    personas, confirmed_plan, enterprise_a, enterprise_b
):
    from lianzhang.scenarios import services as scenarios

    office = personas["chain_office"].actor
    assert live.value("published_scenarios", "4401") == 0
    demand = scenarios.ScenarioInput(title="仓库盘点", description="月底盘点要停工两天，账实经常对不上。")
    scenario = scenarios.create_scenario(personas["enterprise_b"].actor, demand)
    scenario = scenarios.submit_scenario(personas["enterprise_b"].actor, scenario.pk, scenario.version)
    assert live.value("published_scenarios", "4401") == 0  # submitted is not yet a published call
    scenario = scenarios.review_scenario(office, scenario.pk, scenario.version, True)
    scenarios.publish_scenario(office, scenario.pk, scenario.version)
    assert live.value("published_scenarios", "4401") == 1
    assert live.value("published_scenarios", "4403") == 0
    assert live.value("demonstration_scenarios", "4401") == 0

    for cost in (300_000_000, 100_000_000):
        scenarios.record_cooperation(
            office, scenarios.CooperationInput(enterprise_b.pk, enterprise_a.pk, 2025, cost)
        )
    # Two cooperations of one manufacturer: one manufacturer served.
    assert live.value("matched_manufacturers", "4401") == 1
