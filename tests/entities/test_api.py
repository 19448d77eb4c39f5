"""Registry endpoints (API.md: Registry): shapes, filters, search, pagination and the ID-number rules."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection

from entities import codes
from entities.models import Category, Entity, EntityStatus, Licence, Person, PersonRole, Sector
from entities.services import id_number_hash
from tests.support.factories import EntityFactory, LicenceFactory, PersonFactory, PersonRoleFactory

pytestmark = pytest.mark.django_db

_rng = random.Random(4711)

ENTITY_FIELDS = {
    "id", "credit_code", "name", "sector", "category", "region_code", "address", "status", "created_at", "updated_at",
}
PERSON_FIELDS = {"id", "name", "id_number_masked", "created_at"}
ROLE_FIELDS = {"id", "entity", "person", "role", "started_on", "ended_on"}
LICENCE_FIELDS = {"id", "entity", "licence_type", "number", "issued_on", "expires_on", "status"}


def new_credit_code(region_code: str = "140802") -> str:
    return codes.credit_code(region_code, _rng)


def new_id_number(birth: datetime.date = datetime.date(2001, 1, 1)) -> str:
    """Born in 盐湖区 (140802, a code valid from 2000) unless the birth year forces an older place."""
    return codes.id_number("140802", birth, _rng)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def entity_payload(**overrides) -> dict:
    payload = {
        "credit_code": new_credit_code(),
        "name": "运城国际旅行社有限公司",
        "sector": "tourism",
        "category": "travel_agency",
        "region_code": "140802",
        "address": "山西省运城市盐湖区河东东街8号",
    }
    payload.update(overrides)
    return payload


# --- entities ------------------------------------------------------------------------------------


def test_regulator_creates_entity_with_contract_fields(regulator_client):
    payload = entity_payload()
    response = regulator_client.post("/api/v1/entities/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert ENTITY_FIELDS <= set(body)
    assert body["credit_code"] == payload["credit_code"]
    assert body["status"] == "active"
    entity = Entity.objects.get(pk=body["id"])
    assert entity.name == payload["name"]
    assert entity.region_code == "140802"


def test_credit_code_is_normalised_to_upper_case_on_create(regulator_client):
    code = new_credit_code()
    response = regulator_client.post(
        "/api/v1/entities/", entity_payload(credit_code=f" {code.lower()} "), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["credit_code"] == code
    assert Entity.objects.filter(credit_code=code).count() == 1


def test_real_credit_code_from_the_standard_is_accepted(regulator_client):
    response = regulator_client.post(
        "/api/v1/entities/", entity_payload(credit_code="91110000600037341L"), format="json"
    )
    assert response.status_code == 201, response.content


def test_entity_list_and_retrieve_show_contract_fields(regulator_client, entity_a):
    listing = regulator_client.get("/api/v1/entities/")
    assert listing.status_code == 200
    assert set(listing.json()) == {"count", "next", "previous", "results"}
    assert ENTITY_FIELDS <= set(listing.json()["results"][0])
    detail = regulator_client.get(f"/api/v1/entities/{entity_a.pk}/")
    assert detail.status_code == 200
    assert detail.json()["id"] == entity_a.pk
    assert detail.json()["name"] == entity_a.name
    assert "search_vector" not in detail.json()


def test_regulator_updates_entity_with_put_and_patch(regulator_client, entity_a):
    put = regulator_client.put(
        f"/api/v1/entities/{entity_a.pk}/",
        entity_payload(credit_code=entity_a.credit_code, name="盐湖区丙旅行社有限公司", status="suspended"),
        format="json",
    )
    assert put.status_code == 200, put.content
    entity_a.refresh_from_db()
    assert entity_a.name == "盐湖区丙旅行社有限公司"
    assert entity_a.status == EntityStatus.SUSPENDED

    patch = regulator_client.patch(f"/api/v1/entities/{entity_a.pk}/", {"address": "新地址1号"}, format="json")
    assert patch.status_code == 200, patch.content
    entity_a.refresh_from_db()
    assert entity_a.address == "新地址1号"
    assert entity_a.name == "盐湖区丙旅行社有限公司"


def test_renamed_entity_is_found_by_its_new_name_only(regulator_client, entity_a):
    response = regulator_client.patch(f"/api/v1/entities/{entity_a.pk}/", {"name": "黄河风光摄影有限公司"}, format="json")
    assert response.status_code == 200
    assert entity_a.pk in ids(regulator_client.get("/api/v1/entities/", {"search": "风光"}))
    assert entity_a.pk not in ids(regulator_client.get("/api/v1/entities/", {"search": "甲旅行"}))


def test_changing_sector_without_matching_category_is_400_naming_category(regulator_client, entity_a):
    response = regulator_client.patch(f"/api/v1/entities/{entity_a.pk}/", {"sector": "wellness"}, format="json")
    assert response.status_code == 400
    assert "category" in response.json()
    entity_a.refresh_from_db()
    assert entity_a.sector == Sector.TOURISM


def test_entities_are_never_deleted_through_the_api(regulator_client, entity_a):
    response = regulator_client.delete(f"/api/v1/entities/{entity_a.pk}/")
    assert response.status_code == 405
    assert Entity.objects.filter(pk=entity_a.pk).exists()


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def spread_entities(db):
    """Entities across sectors, categories, statuses and regions of Shanxi (and one in Beijing)."""
    return {
        "yanhu_agency": EntityFactory(name="运城国际旅行社有限公司", region_code="140802"),
        "linyi_hotel": EntityFactory(
            name="临猗黄河大酒店有限公司", region_code="140821", category=Category.HOTEL,
            status=EntityStatus.SUSPENDED,
        ),
        "yanhu_care": EntityFactory(
            name="盐湖区康乐养老院", region_code="140802", sector=Sector.WELLNESS, category=Category.ELDERLY_CARE,
        ),
        "taiyuan_expo": EntityFactory(
            name="太原会展中心有限公司", region_code="140105", sector=Sector.EXHIBITION,
            category=Category.EXHIBITION_VENUE,
        ),
        "taiyuan_home": EntityFactory(
            name="太原市家政服务有限公司", region_code="140105", sector=Sector.HOUSEHOLD_SERVICE,
            category=Category.HOUSEHOLD_SERVICE_COMPANY, status=EntityStatus.DEREGISTERED,
        ),
        "beijing_agency": EntityFactory(name="北京某某旅游有限公司", region_code="110105"),
    }


def _pks(spread, *names) -> set[int]:
    return {spread[name].pk for name in names}


def test_filter_by_sector(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"sector": "wellness"}))
    assert found == _pks(spread_entities, "yanhu_care")


def test_filter_by_several_sectors(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/?sector=wellness&sector=exhibition"))
    assert found == _pks(spread_entities, "yanhu_care", "taiyuan_expo")


def test_filter_by_category(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"category": "hotel"}))
    assert found == _pks(spread_entities, "linyi_hotel")


def test_filter_by_status(regulator_client, spread_entities):
    assert ids(regulator_client.get("/api/v1/entities/", {"status": "suspended"})) == _pks(
        spread_entities, "linyi_hotel"
    )
    assert ids(regulator_client.get("/api/v1/entities/", {"status": "deregistered"})) == _pks(
        spread_entities, "taiyuan_home"
    )


def test_region_prefix_1408_selects_all_of_yuncheng_and_nothing_of_taiyuan(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"region_code": "1408"}))
    assert found == _pks(spread_entities, "yanhu_agency", "linyi_hotel", "yanhu_care")
    assert spread_entities["taiyuan_expo"].pk not in found


def test_region_prefix_14_selects_all_of_shanxi(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"region_code": "14"}))
    assert found == _pks(spread_entities, "yanhu_agency", "linyi_hotel", "yanhu_care", "taiyuan_expo", "taiyuan_home")


def test_full_region_code_selects_that_county_only(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"region_code": "140821"}))
    assert found == _pks(spread_entities, "linyi_hotel")


def test_region_prefix_filter_combines_with_sector(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"region_code": "1408", "sector": "tourism"}))
    assert found == _pks(spread_entities, "yanhu_agency", "linyi_hotel")


@pytest.mark.parametrize("param", ["sector=mining", "status=closed", "category=casino", "region_code=14a8"])
def test_unknown_filter_value_is_400_naming_the_filter(regulator_client, spread_entities, param):
    response = regulator_client.get(f"/api/v1/entities/?{param}")
    assert response.status_code == 400
    assert param.split("=")[0] in response.json()


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "旅行",  # a Chinese substring
        "國際",  # traditional characters find the simplified name
        "國際旅行社",
        "guoji",  # full pinyin of a part of the name, as a prefix
        "GuoJiLvXing",
        "gjlxs",  # initials of a part of the name
        "国记旅行社",  # homophone: 记 typed for 际 (same sound, ji)
        "运城国际旅行社有限公司",  # the whole name
    ],
)
def test_search_finds_entity_by_name(regulator_client, spread_entities, query):
    found = ids(regulator_client.get("/api/v1/entities/", {"search": query}))
    assert spread_entities["yanhu_agency"].pk in found
    assert spread_entities["taiyuan_expo"].pk not in found
    assert spread_entities["yanhu_care"].pk not in found


def test_search_by_chinese_substring_does_not_match_unrelated_names(regulator_client, spread_entities):
    found = ids(regulator_client.get("/api/v1/entities/", {"search": "会展"}))
    assert found == _pks(spread_entities, "taiyuan_expo")


def test_search_for_absent_name_finds_nothing(regulator_client, spread_entities):
    assert ids(regulator_client.get("/api/v1/entities/", {"search": "哈尔滨冰雪"})) == set()


def test_search_by_full_credit_code_finds_exactly_that_entity(regulator_client, spread_entities):
    target = spread_entities["linyi_hotel"]
    assert ids(regulator_client.get("/api/v1/entities/", {"search": target.credit_code})) == {target.pk}
    assert ids(regulator_client.get("/api/v1/entities/", {"search": target.credit_code.lower()})) == {target.pk}


def test_search_by_credit_code_prefix(regulator_client, spread_entities):
    target = spread_entities["linyi_hotel"]
    assert target.pk in ids(regulator_client.get("/api/v1/entities/", {"search": target.credit_code[:12]}))


def test_q_is_an_alias_of_search(regulator_client, spread_entities):
    assert ids(regulator_client.get("/api/v1/entities/", {"q": "guoji"})) == _pks(spread_entities, "yanhu_agency")


@pytest.mark.parametrize("query", ["'&|!:*()", "\\", "a' | 'b", "%_", "旅行 & !"])
def test_search_with_tsquery_syntax_is_plain_text_not_an_error(regulator_client, spread_entities, query):
    response = regulator_client.get("/api/v1/entities/", {"search": query})
    assert response.status_code == 200
    assert set(response.json()) == {"count", "next", "previous", "results"}


# --- pagination ----------------------------------------------------------------------------------


@pytest.fixture
def many_entities(db):
    Entity.objects.bulk_create(
        Entity(
            credit_code=new_credit_code(), name=f"分页测试{n}号旅行社", sector=Sector.TOURISM,
            category=Category.TRAVEL_AGENCY, region_code="140802",
        )
        for n in range(205)
    )
    return 205


def test_list_is_paginated_with_count_next_previous_results(regulator_client, many_entities):
    body = regulator_client.get("/api/v1/entities/").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == many_entities
    assert len(body["results"]) == 50
    assert body["previous"] is None
    assert "page=2" in body["next"]


def test_page_size_is_capped_at_200(regulator_client, many_entities):
    body = regulator_client.get("/api/v1/entities/", {"page_size": 500}).json()
    assert len(body["results"]) == 200
    last = regulator_client.get("/api/v1/entities/", {"page_size": 200, "page": 2}).json()
    assert len(last["results"]) == 5
    assert last["next"] is None
    assert last["previous"] is not None


def test_page_beyond_the_end_is_404_not_500(regulator_client, many_entities):
    response = regulator_client.get("/api/v1/entities/", {"page": 99})
    assert response.status_code == 404
    assert "code" in response.json()


def test_ordering_parameter_sorts_descending(regulator_client, spread_entities):
    body = regulator_client.get("/api/v1/entities/", {"ordering": "-id"}).json()
    listed = [row["id"] for row in body["results"]]
    assert listed == sorted(listed, reverse=True)


# --- persons -------------------------------------------------------------------------------------


def test_regulator_creates_person_with_masked_id_number(regulator_client):
    number = new_id_number()
    response = regulator_client.post("/api/v1/persons/", {"name": "王五", "id_number": number}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert PERSON_FIELDS <= set(body)
    assert "id_number" not in body
    assert body["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert body["id_number_masked"].startswith("1408")
    assert number not in response.content.decode()


def test_id_number_is_never_in_any_response(regulator_client):
    number = new_id_number()
    created = regulator_client.post("/api/v1/persons/", {"name": "赵六", "id_number": number}, format="json")
    pk = created.json()["id"]
    responses = [
        created,
        regulator_client.get("/api/v1/persons/"),
        regulator_client.get(f"/api/v1/persons/{pk}/"),
        regulator_client.patch(f"/api/v1/persons/{pk}/", {"name": "赵六六"}, format="json"),
        regulator_client.put(f"/api/v1/persons/{pk}/", {"name": "赵六"}, format="json"),
        regulator_client.get("/api/v1/persons/", {"search": "赵六"}),
    ]
    for response in responses:
        assert response.status_code in (200, 201), response.content
        text = response.content.decode()
        assert number not in text
        assert '"id_number"' not in text


def test_database_never_holds_the_whole_id_number(regulator_client):
    number = new_id_number()
    response = regulator_client.post("/api/v1/persons/", {"name": "孙七", "id_number": number}, format="json")
    assert response.status_code == 201
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT row_to_json(p)::text FROM {Person._meta.db_table} p")  # noqa: S608
        rows = [row[0] for row in cursor.fetchall()]
    assert rows
    for row in rows:
        assert number not in row
        assert number[6:14] not in row  # not even the birth date
    person = Person.objects.get(pk=response.json()["id"])
    assert person.id_hash == id_number_hash(number)
    assert len(person.id_hash) == 64


def test_posting_same_id_number_twice_is_409_with_existing_id(regulator_client):
    number = new_id_number()
    first = regulator_client.post("/api/v1/persons/", {"name": "周八", "id_number": number}, format="json")
    assert first.status_code == 201
    second = regulator_client.post("/api/v1/persons/", {"name": "周捌", "id_number": number}, format="json")
    assert second.status_code == 409
    body = second.json()
    assert body["id"] == first.json()["id"]
    assert body["code"] == "duplicate_person"
    assert "detail" in body
    assert Person.objects.count() == 1
    assert Person.objects.get().name == "周八"


def test_same_id_number_with_lower_case_x_and_spaces_resolves_to_same_person(regulator_client):
    body = "11010519491231002"
    from stdnum.cn import ric

    number = body + ric.calc_check_digit(body + "0")
    assert number.endswith("X")
    first = regulator_client.post("/api/v1/persons/", {"name": "吴九", "id_number": number}, format="json")
    assert first.status_code == 201, first.content
    second = regulator_client.post(
        "/api/v1/persons/", {"name": "吴九", "id_number": " " + number.lower() + " "}, format="json"
    )
    assert second.status_code == 409
    assert second.json()["id"] == first.json()["id"]


def test_id_number_cannot_be_changed_after_creation(regulator_client):
    number = new_id_number()
    created = regulator_client.post("/api/v1/persons/", {"name": "郑十", "id_number": number}, format="json")
    pk = created.json()["id"]
    before = Person.objects.get(pk=pk)
    other = new_id_number(datetime.date(2003, 3, 3))
    response = regulator_client.patch(f"/api/v1/persons/{pk}/", {"id_number": other}, format="json")
    assert response.status_code == 200
    after = Person.objects.get(pk=pk)
    assert after.id_hash == before.id_hash
    assert after.id_number_masked == before.id_number_masked


def test_person_search_by_name_and_pinyin(regulator_client):
    target = PersonFactory(name="李建国")
    PersonFactory(name="王小明")
    assert ids(regulator_client.get("/api/v1/persons/", {"search": "建国"})) == {target.pk}
    assert ids(regulator_client.get("/api/v1/persons/", {"search": "lijianguo"})) == {target.pk}
    assert ids(regulator_client.get("/api/v1/persons/", {"search": "ljg"})) == {target.pk}


def test_persons_filter_by_entity(regulator_client, entity_a, entity_b):
    role = PersonRoleFactory(entity=entity_a)
    PersonRoleFactory(entity=entity_b)
    assert ids(regulator_client.get("/api/v1/persons/", {"entity": entity_a.pk})) == {role.person_id}


# --- roles ---------------------------------------------------------------------------------------


def test_regulator_links_person_to_entity_with_a_role(regulator_client, entity_a):
    person = PersonFactory()
    response = regulator_client.post(
        "/api/v1/roles/",
        {"entity": entity_a.pk, "person": person.pk, "role": "legal_representative", "started_on": "2022-03-01"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert ROLE_FIELDS <= set(body)
    assert body["entity"] == entity_a.pk
    assert body["person"] == person.pk
    assert body["started_on"] == "2022-03-01"
    assert body["ended_on"] is None
    assert PersonRole.objects.filter(entity=entity_a, person=person).count() == 1


def test_regulator_ends_a_role(regulator_client):
    role = PersonRoleFactory(started_on=datetime.date(2020, 1, 1))
    response = regulator_client.patch(f"/api/v1/roles/{role.pk}/", {"ended_on": "2024-06-30"}, format="json")
    assert response.status_code == 200, response.content
    role.refresh_from_db()
    assert role.ended_on == datetime.date(2024, 6, 30)
    assert regulator_client.get(f"/api/v1/roles/{role.pk}/").json()["ended_on"] == "2024-06-30"


def test_role_filters_current_and_kind(regulator_client, entity_a):
    current = PersonRoleFactory(entity=entity_a, role="principal")
    PersonRoleFactory(entity=entity_a, role="principal", ended_on=datetime.date(2021, 1, 1))
    PersonRoleFactory(entity=entity_a, role="practitioner")
    found = ids(regulator_client.get("/api/v1/roles/", {"entity": entity_a.pk, "role": "principal", "current": "true"}))
    assert found == {current.pk}


def test_role_ending_before_it_started_is_400_naming_ended_on(regulator_client):
    role = PersonRoleFactory(started_on=datetime.date(2020, 1, 1))
    response = regulator_client.patch(f"/api/v1/roles/{role.pk}/", {"ended_on": "2019-12-31"}, format="json")
    assert response.status_code == 400
    assert "ended_on" in response.json()
    role.refresh_from_db()
    assert role.ended_on is None


# --- licences ------------------------------------------------------------------------------------


def test_regulator_records_a_licence(regulator_client, entity_a):
    response = regulator_client.post(
        "/api/v1/licences/",
        {
            "entity": entity_a.pk, "licence_type": "travel_agency_business", "number": "L-14-2024-0001",
            "issued_on": "2024-01-02", "expires_on": "2027-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert LICENCE_FIELDS <= set(body)
    assert body["status"] == "active"
    assert body["expires_on"] == "2027-01-01"
    assert Licence.objects.get(pk=body["id"]).entity_id == entity_a.pk


def test_regulator_revokes_a_licence(regulator_client):
    licence = LicenceFactory()
    response = regulator_client.patch(f"/api/v1/licences/{licence.pk}/", {"status": "revoked"}, format="json")
    assert response.status_code == 200
    licence.refresh_from_db()
    assert licence.status == "revoked"


def test_licence_filters_by_entity_type_and_status(regulator_client, entity_a, entity_b):
    wanted = LicenceFactory(entity=entity_a, licence_type="tour_guide")
    LicenceFactory(entity=entity_a, licence_type="travel_agency_business")
    LicenceFactory(entity=entity_b, licence_type="tour_guide")
    LicenceFactory(entity=entity_a, licence_type="tour_guide", status="expired")
    found = ids(
        regulator_client.get("/api/v1/licences/", {"entity": entity_a.pk, "licence_type": "tour_guide", "status": "active"})
    )
    assert found == {wanted.pk}


def test_duplicate_licence_number_of_the_same_type_is_rejected(regulator_client, entity_a):
    existing = LicenceFactory(entity=entity_a)
    response = regulator_client.post(
        "/api/v1/licences/",
        {"entity": entity_a.pk, "licence_type": existing.licence_type, "number": existing.number, "issued_on": "2024-01-01"},
        format="json",
    )
    assert response.status_code in (400, 409)
    assert Licence.objects.count() == 1


def test_licence_expiring_before_issue_is_400_naming_expires_on(regulator_client, entity_a):
    response = regulator_client.post(
        "/api/v1/licences/",
        {"entity": entity_a.pk, "licence_type": "tour_guide", "number": "G-1", "issued_on": "2024-01-02",
         "expires_on": "2024-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()
    assert not Licence.objects.exists()
