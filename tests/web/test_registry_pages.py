"""The registry on the pages (issue 17, item 1): /search/ finds any registered operator, the operator page reads
like a record for citizens (city and district names, sector and category, address, licences), no jargon."""

from __future__ import annotations

import datetime
import re

import pytest

from entities.models import Category, LicenceStatus, LicenceType, Sector
from regulator.disclosure.models import PublicStatement, StatementStatus
from tests.regulator.conftest import record_finding
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, LicenceFactory

from .conftest import assert_accessible_page

pytestmark = pytest.mark.django_db

HOMESTAY = "盐湖区河东小院民宿"


@pytest.fixture
def homestay(db):
    """A registered, unlisted 民宿 of 盐湖区, 运城市, with its filing and a phone in its address."""
    entity = EntityFactory(name=HOMESTAY, category=Category.HOMESTAY, region_code="140802",
                           address="运城市盐湖区河东街8号（电话 13912345678）")
    LicenceFactory(entity=entity, licence_type=LicenceType.HOMESTAY_FILING, number="YC-MS-2024-018",
                   issued_on=datetime.date(2024, 3, 1), expires_on=today() + datetime.timedelta(days=400))
    return entity


@pytest.fixture
def taiyuan_homestay(db):
    return EntityFactory(name="太原河东小院民宿", category=Category.HOMESTAY, region_code="140105")


