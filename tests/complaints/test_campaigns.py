"""专项行动: campaigns set up in scope, inspections tagged within scope and period, results over exactly the tagged."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import campaign_services
from complaints.campaigns import Campaign
from complaints.models import Inspection, ViolationType
from core.models import UserRole
from entities.models import Sector
from tests.admin.fixtures_rawcodes import code_list, raw_codes, visible_text
from tests.support import api_client, page_client, today
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = today()
STARTS = TODAY - datetime.timedelta(days=40)
ENDS = TODAY - datetime.timedelta(days=10)
DAY_IN = STARTS + datetime.timedelta(days=5)

WARNING_PRICE = {"violation_code": "price_fraud", "description": "未明码标价", "penalty": "warning",
                 "decision_number": "运盐文旅罚〔2026〕21号"}
FINE_SHOPPING = {"violation_code": "forced_shopping", "description": "强迫购物", "penalty": "fine",
                 "fine_amount": "5000.00", "decision_number": "运盐文旅罚〔2026〕22号"}
NONE_PRICE = {"violation_code": "price_fraud", "description": "价签不全", "penalty": "none"}


def campaign_body(**extra):
    return {"name": "2026年运城市旅游市场价格诚信专项行动", "kind": "price", "sectors": ["tourism"],
            "region_prefix": "1408", "starts_on": str(STARTS), "ends_on": str(ENDS),
            "violation_codes": ["price_fraud"], "description": "重点检查明码标价。", **extra}


def make_campaign(regulator, **fields) -> Campaign:
    data = {"name": "价格诚信专项行动", "kind": "price", "sectors": [Sector.TOURISM], "region_prefix": "1408",
            "starts_on": STARTS, "ends_on": ENDS,
            "violation_types": ViolationType.objects.filter(code="price_fraud"), **fields}
    return campaign_services.campaign_create(actor=regulator, **data)


def inspect(client, entity, *, on=DAY_IN, findings=(), **extra):
    body = {"entity": entity.pk, "inspected_on": str(on), "kind": "targeted", "summary": "现场检查",
            "findings": list(findings), **extra}
    return client.post("/api/v1/inspections/", body, format="json")


def results(client, campaign):
    response = client.get(f"/api/v1/campaigns/{campaign.pk}/results/")
    assert response.status_code == 200, response.content
    return response.json()


# ---------------------------------------------------------------- results count exactly the tagged inspections

def test_results_count_exactly_the_tagged_inspections(regulator, regulator_client, inspector_client, entity_a,
                                                      entity_b):
    campaign = make_campaign(regulator)
    assert inspect(inspector_client, entity_a, findings=[WARNING_PRICE, FINE_SHOPPING],
                   campaign=campaign.pk).status_code == 201
    assert inspect(inspector_client, entity_b, campaign=campaign.pk).status_code == 201
    # untagged inspections of the same entities in the same period do not count
    assert inspect(inspector_client, entity_a, findings=[NONE_PRICE, WARNING_PRICE]).status_code == 201
    assert inspect(inspector_client, entity_b, on=ENDS, findings=[FINE_SHOPPING]).status_code == 201

    body = results(regulator_client, campaign)
    assert body["inspections"] == 2
    assert body["entities_inspected"] == 2
    assert body["inspections_with_findings"] == 1
    # a finding outside the targeted types is counted, separately, as "other"
    assert body["findings"] == {"total": 2, "targeted": 1, "other": 1}
    assert [(row["violation_code"], row["targeted"], row["count"]) for row in body["findings_by_type"]] == [
        ("price_fraud", True, 1), ("forced_shopping", False, 1)]
    assert body["findings_by_severity"] == {"minor": 0, "general": 1, "serious": 1, "grave": 0}
    assert body["penalties"] == {"total": 2, "by_kind": {"warning": 1, "fine": 1, "suspension": 0, "revocation": 0},
                                 "fine_total": "5000.00"}


def test_an_inspection_moved_to_another_campaign_moves_its_counts(regulator, regulator_client, inspector_client,
                                                                  entity_a):
    first, second = make_campaign(regulator), make_campaign(regulator, name="质量诚信专项行动", kind="quality")
    created = inspect(inspector_client, entity_a, findings=[WARNING_PRICE], campaign=first.pk)
    inspection_id = created.json()["id"]
    assert results(regulator_client, first)["findings"]["total"] == 1

    moved = inspector_client.post(f"/api/v1/inspections/{inspection_id}/campaign/", {"campaign": second.pk},
                                  format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["campaign"] == second.pk
    assert results(regulator_client, first)["inspections"] == 0
    assert results(regulator_client, first)["findings"]["total"] == 0
    after = results(regulator_client, second)
    assert after["inspections"] == 1 and after["penalties"]["by_kind"]["warning"] == 1
    # the second campaign targets price_fraud as well: counted as targeted there too
    assert after["findings"] == {"total": 1, "targeted": 1, "other": 0}

    untagged = inspector_client.post(f"/api/v1/inspections/{inspection_id}/campaign/", {"campaign": None},
                                     format="json")
    assert untagged.status_code == 200 and untagged.json()["campaign"] is None
    assert results(regulator_client, second)["inspections"] == 0


def test_inspections_filter_by_campaign(regulator, inspector_client, entity_a):
    campaign = make_campaign(regulator)
    tagged = inspect(inspector_client, entity_a, campaign=campaign.pk).json()["id"]
    inspect(inspector_client, entity_a)
    listed = inspector_client.get(f"/api/v1/inspections/?campaign={campaign.pk}").json()["results"]
    assert [row["id"] for row in listed] == [tagged]
    assert inspector_client.get("/api/v1/inspections/?campaign=abc").status_code == 400


def test_untargeted_campaign_counts_every_finding_as_other(regulator, regulator_client, inspector_client, entity_a):
    campaign = make_campaign(regulator, kind="civility", violation_types=[])
    inspect(inspector_client, entity_a, findings=[WARNING_PRICE], campaign=campaign.pk)
    assert results(regulator_client, campaign)["findings"] == {"total": 1, "targeted": 0, "other": 1}


# ---------------------------------------------------------------- tagging: scope and period, both boundaries

@pytest.mark.parametrize(("day", "allowed"), [
    (STARTS - datetime.timedelta(days=1), False), (STARTS, True), (ENDS, True), (ENDS + datetime.timedelta(days=1), False),
], ids=["day_before_start", "first_day", "last_day", "day_after_end"])
def test_tagging_is_allowed_only_within_the_period(day, allowed, regulator, inspector_client, entity_a):
    campaign = make_campaign(regulator)
    response = inspect(inspector_client, entity_a, on=day, campaign=campaign.pk)
    if allowed:
        assert response.status_code == 201, response.content
        assert Inspection.objects.get().campaign_id == campaign.pk
    else:
        assert response.status_code == 400, response.content
        assert "campaign" in response.json()
        assert not Inspection.objects.exists()


def test_moving_onto_a_campaign_is_refused_outside_its_period(regulator, inspector_client, entity_a):
    campaign = make_campaign(regulator)
    created = inspect(inspector_client, entity_a, on=ENDS + datetime.timedelta(days=1))
    response = inspector_client.post(f"/api/v1/inspections/{created.json()['id']}/campaign/",
                                     {"campaign": campaign.pk}, format="json")
    assert response.status_code == 400 and "campaign" in response.json()
    assert Inspection.objects.get().campaign_id is None


def test_tagging_is_refused_outside_the_sector_and_region_scope(regulator, regulator_client, entity_a):
    campaign = make_campaign(regulator, region_prefix="140802")
    other_district = EntityFactory(name="永济市某旅行社", region_code="140881")
    other_sector = EntityFactory(name="盐湖区康养中心", sector=Sector.WELLNESS, category="elderly_care")
    for entity in (other_district, other_sector):
        response = inspect(regulator_client, entity, campaign=campaign.pk)
        assert response.status_code == 400, response.content
        assert "campaign" in response.json()
    assert inspect(regulator_client, entity_a, campaign=campaign.pk).status_code == 201


def test_a_campaign_out_of_the_inspectors_scope_is_not_found(regulator, inspector_client, entity_a):
    wellness = make_campaign(regulator, sectors=[Sector.WELLNESS])
    response = inspect(inspector_client, entity_a, campaign=wellness.pk)
    assert response.status_code == 400 and "campaign" in response.json()


# ---------------------------------------------------------------- setting campaigns up

@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "loyalty"}, "kind"),
    ({"sectors": ["mining"]}, "sectors"),
    ({"sectors": []}, "sectors"),
    ({"region_prefix": "9999"}, "region_prefix"),
    ({"region_prefix": "14080"}, "region_prefix"),
    ({"ends_on": str(STARTS - datetime.timedelta(days=1))}, "ends_on"),
    ({"violation_codes": ["no_such_code"]}, "violation_codes"),
], ids=["unknown_kind", "unknown_sector", "no_sector", "unknown_region", "bad_prefix", "ends_before_start",
        "unknown_violation"])
def test_bad_campaign_is_400_naming_the_field(change, field, regulator_client):
    response = regulator_client.post("/api/v1/campaigns/", campaign_body(**change), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Campaign.objects.exists()


def test_a_one_day_campaign_is_allowed(regulator_client):
    response = regulator_client.post("/api/v1/campaigns/", campaign_body(ends_on=str(STARTS)), format="json")
    assert response.status_code == 201, response.content


def test_regulator_creates_reads_and_corrects_a_campaign(regulator_client):
    created = regulator_client.post("/api/v1/campaigns/", campaign_body(), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "price" and body["violation_codes"] == ["price_fraud"]
    assert body["region_name"] == "山西省运城市" and body["phase"] == "ended" and body["inspection_count"] == 0
    patched = regulator_client.patch(f"/api/v1/campaigns/{body['id']}/", {"name": "改名后的专项行动",
                                                                         "violation_codes": []}, format="json")
    assert patched.status_code == 200, patched.content
    assert patched.json()["name"] == "改名后的专项行动" and patched.json()["violation_codes"] == []
    assert regulator_client.put(f"/api/v1/campaigns/{body['id']}/", campaign_body(), format="json").status_code == 405


def test_inspectors_and_businesses_cannot_set_campaigns_up(inspector_client, business_a):
    assert inspector_client.post("/api/v1/campaigns/", campaign_body(), format="json").status_code == 403
    assert api_client(business_a).post("/api/v1/campaigns/", campaign_body(), format="json").status_code == 403
    assert not Campaign.objects.exists()


def test_a_city_regulator_sets_up_campaigns_only_in_its_city(db):
    taiyuan = UserFactory(username="reg_ty", role=UserRole.REGULATOR, region_codes=["1401"])
    client = api_client(taiyuan)
    refused = client.post("/api/v1/campaigns/", campaign_body(region_prefix="1408"), format="json")
    assert refused.status_code == 400 and "region_prefix" in refused.json()
    refused_province = client.post("/api/v1/campaigns/", campaign_body(region_prefix="14"), format="json")
    assert refused_province.status_code == 400 and "region_prefix" in refused_province.json()
    assert client.post("/api/v1/campaigns/", campaign_body(region_prefix="140105"), format="json").status_code == 201


def test_an_update_may_not_leave_a_tagged_inspection_outside(regulator, regulator_client, inspector_client, entity_a):
    campaign = make_campaign(regulator)
    inspect(inspector_client, entity_a, on=ENDS, campaign=campaign.pk)
    earlier = regulator_client.patch(f"/api/v1/campaigns/{campaign.pk}/",
                                     {"ends_on": str(ENDS - datetime.timedelta(days=1))}, format="json")
    assert earlier.status_code == 400 and "ends_on" in earlier.json()
    narrower = regulator_client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"sectors": ["wellness"]}, format="json")
    assert narrower.status_code == 400 and "sectors" in narrower.json()
    elsewhere = regulator_client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"region_prefix": "1401"}, format="json")
    assert elsewhere.status_code == 400 and "region_prefix" in elsewhere.json()
    campaign.refresh_from_db()
    assert campaign.ends_on == ENDS and campaign.sectors == ["tourism"] and campaign.region_prefix == "1408"
    assert regulator_client.patch(f"/api/v1/campaigns/{campaign.pk}/", {"ends_on": str(ENDS)},
                                  format="json").status_code == 200


# ---------------------------------------------------------------- scope: campaigns of the caller's region

def test_staff_see_the_campaigns_of_their_region(regulator, entity_a, inspector_client):
    yuncheng = make_campaign(regulator, name="运城市行动")
    province = make_campaign(regulator, name="全省行动", region_prefix="14")
    wellness = make_campaign(regulator, name="康养行动", sectors=[Sector.WELLNESS])
    taiyuan = make_campaign(regulator, name="太原市行动", region_prefix="1401")

    def names(client):
        response = client.get("/api/v1/campaigns/")
        assert response.status_code == 200
        return {row["name"] for row in response.json()["results"]}

    ty_regulator = api_client(UserFactory(username="reg_ty", role=UserRole.REGULATOR, region_codes=["1401"]))
    assert names(ty_regulator) == {"全省行动", "太原市行动"}
    assert ty_regulator.get(f"/api/v1/campaigns/{yuncheng.pk}/").status_code == 404
    assert ty_regulator.get(f"/api/v1/campaigns/{province.pk}/results/").status_code == 200
    assert ty_regulator.get(f"/api/v1/campaigns/{yuncheng.pk}/results/").status_code == 404
    # the 运城市 tourism inspector: its city's and the province's tourism campaigns
    assert names(inspector_client) == {"运城市行动", "全省行动"}
    assert inspector_client.get(f"/api/v1/campaigns/{wellness.pk}/").status_code == 404
    assert inspector_client.get(f"/api/v1/campaigns/{taiyuan.pk}/").status_code == 404
    assert names(api_client(regulator)) == {"运城市行动", "全省行动", "康养行动", "太原市行动"}
    business = UserFactory(username="biz", role=UserRole.BUSINESS, entities=[entity_a])
    assert names(api_client(business)) == set()
    assert api_client().get("/api/v1/campaigns/").status_code in (401, 403)


# ---------------------------------------------------------------- fixed number of queries

def _count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_results_and_lists_take_a_fixed_number_of_queries(regulator, regulator_client, inspector_client):
    small = make_campaign(regulator, name="小")
    large = make_campaign(regulator, name="大")
    inspect(inspector_client, EntityFactory(), findings=[WARNING_PRICE], campaign=small.pk)
    for _index in range(6):
        inspect(inspector_client, EntityFactory(), findings=[WARNING_PRICE, FINE_SHOPPING, NONE_PRICE],
                campaign=large.pk)
    small_results = _count_queries(lambda: results(regulator_client, small))
    assert small_results == _count_queries(lambda: results(regulator_client, large))
    one_page = _count_queries(lambda: regulator_client.get("/api/v1/campaigns/"))
    for index in range(5):
        make_campaign(regulator, name=f"更多{index}", violation_types=ViolationType.objects.filter(
            code__in=["price_fraud", "forced_shopping"]))
    assert _count_queries(lambda: regulator_client.get("/api/v1/campaigns/")) == one_page
    public_one = _count_queries(lambda: api_client().get("/api/v1/public/campaigns/"))
    make_campaign(regulator, name="再一个")
    assert _count_queries(lambda: api_client().get("/api/v1/public/campaigns/")) == public_one


# ---------------------------------------------------------------- admin

def test_admin_change_page_shows_the_results_in_words(inspector_client, entity_a):
    regulator = UserFactory(username="chief", role=UserRole.REGULATOR, is_staff=True)
    campaign = make_campaign(regulator)
    inspect(inspector_client, entity_a, findings=[WARNING_PRICE, FINE_SHOPPING], campaign=campaign.pk)
    client = page_client(regulator)
    page = client.get(f"/admin/complaints/campaign/{campaign.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "检查 1 次，涉及经营主体 1 家" in text and "罚款合计 5000.00 元" in text
    assert "价格欺诈、未明码标价" in text and "强迫或变相强迫购物" in text
    assert "运城市" in text
    listing = client.get("/admin/complaints/campaign/")
    assert listing.status_code == 200 and "价格诚信" in listing.content.decode()
    codes = code_list()
    for response in (page, listing, client.get("/admin/complaints/campaign/add/")):
        assert raw_codes(visible_text(response.content.decode()), codes) == []
    filtered = client.get(f"/admin/complaints/inspection/?campaign__id__exact={campaign.pk}")
    assert filtered.status_code == 200 and entity_a.name in filtered.content.decode()


def test_admin_adds_a_campaign_through_the_service(regulator):
    regulator.is_staff = True
    regulator.save(update_fields=["is_staff"])
    client = page_client(regulator)
    price = ViolationType.objects.get(code="price_fraud")
    response = client.post("/admin/complaints/campaign/add/", {
        "name": "计量诚信专项行动", "kind": "metrology", "sectors": ["tourism", "wellness"], "region_prefix": "1408",
        "starts_on": str(STARTS), "ends_on": str(ENDS), "violation_types": [price.pk], "description": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    campaign = Campaign.objects.get()
    assert campaign.created_by == regulator and campaign.sectors == ["tourism", "wellness"]
    assert list(campaign.violation_types.values_list("code", flat=True)) == ["price_fraud"]
