"""User journeys in a real Chromium: log in, dashboard, filter, detail, import, refusal, log out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lianzhang.codes import make_credit_code
from lianzhang.enterprises.models import Enterprise
from tests.browser.conftest import SCREENSHOTS, PageLog, World, log_in

DASHBOARD_CHARTS = ("#chart-nodes", "#chart-districts", "#chart-tags")


def _rows(page: Page, table: str) -> list[str]:
    return [text.strip() for text in page.locator(f"{table} tbody tr").all_inner_texts()]


def _screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.mark.browser
def test_chain_office_logs_in_and_sees_dashboard_charts_drawn_from_local_assets(
    page: Page, page_log: PageLog, world: World
) -> None:
    log_in(page, world.usernames["chain"])

    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.locator("header .who")).to_contain_text("chain（链长办）")
    for chart in DASHBOARD_CHARTS:
        # Plotly draws .main-svg only when the bundle from /assets/plotly.min.js loaded and ran.
        expect(page.locator(f"{chart} .main-svg").first).to_be_visible()
    expect(page.locator(".stat").first).to_contain_text(str(len(world.all)))
    node_bars = page.locator("#chart-nodes .bars .point")
    assert node_bars.count() == 28, "one bar per canonical AI chain node"
    page.wait_for_load_state("networkidle")
    path = _screenshot(page, "dashboard.png")

    assert any(url.endswith("/assets/plotly.min.js") for url in page_log.requests)
    assert page_log.external_requests() == [], "the dashboard must not reach beyond 127.0.0.1"
    assert page_log.page_errors == [], f"script errors on the dashboard: {page_log.page_errors}"
    assert page_log.console_errors == [], f"console errors on the dashboard: {page_log.console_errors}"
    assert page_log.broken_resources() == [], f"failed loads on the dashboard: {page_log.broken_resources()}"
    assert path.stat().st_size > 10_000


@pytest.mark.browser
def test_wrong_password_keeps_the_user_on_the_login_page(page: Page, world: World) -> None:
    log_in(page, world.usernames["chain"], password="not-the-password")

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("main .error")).to_contain_text("用户名或密码不正确")


@pytest.mark.browser
def test_enterprise_list_filters_by_district_and_by_text(page: Page, world: World) -> None:
    log_in(page, world.usernames["chain"])
    page.goto("/enterprises/")
    assert len(_rows(page, "#enterprise-table")) == len(world.all)

    filters = page.locator("#enterprise-filters")
    filters.locator("select[name=division]").select_option("440106")
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"division=440106"))
    rows = _rows(page, "#enterprise-table")
    assert sorted(row.split("\t")[0] for row in rows) == sorted(e.name for e in world.home)
    assert all("天河区" in row and "白云区" not in row for row in rows)

    filters.locator("input[name=q]").fill("语音")
    filters.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"q=%E8%AF%AD%E9%9F%B3"))
    expect(filters.locator("select[name=division]")).to_have_value("440106")
    rows = _rows(page, "#enterprise-table")
    assert len(rows) == 1
    assert rows[0].startswith("天河语音智能有限公司")
    assert "智能语音" in rows[0], "the row shows its chain node"

    filters.locator("input[name=q]").fill("机器人")
    filters.locator("button[type=submit]").click()
    expect(page.locator("#enterprise-table tbody")).to_contain_text("没有符合条件的企业")


@pytest.mark.browser
def test_enterprise_detail_opens_from_the_list_with_nodes_and_figures(page: Page, world: World) -> None:
    target = next(e for e in world.other if e.name == "白云机器人制造有限公司")
    log_in(page, world.usernames["chain"])
    page.goto("/enterprises/")

    page.locator("#enterprise-table").get_by_role("link", name=target.name).click()

    expect(page).to_have_url(re.compile(rf"/enterprises/{target.pk}/$"))
    expect(page.locator("h1")).to_contain_text(target.name)
    expect(page.locator("dl.profile")).to_contain_text(target.credit_code)
    expect(page.locator("dl.profile")).to_contain_text("广东省广州市白云区三元里街道")
    nodes = page.locator("#node-table tbody")
    expect(nodes).to_contain_text("智能机器人")
    expect(nodes).to_contain_text("运动控制核心器件")
    figures = page.locator("table").nth(1)
    expect(figures).to_contain_text("2024")
    expect(figures).to_contain_text("500.00 万元")  # revenue 5,000,000 yuan
    expect(figures).to_contain_text("16.0%")  # R&D intensity 800 / 5000
    expect(page.locator("table").nth(2)).to_contain_text("协作机器人产业化")


@pytest.mark.browser
def test_bad_import_file_is_reported_by_row_and_column_and_nothing_is_imported(
    page: Page, page_log: PageLog, world: World, tmp_path: Path
) -> None:
    good = make_credit_code("91440106MA0000031")
    bad_checksum = good[:-1] + ("0" if good[-1] != "0" else "1")
    valid_row_code = make_credit_code("91440106MA0000033")
    csv_file = tmp_path / "企业导入-有错误.csv"
    csv_file.write_text(
        "统一社会信用代码*,企业名称*,所在区划*\n"
        f"{bad_checksum},校验位错误科技有限公司,440106001\n"
        f"{make_credit_code('91440106MA0000032')},未知区划智能有限公司,449999\n"
        f"{valid_row_code},本行无误智能有限公司,440106002\n",
        encoding="utf-8",
    )
    before = Enterprise.objects.count()
    log_in(page, world.usernames["chain"])
    page.goto("/enterprises/import/")

    form = page.locator("#import-form")
    expect(form.locator("input[name=mode][value=all]")).to_be_checked()
    form.locator("input[name=file]").set_input_files(str(csv_file))
    form.locator("button[type=submit]").click()

    report = page.locator("#import-report")
    expect(report).to_contain_text("文件有错误，未导入任何数据")
    expect(report).to_contain_text("共 3 行")
    cells = [row.split("\t") for row in _rows(page, "#import-errors")]
    by_row = {cell[0]: cell for cell in cells}
    assert set(by_row) == {"2", "3"}, cells
    assert by_row["2"][1] == "统一社会信用代码*" and "校验位" in by_row["2"][2]
    assert by_row["3"][1] == "所在区划*" and "449999" in by_row["3"][2] + by_row["3"][3]
    expect(report.get_by_role("link", name="下载错误报告（Excel）")).to_be_visible()
    _screenshot(page, "import-report.png")

    assert Enterprise.objects.count() == before, "an all-or-nothing import with errors must not write"
    assert not Enterprise.objects.filter(credit_code=valid_row_code).exists()
    assert page_log.page_errors == []
    assert page_log.broken_resources() == []


@pytest.mark.browser
def test_district_officer_cannot_open_an_enterprise_of_another_district(page: Page, world: World) -> None:
    foreign = world.other[0]
    log_in(page, world.usernames["district"])
    page.goto("/enterprises/")
    listed = " ".join(_rows(page, "#enterprise-table"))
    assert all(e.name in listed for e in world.home)
    assert all(e.name not in listed for e in world.other)

    response = page.goto(f"/enterprises/{foreign.pk}/")

    assert response is not None and response.status == 403
    expect(page.locator("main h1")).to_have_text("无权访问")
    expect(page.locator("main")).not_to_contain_text(foreign.name)
    expect(page.locator("main")).not_to_contain_text(foreign.credit_code)


@pytest.mark.browser
def test_logout_ends_the_session(page: Page, world: World) -> None:
    log_in(page, world.usernames["district2"])
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    page.locator("header .who button[type=submit]").click()

    expect(page.locator("header .who")).to_contain_text("登录")
    expect(page.locator("header .who")).not_to_contain_text("district2")
    page.goto("/dashboard/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/dashboard/$"))


@pytest.mark.browser
def test_chain_office_confirms_a_classification_from_the_keyboard(page: Page, world: World) -> None:
    from lianzhang.enterprises.models import ChainClassification

    # Exactly one result waits for review, so it is the first (current) item of the queue.
    pending = ChainClassification.objects.filter(enterprise__in=world.all).order_by("confidence").first()
    ChainClassification.objects.update(review=ChainClassification.Review.NOT_NEEDED)
    ChainClassification.objects.filter(pk=pending.pk).update(review=ChainClassification.Review.PENDING)
    log_in(page, world.usernames["chain"])
    page.goto("/review/")
    expect(page.locator(".review-item.current")).to_contain_text(pending.enterprise.name)
    expect(page.locator(".review-item.current mark").first).to_be_visible()

    with page.expect_navigation():
        page.keyboard.press("a")

    expect(page.locator(".messages")).to_contain_text(f"已确认：{pending.enterprise.name}")
    pending.refresh_from_db()
    assert pending.review == ChainClassification.Review.CONFIRMED


@pytest.mark.browser
def test_chain_office_imports_and_confirms_a_plan_and_a_department_reports_progress(
    page: Page, page_log: PageLog, world: World, tmp_path: Path, settings
) -> None:
    from django.contrib.auth import get_user_model

    from lianzhang.accounts.models import Department, Role
    from lianzhang.accounts.permissions import SYSTEM
    from lianzhang.accounts.services import NewUser, create_user
    from lianzhang.plans.models import Plan, ProgressReport
    from tests.conftest import PASSWORD
    from tests.plans_platform.conftest import SMALL_PLAN, UNKNOWN_NAME

    settings.MEDIA_ROOT = tmp_path / "media"
    document = tmp_path / "行动计划.txt"
    document.write_text(SMALL_PLAN, encoding="utf-8")
    log_in(page, world.usernames["chain"])
    page.goto("/plans/import/")
    page.set_input_files("#id_file", str(document))
    with page.expect_navigation():
        page.locator("#plan-import-form button[type=submit]").click()

    expect(page.locator("h1")).to_contain_text("核对规划")
    expect(page.locator(".source")).to_contain_text("培育链主企业")
    expect(page.locator("#departments")).to_contain_text(UNKNOWN_NAME)
    expect(page.locator("#confirm button[type=submit]").first).to_be_disabled()
    page.locator(".unknown-department select").first.select_option("new")
    with page.expect_navigation():
        page.locator(".unknown-department button[type=submit]").first.click()
    expect(page.locator("#departments")).to_contain_text("所有部门名称都已对应到部门目录")
    with page.expect_navigation():
        page.locator("#confirm button[type=submit]").first.click()

    plan = Plan.objects.get()
    assert plan.status == Plan.Status.CONFIRMED and plan.tasks.count() == 4
    page.goto(f"/plans/{plan.pk}/matrix/")
    expect(page.locator("td.cell.lead")).to_have_count(4)

    science = Department.objects.get(name="广州市科学技术局")
    create_user(SYSTEM, NewUser("sci_officer", PASSWORD, Role.DEPARTMENT, department_id=science.pk))
    assert get_user_model().objects.filter(username="sci_officer").exists()
    page.context.clear_cookies()
    log_in(page, "sci_officer")
    page.goto("/plans/tasks/")
    # 市科技局 leads tasks 2 and 3 and cooperates on 1 and 4.
    expect(page.locator("table tbody tr")).to_have_count(4)
    page.locator("table tbody tr", has_text="建设产业园区").locator("a").first.click()
    page.fill("#id_period", "2026-Q3")
    page.fill("#id_percent", "60")
    page.fill("#id_narrative", "已完成两个园区的选址论证。")
    attachment = tmp_path / "园区选址.pdf"
    attachment.write_bytes(b"%PDF-1.4\n%demo\n")
    page.set_input_files("#id_files", str(attachment))
    with page.expect_navigation():
        page.locator("#report-form button[type=submit]").click()

    report = ProgressReport.objects.get()
    assert (report.department_id, report.percent, report.period) == (science.pk, 60, "2026-Q3")
    assert report.attachments.count() == 1
    # The roll-up counts the two cooperating departments that have not reported as 0%: 60 / 3.
    expect(page.locator("#rollup-percent")).to_contain_text("20%")
    assert page_log.external_requests() == []
    assert page_log.page_errors == [], page_log.page_errors
