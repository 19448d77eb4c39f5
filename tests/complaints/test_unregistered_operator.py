"""A complaint about an operator not in the registry, or about a guide or household worker (a person).

Exactly one kind of respondent; no entity means the receiving region and sector decide who handles it; the
regulator links it to the registry record once found, and the link is in the history.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from complaints import services
from complaints.documents import complaint_documents
from complaints.models import Complaint
from tests.support import api_client, today
from tests.support.factories import PersonFactory, PersonRoleFactory

from .conftest import S

pytestmark = pytest.mark.django_db

OPERATOR = {"respondent_kind": "operator", "operator_name": "河边无名农家乐", "operator_address": "盐湖区河东街 8 号",
            "operator_phone": "13500000000", "operator_details": "无招牌，门口停有蓝色面包车", "region_code": "140802"}


def file(client, **fields):
    body = {"category": "unlicensed", "description": "无证经营一日游", "complainant_name": "李四",
            "complainant_phone": "13800000000", "incident_date": str(today() - datetime.timedelta(days=2)), **fields}
    return client.post("/api/v1/complaints/", body, format="json")


def test_the_public_complains_about_an_unregistered_operator(anon_client, regulator_client):
    response = file(anon_client, **OPERATOR)
    assert response.status_code == 201, response.content
    body = regulator_client.get(f"/api/v1/complaints/{response.json()['id']}/").json()
    assert body["entity"] is None and body["entity_name"] is None
    assert (body["respondent_kind"], body["respondent_name"], body["region_code"], body["sector"]) == (
        "operator", "河边无名农家乐", "140802", "tourism")
    assert body["operator_address"] == "盐湖区河东街 8 号"


def test_the_kind_is_inferred_from_what_was_given(anon_client):
    body = {key: value for key, value in OPERATOR.items() if key != "respondent_kind"}
    response = file(anon_client, **body)
    assert response.status_code == 201
    assert Complaint.objects.get(pk=response.json()["id"]).respondent_kind == "operator"


def test_a_guide_is_complained_about_by_name_and_card(anon_client):
    response = file(anon_client, person_name="王导", person_role="guide", person_card_number="D-1408-000123",
                    region_code="140800")
    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert (complaint.respondent_kind, complaint.sector, complaint.person_card_number) == (
        "person", "tourism", "D-1408-000123")


def test_a_household_worker_is_handled_in_household_service(anon_client):
    response = file(anon_client, person_name="刘阿姨", person_role="household_worker", region_code="140802")
    assert Complaint.objects.get(pk=response.json()["id"]).sector == "household_service"


@pytest.mark.parametrize(("fields", "named"), [
    ({}, "entity"),
    ({"respondent_kind": "operator", "region_code": "140802"}, "operator_name"),
    ({"respondent_kind": "person", "region_code": "140802"}, "person_name"),
    ({"operator_name": "某农家乐"}, "region_code"),
    ({"operator_name": "某农家乐", "region_code": "149999"}, "region_code"),
    ({"operator_name": "某农家乐", "region_code": "110105"}, "region_code"),  # no authority receives it here
    ({"operator_name": "某农家乐", "person_name": "王导", "region_code": "140802"}, "person_name"),
], ids=["nothing", "no-operator-name", "no-person-name", "no-region", "unknown-region", "other-province",
        "two-respondents"])
def test_a_respondent_missing_or_doubled_is_400_naming_the_field(fields, named, anon_client):
    response = file(anon_client, **fields)
    assert response.status_code == 400, response.content
    assert named in response.json()
    assert not Complaint.objects.exists()


def test_an_entity_and_an_operator_at_once_is_400(anon_client, entity_a):
    response = file(anon_client, entity=entity_a.pk, operator_name="某农家乐", region_code="140802")
    assert response.status_code == 400 and "operator_name" in response.json()


def test_the_database_holds_exactly_one_respondent(entity_a):
    complaint = services.complaint_file(category="unlicensed", description="x", operator_name="某农家乐",
                                        region_code="140802", incident_date=today())
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(operator_name="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(region_code="")


# --- who handles it ----------------------------------------------------------------------------------------


@pytest.fixture
def unlinked():
    return services.complaint_file(category="unlicensed", description="无证经营", operator_name="河边无名农家乐",
                                   region_code="140802", incident_date=today() - datetime.timedelta(days=1))


def test_the_inspector_of_the_receiving_region_and_sector_handles_it(unlinked, inspector_client):
    assert inspector_client.get(f"/api/v1/complaints/{unlinked.pk}/").status_code == 200
    assert unlinked.pk in {row["id"] for row in inspector_client.get("/api/v1/complaints/").json()["results"]}
    assert inspector_client.post(f"/api/v1/complaints/{unlinked.pk}/accept/", {}, format="json").status_code == 200


def test_other_regions_sectors_and_every_business_do_not_see_it(unlinked, inspector_taiyuan, business_a):
    from core.models import UserRole
    from tests.support.factories import UserFactory

    wellness = UserFactory(username="insp_wellness", role=UserRole.INSPECTOR, region_codes=["1408"],
                           sectors=["wellness"])
    for user in (inspector_taiyuan, wellness, business_a):
        client = api_client(user)
        assert client.get(f"/api/v1/complaints/{unlinked.pk}/").status_code == 404
        assert client.get("/api/v1/complaints/").json()["count"] == 0


def test_its_notices_come_from_the_receiving_regions_authority(unlinked, regulator):
    services.complaint_accept(complaint_id=unlinked.pk, actor=regulator)
    [notice] = complaint_documents(unlinked.pk)
    assert notice.authority.region_code == "140802" and "河边无名农家乐" in str(notice.content)


def test_filters_and_search_find_it_by_region_sector_and_name(unlinked, regulator_client, inspector_client):
    def found(client, **query):
        return {row["id"] for row in client.get("/api/v1/complaints/", query).json()["results"]}

    assert unlinked.pk in found(regulator_client, region_code="1408")
    assert unlinked.pk not in found(regulator_client, region_code="1401")
    assert unlinked.pk in found(regulator_client, sector="tourism")
    assert unlinked.pk in found(regulator_client, linked="false")
    assert unlinked.pk not in found(regulator_client, linked="true")
    assert unlinked.pk in found(inspector_client, search="无名农家乐")
    assert unlinked.pk in found(regulator_client, respondent_kind="operator")


# --- linking it to the registry -----------------------------------------------------------------------------


def test_staff_link_it_to_the_entity_found_and_the_history_says_so(unlinked, entity_a, inspector_client, business_a):
    response = inspector_client.post(f"/api/v1/complaints/{unlinked.pk}/link/", {"entity": entity_a.pk,
                                                                                   "reason": "现场核实"},
                                     format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["entity"], body["respondent_kind"], body["entity_name"]) == (entity_a.pk, "entity", entity_a.name)
    event = unlinked.events.get(action="link_respondent")
    assert entity_a.credit_code in event.reason and "现场核实" in event.reason
    # now it is the business's complaint too
    assert api_client(business_a).get(f"/api/v1/complaints/{unlinked.pk}/").status_code == 200
    again = inspector_client.post(f"/api/v1/complaints/{unlinked.pk}/link/", {"entity": entity_a.pk}, format="json")
    assert again.status_code == 409


def test_an_entity_out_of_the_inspectors_scope_is_not_found(unlinked, entity_taiyuan, inspector_client):
    response = inspector_client.post(f"/api/v1/complaints/{unlinked.pk}/link/", {"entity": entity_taiyuan.pk},
                                     format="json")
    assert response.status_code == 400 and "entity" in response.json()
    assert Complaint.objects.get(pk=unlinked.pk).entity is None


def test_link_needs_exactly_one_record(unlinked, entity_a, regulator_client):
    person = PersonFactory()
    for body in ({}, {"entity": entity_a.pk, "person": person.pk}):
        response = regulator_client.post(f"/api/v1/complaints/{unlinked.pk}/link/", body, format="json")
        assert response.status_code == 400 and "entity" in response.json()


def test_a_guide_complaint_is_linked_to_the_registered_person(entity_a, regulator_client, inspector_client):
    role = PersonRoleFactory(entity=entity_a, role="practitioner")
    complaint = services.complaint_file(category="forced_shopping", description="导游强迫购物", person_name="王导",
                                        person_role="guide", region_code="140802", incident_date=today())
    response = inspector_client.post(f"/api/v1/complaints/{complaint.pk}/link/", {"person": role.person.pk},
                                     format="json")
    assert response.status_code == 200, response.content
    assert response.json()["person"] == role.person.pk and response.json()["entity"] is None
    operator_complaint = services.complaint_file(category="unlicensed", description="x", operator_name="某店",
                                                 region_code="140802", incident_date=today())
    refused = regulator_client.post(f"/api/v1/complaints/{operator_complaint.pk}/link/", {"person": role.person.pk},
                                    format="json")
    assert refused.status_code == 409


def test_a_resolved_complaint_linked_later_becomes_the_entitys_evidence(unlinked, entity_a, regulator):
    from ratings.ledger import complaint_events

    services.complaint_accept(complaint_id=unlinked.pk, actor=regulator)
    services.complaint_start_investigation(complaint_id=unlinked.pk, actor=regulator)
    services.complaint_resolve(complaint_id=unlinked.pk, outcome="substantiated", reason="查实", actor=regulator)
    assert list(complaint_events(entity_a.pk, today())) == []
    services.complaint_link_respondent(complaint_id=unlinked.pk, actor=regulator, entity=entity_a)
    assert [event.source_id for event in complaint_events(entity_a.pk, today())] == [unlinked.pk]
    assert Complaint.objects.get(pk=unlinked.pk).status == S.RESOLVED
