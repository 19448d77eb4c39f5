"""Locust scenario of the load benchmark (``benchmarks/load.py`` runs it; see there).

Two user classes, chosen on the command line:

* ``ServiceUser``: the service mix. Public black-list queries (credit codes, Chinese
  substrings, pinyin and initials) and public operator pages, anonymous complaint
  filing, inspector writes (an inspection with one finding) and a business's
  self-service reads (``/me/`` and its entities' credit files).
* ``BareUser``: one trivial Django view (``benchmarks/bare_wsgi.py``), the baseline.

Everything the scenario needs (tokens, ids, codes, queries, the server's date) comes
as JSON in the environment variable ``LOAD_SCENARIO``, written by ``load.py``. Any
answer outside 2xx is a failure; so is a credit-code query of a published listing
that finds nothing.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random

from locust import FastHttpUser, constant, tag, task

SCENARIO: dict = json.loads(os.environ.get("LOAD_SCENARIO") or "{}")
_serial = itertools.count(1)


def _today() -> datetime.date:
    return datetime.date.fromisoformat(SCENARIO["today"]) if SCENARIO.get("today") else datetime.date.today()


def _check(response, *, expect_hits: bool = False) -> None:
    """Mark the response: 2xx passes; anything else fails with its status and the start of its body."""
    if not 200 <= response.status_code < 300:
        response.failure(f"HTTP {response.status_code}: {(response.text or '')[:200]}")
        return
    if expect_hits:
        try:
            count = response.json().get("count", 0)
        except ValueError:
            response.failure("not JSON")
            return
        if not count:
            response.failure("a published listing's credit code found nothing")
            return
    response.success()


class ServiceUser(FastHttpUser):
    """The service mix: mostly the public, then businesses, inspectors and complainants."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.inspector = {"Authorization": f"Token {SCENARIO['inspector_token']}"}
        self.business = {"Authorization": f"Token {SCENARIO['business_token']}"}
        self.rng = random.Random()

    # --- the public -----------------------------------------------------------------------
    @tag("public")
    @task(8)
    def public_blacklist(self) -> None:
        kind, query = self.rng.choice(SCENARIO["queries"])
        with self.client.get("/api/v1/public/blacklist/", params={"q": query}, name="public blacklist",
                             catch_response=True) as response:
            _check(response, expect_hits=kind == "listed_code")

    @tag("public")
    @task(4)
    def public_entity(self) -> None:
        code = self.rng.choice(SCENARIO["listed_codes"] if self.rng.random() < 0.5 else SCENARIO["entity_codes"])
        with self.client.get(f"/api/v1/public/entities/{code}/", name="public entity",
                             catch_response=True) as response:
            _check(response)

    @tag("public")
    @task(2)
    def complaint_filing(self) -> None:
        incident = _today() - datetime.timedelta(days=self.rng.randint(0, 80))
        body = {
            "entity_credit_code": self.rng.choice(SCENARIO["entity_codes"]),
            "category": self.rng.choice(["service_quality", "contract", "price", "forced_shopping", "other"]),
            "description": "导游擅自变更行程并强迫游客购物（压测数据）",
            "channel": self.rng.choice(["web", "hotline_12345", "hotline_12301"]),
            "complainant_name": "压测",
            "complainant_phone": f"139{self.rng.randint(0, 99_999_999):08d}",
            "incident_date": incident.isoformat(),
        }
        with self.client.post("/api/v1/complaints/", json=body, name="complaint filing",
                              catch_response=True) as response:
            _check(response)

    # --- inspectors -----------------------------------------------------------------------
    @tag("inspector")
    @task(2)
    def inspector_write(self) -> None:
        today = _today()
        body = {
            "entity": self.rng.choice(SCENARIO["inspect_entity_ids"]),
            "inspected_on": today.isoformat(),
            "kind": "targeted",
            "summary": "压测：现场检查",
            "findings": [{
                "violation_code": "no_written_contract",
                "severity": "general",
                "description": "未与旅游者签订书面合同（压测数据）",
                "penalty": "warning",
                "decision_number": f"晋文旅罚〔{today.year}〕L{os.getpid()}-{next(_serial)}号",
            }],
        }
        with self.client.post("/api/v1/inspections/", json=body, headers=self.inspector, name="inspector write",
                              catch_response=True) as response:
            _check(response)

    # --- a business's self-service ----------------------------------------------------------
    @tag("self-service")
    @task(2)
    def self_service_me(self) -> None:
        with self.client.get("/api/v1/me/", headers=self.business, name="self-service me",
                             catch_response=True) as response:
            _check(response)

    @tag("self-service")
    @task(3)
    def self_service_credit(self) -> None:
        entity_id = self.rng.choice(SCENARIO["business_entity_ids"])
        with self.client.get(f"/api/v1/entities/{entity_id}/credit/", headers=self.business,
                             name="self-service credit", catch_response=True) as response:
            _check(response)


class BareUser(FastHttpUser):
    """The baseline: a view that returns ``ok`` through the same gunicorn, settings and middleware."""

    wait_time = constant(0)

    @task
    def bare(self) -> None:
        with self.client.get("/bare/", name="bare django view", catch_response=True) as response:
            _check(response)