def visible_text(html: str) -> str:
    """What a reader sees of <main>: the text between the tags (class names and addresses left out)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]*>", " ", main.split(">", 1)[1])


def search(web, status: int = 200, **params) -> str:
    response = web.get("/search/", params)
    assert response.status_code == status, response.content.decode()[:500]
    return response.content.decode()


def test_the_default_scope_is_the_whole_registry(web):
    html = search(web)
    assert re.search(r'<input type="radio" name="scope" value="registry"[^>]*checked', html)
    assert "不代表已取得经营许可" in html
    assert_accessible_page(html)


def test_an_unlisted_homestay_is_found_by_its_credit_code(web, homestay):
    html = search(web, q=homestay.credit_code)
    assert HOMESTAY in html and f'href="/operators/{homestay.credit_code}/"' in html
    assert "公示期内无失信记录" in html and "未找到" not in html
    assert "运城市盐湖区" in html and "民宿" in html
    text = visible_text(html)
    assert not re.search(r"(?<![0-9A-Z])140802(?![0-9A-Z])", text) and "homestay" not in text and "tourism" not in text


def test_the_published_lists_scope_keeps_todays_answer_for_an_unlisted_operator(web, homestay):
    html = search(web, q=homestay.credit_code, scope="lists")
    assert "未找到与" in html and f'href="/operators/{homestay.credit_code}/"' not in html


@pytest.mark.parametrize("query", ["hedongxiaoyuan", "xiaoyuan", "hdxy", "河東小院"])
def test_an_unlisted_homestay_is_found_by_pinyin_and_city(query, web, homestay, taiyuan_homestay):
    html = search(web, q=query, city="140800")
    assert homestay.credit_code in html and taiyuan_homestay.credit_code not in html
    assert "（运城市）" in html and "共 1 个经营主体" in html


def test_filters_by_district_and_sector(web, homestay, taiyuan_homestay):
    html = search(web, district="140105")
    assert taiyuan_homestay.credit_code in html and homestay.credit_code not in html
    assert homestay.credit_code not in search(web, q="河东", sector=Sector.WELLNESS)


def test_a_listed_operator_shows_its_listing(web, homestay):
    listing = listing_in("published", entity=homestay, decided_on=today() - datetime.timedelta(days=10))
    html = search(web, q="河东小院")
    card = html[html.index(f'id="operator-{homestay.credit_code}"'):html.index("</section>")]
    assert f'id="listing-{listing.pk}"' in card and "严重失信主体名单" in card
    assert "公示期内无失信记录" not in card and f"{listing.expires_on:%Y-%m-%d}" in card


@pytest.mark.parametrize(("params", "field"), [
    ({"city": "140100", "district": "140802"}, "district"),
    ({"city": "999900"}, "city"),
    ({"sector": "mining"}, "sector"),
])
def test_an_invalid_filter_is_shown_beside_its_field(params, field, web, homestay):
    html = search(web, 400, q="河东", **params)
    assert 'class="error-summary"' in html and f'id="id_{field}_error"' in html
    assert homestay.credit_code not in html


def test_results_page_through_the_registry(web):
    for number in range(23):
        EntityFactory(name=f"运城晋韵第{number:02d}号民宿", category=Category.HOMESTAY)
    first = search(web, q="晋韵", city="140800")
    assert "第 1 / 2 页" in first and 'rel="next"' in first and first.count('class="card registry-card"') == 20
    link = re.search(r'href="(\?[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = web.get("/search/" + link).content.decode()
    assert second.count('class="card registry-card"') == 3 and "city=140800" in link


def test_old_list_links_still_search_the_lists(web, homestay):
    listing_in("published", entity=homestay, list_type="red")
    html = search(web, list="red")
    assert "守信激励" in html and 'id="listing-' in html and 'name="scope" value="lists" id="id_scope_1" checked' in html


def test_the_operator_page_reads_in_words(web, homestay):
    LicenceFactory(entity=homestay, licence_type=LicenceType.HOTEL_SPECIAL_TRADE, number="YC-TX-2019-002",
                   issued_on=datetime.date(2019, 5, 1), expires_on=today() - datetime.timedelta(days=1))
    LicenceFactory(entity=homestay, licence_type=LicenceType.SCENIC_SPOT_RATING, number="YC-A-07",
                   status=LicenceStatus.REVOKED)
    response = web.get(f"/operators/{homestay.credit_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_accessible_page(html)
    assert "运城市" in html and "盐湖区" in html
    assert not re.search(r"(?<![0-9A-Z])14080[02](?![0-9A-Z])", html)  # the region code alone, not in a credit code
    assert "文化旅游" in html and "民宿" in html and "运城市盐湖区河东街8号" in html and "13912345678" not in html
    assert "民宿备案" in html and "YC-MS-2024-018" in html and "2024年3月1日" in html and "有效" in html
    assert "特种行业许可证（旅馆业）" in html and "已过期" in html  # still marked active, but the date has passed
    assert "A级旅游景区评定" in html and "已吊销" in html
    text = visible_text(html)
    for jargon in ("数据版本", "行政区划代码", "homestay", "tourism", "active", "revoked", "expired", "published"):
        assert jargon not in text, jargon
    assert "公示期内无失信记录" in html and "（北京时间）" in html


def test_the_operator_page_shows_listings_awards_penalties_and_statements(web, homestay):
    black = listing_in("published", entity=homestay, decided_on=today() - datetime.timedelta(days=10))
    listing_in("published", entity=homestay, list_type="red", reason="诚信经营示范")
    fine = record_finding(homestay, "forced_shopping", penalty="fine", severity="general",
                          inspected_on=today() - datetime.timedelta(days=30))
    PublicStatement.objects.create(entity=homestay, listing=black, text="我店已全面整改。",
                                   status=StatementStatus.APPROVED)
    PublicStatement.objects.create(entity=homestay, finding=fine, text="罚款已缴清。", status=StatementStatus.APPROVED)
    html = web.get(f"/operators/{homestay.credit_code}/").content.decode()
    assert "失信名单" in html and "严重失信主体名单" in html and black.reason in html
    assert "守信激励（诚信）名单" in html and "诚信经营示范" in html
    assert fine.decision_number in html and "罚款" in html
    assert "我店已全面整改。" in html and "罚款已缴清。" in html
    assert "公示期内有失信记录" in html


def test_the_operator_page_without_licences_says_so(web):
    entity = EntityFactory(name="运城无证小店", region_code="140800")
    html = web.get(f"/operators/{entity.credit_code}/").content.decode()
    assert "未登记该经营主体的许可证照" in html and "运城市" in html and "所在县区" not in html
