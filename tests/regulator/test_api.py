"""Accounts and token auth (API.md: Conventions, Accounts)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.models import User, UserRole
from tests.support import api_client
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

PASSWORD = "correct-horse-battery"  # the factories' password
USER_FIELDS = {"id", "username", "role", "region_codes", "sectors", "entities"}


def obtain_token(username: str, password: str):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


# --- token auth ----------------------------------------------------------------------------------


def test_token_login_returns_a_token_that_authenticates_requests(regulator):
    response = obtain_token("regulator", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.filter(user=regulator).count() == 1  # knox stores a digest, never the token
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/users/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "regulator"
    assert client.get("/api/v1/users/").status_code == 200


def test_each_login_issues_a_new_token_and_both_authenticate(regulator):
    first, second = (obtain_token("regulator", PASSWORD).json()["token"] for _ in range(2))
    assert first != second
    for token in (first, second):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert client.get("/api/v1/users/me/").status_code == 200


def test_token_login_reads_json_only_like_the_rest_of_the_api(regulator):
    """The schema offers one body type (a generated client sends exactly that); a form is 415, not a login."""
    credentials = {"username": "regulator", "password": PASSWORD}
    as_json = APIClient().post("/api/v1/auth/token/", credentials, format="json")
    assert as_json.status_code == 200 and "token" in as_json.json()
    as_form = APIClient().post("/api/v1/auth/token/", urlencode(credentials),
                               content_type="application/x-www-form-urlencoded")
    assert as_form.status_code == 415 and "token" not in as_form.json()


def test_wrong_password_is_400_without_a_token(regulator):
    response = obtain_token("regulator", "wrong-password-123")
    assert response.status_code == 400
    body = response.json()
    assert "token" not in body
    assert body["code"] == "invalid"
    assert not AuthToken.objects.filter(user=regulator).exists()


def test_unknown_username_is_400(db):
    response = obtain_token("nobody", PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()


def test_missing_password_is_400_naming_password(regulator):
    response = APIClient().post("/api/v1/auth/token/", {"username": "regulator"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_broken_json_to_token_endpoint_is_400_with_detail_and_code(db):
    response = APIClient().post("/api/v1/auth/token/", '{"username": "x", ', content_type="application/json")
    assert response.status_code == 400
    assert {"detail", "code"} <= set(response.json())


def test_invalid_token_is_401(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/entities/")
    assert response.status_code == 401
    assert {"detail", "code"} <= set(response.json())


def test_token_of_a_deactivated_user_stops_working(regulator):
    token = obtain_token("regulator", PASSWORD).json()["token"]
    regulator.is_active = False
    regulator.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/users/me/").status_code == 401
    assert obtain_token("regulator", PASSWORD).status_code == 400


def test_anonymous_request_is_401_with_www_authenticate(anon_client):
    response = anon_client.get("/api/v1/users/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"].startswith("Token")


def test_login_is_throttled_per_client(regulator, settings):
    settings.AXES_FAILURE_LIMIT = 100  # the account lockout has its own tests (tests/trust); this one is the rate
    client = APIClient()
    statuses = [
        client.post("/api/v1/auth/token/", {"username": "regulator", "password": "nope"}, format="json").status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [400] * 30
    assert statuses[30] == 429
    # even the right password is refused until the window passes
    blocked = client.post("/api/v1/auth/token/", {"username": "regulator", "password": PASSWORD}, format="json")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


# --- users CRUD: regulator only ------------------------------------------------------------------


def test_regulator_lists_and_retrieves_users(regulator_client, regulator, inspector, business_a):
    listing = regulator_client.get("/api/v1/users/")
    assert listing.status_code == 200
    body = listing.json()
    assert {"count", "next", "previous", "results"} == set(body)
    assert {row["username"] for row in body["results"]} >= {"regulator", "inspector", "business_a"}
    detail = regulator_client.get(f"/api/v1/users/{inspector.pk}/").json()
    assert USER_FIELDS <= set(detail)
    assert detail["role"] == "inspector"
    assert detail["region_codes"] == ["1408"]
    assert detail["sectors"] == ["tourism"]
    assert "password" not in detail


def test_regulator_filters_users_by_role(regulator_client, regulator, inspector, business_a):
    body = regulator_client.get("/api/v1/users/", {"role": "business"}).json()
    assert [row["username"] for row in body["results"]] == ["business_a"]


def test_regulator_creates_business_account_linked_to_entities(regulator_client, entity_a, entity_b):
    response = regulator_client.post(
        "/api/v1/users/",
        {"username": "hotel_owner", "password": "Yuncheng-2025!", "role": "business",
         "entities": [entity_a.pk, entity_b.pk]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert sorted(body["entities"]) == sorted([entity_a.pk, entity_b.pk])
    user = User.objects.get(username="hotel_owner")
    assert set(user.entities.values_list("pk", flat=True)) == {entity_a.pk, entity_b.pk}


def test_password_is_write_only_and_stored_hashed(regulator_client):
    response = regulator_client.post(
        "/api/v1/users/",
        {"username": "new_reg", "password": "Yuncheng-2025!", "role": "regulator"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert "password" not in response.json()
    assert "Yuncheng-2025!" not in response.content.decode()
    user = User.objects.get(username="new_reg")
    assert user.password != "Yuncheng-2025!"
    assert "Yuncheng-2025!" not in user.password
    assert user.password.startswith("md5$")  # the test hasher; production uses the default
    assert user.check_password("Yuncheng-2025!")
    assert obtain_token("new_reg", "Yuncheng-2025!").status_code == 200


def test_regulator_changes_a_password_with_patch(regulator_client, business_a):
    response = regulator_client.patch(
        f"/api/v1/users/{business_a.pk}/", {"password": "Another-Secret-77"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert "password" not in response.json()
    business_a.refresh_from_db()
    assert business_a.check_password("Another-Secret-77")
    assert obtain_token("business_a", PASSWORD).status_code == 400


def test_patch_without_password_keeps_the_password(regulator_client, business_a):
    response = regulator_client.patch(f"/api/v1/users/{business_a.pk}/", {"first_name": "甲"}, format="json")
    assert response.status_code == 200
    business_a.refresh_from_db()
    assert business_a.first_name == "甲"
    assert business_a.check_password(PASSWORD)


def test_new_account_without_password_is_400_naming_password(regulator_client):
    response = regulator_client.post("/api/v1/users/", {"username": "nopass", "role": "business"}, format="json")
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="nopass").exists()


@pytest.mark.parametrize("password", ["12345678901", "password123", "short"])
def test_weak_password_is_400_naming_password(regulator_client, password):
    response = regulator_client.post(
        "/api/v1/users/", {"username": "weakling", "password": password, "role": "business"}, format="json"
    )
    assert response.status_code == 400
    assert "password" in response.json()
    assert not User.objects.filter(username="weakling").exists()


def test_regulator_deactivates_an_account(regulator_client, business_a):
    response = regulator_client.patch(f"/api/v1/users/{business_a.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    business_a.refresh_from_db()
    assert business_a.is_active is False
    assert obtain_token("business_a", PASSWORD).status_code == 400


def test_accounts_are_never_deleted_through_the_api(regulator_client, business_a):
    assert regulator_client.delete(f"/api/v1/users/{business_a.pk}/").status_code == 405
    assert User.objects.filter(pk=business_a.pk).exists()


@pytest.mark.parametrize("actor", ["business_a", "inspector"])
@pytest.mark.parametrize("method,detail", [("get", False), ("get", True), ("post", False), ("patch", True)])
def test_non_regulators_cannot_manage_users(request, actor, method, detail, regulator):
    user = request.getfixturevalue(actor)
    url = f"/api/v1/users/{regulator.pk}/" if detail else "/api/v1/users/"
    body = {"username": "intruder", "password": "Yuncheng-2025!", "role": "regulator"}
    response = getattr(api_client(user), method)(url, body, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not User.objects.filter(username="intruder").exists()
    regulator.refresh_from_db()
    assert regulator.username == "regulator"


@pytest.mark.parametrize("method,detail", [("get", False), ("get", True), ("post", False), ("patch", True)])
def test_anonymous_cannot_manage_users(anon_client, regulator, method, detail):
    url = f"/api/v1/users/{regulator.pk}/" if detail else "/api/v1/users/"
    body = {"username": "intruder", "password": "Yuncheng-2025!", "role": "regulator"}
    response = getattr(anon_client, method)(url, body, format="json")
    assert response.status_code == 401
    assert not User.objects.filter(username="intruder").exists()


def test_business_cannot_promote_itself_to_regulator(business_a):
    response = api_client(business_a).patch(f"/api/v1/users/{business_a.pk}/", {"role": "regulator"}, format="json")
    assert response.status_code == 403
    business_a.refresh_from_db()
    assert business_a.role == UserRole.BUSINESS


# --- inspector scope -----------------------------------------------------------------------------


def test_regulator_creates_inspector_with_scope(regulator_client):
    response = regulator_client.post(
        "/api/v1/users/",
        {"username": "insp2", "password": "Yuncheng-2025!", "role": "inspector",
         "region_codes": ["140802", "1401", "1401"], "sectors": ["wellness", "tourism"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_codes"] == ["1401", "140802"]  # de-duplicated and sorted
    assert body["sectors"] == ["tourism", "wellness"]
    assert User.objects.get(username="insp2").region_codes == ["1401", "140802"]


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"sectors": ["tourism"]}, "region_codes"),
        ({"sectors": ["tourism"], "region_codes": []}, "region_codes"),
        ({"region_codes": ["1408"]}, "sectors"),
        ({"region_codes": ["1408"], "sectors": []}, "sectors"),
    ],
)
def test_inspector_without_scope_is_400_naming_the_field(regulator_client, payload, field):
    response = regulator_client.post(
        "/api/v1/users/",
        {"username": "insp3", "password": "Yuncheng-2025!", "role": "inspector", **payload},
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.filter(username="insp3").exists()


@pytest.mark.parametrize("prefix", ["1499", "149999", "142700", "149", "1", "abcd", "14080", ""])
def test_invalid_region_prefix_is_400_naming_region_codes(regulator_client, prefix):
    response = regulator_client.post(
        "/api/v1/users/",
        {"username": "insp4", "password": "Yuncheng-2025!", "role": "inspector",
         "region_codes": [prefix], "sectors": ["tourism"]},
        format="json",
    )
    assert response.status_code == 400
    assert "region_codes" in response.json()
    assert not User.objects.filter(username="insp4").exists()


def test_removing_an_inspectors_regions_is_400(regulator_client, inspector):
    response = regulator_client.patch(f"/api/v1/users/{inspector.pk}/", {"region_codes": []}, format="json")
    assert response.status_code == 400
    assert "region_codes" in response.json()
    inspector.refresh_from_db()
    assert inspector.region_codes == ["1408"]


def test_turning_a_business_into_inspector_requires_scope(regulator_client, business_a):
    response = regulator_client.patch(f"/api/v1/users/{business_a.pk}/", {"role": "inspector"}, format="json")
    assert response.status_code == 400
    assert {"region_codes", "sectors"} <= set(response.json())
    business_a.refresh_from_db()
    assert business_a.role == UserRole.BUSINESS


# --- /users/me/ ----------------------------------------------------------------------------------


def test_me_for_regulator(regulator_client):
    body = regulator_client.get("/api/v1/users/me/").json()
    assert body["username"] == "regulator"
    assert body["role"] == "regulator"
    assert body["is_superuser"] is False
    assert "password" not in body


def test_me_for_inspector_shows_scope(inspector_client):
    body = inspector_client.get("/api/v1/users/me/").json()
    assert body["role"] == "inspector"
    assert body["region_codes"] == ["1408"]
    assert body["sectors"] == ["tourism"]


def test_me_for_business_shows_its_entities_only(business_a, entity_a, entity_b):
    response = api_client(business_a).get("/api/v1/users/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "business"
    assert body["entities"] == [entity_a.pk]
    assert "password" not in body


def test_me_is_not_paginated_and_is_one_object(business_a):
    body = api_client(business_a).get("/api/v1/users/me/").json()
    assert "results" not in body
    assert body["id"] == business_a.pk


# --- superuser -----------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    """As ``manage.py createsuperuser`` makes it: the model's default role is business."""
    return User.objects.create_superuser(username="root", email="root@example.cn", password=PASSWORD)


