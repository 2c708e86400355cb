"""The registry services: validation, who may change what, the project workflow, node confirmation, counts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises import services
from lianzhang.enterprises.forms import EnterpriseForm
from lianzhang.enterprises.models import Enterprise, NodeAssignment, Project
from lianzhang.enterprises.project_services import ProjectInput, create_project, transition_project
from lianzhang.enterprises.records import EnterpriseRecord
from tests.conftest import HOME_DISTRICT, OTHER_DISTRICT, credit_code, enterprise_record

pytestmark = pytest.mark.django_db


def field_errors(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {name: " ".join(messages) for name, messages in exc.value.message_dict.items()}


def edited(enterprise: Enterprise, **changes: object) -> EnterpriseRecord:
    """The enterprise's current record with some fields changed, as an edit form would send it."""
    return dataclasses.replace(services.record_of(enterprise), **changes)


# --- creating, updating and deleting ------------------------------------------------------------


def test_chain_office_creates_an_enterprise_and_the_audit_log_records_it(personas) -> None:
    record = enterprise_record("丙算法科技有限公司", "440106002", 31, tags=["专精特新", "瞪羚"])

    enterprise = services.create_enterprise(personas["chain_office"].actor, record)

    assert enterprise.division_id == "440106002"
    assert sorted(t.name for t in enterprise.tags.all()) == ["专精特新", "瞪羚"]
    assert enterprise.years.get().revenue_fen == 5_000_000_00
    entry = AuditEntry.objects.get(
        action="create", object_id=str(enterprise.pk), model="enterprises.enterprise"
    )
    assert entry.username == "chain"


def test_bad_checksum_is_refused_naming_the_credit_code(personas) -> None:
    record = enterprise_record("丙公司", "440106002", 32)
    record.credit_code = record.credit_code[:-1] + ("1" if record.credit_code[-1] != "1" else "2")

    with pytest.raises(ValidationError) as refused:
        services.create_enterprise(personas["chain_office"].actor, record)

    assert "校验位错误" in field_errors(refused)["credit_code"]
    assert not Enterprise.objects.filter(name="丙公司").exists()


def test_unknown_division_is_refused_naming_the_division(personas) -> None:
    record = enterprise_record("丙公司", "440106002", 33)
    record.division_code = "440199999"

    with pytest.raises(ValidationError) as refused:
        services.create_enterprise(personas["chain_office"].actor, record)

    assert "440199999" in field_errors(refused)["division_code"]


def test_unknown_tag_is_refused_naming_the_tags(personas) -> None:
    record = enterprise_record("丙公司", "440106002", 34, tags=["高新技术企业", "明星企业"])

    with pytest.raises(ValidationError) as refused:
        services.create_enterprise(personas["chain_office"].actor, record)

    assert "明星企业" in field_errors(refused)["tags"]


def test_duplicate_credit_code_is_refused(personas, enterprise_a) -> None:
    record = enterprise_record("冒名公司", "440106002", 1)
    assert record.credit_code == enterprise_a.credit_code

    with pytest.raises(ValidationError) as refused:
        services.create_enterprise(personas["chain_office"].actor, record)

    assert "已登记" in field_errors(refused)["credit_code"]
    assert Enterprise.objects.filter(credit_code=enterprise_a.credit_code).count() == 1


def test_every_bad_field_is_reported_at_once(personas) -> None:
    record = EnterpriseRecord(credit_code="123", name=" ", division_code="000000", tags=["明星企业"])

    with pytest.raises(ValidationError) as refused:
        services.create_enterprise(personas["chain_office"].actor, record)

    assert set(field_errors(refused)) == {"credit_code", "name", "division_code", "tags"}


def test_credit_code_cannot_be_changed_after_registration(personas, enterprise_a) -> None:
    new_code = credit_code(HOME_DISTRICT, 99)

    with pytest.raises(ValidationError) as refused:
        services.update_enterprise(
            personas["chain_office"].actor,
            enterprise_a.pk,
            enterprise_a.version,
            edited(enterprise_a, credit_code=new_code),
        )

    assert "不可修改" in field_errors(refused)["credit_code"]


