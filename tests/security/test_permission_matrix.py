"""Role × endpoint matrix: who may read and write what in the registry and the accounts.

Scope is enforced by the selectors, so an object out of the caller's scope is
absent from lists and answers 404 on detail; writes by anyone but a regulator
are 403; the anonymous public gets 401.
"""

from __future__ import annotations

import datetime
import random

import pytest

from core.models import User, UserRole
from entities import codes
from entities.models import Entity, Licence, Person, PersonRole, Sector
from tests.support import api_client
from tests.support.factories import LicenceFactory, PersonFactory, PersonRoleFactory, UserFactory

_rng = random.Random(1408)

ACTORS = [
    "regulator",
    "inspector",  # 运城市 (1408) × tourism: entity A is in scope
    "inspector_other_region",  # 太原市 (1401) × tourism
    "inspector_other_sector",  # 运城市 (1408) × wellness
    "inspector_without_scope",  # an account left without regions or sectors sees nothing
    "business_a",
    "business_b",
    "anonymous",
]

# Expected status per actor for an object tied to entity A: (list, detail, create, update),
# and whether A's object appears in the actor's list.
REGISTRY_EXPECTED = {
    #                          list detail create update  sees A's object
    "regulator":               (200, 200, 201, 200, True),
    "inspector":               (200, 200, 403, 403, True),
    "inspector_other_region":  (200, 404, 403, 403, False),
    "inspector_other_sector":  (200, 404, 403, 403, False),
    "inspector_without_scope": (200, 404, 403, 403, False),
    "business_a":              (200, 200, 403, 403, True),
    "business_b":              (200, 404, 403, 403, False),
    "anonymous":               (401, 401, 401, 401, False),
}

USERS_EXPECTED = {
    "regulator":               (200, 200, 201, 200, True),
    "inspector":               (403, 403, 403, 403, False),
    "inspector_other_region":  (403, 403, 403, 403, False),
    "inspector_other_sector":  (403, 403, 403, 403, False),
    "inspector_without_scope": (403, 403, 403, 403, False),
    "business_a":              (403, 403, 403, 403, False),
    "business_b":              (403, 403, 403, 403, False),
    "anonymous":               (401, 401, 401, 401, False),
}

ACTIONS = ("list", "detail", "create", "update")
ERROR_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}


def _rows():
    rows = []
    tables = [(resource, REGISTRY_EXPECTED) for resource in ("entities", "persons", "roles", "licences")]
    tables.append(("users", USERS_EXPECTED))
    for resource, table in tables:
        for actor in ACTORS:
            *statuses, sees = table[actor]
            for action, status in zip(ACTIONS, statuses, strict=True):
                rows.append(pytest.param(actor, resource, action, status, sees, id=f"{resource}-{action}-{actor}-{status}"))
    return rows


@pytest.fixture
def world(entity_a, entity_b, regulator, inspector, business_a, business_b):
    """Each registry object twice: one tied to entity A (the target) and one to entity B."""
    person_a, person_b = PersonFactory(name="甲法人"), PersonFactory(name="乙法人")
    return {
        "entity_a": entity_a,
        "entity_b": entity_b,
        "person_a": person_a,
        "person_b": person_b,
        "role_a": PersonRoleFactory(entity=entity_a, person=person_a),
        "role_b": PersonRoleFactory(entity=entity_b, person=person_b),
        "licence_a": LicenceFactory(entity=entity_a),
        "licence_b": LicenceFactory(entity=entity_b),
        "actors": {
            "regulator": regulator,
            "inspector": inspector,
            "inspector_other_region": UserFactory(
                role=UserRole.INSPECTOR, region_codes=["1401"], sectors=[Sector.TOURISM]
            ),
            "inspector_other_sector": UserFactory(
                role=UserRole.INSPECTOR, region_codes=["1408"], sectors=[Sector.WELLNESS]
            ),
            "inspector_without_scope": UserFactory(role=UserRole.INSPECTOR, region_codes=[], sectors=[]),
            "business_a": business_a,
            "business_b": business_b,
            "anonymous": None,
        },
    }


def _target(world, resource):
    return {
        "entities": world["entity_a"],
        "persons": world["person_a"],
        "roles": world["role_a"],
        "licences": world["licence_a"],
        "users": world["actors"]["business_a"],
    }[resource]


def _create_payload(world, resource) -> dict:
    if resource == "entities":
        return {
            "credit_code": codes.credit_code("140802", _rng), "name": "新设旅行社", "sector": "tourism",
            "category": "travel_agency", "region_code": "140802",
        }
    if resource == "persons":
        return {"name": "新人", "id_number": codes.id_number("140802", datetime.date(2002, 2, 2), _rng)}
    if resource == "roles":
        return {"entity": world["entity_a"].pk, "person": world["person_b"].pk, "role": "principal",
                "started_on": "2024-01-01"}
    if resource == "licences":
        return {"entity": world["entity_a"].pk, "licence_type": "tour_guide", "number": "D-1408-0001",
                "issued_on": "2024-01-01"}
    return {"username": "created_in_matrix", "password": "Yuncheng-2025!", "role": "business"}


UPDATES = {
    "entities": ("address", "改过的地址"),
    "persons": ("name", "改过的名字"),
    "roles": ("ended_on", "2024-12-31"),
    "licences": ("status", "suspended"),
    "users": ("first_name", "改过"),
}
MODELS = {"entities": Entity, "persons": Person, "roles": PersonRole, "licences": Licence, "users": User}


