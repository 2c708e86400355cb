"""The expert pool: upkeep by the chain office, Excel import, experts' own profiles, related persons."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook, load_workbook

from lianzhang.accounts.models import AuditEntry
from lianzhang.enterprises.models import RelatedPerson
from lianzhang.reviews import imports, pool_services
from lianzhang.reviews.models import Expert
from lianzhang.reviews.pool_services import ExpertInput, SelfProfileInput

pytestmark = pytest.mark.django_db


def _sheet(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append([h for h, _, _, _ in imports.COLUMNS])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(name="张明", org="岭南大学", nodes="vision、计算机视觉", **extra) -> list:
    cells = dict.fromkeys((key for _, key, _, _ in imports.COLUMNS), None)
    cells.update(name=name, organisation=org, nodes=nodes, **extra)
    return [cells[key] for _, key, _, _ in imports.COLUMNS]


def test_the_chain_office_adds_an_expert_with_an_audit_entry(personas):
    expert = pool_services.save_expert(
        personas["chain_office"].actor,
        ExpertInput(name="张明", organisation="岭南大学", nodes=["vision", "智能语音"], district="440106"),
    )
    assert expert.nodes == ["vision", "speech"]
    assert AuditEntry.objects.filter(model="reviews.expert", action="create").count() == 1


def test_bad_expert_input_names_every_field_and_writes_nothing(personas):
    with pytest.raises(ValidationError) as exc:
        pool_services.save_expert(
            personas["chain_office"].actor,
            ExpertInput(name="", organisation="", nodes=["nowhere"], district="999999", username="ent_a"),
        )
    assert {"name", "organisation", "nodes", "district", "username"} <= set(exc.value.message_dict)
    assert not Expert.objects.exists()


def test_an_enterprise_and_an_expert_cannot_see_the_pool(personas):
    for role in ("enterprise_a", "expert", "department", "district"):
        with pytest.raises(PermissionDenied):
            pool_services.list_experts(personas[role].actor)
        assert personas[role].client.get("/reviews/experts/").status_code == 403


def test_an_expert_edits_only_their_own_profile(personas):
    office = personas["chain_office"].actor
    own = pool_services.save_expert(
        office, ExpertInput(name="专家甲", organisation="甲大学", username="expert")
    )
    other = pool_services.save_expert(office, ExpertInput(name="专家乙", organisation="乙大学"))
    me = personas["expert"].actor
    saved = pool_services.save_my_profile(
        me, SelfProfileInput(nodes=["robot"], profile="机器人", declared_conflicts=["丙公司"]), own.version
    )
    assert saved.pk == own.pk and saved.nodes == ["robot"] and saved.declared_conflicts == ["丙公司"]
    with pytest.raises(PermissionDenied):
        pool_services.save_expert(me, ExpertInput(name="专家乙", organisation="被改了"), other.pk)
    client = personas["expert"].client
    assert client.get(f"/reviews/experts/{other.pk}/edit/").status_code == 403
    assert (
        client.post(f"/reviews/experts/{other.pk}/edit/", {"name": "x", "organisation": "y"}).status_code
        == 403
    )
    other.refresh_from_db()
    assert other.organisation == "乙大学"
    response = client.post(
        "/reviews/profile/",
        {"nodes": "vision", "profile": "视觉", "available": "on", "version": saved.version},
    )
    assert response.status_code == 302
    assert Expert.objects.get(pk=own.pk).nodes == ["vision"]


def test_an_expert_without_a_pool_record_gets_a_clear_404(personas):
    assert personas["expert"].client.get("/reviews/profile/").status_code == 404


def test_the_import_template_downloads_with_every_column(personas):
    response = personas["chain_office"].client.get("/reviews/experts/import/template.xlsx")
    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(header) == [h for h, _, _, _ in imports.COLUMNS]


def test_an_import_with_errors_names_row_and_column_and_writes_nothing(personas):
    data = _sheet(
        [
            _row(),
            _row(name="", org="某院"),
            _row(name="李四", nodes="火星探测", term_start="去年"),
            _row(name="王五", status="休假", max_load="很多"),
            _row(),
        ]
    )
    with pytest.raises(imports.SheetError) as exc:
        pool_services.import_experts(personas["chain_office"].actor, data)
    found = {(e.row, e.column) for e in exc.value.errors}
    assert found == {
        (3, "姓名"),
        (4, "产业链节点"),
        (4, "聘期开始"),
        (5, "状态"),
        (5, "每轮评审上限"),
        (6, "姓名"),
    }
    assert "与第 2 行重复" in str(exc.value)
    assert not Expert.objects.exists()
    assert not AuditEntry.objects.filter(model="reviews.expert").exists()


def test_a_good_import_creates_then_updates_all_or_nothing(personas):
    office = personas["chain_office"].actor
    done = pool_services.import_experts(office, _sheet([_row(), _row(name="李四", available="否")]))
    assert done == {"created": 2, "updated": 0}
    done = pool_services.import_experts(office, _sheet([_row(title="教授")]))
    assert done == {"created": 0, "updated": 1}
    assert Expert.objects.get(name="张明").title == "教授"
    assert Expert.objects.get(name="李四").available is False


def test_the_import_page_lists_errors(personas):
    upload = io.BytesIO(_sheet([_row(name="")]))
    upload.name = "pool.xlsx"
    response = personas["chain_office"].client.post("/reviews/experts/import/", {"file": upload})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<td>2</td><td>姓名</td>" in content and "未导入" in content
    assert not Expert.objects.exists()


def test_related_persons_are_kept_by_the_enterprise_itself_or_its_district(
    personas, enterprise_a, enterprise_b
):
    person = pool_services.add_related_person(
        personas["enterprise_a"].actor, enterprise_a.pk, "周法人", "legal_rep"
    )
    with pytest.raises(PermissionDenied):
        pool_services.add_related_person(
            personas["enterprise_b"].actor, enterprise_a.pk, "某人", "shareholder"
        )
    with pytest.raises(PermissionDenied):
        pool_services.remove_related_person(personas["other_district"].actor, person.pk)
    with pytest.raises(ValidationError):
        pool_services.add_related_person(personas["district"].actor, enterprise_a.pk, "某人", "boss")
    page = personas["district"].client.get(f"/enterprises/{enterprise_a.pk}/").content.decode()
    assert "周法人" in page and "法定代表人" in page
    response = personas["district"].client.post(f"/reviews/related/{person.pk}/delete/")
    assert response.status_code == 302 and not RelatedPerson.objects.exists()
    assert AuditEntry.objects.filter(model="enterprises.relatedperson", action="delete").count() == 1


def test_a_stale_profile_edit_does_not_overwrite(personas):
    from lianzhang.common.versioning import StaleEdit

    office = personas["chain_office"].actor
    expert = pool_services.save_expert(
        office, ExpertInput(name="专家甲", organisation="甲大学", username="expert")
    )
    pool_services.save_my_profile(
        personas["expert"].actor, SelfProfileInput(profile="新简介"), expert.version
    )
    with pytest.raises(StaleEdit):
        pool_services.save_expert(
            office, ExpertInput(name="专家甲", organisation="乙大学"), expert.pk, expert.version
        )
    assert Expert.objects.get(pk=expert.pk).organisation == "甲大学"


def test_the_pool_is_searched_by_text_and_filtered_by_node_and_status(personas):
    office = personas["chain_office"].actor
    pool_services.save_expert(
        office, ExpertInput(name="甲", organisation="某大学", nodes=["vision"], disciplines=["模式识别"])
    )
    pool_services.save_expert(
        office,
        ExpertInput(name="乙", organisation="某研究院", nodes=["speech"], status=Expert.Status.RETIRED),
    )
    names = lambda **kw: [e.name for e in pool_services.list_experts(office, **kw)]  # noqa: E731
    assert names(q="模式") == ["甲"] and names(q="研究院") == ["乙"]
    assert names(node="speech") == ["乙"] and names(status="active") == ["甲"]
    page = personas["chain_office"].client.get("/reviews/experts/?node=vision").content.decode()
    assert "某大学" in page and "某研究院" not in page