def test_update_records_the_changed_fields_in_the_audit_log(personas, enterprise_a) -> None:
    services.update_enterprise(
        personas["chain_office"].actor,
        enterprise_a.pk,
        enterprise_a.version,
        edited(enterprise_a, address="天河路 1 号", tags=["高新技术企业", "链主"]),
    )

    entry = AuditEntry.objects.get(action="update", object_id=str(enterprise_a.pk))
    assert entry.changes == {
        "address": ["", "天河路 1 号"],
        "tags": [["高新技术企业"], ["链主", "高新技术企业"]],
    }


def test_chain_office_deletes_an_enterprise_without_projects(personas) -> None:
    enterprise = services.create_enterprise(SYSTEM, enterprise_record("待删除有限公司", "440106002", 35))

    services.delete_enterprise(personas["chain_office"].actor, enterprise.pk, enterprise.version)

    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_id=str(enterprise.pk))
    assert entry.username == "chain"
    assert entry.changes["name"] == "待删除有限公司"


def test_enterprise_with_projects_cannot_be_deleted(personas, enterprise_a) -> None:
    with pytest.raises(ValidationError, match="有项目记录"):
        services.delete_enterprise(personas["chain_office"].actor, enterprise_a.pk, enterprise_a.version)
    assert Enterprise.objects.filter(pk=enterprise_a.pk).exists()


def test_deleting_a_changed_enterprise_is_refused(personas) -> None:
    enterprise = services.create_enterprise(SYSTEM, enterprise_record("待删除有限公司", "440106002", 36))
    services.update_enterprise(
        SYSTEM, enterprise.pk, enterprise.version, edited(enterprise, products="新产品")
    )

    with pytest.raises(ValidationError, match="已被他人修改"):
        services.delete_enterprise(personas["chain_office"].actor, enterprise.pk, enterprise.version)

    assert Enterprise.objects.filter(pk=enterprise.pk).exists()
    assert not AuditEntry.objects.filter(action="delete").exists()


@pytest.mark.parametrize("role", ["district", "department", "enterprise_a", "expert"])
def test_only_chain_office_and_admin_delete_enterprises(personas, enterprise_a, role) -> None:
    with pytest.raises(PermissionDenied):
        services.delete_enterprise(personas[role].actor, enterprise_a.pk, enterprise_a.version)
    assert Enterprise.objects.filter(pk=enterprise_a.pk).exists()


# --- enterprise users ---------------------------------------------------------------------------


def test_enterprise_user_edits_its_own_short_name_and_products(personas, enterprise_a) -> None:
    record = edited(enterprise_a, short_name="甲视觉", products="缺陷检测一体机")

    services.update_enterprise(personas["enterprise_a"].actor, enterprise_a.pk, enterprise_a.version, record)

    enterprise_a.refresh_from_db()
    assert (enterprise_a.short_name, enterprise_a.products) == ("甲视觉", "缺陷检测一体机")


def test_enterprise_user_cannot_change_name_tags_or_division(personas, enterprise_a) -> None:
    record = edited(
        enterprise_a, name="甲视觉集团", tags=["独角兽", "上市"], division_code="440111002", products="新产品"
    )

    services.update_enterprise(personas["enterprise_a"].actor, enterprise_a.pk, enterprise_a.version, record)

    enterprise_a.refresh_from_db()
    assert enterprise_a.name == "甲视觉科技有限公司"
    assert enterprise_a.division_id == "440106001"
    assert [t.name for t in enterprise_a.tags.all()] == ["高新技术企业"]
    assert enterprise_a.products == "新产品"  # the field it may edit was saved


def test_enterprise_user_saves_its_own_profile_through_the_edit_page(personas, enterprise_a) -> None:
    form = EnterpriseForm.initial_from(services.record_of(enterprise_a), enterprise_a.version)
    form.update(short_name="甲视觉", products="缺陷检测一体机", name="甲视觉集团", tags=["独角兽"])
    data = {k: v for k, v in form.items() if v is not None}

    response = personas["enterprise_a"].client.post(f"/enterprises/{enterprise_a.pk}/edit/", data)

    assert response.status_code == 302
    enterprise_a.refresh_from_db()
    assert (enterprise_a.short_name, enterprise_a.products) == ("甲视觉", "缺陷检测一体机")
    assert enterprise_a.name == "甲视觉科技有限公司"
    assert [t.name for t in enterprise_a.tags.all()] == ["高新技术企业"]


