"""Lists of complaints, inspections and findings: filterable, and a constant number of queries per page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints import services
from complaints.models import Complaint, Finding, Inspection, ViolationType
from core.models import UserRole
from entities.models import Entity
from tests.support import api_client, complaint_in
from tests.support.factories import EntityFactory, UserFactory

from .conftest import S

pytestmark = pytest.mark.django_db

D = datetime.date


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def complaints(entity_a, entity_b, entity_wellness, entity_taiyuan):
    made = {
        "a_submitted": complaint_in(S.SUBMITTED, entity=entity_a, received_on=D(2026, 3, 2)),
        "a_accepted_overdue": complaint_in(S.ACCEPTED, entity=entity_a, received_on=D(2026, 1, 5)),
        "b_investigating": complaint_in(S.INVESTIGATING, entity=entity_b, received_on=D(2026, 2, 10),
                                        category="price", channel="hotline_12345"),
        "wellness_resolved": complaint_in(S.RESOLVED, entity=entity_wellness, received_on=D(2025, 12, 1),
                                          category="elder_abuse"),
        "taiyuan_rejected": complaint_in(S.REJECTED, entity=entity_taiyuan, received_on=D(2026, 4, 1)),
    }
    # The nightly check flags the one complaint past its deadline: accepted 2026-01-05, resolve_due 2026-03-06.
    flagged = services.complaints_flag_overdue(today=D(2026, 3, 8))
    assert [pk for pk, flags in flagged.items() if "overdue" in flags] == [made["a_accepted_overdue"].pk]
    for complaint in made.values():
        complaint.refresh_from_db()
    return made


def pks(complaints, *names) -> set[int]:
    return {complaints[name].pk for name in names}


def test_complaints_filter_by_entity(complaints, entity_a, regulator_client):
    assert ids(regulator_client.get("/api/v1/complaints/", {"entity": entity_a.pk})) == pks(
        complaints, "a_submitted", "a_accepted_overdue")


def test_complaints_filter_by_one_or_several_statuses(complaints, regulator_client):
    assert ids(regulator_client.get("/api/v1/complaints/", {"status": "submitted"})) == pks(complaints, "a_submitted")
    assert ids(regulator_client.get("/api/v1/complaints/?status=accepted&status=investigating")) == pks(
        complaints, "a_accepted_overdue", "b_investigating")


def test_complaints_filter_by_overdue(complaints, regulator_client):
    assert ids(regulator_client.get("/api/v1/complaints/", {"overdue": "true"})) == pks(
        complaints, "a_accepted_overdue")
    assert len(ids(regulator_client.get("/api/v1/complaints/", {"overdue": "false"}))) == 4


def test_complaints_filter_by_sector(complaints, regulator_client):
    assert ids(regulator_client.get("/api/v1/complaints/", {"sector": "wellness"})) == pks(
        complaints, "wellness_resolved")


def test_complaints_filter_by_region_prefix(complaints, regulator_client):
    assert ids(regulator_client.get("/api/v1/complaints/", {"region_code": "1401"})) == pks(
        complaints, "taiyuan_rejected")
    assert len(ids(regulator_client.get("/api/v1/complaints/", {"region_code": "140802"}))) == 4
    assert len(ids(regulator_client.get("/api/v1/complaints/", {"region_code": "14"}))) == 5


def test_complaints_filter_by_region_prefix_rejects_non_digits(complaints, regulator_client):
    assert regulator_client.get("/api/v1/complaints/", {"region_code": "14'--"}).status_code == 400


def test_complaints_filter_by_received_and_incident_dates(complaints, regulator_client):
    received = {"received_after": "2026-01-01", "received_before": "2026-02-28"}
    assert ids(regulator_client.get("/api/v1/complaints/", received)) == pks(
        complaints, "a_accepted_overdue", "b_investigating")
    incident = {"incident_after": "2026-03-01"}  # incidents are 3 days before receipt
    assert ids(regulator_client.get("/api/v1/complaints/", incident)) == pks(complaints, "taiyuan_rejected")
    assert regulator_client.get("/api/v1/complaints/", {"received_after": "not-a-date"}).status_code == 400


def test_complaints_filter_by_category_and_channel(complaints, regulator_client):
    assert ids(regulator_client.get("/api/v1/complaints/", {"category": "elder_abuse"})) == pks(
        complaints, "wellness_resolved")
    assert ids(regulator_client.get("/api/v1/complaints/", {"channel": "hotline_12345"})) == pks(
        complaints, "b_investigating")


def test_filters_never_widen_the_callers_scope(complaints, inspector_client):
    # the inspector (运城 tourism) asking for 太原 or wellness gets nothing, not someone else's complaints
    assert ids(inspector_client.get("/api/v1/complaints/", {"region_code": "1401"})) == set()
    assert ids(inspector_client.get("/api/v1/complaints/", {"sector": "wellness"})) == set()
    assert ids(inspector_client.get("/api/v1/complaints/")) == pks(
        complaints, "a_submitted", "a_accepted_overdue", "b_investigating")


def test_complaints_can_be_ordered_by_deadline(complaints, regulator_client):
    rows = regulator_client.get("/api/v1/complaints/", {"ordering": "accept_due"}).json()["results"]
    dues = [row["accept_due"] for row in rows]
    assert dues == sorted(dues)


# --- inspections and findings --------------------------------------------------------------------------------


def make_inspection(entity, inspector, inspected_on: datetime.date, kind: str = "targeted", findings: int = 2,
                    rectified: bool = False) -> Inspection:
    inspection = Inspection.objects.create(entity=entity, inspector=inspector, inspected_on=inspected_on, kind=kind)
    violations = list(ViolationType.objects.order_by("code")[:findings])
    for number, violation in enumerate(violations):
        Finding.objects.create(inspection=inspection, violation_type=violation, severity=violation.default_severity,
                               description=f"问题{number}", penalty="none",
                               rectify_by=inspected_on + datetime.timedelta(days=30),
                               rectified_on=inspected_on if rectified else None)
    return inspection


@pytest.fixture
def inspections(entity_a, entity_b, entity_wellness, entity_taiyuan, inspector, inspector_taiyuan):
    return {
        "a_march": make_inspection(entity_a, inspector, D(2026, 3, 5)),
        "b_random_jan": make_inspection(entity_b, inspector, D(2026, 1, 20), kind="random", rectified=True),
        "wellness": make_inspection(entity_wellness, inspector, D(2026, 2, 1)),
        "taiyuan": make_inspection(entity_taiyuan, inspector_taiyuan, D(2026, 4, 1), kind="follow_up"),
    }


def test_inspections_filter_by_entity_kind_sector_region_inspector_and_dates(inspections, entity_a, inspector,
                                                                              regulator_client):
    def get(**query):
        return ids(regulator_client.get("/api/v1/inspections/", query))

    def want(*names):
        return {inspections[name].pk for name in names}

    assert get(entity=entity_a.pk) == want("a_march")
    assert get(kind="random") == want("b_random_jan")
    assert get(sector="wellness") == want("wellness")
    assert get(region_code="1401") == want("taiyuan")
    assert get(inspector=inspector.pk) == want("a_march", "b_random_jan", "wellness")
    assert get(inspected_after="2026-02-01", inspected_before="2026-03-31") == want("a_march", "wellness")


def test_findings_filter_by_open_entity_and_severity(inspections, entity_b, regulator_client):
    open_findings = regulator_client.get("/api/v1/findings/", {"open": "true", "page_size": 200}).json()
    assert open_findings["count"] == 6 and all(row["rectified_on"] is None for row in open_findings["results"])
    assert regulator_client.get("/api/v1/findings/", {"entity": entity_b.pk}).json()["count"] == 2
    severity = Finding.objects.order_by("id").first().severity
    rows = regulator_client.get("/api/v1/findings/", {"severity": severity, "page_size": 200}).json()["results"]
    assert rows and {row["severity"] for row in rows} == {severity}
    assert len(rows) == Finding.objects.filter(severity=severity).count()


def test_inspector_sees_only_inspections_in_scope(inspections, inspector_client):
    assert ids(inspector_client.get("/api/v1/inspections/")) == {inspections["a_march"].pk,
                                                                 inspections["b_random_jan"].pk}


# --- no N+1 -----------------------------------------------------------------------------------------------------


def count_queries(client, path: str) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, {"page_size": 200})
    assert response.status_code == 200, response.content
    return len(captured), response.json()["count"]


def _complaints_on_new_entities(n: int) -> list:
    return [complaint_in(S.ACCEPTED, entity=EntityFactory()) for _ in range(n)]


@pytest.mark.parametrize("who", ["regulator", "inspector", "business"])
def test_complaint_list_query_count_does_not_grow_with_rows(who, regulator, inspector):
    _complaints_on_new_entities(5)
    user = {"regulator": regulator, "inspector": inspector,
            "business": UserFactory(username="chain", role=UserRole.BUSINESS)}[who]
    if who == "business":
        user.entities.set(Entity.objects.all())
    client = api_client(user)
    few, count_few = count_queries(client, "/api/v1/complaints/")
    assert count_few == 5

    _complaints_on_new_entities(45)
    if who == "business":
        user.entities.set(Entity.objects.all())
    many, count_many = count_queries(client, "/api/v1/complaints/")
    assert count_many == 50 == Complaint.objects.count()
    assert many == few


@pytest.mark.parametrize("who", ["regulator", "inspector"])
def test_inspection_list_with_two_findings_each_query_count_does_not_grow_with_rows(who, regulator, inspector):
    client = api_client(regulator if who == "regulator" else inspector)
    for _ in range(5):
        make_inspection(EntityFactory(), inspector, D(2026, 3, 5))
    few, count_few = count_queries(client, "/api/v1/inspections/")
    assert count_few == 5

    for _ in range(45):
        make_inspection(EntityFactory(), inspector, D(2026, 3, 5))
    many, count_many = count_queries(client, "/api/v1/inspections/")
    assert count_many == 50
    assert many == few


def test_findings_list_query_count_does_not_grow_with_rows(regulator_client, inspector):
    for _ in range(3):
        make_inspection(EntityFactory(), inspector, D(2026, 3, 5))
    few, _ = count_queries(regulator_client, "/api/v1/findings/")
    for _ in range(25):
        make_inspection(EntityFactory(), inspector, D(2026, 3, 5))
    many, count = count_queries(regulator_client, "/api/v1/findings/")
    assert count == 56
    assert many == few


def test_inspection_list_returns_the_findings_nested(inspections, regulator_client):
    row = next(r for r in regulator_client.get("/api/v1/inspections/").json()["results"]
               if r["id"] == inspections["a_march"].pk)
    assert len(row["findings"]) == 2
    assert {"violation_code", "severity", "penalty", "rectify_by", "rectified_on"} <= set(row["findings"][0])


def test_sector_filter_values_are_validated(regulator_client):
    assert regulator_client.get("/api/v1/inspections/", {"sector": "mining"}).status_code == 400
    assert regulator_client.get("/api/v1/complaints/", {"status": "lost"}).status_code == 400
