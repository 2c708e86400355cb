"""Parallel writers and stale edits: nothing fails with "database is locked", nothing is overwritten."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import RequestFactory

from lianzhang.accounts.models import AuditEntry, Role
from lianzhang.accounts.permissions import SYSTEM, Actor, actor_for
from lianzhang.accounts.services import NewUser, create_user
from lianzhang.common.versioning import StaleEdit
from lianzhang.enterprises import services
from lianzhang.enterprises.forms import EnterpriseForm
from lianzhang.enterprises.models import Enterprise, Project
from lianzhang.enterprises.project_services import ProjectInput, create_project, transition_project
from tests.conftest import PASSWORD, enterprise_record

WRITERS = 8
ROUNDS = 4
STALE_MESSAGE = "已被他人修改"
NOT_SAVED = "您的修改未保存"


def _skip_unless_shared_database() -> None:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        pytest.skip(f"parallel writers are checked on SQLite and PostgreSQL only, not on {vendor}")
    name = str(connection.settings_dict["NAME"])
    if vendor == "sqlite" and (":memory:" in name or "mode=memory" in name):
        pytest.skip("an in-memory SQLite test database is private to one connection; threads need a file")


def _writer(actor: Actor, index: int, start: threading.Barrier, errors: list[BaseException]) -> None:
    """One editor: registers an enterprise, edits it several times and files projects for it."""
    try:
        start.wait(timeout=30)
        record = enterprise_record(f"并发测试{index}号智能科技有限公司", "440106001", 500 + index)
        enterprise = services.create_enterprise(actor, record)
        for round_no in range(ROUNDS):
            record.products = f"第{round_no}版产品"
            enterprise = services.update_enterprise(actor, enterprise.pk, enterprise.version, record)
            create_project(actor, ProjectInput(enterprise.pk, f"项目{index}-{round_no}", "rnd", 10_000_00))
    except BaseException as exc:  # collected and reported by the main thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_eight_parallel_writers_all_succeed_without_database_is_locked() -> None:
    _skip_unless_shared_database()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
    user = create_user(SYSTEM, NewUser(username="chain", password=PASSWORD, role=Role.CHAIN_OFFICE))
    actor = actor_for(get_user_model().objects.get(pk=user.pk))
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_writer, args=(actor, i, start, errors), name=f"writer-{i}")
        for i in range(WRITERS)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(t.is_alive() for t in threads), "a writer hung"
    assert errors == [], [f"{type(e).__name__}: {e}" for e in errors]
    enterprises = Enterprise.objects.filter(name__startswith="并发测试")
    assert enterprises.count() == WRITERS
    for enterprise in enterprises:
        assert enterprise.products == f"第{ROUNDS - 1}版产品"
        assert enterprise.version == 1 + ROUNDS
        assert enterprise.projects.count() == ROUNDS
    assert Project.objects.filter(name__startswith="项目").count() == WRITERS * ROUNDS
    # One create and ROUNDS updates per enterprise, one create per project, all by the chain office.
    written = AuditEntry.objects.filter(user_id=actor.user_id)
    assert written.filter(model="enterprises.enterprise").count() == WRITERS * (1 + ROUNDS)
    assert written.filter(model="enterprises.project").count() == WRITERS * ROUNDS


# --- stale edits --------------------------------------------------------------------------------


def _edited(enterprise: Enterprise, **changes: Any):
    record = services.record_of(enterprise)
    for name, value in changes.items():
        setattr(record, name, value)
    return record


@pytest.mark.django_db
def test_stale_edit_is_refused_and_keeps_the_first_editors_value(personas, enterprise_a) -> None:
    loaded = services.get_enterprise(personas["chain_office"].actor, enterprise_a.pk)
    version = loaded.version
    services.update_enterprise(
        personas["chain_office"].actor, loaded.pk, version, _edited(loaded, products="甲的修改")
    )

    with pytest.raises(StaleEdit) as refused:
        services.update_enterprise(
            personas["district"].actor, loaded.pk, version, _edited(loaded, products="乙的修改")
        )

    message = str(refused.value)
    assert STALE_MESSAGE in message and NOT_SAVED in message
    assert f"第 {version} 版" in message and f"第 {version + 1} 版" in message
    enterprise_a.refresh_from_db()
    assert enterprise_a.products == "甲的修改"
    assert enterprise_a.version == version + 1
    updates = AuditEntry.objects.filter(action="update", object_id=str(enterprise_a.pk))
    assert list(updates.values_list("username", flat=True)) == ["chain"]


@pytest.mark.django_db
def test_stale_edit_keeps_tags_and_figures_of_the_first_editor(personas, enterprise_a) -> None:
    loaded = services.get_enterprise(personas["chain_office"].actor, enterprise_a.pk)
    services.update_enterprise(
        personas["chain_office"].actor, loaded.pk, loaded.version, _edited(loaded, tags=["链主"])
    )
    stale = _edited(loaded, tags=["独角兽"])
    stale.figures[0].employees = 1

    with pytest.raises(StaleEdit):
        services.update_enterprise(personas["district"].actor, loaded.pk, loaded.version, stale)

    assert [t.name for t in enterprise_a.tags.all()] == ["链主"]
    assert enterprise_a.years.get().employees == 120


def _edit_form_data(enterprise: Enterprise, version: int, **changes: Any) -> dict[str, Any]:
    initial = EnterpriseForm.initial_from(services.record_of(enterprise), version)
    initial.update(changes)
    return {k: v for k, v in initial.items() if v is not None}


@pytest.mark.django_db
def test_stale_edit_through_the_edit_page_shows_the_message(personas, enterprise_a) -> None:
    client = personas["chain_office"].client
    old_version = enterprise_a.version
    first = client.post(
        f"/enterprises/{enterprise_a.pk}/edit/", _edit_form_data(enterprise_a, old_version, products="甲")
    )
    assert first.status_code == 302

    second = client.post(
        f"/enterprises/{enterprise_a.pk}/edit/", _edit_form_data(enterprise_a, old_version, products="乙")
    )

    assert second.status_code == 200
    body = second.content.decode()
    assert STALE_MESSAGE in body and NOT_SAVED in body
    enterprise_a.refresh_from_db()
    assert enterprise_a.products == "甲"


@pytest.mark.django_db
def test_stale_edit_through_the_api_returns_409(personas, enterprise_a) -> None:
    client = personas["chain_office"].client
    url = f"/api/enterprises/{enterprise_a.pk}"
    payload = {
        "credit_code": enterprise_a.credit_code,
        "name": enterprise_a.name,
        "division_code": "440106001",
    }
    first = client.put(url, {**payload, "products": "甲", "version": 1}, content_type="application/json")
    assert first.status_code == 200
    assert first.json()["version"] == 2

    second = client.put(url, {**payload, "products": "乙", "version": 1}, content_type="application/json")

    assert second.status_code == 409
    assert STALE_MESSAGE in second.json()["detail"]
    assert second.json()["current_version"] == 2
    enterprise_a.refresh_from_db()
    assert enterprise_a.products == "甲"


@pytest.mark.django_db
def test_stale_project_transition_is_refused(personas, enterprise_a) -> None:
    actor = personas["chain_office"].actor
    project = enterprise_a.projects.get()
    transition_project(actor, project.pk, project.version, "formal_check")

    with pytest.raises(StaleEdit):
        transition_project(actor, project.pk, project.version, "terminated", "重复提交")

    project.refresh_from_db()
    assert project.status == "formal_check"
    assert project.history.count() == 2


@pytest.mark.django_db
def test_saving_a_stale_instance_directly_raises_stale_edit(enterprise_a) -> None:
    first = Enterprise.objects.get(pk=enterprise_a.pk)
    second = Enterprise.objects.get(pk=enterprise_a.pk)
    first.short_name = "甲"
    first.save()
    second.short_name = "乙"

    # Like every failing save, StaleEdit marks the surrounding transaction for rollback; callers save
    # inside their own atomic block (the services and the admin both do).
    with pytest.raises(StaleEdit), transaction.atomic():
        second.save()

    enterprise_a.refresh_from_db()
    assert enterprise_a.short_name == "甲"


@pytest.mark.django_db
def test_admin_save_of_a_stale_instance_raises_stale_edit_and_logs_nothing(personas, enterprise_a) -> None:
    model_admin = admin_site._registry[Enterprise]
    request = RequestFactory().post("/admin/")
    request.user = get_user_model().objects.get(username="admin")
    stale = Enterprise.objects.get(pk=enterprise_a.pk)
    services.update_enterprise(
        personas["chain_office"].actor,
        enterprise_a.pk,
        enterprise_a.version,
        _edited(enterprise_a, short_name="甲"),
    )
    audit_before = AuditEntry.objects.count()
    stale.short_name = "乙"

    with pytest.raises(StaleEdit), transaction.atomic():
        model_admin.save_model(request, stale, form=None, change=True)

    enterprise_a.refresh_from_db()
    assert enterprise_a.short_name == "甲"
    assert AuditEntry.objects.count() == audit_before


def _admin_post_data(response) -> dict[str, Any]:
    """The admin change form as the browser would submit it unchanged (main form and inlines)."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        forms.extend(inline.formset.forms)
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list) else value
    return data


@pytest.mark.django_db
def test_admin_change_form_opened_before_another_edit_does_not_overwrite_it(personas, enterprise_a) -> None:
    client = personas["admin"].client
    url = f"/admin/enterprises/enterprise/{enterprise_a.pk}/change/"
    data = _admin_post_data(client.get(url))
    services.update_enterprise(
        personas["chain_office"].actor,
        enterprise_a.pk,
        enterprise_a.version,
        _edited(enterprise_a, short_name="甲"),
    )
    data["products"] = "管理员的修改"

    client.post(url, data)

    enterprise_a.refresh_from_db()
    assert enterprise_a.short_name == "甲"
