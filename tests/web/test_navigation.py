"""The top bar's menus: every page the actor may open appears once, in its menu, in menu order."""

from __future__ import annotations

from lianzhang.web.context import NAV_GROUPS, NAVIGATION, grouped


def test_every_navigation_entry_belongs_to_a_menu() -> None:
    listed = {name for _, names in NAV_GROUPS for name in names}
    assert [name for name, _, _ in NAVIGATION if name not in listed] == []


def test_menus_keep_their_order_and_leave_out_empty_ones() -> None:
    menus = grouped([("audit-log", "审计日志"), ("dashboard", "总览"), ("chain-map", "图谱")])
    assert menus == [
        ("总览", [("dashboard", "总览")]),
        ("产业链", [("chain-map", "图谱")]),
        ("系统", [("audit-log", "审计日志")]),
    ]


def test_an_unlisted_page_falls_into_the_last_menu() -> None:
    assert grouped([("something-new", "新页面")]) == [(NAV_GROUPS[-1][0], [("something-new", "新页面")])]


def test_the_chain_office_sees_menus_and_the_public_its_public_pages(personas) -> None:
    page = personas["chain_office"].client.get("/dashboard/").content.decode()
    assert page.count('class="menu-title"') >= 4
    assert '<span class="menu-title" tabindex="0">企业与项目 ▾</span>' in page
    public = personas["anonymous"].client.get("/").content.decode()
    assert "企业与项目 ▾" not in public
    for page in ("/scenarios/", "/data/", "/reviews/notices/", "/subsidies/notices/"):
        assert f'href="{page}"' in public
        assert personas["anonymous"].client.get(page).status_code == 200
