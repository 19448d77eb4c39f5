"""A complainant's name and phone are seen by the regulator only (DOMAIN.md: Complaints)."""

from __future__ import annotations

import datetime

import pytest

from complaints import services
from tests.support import api_client, complaint_in, today

from .conftest import S

pytestmark = pytest.mark.django_db

PRIVATE = {"complainant_name", "complainant_phone", "tracking_code"}


@pytest.fixture
def complaint(entity_a):
    return complaint_in(S.ACCEPTED, entity=entity_a, complainant_name="李四", complainant_phone="13800000000",
                        description="导游在购物店停留三小时")


def _texts(payload) -> str:
    return repr(payload)


def test_regulator_sees_who_complained(complaint, regulator_client):
    detail = regulator_client.get(f"/api/v1/complaints/{complaint.pk}/").json()
    assert detail["complainant_name"] == "李四"
    assert detail["complainant_phone"] == "13800000000"
    assert detail["tracking_code"] == complaint.tracking_code
    row = regulator_client.get("/api/v1/complaints/").json()["results"][0]
    assert PRIVATE <= set(row)


@pytest.mark.parametrize("who", ["inspector", "business_a"])
def test_inspector_and_the_business_see_the_complaint_without_the_complainant(who, complaint, request):
    client = api_client(request.getfixturevalue(who))
    detail = client.get(f"/api/v1/complaints/{complaint.pk}/")
    assert detail.status_code == 200
    body = detail.json()
    assert body["id"] == complaint.pk and body["description"] == "导游在购物店停留三小时"
    assert not PRIVATE & set(body)
    listing = client.get("/api/v1/complaints/").json()
    assert [row["id"] for row in listing["results"]] == [complaint.pk]
    assert not PRIVATE & set(listing["results"][0])
    for payload in (body, listing):
        assert "李四" not in _texts(payload)
        assert "13800000000" not in _texts(payload)
        assert complaint.tracking_code not in _texts(payload)


@pytest.mark.parametrize("who", ["inspector", "business_a"])
def test_transition_answers_do_not_leak_the_complainant_to_non_regulators(who, complaint, request):
    if who == "inspector":
        response = api_client(request.getfixturevalue(who)).post(
            f"/api/v1/complaints/{complaint.pk}/start_investigation/", {}, format="json")
    else:
        response = api_client(request.getfixturevalue(who)).post(
            f"/api/v1/complaints/{complaint.pk}/respond/", {"statement": "已退款"}, format="json")
    assert response.status_code == 200
    assert not PRIVATE & set(response.json())
    assert "13800000000" not in _texts(response.json())


def test_other_business_gets_404_and_an_empty_list(complaint, business_b):
    client = api_client(business_b)
    assert client.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert client.get(f"/api/v1/complaints/{complaint.pk}/history/").status_code == 404
    listing = client.get("/api/v1/complaints/").json()
    assert listing["count"] == 0 and listing["results"] == []


def test_inspector_out_of_scope_gets_404_and_an_empty_list(complaint, inspector_taiyuan):
    client = api_client(inspector_taiyuan)
    assert client.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 404
    assert client.get("/api/v1/complaints/").json()["count"] == 0


def test_public_track_view_has_no_name_phone_or_description(complaint, anon_client):
    response = anon_client.get(f"/api/v1/complaints/track/{complaint.tracking_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "accepted"
    assert not {"complainant_name", "complainant_phone", "description", "business_response"} & set(body)
    text = _texts(body)
    assert "李四" not in text and "13800000000" not in text and "导游在购物店停留三小时" not in text
    for event in body["history"]:
        assert set(event) == {"action", "to_status", "created_at"}  # no staff names, no reasons


def test_filed_answer_gives_the_tracking_code_but_does_not_echo_personal_data(anon_client, entity_a):
    response = anon_client.post("/api/v1/complaints/", {
        "entity": entity_a.pk, "category": "price", "description": "价格欺诈", "complainant_name": "赵六",
        "complainant_phone": "13700000000", "incident_date": str(today() - datetime.timedelta(days=3)),
    }, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["tracking_code"] and "complainant_name" not in body and "complainant_phone" not in body


def test_anonymous_list_of_complaints_is_401(complaint, anon_client):
    assert anon_client.get("/api/v1/complaints/").status_code == 401
    assert anon_client.get(f"/api/v1/complaints/{complaint.pk}/").status_code == 401


def test_history_hides_staff_names_from_the_business(complaint, regulator, business_a):
    services.complaint_start_investigation(complaint_id=complaint.pk, actor=regulator)
    business_view = api_client(business_a).get(f"/api/v1/complaints/{complaint.pk}/history/").json()
    assert business_view and all(row["actor_name"] == "" for row in business_view)
    regulator_view = api_client(regulator).get(f"/api/v1/complaints/{complaint.pk}/history/").json()
    assert regulator_view[-1]["actor_name"] == "regulator"