def test_enterprise_user_cannot_edit_another_enterprise(personas, enterprise_b) -> None:
    with pytest.raises(PermissionDenied):
        services.update_enterprise(
            personas["enterprise_a"].actor,
            enterprise_b.pk,
            enterprise_b.version,
            edited(enterprise_b, products="x"),
        )
    enterprise_b.refresh_from_db()
    assert enterprise_b.products == "视觉检测平台"


@pytest.mark.parametrize("role", ["enterprise_a", "expert", "department", "anonymous"])
def test_roles_without_the_right_cannot_create_enterprises(personas, role) -> None:
    with pytest.raises(PermissionDenied):
        services.create_enterprise(personas[role].actor, enterprise_record("越权公司", "440106002", 37))
    assert not Enterprise.objects.filter(name="越权公司").exists()


# --- district officers --------------------------------------------------------------------------


def test_district_officer_creates_an_enterprise_in_its_district(personas) -> None:
    enterprise = services.create_enterprise(
        personas["district"].actor, enterprise_record("天河新企业有限公司", "440106003", 38)
    )
    assert enterprise.division_id == "440106003"


def test_district_officer_cannot_create_an_enterprise_outside_its_area(personas) -> None:
    record = enterprise_record("白云新企业有限公司", "440111002", 39)

    with pytest.raises(ValidationError) as refused:
        services.create_enterprise(personas["district"].actor, record)

    assert "本辖区" in field_errors(refused)["division_code"]
    assert not Enterprise.objects.filter(name="白云新企业有限公司").exists()


def test_district_officer_cannot_move_an_enterprise_out_of_its_area(personas, enterprise_a) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_enterprise(
            personas["district"].actor,
            enterprise_a.pk,
            enterprise_a.version,
            edited(enterprise_a, division_code=f"{OTHER_DISTRICT}002"),
        )

    assert "移出本辖区" in field_errors(refused)["division_code"]
    enterprise_a.refresh_from_db()
    assert enterprise_a.division_id == "440106001"


def test_district_officer_cannot_edit_an_enterprise_of_another_district(personas, enterprise_b) -> None:
    with pytest.raises(PermissionDenied):
        services.update_enterprise(
            personas["district"].actor,
            enterprise_b.pk,
            enterprise_b.version,
            edited(enterprise_b, products="x"),
        )


def test_district_officer_moves_an_enterprise_within_its_district(personas, enterprise_a) -> None:
    services.update_enterprise(
        personas["district"].actor,
        enterprise_a.pk,
        enterprise_a.version,
        edited(enterprise_a, division_code="440106006"),
    )
    enterprise_a.refresh_from_db()
    assert enterprise_a.division_id == "440106006"


# --- projects -----------------------------------------------------------------------------------


LEGAL_PATH = ["formal_check", "review", "approved", "accepted"]


def test_project_walks_the_legal_path_with_history_and_audit(personas, enterprise_a) -> None:
    actor = personas["chain_office"].actor
    project = enterprise_a.projects.get()

    for step in LEGAL_PATH:
        project = transition_project(actor, project.pk, project.version, step, f"同意进入{step}")

    project.refresh_from_db()
    assert project.status == "accepted"
    history = list(project.history.values_list("from_status", "to_status", "by_id", "comment"))
    assert [(f, t) for f, t, _, _ in history] == [
        ("", "submitted"),
        ("submitted", "formal_check"),
        ("formal_check", "review"),
        ("review", "approved"),
        ("approved", "accepted"),
    ]
    assert all(by == actor.user_id for _, _, by, _ in history[1:])
    assert history[-1][3] == "同意进入accepted"
    entries = AuditEntry.objects.filter(action="transition", object_id=str(project.pk)).order_by("id")
    assert [e.changes["status"] for e in entries] == [
        ["submitted", "formal_check"],
        ["formal_check", "review"],
        ["review", "approved"],
        ["approved", "accepted"],
    ]
    assert {e.username for e in entries} == {"chain"}


