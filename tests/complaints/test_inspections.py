"""Inspections with nested findings: all or nothing, inside the inspector's scope; rectification once."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError

from complaints.models import Finding, Inspection
from tests.support import api_client, complaint_in, today

from .conftest import S

pytestmark = pytest.mark.django_db

TODAY = today()
INSPECTED_ON = TODAY - datetime.timedelta(days=5)

GOOD_WARNING = {"violation_code": "no_written_contract", "description": "未与游客签订书面合同",
                "penalty": "warning", "decision_number": "运盐文旅罚〔2026〕2号"}
GOOD_NO_PENALTY = {"violation_code": "price_fraud", "description": "未明码标价", "penalty": "none",
                   "rectify_by": str(TODAY + datetime.timedelta(days=10))}
GOOD_FINE = {"violation_code": "forced_shopping", "description": "强迫购物", "penalty": "fine",
             "fine_amount": "5000.00", "decision_number": "运盐文旅罚〔2026〕3号"}

BAD_THIRD_FINDINGS = {
    "fine_without_amount": ({**GOOD_FINE, "fine_amount": None}, "fine_amount"),
    "fine_with_zero_amount": ({**GOOD_FINE, "fine_amount": "0"}, "fine_amount"),
    "amount_without_fine": ({**GOOD_WARNING, "fine_amount": "100.00"}, "fine_amount"),
    "unknown_violation_code": ({**GOOD_WARNING, "violation_code": "no_such_violation"}, "violation_code"),
    "penalty_without_decision_number": ({**GOOD_WARNING, "decision_number": ""}, "decision_number"),
    "rectify_by_before_inspection": ({**GOOD_NO_PENALTY,
                                      "rectify_by": str(INSPECTED_ON - datetime.timedelta(days=1))}, "rectify_by"),
    "rectified_before_inspection": ({**GOOD_NO_PENALTY,
                                     "rectified_on": str(INSPECTED_ON - datetime.timedelta(days=1))}, "rectified_on"),
    "unknown_severity": ({**GOOD_NO_PENALTY, "severity": "catastrophic"}, "severity"),
    "unknown_penalty": ({**GOOD_NO_PENALTY, "penalty": "flogging"}, "penalty"),
}


def inspection_body(entity, findings, **extra):
    return {"entity": entity.pk, "inspected_on": str(INSPECTED_ON), "kind": "targeted", "summary": "现场检查",
            "findings": findings, **extra}


def assert_nothing_written():
    assert Inspection.objects.count() == 0
    assert Finding.objects.count() == 0


def test_inspection_with_three_good_findings_is_written_whole(entity_a, inspector, inspector_client):
    response = inspector_client.post("/api/v1/inspections/",
                                     inspection_body(entity_a, [GOOD_WARNING, GOOD_NO_PENALTY, GOOD_FINE]),
                                     format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["inspector"] == inspector.pk
    assert [f["violation_code"] for f in body["findings"]] == ["no_written_contract", "price_fraud",
                                                               "forced_shopping"]
    assert Inspection.objects.get().findings.count() == 3
    fine = Finding.objects.get(violation_type__code="forced_shopping")
    # severity comes from the catalogue when not given; a penalty is decided on the inspection day
    assert fine.severity == "serious" and fine.decided_on == INSPECTED_ON
    assert Finding.objects.get(violation_type__code="price_fraud").decided_on is None


@pytest.mark.parametrize("case", sorted(BAD_THIRD_FINDINGS))
def test_a_bad_third_finding_rejects_the_whole_inspection(case, entity_a, inspector_client):
    bad, field = BAD_THIRD_FINDINGS[case]
    response = inspector_client.post("/api/v1/inspections/",
                                     inspection_body(entity_a, [GOOD_WARNING, GOOD_NO_PENALTY, bad]), format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["findings"]
    assert set(errors) == {"2"}, errors  # keyed by the index of the bad finding, the good ones not named
    assert field in errors["2"], errors
    assert_nothing_written()


def test_every_bad_finding_is_named_by_its_index(entity_a, inspector_client):
    findings = [{**GOOD_WARNING, "decision_number": ""}, GOOD_NO_PENALTY, {**GOOD_FINE, "fine_amount": None}]
    response = inspector_client.post("/api/v1/inspections/", inspection_body(entity_a, findings), format="json")
    assert response.status_code == 400
    errors = response.json()["findings"]
    assert set(errors) == {"0", "2"}
    assert "decision_number" in errors["0"] and "fine_amount" in errors["2"]
    assert_nothing_written()


def test_a_failure_while_writing_the_third_finding_rolls_back_everything(entity_a, inspector_client, monkeypatch):
    original_save = Finding.save
    saved = []

    def failing_save(self, *args, **kwargs):
        if len(saved) == 2:
            raise IntegrityError("simulated failure on the third finding")
        saved.append(self)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Finding, "save", failing_save)
    response = inspector_client.post("/api/v1/inspections/",
                                     inspection_body(entity_a, [GOOD_WARNING, GOOD_NO_PENALTY, GOOD_FINE]),
                                     format="json")
    assert len(saved) == 2  # two findings had been written when the third failed
    assert response.status_code == 409
    assert_nothing_written()


def test_inspector_out_of_region_is_refused_and_nothing_written(entity_taiyuan, inspector_client):
    response = inspector_client.post("/api/v1/inspections/", inspection_body(entity_taiyuan, [GOOD_WARNING]),
                                     format="json")
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "entity" in response.json()
    assert_nothing_written()


def test_inspector_out_of_sector_is_refused_and_nothing_written(entity_wellness, inspector_client):
    response = inspector_client.post("/api/v1/inspections/", inspection_body(entity_wellness, [GOOD_WARNING]),
                                     format="json")
    assert response.status_code in (400, 404)
    if response.status_code == 400:
        assert "entity" in response.json()
    assert_nothing_written()


def test_business_cannot_record_an_inspection(entity_a, business_a):
    response = api_client(business_a).post("/api/v1/inspections/", inspection_body(entity_a, []), format="json")
    assert response.status_code == 403
    assert_nothing_written()


def test_inspection_dated_in_the_future_is_400(entity_a, inspector_client):
    body = inspection_body(entity_a, [GOOD_WARNING], inspected_on=str(TODAY + datetime.timedelta(days=1)))
    response = inspector_client.post("/api/v1/inspections/", body, format="json")
    assert response.status_code == 400
    assert "inspected_on" in response.json()
    assert_nothing_written()


def test_complaint_inspection_needs_a_complaint_against_the_same_entity(entity_a, entity_b, inspector_client):
    response = inspector_client.post("/api/v1/inspections/", inspection_body(entity_a, [], kind="complaint"),
                                     format="json")
    assert response.status_code == 400 and "complaint" in response.json()
    other = complaint_in(S.ACCEPTED, entity=entity_b)
    response = inspector_client.post("/api/v1/inspections/",
                                     inspection_body(entity_a, [], kind="complaint", complaint=other.pk),
                                     format="json")
    assert response.status_code == 400 and "complaint" in response.json()
    assert_nothing_written()


# --- rectification ---------------------------------------------------------------------------------


@pytest.fixture
def finding(entity_a, inspector_client):
    response = inspector_client.post("/api/v1/inspections/", inspection_body(entity_a, [GOOD_NO_PENALTY]),
                                     format="json")
    assert response.status_code == 201, response.content
    return Finding.objects.get(pk=response.json()["findings"][0]["id"])


def rectify(client, finding, day: datetime.date):
    return client.post(f"/api/v1/findings/{finding.pk}/rectify/", {"rectified_on": str(day)}, format="json")


def test_rectify_records_the_date(finding, inspector_client):
    response = rectify(inspector_client, finding, TODAY)
    assert response.status_code == 200
    assert response.json()["rectified_on"] == str(TODAY)
    finding.refresh_from_db()
    assert finding.rectified_on == TODAY


def test_second_rectify_is_409_and_keeps_the_first_date(finding, inspector_client):
    first = TODAY - datetime.timedelta(days=1)
    assert rectify(inspector_client, finding, first).status_code == 200
    response = rectify(inspector_client, finding, TODAY)
    assert response.status_code == 409
    assert response.json()["code"] == "already_rectified"
    finding.refresh_from_db()
    assert finding.rectified_on == first


def test_rectified_on_in_the_future_is_400(finding, inspector_client):
    response = rectify(inspector_client, finding, TODAY + datetime.timedelta(days=1))
    assert response.status_code == 400
    assert "rectified_on" in response.json()
    finding.refresh_from_db()
    assert finding.rectified_on is None


def test_rectified_on_before_the_inspection_is_400(finding, inspector_client):
    response = rectify(inspector_client, finding, INSPECTED_ON - datetime.timedelta(days=1))
    assert response.status_code == 400
    assert "rectified_on" in response.json()
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


def test_finding_cannot_be_created_already_rectified_in_the_future(entity_a, inspector_client):
    future = {**GOOD_NO_PENALTY, "rectified_on": str(TODAY + datetime.timedelta(days=3))}
    response = inspector_client.post("/api/v1/inspections/", inspection_body(entity_a, [GOOD_WARNING, future]),
                                     format="json")
    assert response.status_code == 400
    assert "rectified_on" in response.json()["findings"]["1"]
    assert_nothing_written()


def test_business_cannot_declare_its_own_finding_rectified(finding, business_a, business_b):
    assert rectify(api_client(business_a), finding, TODAY).status_code == 403
    assert rectify(api_client(business_b), finding, TODAY).status_code == 404
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


def test_inspector_out_of_scope_cannot_rectify(finding, inspector_taiyuan):
    assert rectify(api_client(inspector_taiyuan), finding, TODAY).status_code == 404
    assert Finding.objects.get(pk=finding.pk).rectified_on is None


@pytest.mark.parametrize("amount", [5000, 5000.5, "5000.50"])
def test_a_fine_amount_may_be_a_json_number_or_a_decimal_string(amount, entity_a, inspector_client):
    response = inspector_client.post("/api/v1/inspections/",
                                     inspection_body(entity_a, [{**GOOD_FINE, "fine_amount": amount}]), format="json")
    assert response.status_code == 201, response.content
    from decimal import Decimal

    assert Finding.objects.get().fine_amount == Decimal(str(amount))
    assert response.json()["findings"][0]["fine_amount"] == f"{Decimal(str(amount)):.2f}"


@pytest.mark.parametrize("amount", [True, [5000], {"value": 5000}])
def test_a_fine_amount_of_another_json_type_is_400(amount, entity_a, inspector_client):
    response = inspector_client.post("/api/v1/inspections/",
                                     inspection_body(entity_a, [{**GOOD_FINE, "fine_amount": amount}]), format="json")
    assert response.status_code == 400 and "fine_amount" in str(response.json())
    assert_nothing_written()
