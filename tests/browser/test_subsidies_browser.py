"""择优支持 in a real Chromium: a what-if that saves nothing, and the 公示 Excel of a confirmed run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from lianzhang.accounts.models import AuditEntry
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.enterprises import services as registry
from lianzhang.enterprises.models import Enterprise
from lianzhang.subsidies import services
from lianzhang.subsidies.models import AllocationRun, Application, Programme
from tests.browser.conftest import PageLog, log_in
from tests.conftest import enterprise_record
from tests.subsidies.conftest import YUAN, ranked

C_NAME, D_NAME = "丙语音科技有限公司", "丁算力服务有限公司"


@dataclass
class Case:
    """A programme with a confirmed run (A and B funded) and two applicants still waiting (C and D)."""

    programme: Programme
    run: AllocationRun
    funded: list[Enterprise]
    waiting: list[Enterprise]


@pytest.fixture
def case(people: dict, enterprise_a: Enterprise, enterprise_b: Enterprise) -> Case:
    """30 % of cost, at most 2,000,000 yuan a firm, 10 firms, 15,000,000 yuan; A and B confirmed today."""
    office = people["chain_office"].actor
    created = services.create_programme(
        office,
        services.ProgrammeInput(
            name="技术合作择优支持",
            year=2025,
            rate_bp=3000,
            cap_fen=2_000_000 * YUAN,
            max_count=10,
            budget_fen=15_000_000 * YUAN,
        ),
    )
    programme = services.set_programme_status(office, created.pk, created.version, "open")
    # A: 30 % of 5,200,000 = 1,560,000; B: 30 % of 8,000,000 capped at 2,000,000.
    rows = ranked((enterprise_a.pk, 5_200_000, "90"), (enterprise_b.pk, 8_000_000, "85"))
    services.add_ranked_applicants(office, programme.pk, rows)
    run = services.run_allocation(office, programme.pk)
    run = services.confirm_run(office, run.pk, run.version, timezone.localdate())
    c = registry.create_enterprise(SYSTEM, enterprise_record(C_NAME, "440106002", 3))
    d = registry.create_enterprise(SYSTEM, enterprise_record(D_NAME, "440106001", 4))
    # Saved rule: C gets 2,000,000 (capped), D 600,000.
    services.add_ranked_applicants(
        office, programme.pk, ranked((c.pk, 10_000_000, "80"), (d.pk, 2_000_000, "75"))
    )
    return Case(Programme.objects.get(pk=programme.pk), run, [enterprise_a, enterprise_b], [c, d])


@pytest.mark.browser
def test_chain_office_tries_another_rate_and_cap_and_nothing_is_saved(
    page: Page, page_log: PageLog, case: Case
) -> None:
    programme = case.programme
    audited = AuditEntry.objects.filter(model__startswith="subsidies.").count()
    log_in(page, "chain")
    page.goto("/subsidies/")
    page.locator("#programme-table").get_by_role("link", name=programme.name).click()
    expect(page.locator("#programme-rule")).to_contain_text("按成本的30%，单家每年不超过200万元")
    page.get_by_role("link", name="假如……（参数试算）").click()
    expect(page).to_have_url(re.compile(rf"/subsidies/{programme.pk}/whatif/$"))

    # 50 % capped at 1,500,000: C drops from 2,000,000 to 1,500,000, D rises from 600,000 to 1,000,000.
    page.fill("#id_rate_percent", "50")
    page.fill("#id_cap_yuan", "1500000")
    page.get_by_role("button", name="试算").click()

    expect(page).to_have_url(re.compile(r"rate_percent=50"))
    gains, losses = page.locator("#gains-table tbody tr"), page.locator("#losses-table tbody tr")
    expect(gains).to_have_count(1)
    expect(gains).to_contain_text(D_NAME)
    expect(gains).to_contain_text("增加")
    expect(gains).to_contain_text("+400,000 元")
    expect(losses).to_have_count(1)
    expect(losses).to_contain_text(C_NAME)
    expect(losses).to_contain_text("减少")
    expect(losses).to_contain_text("-500,000 元")
    totals = page.locator("#whatif-totals")
    expect(totals).to_contain_text("2,500,000 元")
    expect(totals).to_contain_text("变化 -100,000 元")
    expect(page.locator("#budget-chart .main-svg").first).to_be_visible()

    saved = Programme.objects.get(pk=programme.pk)
    assert (saved.rate_bp, saved.cap_fen, saved.version) == (3000, 2_000_000 * YUAN, programme.version)
    assert list(AllocationRun.objects.values_list("pk", flat=True)) == [case.run.pk]
    assert Application.objects.filter(programme=programme, decided_run__isnull=True).count() == 2
    assert AuditEntry.objects.filter(model__startswith="subsidies.").count() == audited
    assert page_log.external_requests() == []
    assert page_log.page_errors == [], page_log.page_errors
    assert page_log.broken_resources() == [], page_log.broken_resources()


@pytest.mark.browser
def test_chain_office_downloads_the_notice_excel_of_a_confirmed_run(
    page: Page, case: Case, tmp_path: Path
) -> None:
    log_in(page, "chain")
    page.goto(f"/subsidies/runs/{case.run.pk}/")
    expect(page.locator("h1 .tag")).to_have_text("已确认")

    with page.expect_download() as info:
        page.get_by_role("link", name="导出 Excel").click()

    download = info.value
    assert download.suggested_filename == f"subsidy-notice-2025-{case.run.pk}.xlsx"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved).active
    assert str(sheet["A1"].value).endswith("拟支持名单公示")
    cells = [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    for enterprise in case.funded:
        assert enterprise.name in cells and enterprise.credit_code in cells
    assert not any(e.name in text for e in case.waiting for text in cells), "only the run's own grants"
    assert "1,560,000" in cells and "2,000,000" in cells
