"""Liveness at /healthz (API.md: Conventions): 200 with database and broker status, 503 naming what is down."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from config import health
from config.celery_app import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_200_with_database_and_broker_ok(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


def test_healthz_needs_no_auth_and_is_never_cached(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response.headers["Cache-Control"]


def test_healthz_only_answers_get(anon_client):
    assert anon_client.post("/healthz").status_code == 405


def test_broker_down_is_503_naming_the_broker(anon_client, monkeypatch, tmp_path):
    """Point the Celery app at a socket nobody listens on: the real check must notice."""
    monkeypatch.setitem(celery_app.conf, "broker_write_url", f"redis+socket://{tmp_path / 'dead.sock'}")
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"] != "ok"
    assert body["broker"]  # the error's name, so an operator knows what failed
    assert body["database"] == "ok"


def test_broker_check_failure_is_503_naming_the_broker(anon_client, monkeypatch):
    monkeypatch.setattr(health, "_broker_ok", lambda: (False, "OperationalError"))
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "OperationalError"
    assert response.json()["database"] == "ok"


class _DeadConnection:
    def cursor(self):
        raise OperationalError("connection refused")


def test_database_down_is_503_naming_the_database(anon_client, monkeypatch):
    monkeypatch.setattr(health, "connection", _DeadConnection())
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "OperationalError"
    assert body["broker"] == "ok"


def test_database_check_failure_is_503_naming_the_database(anon_client, monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: (False, "InterfaceError"))
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "InterfaceError"


def test_both_down_names_both(anon_client, monkeypatch):
    monkeypatch.setattr(health, "_database_ok", lambda: (False, "OperationalError"))
    monkeypatch.setattr(health, "_broker_ok", lambda: (False, "ConnectionRefusedError"))
    body = anon_client.get("/healthz").json()
    assert body["database"] == "OperationalError"
    assert body["broker"] == "ConnectionRefusedError"
