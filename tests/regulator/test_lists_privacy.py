"""Personal data never reaches the public (API.md, Public): no ID number, no masked ID, no complainant, names masked."""

from __future__ import annotations

import datetime
import json
import random
import re

import pytest

from entities import codes
from entities.models import PersonRoleKind
from regulator.disclosure.selectors import mask_name
from regulator.lists.models import Listing
from regulator.lists.proposals import listings_propose_for_entity
from tests.support import DECISION, api_client, complaint_in, today
from tests.support.factories import PersonFactory, PersonRoleFactory
from tests.support.states import (
    catalogue_until_seeded,  # noqa: F401 (a fixture)
    served,
)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

_rng = random.Random(1402)
COMPLAINANT = ("欧阳小凤", "13912345678")
# An ID number standing alone; digests and base64 signatures may hold digit runs glued to letters.
EIGHTEEN_DIGITS = re.compile(r"(?<![0-9A-Za-z+/])\d{17}[0-9Xx](?![0-9A-Za-z+/=])")


@pytest.fixture
def exposed(entity_a, regulator):
    """entity_a lost its licence; its legal representative 张三 and principal 欧阳娜娜 are black-listed and published."""
    from regulator.lists import services as listings

    people = {}
    for name, role in (("张三", PersonRoleKind.LEGAL_REPRESENTATIVE), ("欧阳娜娜", PersonRoleKind.PRINCIPAL)):
        number = codes.id_number("140802", datetime.date(1985, 7, 1), _rng)
        person = PersonFactory(name=name, id_number=number)
        PersonRoleFactory(entity=entity_a, person=person, role=role, started_on=datetime.date(2020, 1, 1))
        people[name] = (person, number)
    for _ in range(3):
        complaint_in("resolved", entity=entity_a, resolved_on=today() - datetime.timedelta(days=30),
                     complainant_name=COMPLAINANT[0], complainant_phone=COMPLAINANT[1])
    notified = today() - datetime.timedelta(days=40)
    record_finding(entity_a, "unlicensed_travel_agency", penalty="revocation", inspected_on=notified)
    created = listings_propose_for_entity(entity_id=entity_a.pk, today=notified)
    assert {listing.subject_type for listing in created} == {"entity", "person"}
    for listing in created:
        listings.listing_notify(listing_id=listing.pk, actor=regulator, today=notified, delivery=served(notified))
        listings.listing_decide(listing_id=listing.pk, actor=regulator, **DECISION, today=today() - datetime.timedelta(days=10))
        listings.listing_publish(listing_id=listing.pk, actor=regulator, today=today() - datetime.timedelta(days=10))
    return people


def public_pages(client, entity) -> dict[str, str]:
    paths = [
        "/api/v1/public/blacklist/", "/api/v1/public/blacklist/?q=张三", "/api/v1/public/blacklist/?q=zhangsan",
        f"/api/v1/public/blacklist/?q={entity.credit_code}", "/api/v1/public/redlist/",
        f"/api/v1/public/entities/{entity.credit_code}/", "/api/v1/public/changes/?since=0",
        "/api/v1/public/exports/blacklist.csv", "/api/v1/public/exports/blacklist.json",
        "/api/v1/public/exports/blacklist.ndjson", "/api/v1/public/exports/manifest.json",
    ]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.content.decode("utf-8-sig")
    return pages


def without_receipt(text: str) -> str:
    """The signed receipt is hashes and a signature: no personal data, but random digit runs."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    if isinstance(body, dict):
        body.pop("receipt", None)
        for entry in (body.get("files") or {}).values():
            entry.pop("sha256", None)
    return json.dumps(body, ensure_ascii=False)


def test_no_public_answer_carries_an_id_number_a_masked_id_or_a_complainant(exposed, entity_a, anon_client):
    pages = public_pages(anon_client, entity_a)
    assert any("张*" in text for text in pages.values())
    for path, text in pages.items():
        for person, number in exposed.values():
            assert number not in text, path
            assert person.id_number_masked not in text, path
            # the receipt repeats the asker's own question (q); the answer itself never names the person
            assert person.name not in without_receipt(text), path
        assert COMPLAINANT[0] not in text and COMPLAINANT[1] not in text, path
        assert not EIGHTEEN_DIGITS.findall(without_receipt(text).replace(entity_a.credit_code, "")), path


def test_person_listings_show_a_masked_name_role_and_company(exposed, entity_a, anon_client):
    rows = anon_client.get("/api/v1/public/blacklist/").json()["results"]
    persons = sorted((row["name"], row["person_role"], row["related_entity_name"], row["credit_code"])
                     for row in rows if row["subject_type"] == "person")
    assert persons == [("张*", "legal_representative", entity_a.name, None),
                       ("欧阳**", "principal", entity_a.name, None)]
    assert Listing.objects.filter(subject_type="person", status="published").count() == 2


def test_a_person_listing_is_found_by_its_business_never_by_the_persons_name(exposed, entity_a, anon_client):
    by_name = anon_client.get("/api/v1/public/blacklist/", {"q": "欧阳娜娜"}).json()
    assert by_name["results"] == []  # a hit would confirm who 欧阳** is
    by_business = anon_client.get("/api/v1/public/blacklist/", {"q": entity_a.credit_code}).json()
    assert "欧阳**" in [row["name"] for row in by_business["results"]]


@pytest.mark.parametrize(("name", "masked"), [("张三", "张*"), ("张三丰", "张**"), ("欧阳娜娜", "欧阳**"), ("李", "李"),
                                              ("", ""), ("  王五 ", "王*")])
def test_mask_name_keeps_only_the_surname(name, masked):
    assert mask_name(name) == masked


def test_the_business_sees_its_listings_but_never_the_complainant(exposed, entity_a, business_a):
    response = api_client(business_a).get("/api/v1/me/")
    assert response.status_code == 200
    text = response.content.decode()
    (mine,) = response.json()["entities"]
    assert {row["subject_type"] for row in mine["listings"]} == {"entity", "person"}
    assert COMPLAINANT[0] not in text and COMPLAINANT[1] not in text
    for _person, number in exposed.values():
        assert number not in text


def test_the_me_page_is_for_businesses(regulator_client, anon_client):
    assert regulator_client.get("/api/v1/me/").status_code == 403
    assert anon_client.get("/api/v1/me/").status_code == 401


def test_another_business_does_not_see_the_listing(exposed, business_b):
    response = api_client(business_b).get("/api/v1/listings/")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_no_document_of_a_person_listing_carries_the_id_number_in_full(exposed, entity_a, business_a,
                                                                       regulator_client):
    from core.models import ServedDocument

    documents = ServedDocument.objects.filter(about_type="listing")
    # a notice and a decision for each published listing (the entity, its legal representative and principal)
    assert documents.count() == 2 * Listing.objects.filter(status="published").count() >= 6
    for document in documents:
        for client in (regulator_client, api_client(business_a)):
            for suffix in ("", "html/"):
                body = client.get(f"/api/v1/documents/{document.pk}/{suffix}").content.decode()
                for _person, number in exposed.values():
                    assert number not in body
    masked = [person.id_number_masked for person, _number in exposed.values()]
    assert any(mask in document.recipient for document in documents for mask in masked)
