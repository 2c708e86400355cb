"""The review API covers every step the pages offer: same services, same permissions, 422/409 on bad input."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import Workbook

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises.models import Project, RelatedPerson
from lianzhang.reviews import bridge, scoring_services
from lianzhang.reviews.imports import COLUMNS
from lianzhang.reviews.models import Assignment, Expert, Objection, ReviewRound, Score

pytestmark = pytest.mark.django_db
R = ReviewRound.Status
SHEET = {"innovation": "80", "feasibility": "70", "benefit": "90", "team": "60"}


def _post(client, url: str, payload: dict | None = None, method: str = "post"):
    """A JSON request; returns (status, decoded body or None)."""
    response = getattr(client, method)(url, json.dumps(payload or {}), content_type="application/json")
    body = json.loads(response.content) if response.content else None
    return response.status_code, body


def _pool(client, n: int) -> list[dict]:
    experts = []
    for i in range(n):
        status, body = _post(
            client,
            "/api/reviews/experts",
            {"name": f"专家{i}", "organisation": f"第{i}大学", "nodes": ["vision"]},
        )
        assert status == 201, body
        experts.append(body)
    return experts


def _round_in_scoring(personas, per_app: int = 2) -> dict:
    """A project round with both registry projects, assigned (seed 3) and open for scoring, via the API."""
    client = personas["chain_office"].client
    _, round_ = _post(client, "/api/reviews/rounds", {"name": "接口批次", "per_app": per_app})
    for project in Project.objects.order_by("pk"):
        _post(
            client,
            f"/api/reviews/rounds/{round_['id']}/applications",
            {"source_kind": "project", "source_id": project.pk},
        )
    _, round_ = _post(
        client, f"/api/reviews/rounds/{round_['id']}/start-check", {"version": round_["version"]}
    )
    for app in ReviewRound.objects.get(pk=round_["id"]).applications.all():
        _post(client, f"/api/reviews/applications/{app.pk}/check", {"passed": True})
    _, round_ = _post(
        client, f"/api/reviews/rounds/{round_['id']}/open-assignment", {"version": round_["version"]}
    )
    _post(client, f"/api/reviews/rounds/{round_['id']}/assign", {"seed": 3})
    version = ReviewRound.objects.get(pk=round_["id"]).version
    status, round_ = _post(client, f"/api/reviews/rounds/{round_['id']}/open-scoring", {"version": version})
    assert status == 200 and round_["status"] == R.SCORING
    return round_


def _link_expert_persona(client, expert: Expert) -> None:
    status, body = _post(
        client,
        f"/api/reviews/experts/{expert.pk}",
        {
            "name": expert.name,
            "organisation": expert.organisation,
            "nodes": expert.nodes,
            "username": "expert",
            "version": expert.version,
        },
        method="put",
    )
    assert status == 200 and body["username"] == "expert", body


# ------------------------------------------------------------------------------------ the whole walk


def test_a_round_goes_from_creation_to_final_entirely_through_the_api(personas, monkeypatch):
    office = personas["chain_office"].client
    expert_client = personas["expert"].client
    _pool(office, 3)
    criteria = [{"key": "q", "label": "质量", "weight": 1, "max": 10}]
    status, round_ = _post(
        office,
        "/api/reviews/rounds",
        {"name": "接口全程批次", "per_app": 2, "max_load": 3, "criteria": criteria},
    )
    assert status == 201 and round_["status"] == R.DRAFT and round_["criteria"][0]["label"] == "质量"
    pk = round_["id"]
    for project in Project.objects.order_by("pk"):
        status, app = _post(
            office,
            f"/api/reviews/rounds/{pk}/applications",
            {"source_kind": "project", "source_id": project.pk},
        )
        assert (
            status == 201 and app["check_status"] == "pending" and app["requested_fen"] == project.budget_fen
        )
    status, round_ = _post(office, f"/api/reviews/rounds/{pk}/start-check", {"version": round_["version"]})
    assert status == 200 and round_["status"] == R.CHECKING
    for app in ReviewRound.objects.get(pk=pk).applications.all():
        status, checked = _post(office, f"/api/reviews/applications/{app.pk}/check", {"passed": True})
        assert status == 200 and checked["check_status"] == "passed"
    status, round_ = _post(
        office, f"/api/reviews/rounds/{pk}/open-assignment", {"version": round_["version"]}
    )
    assert status == 200 and round_["status"] == R.ASSIGNING
    status, conflicts = _post(office, f"/api/reviews/rounds/{pk}/conflicts")
    assert status == 200 and conflicts == []
    status, run = _post(office, f"/api/reviews/rounds/{pk}/assign", {"mode": "draw", "seed": 99})
    assert status == 200 and run["seed"] == 99 and run["assigned"] == 4 and run["shortfalls"] == []
    verify = json.loads(office.get(f"/api/reviews/rounds/{pk}/verify").content)
    assert verify["same"] is True and verify["pairs"] == 4
    detail = json.loads(office.get(f"/api/reviews/rounds/{pk}").content)
    status, round_ = _post(office, f"/api/reviews/rounds/{pk}/open-scoring", {"version": detail["version"]})
    assert status == 200 and round_["status"] == R.SCORING

    # The expert persona takes over the pool record of one assigned expert, declines one place ...
    first = Assignment.objects.filter(application__round_id=pk).order_by("pk").first()
    _link_expert_persona(office, first.expert)
    mine = json.loads(expert_client.get("/api/reviews/mine").content)
    assert {m["id"] for m in mine} == set(
        Assignment.objects.filter(expert=first.expert).values_list("pk", flat=True)
    )
    status, declined = _post(
        expert_client, f"/api/reviews/mine/{first.pk}/decline", {"reason": "出差无法参加"}
    )
    assert status == 200 and declined["status"] == "declined"
    # ... the chain office redraws the vacant place from the recorded seed ...
    status, new = _post(office, f"/api/reviews/rounds/{pk}/redraw")
    assert status == 200 and len(new) == 1
    assert new[0]["application_id"] == first.application_id and new[0]["expert_id"] != first.expert_id
    # ... and the expert scores the rest of their own work through the API; the others score too.
    for m in json.loads(expert_client.get("/api/reviews/mine").content):
        if m["status"] == "assigned":
            sheet = json.loads(expert_client.get(f"/api/reviews/mine/{m['id']}").content)
            assert sheet["can_score"] and sheet["panel_totals"] is None
            status, score = _post(
                expert_client, f"/api/reviews/mine/{m['id']}/score", {"values": {"q": 9}, "comment": "好"}
            )
            assert status == 200 and score["total"] == "90.00"
    for a in Assignment.objects.filter(application__round_id=pk, status="assigned"):
        scoring_services._store_score(SYSTEM, a, {"q": 7}, "意见")

    round_ = json.loads(office.get(f"/api/reviews/rounds/{pk}").content)
    assert round_["submitted"] == round_["total"] == 4
    status, round_ = _post(office, f"/api/reviews/rounds/{pk}/close", {"version": round_["version"]})
    assert status == 200 and round_["status"] == R.CLOSED
    apps = list(ReviewRound.objects.get(pk=pk).applications.order_by("pk"))
    decisions = [
        {"application_id": apps[0].pk, "approved": True},
        {"application_id": apps[1].pk, "approved": False, "note": "分数不足"},
    ]
    status, round_ = _post(
        office, f"/api/reviews/rounds/{pk}/decide", {"version": round_["version"], "decisions": decisions}
    )
    assert status == 200 and round_["status"] == R.DECIDED
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 1))
    status, round_ = _post(
        office,
        f"/api/reviews/rounds/{pk}/publish",
        {"version": round_["version"], "objection_deadline": "2025-06-05"},
    )
    assert status == 200 and round_["status"] == R.NOTICED and round_["objection_deadline"] == "2025-06-05"

    notice = json.loads(personas["anonymous"].client.get(f"/api/reviews/notices/{pk}").content)
    assert notice["objection_open"] and {a["decision"] for a in notice["applications"]} == {
        "approved",
        "rejected",
    }
    status, objection = _post(
        personas["enterprise_b"].client,
        f"/api/reviews/notices/{pk}/objections",
        {"text": "请复核评分", "application_id": apps[1].pk},
    )
    assert status == 201 and objection["enterprise_id"] == personas["enterprise_b"].actor.enterprise_id
    monkeypatch.setattr(bridge, "today", lambda: date(2025, 6, 6))
    status, body = _post(office, f"/api/reviews/rounds/{pk}/finalise", {"version": round_["version"]})
    assert status == 422 and "未处理的异议" in json.dumps(body, ensure_ascii=False)
    status, resolved = _post(
        office, f"/api/reviews/objections/{objection['id']}/resolve", {"resolution": "复核无误"}
    )
    assert status == 200 and resolved["resolved_at"]
    listed = json.loads(office.get(f"/api/reviews/rounds/{pk}/objections").content)
    assert [o["resolution"] for o in listed] == ["复核无误"]
    status, round_ = _post(office, f"/api/reviews/rounds/{pk}/finalise", {"version": round_["version"]})
    assert status == 200 and round_["status"] == R.FINAL

    ranking = json.loads(office.get(f"/api/reviews/rounds/{pk}/ranking").content)
    assert [r["decision"] for r in ranking if r["application_id"] == apps[0].pk] == ["approved"]
    audited = set(AuditEntry.objects.filter(username="chain").values_list("action", flat=True))
    assert {"create", "assign", "redraw", "round.final", "resolve"} <= audited
    assert AuditEntry.objects.filter(username="expert", action="decline").exists()


def test_the_pool_profile_and_related_persons_are_kept_through_the_api(personas, enterprise_a):
    office = personas["chain_office"].client
    expert = _pool(office, 1)[0]
    detail = json.loads(office.get(f"/api/reviews/experts/{expert['id']}").content)
    assert detail["version"] == 1 and detail["username"] == ""
    _link_expert_persona(office, Expert.objects.get(pk=expert["id"]))
    own = json.loads(personas["expert"].client.get("/api/reviews/profile").content)
    assert own["id"] == expert["id"]
    status, own = _post(
        personas["expert"].client,
        "/api/reviews/profile",
        {
            "nodes": ["vision"],
            "available": False,
            "declared_conflicts": ["甲视觉科技有限公司"],
            "version": own["version"],
        },
        method="put",
    )
    assert status == 200 and own["available"] is False and own["declared_conflicts"] == ["甲视觉科技有限公司"]

    client = personas["enterprise_a"].client
    status, person = _post(
        client,
        f"/api/reviews/enterprises/{enterprise_a.pk}/related",
        {"name": "李股东", "role": "shareholder"},
    )
    assert status == 201 and person["role"] == "shareholder"
    status, _ = _post(
        personas["enterprise_b"].client, f"/api/reviews/related/{person['id']}", method="delete"
    )
    assert status == 403 and RelatedPerson.objects.filter(pk=person["id"]).exists()
    status, _ = _post(client, f"/api/reviews/related/{person['id']}", method="delete")
    assert status == 204 and not RelatedPerson.objects.filter(pk=person["id"]).exists()


def _sheet(*rows: list) -> bytes:
    book = Workbook()
    book.active.append([header for header, _, _, _ in COLUMNS])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_pool_is_imported_all_or_nothing_through_the_api(personas):
    client = personas["chain_office"].client
    bad = _sheet(["张三", "某大学"], ["李四", "某学院", "", "", "", "", "", "", "明年"])
    response = client.post("/api/reviews/experts/import", {"file": io.BytesIO(bad)})
    body = json.loads(response.content)
    assert response.status_code == 422 and "第 3 行「聘期开始」" in body["errors"]["__all__"][0]
    assert not Expert.objects.exists()
    good = io.BytesIO(_sheet(["张三", "某大学"], ["李四", "某学院"]))
    good.name = "pool.xlsx"
    response = client.post("/api/reviews/experts/import", {"file": good})
    assert response.status_code == 200 and json.loads(response.content) == {"created": 2, "updated": 0}
    response = personas["department"].client.post("/api/reviews/experts/import", {"file": io.BytesIO(bad)})
    assert response.status_code == 403


# ------------------------------------------------------------------------------------ refusals


def test_each_persona_is_refused_what_it_may_not_do(personas, enterprise_a):
    office = personas["chain_office"].client
    experts = _pool(office, 4)
    round_ = _round_in_scoring(personas)
    pk = round_["id"]

    dept = personas["department"].client
    assert _post(dept, "/api/reviews/rounds", {"name": "部门批次"})[0] == 403
    assert (
        _post(
            dept, f"/api/reviews/rounds/{pk}/close", {"version": round_["version"], "without_missing": True}
        )[0]
        == 403
    )
    assert _post(dept, f"/api/reviews/rounds/{pk}/redraw")[0] == 403
    assert _post(dept, "/api/reviews/experts", {"name": "某", "organisation": "某"})[0] == 403
    assert ReviewRound.objects.get(pk=pk).status == R.SCORING and Expert.objects.count() == 4

    ent = personas["enterprise_a"].client
    assert ent.get("/api/reviews/experts").status_code == 403
    assert ent.get(f"/api/reviews/experts/{experts[0]['id']}").status_code == 403
    assert ent.get(f"/api/reviews/rounds/{pk}").status_code == 403
    assert (
        _post(
            ent,
            f"/api/reviews/enterprises/{personas['enterprise_b'].actor.enterprise_id}/related",
            {"name": "某", "role": "legal_rep"},
        )[0]
        == 403
    )

    first = Assignment.objects.filter(application__round_id=pk).order_by("pk").first()
    _link_expert_persona(office, first.expert)
    other = Assignment.objects.filter(application__round_id=pk).exclude(expert=first.expert).first()
    exp = personas["expert"].client
    assert exp.get(f"/api/reviews/rounds/{pk}").status_code == 403
    assert exp.get(f"/api/reviews/mine/{first.pk}").status_code == 200
    # Somebody else's assignment does not exist for an expert.
    assert exp.get(f"/api/reviews/mine/{other.pk}").status_code == 404
    assert _post(exp, f"/api/reviews/mine/{other.pk}/decline", {"reason": "x"})[0] == 404
    assert _post(exp, f"/api/reviews/assignments/{other.pk}/withdraw", {"reason": "x"})[0] == 403
    assert (
        _post(
            exp,
            f"/api/reviews/experts/{other.expert_id}",
            {"name": "x", "organisation": "y", "version": 1},
            "put",
        )[0]
        == 403
    )
    assert Assignment.objects.get(pk=other.pk).status == "assigned"

    assert _post(office, f"/api/reviews/notices/{pk}/objections", {"text": "x"})[0] == 403
    assert _post(personas["anonymous"].client, "/api/reviews/rounds", {"name": "匿名"})[0] == 401
    assert not Objection.objects.exists()


# ------------------------------------------------------------------------ bad input and stale edits


def test_bad_input_gets_a_422_that_names_the_problem(personas):
    office = personas["chain_office"].client
    _pool(office, 4)
    status, body = _post(office, "/api/reviews/rounds", {"name": " ", "per_app": 0, "mode": "lottery"})
    assert status == 422 and set(body["errors"]) == {"name", "per_app", "mode"}
    status, body = _post(office, "/api/reviews/rounds", {"name": "x", "criteria": [{"key": "q"}]})
    assert status == 422 and "第 1 项" in body["errors"]["criteria"][0]
    status, body = _post(office, "/api/reviews/rounds", {"name": "x", "per_app": "many"})
    assert status == 422 and body["detail"]
    assert ReviewRound.objects.count() == 0

    round_ = _round_in_scoring(personas)
    pk = round_["id"]
    mine = Assignment.objects.filter(application__round_id=pk).order_by("pk").first()
    _link_expert_persona(office, mine.expert)
    status, body = _post(
        personas["expert"].client,
        f"/api/reviews/mine/{mine.pk}/score",
        {"values": {**SHEET, "team": 150}, "comment": "好"},
    )
    assert status == 422 and "团队与基础" in body["errors"]["team"][0] and "150" in body["errors"]["team"][0]
    assert not Score.objects.filter(assignment=mine).exists()

    app = ReviewRound.objects.get(pk=pk).applications.first()
    status, body = _post(office, f"/api/reviews/applications/{app.pk}/check", {"passed": False})
    assert status == 422 and "reason" in body["errors"]
    status, body = _post(office, f"/api/reviews/assignments/{mine.pk}/withdraw", {"reason": "  "})
    assert status == 422 and "reason" in body["errors"]
    status, body = _post(office, f"/api/reviews/rounds/{pk}/close", {"version": round_["version"]})
    assert status == 422 and "未提交" in body["errors"]["__all__"][0]
    status, body = _post(
        office, f"/api/reviews/rounds/{pk}/decide", {"version": round_["version"], "decisions": []}
    )
    # Deciding is a step of a closed round: the message names the stage it needs.
    assert status == 422 and "阶段" in body["errors"]["__all__"][0]
    assert ReviewRound.objects.get(pk=pk).status == R.SCORING
    status, body = _post(
        office,
        f"/api/reviews/rounds/{pk}/publish",
        {"version": round_["version"], "objection_deadline": "soon"},
    )
    assert status == 422

    status, closed = _post(
        office, f"/api/reviews/rounds/{pk}/close", {"version": round_["version"], "without_missing": True}
    )
    assert status == 200 and closed["status"] == R.CLOSED
    apps = list(ReviewRound.objects.get(pk=pk).applications.values_list("pk", flat=True))
    twice = [{"application_id": apps[0], "approved": True}, {"application_id": apps[0], "approved": False}]
    status, body = _post(
        office, f"/api/reviews/rounds/{pk}/decide", {"version": closed["version"], "decisions": twice}
    )
    assert status == 422 and str(apps[0]) in body["errors"]["decisions"][0]
    status, decided = _post(
        office,
        f"/api/reviews/rounds/{pk}/decide",
        {"version": closed["version"], "decisions": [{"application_id": a, "approved": True} for a in apps]},
    )
    assert status == 200
    status, body = _post(
        office,
        f"/api/reviews/rounds/{pk}/publish",
        {"version": decided["version"], "objection_deadline": "2000-01-01"},
    )
    assert status == 422 and "objection_deadline" in body["errors"]


def test_a_negative_seed_is_refused_before_any_draw(personas):
    office = personas["chain_office"].client
    _pool(office, 2)
    _, round_ = _post(office, "/api/reviews/rounds", {"name": "种子批次", "per_app": 1})
    project = Project.objects.order_by("pk").first()
    _post(
        office,
        f"/api/reviews/rounds/{round_['id']}/applications",
        {"source_kind": "project", "source_id": project.pk},
    )
    _, round_ = _post(
        office, f"/api/reviews/rounds/{round_['id']}/start-check", {"version": round_["version"]}
    )
    app = ReviewRound.objects.get(pk=round_["id"]).applications.get()
    _post(office, f"/api/reviews/applications/{app.pk}/check", {"passed": True})
    _post(office, f"/api/reviews/rounds/{round_['id']}/open-assignment", {"version": round_["version"]})
    status, body = _post(office, f"/api/reviews/rounds/{round_['id']}/assign", {"seed": -1})
    assert status == 422 and "seed" in body["errors"]
    assert not Assignment.objects.exists()


def test_a_stale_version_gets_a_409_and_changes_nothing(personas):
    office = personas["chain_office"].client
    expert = _pool(office, 1)[0]
    edit = {"name": "专家0", "organisation": "新单位", "version": expert["version"]}
    assert _post(office, f"/api/reviews/experts/{expert['id']}", edit, "put")[0] == 200
    status, body = _post(
        office, f"/api/reviews/experts/{expert['id']}", {**edit, "organisation": "旧单位"}, "put"
    )
    assert status == 409 and body["current_version"] == expert["version"] + 1
    assert Expert.objects.get(pk=expert["id"]).organisation == "新单位"

    _, round_ = _post(office, "/api/reviews/rounds", {"name": "并发批次"})
    project = Project.objects.order_by("pk").first()
    _post(
        office,
        f"/api/reviews/rounds/{round_['id']}/applications",
        {"source_kind": "project", "source_id": project.pk},
    )
    status, started = _post(
        office, f"/api/reviews/rounds/{round_['id']}/start-check", {"version": round_["version"]}
    )
    assert status == 200 and started["version"] == round_["version"] + 1
    app = ReviewRound.objects.get(pk=round_["id"]).applications.get()
    _post(office, f"/api/reviews/applications/{app.pk}/check", {"passed": True})
    # The version read before the check began is stale now.
    status, body = _post(
        office, f"/api/reviews/rounds/{round_['id']}/open-assignment", {"version": round_["version"]}
    )
    assert status == 409 and body["current_version"] == started["version"]
    assert ReviewRound.objects.get(pk=round_["id"]).status == R.CHECKING


def test_the_openapi_schema_still_builds_with_every_review_route(personas):
    response = personas["chain_office"].client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = json.loads(response.content)["paths"]
    for path in (
        "/api/reviews/rounds/{pk}/assign",
        "/api/reviews/rounds/{pk}/publish",
        "/api/reviews/mine/{pk}/decline",
        "/api/reviews/notices/{pk}/objections",
        "/api/reviews/experts/import",
    ):
        assert path in paths, path


def test_a_large_round_is_read_in_pages_of_assignments(personas):
    office = personas["chain_office"].client
    _pool(office, 3)
    round_ = _round_in_scoring(personas, per_app=2)
    url = f"/api/reviews/rounds/{round_['id']}"
    whole = office.get(url).json()
    assert whole["assignment_count"] == len(whole["assignments"]) == 4
    first, rest = office.get(f"{url}?limit=3").json(), office.get(f"{url}?limit=3&offset=3").json()
    paged = [a["id"] for a in first["assignments"] + rest["assignments"]]
    assert paged == [a["id"] for a in whole["assignments"]]
    assert first["assignment_count"] == 4 and len(first["applications"]) == len(whole["applications"])
    bad = office.get(f"{url}?limit=0")
    assert bad.status_code == 422 and "limit" in bad.json()["errors"]
