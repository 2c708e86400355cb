"""Review pages and API per persona, and one round driven through its pages from draft to final."""

from __future__ import annotations

import json
from datetime import date

import pytest

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises.models import Project
from lianzhang.reviews import assignment_services, bridge, scoring_services, services
from lianzhang.reviews.models import Assignment, ReviewRound, Score
from lianzhang.reviews.pool_services import ExpertInput, save_expert

pytestmark = pytest.mark.django_db
R = ReviewRound.Status

ROLES = (
    "anonymous",
    "chain_office",
    "department",
    "district",
    "enterprise_a",
    "expert",
    "admin",
)
# Expected status per role, in ROLES order; {r} is a round in scoring, {n} a round under 公示.
PAGES = {
    "/reviews/experts/": (302, 200, 403, 403, 403, 403, 200),
    "/reviews/experts/new/": (302, 200, 403, 403, 403, 403, 200),
    "/reviews/experts/import/": (302, 200, 403, 403, 403, 403, 200),
    "/reviews/rounds/": (302, 200, 200, 403, 403, 403, 200),
    "/reviews/rounds/new/": (302, 200, 403, 403, 403, 403, 200),
    "/reviews/rounds/{r}/": (302, 200, 200, 403, 403, 403, 200),
    "/reviews/rounds/{r}/?verify=1": (302, 200, 200, 403, 403, 403, 200),
    "/reviews/mine/": (302, 403, 403, 403, 403, 200, 403),
    "/reviews/notices/": (200, 200, 200, 200, 200, 200, 200),
    "/reviews/notices/{n}/": (200, 200, 200, 200, 200, 200, 200),
    "/reviews/notices/{r}/": (404, 404, 404, 404, 404, 404, 404),
    "/api/reviews/experts": (401, 200, 403, 403, 403, 403, 200),
    "/api/reviews/rounds": (401, 200, 200, 403, 403, 403, 200),
    "/api/reviews/rounds/{r}": (401, 200, 200, 403, 403, 403, 200),
    "/api/reviews/rounds/{n}/ranking": (401, 200, 200, 403, 403, 403, 200),
    "/api/reviews/mine": (401, 403, 403, 403, 403, 200, 403),
    "/api/reviews/notices": (200, 200, 200, 200, 200, 200, 200),
}
SHEET = {"innovation": "80", "feasibility": "70", "benefit": "90", "team": "60"}


def _pool(personas, n: int) -> None:
    office = personas["chain_office"].actor
    for i in range(n):
        save_expert(office, ExpertInput(name=f"专家{i}", organisation=f"第{i}大学", nodes=["vision"]))


def _scoring_round(personas, per_app: int = 2) -> ReviewRound:
    office = personas["chain_office"].actor
    round_ = services.create_round(office, services.RoundInput(name="评分中批次", per_app=per_app))
    for project in Project.objects.order_by("pk"):
        services.add_application(office, round_.pk, "project", project.pk)
    round_ = services.start_check(office, round_.pk, round_.version)
    for app in round_.applications.all():
        services.formal_check(office, app.pk, True)
    round_ = services.open_assignment(office, round_.pk, round_.version)
    assignment_services.run_assignment(office, round_.pk, seed=3)
    round_.refresh_from_db()
    round_ = assignment_services.open_scoring(office, round_.pk, round_.version)
    first = Assignment.objects.filter(application__round=round_).order_by("pk").first().expert
    save_expert(
        office, ExpertInput(name=first.name, organisation=first.organisation, username="expert"), first.pk
    )
    return round_