@pytest.mark.django_db
@pytest.mark.parametrize("actor,resource,action,expected,sees_target", _rows())
def test_permission_matrix(world, actor, resource, action, expected, sees_target):
    client = api_client(world["actors"][actor])
    target = _target(world, resource)
    url = f"/api/v1/{resource}/"
    model = MODELS[resource]

    if action == "list":
        response = client.get(url, {"page_size": 200})
        assert response.status_code == expected, response.content
        if expected == 200:
            listed = {row["id"] for row in response.json()["results"]}
            assert (target.pk in listed) is sees_target
    elif action == "detail":
        response = client.get(f"{url}{target.pk}/")
        assert response.status_code == expected, response.content
        if expected == 200:
            assert response.json()["id"] == target.pk
    elif action == "create":
        before = model.objects.count()
        response = client.post(url, _create_payload(world, resource), format="json")
        assert response.status_code == expected, response.content
        assert model.objects.count() == before + (1 if expected == 201 else 0)
    else:
        field, value = UPDATES[resource]
        old = str(getattr(target, field))
        response = client.patch(f"{url}{target.pk}/", {field: value}, format="json")
        assert response.status_code == expected, response.content
        target.refresh_from_db()
        assert str(getattr(target, field)) == (value if expected == 200 else old)

    if expected in ERROR_CODES:
        assert response.json()["code"] == ERROR_CODES[expected]
        assert "detail" in response.json()


# --- business A and entity B, spelled out --------------------------------------------------------


@pytest.mark.django_db
def test_business_cannot_see_other_business_entity(world):
    client = api_client(world["actors"]["business_a"])
    entity_b = world["entity_b"]
    listed = {row["id"] for row in client.get("/api/v1/entities/").json()["results"]}
    assert listed == {world["entity_a"].pk}
    assert client.get(f"/api/v1/entities/{entity_b.pk}/").status_code == 404
    assert client.get("/api/v1/entities/", {"search": entity_b.credit_code}).json()["count"] == 0
    assert client.get("/api/v1/entities/", {"credit_code": entity_b.credit_code}).json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("resource,key", [("roles", "role_b"), ("licences", "licence_b"), ("persons", "person_b")])
def test_business_cannot_see_roles_licences_or_persons_of_other_business(world, resource, key):
    client = api_client(world["actors"]["business_a"])
    hidden = world[key]
    listed = {row["id"] for row in client.get(f"/api/v1/{resource}/", {"page_size": 200}).json()["results"]}
    assert hidden.pk not in listed
    assert listed  # A's own object is there
    assert client.get(f"/api/v1/{resource}/{hidden.pk}/").status_code == 404
    by_entity = client.get(f"/api/v1/{resource}/", {"entity": world["entity_b"].pk}).json()
    assert by_entity["count"] == 0


@pytest.mark.django_db
def test_business_cannot_find_other_business_person_by_name(world):
    client = api_client(world["actors"]["business_a"])
    assert client.get("/api/v1/persons/", {"search": "乙法人"}).json()["count"] == 0
    assert client.get("/api/v1/persons/", {"search": "甲法人"}).json()["count"] == 1


@pytest.mark.django_db
def test_person_with_roles_at_both_entities_is_seen_once_by_business_a(world):
    """A shared person is A's person too, listed once (no duplicate rows from the join)."""
    shared = world["person_b"]
    PersonRoleFactory(entity=world["entity_a"], person=shared, role="principal")
    PersonRoleFactory(entity=world["entity_a"], person=shared, role="practitioner")
    client = api_client(world["actors"]["business_a"])
    rows = client.get("/api/v1/persons/").json()["results"]
    assert [row["id"] for row in rows].count(shared.pk) == 1
    # but B's role record itself stays hidden
    assert client.get(f"/api/v1/roles/{world['role_b'].pk}/").status_code == 404


@pytest.mark.django_db
def test_business_cannot_write_even_its_own_entity(world):
    client = api_client(world["actors"]["business_a"])
    entity_a = world["entity_a"]
    response = client.put(
        f"/api/v1/entities/{entity_a.pk}/",
        {"credit_code": entity_a.credit_code, "name": "自己改名", "sector": "tourism", "category": "travel_agency",
         "region_code": "140802"},
        format="json",
    )
    assert response.status_code == 403
    entity_a.refresh_from_db()
    assert entity_a.name != "自己改名"


@pytest.mark.django_db
def test_inspector_sees_only_entities_in_region_and_sector(world):
    inside = world["entity_a"]
    wellness_in_region = Entity.objects.create(
        credit_code=codes.credit_code("140802", _rng), name="盐湖区养老院", sector="wellness",
        category="elderly_care", region_code="140802",
    )
    tourism_in_taiyuan = Entity.objects.create(
        credit_code=codes.credit_code("140105", _rng), name="太原旅行社", sector="tourism",
        category="travel_agency", region_code="140105",
    )
    client = api_client(world["actors"]["inspector"])
    listed = {row["id"] for row in client.get("/api/v1/entities/").json()["results"]}
    assert inside.pk in listed
    assert wellness_in_region.pk not in listed
    assert tourism_in_taiyuan.pk not in listed
    # a filter cannot widen the scope
    widened = client.get("/api/v1/entities/", {"region_code": "14", "sector": ["tourism", "wellness"]}).json()
    assert {row["id"] for row in widened["results"]} == listed


@pytest.mark.django_db
def test_other_region_inspector_sees_no_person_of_entity_a(world):
    client = api_client(world["actors"]["inspector_other_region"])
    assert client.get("/api/v1/persons/").json()["count"] == 0
    assert client.get(f"/api/v1/persons/{world['person_a'].pk}/").status_code == 404
