"""A regulator in the admin, in a real browser: a listing decided and published through the services.

The admin is a desktop tool; it is checked on the desktop viewport, with
JavaScript off for the transitions (the action menu is a plain form) and on for
the accessibility check.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from core.models import UserRole
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingStatus
from tests.support import today
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import served

from .conftest import DESKTOP, check_page, new_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def viewport():
    return DESKTOP


def notified(entity, day: datetime.date) -> Listing:
    """A black listing whose 告知书 was issued and handed over on ``day`` (the window runs from then)."""
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity,
                                       reason="甩团，滞留旅游者", today=day)
    return listings.listing_notify(listing_id=listing.pk, today=day, delivery=served(day))


def admin_login(page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.get_by_label("用户名").fill("regulator")
    page.get_by_label("密码").fill("correct-horse-battery")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#site-name")).to_contain_text("信用监管平台")


def test_a_regulator_decides_and_publishes_a_listing_in_the_admin(browser, live_server):
    UserFactory(username="regulator", role=UserRole.REGULATOR, is_staff=True)
    entity = EntityFactory(name="运城违规旅行社有限公司")
    ready = notified(entity, today() - datetime.timedelta(days=40))  # objection window long over
    fresh = notified(EntityFactory(name="运城新告知旅行社有限公司"), today())  # window still open

    page = new_page(browser, DESKTOP, javascript=False)
    admin_login(page, live_server.url)
    page.goto(f"{live_server.url}/admin/regulator/listing/?status__exact=notified")
    expect(page.locator("#result_list")).to_contain_text("运城违规旅行社有限公司")

    # Inside the objection window the service refuses: the reason is shown and nothing changes.
    page.locator(f'input[name="_selected_action"][value="{fresh.pk}"]').check()
    page.locator('select[name="action"]').select_option("listing_decide")
    page.get_by_role("button", name="执行").click()
    page.get_by_label("限制新增本行业许可", exact=False).check()
    page.get_by_role("button", name="确认作出认定决定").click()
    expect(page.locator("ul.messagelist")).to_contain_text("届满前不得认定或公示")
    fresh.refresh_from_db()
    assert fresh.status == ListingStatus.NOTIFIED and fresh.decided_on is None

    # After the window: decided with the decision the form asked for.
    page.goto(f"{live_server.url}/admin/regulator/listing/?status__exact=notified")
    page.locator(f'input[name="_selected_action"][value="{ready.pk}"]').check()
    page.locator('select[name="action"]').select_option("listing_decide")
    page.get_by_role("button", name="执行").click()
    expect(page.locator("#content-main")).to_contain_text("运城违规旅行社有限公司")
    # Measures are chosen from the rule set's catalogue; the 认定决定书 numbers itself, the rule set names the
    # remedies.
    page.get_by_label("限制新增本行业许可", exact=False).check()
    page.get_by_label("不得参评诚信企业", exact=False).check()
    page.get_by_role("button", name="确认作出认定决定").click()
    expect(page.locator("ul.messagelist")).to_contain_text("「作出认定决定」已完成 1 条。")
    ready.refresh_from_db()
    assert ready.status == ListingStatus.DECIDED
    assert ready.measure_codes == ["no_new_licence", "no_awards"]
    assert ready.decision_number and ready.decision_number == ready.decision_document.number
    assert "行政复议" in ready.appeal_routes
    assert ready.events.filter(action="decide", actor__username="regulator").exists()

    # On the listing's own page, the step its state allows is a button: publish.
    page.goto(f"{live_server.url}/admin/regulator/listing/{ready.pk}/change/")
    check_page(page, "admin-listing-decided")
    page.get_by_role("button", name="公示").click()
    expect(page.locator("ul.messagelist")).to_contain_text("「公示」已完成 1 条。")
    ready.refresh_from_db()
    assert ready.status == ListingStatus.PUBLISHED and ready.published_on == today()
    # The status itself is never an editable field.
    expect(page.locator('select[name="status"], input[name="status"]')).to_have_count(0)
    page.context.close()

    # The public sees it at once.
    public = new_page(browser, DESKTOP, javascript=False)
    public.goto(f"{live_server.url}/operators/{entity.credit_code}/")
    expect(public.locator(f"#listing-{ready.pk}")).to_contain_text("严重失信主体名单")
    public.context.close()


def test_the_admin_pages_pass_axe(browser, live_server):
    UserFactory(username="regulator", role=UserRole.REGULATOR, is_staff=True)
    listing = notified(EntityFactory(name="运城违规旅行社有限公司"), today() - datetime.timedelta(days=40))
    page = new_page(browser, DESKTOP)
    admin_login(page, live_server.url)
    check_page(page, "admin-index")
    for name, path in (("admin-listings", "/admin/regulator/listing/"),
                       ("admin-listing", f"/admin/regulator/listing/{listing.pk}/change/"),
                       ("admin-audit-log", "/admin/core/auditentry/")):
        page.goto(f"{live_server.url}{path}")
        check_page(page, name)
    page.context.close()


def test_the_admin_fits_a_phone_too(browser, live_server):
    """Regulators work at a desk, but the admin still reads on a 375 px phone without sideways scrolling."""
    from .conftest import PHONE

    UserFactory(username="regulator", role=UserRole.REGULATOR, is_staff=True)
    listing = notified(EntityFactory(name="运城违规旅行社有限公司"), today() - datetime.timedelta(days=40))
    page = new_page(browser, PHONE, javascript=False)
    admin_login(page, live_server.url)
    for name, path in (("admin-index-nojs", "/admin/"), ("admin-listings-nojs", "/admin/regulator/listing/"),
                       ("admin-listing-nojs", f"/admin/regulator/listing/{listing.pk}/change/")):
        page.goto(f"{live_server.url}{path}")
        check_page(page, name)
    page.context.close()
