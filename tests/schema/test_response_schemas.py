"""Real answers match their documented response schemas (issue #17 item 6: no operation answers "no schema").

Each operation that once had no 200 schema (the public lists, an operator's record, the change feed, receipt
verification and keys, licence checks single and batch, ``me/``, the import, the listing's measures, the
audit chain check, the plan check) is called for real over a world with a published black listing on an
entity and on a person, a red listing, and a published penalty, and its body is validated against the
schema with ``jsonschema``: a schema that says less than the answer, or otherwise, fails here and would
fail a generated client.
"""

from __future__ import annotations

import datetime
import random

import pytest

from core.models import UserRole
from entities import codes
from entities import services as entity_services
from tests.regulator.conftest import record_finding
from tests.support import api_client
from tests.support.dates import today
from tests.support.factories import EntityFactory, PersonRoleFactory, UserFactory
from tests.support.states import listing_in

from .support import assert_matches, document

_rng = random.Random(17)


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def world(db):
    listed = EntityFactory(name="运城市模式测试旅行社有限公司")
    listing = listing_in(entity=listed, list_type="black", decided_on=today() - datetime.timedelta(days=10))
    person = entity_services.person_create(name="欧阳测试", id_number=codes.id_number("140802", datetime.date(1988, 3, 14), _rng))
    PersonRoleFactory(entity=listed, person=person)
    person_listing = listing_in(person=person, related_entity=listed, person_role="legal_representative",
                                decided_on=today() - datetime.timedelta(days=10))
    red = listing_in(entity=EntityFactory(name="运城市诚信测试酒店有限公司"), list_type="red")
    record_finding(listed, "price_fraud", penalty="fine", severity="general", inspected_on=today())
    own = EntityFactory(name="运城市自助模式测试旅行社有限公司")
    record_finding(own, "price_fraud", severity="general", inspected_on=today())
    business = UserFactory(username="schema-business", role=UserRole.BUSINESS, entities=[own])
    regulator = UserFactory(username="schema-regulator", role=UserRole.REGULATOR)
    return {"listed": listed, "listing": listing, "person_listing": person_listing, "red": red, "own": own,
            "business": business, "regulator": regulator}


def _ok(response):
    assert response.status_code == 200, response.content[:500]
    return response.json()


def test_public_lists_profile_and_changes_match_their_schemas(world):
    client = api_client()
    page = _ok(client.get("/api/v1/public/blacklist/", {"q": "模式测试"}))
    assert {row["subject_type"] for row in page["results"]} == {"entity", "person"}
    assert_matches(page, "/api/v1/public/blacklist/", "get")
    red = _ok(client.get("/api/v1/public/redlist/"))
    assert red["count"] == 1
    assert_matches(red, "/api/v1/public/redlist/", "get")
    profile = _ok(client.get(f"/api/v1/public/entities/{world['listed'].credit_code}/"))
    assert profile["listings"] and profile["penalties"]
    assert_matches(profile, "/api/v1/public/entities/{credit_code}/", "get")
    changes = _ok(client.get("/api/v1/public/changes/", {"since": 0}))
    assert changes["results"]
    assert_matches(changes, "/api/v1/public/changes/", "get")


def test_receipt_verification_and_keys_match_their_schemas(world):
    client = api_client()
    receipt = _ok(client.get("/api/v1/public/blacklist/"))["receipt"]
    valid = _ok(client.post("/api/v1/public/receipts/verify/",
                            {"payload": receipt["payload"], "signature": receipt["signature"]}, format="json"))
    assert valid["valid"] is True
    assert_matches(valid, "/api/v1/public/receipts/verify/", "post")
    forged = _ok(client.post("/api/v1/public/receipts/verify/",
                             {"payload": {**receipt["payload"], "result": "改过"}, "signature": receipt["signature"]},
                             format="json"))
    assert forged["valid"] is False
    assert_matches(forged, "/api/v1/public/receipts/verify/", "post")
    assert_matches(_ok(client.get("/api/v1/public/receipts/key/")), "/api/v1/public/receipts/key/", "get")
    assert_matches(_ok(client.get("/.well-known/jwks.json")), "/.well-known/jwks.json", "get")


def test_licence_checks_single_and_batch_match_their_schemas(world):
    client = api_client(world["regulator"])
    check = {"licence_type": "travel_agency_business", "applicant_credit_code": world["listed"].credit_code}
    single = _ok(client.post("/api/v1/licence-checks/", check, format="json"))
    assert single["allowed"] is False and single["blocking"]
    assert_matches(single, "/api/v1/licence-checks/", "post")
    unknown = {"licence_type": "travel_agency_business", "applicant_credit_code": codes.credit_code("140802", _rng)}
    batch = _ok(client.post("/api/v1/licence-checks/batch/", {"checks": [check, unknown]}, format="json"))
    assert len(batch["results"]) == 2
    assert_matches(batch, "/api/v1/licence-checks/batch/", "post")


def test_me_matches_its_schema(world):
    me = _ok(api_client(world["business"]).get("/api/v1/me/"))
    assert me["entities"][0]["open_findings"]
    assert_matches(me, "/api/v1/me/", "get")


def test_regulator_answers_match_their_schemas(world):
    client = api_client(world["regulator"])
    row = {"credit_code": world["own"].credit_code, "name": world["own"].name, "list_type": "black",
           "reason": "外省认定的严重失信行为", "legal_basis": "（认定决定书载明的依据）",
           "decided_on": str(today() - datetime.timedelta(days=5)), "source_authority": "某省文化和旅游厅",
           "source_reference": "schema-1"}
    imported = _ok(client.post("/api/v1/listings/import/", [row], format="json"))
    assert_matches(imported, "/api/v1/listings/import/", "post")
    measures = _ok(client.get(f"/api/v1/listings/{world['listing'].pk}/measures/"))
    assert_matches(measures, "/api/v1/listings/{id}/measures/", "get")
    chain = _ok(client.get("/api/v1/audit-log/verify/"))
    assert_matches(chain, "/api/v1/audit-log/verify/", "get")
    plan = client.post("/api/v1/inspection-plans/draw/", {"month": str(today()), "region_prefix": "1408"},
                       format="json")
    assert plan.status_code == 201, plan.content[:500]
    verified = _ok(client.get(f"/api/v1/inspection-plans/{plan.json()['id']}/verify/"))
    assert verified == {"valid": True}
    assert_matches(verified, "/api/v1/inspection-plans/{id}/verify/", "get")


def test_the_open_data_files_are_documented_per_format(world):
    responses = document()["paths"]["/api/v1/public/exports/{name}"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv", "application/x-ndjson"} <= set(responses)
    manifest = api_client().get("/api/v1/public/exports/manifest.json")
    assert manifest.status_code == 200
    assert manifest["Content-Type"].startswith("application/json")


def test_the_check_refuses_an_answer_the_schema_does_not_describe():
    """The validation above has teeth: a wrong type, a missing field, a null where none is allowed."""
    with pytest.raises(AssertionError, match="valid"):
        assert_matches({"valid": "yes"}, "/api/v1/inspection-plans/{id}/verify/", "get")
    with pytest.raises(AssertionError, match="required"):
        assert_matches({"algorithm": "Ed25519", "key_id": "k"}, "/api/v1/public/receipts/key/", "get")
    with pytest.raises(AssertionError, match="None"):
        assert_matches({"since": 0, "results": [], "more": None, "as_of": "2026-12-01", "data_version": 1,
                        "receipt": None}, "/api/v1/public/changes/", "get")
