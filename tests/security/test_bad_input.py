"""Bad input never gives a 500: every malformed write is a 4xx naming the field, and nothing is stored.

Each row is one malformed body sent by a regulator (the only role that may
write) to POST (the list), PUT or PATCH (an existing record). After the
answer, every row of the table is exactly as before.
"""

from __future__ import annotations

import datetime
import random

import pytest
from stdnum.cn import ric

from core.models import User
from entities import codes
from entities.models import Entity, Licence, Person, PersonRole
from tests.support.factories import LicenceFactory, PersonRoleFactory

pytestmark = pytest.mark.django_db

_rng = random.Random(20250301)
BIG = "旅" * 34_000  # ~100 KB of UTF-8
BIG_ASCII = "x" * 102_400
NUL = "山西\x00运城"


def _id_number(birth: datetime.date = datetime.date(2001, 5, 6)) -> str:
    return codes.id_number("140802", birth, _rng)


def _wrong_check_digit(number: str) -> str:
    right = number[-1]
    return number[:-1] + ("0" if right != "0" else "1")


def _with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


@pytest.fixture
def world(db, entity_a, entity_b, business_a, regulator):
    role = PersonRoleFactory(entity=entity_a, started_on=datetime.date(2020, 1, 1))
    return {
        "entities": entity_a,
        "other_entity": entity_b,
        "persons": role.person,
        "roles": role,
        "licences": LicenceFactory(entity=entity_a, number="L-A-1"),
        "other_licence": LicenceFactory(entity=entity_b, number="L-B-1"),
        "users": business_a,
    }


def _valid_body(resource: str, world) -> dict:
    """A complete, valid body for POST (and for PUT, with the record's own identifiers)."""
    if resource == "entities":
        return {"credit_code": codes.credit_code("140802", _rng), "name": "运城新旅行社", "sector": "tourism",
                "category": "travel_agency", "region_code": "140802", "address": "解放路2号"}
    if resource == "persons":
        return {"name": "钱一", "id_number": _id_number()}
    if resource == "roles":
        return {"entity": world["entities"].pk, "person": world["persons"].pk, "role": "principal",
                "started_on": "2021-01-01"}
    if resource == "licences":
        return {"entity": world["entities"].pk, "licence_type": "tour_guide", "number": "D-NEW-1",
                "issued_on": "2024-01-01"}
    return {"username": "newcomer", "password": "Yuncheng-2025!", "role": "business"}


def _put_body(resource: str, world) -> dict:
    body = _valid_body(resource, world)
    if resource == "entities":
        body["credit_code"] = world["entities"].credit_code
    if resource == "persons":
        body.pop("id_number")  # set once, never changed
    if resource == "licences":
        body["number"] = world["licences"].number
    if resource == "users":
        body["username"] = world["users"].username
        body.pop("password")
    return body


MODELS = {"entities": Entity, "persons": Person, "roles": PersonRole, "licences": Licence, "users": User}


def _snapshot() -> dict:
    """Every row of every table these endpoints write, so a write that slipped through shows."""
    tables = {name: list(model.objects.order_by("pk").values()) for name, model in MODELS.items()}
    tables["user_entities"] = list(User.entities.through.objects.order_by("pk").values())
    return tables


ALL = ("post", "put", "patch")
POST = ("post",)