def _noticed_round(personas, monkeypatch) -> ReviewRound:
    office = personas["chain_office"].actor
    round_ = services.create_round(office, services.RoundInput(name="公示批次", per_app=1))
    for project in Project.objects.order_by("pk"):
        services.add_application(office, round_.pk, "project", project.pk)
    round_ = services.start_check(office, round_.pk, round_.version)
    for app in round_.applications.all():
        services.formal_check(office, app.pk, True)
    round_ = services.open_assignment(office, round_.pk, round_.version)
    assignment_services.run_assignment(office, round_.pk, seed=5)
    round_.refresh_from_db()
    round_ = assignment_services.open_scoring(office, round_.pk, round_.version)
    for a in Assignment.objects.filter(application__round=round_):
        scoring_services._store_score(SYSTEM, a, SHEET, "意见")
    round_ = scoring_services.close_round(office, round_.pk, round_.version)
    round_ = scoring_services.decide(
        office, round_.pk, round_.version, {a.pk: (True, "") for a in round_.applications.all()}
    )
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 1))
    return scoring_services.publish_notice(office, round_.pk, round_.version, date(2025, 6, 10))


@pytest.fixture
def rounds(personas, monkeypatch):
    _pool(personas, 4)
    return _scoring_round(personas), _noticed_round(personas, monkeypatch)


@pytest.mark.parametrize("url", PAGES)
def test_each_persona_gets_exactly_its_review_pages(personas, rounds, url):
    scoring, noticed = rounds
    for role in ROLES:
        response = personas[role].client.get(url.format(r=scoring.pk, n=noticed.pk))
        expected = PAGES[url][ROLES.index(role)]
        assert response.status_code == expected, (
            f"{role} GET {url}: {response.status_code}, expected {expected}"
        )


def test_the_expert_lands_on_my_reviews_and_sees_only_own_work(personas, rounds):
    client = personas["expert"].client
    assert client.get("/").url == "/reviews/mine/"
    mine = json.loads(client.get("/api/reviews/mine").content)
    own = set(Assignment.objects.filter(expert__user__username="expert").values_list("pk", flat=True))
    assert mine and {m["id"] for m in mine} == own
    other = Assignment.objects.exclude(expert__user__username="expert").first()
    assert client.get(f"/reviews/mine/{other.pk}/").status_code == 404
    assert client.post(
        f"/api/reviews/mine/{other.pk}/score", {}, content_type="application/json"
    ).status_code in (
        404,
        422,
    )


def test_the_expert_scores_through_the_page_and_the_api(personas, rounds):
    client = personas["expert"].client
    own = list(Assignment.objects.filter(expert__user__username="expert", application__round=rounds[0]))
    page = client.get(f"/reviews/mine/{own[0].pk}/")
    assert page.status_code == 200 and "技术创新性" in page.content.decode()
    bad = client.post(f"/reviews/mine/{own[0].pk}/", {**SHEET, "team": "150", "comment": "好"})
    assert bad.status_code == 200 and "团队与基础" in bad.content.decode()
    assert not Score.objects.filter(assignment=own[0]).exists()
    assert client.post(f"/reviews/mine/{own[0].pk}/", {**SHEET, "comment": "好"}).status_code == 302
    assert Score.objects.get(assignment=own[0]).total == 76
    response = client.post(
        f"/api/reviews/mine/{own[0].pk}/score",
        json.dumps({"values": {**SHEET, "team": 100}, "comment": "修改"}),
        content_type="application/json",
    )
    assert response.status_code == 200 and json.loads(response.content)["total"] == "84.00"


def test_the_department_cannot_take_a_step(personas, rounds):
    scoring, _ = rounds
    response = personas["department"].client.post(
        f"/reviews/rounds/{scoring.pk}/action/", {"action": "close", "version": scoring.version}
    )
    assert response.status_code == 403
    assert ReviewRound.objects.get(pk=scoring.pk).status == R.SCORING


