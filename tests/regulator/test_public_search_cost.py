"""The public list search costs the same whatever the registry's size (issue 14).

The name is matched once per request, a credit code through its unique index only, the total counted in the
same statement as the page (or, without a query, not at all when the first page is not full), and the rows
read with the columns they render.

The names are matched in the listings' own copy of their business's search keys (kept by triggers), in a GIN
index over the published listings only: the registry's unlisted businesses are never read.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.support import listing_in, today
from tests.support.factories import EntityFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]


def _get(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/public/blacklist/", params)
    return response, [query["sql"] for query in queries.captured_queries]


def _listed(count: int, name: str = "运城晋韵旅行社有限公司") -> list:
    entities = [EntityFactory(name=f"{name}{index}") for index in range(count)]
    for index, entity in enumerate(entities):
        listing_in("published", entity=entity, decided_on=today() - datetime.timedelta(days=10 + index))
    return entities


def test_a_name_is_matched_once_and_counted_in_the_same_statement(anon_client):
    _listed(3)
    EntityFactory(name="运城另一家旅行社有限公司")  # matches nothing listed
    response, sql = _get(anon_client, q="晋韵")
    assert response.status_code == 200 and response.json()["count"] == 3
    assert sum("@@" in text for text in sql) == 1
    assert not any(text.lstrip().upper().startswith("SELECT COUNT") for text in sql)
    assert not any("search_vector" in text for text in sql if "regulator_listing" in text and "@@" not in text)


def test_a_valid_credit_code_is_looked_up_by_its_index_and_never_by_the_name_keys(anon_client):
    entity = _listed(2)[1]
    response, sql = _get(anon_client, q=entity.credit_code.lower())
    assert [row["credit_code"] for row in response.json()["results"]] == [entity.credit_code]
    assert not any("@@" in text for text in sql)


def test_a_code_with_a_wrong_check_digit_is_still_searched_as_text(anon_client):
    entity = _listed(1)[0]
    code = entity.credit_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response, sql = _get(anon_client, q=wrong)
    assert response.status_code == 200 and response.json()["count"] == 0
    assert any("@@" in text for text in sql)


def test_without_a_query_a_page_that_is_not_full_is_not_counted(anon_client):
    _listed(3)
    response, sql = _get(anon_client, page_size=3)
    assert response.json()["count"] == 3 and response.json()["next"] is None
    assert not any("COUNT(*)" in text for text in sql)


def test_without_a_query_a_full_page_is_counted(anon_client):
    _listed(4)
    response, sql = _get(anon_client, page_size=3)
    body = response.json()
    assert body["count"] == 4 and len(body["results"]) == 3 and body["next"] is not None
    assert sum("COUNT(*)" in text for text in sql) == 1
    second = anon_client.get(body["next"]).json()
    assert len(second["results"]) == 1 and second["previous"] is not None and second["next"] is None


@pytest.mark.parametrize("q", ["", "晋韵"])
def test_pages_past_the_last_are_404_and_last_is_the_last(anon_client, q):
    _listed(3)
    assert anon_client.get("/api/v1/public/blacklist/", {"q": q, "page_size": 2, "page": 2}).status_code == 200
    missing = anon_client.get("/api/v1/public/blacklist/", {"q": q, "page_size": 2, "page": 3})
    assert missing.status_code == 404 and "detail" in missing.json()
    last = anon_client.get("/api/v1/public/blacklist/", {"q": q, "page_size": 2, "page": "last"}).json()
    assert len(last["results"]) == 1 and last["count"] == 3 and last["next"] is None


def test_a_search_page_orders_newest_first_across_entity_and_person_listings(anon_client):
    first, second = _listed(2)
    newest = [row["credit_code"] for row in anon_client.get("/api/v1/public/blacklist/", {"q": "晋韵"}).json()["results"]]
    assert newest == [first.credit_code, second.credit_code]  # decided 10 and 11 days ago


def test_listing_rows_carry_no_search_vector_and_no_rule_set_document(anon_client):
    _listed(2)
    _response, sql = _get(anon_client, q="晋韵")
    rows = [text for text in sql if text.startswith('SELECT "regulator_listing"') and "@@" not in text]
    assert rows and not any("search_vector" in text or "document" in text for text in rows)
    (matched,) = [text for text in sql if "@@" in text]
    assert '"regulator_listing"."search_vector" @@' in matched and "entities_entity" not in matched


@pytest.mark.parametrize("q", ["¥", "*", "、、"])
def test_a_query_with_nothing_to_match_finds_nothing_without_a_statement_and_later_pages_are_404(anon_client, q):
    _listed(1)
    response, sql = _get(anon_client, q=q)
    assert response.status_code == 200 and response.json()["count"] == 0
    assert not any("regulator_listing" in text for text in sql if "audit_entry" not in text)
    assert anon_client.get("/api/v1/public/blacklist/", {"q": q, "page": 2}).status_code == 404


@pytest.mark.parametrize("q", ["", "晋韵"])
def test_a_page_number_beyond_any_offset_is_404_not_a_database_error(anon_client, q):
    _listed(1)
    response = anon_client.get("/api/v1/public/blacklist/", {"q": q, "page": 10**17, "page_size": 200})
    assert response.status_code == 404 and "detail" in response.json()
    assert anon_client.get("/api/v1/public/blacklist/", {"q": q}).status_code == 200  # the connection is fine


def _searched(client, q: str) -> list[str]:
    return [row["credit_code"] for row in client.get("/api/v1/public/blacklist/", {"q": q}).json()["results"]]


def test_a_renamed_business_is_found_by_its_new_name_and_no_longer_by_the_old(anon_client):
    (entity,) = _listed(1)
    assert _searched(anon_client, "晋韵") == [entity.credit_code]
    entity.name = "运城河东民宿有限公司"
    entity.save()
    assert _searched(anon_client, "晋韵") == []
    assert _searched(anon_client, "河东") == [entity.credit_code]
    assert _searched(anon_client, "hedong") == [entity.credit_code]


def test_a_listed_person_is_found_through_their_business_never_by_their_own_name(anon_client):
    from tests.support.factories import PersonFactory

    business = EntityFactory(name="运城晋韵旅行社有限公司")
    person = PersonFactory(name="王大锤")
    listing_in("published", person=person, related_entity=business, person_role="legal_representative")
    found = anon_client.get("/api/v1/public/blacklist/", {"q": "晋韵"}).json()
    assert found["count"] == 1 and found["results"][0]["subject_type"] == "person"
    assert anon_client.get("/api/v1/public/blacklist/", {"q": "王大锤"}).json()["count"] == 0


def test_the_listings_name_keys_are_indexed_for_published_listings_only():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'listing_published_search'")
        (definition,) = cursor.fetchone()
    assert "USING gin (search_vector)" in definition and "WHERE ((status)::text = 'published'::text)" in definition
