"""Public query (API.md, Public; DOMAIN.md, Publicity of penalties): lists, an operator's page, open data, changes."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json

import pytest

from regulator.disclosure.models import PublicStatement
from regulator.lists import services as listings
from regulator.lists.models import PublicChange
from tests.support import api_client, listing_in, today
from tests.support.factories import EntityFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

NAME = "运城国际旅行社有限公司"


@pytest.fixture
def guoji(db):
    return EntityFactory(name=NAME)


@pytest.fixture
def black_guoji(guoji):
    return listing_in("published", entity=guoji, decided_on=today() - datetime.timedelta(days=10))


def blacklist_codes(client, q: str) -> list[str]:
    response = client.get("/api/v1/public/blacklist/", {"q": q})
    assert response.status_code == 200
    return [row["credit_code"] for row in response.json()["results"]]


# --- finding a listed operator -----------------------------------------------------------------------------


@pytest.mark.parametrize(("how", "query"), [
    ("chinese substring", "国际旅行"),
    ("traditional characters", "國際"),
    ("traditional full name", "運城國際旅行社"),
    ("full pinyin of a part", "guoji"),
    ("full pinyin with spaces", "guo ji"),
    ("pinyin of the whole name, upper case", "YUNCHENGGUOJI"),
    ("initials of a part", "gj"),
    ("initials from the start", "ycgjl"),
    ("homophone typo (纪 for 际)", "运城国纪"),
    ("homophone typo (成 for 城)", "运成国际"),
])
def test_a_black_listed_entity_is_found_by_name(how, query, black_guoji, guoji, entity_a, anon_client):
    listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    assert blacklist_codes(anon_client, query) == [guoji.credit_code], how


@pytest.mark.parametrize("transform", [str, str.lower, lambda code: f"  {code} "])
def test_a_black_listed_entity_is_found_by_credit_code(transform, black_guoji, guoji, entity_a, anon_client):
    listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    assert blacklist_codes(anon_client, transform(guoji.credit_code)) == [guoji.credit_code]


def test_a_query_matching_nothing_finds_nothing(black_guoji, anon_client):
    assert blacklist_codes(anon_client, "黄河") == []
    assert blacklist_codes(anon_client, "huanghe") == []


def test_an_unpublished_or_ended_listing_is_not_in_the_blacklist(guoji, entity_a, entity_b, anon_client):
    # One matter each: the same subject, list and reason twice is one proposal (a duplicate is refused).
    for number, state in enumerate(("proposed", "notified", "decided", "withdrawn"), start=1):
        listing_in(state, entity=guoji, reason=f"第{number}起甩团")
    listing_in("expired", entity=entity_a)
    listing_in("removed", entity=entity_b)
    body = anon_client.get("/api/v1/public/blacklist/").json()
    assert body["count"] == 0 and body["results"] == []
    assert blacklist_codes(anon_client, "国际") == []


def test_the_blacklist_row_carries_the_decision(black_guoji, guoji, anon_client):
    (row,) = anon_client.get("/api/v1/public/blacklist/").json()["results"]
    assert row["name"] == NAME and row["list_type"] == "black" and row["subject_type"] == "entity"
    assert row["decided_on"] == str(black_guoji.decided_on) and row["expires_on"] == str(black_guoji.expires_on)
    assert row["reason"] == black_guoji.reason and row["legal_basis"] and row["measures"]


def test_a_watch_listing_is_in_neither_public_list(entity_a, anon_client):
    listing_in("published", entity=entity_a, list_type="watch", decided_on=today() - datetime.timedelta(days=10))
    assert anon_client.get("/api/v1/public/blacklist/").json()["count"] == 0
    assert anon_client.get("/api/v1/public/redlist/").json()["count"] == 0


def test_the_red_list_shows_published_red_listings_only(entity_a, entity_b, anon_client):
    red = listing_in("published", entity=entity_a, list_type="red", decided_on=today() - datetime.timedelta(days=10),
                     reason="诚信经营企业")
    listing_in("proposed", entity=entity_b, list_type="red")
    body = anon_client.get("/api/v1/public/redlist/").json()
    assert [row["id"] for row in body["results"]] == [red.pk]
    assert body["results"][0]["list_type"] == "red"
    assert anon_client.get("/api/v1/public/blacklist/").json()["count"] == 0
    assert anon_client.get("/api/v1/public/redlist/", {"q": entity_b.credit_code}).json()["count"] == 0


def test_public_lists_are_paginated_and_carry_a_receipt(anon_client):
    for _ in range(3):
        listing_in("published", entity=EntityFactory(), decided_on=today() - datetime.timedelta(days=10))
    body = anon_client.get("/api/v1/public/blacklist/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert body["as_of"] == str(today())
    assert body["data_version"] == PublicChange.objects.order_by("-id").first().pk
    verdict = anon_client.post("/api/v1/public/receipts/verify/", {
        "payload": body["receipt"]["payload"], "signature": body["receipt"]["signature"],
        "result": body["results"]}, format="json").json()
    assert verdict["valid"] is True


# --- an operator's public page -----------------------------------------------------------------------------


def test_the_entity_page_shows_published_listings_and_penalties_in_their_publicity_period(
        black_guoji, guoji, anon_client):
    fine = record_finding(guoji, "forced_shopping", penalty="fine", severity="general",
                          inspected_on=today() - datetime.timedelta(days=30))
    record_finding(guoji, "no_written_contract", penalty="warning", inspected_on=today() - datetime.timedelta(days=20))
    record_finding(guoji, "price_fraud", penalty="fine", severity="general",
                   inspected_on=today() - datetime.timedelta(days=400))
    serious = record_finding(guoji, "scenic_overcapacity", penalty="suspension",
                             inspected_on=today() - datetime.timedelta(days=400))
    record_finding(guoji, "price_fraud", penalty="none", inspected_on=today() - datetime.timedelta(days=5))
    listing_in("proposed", entity=guoji, list_type="watch")

    response = anon_client.get(f"/api/v1/public/entities/{guoji.credit_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == NAME and body["credit_code"] == guoji.credit_code and body["sector"] == "tourism"
    assert body["grade"] is None  # the grade is for the business and regulators only
    assert [row["id"] for row in body["listings"]] == [black_guoji.pk]
    # a fine within a year yes; a warning alone no; a general fine after a year no; a suspension for 3 years
    assert sorted(row["id"] for row in body["penalties"]) == sorted([fine.pk, serious.pk])
    shown = {row["id"]: row for row in body["penalties"]}
    assert shown[fine.pk]["penalty"] == "fine" and shown[fine.pk]["decision_number"]
    assert shown[fine.pk]["publicity_until"] == str(fine.decided_on + datetime.timedelta(days=365))
    assert body["as_of"] == str(today()) and body["receipt"]["payload"]["kind"] == "public_entity"


def test_the_entity_page_of_an_unknown_credit_code_is_404(anon_client):
    assert anon_client.get("/api/v1/public/entities/91110000600037341L/").status_code == 404
    assert anon_client.get("/api/v1/public/entities/not-a-code/").status_code == 404


def test_the_entity_page_shows_its_people_listed_through_it(guoji, anon_client):
    from tests.support.factories import PersonFactory

    person = PersonFactory(name="张三")
    listing_in("published", person=person, related_entity=guoji, person_role="legal_representative",
               decided_on=today() - datetime.timedelta(days=10), reason="所任职主体许可证被吊销")
    (row,) = anon_client.get(f"/api/v1/public/entities/{guoji.credit_code}/").json()["listings"]
    assert row["subject_type"] == "person" and row["name"] == "张*" and row["related_entity_name"] == NAME


# --- statements beside a listing or penalty ---------------------------------------------------------------


def test_only_approved_statements_are_shown(entity_a, business_a, regulator_client, anon_client):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    fine = record_finding(entity_a, "forced_shopping", penalty="fine", inspected_on=today() - datetime.timedelta(days=9))
    business = api_client(business_a)
    texts = {"approved": "我司已全面整改，并向游客致歉。", "rejected": "执法人员是骗子！", "pending": "正在整改"}
    ids = {}
    # One statement about a record waits for review at a time: each is reviewed before the next is made.
    for key, text in texts.items():
        response = business.post("/api/v1/statements/", {"listing": listing.pk, "text": text}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "pending"
        ids[key] = response.json()["id"]
        if key != "pending":
            reviewed = regulator_client.post(f"/api/v1/statements/{ids[key]}/review/",
                                             {"approve": key == "approved", "review_note": "审核"}, format="json")
            assert reviewed.status_code == 200
    assert len(set(ids.values())) == 3
    on_fine = business.post("/api/v1/statements/", {"finding": fine.pk, "text": "罚款已缴纳"}, format="json").json()
    regulator_client.post(f"/api/v1/statements/{on_fine['id']}/review/", {"approve": True}, format="json")

    page = anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").json()
    assert [s["text"] for s in page["listings"][0]["statements"]] == [texts["approved"]]
    assert [s["text"] for s in page["penalties"][0]["statements"]] == ["罚款已缴纳"]
    (row,) = anon_client.get("/api/v1/public/blacklist/").json()["results"]
    assert [s["text"] for s in row["statements"]] == [texts["approved"]]
    assert texts["rejected"] not in json.dumps(page, ensure_ascii=False)


def test_a_statement_is_reviewed_once_and_only_by_a_regulator(entity_a, business_a, regulator_client):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    statement = api_client(business_a).post("/api/v1/statements/", {"listing": listing.pk, "text": "已整改"},
                                            format="json").json()
    url = f"/api/v1/statements/{statement['id']}/review/"
    assert api_client(business_a).post(url, {"approve": True}, format="json").status_code == 403
    assert regulator_client.post(url, {"approve": True}, format="json").status_code == 200
    assert regulator_client.post(url, {"approve": False}, format="json").status_code == 409
    assert PublicStatement.objects.get().status == "approved"


def test_only_the_listed_business_makes_a_statement(entity_a, business_b, regulator_client):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    other = api_client(business_b).post("/api/v1/statements/", {"listing": listing.pk, "text": "冒名"}, format="json")
    assert other.status_code in (400, 403, 404)
    assert regulator_client.post("/api/v1/statements/", {"listing": listing.pk, "text": "x"},
                                 format="json").status_code == 403
    assert not PublicStatement.objects.exists()


# --- open data ---------------------------------------------------------------------------------------------


def test_exports_match_their_manifest(black_guoji, guoji, entity_a, anon_client):
    red = listing_in("published", entity=entity_a, list_type="red", decided_on=today() - datetime.timedelta(days=5))
    manifest_response = anon_client.get("/api/v1/public/exports/manifest.json")
    assert manifest_response.status_code == 200
    manifest = json.loads(manifest_response.content)
    assert manifest["data_version"] == PublicChange.objects.order_by("-id").first().pk
    for name in ("blacklist.csv", "blacklist.json", "blacklist.ndjson", "redlist.json"):
        response = anon_client.get(f"/api/v1/public/exports/{name}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == manifest["files"][name]["sha256"], name
        assert len(response.content) == manifest["files"][name]["bytes"]
        assert manifest["files"][name]["records"] == 1

    as_json = json.loads(anon_client.get("/api/v1/public/exports/blacklist.json").content)
    assert [row["credit_code"] for row in as_json] == [guoji.credit_code]
    ndjson = anon_client.get("/api/v1/public/exports/blacklist.ndjson")
    assert ndjson["Content-Type"] == "application/x-ndjson"
    lines = ndjson.content.decode().splitlines()
    assert [json.loads(line)["id"] for line in lines] == [black_guoji.pk]
    as_csv = anon_client.get("/api/v1/public/exports/blacklist.csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [(row["credit_code"], row["name"]) for row in rows] == [(guoji.credit_code, NAME)]
    red_rows = json.loads(anon_client.get("/api/v1/public/exports/redlist.json").content)
    assert [row["id"] for row in red_rows] == [red.pk]


def test_an_unknown_export_is_404(anon_client):
    for name in ("secrets.csv", "../manifest.json", "watchlist.csv", "blacklist.xml"):
        assert anon_client.get(f"/api/v1/public/exports/{name}").status_code == 404


def test_exports_are_regenerated_after_a_publication_commits(guoji, entity_a, regulator,
                                                             django_capture_on_commit_callbacks, anon_client):
    listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    first = json.loads(anon_client.get("/api/v1/public/exports/blacklist.json").content)
    assert [row["credit_code"] for row in first] == [entity_a.credit_code]
    listing = listing_in("decided", entity=guoji, objection_due=today() - datetime.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        listings.listing_publish(listing_id=listing.pk, actor=regulator)
    after = json.loads(anon_client.get("/api/v1/public/exports/blacklist.json").content)
    assert {row["credit_code"] for row in after} == {entity_a.credit_code, guoji.credit_code}
    manifest = json.loads(anon_client.get("/api/v1/public/exports/manifest.json").content)
    assert manifest["data_version"] == PublicChange.objects.order_by("-id").first().pk


# --- the change feed ---------------------------------------------------------------------------------------


def test_the_change_feed_lists_public_changes_after_a_version(guoji, entity_a, regulator, anon_client):
    first = listing_in("published", entity=guoji, decided_on=today() - datetime.timedelta(days=10))
    version = anon_client.get("/api/v1/public/changes/").json()["data_version"]
    second = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    listings.listing_remove(listing_id=first.pk, actor=regulator, reason="依据撤销", today=today())

    everything = anon_client.get("/api/v1/public/changes/", {"since": 0}).json()
    assert [(r["listing_id"], r["change"]) for r in everything["results"]] == [
        (first.pk, "publish"), (second.pk, "publish"), (first.pk, "remove")]

    body = anon_client.get("/api/v1/public/changes/", {"since": version}).json()
    assert body["since"] == version and body["more"] is False
    assert [(r["listing_id"], r["change"], r["public"]) for r in body["results"]] == [
        (second.pk, "publish", True), (first.pk, "remove", False)]
    assert body["results"][0]["listing"]["credit_code"] == entity_a.credit_code
    assert body["results"][1]["listing"] is None  # what left public view is not shown again
    assert all(r["data_version"] > version for r in body["results"])
    latest = body["data_version"]
    assert anon_client.get("/api/v1/public/changes/", {"since": latest}).json()["results"] == []


def test_the_change_feed_rejects_a_non_numeric_version(anon_client):
    response = anon_client.get("/api/v1/public/changes/", {"since": "yesterday"})
    assert response.status_code == 400
    assert "since" in response.json()


def test_public_endpoints_need_no_login_and_ignore_credentials(black_guoji, guoji, anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anon_client.get("/api/v1/public/blacklist/").status_code == 200
    assert anon_client.get(f"/api/v1/public/entities/{guoji.credit_code}/").status_code == 200


def test_the_api_resubmission_amends_the_pending_statement(entity_a, business_a):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    business = api_client(business_a)
    first = business.post("/api/v1/statements/", {"listing": listing.pk, "text": "正在整改"}, format="json").json()
    second = business.post("/api/v1/statements/", {"listing": listing.pk, "text": "已整改完毕"}, format="json")
    assert second.status_code == 201 and second.json()["id"] == first["id"]
    assert PublicStatement.objects.get().text == "已整改完毕"


@pytest.mark.parametrize(("state", "allowed"), [("notified", False), ("decided", True), ("published", True)])
def test_the_api_takes_statements_only_about_what_the_public_sees(entity_a, business_a, state, allowed):
    listing = listing_in(state, entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    response = api_client(business_a).post("/api/v1/statements/", {"listing": listing.pk, "text": "说明"},
                                           format="json")
    assert response.status_code == (201 if allowed else 400), response.content
    if not allowed:
        assert "listing" in response.json()


@pytest.mark.parametrize(("penalty", "allowed"), [("none", False), ("warning", True)])
def test_the_api_takes_statements_only_about_a_penalty(entity_a, business_a, penalty, allowed):
    finding = record_finding(entity_a, "forced_shopping", penalty=penalty,
                             inspected_on=today() - datetime.timedelta(days=9))
    response = api_client(business_a).post("/api/v1/statements/", {"finding": finding.pk, "text": "说明"},
                                           format="json")
    assert response.status_code == (201 if allowed else 400), response.content


def test_a_blank_statement_is_refused_naming_text(entity_a, business_a):
    listing = listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=10))
    response = api_client(business_a).post("/api/v1/statements/", {"listing": listing.pk, "text": "   "},
                                           format="json")
    assert response.status_code == 400 and "text" in response.json()
