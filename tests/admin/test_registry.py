"""The registry in the admin: writes through entities.services, ID numbers never shown, search by name or number."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone

from core.models import AuditEntry
from entities import codes
from entities.models import Entity, Licence, Person, PersonRole
from entities.services import id_number_hash
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, LicenceFactory, PersonFactory

from .conftest import admin_url, results

pytestmark = pytest.mark.django_db

ID_NUMBER = codes.id_number("140802", datetime.date(1990, 5, 17), random.Random(7))


def _inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_a_person_is_added_with_the_id_number_once_and_never_shown_again(admin_client):
    response = admin_client.post(admin_url(Person, "add"), {"name": "赵六", "id_number": ID_NUMBER.lower()})
    assert response.status_code == 302
    person = Person.objects.get(name="赵六")
    assert person.id_hash == id_number_hash(ID_NUMBER)
    assert person.id_number_masked == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    page = admin_client.get(admin_url(Person, "change", person.pk)).content.decode()
    listing = admin_client.get(admin_url(Person)).content.decode()
    for body in (page, listing):
        assert person.id_number_masked in body
        assert ID_NUMBER not in body and person.id_hash not in body


def test_the_same_id_number_twice_is_refused_on_the_form(admin_client):
    existing = PersonFactory(name="钱七", id_number=ID_NUMBER)
    response = admin_client.post(admin_url(Person, "add"), {"name": "钱七二", "id_number": ID_NUMBER})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["id_number"] == [
        f"该身份证号码对应的自然人已存在（编号 {existing.pk}）。"]
    assert Person.objects.count() == 1


def test_an_invalid_id_number_is_refused(admin_client):
    response = admin_client.post(admin_url(Person, "add"), {"name": "孙八", "id_number": "140802199001011234"})
    assert response.status_code == 200 and "id_number" in response.context["adminform"].form.errors
    assert not Person.objects.exists()


def test_persons_are_found_by_name_or_by_the_whole_id_number(admin_client):
    person, other = PersonFactory(name="周九", id_number=ID_NUMBER), PersonFactory(name="吴十")
    assert results(admin_client.get(admin_url(Person), {"q": ID_NUMBER})) == [person]
    assert results(admin_client.get(admin_url(Person), {"q": "吴十"})) == [other]
    assert results(admin_client.get(admin_url(Person), {"q": ID_NUMBER[:-1] + "0"})) == []


def test_renaming_a_person_changes_only_the_name(admin_client):
    person = PersonFactory(name="郑十一", id_number=ID_NUMBER)
    response = admin_client.post(admin_url(Person, "change", person.pk), {
        "name": "郑十一新", "id_number_masked": "999", **_inline_management("roles")})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.name == "郑十一新" and person.id_hash == id_number_hash(ID_NUMBER)


def test_an_entity_is_created_through_the_service_and_audited_as_an_admin_write(admin_client):
    code = codes.credit_code("140802", random.Random(3))
    response = admin_client.post(admin_url(Entity, "add"), {
        "credit_code": code.lower(), "name": "盐湖区丁民宿", "sector": "tourism", "category": "homestay",
        "region_code": "140802", "address": "", "status": "active",
        **_inline_management("roles"), **_inline_management("licences")})
    assert response.status_code == 302
    entity = Entity.objects.get(credit_code=code)
    entry = AuditEntry.objects.get(table_name="entities_entity", object_id=str(entity.pk), operation="INSERT")
    assert entry.context["username"] == "admin_regulator"
    assert entry.context["endpoint"] == "POST /admin/entities/entity/add/"


def test_an_entity_whose_category_is_not_of_its_sector_is_refused(admin_client):
    response = admin_client.post(admin_url(Entity, "add"), {
        "credit_code": codes.credit_code("140802", random.Random(4)), "name": "错行业", "sector": "wellness",
        "category": "hotel", "region_code": "140802", "status": "active",
        **_inline_management("roles"), **_inline_management("licences")})
    assert response.status_code == 200 and "category" in response.context["adminform"].form.errors
    assert not Entity.objects.filter(name="错行业").exists()


def test_roles_and_licences_are_added_on_the_entity_page_but_never_deleted(admin_client, entity):
    person = PersonFactory(name="冯十二")
    response = admin_client.post(admin_url(Entity, "change", entity.pk), {
        "credit_code": entity.credit_code, "name": entity.name, "sector": entity.sector, "category": entity.category,
        "region_code": entity.region_code, "address": entity.address, "status": "suspended",
        **_inline_management("roles", total=1), "roles-0-person": person.pk, "roles-0-role": "principal",
        "roles-0-started_on": "2024-01-01", "roles-0-ended_on": "",
        **_inline_management("licences", total=1), "licences-0-licence_type": "travel_agency_business",
        "licences-0-number": "L-9900001", "licences-0-issued_on": "2024-02-01", "licences-0-expires_on": "",
        "licences-0-status": "active"})
    assert response.status_code == 302
    entity.refresh_from_db()
    assert entity.status == "suspended"
    assert PersonRole.objects.get(entity=entity, person=person).role == "principal"
    assert Licence.objects.get(entity=entity).number == "L-9900001"
    assert admin_client.post(admin_url(Entity, "delete", entity.pk), {"post": "yes"}).status_code == 403
    role = PersonRole.objects.get(entity=entity, person=person)
    assert admin_client.post(admin_url(PersonRole, "delete", role.pk), {"post": "yes"}).status_code == 403


def test_a_role_ending_before_it_starts_is_refused(admin_client, entity):
    person = PersonFactory(name="陈十三")
    response = admin_client.post(admin_url(PersonRole, "add"), {
        "entity": entity.pk, "person": person.pk, "role": "principal", "started_on": "2024-01-01",
        "ended_on": "2023-01-01"})
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not PersonRole.objects.filter(person=person).exists()


def test_entities_are_found_by_name_keys_and_credit_code_and_filtered_by_region(admin_client, entity):
    other = EntityFactory(name="太原市晋祠宾馆", region_code="140105", category="hotel")
    assert results(admin_client.get(admin_url(Entity), {"q": "丙旅行社"})) == [entity]
    assert results(admin_client.get(admin_url(Entity), {"q": other.credit_code})) == [other]
    assert results(admin_client.get(admin_url(Entity), {"region": "1401"})) == [other]
    assert results(admin_client.get(admin_url(Entity), {"category__exact": "hotel"})) == [other]
    autocomplete = admin_client.get("/admin/autocomplete/", {
        "term": "晋祠", "app_label": "entities", "model_name": "licence", "field_name": "entity"}).json()
    assert [row["id"] for row in autocomplete["results"]] == [str(other.pk)]


def test_licences_are_found_by_number_or_holder(admin_client, entity):
    licence = LicenceFactory(entity=entity, number="L-1408-777")
    LicenceFactory(entity=EntityFactory(name="太原市某某旅行社"))
    assert results(admin_client.get(admin_url(Licence), {"q": "1408-777"})) == [licence]
    assert results(admin_client.get(admin_url(Licence), {"q": "丙旅行社"})) == [licence]


def test_the_presence_filters_split_rows_by_whether_the_date_is_set(admin_client, entity):
    """在任情况 (roles), 整改情况 (findings), 答复情况 (objections): one filter factory, three columns."""
    from complaints.models import Finding
    from entities.models import PersonRole
    from regulator.lists.models import Objection
    from tests.regulator.conftest import record_finding
    from tests.support.factories import PersonRoleFactory

    current = PersonRoleFactory(entity=entity, started_on=datetime.date(2020, 1, 1))
    former = PersonRoleFactory(entity=entity, started_on=datetime.date(2015, 1, 1), ended_on=datetime.date(2019, 1, 1))
    open_finding = record_finding(entity, "forced_shopping", inspected_on=today() - datetime.timedelta(days=5))
    done_finding = record_finding(entity, "forced_shopping", inspected_on=today() - datetime.timedelta(days=5))
    Finding.objects.filter(pk=done_finding.pk).update(rectified_on=today())
    listing = listing_in("notified", entity=entity)
    waiting = Objection.objects.create(listing=listing, statement="不同意")
    answered = Objection.objects.create(listing=listing, statement="也不同意", answer="已复核", upheld=False,
                                        answered_at=timezone.now())
    cases = [(PersonRole, "current", {"yes": current, "no": former}),
             (Finding, "rectified", {"no": open_finding, "yes": done_finding}),
             (Objection, "answered", {"no": waiting, "yes": answered})]
    for model, parameter, expected in cases:
        everything = {row.pk for row in results(admin_client.get(admin_url(model)))}
        assert {row.pk for row in expected.values()} <= everything
        for value, row in expected.items():
            found = {r.pk for r in results(admin_client.get(admin_url(model) + f"?{parameter}={value}"))}
            assert row.pk in found and not ({r.pk for r in expected.values()} - {row.pk}) & found, (model, value)
