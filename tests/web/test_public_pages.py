"""Public pages (issue 7, part 1): search of the published lists, an operator's page, open data; throttled."""

from __future__ import annotations

import datetime
import hashlib
import json

import pytest

from regulator.disclosure.models import PublicStatement, StatementStatus
from tests.regulator.conftest import record_finding
from tests.support import listing_in, page_client, today
from tests.support.factories import EntityFactory

from .conftest import NAME, Controls

pytestmark = pytest.mark.django_db


def found_codes(web, query: str, which: str = "all") -> str:
    response = web.get("/search/", {"q": query, "list": which})
    assert response.status_code == 200
    return response.content.decode()


def test_home_has_a_labelled_search_box_that_works_without_script(web):
    response = web.get("/")
    assert response.status_code == 200
    page = Controls(response.content.decode())
    boxes = [c for c in page.controls if c.get("name") == "q"]
    assert len(boxes) == 1 and boxes[0]["id"] in page.labelled
    assert 'action="/search/"' in response.content.decode() and 'method="get"' in response.content.decode()


@pytest.mark.parametrize(("how", "query"), [
    ("credit code", None),
    ("credit code in lower case with spaces", "lower"),
    ("chinese part of the name", "国际旅行"),
    ("traditional characters", "國際"),
    ("pinyin", "guoji"),
    ("initials", "ycgjl"),
])
def test_search_finds_a_black_listed_operator(how, query, web, black_guoji, guoji, entity_a):
    listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    if query is None:
        query = guoji.credit_code
    elif query == "lower":
        query = f"  {guoji.credit_code.lower()} "
    html = found_codes(web, query)
    assert guoji.credit_code in html, how
    assert f'href="/operators/{guoji.credit_code}/"' in html
    assert entity_a.credit_code not in html, how


def test_search_covers_the_red_list_and_each_list_alone(web, guoji, entity_a):
    listing_in("published", entity=entity_a, list_type="red")
    listing_in("published", entity=guoji, decided_on=today() - datetime.timedelta(days=10))
    assert entity_a.credit_code in found_codes(web, entity_a.name[:6])
    assert entity_a.credit_code in found_codes(web, "", "red")
    assert entity_a.credit_code not in found_codes(web, "", "black")
    assert guoji.credit_code in found_codes(web, "", "black")


def test_search_shows_nothing_unpublished_or_ended(web, guoji, entity_a):
    # One matter each: the same subject, list and reason twice is one proposal (a duplicate is refused).
    for number, state in enumerate(("proposed", "notified", "decided", "withdrawn"), start=1):
        listing_in(state, entity=guoji, reason=f"第{number}起甩团")
    listing_in("expired", entity=entity_a)
    html = found_codes(web, "")
    assert guoji.credit_code not in html and entity_a.credit_code not in html
    assert "共 0 条" in html


def test_search_of_nothing_says_so(web, black_guoji):
    html = found_codes(web, "黄河")
    assert "未找到与“黄河”匹配的" in html and black_guoji.entity.credit_code not in html


def test_a_listed_person_appears_masked_with_the_company(web, listed_person, guoji):
    html = found_codes(web, "国际")
    assert "欧阳**" in html and "欧阳娜娜" not in html
    assert listed_person["id_number"] not in html
    assert listed_person["person"].id_number_masked not in html


def test_search_pages_through_a_long_list(web):
    for number in range(23):
        listing_in("published", entity=EntityFactory(name=f"太原测试{number}号景区有限公司"))
    first = web.get("/search/", {"list": "black"}).content.decode()
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    second = web.get("/search/", {"list": "black", "page": 2}).content.decode()
    assert second.count('class="card"') == 3


def test_the_search_script_is_an_enhancement_only(web):
    html = web.get("/search/").content.decode()
    assert 'data-live-search="/api/v1/public/blacklist/"' in html and 'aria-live="polite"' in html
    assert "defer" in html and "/static/web/search.js" in html


def test_operator_page_shows_published_listings_penalties_and_approved_statements(web, black_guoji, guoji,
                                                                                   business_a):
    fine = record_finding(guoji, "forced_shopping", penalty="fine", severity="general",
                          inspected_on=today() - datetime.timedelta(days=30))
    record_finding(guoji, "no_written_contract", penalty="warning", inspected_on=today() - datetime.timedelta(days=20))
    PublicStatement.objects.create(entity=guoji, listing=black_guoji, text="我司已全面整改，并向游客致歉。",
                                   status=StatementStatus.APPROVED)
    PublicStatement.objects.create(entity=guoji, finding=fine, text="执法人员是骗子！", status=StatementStatus.REJECTED)
    response = web.get(f"/operators/{guoji.credit_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html and "文化旅游" in html and "旅行社" in html
    assert "严重失信主体名单" in html and black_guoji.reason in html and black_guoji.decision_number in html
    assert fine.decision_number in html and "罚款" in html
    assert "警告" not in html  # a warning alone is not published
    assert "我司已全面整改" in html and "执法人员是骗子" not in html
    assert "信用分" not in html and "A 级" not in html and "B 级" not in html
    assert f'/operators/{guoji.credit_code}/report/' in html
    assert f'/complaints/new/?entity={guoji.credit_code}' in html


def test_operator_page_of_a_clean_operator_and_of_nobody(web, entity_a):
    html = web.get(f"/operators/{entity_a.credit_code}/").content.decode()
    assert "公示期内无名单记录" in html and "公示期内无行政处罚记录" in html
    missing = web.get("/operators/91350200776049653A/")
    assert missing.status_code == 404 and "未找到" in missing.content.decode()
    assert web.get("/operators/not-a-code/").status_code == 404


def test_operator_page_accepts_a_lower_case_code_by_redirecting(web, entity_a):
    response = web.get(f"/operators/{entity_a.credit_code.lower()}/")
    assert response.status_code == 301 and response["Location"] == f"/operators/{entity_a.credit_code}/"


def test_open_data_page_links_every_export_with_the_manifest_sha256(web, black_guoji):
    response = web.get("/open-data/")
    assert response.status_code == 200
    html = response.content.decode()
    manifest = json.loads(web.get("/api/v1/public/exports/manifest.json").content)
    # the lists' files and the 双公示 ones (penalties, licences), three formats each: every one has its card
    assert len(manifest["files"]) == 12
    for name, info in manifest["files"].items():
        assert f'href="/api/v1/public/exports/{name}"' in html
        assert info["sha256"] in html
        data = web.get(f"/api/v1/public/exports/{name}").content
        assert hashlib.sha256(data).hexdigest() == info["sha256"]
    assert 'href="/api/v1/public/exports/manifest.json"' in html


def test_public_pages_are_throttled_per_ip_like_the_api(web, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "public": "3/min"}}
    assert [web.get("/").status_code for _ in range(3)] == [200, 200, 200]
    refused = web.get("/search/", {"q": "国际"})
    assert refused.status_code == 429
    assert "请求过于频繁" in refused.content.decode() and int(refused["Retry-After"]) > 0
    # One budget per client: the API counts against the same one.
    assert web.get("/api/v1/public/blacklist/").status_code == 429
    other = web.get("/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_a_logged_in_caller_is_counted_by_ip_on_public_pages_too(business_a, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "public": "1/min"}}
    client = page_client(business_a)
    assert client.get("/search/").status_code == 200
    assert client.get("/search/").status_code == 429
    assert client.get("/business/").status_code == 200  # self-service pages are not public pages


def test_unsafe_methods_on_read_only_pages_are_refused(web):
    assert web.post("/search/").status_code == 405
    assert web.post("/open-data/").status_code == 405