def test_an_enterprise_objects_on_the_notice_page_during_the_period(personas, rounds):
    _, noticed = rounds
    page = personas["enterprise_b"].client.get(f"/reviews/notices/{noticed.pk}/").content.decode()
    assert "提出异议" in page and "2025-06-10" in page
    assert (
        "提出异议" not in personas["anonymous"].client.get(f"/reviews/notices/{noticed.pk}/").content.decode()
    )
    personas["enterprise_b"].client.post(f"/reviews/notices/{noticed.pk}/object/", {"text": "请复核"})
    assert noticed.objections.get().text == "请复核"
    assert (
        personas["anonymous"].client.post(f"/reviews/notices/{noticed.pk}/object/", {"text": "x"}).status_code
        == 302
    )
    assert (
        personas["chain_office"]
        .client.post(f"/reviews/notices/{noticed.pk}/object/", {"text": "x"})
        .status_code
        == 403
    )


def test_a_round_is_driven_through_its_pages_from_draft_to_final(personas, monkeypatch, enterprise_a):
    _pool(personas, 3)
    client = personas["chain_office"].client
    response = client.post(
        "/reviews/rounds/new/",
        {
            "name": "页面批次",
            "kind": "project",
            "per_app": 2,
            "max_load": 3,
            "mode": "draw",
            "criteria": json.dumps([{"key": "q", "label": "质量", "weight": 1, "max": 10}]),
        },
    )
    round_ = ReviewRound.objects.get(name="页面批次")
    assert response.url == f"/reviews/rounds/{round_.pk}/"

    def step(action: str, **extra) -> str:
        round_.refresh_from_db()
        client.post(
            f"/reviews/rounds/{round_.pk}/action/", {"action": action, "version": round_.version, **extra}
        )
        page = client.get(f"/reviews/rounds/{round_.pk}/")
        assert page.status_code == 200
        return page.content.decode()

    for project in Project.objects.all():
        client.post(
            f"/reviews/rounds/{round_.pk}/applications/", {"source_kind": "project", "source_id": project.pk}
        )
    assert round_.applications.count() == 2
    step("start_check")
    for app in round_.applications.all():
        client.post(f"/reviews/applications/{app.pk}/check/", {"passed": "1"})
    step("open_assignment")
    page = step("assign", seed="99")
    assert "99" in page and "随机抽取" in page
    assert "复核一致" in client.get(f"/reviews/rounds/{round_.pk}/?verify=1").content.decode()
    page = step("open_scoring")
    assert "已提交 0 / 4" in page
    for a in Assignment.objects.filter(application__round=round_):
        scoring_services._store_score(SYSTEM, a, {"q": 8}, "意见")
    page = step("close")
    assert "评审结果" in page
    round_.refresh_from_db()
    apps = list(round_.applications.all())
    client.post(
        f"/reviews/rounds/{round_.pk}/decide/",
        {"version": round_.version, **{f"decision_{a.pk}": "approved" for a in apps}},
    )
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 1))
    page = step("publish", deadline="2025-06-05")
    assert "异议截止 2025-06-05" in page
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 6))
    step("finalise")
    round_.refresh_from_db()
    assert round_.status == R.FINAL
    steps = AuditEntry.objects.filter(model="reviews.reviewround", object_id=str(round_.pk))
    assert steps.filter(action="round.final").exists() and steps.filter(action="assign").exists()


def test_an_assignment_short_of_experts_says_why_on_the_page(personas):
    _pool(personas, 1)
    office = personas["chain_office"].actor
    round_ = services.create_round(office, services.RoundInput(name="小专家库", per_app=3))
    project = Project.objects.order_by("pk").first()
    services.add_application(office, round_.pk, "project", project.pk)
    round_ = services.start_check(office, round_.pk, round_.version)
    services.formal_check(office, round_.applications.get().pk, True)
    round_ = services.open_assignment(office, round_.pk, round_.version)
    response = personas["chain_office"].client.post(
        f"/reviews/rounds/{round_.pk}/action/", {"action": "assign", "version": round_.version}, follow=True
    )
    page = response.content.decode()
    assert f"{project.name}：可选专家不足" in page and "少于每项所需 3 人" in page
