"""择优支持 pages, API and exports, per persona, through the Django test client."""

from __future__ import annotations

import io
from datetime import timedelta

import pdfplumber
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from lianzhang.accounts.models import AuditEntry
from lianzhang.subsidies import services
from lianzhang.subsidies.models import AllocationRun, Application, Programme
from tests.conftest import PERSONA_ORDER
from tests.subsidies.conftest import ranked

pytestmark = pytest.mark.django_db

ROLES = PERSONA_ORDER
# url -> expected status per role, in ROLES order ({p} programme, {r} a confirmed run, {q} a preview run).
PAGES = {
    "/subsidies/": (302, 200, 200, 200, 200, 403, 403, 403, 200),
    "/subsidies/new/": (302, 200, 403, 403, 403, 403, 403, 403, 200),
    "/subsidies/{p}/": (302, 200, 200, 200, 200, 403, 403, 403, 200),
    "/subsidies/{p}/edit/": (302, 200, 403, 403, 403, 403, 403, 403, 200),
    "/subsidies/{p}/import/": (302, 200, 403, 403, 403, 403, 403, 403, 200),
    "/subsidies/{p}/whatif/?rate_percent=20&when_short=partial&mode=rank": (
        302,
        200,
        200,
        403,
        403,
        403,
        403,
        403,
        200,
    ),
    "/subsidies/runs/{r}/": (302, 200, 200, 200, 200, 403, 403, 403, 200),
    "/subsidies/runs/{r}/notice.xlsx": (302, 200, 200, 403, 403, 403, 403, 403, 200),
    "/subsidies/runs/{r}/notice.pdf": (302, 200, 200, 403, 403, 403, 403, 403, 200),
    "/subsidies/mine/": (302, 403, 403, 403, 403, 200, 200, 403, 403),
    "/subsidies/notices/": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/subsidies/notices/{r}/": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/subsidies/notices/{r}/notice.pdf": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/subsidies/notices/{q}/": (404, 404, 404, 404, 404, 404, 404, 404, 404),
    "/api/subsidies/programmes": (401, 200, 200, 200, 200, 403, 403, 403, 200),
    "/api/subsidies/programmes/{p}": (401, 200, 200, 200, 200, 403, 403, 403, 200),
    "/api/subsidies/runs/{r}": (401, 200, 200, 200, 200, 403, 403, 403, 200),
    "/api/subsidies/notices": (200, 200, 200, 200, 200, 200, 200, 200, 200),
    "/api/subsidies/mine": (401, 403, 403, 403, 403, 200, 200, 403, 403),
}


@pytest.fixture
def confirmed(personas, programme, enterprise_a, enterprise_b):
    """A confirmed run on public notice since today (A and B funded), and a later preview run."""
    office = personas["chain_office"].actor
    rows = ranked((enterprise_a.pk, 5_200_000, "90"), (enterprise_b.pk, 8_000_000, "85"))
    services.add_ranked_applicants(office, programme.pk, rows)
    run = services.run_allocation(office, programme.pk)
    run = services.confirm_run(office, run.pk, run.version, timezone.localdate())
    services.add_ranked_applicants(office, programme.pk, ranked((enterprise_a.pk, 1_000_000, "70")))
    preview = services.run_allocation(office, programme.pk)
    return run, preview


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_subsidy_pages(personas, programme, confirmed, url, role):
    run, preview = confirmed
    response = personas[role].client.get(url.format(p=programme.pk, r=run.pk, q=preview.pk))
    expected = PAGES[url][ROLES.index(role)]
    assert response.status_code == expected, f"{role} GET {url}: {response.status_code}, expected {expected}"


def test_the_programme_page_states_the_rule_and_the_reasons(personas, programme, enterprise_a):
    office = personas["chain_office"]
    fresh = Programme.objects.get(pk=programme.pk)
    services.update_programme(
        office.actor,
        programme.pk,
        fresh.version,
        services.ProgrammeInput(
            name=fresh.name,
            year=2025,
            rate_bp=3000,
            cap_fen=fresh.cap_fen,
            max_count=10,
            budget_fen=fresh.budget_fen,
            eligibility={"tags_all": ["专精特新"]},
        ),
    )
    services.add_ranked_applicants(office.actor, programme.pk, ranked((enterprise_a.pk, 1_000_000, "90")))
    html = office.client.get(f"/subsidies/{programme.pk}/").content.decode()
    assert "按成本的30%，单家每年不超过200万元，每年最多10家，总预算1,500万元" in html
    assert "缺少标签 专精特新" in html and "甲视觉科技有限公司" in html


def test_the_programme_form_saves_yuan_as_fen_and_percent_as_basis_points(personas):
    client = personas["chain_office"].client
    response = client.post(
        "/subsidies/new/",
        {
            "name": "新项目",
            "year": 2026,
            "rate_percent": "12.5",
            "cap_yuan": "2000000",
            "max_count": "10",
            "budget_yuan": "15000000.5",
            "when_short": "skip",
            "objective": "count",
            "districts": "440106",
            "tags_any": "专精特新，高新技术企业",
            "min_age_years": "2",
        },
    )
    programme = Programme.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/subsidies/{programme.pk}/"
    assert (programme.rate_bp, programme.cap_fen, programme.budget_fen) == (1250, 200_000_000, 1_500_000_050)
    assert programme.eligibility == {
        "districts": ["440106"],
        "tags_any": ["专精特新", "高新技术企业"],
        "min_age_years": 2,
    }
    bad = client.post(
        "/subsidies/new/",
        {
            "name": "x",
            "year": 2026,
            "rate_percent": "30",
            "when_short": "partial",
            "objective": "score",
            "nodes_any": "teleport",
        },
    )
    assert bad.status_code == 200 and "产业链没有节点 teleport" in bad.content.decode()
    assert Programme.objects.count() == 1


