"""Browser tests: Playwright for Python driving Debian's Chromium against the live test server.

Each test gets a fresh browser context in one of two viewports (a 375 px phone
and a desktop), with JavaScript on or off. Every page a test visits can be
photographed into ``tests/artifacts/`` and checked with axe-core (bundled by
axe-playwright-python): no serious or critical violation is allowed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# The flags the machine's own probe uses: no first-run, sync or background calls to hosts we cannot reach.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


@dataclass(frozen=True)
class Viewport:
    name: str
    width: int
    height: int
    mobile: bool


PHONE = Viewport("phone", 375, 740, True)
DESKTOP = Viewport("desktop", 1280, 800, False)
VIEWPORTS = [PHONE, DESKTOP]

SERIOUS = {"serious", "critical"}
_axe = Axe()


@pytest.fixture(scope="package")
def seed_snapshot(django_db_setup, django_db_blocker) -> str:
    """The migrations' seed data (rule sets, scoring model, calendar, violation catalogue), as serialized
    when the test database was created; taken before Chromium starts.

    Django restores it after each transactional test through the connection's ``_test_serialized_contents``,
    but while Playwright's loop runs, the thread's connection object is a new one without it (asgiref's
    Local follows the running context), so the browser tests restore it themselves.
    """
    from django.db import connection

    with django_db_blocker.unblock():
        return (getattr(connection, "_test_serialized_contents", None)
                or connection.creation.serialize_db_to_string())


@pytest.fixture(autouse=True)
def _seed_data(seed_snapshot, transactional_db) -> None:
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from regulator.lists.models import RuleSet

    # With the snapshot on this connection too, Django's flush after the test leaves the tables empty
    # (no post_migrate) and its setup of the next transactional test reloads them, as for any other test.
    connection._test_serialized_contents = seed_snapshot
    if not RuleSet.objects.exists():
        # The flush re-created content types and permissions (post_migrate); the snapshot has its own.
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        connection.creation.deserialize_db_from_string(seed_snapshot)


@pytest.fixture(scope="package")
def browser(seed_snapshot) -> Iterator[Browser]:
    """One Chromium for this package's tests, closed when they are done.

    Playwright's sync API keeps an event loop running in this thread while it is open, and Django then
    refuses synchronous ORM calls unless DJANGO_ALLOW_ASYNC_UNSAFE is set; both are undone afterwards,
    so no other test runs beside an open loop or with the flag.
    """
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium (make browser)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def new_page(browser: Browser, viewport: Viewport, *, javascript: bool = True) -> Page:
    context = browser.new_context(
        viewport={"width": viewport.width, "height": viewport.height}, is_mobile=viewport.mobile,
        has_touch=viewport.mobile, device_scale_factor=2 if viewport.mobile else 1, locale="zh-CN",
        timezone_id="Asia/Shanghai", java_script_enabled=javascript,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.javascript = javascript  # axe-core needs page scripts; JavaScript-off pages get the other checks
    return page


@pytest.fixture(params=VIEWPORTS, ids=lambda v: v.name)
def viewport(request) -> Viewport:
    return request.param


@pytest.fixture
def page(browser, viewport) -> Iterator[Page]:
    """A page with JavaScript on, in the test's viewport."""
    page = new_page(browser, viewport)
    yield page
    page.context.close()


@pytest.fixture
def page_without_js(browser, viewport) -> Iterator[Page]:
    """A page with JavaScript off: every main task must still work."""
    page = new_page(browser, viewport, javascript=False)
    yield page
    page.context.close()


def shoot(page: Page, name: str) -> Path:
    """A full-page screenshot under tests/artifacts/, named after the page and the viewport."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"] if page.viewport_size else 0
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = ARTIFACTS / f"{slug}-{width}px.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations of the page, one readable line each."""
    results = _axe.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:5])
            for v in results.response["violations"] if v.get("impact") in SERIOUS]


def overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def check_page(page: Page, name: str) -> None:
    """Screenshot, no sideways scrolling, and (with JavaScript on) no serious accessibility violation."""
    path = shoot(page, name)
    assert path.stat().st_size > 0
    extra = overflow(page)
    assert extra <= 0, f"{name}: {extra}px wider than the {page.viewport_size['width']}px viewport"
    if getattr(page, "javascript", True):
        found = serious_violations(page)
        assert found == [], f"{name}: " + "\n".join(found)


def login(page: Page, base_url: str, username: str, password: str = "correct-horse-battery") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


# The page tests' data fixtures, shared: 运城国际 black-listed, business accounts, complaints.
from tests.web.conftest import black_guoji, guoji, listed_person  # noqa: E402, F401
