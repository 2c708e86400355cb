"""Scenario recruitment on the platform: lifecycle, 揭榜, selection, profiles, notifications, permissions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.common.versioning import StaleEdit
from lianzhang.scenarios import services
from lianzhang.scenarios.models import Notification, Scenario

pytestmark = pytest.mark.django_db

PROBLEM = services.ScenarioInput(
    title="注塑车间外观检测",
    description="手机外壳靠人工目检，划痕和脏污经常漏检，客户投诉多。",
    budget_fen=50_000_000,
)


def _published(personas) -> Scenario:
    """A demand filed by enterprise B, reviewed and published by the chain office."""
    office = personas["chain_office"].actor
    scenario = services.create_scenario(personas["enterprise_b"].actor, PROBLEM)
    scenario = services.submit_scenario(personas["enterprise_b"].actor, scenario.pk, scenario.version)
    scenario = services.review_scenario(office, scenario.pk, scenario.version, True)
    return services.publish_scenario(office, scenario.pk, scenario.version)


def _vision_profile(personas, enterprise_a):
    profile = services.save_supplier_profile(
        personas["enterprise_a"].actor,
        enterprise_a.pk,
        services.ProfileInput(
            products="AI视觉质检系统", solutions="外观缺陷检测、表面瑕疵识别", case_count=12
        ),
    )
    return services.check_supplier_profile(personas["chain_office"].actor, profile.pk, profile.version)


def test_an_enterprise_files_a_demand_as_itself_in_its_own_district(personas, enterprise_b):
    scenario = services.create_scenario(personas["enterprise_b"].actor, PROBLEM)
    assert scenario.owner_enterprise_id == enterprise_b.pk
    assert scenario.division_id == enterprise_b.division_id
    assert scenario.status == Scenario.Status.DRAFT
    assert AuditEntry.objects.filter(model="scenarios.scenario", action="create").count() == 1


def test_a_district_officer_cannot_file_for_another_district(personas):
    data = services.ScenarioInput(title="路口拥堵", description="早晚高峰拥堵", division_code="440111")
    with pytest.raises(ValidationError) as exc:
        services.create_scenario(personas["district"].actor, data)
    assert "只能为本辖区" in str(exc.value)


def test_bad_input_names_every_field_and_writes_nothing(personas):
    data = services.ScenarioInput(title="", description="", budget_fen=-1, nodes=["nowhere"])
    with pytest.raises(ValidationError) as exc:
        services.create_scenario(personas["chain_office"].actor, data)
    assert {"title", "description", "budget_fen", "nodes", "division_code"} <= set(exc.value.message_dict)
    assert not Scenario.objects.exists()


def test_only_the_filer_submits_and_only_the_chain_office_reviews(personas):
    scenario = services.create_scenario(personas["enterprise_b"].actor, PROBLEM)
    with pytest.raises(PermissionDenied):
        services.submit_scenario(personas["enterprise_a"].actor, scenario.pk, scenario.version)
    scenario = services.submit_scenario(personas["enterprise_b"].actor, scenario.pk, scenario.version)
    with pytest.raises(PermissionDenied):
        services.review_scenario(personas["district"].actor, scenario.pk, scenario.version, True)
    with pytest.raises(ValidationError, match="退回时请写明原因"):
        services.review_scenario(personas["chain_office"].actor, scenario.pk, scenario.version, False)
    back = services.review_scenario(
        personas["chain_office"].actor, scenario.pk, scenario.version, False, "请补充预算"
    )
    assert back.status == Scenario.Status.DRAFT and back.review_note == "请补充预算"


def test_a_stale_version_does_not_overwrite(personas):
    scenario = services.create_scenario(personas["enterprise_b"].actor, PROBLEM)
    services.submit_scenario(personas["enterprise_b"].actor, scenario.pk, scenario.version)
    with pytest.raises((StaleEdit, ValidationError)):
        services.submit_scenario(personas["enterprise_b"].actor, scenario.pk, scenario.version)


def test_publishing_notifies_checked_suppliers_that_fit(personas, enterprise_a):
    _vision_profile(personas, enterprise_a)
    scenario = _published(personas)
    notes = services.list_notifications(personas["enterprise_a"].actor)
    assert [n.scenario_id for n in notes] == [scenario.pk]
    assert "机器视觉质检" in notes[0].message
    assert not services.list_notifications(personas["enterprise_b"].actor).exists()


def test_an_unchecked_profile_is_neither_matched_nor_notified(personas, enterprise_a):
    services.save_supplier_profile(
        personas["enterprise_a"].actor, enterprise_a.pk, services.ProfileInput(products="AI视觉质检系统")
    )
    scenario = _published(personas)
    assert not Notification.objects.exists()
    assert services.scenario_matches(personas["chain_office"].actor, scenario.pk) == []


def test_an_enterprise_edit_sends_its_profile_back_to_the_check(personas, enterprise_a):
    profile = _vision_profile(personas, enterprise_a)
    assert profile.checked
    edited = services.save_supplier_profile(
        personas["enterprise_a"].actor,
        enterprise_a.pk,
        services.ProfileInput(products="视觉检测"),
        profile.version,
    )
    assert edited.checked is False


def test_an_enterprise_cannot_edit_another_enterprises_profile(personas, enterprise_b):
    with pytest.raises(PermissionDenied):
        services.save_supplier_profile(
            personas["enterprise_a"].actor, enterprise_b.pk, services.ProfileInput(products="x")
        )


def test_full_lifecycle_ends_as_a_demonstration_scenario(personas, enterprise_a):
    office = personas["chain_office"].actor
    scenario = _published(personas)
    application = services.apply_to_scenario(
        personas["enterprise_a"].actor, scenario.pk, "视觉质检方案", 40_000_000
    )
    with pytest.raises(ValidationError, match="已揭过此榜"):
        services.apply_to_scenario(personas["enterprise_a"].actor, scenario.pk, "再来一次")
    with pytest.raises(ValidationError, match="不能揭本企业发布的榜"):
        services.apply_to_scenario(personas["enterprise_b"].actor, scenario.pk, "自己揭自己")
    winner = services.select_application(office, scenario.pk, scenario.version, {application.pk: 88})
    assert winner.pk == application.pk
    scenario.refresh_from_db()
    scenario = services.contract_scenario(
        office, scenario.pk, scenario.version, [("上线试运行", date(2025, 6, 30))]
    )
    with pytest.raises(ValidationError, match="1 个里程碑未完成"):
        services.accept_scenario(office, scenario.pk, scenario.version)
    services.complete_milestone(office, scenario.milestones.get().pk, date(2025, 6, 1))
    typo = {"action": "accept", "version": scenario.version, "accepted_on": "2025-13-01"}
    page = personas["chain_office"].client.post(f"/scenarios/{scenario.pk}/action/", typo, follow=True)
    assert "验收日期格式应为 年-月-日" in page.content.decode()
    assert Scenario.objects.get(pk=scenario.pk).status == Scenario.Status.CONTRACTED
    scenario = services.accept_scenario(office, scenario.pk, scenario.version)
    assert scenario.accepted_on == date.today()
    assert AuditEntry.objects.filter(
        model="scenarios.scenario", object_id=str(scenario.pk), action="status:accepted"
    ).get().changes["accepted_on"] == [None, date.today().isoformat()]
    before = services.demonstration_count()
    services.count_as_demonstration(office, scenario.pk, scenario.version)
    assert services.demonstration_count() == before + 1


def test_the_public_list_shows_published_calls_only_and_needs_no_login(personas):
    draft = services.create_scenario(
        personas["chain_office"].actor,
        services.ScenarioInput(title="草稿场景", description="还在写", division_code="440106"),
    )
    published = _published(personas)
    client = personas["anonymous"].client
    body = client.get("/scenarios/").content.decode()
    assert published.title in body and draft.title not in body
    assert client.get(f"/scenarios/{published.pk}/").status_code == 200
    assert client.get(f"/scenarios/{draft.pk}/").status_code == 404
    assert [s["id"] for s in client.get("/api/scenarios/public").json()] == [published.pk]
    assert client.get(f"/api/scenarios/{draft.pk}").status_code == 404


def test_a_district_officer_sees_drafts_of_its_own_area_only(personas):
    home = services.create_scenario(
        personas["chain_office"].actor,
        services.ScenarioInput(title="天河场景", description="设备停机", division_code="440106"),
    )
    away = services.create_scenario(
        personas["chain_office"].actor,
        services.ScenarioInput(title="白云场景", description="设备停机", division_code="440111"),
    )
    ids = {s.pk for s in services.list_scenarios(personas["district"].actor)}
    assert home.pk in ids and away.pk not in ids


def test_the_api_twin_files_and_moves_a_scenario(personas):
    client = personas["enterprise_b"].client
    created = client.post(
        "/api/scenarios",
        {"title": "仓库盘点慢", "description": "月底盘点要停业一天"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk, version = created.json()["id"], created.json()["version"]
    step = client.post(
        f"/api/scenarios/{pk}/steps",
        {"action": "submit", "version": version},
        content_type="application/json",
    )
    assert step.json()["status"] == "submitted"
    refused = client.post(
        f"/api/scenarios/{pk}/steps",
        {"action": "publish", "version": step.json()["version"]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    bad = client.post("/api/scenarios", {"title": "", "description": ""}, content_type="application/json")
    assert bad.status_code == 422 and "title" in bad.json()["errors"]


def test_the_matches_page_ranks_checked_suppliers_with_reasons(personas, enterprise_a):
    _vision_profile(personas, enterprise_a)
    scenario = _published(personas)
    body = personas["chain_office"].client.get(f"/scenarios/{scenario.pk}/").content.decode()
    assert enterprise_a.name in body and "能力对口" in body
    data = personas["district"].client.get(f"/api/scenarios/{scenario.pk}/matches").json()
    assert data[0]["enterprise_id"] == enterprise_a.pk


def test_system_actor_can_run_the_whole_flow(personas):
    scenario = services.create_scenario(
        SYSTEM,
        services.ScenarioInput(
            title="系统场景", description="客服排队久", division_code="440106", owner_name="演示"
        ),
    )
    assert scenario.owner_name == "演示"


def test_cooperation_subsidies_follow_the_rule_and_count_towards_the_goals(
    personas, enterprise_a, enterprise_b
):
    office = personas["chain_office"].actor
    for cost in (500_000_000, 500_000_000):
        services.record_cooperation(
            office, services.CooperationInput(enterprise_b.pk, enterprise_a.pk, 2025, cost)
        )
    report = services.cooperation_report(office, 2025)
    assert [r["subsidy_fen"] for r in report["rows"]] == [150_000_000, 50_000_000]
    assert "剩余额度" in report["rows"][1]["reason"]
    assert (report["manufacturers"], report["suppliers"], report["goal"]) == (1, 1, 30)
    data = personas["department"].client.get("/api/cooperations?year=2025").json()
    assert data["subsidy_total_fen"] == 200_000_000


def test_a_district_officer_records_cooperations_of_its_own_manufacturers_only(
    personas, enterprise_a, enterprise_b
):
    with pytest.raises(ValidationError, match="本辖区"):
        services.record_cooperation(
            personas["district"].actor, services.CooperationInput(enterprise_b.pk, enterprise_a.pk, 2025, 100)
        )
    with pytest.raises(PermissionDenied):
        services.record_cooperation(
            personas["enterprise_a"].actor,
            services.CooperationInput(enterprise_a.pk, enterprise_b.pk, 2025, 100),
        )


def test_a_supply_need_is_filed_as_the_enterprise_and_matched_to_local_makers(
    personas, enterprise_a, enterprise_b
):
    need = services.create_supply_need(
        personas["enterprise_b"].actor, "采购视觉检测平台", "需要视觉检测平台软件"
    )
    assert need.requester_id == enterprise_b.pk
    matches = services.supply_matches(personas["chain_office"].actor, need.pk)
    assert [m["enterprise"].pk for m in matches] == [enterprise_a.pk]
    response = personas["enterprise_a"].client.get(f"/scenarios/supply/{need.pk}/")
    assert response.status_code == 200 and enterprise_a.name in response.content.decode()


def test_an_enterprise_sees_the_open_calls_that_fit_its_profile(personas, enterprise_a):
    _vision_profile(personas, enterprise_a)
    scenario = _published(personas)
    fits = services.scenarios_for_supplier(personas["enterprise_a"].actor)
    assert [f["scenario"].pk for f in fits] == [scenario.pk]
    body = personas["enterprise_a"].client.get("/scenarios/suppliers/mine/").content.decode()
    assert "适合本企业的揭榜场景" in body and scenario.title in body
    api = personas["enterprise_a"].client.get("/api/suppliers/mine/scenarios").json()
    assert api[0]["scenario_id"] == scenario.pk
    assert personas["district"].client.get("/api/suppliers/mine/scenarios").status_code == 403
