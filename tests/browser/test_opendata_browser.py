"""Open data in a real Chromium: upload, scan, de-identify, second-officer approval, public download."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from lianzhang.accounts.models import Department, Role
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.accounts.services import NewUser, create_user
from lianzhang.opendata import release_services
from lianzhang.opendata.deid import synthetic
from lianzhang.opendata.models import Release
from tests.browser.conftest import PageLog, log_in
from tests.conftest import PASSWORD
from tests.opendata_platform.conftest import new_dataset, upload, write_csv

TITLE = "科技型中小企业补贴发放明细"
HEADER = ["序号", "证件号码", "所属行业", "补贴金额"]
INDUSTRIES = ("软件和信息技术服务业", "专用设备制造业", "科技推广和应用服务业")
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


def _raw_table(folder: Path) -> tuple[Path, list[str]]:
    """Twenty rows, each with a valid 18-digit resident ID number (check digit correct)."""
    rng = random.Random(20260601)
    ids = [synthetic.id_card(rng) for _ in range(20)]
    rows = [[str(n), ident, INDUSTRIES[n % 3], str(50_000 + 1_000 * n)] for n, ident in enumerate(ids, 1)]
    return write_csv(folder / "补贴发放明细.csv", HEADER, rows), ids


@pytest.fixture
def dataset(people: dict, department: Department):
    """The department's registered, unpublished dataset; a second officer of that department exists."""
    dept = people["department"].actor
    create_user(SYSTEM, NewUser("dept_b", PASSWORD, Role.DEPARTMENT, department_id=department.pk))
    return new_dataset(dept, department.pk, title=TITLE)


@pytest.fixture
def other_published(people: dict, department: Department, tmp_path: Path) -> None:
    """A published dataset the search must leave out (no personal data in it)."""
    dept = people["department"].actor
    chain = people["chain_office"].actor
    raw = write_csv(tmp_path / "园区.csv", ["园区", "企业数"], [["天河软件园", "120"], ["黄埔科学城", "95"]])
    release = upload(dept, new_dataset(dept, department.pk, title="人工智能园区企业数").pk, raw)
    keep = {"columns": {"园区": "keep", "企业数": "keep"}, "quasi_identifiers": [], "k": 2}
    release = release_services.process_release(dept, release.pk, release.version, keep)
    release = release_services.submit_release(dept, release.pk, release.version)
    release = release_services.approve_release(chain, release.pk, release.version)
    release_services.publish_release(chain, release.pk, release.version)


@pytest.mark.browser
def test_identifiers_are_found_removed_approved_published_and_downloaded_without_them(
    page: Page, page_log: PageLog, dataset, other_published: None, tmp_path: Path
) -> None:
    raw, ids = _raw_table(tmp_path)
    log_in(page, "dept")
    page.goto(f"/data/manage/{dataset.pk}/")
    page.set_input_files("input[name=file]", str(raw))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并识别").click()

    expect(page.locator(".messages")).to_contain_text("已上传并完成识别：20 行")
    id_row = page.locator("#scan-table tbody tr", has_text="证件号码")
    expect(id_row.locator("td").nth(1)).to_have_text("身份证号 20")
    expect(id_row).to_contain_text("直接标识符：身份证号")
    expect(id_row.locator("td").nth(2)).not_to_contain_text(ids[0])  # examples are masked
    expect(id_row.locator("select[name^=action_]")).to_have_value("drop")
    industry_row = page.locator("#scan-table tbody tr", has_text="所属行业")
    expect(industry_row.locator("td").nth(1)).to_have_text("未发现")
    with page.expect_navigation():
        page.get_by_role("button", name="按策略处理并核验").click()
    report = page.locator("#processing-report")
    expect(report).to_contain_text("已生成：输入 20 行")
    expect(report).to_contain_text("重新识别未发现直接标识符")
    expect(report).to_contain_text("证件号码")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审批").click()
    expect(page.locator(".messages")).to_contain_text("待审批")
    # The preparer may not approve their own release.
    expect(page.get_by_role("button", name="批准")).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, "dept_b")
    page.goto("/data/approvals/")
    page.locator("#approval-table tr", has_text=TITLE).get_by_role("link").click()
    with page.expect_navigation():
        page.get_by_role("button", name="批准").click()
    with page.expect_navigation():
        page.get_by_role("button", name="发布（发布前重新识别）").click()
    expect(page.locator(".messages")).to_contain_text("已发布")
    release = Release.objects.get(dataset=dataset)
    assert release.status == Release.Status.PUBLISHED and release.approver.username == "dept_b"

    page.context.clear_cookies()
    page.goto("/data/")
    expect(page.locator("#dataset-table tbody tr")).to_have_count(2)
    page.fill("input[name=q]", "补贴")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/data/\?q=%E8%A1%A5%E8%B4%B4"))
    rows = page.locator("#dataset-table tbody tr")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=TITLE).click()
    expect(page.locator("main h1")).to_contain_text(TITLE)
    with page.expect_download() as info:
        page.locator("#release-table").get_by_role("link", name="CSV").click()

    content = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = content.splitlines()
    assert len(lines) == 21 and "证件号码" not in lines[0] and "所属行业" in lines[0]
    assert not any(ident in content for ident in ids)
    assert not ID_NUMBER.search(content), "no 18-digit ID number may leave the platform"
    assert "软件和信息技术服务业" in content and "51000" in content
    assert page_log.external_requests() == []
    assert page_log.page_errors == [], page_log.page_errors
