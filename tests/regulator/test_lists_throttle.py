"""Public endpoints are throttled per client (API.md, Public: no auth, throttled)."""

from __future__ import annotations

import pytest

from config.api.throttles import PublicThrottle
from tests.support import api_client
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

PUBLIC_GETS = [
    "/api/v1/public/blacklist/",
    "/api/v1/public/redlist/",
    "/api/v1/public/changes/",
    "/api/v1/public/exports/manifest.json",
    "/api/v1/public/receipts/key/",
]


@pytest.fixture
def three_per_minute(settings, monkeypatch):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    # DRF copies DEFAULT_THROTTLE_RATES into SimpleRateThrottle.THROTTLE_RATES when rest_framework.throttling is
    # first imported, so the settings override alone only works if no earlier test loaded it: pin the class too.
    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", rates)


@pytest.mark.parametrize("path", PUBLIC_GETS)
def test_a_public_endpoint_answers_429_after_the_rate(path, three_per_minute, anon_client):
    assert [anon_client.get(path).status_code for _ in range(3)] == [200, 200, 200]
    response = anon_client.get(path)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


def test_the_entity_page_and_receipt_check_are_throttled_too(three_per_minute, entity_a, anon_client):
    for _ in range(3):
        assert anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").status_code == 200
    assert anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").status_code == 429
    verify = anon_client.post("/api/v1/public/receipts/verify/", {"payload": {}, "signature": "x"}, format="json")
    assert verify.status_code == 429  # one budget per client across the public endpoints


def test_the_rate_is_per_client_address(three_per_minute):
    first, second = api_client(REMOTE_ADDR="10.0.0.1"), api_client(REMOTE_ADDR="10.0.0.2")
    for _ in range(3):
        assert first.get("/api/v1/public/blacklist/").status_code == 200
    assert first.get("/api/v1/public/blacklist/").status_code == 429
    assert second.get("/api/v1/public/blacklist/").status_code == 200


def test_a_token_does_not_lift_the_public_throttle(three_per_minute, regulator):
    client = api_client(regulator, token=True)
    assert client.get("/api/v1/listings/").status_code == 200  # the token is good
    for _ in range(3):
        assert client.get("/api/v1/public/blacklist/").status_code == 200
    assert client.get("/api/v1/public/blacklist/").status_code == 429


def test_staff_endpoints_are_not_under_the_public_rate(three_per_minute, regulator_client):
    assert {regulator_client.get("/api/v1/listings/").status_code for _ in range(6)} == {200}
