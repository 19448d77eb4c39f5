"""The business's documents on its pages (issue 13 item 2): its own 告知书 and 认定决定书 (and any document the
procedures let it read), as HTML and PDF; another business's is not found; an ID number never in full."""

from __future__ import annotations

import datetime

import pytest

from core.models import ServedDocument
from regulator.lists import services as listings
from tests.support import listing_in, page_client, today
from tests.support.factories import PersonFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import assert_accessible_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]


@pytest.fixture
def published(entity_a):
    return listing_in("published", entity=entity_a, decided_on=today() - datetime.timedelta(days=5))


def test_the_business_lists_and_opens_its_documents(published, business_a):
    client = page_client(business_a)
    listed = client.get("/business/documents/")
    assert listed.status_code == 200
    html = listed.content.decode()
    assert_accessible_page(html)
    for document in (published.notice_document, published.decision_document):
        assert document.number in html
        page = client.get(f"/business/documents/{document.pk}/")
        assert page.status_code == 200
        body = page.content.decode()
        assert_accessible_page(body)
        assert document.number in body and document.authority.name in body
        assert all(section["heading"] in body for section in document.content)
        pdf = client.get(f"/business/documents/{document.pk}/pdf/")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "我的文书" in client.get("/business/").content.decode()


def test_the_entity_page_links_each_listings_documents(published, business_a, entity_a):
    body = page_client(business_a).get(f"/business/entities/{entity_a.pk}/").content.decode()
    for document in (published.notice_document, published.decision_document):
        assert f"/business/documents/{document.pk}/" in body and document.number in body


def test_an_unserved_notice_says_the_window_runs_from_its_delivery(entity_a, business_a):
    listing = listing_in("proposed", entity=entity_a)
    listings.listing_notify(listing_id=listing.pk)
    body = page_client(business_a).get(f"/business/entities/{entity_a.pk}/").content.decode()
    assert "自告知书送达之日起" in body and "尚未登记送达" in body
    assert f'action="/business/listings/{listing.pk}/objection/"' in body  # an objection is welcome already


@pytest.mark.parametrize("suffix", ["", "pdf/"])
def test_another_business_document_is_not_found(suffix, published, business_b):
    for document in (published.notice_document, published.decision_document):
        response = page_client(business_b).get(f"/business/documents/{document.pk}/{suffix}")
        assert response.status_code == 404
    assert published.notice_document.number not in page_client(business_b).get("/business/documents/").content.decode()


def test_staff_and_the_public_do_not_use_the_business_document_pages(published, regulator, inspector):
    url = f"/business/documents/{published.notice_document_id}/"
    assert page_client(regulator).get(url).status_code == 403
    assert page_client(inspector).get(url).status_code == 403
    anonymous = page_client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_persons_documents_show_the_masked_id_number_only(entity_a, business_a):
    from entities import codes

    number = codes.id_number("140802", datetime.date(1979, 3, 3), __import__("random").Random(3))
    person = PersonFactory(name="孙经理", id_number=number)
    listing = listing_in("published", person=person, related_entity=entity_a, person_role="legal_representative",
                         reason=f"所任职旅行社被吊销许可（法定代表人身份证号 {number}）")
    client = page_client(business_a)
    for document in ServedDocument.objects.filter(about_type="listing", about_id=listing.pk):
        for suffix in ("", "pdf/"):
            body = client.get(f"/business/documents/{document.pk}/{suffix}").content
            assert number.encode() not in body
        assert person.id_number_masked in client.get(f"/business/documents/{document.pk}/").content.decode()
