"""Business self-service pages: own entities only, score and history, and forms that go through the services."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from complaints.models import Complaint
from ratings.services import entity_rescore
from regulator.lists import rules
from regulator.lists.models import Objection, RepairApplication
from regulator.lists.selectors import rule_set_on
from tests.regulator.conftest import record_finding
from tests.support import complaint_in, listing_in, page_client, today
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import COMPLAINANT, FILING, PHONE, assert_accessible_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]


def entity_url(entity) -> str:
    return f"/business/entities/{entity.pk}/"


@pytest.fixture
def accepted_complaint(entity_a, regulator):
    return complaint_in("accepted", entity=entity_a, actor=regulator, **FILING)


# --- who may see what -----------------------------------------------------------------------------------------


def test_login_page_is_chinese_and_logs_a_business_in(web, business_a):
    page = web.get("/accounts/login/")
    assert page.status_code == 200 and "企业登录" in page.content.decode()
    assert_accessible_page(page.content.decode())
    response = web.post("/accounts/login/", {"username": "business_a", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/business/"
    assert web.get("/business/").status_code == 200


def test_a_wrong_password_is_told_in_chinese(web, business_a):
    response = web.post("/accounts/login/", {"username": "business_a", "password": "wrong"})
    assert response.status_code == 200 and "用户名" in response.content.decode()


def test_login_attempts_are_throttled_per_ip(web, business_a, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "login": "2/min"}}
    for _ in range(2):
        assert web.post("/accounts/login/", {"username": "business_a", "password": "guess"}).status_code == 200
    refused = web.post("/accounts/login/", {"username": "business_a", "password": "correct-horse-battery"})
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    assert web.get("/business/").status_code == 302  # not logged in
    assert web.get("/accounts/login/").status_code == 200


def test_logout_is_a_post(web, business_a):
    client = page_client(business_a)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/business/").status_code == 302


@pytest.mark.parametrize("path", ["/business/", "/business/entities/{entity}/"])
def test_anonymous_callers_are_sent_to_the_login_page(path, web, entity_a):
    url = path.format(entity=entity_a.pk)
    response = web.get(url)
    assert response.status_code == 302 and response["Location"] == f"/accounts/login/?next={url}"


@pytest.mark.parametrize("who", ["regulator", "inspector"])
@pytest.mark.parametrize("path", ["/business/", "/business/entities/{entity}/"])
def test_staff_accounts_are_refused(who, path, request, entity_a):
    response = page_client(request.getfixturevalue(who)).get(path.format(entity=entity_a.pk))
    assert response.status_code == 403 and "仅供经营主体账户使用" in response.content.decode()


def test_another_business_entity_is_not_found(business_b, entity_a):
    response = page_client(business_b).get(entity_url(entity_a))
    assert response.status_code == 404
    assert entity_a.name not in response.content.decode()


def test_the_home_page_lists_own_entities_only(business_a, entity_a, entity_b):
    html = page_client(business_a).get("/business/").content.decode()
    assert entity_a.name in html and entity_url(entity_a) in html
    assert entity_b.name not in html


# --- the entity page --------------------------------------------------------------------------------------------


def test_the_entity_page_shows_score_breakdown_plot_listings_findings_and_complaints(business_a, entity_a,
                                                                                      entity_b, accepted_complaint):
    entity_rescore(entity_id=entity_a.pk)
    finding = record_finding(entity_a, "forced_shopping", penalty="fine", severity="general",
                             inspected_on=today() - datetime.timedelta(days=5))
    finding.rectify_by = today() + datetime.timedelta(days=10)
    finding.save()
    entity_rescore(entity_id=entity_a.pk)
    notified = listing_in("notified", entity=entity_a, list_type="watch", notified_on=today())
    complaint_in(entity=entity_b, **FILING | {"description": "乙公司的投诉"})
    response = page_client(business_a).get(entity_url(entity_a))
    assert response.status_code == 200
    html = response.content.decode()
    score = entity_a.credit_score
    score.refresh_from_db()
    assert f'<span class="score">{score.score}</span>' in html and score.grade in html
    assert "评分明细" in html and "检查发现（一般）" in html and "罚款" in html
    # Every point explained: the base and the lines add up to the score.
    points = [int(value) for value in re.findall(r'<dd class="points (?:negative|positive|)">\+?(-?\d+) 分</dd>', html)]
    assert score.base + sum(points) == score.score
    # The history as an inline SVG, drawn without script, with a text alternative.
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<polyline" in svg and svg.count("<circle") == 2 and "<desc" in svg
    assert "<script" not in html.split("</main>")[0]
    # The listing with its deadline and an objection form; the open finding; the complaint and its reply box.
    assert "重点关注名单" in html and notified.objection_due.isoformat() in html
    assert f'action="/business/listings/{notified.pk}/objection/"' in html
    assert finding.rectify_by.isoformat() in html and "导游强迫购物" in html
    assert f'action="/business/complaints/{accepted_complaint.pk}/reply/"' in html
    assert "乙公司的投诉" not in html
    assert PHONE not in html and COMPLAINANT not in html and accepted_complaint.tracking_code not in html
    assert_accessible_page(html)


def test_a_submitted_complaint_has_no_reply_box_yet(business_a, entity_a):
    complaint = complaint_in(entity=entity_a, **FILING)
    html = page_client(business_a).get(entity_url(entity_a)).content.decode()
    assert f"complaint-{complaint.pk}" in html and f"/business/complaints/{complaint.pk}/reply/" not in html


# --- forms through the services -------------------------------------------------------------------------------


def test_the_reply_form_records_the_written_reply(business_a, entity_a, accepted_complaint):
    client = page_client(business_a)
    response = client.post(f"/business/complaints/{accepted_complaint.pk}/reply/",
                           {f"reply-{accepted_complaint.pk}-statement": "已为游客办理退款。"})
    assert response.status_code == 302
    assert response["Location"] == f"{entity_url(entity_a)}#complaint-{accepted_complaint.pk}"
    accepted_complaint.refresh_from_db()
    assert accepted_complaint.business_response == "已为游客办理退款。"
    assert accepted_complaint.business_responded_at is not None
    assert accepted_complaint.events.filter(action="respond").exists()
    html = client.get(response["Location"]).content.decode()
    assert "答复已提交" in html and "已为游客办理退款。" in html


def test_an_empty_reply_is_shown_beside_the_box(business_a, entity_a, accepted_complaint):
    response = page_client(business_a).post(f"/business/complaints/{accepted_complaint.pk}/reply/",
                                            {f"reply-{accepted_complaint.pk}-statement": "  "})
    assert response.status_code == 400
    assert f'id="id_reply-{accepted_complaint.pk}-statement_error"' in response.content.decode()
    accepted_complaint.refresh_from_db()
    assert accepted_complaint.business_response == ""


def test_replying_to_a_complaint_not_yet_accepted_is_a_conflict(business_a, entity_a):
    complaint = complaint_in(entity=entity_a, **FILING)
    response = page_client(business_a).post(f"/business/complaints/{complaint.pk}/reply/",
                                            {f"reply-{complaint.pk}-statement": "答复"})
    assert response.status_code == 409 and "只有已受理或调查中的投诉可以答复" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).business_response == ""


def test_another_business_cannot_reply(business_b, accepted_complaint):
    response = page_client(business_b).post(f"/business/complaints/{accepted_complaint.pk}/reply/",
                                            {f"reply-{accepted_complaint.pk}-statement": "冒名答复"})
    assert response.status_code == 404
    accepted_complaint.refresh_from_db()
    assert accepted_complaint.business_response == ""


def test_the_objection_form_files_an_objection_inside_the_window(business_a, entity_a):
    listing = listing_in("notified", entity=entity_a, notified_on=today())
    response = page_client(business_a).post(f"/business/listings/{listing.pk}/objection/",
                                            {f"objection-{listing.pk}-statement": "滞留系天气原因，已妥善安置游客。"})
    assert response.status_code == 302
    objection = Objection.objects.get(listing=listing)
    assert objection.statement == "滞留系天气原因，已妥善安置游客。" and objection.filed_by == business_a
    assert listing.events.filter(action="objection").exists()


def test_an_objection_after_the_window_is_refused_and_no_form_is_offered(business_a, entity_a):
    listing = listing_in("notified", entity=entity_a)  # its window closed weeks ago
    html = page_client(business_a).get(entity_url(entity_a)).content.decode()
    assert f"/business/listings/{listing.pk}/objection/" not in html
    response = page_client(business_a).post(f"/business/listings/{listing.pk}/objection/",
                                            {f"objection-{listing.pk}-statement": "迟到的申辩"})
    assert response.status_code == 409 and "陈述申辩期已于" in response.content.decode()
    assert not Objection.objects.exists()


def test_another_business_cannot_object(business_b, entity_a):
    listing = listing_in("notified", entity=entity_a, notified_on=today())
    response = page_client(business_b).post(f"/business/listings/{listing.pk}/objection/",
                                            {f"objection-{listing.pk}-statement": "冒名申辩"})
    assert response.status_code == 404 and not Objection.objects.exists()


def test_the_repair_form_files_an_application_for_a_published_listing(business_a, entity_a):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=400))
    html = page_client(business_a).get(entity_url(entity_a)).content.decode()
    assert f'action="/business/listings/{listing.pk}/repair/"' in html
    page = assert_accessible_page(html)
    assert any(c.get("type") == "checkbox" and c["name"] == f"repair-{listing.pk}-commitment" for c in page.controls)
    prefix = f"repair-{listing.pk}"
    commitment = rules.repair_rules(rule_set_on(today()).document, "black", sector=entity_a.sector,
                                    category=entity_a.category)["commitment_required"]
    response = page_client(business_a).post(f"/business/listings/{listing.pk}/repair/", {
        f"{prefix}-statement": "已退还全部团费并完成整改。", f"{prefix}-evidence": "退款凭证\n\n整改报告\n",
        f"{prefix}-training_record": "2026 年信用修复培训结业证明", **({f"{prefix}-commitment": "on"} if commitment else {})})
    assert response.status_code == 302
    application = RepairApplication.objects.get(listing=listing)
    assert application.evidence == ["退款凭证", "整改报告"] and application.commitment is commitment
    assert application.applicant == business_a and application.status == "submitted"
    html = page_client(business_a).get(entity_url(entity_a)).content.decode()
    assert "信用修复申请" in html and f'action="/business/listings/{listing.pk}/repair/"' not in html


def test_repair_rules_come_back_beside_the_fields(business_a, entity_a):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=400))
    prefix = f"repair-{listing.pk}"
    response = page_client(business_a).post(f"/business/listings/{listing.pk}/repair/", {
        f"{prefix}-statement": "已整改", f"{prefix}-evidence": "整改报告", f"{prefix}-commitment": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    repair = rules.repair_rules(rule_set_on(today()).document, "black", sector=entity_a.sector,
                                category=entity_a.category)
    if not repair["commitment_allowed"]:  # the 2022 rules: no commitment from a black subject
        assert f'id="id_{prefix}-commitment_error"' in html and "不适用信用承诺" in html
    assert f'id="id_{prefix}-training_record_error"' in html
    assert not RepairApplication.objects.exists()


def test_a_black_listing_too_young_to_repair_is_a_conflict(business_a, entity_a):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    prefix = f"repair-{listing.pk}"
    response = page_client(business_a).post(f"/business/listings/{listing.pk}/repair/", {
        f"{prefix}-statement": "已整改", f"{prefix}-evidence": "整改报告", f"{prefix}-training_record": "培训"})
    minimum = rules.repair_rules(rule_set_on(today()).document, "black", sector=entity_a.sector,
                                 category=entity_a.category)["min_days"]
    assert response.status_code == 409 and f"满 {minimum} 天后方可申请修复" in response.content.decode()
    assert not RepairApplication.objects.exists()


@pytest.mark.parametrize("path", ["/business/complaints/{id}/reply/", "/business/listings/{id}/objection/",
                                  "/business/listings/{id}/repair/"])
def test_form_targets_take_only_a_logged_in_business_post(path, web, business_a, regulator):
    url = path.format(id=1)
    assert page_client(business_a).get(url).status_code == 405
    assert web.post(url).status_code == 302
    assert page_client(regulator).post(url).status_code == 403


def test_business_forms_enforce_csrf(business_a, entity_a, accepted_complaint):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(business_a)
    field = f"reply-{accepted_complaint.pk}-statement"
    assert browser.post(f"/business/complaints/{accepted_complaint.pk}/reply/", {field: "答复"}).status_code == 403
    accepted_complaint.refresh_from_db()
    assert accepted_complaint.business_response == ""
    page = browser.get(entity_url(entity_a)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(f"/business/complaints/{accepted_complaint.pk}/reply/",
                            {field: "答复", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    accepted_complaint.refresh_from_db()
    assert accepted_complaint.business_response == "答复"