def test_project_cannot_jump_over_workflow_steps(personas, enterprise_a) -> None:
    project = enterprise_a.projects.get()

    with pytest.raises(ValidationError) as refused:
        transition_project(personas["chain_office"].actor, project.pk, project.version, "approved")

    assert refused.value.messages == ["项目当前为“申报”，不能变更为“立项”"]
    project.refresh_from_db()
    assert project.status == "submitted"
    assert project.history.count() == 1


def test_finished_project_cannot_move_any_more(personas, enterprise_a) -> None:
    actor = personas["chain_office"].actor
    project = enterprise_a.projects.get()
    project = transition_project(actor, project.pk, project.version, "terminated", "企业撤回申报")

    with pytest.raises(ValidationError, match="终止"):
        transition_project(actor, project.pk, project.version, "formal_check")


def test_unknown_status_is_refused_with_a_message(personas, enterprise_a) -> None:
    project = enterprise_a.projects.get()
    with pytest.raises(ValidationError, match="不能变更为“paused”"):
        transition_project(personas["chain_office"].actor, project.pk, project.version, "paused")


def test_terminating_a_project_needs_a_comment(personas, enterprise_a) -> None:
    actor = personas["chain_office"].actor
    project = enterprise_a.projects.get()

    with pytest.raises(ValidationError, match="终止项目须填写意见"):
        transition_project(actor, project.pk, project.version, "terminated", "   ")

    project = transition_project(actor, project.pk, project.version, "terminated", "材料不全")
    assert project.status == "terminated"
    assert project.history.last().comment == "材料不全"


def test_enterprise_user_cannot_move_its_own_project(personas, enterprise_a) -> None:
    project = enterprise_a.projects.get()
    with pytest.raises(PermissionDenied):
        transition_project(personas["enterprise_a"].actor, project.pk, project.version, "formal_check")
    project.refresh_from_db()
    assert project.status == "submitted"


def test_district_officer_moves_projects_of_its_district_only(personas, enterprise_a, enterprise_b) -> None:
    home, other = enterprise_a.projects.get(), enterprise_b.projects.get()

    transition_project(personas["district"].actor, home.pk, home.version, "formal_check")
    with pytest.raises(PermissionDenied):
        transition_project(personas["district"].actor, other.pk, other.version, "formal_check")

    assert Project.objects.get(pk=home.pk).status == "formal_check"
    assert Project.objects.get(pk=other.pk).status == "submitted"


def test_enterprise_user_files_projects_only_for_itself(personas, enterprise_a, enterprise_b) -> None:
    actor = personas["enterprise_a"].actor
    own = create_project(actor, ProjectInput(enterprise_a.pk, "边缘推理盒子", "rnd", 50_000_000))
    assert own.history.get().to_status == "submitted"

    with pytest.raises(PermissionDenied):
        create_project(actor, ProjectInput(enterprise_b.pk, "代报项目", "rnd", 50_000_000))
    assert not Project.objects.filter(name="代报项目").exists()


def test_project_input_errors_name_the_fields(personas, enterprise_a) -> None:
    with pytest.raises(ValidationError) as refused:
        create_project(personas["chain_office"].actor, ProjectInput(enterprise_a.pk, "", "lottery", 0))
    assert set(field_errors(refused)) == {"name", "type", "budget_fen"}


# --- chain nodes --------------------------------------------------------------------------------


def test_chain_office_confirms_a_node_and_who_and_when_are_recorded(personas, enterprise_a) -> None:
    actor = personas["chain_office"].actor
    before = timezone.now()

    # enterprise A's scope is classified as vision; speech is added by hand.
    assignment = services.confirm_node(actor, enterprise_a.pk, "speech")

    assignment.refresh_from_db()
    assert assignment.node == "speech"
    assert assignment.source == NodeAssignment.Source.MANUAL
    assert assignment.confirmed_by_id == actor.user_id
    assert before - timedelta(seconds=1) <= assignment.confirmed_at <= timezone.now()
    entry = AuditEntry.objects.get(action="confirm_node", object_id=str(enterprise_a.pk))
    assert entry.changes["node"] == [None, "speech"]


