"""Expert review in a real Chromium: an expert scores their own sheet; the chain office reads the draw."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lianzhang.reviews.models import Assignment, ReviewRound, Score
from tests.browser.conftest import PageLog, log_in
from tests.reviews_platform.test_rounds import _become, _pool, _round

# Default criteria: innovation 30 %, feasibility 25 %, benefit 25 %, team 20 % (each out of 100).
SHEET = {"innovation": "80", "feasibility": "70", "benefit": "90", "team": "60"}
TOTAL = "76"  # 0.30 × 80 + 0.25 × 70 + 0.25 × 90 + 0.20 × 60


@pytest.fixture
def scoring(people: dict) -> tuple[ReviewRound, Assignment, Assignment]:
    """A round in scoring (2 projects × 2 experts), the expert persona's assignment and someone else's."""
    _pool(people, 4)
    round_ = _round(people, per_app=2, status=ReviewRound.Status.SCORING)
    drawn = Assignment.objects.filter(application__round=round_).order_by("pk")
    mine = drawn.first()
    _become(people, mine.expert)
    theirs = drawn.exclude(expert=mine.expert).exclude(application=mine.application).first()
    assert theirs is not None, "the other application must have an expert other than the persona"
    return round_, mine, theirs


@pytest.mark.browser
def test_expert_scores_their_own_sheet_and_sees_the_weighted_total(
    page: Page, page_log: PageLog, scoring: tuple[ReviewRound, Assignment, Assignment]
) -> None:
    round_, mine, _ = scoring
    log_in(page, "expert")

    expect(page).to_have_url(re.compile(r"/reviews/mine/$"))
    expect(page.locator("main h1")).to_contain_text("我的评审")
    rows = page.locator("#my-assignments tbody tr")
    expect(rows).to_have_count(Assignment.objects.filter(expert=mine.expert).count())
    row = rows.filter(has_text=mine.application.title)
    expect(row).to_contain_text(round_.name)
    expect(row).to_contain_text("—")  # no total before scoring
    row.get_by_role("link", name="评分").click()

    expect(page).to_have_url(re.compile(rf"/reviews/mine/{mine.pk}/$"))
    expect(page.locator("main h1")).to_contain_text(mine.application.title)
    sheet = page.locator("#score-sheet")
    for key, value in SHEET.items():
        sheet.locator(f"input[name={key}]").fill(value)
    sheet.locator("textarea[name=comment]").fill("技术路线清晰，团队需加强。")
    with page.expect_navigation():
        sheet.get_by_role("button", name="提交评分").click()

    expect(page).to_have_url(re.compile(r"/reviews/mine/$"))
    expect(page.locator(".messages")).to_contain_text("评分已提交")
    row = page.locator("#my-assignments tbody tr", has_text=mine.application.title)
    expect(row.locator("td.num")).to_have_text(re.compile(rf"^{TOTAL}(\.0+)?$"))
    expect(row).to_contain_text("已提交")
    score = Score.objects.get(assignment=mine)
    assert score.total == int(TOTAL) and score.values == SHEET
    assert score.comment == "技术路线清晰，团队需加强。"
    assert page_log.external_requests() == []
    assert page_log.page_errors == [], page_log.page_errors


@pytest.mark.browser
def test_expert_cannot_open_another_experts_sheet(
    page: Page, scoring: tuple[ReviewRound, Assignment, Assignment]
) -> None:
    _, _, theirs = scoring
    log_in(page, "expert")

    response = page.goto(f"/reviews/mine/{theirs.pk}/")

    assert response is not None and response.status == 404
    expect(page.locator("#score-sheet")).to_have_count(0)
    body = page.locator("body")
    expect(body).not_to_contain_text(theirs.application.title)
    expect(body).not_to_contain_text(theirs.expert.name)
    page.goto("/reviews/mine/")
    expect(page.locator(f"#my-assignments a[href='/reviews/mine/{theirs.pk}/']")).to_have_count(0)
    assert not Score.objects.filter(assignment=theirs).exists()


@pytest.mark.browser
def test_chain_office_reads_the_draw_with_affinity_and_reason(
    page: Page, page_log: PageLog, scoring: tuple[ReviewRound, Assignment, Assignment]
) -> None:
    round_ = scoring[0]
    drawn = list(Assignment.objects.filter(application__round=round_).select_related("expert", "application"))
    assert len(drawn) == 4
    log_in(page, "chain")
    page.goto("/reviews/rounds/")

    page.locator("#round-table").get_by_role("link", name=round_.name).click()

    expect(page).to_have_url(re.compile(rf"/reviews/rounds/{round_.pk}/$"))
    expect(page.locator("#stepper li.current")).to_have_text("专家评分")
    table = page.locator("#assignment-table")
    headers = table.locator("thead th").all_inner_texts()
    affinity_col, reason_col = headers.index("亲和度"), headers.index("分配理由")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(drawn))
    shown = [row.split("\t") for row in rows.all_inner_texts()]
    by_pair = {(cells[0].strip(), cells[1].strip()): cells for cells in shown}
    for a in drawn:
        cells = by_pair[(a.application.title, a.expert.name)]
        assert cells[affinity_col].strip() == f"{a.affinity:.3f}"
        assert a.reason and cells[reason_col].strip() == a.reason
    expect(page.get_by_text("评分进度：已提交 0 / 4")).to_be_visible()
    assert page_log.external_requests() == []
    assert page_log.page_errors == [], page_log.page_errors


@pytest.mark.browser
def test_chain_office_pages_and_filters_the_assignment_table(
    page: Page, page_log: PageLog, scoring: tuple[ReviewRound, Assignment, Assignment], monkeypatch
) -> None:
    from lianzhang.reviews import services

    monkeypatch.setattr(services, "ASSIGNMENTS_PER_PAGE", 3)
    round_, mine, _ = scoring
    log_in(page, "chain")
    page.goto(f"/reviews/rounds/{round_.pk}/")
    rows = page.locator("#assignment-table tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("#assignment-pager")).to_contain_text("第 1 / 2 页，共 4 人次")

    page.locator("#assignment-pager").get_by_role("link", name="下一页").click()

    expect(rows).to_have_count(1)
    expect(page.locator("#assignment-pager")).to_contain_text("第 2 / 2 页")
    page.locator("#assignment-filters input[name=who]").fill(mine.expert.name)
    page.locator("#assignment-filters").get_by_role("button", name="筛选").click()
    expect(rows.first).to_contain_text(mine.expert.name)
    for text in rows.all_inner_texts():
        assert mine.expert.name in text
    assert page_log.external_requests() == []
    assert page_log.page_errors == [], page_log.page_errors
