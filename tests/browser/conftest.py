"""Browser fixtures: Debian Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from lianzhang.accounts.models import Role
from lianzhang.accounts.permissions import SYSTEM
from lianzhang.accounts.services import NewUser, create_user
from lianzhang.enterprises import services
from lianzhang.enterprises.models import Enterprise
from lianzhang.enterprises.project_services import ProjectInput, create_project
from tests.conftest import HOME_DISTRICT, OTHER_DISTRICT, PASSWORD, enterprise_record

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling home (updates, sync, field trials) on a network that has no home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
LOCAL_SCHEMES = {"data", "blob", "about"}


def chromium_path() -> str:
    """The Chromium executable to drive: $LIANZHANG_CHROMIUM, or Debian's package."""
    return os.environ.get("LIANZHANG_CHROMIUM") or DEFAULT_CHROMIUM


@pytest.fixture(scope="session")
def browser_environment() -> Iterator[None]:
    """Environment the browser tests need, set only while they run (never for the default suite)."""
    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop in this thread; the ORM calls made by fixtures and
        # assertions are still plain synchronous calls, so Django's async-safety guard only gets in the way.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # Serve on the loopback address itself, so "no request left 127.0.0.1" is a plain host check.
        if not os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS"):
            patch.setenv("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")
        yield


@pytest.fixture(scope="session")
def browser(browser_environment: None) -> Iterator[object]:
    """One headless Chromium for the whole session; fails loudly when there is none."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        # A skip here would let CI go green without a single browser test having run.
        pytest.fail(
            f"Chromium executable not found at {path!r}: install Debian's chromium "
            "(apt-get install chromium) or point LIANZHANG_CHROMIUM at a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    """Everything a page asked for or complained about while a test drove it."""

    requests: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def external_requests(self) -> list[str]:
        """Requests that went anywhere but the live server on 127.0.0.1."""
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in LOCAL_SCHEMES and urlsplit(url).hostname != "127.0.0.1"
        ]

    def broken_resources(self) -> list[str]:
        """Responses with an error status, except the favicon browsers ask for on their own."""
        return [entry for entry in self.failed_responses if not entry.endswith("/favicon.ico")]


def _on_response(log: PageLog, response) -> None:
    if response.status >= 400:
        log.failed_responses.append(f"{response.status} {response.url}")


def _on_console(log: PageLog, message) -> None:
    # Failed loads are tracked from the responses themselves, where the URL is known.
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        log.console_errors.append(message.text)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[object]:
    """Remember each phase's outcome on the item, so the page fixture can keep a picture of failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page_log() -> PageLog:
    """The current page's requests and errors."""
    return PageLog()


@pytest.fixture
def page(browser, live_server, page_log: PageLog, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh browser context (no cookies) per test, recording requests and script errors."""
    # `browser` comes first so that its environment is in place when the live server starts.
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    tab.on("request", lambda req: page_log.requests.append(req.url))
    tab.on("pageerror", lambda exc: page_log.page_errors.append(str(exc)))
    tab.on("response", lambda response: _on_response(page_log, response))
    tab.on("console", lambda message: _on_console(page_log, message))
    yield tab
    report = getattr(request.node, "report_call", None)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    picture = SCREENSHOTS / f"failed-{name}.png"
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(picture), full_page=True)
    else:
        picture.unlink(missing_ok=True)
    context.close()


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@dataclass
class World:
    """What the browser tests find in the registry."""

    home: list[Enterprise]
    other: list[Enterprise]
    usernames: dict[str, str]

    @property
    def all(self) -> list[Enterprise]:
        """Every enterprise created for the test."""
        return [*self.home, *self.other]


# (name, division, serial, products, nodes, tags)
ENTERPRISES = (
    ("天河视觉科技有限公司", "440106001", 11, "视觉检测平台", ("vision", "manufacturing"), ["高新技术企业"]),
    ("天河语音智能有限公司", "440106002", 12, "智能语音客服", ("speech",), ["专精特新", "高新技术企业"]),
    ("天河算力云服务有限公司", "440106001", 13, "智能算力租赁", ("compute",), ["瞪羚"]),
    ("白云机器人制造有限公司", "440111002", 21, "协作机器人", ("robot", "motion"), ["高新技术企业"]),
    ("白云智慧物流有限公司", "440111003", 22, "无人仓储调度系统", ("transport",), ["专精特新"]),
    ("白云包装材料有限公司", "440111003", 23, "纸箱", (), []),
)


@pytest.fixture
def world(browser_environment: None, transactional_db, django_db_serialized_rollback) -> World:
    """Users and enterprises made through the service layer; committed, so the live server sees them."""
    # Regions come from a data migration; serialized rollback restores them after each test's flush.
    home: list[Enterprise] = []
    other: list[Enterprise] = []
    for name, division, serial, products, nodes, tags in ENTERPRISES:
        enterprise = services.create_enterprise(
            SYSTEM, enterprise_record(name, division, serial, products=products, tags=tags)
        )
        for node in nodes:
            services.confirm_node(SYSTEM, enterprise.pk, node)
        create_project(
            SYSTEM, ProjectInput(enterprise.pk, f"{products}产业化", "industrialisation", 200_000_000)
        )
        (home if division.startswith(HOME_DISTRICT) else other).append(enterprise)
    users = {
        "chain": NewUser("chain", PASSWORD, Role.CHAIN_OFFICE, "链长办"),
        "district": NewUser("district", PASSWORD, Role.DISTRICT, "天河区", region_code=HOME_DISTRICT),
        "district2": NewUser("district2", PASSWORD, Role.DISTRICT, "白云区", region_code=OTHER_DISTRICT),
    }
    for data in users.values():
        create_user(SYSTEM, data)
    assert get_user_model().objects.filter(username__in=users).count() == len(users)
    return World(home=home, other=other, usernames={key: data.username for key, data in users.items()})


@pytest.fixture
def people(browser_environment: None, transactional_db, django_db_serialized_rollback, personas) -> dict:
    """The personas of tests/conftest.py (chain, dept, expert, ent_a, ...), committed for the live server."""
    # Do not combine with `world`: both create the users "chain", "district" and "district2".
    return personas