def test_the_whatif_page_compares_and_saves_nothing(personas, programme, confirmed):
    before = (AllocationRun.objects.count(), Application.objects.count(), AuditEntry.objects.count())
    query = "rate_percent=10&budget_yuan=15000000&max_count=10&when_short=partial&mode=rank"
    url = f"/subsidies/{programme.pk}/whatif/?{query}"
    html = personas["department"].client.get(url).content.decode()
    assert (AllocationRun.objects.count(), Application.objects.count(), AuditEntry.objects.count()) == before
    assert "按成本的10%" in html and "减少" in html and "/assets/plotly.min.js" in html
    assert 'id="budget-chart-data"' in html


def test_the_import_page_lists_row_errors_and_saves_nothing(personas, programme):
    upload = SimpleUploadedFile("a.csv", "统一社会信用代码,费用（元）\n91440106MA99999990,1000\n".encode())
    response = personas["chain_office"].client.post(f"/subsidies/{programme.pk}/import/", {"file": upload})
    assert response.status_code == 200
    assert "第 2 行 [统一社会信用代码] 91440106MA99999990 不在企业库中" in response.content.decode()
    assert not Application.objects.exists()


def test_allocating_and_confirming_through_the_pages(personas, programme, enterprise_a):
    client = personas["chain_office"].client
    services.add_ranked_applicants(
        personas["chain_office"].actor, programme.pk, ranked((enterprise_a.pk, 5_200_000, "90"))
    )
    response = client.post(f"/subsidies/{programme.pk}/allocate/", {"mode": "optimal"})
    run = AllocationRun.objects.get()
    assert response["Location"] == f"/subsidies/runs/{run.pk}/" and run.mode == "optimal"
    page = client.get(response["Location"]).content.decode()
    assert "1,560,000" in page and "两种方式支持的企业相同" in page
    start = timezone.localdate()
    client.post(
        f"/subsidies/runs/{run.pk}/confirm/", {"notice_start": start.isoformat(), "version": run.version}
    )
    run.refresh_from_db()
    assert run.status == "confirmed" and run.objection_deadline == start + timedelta(
        days=services.NOTICE_DAYS
    )


def test_the_excel_notice_lists_each_funded_enterprise_with_its_rule(personas, confirmed):
    run, _ = confirmed
    response = personas["department"].client.get(f"/subsidies/runs/{run.pk}/notice.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "技术合作择优支持（2025 年）拟支持名单公示"
    assert "按成本的30%，单家每年不超过200万元" in rows[1][0] and rows[2][0].startswith("公示期：")
    header = rows.index(
        ["序号", "企业名称", "统一社会信用代码", "申报事项", "费用（元）", "补助金额（元）", "计算规则"]
    )
    body = rows[header + 1 : header + 3]
    assert [(r[1], r[5]) for r in body] == [
        ("甲视觉科技有限公司", "1,560,000"),
        ("乙智能装备有限公司", "2,000,000"),
    ]
    assert "30% × 8,000,000 元 = 2,400,000 元，超过每家每年 2,000,000 元上限" in body[1][6]
    assert rows[header + 3][0] == "合计" and rows[header + 3][5] == "3,560,000"
    assert AuditEntry.objects.filter(model="subsidies.allocationrun", action="export:xlsx").count() == 1


def test_the_pdf_notice_is_a_real_pdf_with_chinese_text(personas, confirmed):
    run, preview = confirmed
    response = personas["chain_office"].client.get(f"/subsidies/runs/{run.pk}/notice.pdf")
    assert response.content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "甲视觉科技有限公司" in text and "1,560,000" in text and "公示期" in text
    # A preview's export says it is not for posting.
    draft = personas["chain_office"].client.get(f"/subsidies/runs/{preview.pk}/notice.pdf")
    with pdfplumber.open(io.BytesIO(draft.content)) as pdf:
        assert "未确认" in pdf.pages[0].extract_text()


def test_the_public_notice_shows_funded_enterprises_only_after_confirmation(personas, confirmed):
    run, _ = confirmed
    html = personas["anonymous"].client.get(f"/subsidies/notices/{run.pk}/").content.decode()
    assert "甲视觉科技有限公司" in html and "1,560,000" in html and "异议" in html
    listed = personas["anonymous"].client.get("/api/subsidies/notices").json()
    assert [n["id"] for n in listed] == [run.pk]
    assert {f["enterprise"] for f in listed[0]["funded"]} == {"甲视觉科技有限公司", "乙智能装备有限公司"}


def test_the_enterprise_page_shows_its_own_result_only(personas, confirmed):
    html = personas["enterprise_b"].client.get("/subsidies/mine/").content.decode()
    assert "2,000,000" in html and "获支持" in html and "甲视觉" not in html
    data = personas["enterprise_a"].client.get("/api/subsidies/mine").json()
    assert {(d["decided"], d["amount_fen"]) for d in data} == {(True, 156_000_000), (False, None)}


def test_the_preview_api_recomputes_without_saving(personas, programme, confirmed):
    client = personas["chain_office"].client
    runs = AllocationRun.objects.count()
    response = client.post(
        f"/api/subsidies/programmes/{programme.pk}/preview",
        {"rate_bp": 1000, "unlimited": ["cap_fen"]},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["params"]["cap_fen"] is None and data["rows"][0]["amount_fen"] == 10_000_000
    assert data["comparison"]["saved_total_fen"] == 30_000_000
    assert AllocationRun.objects.count() == runs
    refused = personas["district"].client.post(
        f"/api/subsidies/programmes/{programme.pk}/preview", {}, content_type="application/json"
    )
    assert refused.status_code == 403