# (resource, methods, case id, body overrides, fields of which the answer must name one)
CASES = [
    # --- entities
    ("entities", ALL, "name-is-a-list", {"name": ["运城", "旅行社"]}, {"name"}),
    ("entities", ALL, "name-is-an-object", {"name": {"zh": "旅行社"}}, {"name"}),
    ("entities", ALL, "name-100kb", {"name": BIG}, {"name"}),
    ("entities", ALL, "name-with-nul", {"name": NUL}, {"name"}),
    ("entities", ALL, "name-null", {"name": None}, {"name"}),
    ("entities", ALL, "name-blank", {"name": "   "}, {"name"}),
    ("entities", ALL, "sector-unknown", {"sector": "mining"}, {"sector"}),
    ("entities", ALL, "sector-is-a-number", {"sector": 3}, {"sector"}),
    ("entities", ALL, "category-unknown", {"category": "casino"}, {"category"}),
    ("entities", ALL, "category-not-of-sector", {"sector": "wellness", "category": "hotel"}, {"category"}),
    ("entities", ALL, "category-of-other-sector", {"category": "elderly_care"}, {"category"}),
    ("entities", ALL, "status-unknown", {"status": "closed"}, {"status"}),
    ("entities", ALL, "region-unknown-149999", {"region_code": "149999"}, {"region_code"}),
    ("entities", ALL, "region-abolished-142700", {"region_code": "142700"}, {"region_code"}),
    ("entities", ALL, "region-prefix-only", {"region_code": "1408"}, {"region_code"}),
    ("entities", ALL, "region-letters", {"region_code": "14O8O2"}, {"region_code"}),
    ("entities", ALL, "region-100kb", {"region_code": BIG_ASCII}, {"region_code"}),
    ("entities", ALL, "region-with-nul", {"region_code": "1408\x0002"}, {"region_code"}),
    ("entities", ALL, "credit-code-check-digit", {"credit_code": "91110000600037341M"}, {"credit_code"}),
    ("entities", ALL, "credit-code-17-chars", {"credit_code": "91110000600037341"}, {"credit_code"}),
    ("entities", ALL, "credit-code-letter-I", {"credit_code": "9111000060003734IL"}, {"credit_code"}),
    ("entities", ALL, "credit-code-is-a-number", {"credit_code": 911100006000373410}, {"credit_code"}),
    ("entities", ALL, "credit-code-100kb", {"credit_code": BIG_ASCII}, {"credit_code"}),
    ("entities", ALL, "credit-code-with-nul", {"credit_code": "91110000600037341\x00"}, {"credit_code"}),
    ("entities", ALL, "address-100kb", {"address": BIG}, {"address"}),
    ("entities", ALL, "address-with-nul", {"address": NUL}, {"address"}),
    # --- persons (the ID number is write-once: only POST takes it)
    ("persons", ALL, "name-is-a-list", {"name": ["张", "三"]}, {"name"}),
    ("persons", ALL, "name-100kb", {"name": BIG}, {"name"}),
    ("persons", ALL, "name-with-nul", {"name": NUL}, {"name"}),
    ("persons", ALL, "name-null", {"name": None}, {"name"}),
    ("persons", POST, "id-number-check-digit", {"id_number": _wrong_check_digit(_id_number())}, {"id_number"}),
    ("persons", POST, "id-number-17-digits", {"id_number": _id_number()[:17]}, {"id_number"}),
    ("persons", POST, "id-number-unknown-place",
     {"id_number": _with_check_digit("14999920010506123")}, {"id_number"}),
    ("persons", POST, "id-number-month-13", {"id_number": _with_check_digit("14010019901301123")}, {"id_number"}),
    ("persons", POST, "id-number-born-in-future",
     {"id_number": _with_check_digit("14010020990101123")}, {"id_number"}),
    ("persons", POST, "id-number-is-a-number", {"id_number": 140100199001011234}, {"id_number"}),
    ("persons", POST, "id-number-is-a-list", {"id_number": ["140100199001011234"]}, {"id_number"}),
    ("persons", POST, "id-number-100kb", {"id_number": "1" * 102_400}, {"id_number"}),
    ("persons", POST, "id-number-with-nul", {"id_number": "14010019900101\x00123"}, {"id_number"}),
    ("persons", POST, "id-number-missing", {"id_number": None}, {"id_number"}),
    # --- roles
    ("roles", ALL, "entity-is-a-string", {"entity": "abc"}, {"entity"}),
    ("roles", ALL, "entity-is-a-list", {"entity": [1]}, {"entity"}),
    ("roles", ALL, "entity-does-not-exist", {"entity": 987654321}, {"entity"}),
    ("roles", ALL, "entity-overflows-bigint", {"entity": 99999999999999999999999}, {"entity"}),
    ("roles", ALL, "entity-negative", {"entity": -1}, {"entity"}),
    ("roles", ALL, "person-is-a-string", {"person": "张三"}, {"person"}),
    ("roles", ALL, "person-does-not-exist", {"person": 987654321}, {"person"}),
    ("roles", ALL, "role-unknown", {"role": "boss"}, {"role"}),
    ("roles", ALL, "started-on-month-13", {"started_on": "2024-13-01"}, {"started_on"}),
    ("roles", ALL, "started-on-is-a-number", {"started_on": 20240101}, {"started_on"}),
    ("roles", ALL, "started-on-null", {"started_on": None}, {"started_on"}),
    ("roles", ALL, "started-on-100kb", {"started_on": BIG_ASCII}, {"started_on"}),
    ("roles", ALL, "ended-before-started", {"started_on": "2024-01-01", "ended_on": "2023-12-31"}, {"ended_on"}),
    ("roles", ("patch",), "ended-before-stored-start", {"ended_on": "2019-12-31"}, {"ended_on"}),
    # --- licences
    ("licences", ALL, "entity-is-a-string", {"entity": "entity-a"}, {"entity"}),
    ("licences", ALL, "entity-does-not-exist", {"entity": 987654321}, {"entity"}),
    ("licences", ALL, "licence-type-unknown", {"licence_type": "fishing"}, {"licence_type"}),
    ("licences", ALL, "number-100kb", {"number": BIG_ASCII}, {"number"}),
    ("licences", ALL, "number-with-nul", {"number": "L\x001"}, {"number"}),
    ("licences", ALL, "number-is-a-list", {"number": ["L-1"]}, {"number"}),
    ("licences", ALL, "issued-on-not-a-date", {"issued_on": "yesterday"}, {"issued_on"}),
    ("licences", ALL, "expires-before-issued", {"issued_on": "2024-01-02", "expires_on": "2024-01-01"}, {"expires_on"}),
    ("licences", ALL, "status-unknown", {"status": "lost"}, {"status"}),
    # --- users
    ("users", ALL, "username-is-a-list", {"username": ["a", "b"]}, {"username"}),
    ("users", ALL, "username-100kb", {"username": BIG_ASCII}, {"username"}),
    ("users", ALL, "username-with-nul", {"username": "bad\x00name"}, {"username"}),
    ("users", ALL, "username-with-spaces", {"username": "bad name!"}, {"username"}),
    ("users", ALL, "username-taken", {"username": "regulator"}, {"username"}),
    ("users", ALL, "password-100kb", {"password": BIG_ASCII}, {"password"}),
    ("users", ALL, "password-with-nul", {"password": "Yuncheng\x002025!"}, {"password"}),
    ("users", ALL, "password-is-a-list", {"password": ["Yuncheng-2025!"]}, {"password"}),
    ("users", ALL, "password-too-short", {"password": "Yc-1"}, {"password"}),
    ("users", ALL, "password-too-common", {"password": "password123"}, {"password"}),
    ("users", ALL, "password-all-digits", {"password": "73019284651"}, {"password"}),
    ("users", ALL, "role-unknown", {"role": "god"}, {"role"}),
    ("users", ALL, "region-codes-not-a-list",
     {"role": "inspector", "region_codes": "1408", "sectors": ["tourism"]}, {"region_codes"}),
    ("users", ALL, "region-code-unknown",
     {"role": "inspector", "region_codes": ["149999"], "sectors": ["tourism"]}, {"region_codes"}),
    ("users", ALL, "region-code-abolished",
     {"role": "inspector", "region_codes": ["142700"], "sectors": ["tourism"]}, {"region_codes"}),
    ("users", ALL, "region-code-nested-list",
     {"role": "inspector", "region_codes": [["14"]], "sectors": ["tourism"]}, {"region_codes"}),
    ("users", ALL, "region-code-100kb",
     {"role": "inspector", "region_codes": [BIG_ASCII], "sectors": ["tourism"]}, {"region_codes"}),
    ("users", ALL, "inspector-without-regions", {"role": "inspector", "sectors": ["tourism"]}, {"region_codes"}),
    ("users", ALL, "inspector-without-sectors", {"role": "inspector", "region_codes": ["1408"]}, {"sectors"}),
    ("users", ALL, "sector-unknown",
     {"role": "inspector", "region_codes": ["1408"], "sectors": ["mining"]}, {"sectors"}),
    ("users", ALL, "entities-not-ids", {"entities": ["abc"]}, {"entities"}),
    ("users", ALL, "entities-do-not-exist", {"entities": [987654321]}, {"entities"}),
    ("users", ALL, "entities-not-a-list", {"entities": 1}, {"entities"}),
    ("users", ALL, "is-active-not-a-bool", {"is_active": "maybe"}, {"is_active"}),
    ("users", ALL, "email-invalid", {"email": "not-an-email"}, {"email"}),
]


