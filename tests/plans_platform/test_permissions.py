"""Every plan page and API endpoint for every persona, and the write services per role."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from lianzhang.accounts.models import Department
from lianzhang.plans import progress_services as progress
from lianzhang.plans import services
from lianzhang.plans.models import Plan
from tests.conftest import PERSONA_ORDER
from tests.plans_platform.conftest import SMALL_PLAN, task_titled

ROLES = PERSONA_ORDER
READ = (302, 200, 200, 200, 200, 403, 403, 403, 200)
EDIT = (302, 200, 403, 403, 403, 403, 403, 403, 200)
NOT_OWN = (302, 200, 403, 200, 200, 403, 403, 403, 200)
API_READ = (401, 200, 200, 200, 200, 403, 403, 403, 200)
API_EDIT = (401, 200, 403, 403, 403, 403, 403, 403, 200)
API_NOT_OWN = (401, 200, 403, 200, 200, 403, 403, 403, 200)

# {p} confirmed plan, {d} draft plan, {t} a target, {own} a task of the department persona (市科技局),
# {other} a task only 市工信局 is named on.
PAGES = {
    "/plans/{p}/": READ,
    "/plans/{d}/": (302, 302, 403, 403, 403, 403, 403, 403, 302),
    "/plans/{p}/review/": EDIT,
    "/plans/{d}/review/": EDIT,
    "/plans/{p}/matrix/": READ,
    "/plans/{p}/matrix.xlsx": READ,
    "/plans/{p}/matrix.docx": READ,
    "/plans/{d}/matrix/": EDIT,
    "/plans/targets/{t}/": READ,
    "/plans/tasks/{own}/": READ,
    "/plans/tasks/{other}/": NOT_OWN,
    "/api/plans/{p}": API_READ,
    "/api/plans/{d}": API_EDIT,
    "/api/plans/{p}/review": API_EDIT,
    "/api/plans/{p}/matrix": API_READ,
    "/api/plans/targets/{t}": API_READ,
    "/api/plans/tasks/{own}": API_READ,
    "/api/plans/tasks/{other}": API_NOT_OWN,
    "/api/plans/briefing": API_READ,
}


@pytest.fixture
def other_task(personas, confirmed_plan):
    """A task led by 市工信局 alone, added by the chain office after confirmation."""
    edit = services.TaskEdit(number="5", title="建设算力中心", lead=["市工信局"])
    (task,) = services.apply_task_edits(personas["chain_office"].actor, confirmed_plan.pk, [edit])
    return task


@pytest.fixture
def ids(personas, confirmed_plan, other_task, small_plan_file):
    draft = services.import_plan(personas["chain_office"].actor, small_plan_file, "draft.txt")
    return {
        "p": confirmed_plan.pk,
        "d": draft.pk,
        "t": confirmed_plan.targets.first().pk,
        "own": task_titled(confirmed_plan, "建设产业园区").pk,
        "other": other_task.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_each_role_gets_exactly_its_plan_pages(personas, ids, url: str) -> None:
    # All roles in one test: the plan fixtures cost more than the requests.
    wrong = []
    for role, expected in zip(ROLES, PAGES[url], strict=True):
        got = personas[role].client.get(url.format(**ids)).status_code
        if got != expected:
            wrong.append(f"{role}: {got}, expected {expected}")
    assert wrong == [], f"GET {url}"


@pytest.mark.django_db
def test_drafts_are_listed_for_the_chain_office_only(personas, ids) -> None:
    chain = {p["status"] for p in personas["chain_office"].client.get("/api/plans").json()}
    district = {p["status"] for p in personas["district"].client.get("/api/plans").json()}
    assert (chain, district) == ({"draft", "confirmed"}, {"confirmed"})


@pytest.mark.django_db
def test_the_department_persona_lists_only_its_tasks_through_the_api(personas, ids) -> None:
    titles = {t["title"] for t in personas["department"].client.get("/api/plans/tasks").json()}
    assert "建设算力中心" not in titles and "建设产业园区" in titles
    everything = {t["title"] for t in personas["district"].client.get("/api/plans/tasks").json()}
    assert "建设算力中心" in everything


@pytest.mark.django_db
def test_the_plan_page_links_only_the_tasks_a_department_may_open(personas, ids) -> None:
    body = personas["department"].client.get(f"/plans/{ids['p']}/").content.decode()
    assert f'href="/plans/tasks/{ids["own"]}/"' in body
    assert f'href="/plans/tasks/{ids["other"]}/"' not in body


WRITERS = {"chain_office", "admin"}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_only_the_chain_office_and_administrators_change_plans(personas, ids, role, tmp_path) -> None:
    actor = personas[role].actor
    path = tmp_path / "p.txt"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    draft = Plan.objects.get(pk=ids["d"])
    target = Plan.objects.get(pk=ids["p"]).targets.first()
    calls = {
        "import": lambda: services.import_plan(actor, path, path.name),
        "edit tasks": lambda: services.apply_task_edits(actor, ids["d"], []),
        "edit targets": lambda: services.apply_target_edits(actor, ids["d"], []),
        "map department": lambda: services.map_department(actor, ids["d"], "市工信局", create=True),
        "confirm": lambda: services.confirm_plan(actor, ids["d"], draft.version + 99),
        "enter value": lambda: services.record_target_value(
            actor, target.pk, target.version, 1, date(2025, 1, 1)
        ),
    }
    for name, call in calls.items():
        if role in WRITERS:
            try:
                call()
            except PermissionDenied as exc:  # pragma: no cover - a failure message
                pytest.fail(f"{role} was refused {name}: {exc}")
            except Exception:  # the stale confirm above: not a permission question
                pass
        else:
            with pytest.raises(PermissionDenied):
                call()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_who_may_report_on_the_department_personas_task(personas, ids, role) -> None:
    science = Department.objects.get(name="广州市科学技术局")
    # The chain office reports on behalf of a department it names; a department officer for its own.
    data = progress.ReportInput("2025-Q2", 10, "进展", science.pk if role in WRITERS else None)
    if role in {"department", *WRITERS}:
        assert progress.file_report(personas[role].actor, ids["own"], data).percent == 10
    else:
        with pytest.raises(PermissionDenied):
            progress.file_report(personas[role].actor, ids["own"], data)


@pytest.mark.django_db
def test_writes_through_the_api_need_the_right_role(personas, ids) -> None:
    body = {"version": 1, "value": 5, "as_of": "2025-01-01"}
    url = f"/api/plans/targets/{ids['t']}/value"
    assert personas["district"].client.post(url, body, content_type="application/json").status_code == 403
    assert personas["anonymous"].client.post(url, body, content_type="application/json").status_code == 401
    ok = personas["chain_office"].client.post(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["current"] == 5


@pytest.mark.django_db
def test_administrators_open_the_plan_admin_pages(personas, ids) -> None:
    client = personas["admin"].client
    task = Plan.objects.get(pk=ids["p"]).tasks.first()
    for url in (
        "/admin/plans/plan/",
        f"/admin/plans/plan/{ids['p']}/change/",
        f"/admin/plans/task/{task.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert personas["chain_office"].client.get("/admin/plans/plan/").status_code == 302
