"""End-to-end smoke of a complaint and an inspection through the API."""

import datetime

from tests.support import api_client, today


def test_complaint_round_trip_and_inspection(anon_client, regulator_client, inspector_client, entity_a, business_a):
    filed = anon_client.post("/api/v1/complaints/", {
        "entity_credit_code": entity_a.credit_code, "category": "forced_shopping", "description": "导游强迫购物",
        "channel": "web", "complainant_name": "李四", "complainant_phone": "13800000000",
        "incident_date": str(today() - datetime.timedelta(days=3)),
    }, format="json")
    assert filed.status_code == 201, filed.content
    code, pk = filed.json()["tracking_code"], filed.json()["id"]
    assert anon_client.get(f"/api/v1/complaints/track/{code}/").json()["status"] == "submitted"
    assert regulator_client.post(f"/api/v1/complaints/{pk}/accept/", {}, format="json").status_code == 200
    business = api_client(business_a).get(f"/api/v1/complaints/{pk}/").json()
    assert "complainant_phone" not in business and "tracking_code" not in business
    assert api_client(business_a).post(f"/api/v1/complaints/{pk}/respond/", {"statement": "已退款"}, format="json").status_code == 200
    assert regulator_client.post(f"/api/v1/complaints/{pk}/start_investigation/", {}, format="json").status_code == 200
    resolved = regulator_client.post(f"/api/v1/complaints/{pk}/resolve/", {"outcome": "substantiated", "reason": "查实"}, format="json")
    assert resolved.status_code == 200 and resolved.json()["complainant_phone"] == "13800000000"
    insp = inspector_client.post("/api/v1/inspections/", {
        "entity": entity_a.pk, "inspected_on": str(today()), "kind": "complaint", "complaint": pk, "summary": "核查",
        "findings": [{"violation_code": "forced_shopping", "description": "强迫购物", "penalty": "fine",
                      "fine_amount": "5000.00", "decision_number": "运盐文旅罚〔2026〕1号",
                      "rectify_by": str(today() + datetime.timedelta(days=10))}],
    }, format="json")
    assert insp.status_code == 201, insp.content
    finding = insp.json()["findings"][0]
    assert finding["severity"] == "serious"
    rect = inspector_client.post(f"/api/v1/findings/{finding['id']}/rectify/", {"rectified_on": str(today())}, format="json")
    assert rect.status_code == 200, rect.content
    plan = regulator_client.post("/api/v1/inspection-plans/draw/", {"month": str(today()), "region_prefix": "1408"}, format="json")
    assert plan.status_code == 201, plan.content
    assert regulator_client.get(f"/api/v1/inspection-plans/{plan.json()['id']}/verify/").json() == {"valid": True}