def _rows() -> list:
    return [
        pytest.param(resource, method, overrides, fields, id=f"{resource}-{method}-{case}")
        for resource, methods, case, overrides, fields in CASES
        for method in methods
    ]


def _send(client, method: str, resource: str, world, payload):
    if method == "post":
        return client.post(f"/api/v1/{resource}/", payload, format="json")
    return getattr(client, method)(f"/api/v1/{resource}/{world[resource].pk}/", payload, format="json")


@pytest.mark.parametrize("resource,method,overrides,fields", _rows())
def test_malformed_field_is_4xx_naming_the_field_and_stores_nothing(
    regulator_client, world, resource, method, overrides, fields
):
    if method == "post":
        payload = {**_valid_body(resource, world), **overrides}
    elif method == "put":
        payload = {**_put_body(resource, world), **overrides}
    else:
        payload = dict(overrides)
    before = _snapshot()

    response = _send(regulator_client, method, resource, world, payload)

    assert 400 <= response.status_code < 500, response.content[:500]
    body = response.json()
    assert fields & set(body), body
    assert body["code"]
    assert _snapshot() == before


# --- duplicates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ALL)
def test_duplicate_credit_code_is_rejected_naming_credit_code(regulator_client, world, method):
    taken = world["other_entity"].credit_code
    if method == "post":
        payload = {**_valid_body("entities", world), "credit_code": taken}
    elif method == "put":
        payload = {**_put_body("entities", world), "credit_code": taken}
    else:
        payload = {"credit_code": taken.lower()}  # normalised before the uniqueness check
    before = _snapshot()
    response = _send(regulator_client, method, "entities", world, payload)
    assert response.status_code in (400, 409)
    body = response.json()
    assert "credit_code" in body if response.status_code == 400 else {"detail", "code"} <= set(body)
    assert _snapshot() == before


