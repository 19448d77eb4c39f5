"""A business reads its score in words and publishes a statement, on a 375 px phone and a 1280 px desktop.

axe-core finds no serious violation, and no business, report or open-data page scrolls sideways; on the phone
every breakdown line's points (计分) are on screen, not in a column pushed off its right edge.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from core.models import UserRole
from ratings.services import entity_rescore
from regulator.disclosure.models import PublicStatement, StatementStatus
from tests.regulator.conftest import record_finding
from tests.support import complaint_in, listing_in, today
from tests.support.factories import EntityFactory, UserFactory

from ..web.conftest import FILING
from .conftest import check_page, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def black_listed(settings, tmp_path):
    """盐湖区甲旅行社: a substantiated complaint, a fine, and a published black listing (its score held in D)."""
    settings.EXPORTS_DIR = tmp_path / "exports"
    entity = EntityFactory(name="盐湖区甲旅行社有限公司")
    regulator = UserFactory(username="regulator", role=UserRole.REGULATOR)
    UserFactory(username="business_a", role=UserRole.BUSINESS, entities=[entity])
    complaint_in("resolved", entity=entity, actor=regulator, outcome="substantiated", **FILING)
    finding = record_finding(entity, "forced_shopping", penalty="fine", severity="general",
                             inspected_on=today() - datetime.timedelta(days=20))
    listing = listing_in("published", entity=entity, decided_on=today() - datetime.timedelta(days=10))
    entity_rescore(entity_id=entity.pk)
    return {"entity": entity, "listing": listing, "finding": finding}


def test_a_business_reads_every_line_in_words_and_publishes_a_statement(page, live_server, black_listed):
    entity, listing = black_listed["entity"], black_listed["listing"]
    login(page, live_server.url, "business_a")
    expect(page.locator("main")).to_contain_text("信用修复不收取任何费用，请勿相信任何收费代办")
    check_page(page, "words-business-home")

    page.get_by_role("link", name=entity.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(entity.name)
    score = entity.credit_score
    score.refresh_from_db()
    lines = page.locator(".breakdown-line")
    expect(lines).to_have_count(len(score.breakdown))
    width = page.viewport_size["width"]
    for index in range(len(score.breakdown)):
        line = lines.nth(index)
        expect(line.locator(".sentence")).to_contain_text("分")
        points = line.locator(".points")
        expect(points).to_be_visible()
        box = points.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, "计分 off-screen"
    override = lines.filter(has=page.get_by_role("heading", name="信用等级调整", exact=True))
    expect(override).to_contain_text("因被列入严重失信主体名单")
    expect(override).to_contain_text("列入名单的依据：《文化和旅游市场信用管理规定》")
    expect(page.locator("main")).not_to_contain_text("override_listing_black")
    credit_code = page.locator(".credit-code").first
    expect(credit_code).to_have_text(entity.credit_code)
    assert credit_code.evaluate("node => node.getClientRects().length") == 1  # on one line, never wrapped
    check_page(page, "words-business-entity")

    card = page.locator(f"#listing-{listing.pk}")
    card.get_by_text("申请信用修复").click()
    expect(card.locator(".free-repair")).to_be_visible()
    card.get_by_text("发表公开声明").click()
    form = card.locator(f'form[action="/business/listings/{listing.pk}/statement/"]')
    form.get_by_label("声明内容").fill("滞留系暴雨封路所致，已为全部游客安排食宿并退还团费。")
    form.get_by_role("button", name="提交公开声明").click()
    expect(page.locator(".messages")).to_contain_text("公开声明已提交")
    statement = PublicStatement.objects.get()
    assert statement.listing_id == listing.pk and statement.status == StatementStatus.PENDING
    expect(page.locator(f"#listing-{listing.pk}")).to_contain_text("待审核")
    check_page(page, "words-business-statement")


def test_report_and_open_data_pages_fit_the_screen(page, live_server, black_listed):
    entity = black_listed["entity"]
    page.goto(f"{live_server.url}/operators/{entity.credit_code}/report/")
    expect(page.get_by_role("heading", level=1)).to_have_text("公共信用信息报告")
    expect(page.locator("main")).to_contain_text("被认定列入严重失信主体名单")
    check_page(page, "words-report")
    page.goto(f"{live_server.url}/open-data/")
    expect(page.locator(".file-item")).to_have_count(12)  # black and red lists, 双公示 penalties and licences: 3 formats each
    expect(page.locator("main")).to_contain_text("CC BY 4.0")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 3000 or page.viewport_size["width"] > 375, f"open data page {height}px tall"
    check_page(page, "words-open-data")
    page.get_by_role("link", name="数据字典").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("数据字典")
    check_page(page, "words-open-data-dictionary")
