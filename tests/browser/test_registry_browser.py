"""The registry search in a real browser (issue 17, item 1), on a 375 px phone and a 1280 px desktop.

A citizen finds an unlisted hotel by pinyin and city, reads that it has no record, and opens its page: the
city and district by name, its licence in words. axe-clean, and nothing scrolls sideways.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from entities.models import Category, LicenceType
from tests.support import today
from tests.support.factories import EntityFactory, LicenceFactory

from .conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)

HOTEL = "运城河东大酒店有限公司"


@pytest.fixture
def hotels(db):
    """An unlisted hotel of 盐湖区 (运城市) with its licence, and one of the same name's sound in 太原市."""
    hotel = EntityFactory(name=HOTEL, category=Category.HOTEL, region_code="140802",
                          address="山西省运城市盐湖区河东东街188号")
    LicenceFactory(entity=hotel, licence_type=LicenceType.HOTEL_SPECIAL_TRADE, number="晋运公特旅字第0188号",
                   issued_on=datetime.date(2022, 6, 1), expires_on=today() + datetime.timedelta(days=365))
    other = EntityFactory(name="太原河东大酒店有限公司", category=Category.HOTEL, region_code="140105")
    return {"hotel": hotel, "other": other}


def _find_by_pinyin_and_city(page, base_url: str, hotels) -> None:
    page.goto(f"{base_url}/search/")
    expect(page.get_by_label("全部经营主体（含未列入名单的）")).to_be_checked()
    page.get_by_label("名称、拼音、首字母或统一社会信用代码").fill("hedongdajiudian")
    page.get_by_label("地市").select_option(label="运城市")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=hedongdajiudian&scope=registry&city=140800"))
    card = page.locator(f"#operator-{hotels['hotel'].credit_code}")
    expect(card).to_be_visible()
    expect(card).to_contain_text("公示期内无失信记录")
    expect(card).to_contain_text("运城市盐湖区")
    expect(card).to_contain_text("文化旅游（酒店）")
    expect(page.locator(f"#operator-{hotels['other'].credit_code}")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("不代表已取得经营许可")


def _operator_page(page, hotels) -> None:
    hotel = hotels["hotel"]
    page.locator(f"#operator-{hotel.credit_code}").get_by_role("link", name=HOTEL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(HOTEL)
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("运城市")
    expect(facts).to_contain_text("盐湖区")
    expect(facts).to_contain_text("山西省运城市盐湖区河东东街188号")
    expect(page.locator("main")).to_contain_text("特种行业许可证（旅馆业）")
    expect(page.locator("main")).to_contain_text("晋运公特旅字第0188号")
    expect(page.locator("main")).not_to_contain_text("数据版本")
    expect(page.locator("main")).not_to_contain_text("行政区划代码")
    # the credit code stays on one line (its box is one line high)
    code = page.locator("dd.credit-code").first
    line = float(page.evaluate("(el) => parseFloat(getComputedStyle(el).lineHeight)", code.element_handle()))
    assert code.bounding_box()["height"] < line * 1.5


def test_an_unlisted_hotel_is_found_by_pinyin_and_city(page, live_server, hotels):
    _find_by_pinyin_and_city(page, live_server.url, hotels)
    check_page(page, "registry-search")
    _operator_page(page, hotels)
    check_page(page, "registry-operator")


def test_the_registry_search_works_without_javascript(page_without_js, live_server, hotels):
    _find_by_pinyin_and_city(page_without_js, live_server.url, hotels)
    check_page(page_without_js, "registry-search-nojs")
    _operator_page(page_without_js, hotels)
    check_page(page_without_js, "registry-operator-nojs")


def test_the_district_list_follows_the_city(page, live_server, hotels):
    page.goto(f"{live_server.url}/search/")
    page.get_by_label("地市").select_option(label="太原市")
    district = page.get_by_label("县（市、区）")
    assert page.evaluate("(el) => el.querySelector('optgroup[label=\"运城市\"]').disabled", district.element_handle())
    page.get_by_label("地市").select_option(label="运城市")
    district.select_option(label="盐湖区")
    page.get_by_role("button", name="查询").click()
    expect(page.locator(f"#operator-{hotels['hotel'].credit_code}")).to_be_visible()
    expect(page.locator(f"#operator-{hotels['other'].credit_code}")).to_have_count(0)
    check_page(page, "registry-district")


def test_a_district_outside_the_city_is_shown_beside_its_field(page_without_js, live_server, hotels):
    page = page_without_js
    page.goto(f"{live_server.url}/search/?q=hedong&city=140100&district=140802")
    expect(page.locator("#id_district_error")).to_contain_text("不属于所选地市")
    check_page(page, "registry-filter-error-nojs")