def test_confirming_an_automatic_assignment_keeps_its_source(personas, enterprise_a) -> None:
    automatic = NodeAssignment.objects.get(enterprise=enterprise_a, node="vision")

    assignment = services.confirm_node(personas["chain_office"].actor, enterprise_a.pk, "vision")

    assert assignment.pk == automatic.pk
    assert assignment.source == NodeAssignment.Source.AUTO
    assert assignment.confidence == automatic.confidence
    assert assignment.confirmed_by_id == personas["chain_office"].actor.user_id
    assert NodeAssignment.objects.filter(enterprise=enterprise_a, node="vision").count() == 1


def test_confirming_an_unknown_node_is_refused(personas, enterprise_a) -> None:
    with pytest.raises(ValidationError) as refused:
        services.confirm_node(personas["chain_office"].actor, enterprise_a.pk, "teleport")
    assert "teleport" in field_errors(refused)["node"]
    assert not NodeAssignment.objects.filter(node="teleport").exists()


@pytest.mark.parametrize("role", ["district", "department", "enterprise_a", "expert"])
def test_only_the_chain_office_confirms_nodes(personas, enterprise_a, role) -> None:
    with pytest.raises(PermissionDenied):
        services.confirm_node(personas[role].actor, enterprise_a.pk, "vision")
    assert not NodeAssignment.objects.filter(confirmed_by__isnull=False).exists()


# --- registry summary ---------------------------------------------------------------------------


@pytest.fixture
def registry(personas, enterprise_a, enterprise_b):
    """Three 天河区 and one 白云区 enterprise; nodes come from classification and from the chain office."""
    chain = personas["chain_office"].actor
    extra = [
        (
            "天河语音有限公司",
            "440106002",
            41,
            ["专精特新"],
            "一般项目：智能语音识别软件开发；语音合成技术服务。",
        ),
        ("天河无节点有限公司", "440106003", 42, [], "一般项目：企业管理咨询；会议及展览服务。"),
    ]
    for name, division, serial, tags, scope in extra:
        record = enterprise_record(name, division, serial, tags=tags, business_scope=scope, products="")
        services.create_enterprise(chain, record)
    # A and B are classified as vision from their scope; A also gets a node by hand.
    services.confirm_node(chain, enterprise_a.pk, "manufacturing")
    services.confirm_node(chain, enterprise_b.pk, "vision")
    return personas


def counts(items: list[dict], key: str) -> dict:
    return {item[key]: item["count"] for item in items if item["count"]}


def test_registry_summary_counts_everything_for_the_chain_office(registry) -> None:
    summary = services.registry_summary(registry["chain_office"].actor)

    assert (summary["total"], summary["ai_total"]) == (4, 3)
    assert counts(summary["by_node"], "id") == {"vision": 2, "manufacturing": 1, "speech": 1}
    assert len(summary["by_node"]) == 28
    assert counts(summary["by_district"], "code") == {"440106": 3, "440111": 1}
    assert counts(summary["by_tag"], "name") == {"高新技术企业": 2, "专精特新": 1}


def test_registry_summary_is_scoped_for_a_district_officer(registry) -> None:
    summary = services.registry_summary(registry["district"].actor)

    assert (summary["total"], summary["ai_total"]) == (3, 2)
    assert counts(summary["by_node"], "id") == {"vision": 1, "manufacturing": 1, "speech": 1}
    # Within a district officer's own area the breakdown is by town.
    assert counts(summary["by_district"], "code") == {"440106001": 1, "440106002": 1, "440106003": 1}
    assert counts(summary["by_tag"], "name") == {"高新技术企业": 1, "专精特新": 1}


@pytest.mark.parametrize("role", ["enterprise_a", "expert", "anonymous"])
def test_registry_summary_is_refused_to_roles_without_the_dashboard(registry, role) -> None:
    with pytest.raises(PermissionDenied):
        services.registry_summary(registry[role].actor)
