"""专项行动结果公开: ended campaigns only (public from the day after the end date), results in words, no names."""

from __future__ import annotations

import datetime

import pytest

from complaints import campaign_services, services
from complaints.models import ViolationType
from entities.models import Sector
from tests.support import api_client, page_client, today

pytestmark = pytest.mark.django_db

TODAY = today()
PHONE = "13912345678"


def make_campaign(regulator, *, ends_on, starts_on=None, **fields):
    starts_on = starts_on or ends_on - datetime.timedelta(days=30)
    data = {"name": "运城市旅游价格诚信专项行动", "kind": "price", "sectors": [Sector.TOURISM], "region_prefix": "1408",
            "starts_on": starts_on, "ends_on": ends_on, "violation_types": ViolationType.objects.filter(code="price_fraud"),
            "description": f"举报电话 {PHONE}，重点检查明码标价。", **fields}
    return campaign_services.campaign_create(actor=regulator, **data)


def tag_inspection(inspector, entity, campaign, *, on):
    price = ViolationType.objects.get(code="price_fraud")
    shopping = ViolationType.objects.get(code="forced_shopping")
    return services.inspection_create(
        actor=inspector, entity=entity, inspected_on=on, kind="targeted", summary="检查人员张三现场检查", campaign=campaign,
        findings=[{"violation_type": price, "description": "价签缺失，负责人李四", "penalty": "warning",
                   "decision_number": "运盐文旅罚〔2026〕31号"},
                  {"violation_type": shopping, "description": "强迫购物", "penalty": "fine", "fine_amount": 3000,
                   "decision_number": "运盐文旅罚〔2026〕32号"}])


@pytest.mark.parametrize(("ends_on", "public"), [
    (TODAY, False), (TODAY - datetime.timedelta(days=1), True), (TODAY + datetime.timedelta(days=5), False),
], ids=["ends_today_still_running", "ended_yesterday", "future_end"])
def test_a_campaign_is_public_only_once_its_end_date_has_passed(ends_on, public, regulator):
    campaign = make_campaign(regulator, ends_on=ends_on)
    api = api_client().get(f"/api/v1/public/campaigns/{campaign.pk}/")
    page = page_client().get(f"/campaigns/{campaign.pk}/")
    listed = api_client().get("/api/v1/public/campaigns/").json()
    listed_ids = {row["id"] for row in listed["results"]}
    page_list = page_client().get("/campaigns/").content.decode()
    if public:
        assert api.status_code == 200 and page.status_code == 200
        assert campaign.pk in listed_ids and campaign.name in page_list
    else:
        assert api.status_code == 404 and page.status_code == 404
        assert campaign.pk not in listed_ids and campaign.name not in page_list


def test_public_results_are_counts_with_no_names_and_a_redacted_description(regulator, inspector, entity_a):
    campaign = make_campaign(regulator, ends_on=TODAY - datetime.timedelta(days=1))
    tag_inspection(inspector, entity_a, campaign, on=campaign.starts_on)
    services.inspection_create(actor=inspector, entity=entity_a, inspected_on=campaign.starts_on, kind="targeted",
                               findings=[])  # untagged: not counted
    response = api_client().get(f"/api/v1/public/campaigns/{campaign.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["results"]["inspections"] == 1 and body["results"]["entities_inspected"] == 1
    assert body["results"]["findings"] == {"total": 2, "targeted": 1, "other": 1}
    assert body["results"]["penalties"]["fine_total"] == "3000.00"
    assert body["kind_label"] == "价格诚信" and body["region_name"] == "山西省运城市"
    text = response.content.decode()
    assert PHONE not in text and "【电话号码已隐去】" in body["description"]
    for private in ("张三", "李四", inspector.username, "价签缺失"):
        assert private not in text
    listed = api_client().get("/api/v1/public/campaigns/").json()["results"][0]
    assert listed["summary"] == {"inspections": 1, "entities_inspected": 1, "findings": 2, "penalties": 2}


def test_the_page_shows_the_results_in_chinese_with_no_codes(regulator, inspector, entity_a):
    campaign = make_campaign(regulator, ends_on=TODAY - datetime.timedelta(days=1))
    tag_inspection(inspector, entity_a, campaign, on=campaign.ends_on)
    page = page_client().get(f"/campaigns/{campaign.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="viewport"' in text  # phone-friendly layout
    assert "价格诚信" in text and "山西省运城市" in text and "文化旅游" in text
    assert "价格欺诈、未明码标价" in text and "强迫或变相强迫购物" in text
    assert "罚款合计 3000.00 元" in text and "警告" in text and "一般" in text
    assert f'<time datetime="{campaign.ends_on.isoformat()}">' in text
    for code in ("price_fraud", "forced_shopping", ">price<", "tourism", "warning", "1408<", "general"):
        assert code not in text
    for private in ("张三", "李四", inspector.username, PHONE):
        assert private not in text


def test_the_home_page_links_to_the_campaigns(regulator):
    home = page_client().get("/")
    assert home.status_code == 200 and 'href="/campaigns/"' in home.content.decode()
    empty = page_client().get("/campaigns/")
    assert empty.status_code == 200 and "暂无已结束的专项行动" in empty.content.decode()


def test_unknown_and_bad_pages_are_404(regulator):
    assert page_client().get("/campaigns/999999/").status_code == 404
    assert page_client().get("/campaigns/?page=99").status_code == 404
    assert api_client().get("/api/v1/public/campaigns/999999/").status_code == 404
    assert api_client().get("/api/v1/public/campaigns/?page=abc").status_code == 400
