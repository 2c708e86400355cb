"""The round page at size: paged and filtered tables, whole-round counts, bulk formal check and import."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from lianzhang.accounts.models import AuditEntry
from lianzhang.enterprises.models import Project
from lianzhang.reviews import assignment_services, imports, pool_services, services
from lianzhang.reviews.models import Assignment, Conflict, Expert, ReviewApplication, ReviewRound
from lianzhang.reviews.pool_services import ExpertInput, add_related_person, save_expert

pytestmark = pytest.mark.django_db
R = ReviewRound.Status
ROW = re.compile(r"<tr[^>]*><td>(.*?)</td><td>(.*?)</td>")


def _pool(office, n: int) -> list[Expert]:
    return [
        save_expert(office, ExpertInput(name=f"专家{i}", organisation=f"第{i}大学", nodes=["vision"]))
        for i in range(n)
    ]


def _checking_round(office, per_app: int = 2) -> ReviewRound:
    round_ = services.create_round(office, services.RoundInput(name="大批次", per_app=per_app, max_load=2))
    for project in Project.objects.order_by("pk"):
        services.add_application(office, round_.pk, "project", project.pk)
    return services.start_check(office, round_.pk, round_.version)


def _assigned_round(office, per_app: int = 2) -> ReviewRound:
    round_ = _checking_round(office, per_app)
    services.pass_pending(office, round_.pk)
    round_.refresh_from_db()
    round_ = services.open_assignment(office, round_.pk, round_.version)
    assignment_services.run_assignment(office, round_.pk, seed=3)
    round_.refresh_from_db()
    return round_


def _table(page: str, table_id: str) -> list[tuple[str, str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return ROW.findall(body.split("<tbody>", 1)[1])


@pytest.fixture
def small_pages(monkeypatch):
    """One application and two assignments per page, so two enterprises fill several pages."""
    monkeypatch.setattr(services, "APPS_PER_PAGE", 1)
    monkeypatch.setattr(services, "ASSIGNMENTS_PER_PAGE", 2)


def test_the_assignment_table_pages_through_every_assignment(personas, small_pages):
    office = personas["chain_office"].actor
    _pool(office, 4)
    round_ = _assigned_round(office)
    client = personas["chain_office"].client
    url = f"/reviews/rounds/{round_.pk}/"
    first = client.get(url).content.decode()
    second = client.get(url + "?apage=2").content.decode()
    rows = _table(first, "assignment-table") + _table(second, "assignment-table")
    stored = Assignment.objects.filter(application__round=round_).select_related("application", "expert")
    assert len(_table(first, "assignment-table")) == 2
    assert sorted(rows) == sorted((a.application.title, a.expert.name) for a in stored)
    assert "第 1 / 2 页，共 4 人次" in first and "apage=2#assignments" in first
    assert "第 2 / 2 页" in second and "apage=1#assignments" in second
    # Out-of-range page numbers show the last page rather than an error.
    assert _table(client.get(url + "?apage=99").content.decode(), "assignment-table") == _table(
        second, "assignment-table"
    )


def test_the_assignment_table_filters_by_name_status_and_late_conflict(personas, enterprise_a):
    office = personas["chain_office"].actor
    _pool(office, 4)
    round_ = _assigned_round(office)
    client = personas["chain_office"].client
    url = f"/reviews/rounds/{round_.pk}/"
    one = Assignment.objects.filter(application__round=round_).select_related("expert").first()
    by_name = _table(client.get(url, {"who": one.expert.name}).content.decode(), "assignment-table")
    assert by_name and all(expert == one.expert.name for _, expert in by_name)
    assignment_services.withdraw_assignment(office, one.pk, "出差")
    declined = _table(client.get(url, {"status": "declined"}).content.decode(), "assignment-table")
    assert declined == [(one.application.title, one.expert.name)]
    assert "只看出现回避的" in client.get(url).content.decode()
    page = client.get(url, {"conflicted": "1"}).content.decode()
    assert _table(page, "assignment-table") == [] and "没有符合条件的分配" in page
    victim = (
        Assignment.objects.filter(application__enterprise=enterprise_a, status="assigned")
        .select_related("expert", "application")
        .first()
    )
    add_related_person(personas["enterprise_a"].actor, enterprise_a.pk, victim.expert.name, "legal_rep")
    page = client.get(url, {"conflicted": "1"}).content.decode()
    assert _table(page, "assignment-table") == [(victim.application.title, victim.expert.name)]
    assert 'class="conflicted"' in page


def test_the_application_table_pages_filters_and_counts_the_whole_round(
    personas, enterprise_a, enterprise_b, small_pages
):
    office = personas["chain_office"].actor
    _pool(office, 4)
    round_ = _assigned_round(office)
    client = personas["chain_office"].client
    url = f"/reviews/rounds/{round_.pk}/"
    first, second = (client.get(url, {"page": n}).content.decode() for n in (1, 2))
    titles = [r[0] for r in _table(first, "application-table") + _table(second, "application-table")]
    assert sorted(titles) == sorted(round_.applications.values_list("title", flat=True))
    assert "申请与形式审查（2）" in first and "通过 2" in first and "第 1 / 2 页，共 2 项" in first
    assert "2/2" in first  # reviewers on the application out of the panel size
    only_b = client.get(url, {"q": enterprise_b.name}).content.decode()
    assert [r[1] for r in _table(only_b, "application-table")] == [enterprise_b.name]
    assert _table(client.get(url, {"check": "failed"}).content.decode(), "application-table") == []
    # Paging one table keeps the other table's filters.
    assert "who=%E4%B8%93%E5%AE%B6" in client.get(url, {"who": "专家", "page": 1}).content.decode()


def test_the_round_page_query_count_does_not_grow_with_the_round(personas, django_assert_max_num_queries):
    office = personas["chain_office"].actor
    _pool(office, 6)
    round_ = _assigned_round(office, per_app=3)
    with django_assert_max_num_queries(30):
        assert personas["chain_office"].client.get(f"/reviews/rounds/{round_.pk}/").status_code == 200


def test_pass_pending_checks_every_waiting_application_once_with_an_audit_entry_each(personas):
    office = personas["chain_office"].actor
    _pool(office, 2)
    round_ = _checking_round(office)
    first = round_.applications.order_by("pk").first()
    services.formal_check(office, first.pk, False, "材料不全")
    client = personas["chain_office"].client
    assert "待审查的 1 项全部通过" in client.get(f"/reviews/rounds/{round_.pk}/").content.decode()
    client.post(f"/reviews/rounds/{round_.pk}/action/", {"action": "pass_pending"})
    statuses = dict(round_.applications.values_list("pk", "check_status"))
    assert statuses.pop(first.pk) == "failed" and set(statuses.values()) == {"passed"}
    logged = AuditEntry.objects.filter(model="reviews.reviewapplication", action="formal_check")
    assert logged.count() == 2
    assert not Conflict.objects.filter(application=first).exists()
    response = client.post(f"/reviews/rounds/{round_.pk}/action/", {"action": "pass_pending"}, follow=True)
    assert "没有待审查的申请" in response.content.decode()


def test_a_bulk_failure_needs_a_reason_and_applications_of_this_round(personas):
    office = personas["chain_office"].actor
    round_ = _checking_round(office)
    other = _checking_round(office)
    ids = list(round_.applications.values_list("pk", flat=True))
    with pytest.raises(ValidationError):
        services.formal_check_many(office, round_.pk, ids, False)
    with pytest.raises(ValidationError):
        services.formal_check_many(office, round_.pk, [*ids, other.applications.first().pk], True)
    assert set(ReviewApplication.objects.values_list("check_status", flat=True)) == {"pending"}
    assert services.formal_check_many(office, round_.pk, ids, False, "逾期") == 2
    assert set(round_.applications.values_list("check_reason", flat=True)) == {"逾期"}
    with pytest.raises(PermissionDenied):
        services.formal_check_many(personas["department"].actor, round_.pk, ids, True)


def test_a_late_related_person_recomputes_only_that_enterprises_applications(
    personas, enterprise_a, enterprise_b
):
    office = personas["chain_office"].actor
    _pool(office, 4)
    save_expert(office, ExpertInput(name="王同事", organisation="乙智能装备有限公司", nodes=["vision"]))
    round_ = _assigned_round(office)
    kept = set(Conflict.objects.filter(round=round_, application__enterprise=enterprise_b).values_list("pk"))
    assert kept
    add_related_person(personas["enterprise_a"].actor, enterprise_a.pk, "专家1", "shareholder")
    assert (
        set(Conflict.objects.filter(round=round_, application__enterprise=enterprise_b).values_list("pk"))
        == kept
    )
    assert Conflict.objects.filter(
        round=round_, application__enterprise=enterprise_a, expert__name="专家1"
    ).exists()


def _sheet(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([h for h, _, _, _ in imports.COLUMNS])
    for row in rows:
        sheet.append(row + [None] * (len(imports.COLUMNS) - len(row)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_import_creates_in_bulk_with_an_audit_entry_per_expert(personas):
    office = personas["chain_office"].actor
    save_expert(office, ExpertInput(name="张明", organisation="岭南大学"))
    rows = [["张明", "岭南大学", "教授"]] + [
        [f"专家{i}", "某研究院", "", "vision", "", "440106"] for i in range(30)
    ]
    assert pool_services.import_experts(office, _sheet(rows)) == {"created": 30, "updated": 1}
    assert Expert.objects.get(name="张明").title == "教授"
    assert set(Expert.objects.filter(name__startswith="专家").values_list("district", flat=True)) == {
        "440106"
    }
    assert AuditEntry.objects.filter(model="reviews.expert", action="import").count() == 31


def test_an_import_refuses_one_login_for_two_rows_and_writes_nothing(personas):
    office = personas["chain_office"].actor
    rows = [["甲", "某院", *[""] * 11, "expert"], ["乙", "某院", *[""] * 11, "expert"]]
    with pytest.raises(imports.SheetError) as exc:
        pool_services.import_experts(office, _sheet(rows))
    assert exc.value.errors[0].row == 3 and exc.value.errors[0].column == "登录账号"
    assert not Expert.objects.exists()


def test_many_applications_join_at_once_like_one_by_one(personas, enterprise_a, enterprise_b):
    office = personas["chain_office"].actor
    projects = list(Project.objects.order_by("pk"))
    one = services.create_round(office, services.RoundInput(name="逐个"))
    for project in projects:
        services.add_application(office, one.pk, "project", project.pk)
    bulk = services.create_round(office, services.RoundInput(name="一次"))
    added = services.add_applications(office, bulk.pk, "project", [p.pk for p in projects])
    fields = ("enterprise_id", "title", "text", "fields", "requested_fen", "source_id", "added_late")
    assert list(bulk.applications.order_by("pk").values_list(*fields)) == list(
        one.applications.order_by("pk").values_list(*fields)
    )
    assert (
        AuditEntry.objects.filter(
            model="reviews.reviewapplication", object_id__in=[str(a.pk) for a in added]
        ).count()
        == 2
    )
    with pytest.raises(ValidationError):
        services.add_applications(office, bulk.pk, "project", [projects[0].pk])
    with pytest.raises(ValidationError):
        services.add_applications(office, one.pk, "project", [99999])
    assert bulk.applications.count() == 2 and one.applications.count() == 2
