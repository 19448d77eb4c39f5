"""Business pages a business understands: every breakdown line in words, the override with its basis, the free-repair
notice, Beijing time, and no raw code on the page."""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest

from ratings import explain
from ratings.models import CreditScore, CreditScoreHistory
from ratings.services import active_model, entity_rescore
from regulator.lists import rules
from regulator.lists.selectors import rule_set_on
from regulator.portal.business_forms import REPAIR_FREE_NOTICE
from tests.regulator.conftest import record_finding
from tests.support import complaint_in, listing_in, page_client, today
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import FILING, assert_accessible_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

SOURCE_TYPES = {"complaint", "finding", "inspection", "listing", "condition", "adjustment", "manual"}


class Text(HTMLParser):
    """The text a reader sees in <main> (no attributes, no scripts)."""

    def __init__(self, html: str):
        super().__init__()
        self.parts: list[str] = []
        self._in_main = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._in_main += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main -= 1

    def handle_data(self, data):
        if self._in_main:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(self.parts)


def _raw_codes(text: str) -> set[str]:
    codes = explain.rule_codes(active_model().rules) | SOURCE_TYPES | {"black", "watch", "red", "published",
                                                                         "pending", "approved", "tourism"}
    return {code for code in codes if re.search(rf"(?<![A-Za-z_]){re.escape(code)}(?![A-Za-z_])", text)}


@pytest.fixture
def black_listed(business_a, entity_a, regulator):
    """A business with a resolved substantiated complaint, a fined finding, and a published black listing."""
    complaint = complaint_in("resolved", entity=entity_a, actor=regulator, outcome="substantiated", **FILING)
    finding = record_finding(entity_a, "forced_shopping", penalty="fine", severity="general",
                             inspected_on=today() - datetime.timedelta(days=20))
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    entity_rescore(entity_id=entity_a.pk)
    return {"complaint": complaint, "finding": finding, "listing": listing,
            "score": CreditScore.objects.get(entity=entity_a)}


def _page(business, entity) -> str:
    response = page_client(business).get(f"/business/entities/{entity.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_every_breakdown_line_is_on_the_page_in_words(business_a, entity_a, black_listed):
    score = black_listed["score"]
    rules_now = active_model().rules
    assert {line["rule"] for line in score.breakdown} >= {"complaint_substantiated", "finding_general",
                                                          "penalty_fine", "listing_black", "override_listing_black"}
    html = _page(business_a, entity_a)
    text = Text(html).text
    for line in score.breakdown:
        assert explain.has_words(line["rule"], rules_now)
        assert explain.title(line["rule"], rules_now) in text
    assert html.count('class="card breakdown-line"') == len(score.breakdown)
    # the violation is named in the finding's and the penalty's words
    assert "监督检查发现问题（强迫或变相强迫购物），情节一般：扣 20 分" in text
    assert "受到行政处罚（罚款）" in text and "投诉（编号" in text and "经调查属实并办结" in text
    # the figures still add up: the base and each line's points give the score
    points = [int(value) for value in re.findall(r'<dd class="points (?:negative|positive|)">\+?(-?\d+) 分</dd>', html)]
    assert len(points) == len(score.breakdown) and score.base + sum(points) == score.score
    assert_accessible_page(html)


def test_the_override_is_explained_with_the_rule_set_s_legal_basis(business_a, entity_a, black_listed):
    score = black_listed["score"]
    basis = rules.legal_basis(rule_set_on(score.as_of).document, "black", sector=entity_a.sector,
                              category=entity_a.category)
    text = Text(_page(business_a, entity_a)).text
    assert "因被列入严重失信主体名单" in text and "信用等级定为 D 级" in text
    assert f"列入名单的依据：{basis}" in text
    assert "override_listing_black" not in text and "-131" not in text.replace("−", "-").split("计分")[0]


def test_no_raw_code_is_printed_on_the_business_pages(business_a, entity_a, black_listed):
    for path in ("/business/", f"/business/entities/{entity_a.pk}/"):
        text = Text(page_client(business_a).get(path).content.decode()).text
        assert _raw_codes(text) == set(), path


def test_the_repair_form_and_the_business_home_say_repair_is_free(business_a, entity_a, black_listed):
    html = _page(business_a, entity_a)
    repair = html.split(f'action="/business/listings/{black_listed["listing"].pk}/repair/"', 1)[0]
    assert REPAIR_FREE_NOTICE == "信用修复不收取任何费用，请勿相信任何收费代办"
    assert REPAIR_FREE_NOTICE in repair.rsplit("<summary>申请信用修复</summary>", 1)[1]
    assert REPAIR_FREE_NOTICE in page_client(business_a).get("/business/").content.decode()


def test_times_are_beijing_time_and_the_page_says_so_once(business_a, entity_a, black_listed):
    # 18:30 UTC on 1 January is 02:30 on 2 January in Beijing
    moment = datetime.datetime(2026, 1, 1, 18, 30, tzinfo=datetime.UTC)
    CreditScoreHistory.objects.filter(entity=entity_a).update(computed_at=moment)
    html = _page(business_a, entity_a)
    assert '<time datetime="2026-01-02T02:30:00+08:00">2026-01-02 02:30</time>' in html
    assert "2026-01-01 18:30" not in html
    assert html.count("北京时间") == 1


def test_credit_codes_are_printed_unbreakable(business_a, entity_a, black_listed):
    for path in ("/business/", f"/business/entities/{entity_a.pk}/"):
        html = page_client(business_a).get(path).content.decode()
        assert f'class="code credit-code">{entity_a.credit_code}<' in html


def test_the_report_page_prints_beijing_time_the_region_by_name_and_records_in_words(web, entity_a, black_listed):
    html = web.get(f"/operators/{entity_a.credit_code}/report/").content.decode()
    signed = re.search(r'<dt>签发时间</dt><dd><time datetime="([^"]+)">', html).group(1)
    assert signed.endswith("+08:00")
    assert "<dt>所在地区</dt><dd>山西省运城市盐湖区</dd>" in html and "行政区划代码" not in html  # named, not coded
    assert "被认定列入严重失信主体名单" in html and "受到行政处罚（罚款）" in html
    assert f'class="code credit-code">{entity_a.credit_code}<' in html
