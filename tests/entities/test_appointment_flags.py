"""Role appointments are checked (DOMAIN.md, Consequences; issue 13 item 5).

Recording a person as legal representative, principal or actual controller while a restriction binds them
saves the role and answers with a warning (API ``warnings``, an admin message); the role keeps a flag
(``flagged``, ``flag_reasons``, ``flagged_at``) regulators see. With no checker registered, or one that
fails, the role is flagged ``unchecked``: it never passes silently.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from complaints.models import Finding, Inspection, ViolationType
from core.models import UserRole
from entities import hooks, services
from entities.models import PersonRole
from regulator.lists import imports
from tests.support import api_client, listing_in, page_client, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def days_ago(days: int) -> datetime.date:
    return today() - datetime.timedelta(days=days)


def revocation(entity, decided_on: datetime.date) -> Finding:
    inspector = UserFactory(role=UserRole.INSPECTOR, region_codes=["14"], sectors=["tourism"])
    inspection = Inspection.objects.create(entity=entity, inspector=inspector, inspected_on=decided_on,
                                           kind="targeted", summary="现场检查")
    return Finding.objects.create(inspection=inspection, violation_type=ViolationType.objects.get(code="forced_shopping"),
                                  severity="grave", description="强迫购物", penalty="revocation",
                                  decision_number="运盐文旅罚〔2026〕9号", decided_on=decided_on)


def appoint(client, *, entity, person, role="legal_representative", started_on=None):
    return client.post("/api/v1/roles/", {"entity": entity.pk, "person": person.pk, "role": role,
                                          "started_on": str(started_on or today())}, format="json")


@pytest.fixture
def listed_agency(db):
    """盐湖区甲旅行社, black-listed a month ago; 王五 its legal representative since 2020."""
    agency = EntityFactory(name="盐湖区甲旅行社有限公司")
    representative = PersonFactory(name="王五")
    PersonRoleFactory(entity=agency, person=representative, started_on=datetime.date(2020, 1, 1))
    listing = listing_in("published", entity=agency, decided_on=days_ago(30))
    return {"agency": agency, "representative": representative, "listing": listing}


def test_the_legal_representative_of_a_listed_agency_appointed_to_another_agency_is_flagged_at_once(
        listed_agency, regulator_client):
    other = EntityFactory(name="盐湖区乙旅行社有限公司")
    response = appoint(regulator_client, entity=other, person=listed_agency["representative"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["flagged"] is True and body["flagged_at"]
    (warning,) = body["warnings"]
    assert warning["code"] == "role_at_listed_entity"
    assert "盐湖区甲旅行社有限公司" in warning["detail"] and str(listed_agency["listing"].pk) in warning["detail"]
    (reason,) = body["flag_reasons"]
    assert reason["listing_id"] == listed_agency["listing"].pk and reason["basis"]
    assert "travel_agency_business" in reason["licence_types"]
    role = PersonRole.objects.get(pk=body["id"])
    assert role.flagged and role.checked_at is not None
    assert regulator_client.get(f"/api/v1/roles/{role.pk}/").json()["flagged"] is True


def test_a_clean_appointment_is_not_flagged(regulator_client):
    response = appoint(regulator_client, entity=EntityFactory(), person=PersonFactory())
    body = response.json()
    assert response.status_code == 201
    assert (body["flagged"], body["warnings"], body["flag_reasons"], body["flagged_at"]) == (False, [], [], None)
    assert body["checked_at"]


def test_a_person_on_another_authoritys_black_list_is_flagged_in_any_sector(regulator_client):
    number = "11010519491231002X"
    imports.listings_import([{
        "id_number": number, "name": "王五", "list_type": "black", "reason": "失信被执行人",
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定", "decided_on": str(days_ago(10)),
        "source_authority": "运城市中级人民法院", "source_reference": "(2026)晋08执7号"}])
    person = services.person_find(id_number=number)
    home = EntityFactory(sector="wellness", category="elderly_care")
    body = appoint(regulator_client, entity=home, person=person, role="principal").json()
    assert body["flagged"] is True and [w["code"] for w in body["warnings"]] == ["listed_person"]


def test_a_role_at_the_listed_entity_itself_is_not_flagged_by_its_own_listing(listed_agency, regulator_client):
    body = appoint(regulator_client, entity=listed_agency["agency"], person=listed_agency["representative"],
                   role="principal").json()
    assert body["flagged"] is False


def test_a_practitioner_is_not_checked_as_an_appointment(listed_agency, regulator_client):
    body = appoint(regulator_client, entity=EntityFactory(), person=listed_agency["representative"],
                   role="practitioner").json()
    assert body["flagged"] is False


@pytest.mark.parametrize(("days", "flagged"), [(1824, True), (1825, False)])
def test_the_principal_of_a_revoked_agency_is_flagged_as_principal_elsewhere_for_five_years(days, flagged,
                                                                                           regulator_client):
    agency = EntityFactory(name="盐湖区丙旅行社有限公司")
    principal = PersonFactory()
    PersonRoleFactory(entity=agency, person=principal, role="principal", started_on=datetime.date(2015, 1, 1),
                      ended_on=days_ago(days - 5))
    revocation(agency, days_ago(days))
    body = appoint(regulator_client, entity=EntityFactory(), person=principal, role="principal").json()
    assert body["flagged"] is flagged
    if flagged:
        assert [(w["code"], r["basis"]) for w, r in zip(body["warnings"], body["flag_reasons"], strict=True)] == [
            ("penalty_ban", "《旅行社条例》第六十四条")]


@pytest.mark.parametrize(("days", "flagged"), [(1094, True), (1095, False)])
def test_a_manager_of_a_revoked_agency_is_flagged_for_three_years_from_the_penalty(days, flagged, regulator_client):
    agency = EntityFactory()
    manager = PersonFactory()
    PersonRoleFactory(entity=agency, person=manager, started_on=datetime.date(2015, 1, 1))
    revocation(agency, days_ago(days))
    body = appoint(regulator_client, entity=EntityFactory(), person=manager, role="actual_controller").json()
    assert body["flagged"] is flagged


def test_the_flag_is_kept_when_only_the_end_date_changes_and_rechecked_when_the_appointment_changes(
        listed_agency, regulator_client):
    other = EntityFactory()
    role_id = appoint(regulator_client, entity=other, person=listed_agency["representative"]).json()["id"]
    first = PersonRole.objects.get(pk=role_id)
    regulator_client.patch(f"/api/v1/roles/{role_id}/", {"ended_on": str(today())}, format="json")
    kept = PersonRole.objects.get(pk=role_id)
    assert kept.flagged and kept.checked_at == first.checked_at
    body = regulator_client.patch(f"/api/v1/roles/{role_id}/", {"role": "practitioner"}, format="json").json()
    assert body["flagged"] is False and body["warnings"] == []


def test_without_a_registered_checker_the_appointment_is_flagged_unchecked(monkeypatch):
    monkeypatch.setattr(hooks, "APPOINTMENT_CHECKERS", [])
    role = services.role_save(entity=EntityFactory(), person=PersonFactory(), role="principal",
                              started_on=today())
    assert role.flagged is True and [reason["code"] for reason in role.flag_reasons] == ["unchecked"]


def test_a_failing_checker_flags_unchecked_and_the_role_is_still_saved(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(hooks, "APPOINTMENT_CHECKERS", [broken])
    role = services.role_save(entity=EntityFactory(), person=PersonFactory(), role="legal_representative",
                              started_on=today())
    assert PersonRole.objects.filter(pk=role.pk, flagged=True).exists()
    assert role.flag_reasons[0]["code"] == "unchecked"


def test_a_business_does_not_see_the_flag(listed_agency, regulator_client):
    other = EntityFactory()
    role_id = appoint(regulator_client, entity=other, person=listed_agency["representative"]).json()["id"]
    business = UserFactory(role=UserRole.BUSINESS, entities=[other])
    body = api_client(business).get(f"/api/v1/roles/{role_id}/").json()
    assert (body["flagged"], body["flag_reasons"], body["warnings"]) == (None, [], [])


def test_the_admin_warns_on_save_and_filters_flagged_roles(listed_agency):
    staff = UserFactory(username="admin_regulator", role=UserRole.REGULATOR, is_staff=True)
    client = page_client(staff)
    other = EntityFactory()
    response = client.post(reverse("admin:entities_personrole_add"), {
        "entity": other.pk, "person": listed_agency["representative"].pk, "role": "principal",
        "started_on": str(today()), "ended_on": ""}, follow=True)
    assert response.status_code == 200
    assert any("任职预警" in str(message) for message in response.context["messages"])
    role = PersonRole.objects.get(entity=other)
    assert role.flagged
    listed = client.get(reverse("admin:entities_personrole_changelist"), {"flagged__exact": "1"})
    assert [row.pk for row in listed.context["cl"].result_list] == [role.pk]
    assert client.get(reverse("admin:entities_personrole_change", args=[role.pk])).status_code == 200
