"""The admin's start page (待办事项 and 全省概览) and the listings at a desk and on a phone (issue 16, item 5).

At 1280 px and 375 px, with JavaScript on (axe-core: no serious or critical violation) and off: the start page
does not scroll sideways, shows the work queue in words and the province at a glance. The listings changelist
at 1280 px shows its due-date columns (陈述申辩截止, 期满日期) inside the viewport.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from core.models import UserRole
from regulator.lists import services as listings
from regulator.workbench import stats
from tests.support import complaint_in, today
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import served

from .conftest import DESKTOP, PHONE, check_page, new_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewport():
    return DESKTOP


@pytest.fixture
def desk(db):
    """A regulator, a listing in its objection window, one decided long ago, a complaint to accept, a snapshot."""
    regulator = UserFactory(username="regulator", role=UserRole.REGULATOR, is_staff=True)
    day = today()
    for name, notified_on in (("运城违规旅行社有限公司", day - datetime.timedelta(days=3)),
                              ("运城市盐湖区某某国际旅行社有限责任公司", day - datetime.timedelta(days=40))):
        listing = listings.listing_propose(list_type="black", subject_type="entity", entity=EntityFactory(name=name),
                                           reason="甩团，滞留旅游者", actor=regulator, today=notified_on)
        listings.listing_notify(listing_id=listing.pk, actor=regulator, today=notified_on, delivery=served(notified_on))
    complaint_in(entity=EntityFactory(name="盐湖区投诉旅行社有限公司"), description="导游强迫购物")
    stats.snapshot_take(today=day)
    return regulator


def admin_login(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.get_by_label("用户名").fill("regulator")
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#site-name")).to_contain_text("信用监管平台")


def no_sideways_scroll(page) -> None:
    extra = page.evaluate("() => document.scrollingElement.scrollWidth - window.innerWidth")
    assert extra <= 0, f"{extra}px wider than the {page.viewport_size['width']}px viewport"


@pytest.mark.parametrize("viewport_", [DESKTOP, PHONE], ids=lambda v: v.name)
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_start_page_reads_at_a_desk_and_on_a_phone(browser, live_server, desk, viewport_, javascript):
    page = new_page(browser, viewport_, javascript=javascript)
    admin_login(page, live_server.url)
    queue = page.locator("section.workqueue")
    expect(queue).to_contain_text("待办事项")
    expect(queue).to_contain_text("投诉待受理")
    expect(queue.locator("tbody tr").first).to_be_visible()
    expect(page.locator("section.overview")).to_contain_text("全省概览")
    expect(page.locator("section.overview")).to_contain_text("运城")
    check_page(page, f"admin-start-{'js' if javascript else 'nojs'}")
    no_sideways_scroll(page)
    page.context.close()


def test_the_due_dates_of_the_listings_are_on_screen_at_1280px(browser, live_server, desk):
    page = new_page(browser, DESKTOP)
    admin_login(page, live_server.url)
    page.goto(f"{live_server.url}/admin/regulator/listing/")
    expect(page.locator("#result_list")).to_contain_text("运城违规旅行社有限公司")
    # The table scrolls inside its own box (Django's .results): a column is on screen when it lies inside that
    # box, not merely inside the viewport.
    shown = page.locator("#changelist .results").bounding_box()
    right = min(page.viewport_size["width"], shown["x"] + shown["width"])
    for column in ("column-objection_due", "column-expires_on"):
        header = page.locator(f"#result_list thead th.{column}")
        expect(header).to_be_visible()
        box = header.bounding_box()
        assert box is not None and box["x"] >= shown["x"] and box["x"] + box["width"] <= right + 0.5, (column, box,
                                                                                                       shown)
    check_page(page, "admin-listings-due-dates")
    page.context.close()


@pytest.mark.parametrize("viewport_", [DESKTOP, PHONE], ids=lambda v: v.name)
def test_the_bulletins_first_page_as_the_public_reads_it(browser, live_server, desk, viewport_):
    """监测信息快报 on the public archive: numbered, its month, its figures, a screenshot of the first screen."""
    from regulator.workbench import bulletin as bulletins

    last_month = bulletins.previous_month(today())
    stats.snapshot_take(today=bulletins.month_end(last_month))
    issue = bulletins.bulletin_generate(last_month)
    page = new_page(browser, viewport_, javascript=False)
    page.goto(f"{live_server.url}/bulletins/")
    expect(page.locator("tbody")).to_contain_text(f"第{issue.issue}期")
    check_page(page, "bulletin-archive")
    no_sideways_scroll(page)
    page.get_by_role("link", name="网页").first.click()
    expect(page.locator("body")).to_contain_text(f"第{issue.issue}期")
    expect(page.locator("body")).to_contain_text(f"{last_month.year}年{last_month.month}月")
    check_page(page, "bulletin-first-page")
    no_sideways_scroll(page)
    page.context.close()