@pytest.mark.parametrize("method", ALL)
def test_duplicate_licence_number_is_rejected(regulator_client, world, method):
    other = world["other_licence"]
    dup = {"licence_type": other.licence_type, "number": other.number}
    if method == "post":
        payload = {**_valid_body("licences", world), **dup}
    elif method == "put":
        payload = {**_put_body("licences", world), **dup}
    else:
        payload = dup
    before = _snapshot()
    response = _send(regulator_client, method, "licences", world, payload)
    assert response.status_code in (400, 409)
    assert response.json()["code"]
    assert _snapshot() == before


def test_duplicate_person_is_409_and_stores_nothing(regulator_client, world):
    number = _id_number()
    created = regulator_client.post("/api/v1/persons/", {"name": "孙二", "id_number": number}, format="json")
    assert created.status_code == 201
    before = _snapshot()
    response = regulator_client.post("/api/v1/persons/", {"name": "孙贰", "id_number": number}, format="json")
    assert response.status_code == 409
    assert response.json()["id"] == created.json()["id"]
    assert _snapshot() == before


# --- bodies that are not JSON objects ------------------------------------------------------------

RESOURCES = ("entities", "persons", "roles", "licences", "users")
BROKEN_JSON = {
    "truncated": '{"name": "运城',
    "single-quotes": "{'name': 'x'}",
    "trailing-comma": '{"name": "x",}',
    "nan": '{"name": NaN}',
    "bare-word": "hello",
    "invalid-utf8": b'{"name": "\xff\xfe"}',
    "deeply-nested": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("case", BROKEN_JSON)
def test_broken_json_is_400_with_detail_and_code(regulator_client, world, resource, method, case):
    url = f"/api/v1/{resource}/" if method == "post" else f"/api/v1/{resource}/{world[resource].pk}/"
    before = _snapshot()
    response = getattr(regulator_client, method)(url, BROKEN_JSON[case], content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert {"detail", "code"} <= set(body)
    assert body["code"] == "parse_error"
    assert _snapshot() == before


NOT_AN_OBJECT = {"list": "[]", "number": "42", "string": '"运城"', "null": "null", "list-of-objects": '[{"name": "x"}]'}


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ALL)
@pytest.mark.parametrize("case", NOT_AN_OBJECT)
def test_json_that_is_not_an_object_is_400(regulator_client, world, resource, method, case):
    url = f"/api/v1/{resource}/" if method == "post" else f"/api/v1/{resource}/{world[resource].pk}/"
    before = _snapshot()
    response = getattr(regulator_client, method)(url, NOT_AN_OBJECT[case], content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert "non_field_errors" in body or "detail" in body
    assert body["code"]
    assert _snapshot() == before


@pytest.mark.parametrize("resource", RESOURCES)
def test_unsupported_media_type_is_415(regulator_client, world, resource):
    before = _snapshot()
    response = regulator_client.post(f"/api/v1/{resource}/", "name=x", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert _snapshot() == before


# --- malformed query parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/entities/?search=%00",
        "/api/v1/entities/?credit_code=%00",
        "/api/v1/entities/?region_code=%00",
        "/api/v1/entities/?search=" + "旅" * 5000,
        "/api/v1/entities/?page=abc",
        "/api/v1/entities/?page=-1",
        "/api/v1/entities/?page_size=abc",
        "/api/v1/entities/?page_size=-5",
        "/api/v1/entities/?ordering=password",
        "/api/v1/entities/?created_after=notadate",
        "/api/v1/persons/?entity=abc",
        "/api/v1/persons/?entity=99999999999999999999999",
        "/api/v1/roles/?entity=abc",
        "/api/v1/roles/?person=99999999999999999999999",
        "/api/v1/roles/?current=perhaps",
        "/api/v1/roles/?started_after=2024-13-01",
        "/api/v1/licences/?entity=-1",
        "/api/v1/licences/?licence_type=fishing",
        "/api/v1/licences/?expires_before=%00",
        "/api/v1/users/?role=god",
        "/api/v1/entities/99999999999999999999999/",
        "/api/v1/persons/abc/",
    ],
)
def test_malformed_query_is_never_a_500(regulator_client, world, url):
    response = regulator_client.get(url)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.json()["code"]


def test_bad_update_of_entity_leaves_its_search_keys_alone(regulator_client, world):
    entity = world["entities"]
    response = regulator_client.patch(
        f"/api/v1/entities/{entity.pk}/", {"name": "新名字", "region_code": "149999"}, format="json"
    )
    assert response.status_code == 400
    found = regulator_client.get("/api/v1/entities/", {"search": "新名字"}).json()
    assert found["count"] == 0
    entity.refresh_from_db()
    assert entity.name == "盐湖区甲旅行社有限公司"


def test_valid_bodies_of_this_suite_are_accepted(regulator_client, world):
    """The rows above fail for their one bad field only: the same bodies without it succeed."""
    for resource in RESOURCES:
        response = regulator_client.post(f"/api/v1/{resource}/", _valid_body(resource, world), format="json")
        assert response.status_code == 201, (resource, response.content)
        response = regulator_client.put(
            f"/api/v1/{resource}/{world[resource].pk}/", _put_body(resource, world), format="json"
        )
        assert response.status_code == 200, (resource, response.content)