def test_superuser_acts_as_regulator_everywhere(superuser, entity_a):
    assert superuser.role == UserRole.BUSINESS
    outsider = EntityFactory(region_code="140105")
    client = api_client(superuser)
    me = client.get("/api/v1/users/me/").json()
    assert me["role"] == "regulator"
    assert me["is_superuser"] is True
    assert client.get("/api/v1/users/").status_code == 200
    entity_ids = {row["id"] for row in client.get("/api/v1/entities/").json()["results"]}
    assert {entity_a.pk, outsider.pk} <= entity_ids
    response = client.patch(f"/api/v1/entities/{entity_a.pk}/", {"address": "超级用户改的地址"}, format="json")
    assert response.status_code == 200
    entity_a.refresh_from_db()
    assert entity_a.address == "超级用户改的地址"


def test_superuser_can_log_in_with_a_token(superuser):
    token = obtain_token("root", PASSWORD).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post(
        "/api/v1/users/", {"username": "made_by_root", "password": "Yuncheng-2025!", "role": "business"}, format="json"
    ).status_code == 201


def test_deactivated_regulator_loses_regulator_rights(regulator):
    regulator.is_active = False
    regulator.save()
    other = UserFactory(role=UserRole.BUSINESS)
    response = api_client(regulator).get(f"/api/v1/users/{other.pk}/")
    assert response.status_code in (401, 403)
