"""Complaint pages (旅游投诉处理办法): the form round trip, errors beside fields, CSRF, tracking without personal data."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from complaints import services as complaint_services
from complaints.documents import complaint_documents
from complaints.models import Complaint
from core.citations import cite
from tests.complaints.citations import ensure_complaint_citations
from tests.support import complaint_in, today

from .conftest import COMPLAINANT, FILING, PHONE, Controls

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _complaint_citations(db):
    ensure_complaint_citations()


def form_data(entity, **overrides) -> dict[str, str]:
    data = {"entity_credit_code": entity.credit_code, "category": "forced_shopping",
            "incident_date": (today() - datetime.timedelta(days=2)).isoformat(),
            "description": "导游强迫购物，在玉器店停留三小时", "complainant_name": COMPLAINANT,
            "complainant_phone": PHONE, "complainant_count": "1", "representatives": ""}
    data.update(overrides)
    return data


def errors_of(html: str) -> dict[str, str]:
    """The error list beside each field: ``id_<field>_error`` -> its text."""
    return {match.group(1): re.sub(r"<[^>]+>", "", match.group(2)).strip()
            for match in re.finditer(r'<ul class="errorlist" id="id_(\w+)_error">(.*?)</ul>', html, re.S)}


def test_the_form_is_prefilled_from_the_operator_page(web, entity_a):
    response = web.get("/complaints/new/", {"entity": entity_a.credit_code})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{entity_a.credit_code}"' in html and 'name="csrfmiddlewaretoken"' in html


def test_posting_the_form_files_a_complaint_and_shows_the_tracking_code(web, entity_a):
    response = web.post("/complaints/new/", form_data(entity_a))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.entity == entity_a and complaint.channel == "web" and complaint.status == "submitted"
    assert complaint.complainant_phone == PHONE and complaint.complainant_name == COMPLAINANT
    assert complaint.events.filter(action="file").exists()
    page = web.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "投诉已提交" in html
    assert f'<p class="tracking-code code" id="tracking-code">{complaint.tracking_code}</p>' in html
    assert PHONE not in html and COMPLAINANT not in html


def test_the_credit_code_may_be_typed_in_lower_case(web, entity_a):
    assert web.post("/complaints/new/", form_data(entity_a, entity_credit_code=entity_a.credit_code.lower())
                    ).status_code == 302
    assert Complaint.objects.get().entity == entity_a


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"description": ""}, "description", "必填"),
    ({"category": "bribery"}, "category", "有效"),
    ({"incident_date": "昨天"}, "incident_date", "日期"),
    ({"incident_date": (today() + datetime.timedelta(days=3)).isoformat()}, "incident_date", "不能晚于今天"),
    ({"entity_credit_code": "91350200776049653A"}, "entity_credit_code", "未找到"),
    ({"entity_credit_code": ""}, "entity_credit_code", "必填"),
    ({"complainant_phone": "打电话给我"}, "complainant_phone", "电话号码"),
    ({"complainant_count": "0"}, "complainant_count", "1"),
    ({"complainant_count": "3", "representatives": "张三"}, "representatives", "4 人以上"),
    ({"complainant_count": "5", "representatives": "张三、李四、王五、赵六"}, "representatives", "1 至 3 名"),
    ({"respondent_kind": "operator", "operator_name": "", "region_code": "140800"}, "operator_name", "名称"),
    ({"respondent_kind": "operator", "operator_name": "无名农家乐", "region_code": ""}, "region_code", "受理地"),
])
def test_an_invalid_form_shows_the_error_beside_the_field_and_files_nothing(overrides, field, message, web,
                                                                           entity_a):
    response = web.post("/complaints/new/", form_data(entity_a, **overrides))
    assert response.status_code == 400
    html = response.content.decode()
    errors = errors_of(html)
    assert field in errors and message in errors[field], errors
    assert f'aria-describedby="id_{field}_error"' in html or f'id_{field}_helptext id_{field}_error' in html
    assert 'role="alert"' in html  # the summary at the top links to the field
    assert Complaint.objects.count() == 0
    # What was typed is kept.
    if overrides.get("description", "x"):
        assert "导游强迫购物" in html


def test_one_problem_is_reported_once(web, entity_a):
    html = web.post("/complaints/new/", form_data(entity_a, description="")).content.decode()
    assert html.count('id="id_description_error"') == 1
    assert errors_of(html)["description"].count("必填") == 1


def test_a_late_complaint_is_filed_and_shown_as_refused_with_the_reason(web, entity_a):
    response = web.post("/complaints/new/", form_data(
        entity_a, incident_date=(today() - datetime.timedelta(days=120)).isoformat()), follow=True)
    html = response.content.decode()
    assert "投诉已提交" in html and "不予受理" in html and "90 日" in html


def test_the_form_enforces_csrf(entity_a):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/complaints/new/", form_data(entity_a)).status_code == 403
    assert Complaint.objects.count() == 0
    page = browser.get("/complaints/new/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = browser.post("/complaints/new/", {**form_data(entity_a), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and Complaint.objects.count() == 1


def test_filing_is_throttled_like_the_api(web, entity_a, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK,
                               "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                                                          "complaint_create": "2/hour"}}
    assert [web.post("/complaints/new/", form_data(entity_a)).status_code for _ in range(2)] == [302, 302]
    refused = web.post("/complaints/new/", form_data(entity_a))
    assert refused.status_code == 429 and "请求过于频繁" in refused.content.decode()
    assert Complaint.objects.count() == 2
    assert web.get("/complaints/new/").status_code == 200  # reading the form is not filing


def test_tracking_form_leads_to_the_status_page(web, entity_a):
    complaint = complaint_in(entity=entity_a, **FILING)
    assert web.get("/complaints/track/").status_code == 200
    response = web.get("/complaints/track/", {"code": f" {complaint.tracking_code} "})
    assert response.status_code == 302 and response["Location"] == f"/complaints/track/{complaint.tracking_code}/"
    short = web.get("/complaints/track/", {"code": "abc"})
    assert short.status_code == 400 and 'id="id_code_error"' in short.content.decode()


def test_the_status_page_shows_status_and_history_but_no_complainant_or_text(web, entity_a, regulator):
    complaint = complaint_in(entity=entity_a, **FILING)
    complaint_services.complaint_accept(complaint_id=complaint.pk, actor=regulator)
    response = web.get(f"/complaints/track/{complaint.tracking_code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "已受理" in html and entity_a.name in html and "强迫购物" in html
    assert "提交投诉" in html and "受理" in html
    assert PHONE not in html and COMPLAINANT not in html
    assert complaint.description not in html
    assert regulator.username not in html  # staff names are the regulator's business


def test_an_unknown_tracking_code_is_not_found(web):
    response = web.get("/complaints/track/AAAAAAAAAAAAAAAAAAAA/")
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_complaint_form_labels_every_field(web, entity_a):
    html = web.post("/complaints/new/", form_data(entity_a, description="")).content.decode()
    page = Controls(html)
    assert page.unlabelled() == []
    assert {c["name"] for c in page.controls} >= {"entity_credit_code", "category", "incident_date", "description",
                                                  "complainant_name", "complainant_phone", "complainant_count",
                                                  "representatives"}


def test_representatives_are_optional_even_for_a_group(web, entity_a):
    assert web.post("/complaints/new/", form_data(entity_a, complainant_count="5")).status_code == 302
    assert Complaint.objects.get().representatives == []


def test_a_group_of_four_may_name_three_representatives(web, entity_a):
    response = web.post("/complaints/new/", form_data(entity_a, complainant_count="4",
                                                      representatives="张三、李四，王五"))
    assert response.status_code == 302
    assert Complaint.objects.get().representatives == ["张三", "李四", "王五"]


def test_an_operator_not_in_the_registry_can_be_complained_about(web, entity_a):
    response = web.post("/complaints/new/", form_data(
        entity_a, respondent_kind="operator", entity_credit_code="", operator_name="河边无名农家乐",
        operator_address="运城市盐湖区河东街", operator_phone="13500000000", region_code="140800"))
    assert response.status_code == 302, errors_of(response.content.decode())
    complaint = Complaint.objects.get()
    assert (complaint.entity, complaint.respondent_kind, complaint.operator_name, complaint.region_code) == (
        None, "operator", "河边无名农家乐", "140800")
    assert complaint.sector == "tourism"
    html = web.get(response["Location"]).content.decode()
    assert "河边无名农家乐" in html and "投诉已提交" in html


def test_a_credit_code_left_in_the_form_does_not_change_an_operator_complaint(web, entity_a):
    """The fields of the kinds not chosen are not sent on."""
    web.post("/complaints/new/", form_data(entity_a, respondent_kind="operator", operator_name="无照民宿",
                                           region_code="140800"))
    complaint = Complaint.objects.get()
    assert complaint.entity is None and complaint.operator_name == "无照民宿"


def test_the_status_page_shows_the_acceptance_notice_with_number_and_text(web, entity_a, regulator):
    complaint = complaint_in(entity=entity_a, **FILING)
    complaint_services.complaint_accept(complaint_id=complaint.pk, actor=regulator)
    notice = complaint_documents(complaint.pk).get()
    html = web.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert "旅游投诉受理通知书" in html and notice.number in html
    assert cite("complaint.accept_deadline") in html
    assert PHONE not in html and COMPLAINANT not in html and complaint.description not in html
    assert f"?document={notice.pk}" in html
    printable = web.get(f"/complaints/track/{complaint.tracking_code}/", {"document": notice.pk})
    assert printable.status_code == 200 and notice.number in printable.content.decode()
    assert COMPLAINANT not in printable.content.decode()
    for junk in ("abc", "9" * 13, "999999"):
        assert web.get(f"/complaints/track/{complaint.tracking_code}/", {"document": junk}).status_code == 404


def test_the_business_notice_is_not_on_the_complainants_page(web, entity_a, regulator):
    complaint = complaint_in("accepted", entity=entity_a, **FILING)
    complaint_services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator)
    notice = Complaint.objects.get(pk=complaint.pk).business_notice
    html = web.get(f"/complaints/track/{complaint.tracking_code}/").content.decode()
    assert notice.number not in html
    assert web.get(f"/complaints/track/{complaint.tracking_code}/", {"document": notice.pk}).status_code == 404
