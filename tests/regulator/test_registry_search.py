"""The whole registry for the public (issue 17, item 1): ``GET /api/v1/public/entities/?q=&city=&district=&sector=``.

Any registered operator, listed or not, is found by name (simplified, traditional), pinyin, initials or credit
code, filtered by city, district and sector; bad filters are a 400 naming the field; no personal data; a fixed
number of statements whatever the page size, index-driven however large the registry.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api.throttles import PublicThrottle
from core import receipts
from entities import codes, searchkeys
from entities.models import Category, Entity, Sector
from entities.services import person_create
from regulator.disclosure import registry
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, PersonRoleFactory, _rng
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

URL = "/api/v1/public/entities/"
HOMESTAY = "盐湖区河东小院民宿"


@pytest.fixture
def homestay(db):
    """A registered, unlisted 民宿 in 盐湖区 (运城市), with a phone number in its address."""
    return EntityFactory(name=HOMESTAY, category=Category.HOMESTAY, region_code="140802",
                         address="运城市盐湖区河东街8号（电话 13912345678）")


@pytest.fixture
def taiyuan_homestay(db):
    return EntityFactory(name="太原河东小院民宿", category=Category.HOMESTAY, region_code="140105")


@pytest.fixture
def nursing_home(db):
    return EntityFactory(name="盐湖区河东颐养院", sector=Sector.WELLNESS, category=Category.ELDERLY_CARE,
                         region_code="140802")


def codes_of(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["credit_code"] for row in response.json()["results"]]


@pytest.mark.parametrize(("how", "query"), [
    ("simplified characters", "河东小院"),
    ("traditional characters", "河東小院"),
    ("pinyin", "hedongxiaoyuan"),
    ("pinyin of a part", "xiaoyuan"),
    ("initials", "hdxy"),
])
def test_an_unlisted_operator_is_found_by_name(how, query, homestay, nursing_home, anon_client):
    found = codes_of(anon_client.get(URL, {"q": query, "city": "140800"}))
    assert found == [homestay.credit_code], how


@pytest.mark.parametrize("transform", [str, str.lower, lambda code: f"  {code[:6]} {code[6:]} "])
def test_an_operator_is_found_by_its_credit_code(transform, homestay, nursing_home, anon_client):
    assert codes_of(anon_client.get(URL, {"q": transform(homestay.credit_code)})) == [homestay.credit_code]


def test_a_valid_credit_code_goes_by_its_unique_index_never_the_name_keys(homestay, anon_client):
    with CaptureQueriesContext(connection) as queries:
        found = codes_of(anon_client.get(URL, {"q": homestay.credit_code}))
    assert found == [homestay.credit_code]
    assert not any("@@" in query["sql"] for query in queries.captured_queries)


def test_a_row_carries_public_facts_in_codes_and_words(homestay, anon_client):
    (row,) = anon_client.get(URL, {"q": homestay.credit_code}).json()["results"]
    assert row["name"] == HOMESTAY and row["sector"] == "tourism" and row["category"] == "homestay"
    assert row["region_code"] == "140802" and row["city_name"] == "运城市" and row["district_name"] == "盐湖区"
    assert row["listed"] is False and row["listings"] == [] and row["record_text"] == "公示期内无失信记录"
    assert row["url"].endswith(f"/api/v1/public/entities/{homestay.credit_code}/")
    assert "13912345678" not in row["address"] and row["address"].startswith("运城市盐湖区河东街8号")


def test_a_listed_operator_carries_its_listing_in_force(homestay, anon_client):
    listing = listing_in("published", entity=homestay, decided_on=today() - datetime.timedelta(days=10))
    (row,) = anon_client.get(URL, {"q": "河东小院"}).json()["results"]
    assert row["listed"] is True and "公示期内无失信记录" not in row["record_text"]
    assert "严重失信主体名单" in row["record_text"]
    assert [(item["id"], item["list_type"], item["status"]) for item in row["listings"]] == [
        (listing.pk, "black", "published")]


def test_an_ended_or_unpublished_listing_is_no_record(homestay, nursing_home, anon_client):
    listing_in("expired", entity=homestay)
    listing_in("decided", entity=nursing_home)
    rows = anon_client.get(URL, {"q": "河东"}).json()["results"]
    assert {row["credit_code"]: row["record_text"] for row in rows} == {
        homestay.credit_code: "公示期内无失信记录", nursing_home.credit_code: "公示期内无失信记录"}


def test_a_red_listing_is_shown_and_is_no_failing(homestay, anon_client):
    listing_in("published", entity=homestay, list_type="red")
    (row,) = anon_client.get(URL, {"q": "河东小院"}).json()["results"]
    assert row["listed"] is False and row["record_text"].startswith("公示期内无失信记录；列入守信激励")


def test_a_person_listed_through_the_operator_appears_masked_and_no_personal_data(homestay, anon_client):
    number = codes.id_number("140802", datetime.date(1988, 3, 14), _rng)
    person = person_create(name="欧阳娜娜", id_number=number)
    PersonRoleFactory(entity=homestay, person=person)
    listing_in("published", person=person, related_entity=homestay, person_role="legal_representative")
    response = anon_client.get(URL, {"q": "河东小院"})
    body = response.content.decode()
    (row,) = response.json()["results"]
    assert row["listed"] is True and row["listings"][0]["person_name"] == "欧阳**"
    assert "法定代表人欧阳**列入严重失信主体名单" in row["record_text"]
    for secret in ("欧阳娜娜", number, person.id_number_masked, "13912345678"):
        assert secret not in body
    assert not {"id", "id_number", "phone", "search_vector", "legal_representative"} & set(row)


@pytest.mark.parametrize(("filters", "expected"), [
    ({"city": "140800"}, {"homestay", "nursing_home"}),
    ({"city": "1408"}, {"homestay", "nursing_home"}),
    ({"city": "140100"}, {"taiyuan_homestay"}),
    ({"district": "140802"}, {"homestay", "nursing_home"}),
    ({"district": "140105"}, {"taiyuan_homestay"}),
    ({"city": "140800", "district": "140802"}, {"homestay", "nursing_home"}),
    ({"sector": "wellness"}, {"nursing_home"}),
    ({"sector": "tourism", "city": "140800"}, {"homestay"}),
    ({}, {"homestay", "nursing_home", "taiyuan_homestay"}),
])
def test_filters_by_city_district_and_sector(filters, expected, homestay, taiyuan_homestay, nursing_home,
                                             anon_client):
    names = {homestay.credit_code: "homestay", taiyuan_homestay.credit_code: "taiyuan_homestay",
             nursing_home.credit_code: "nursing_home"}
    assert {names[code] for code in codes_of(anon_client.get(URL, {"q": "河东", **filters}))} == expected


def test_a_district_elsewhere_finds_nothing(homestay, anon_client):
    assert codes_of(anon_client.get(URL, {"q": "河东小院", "district": "140821"})) == []  # 临猗县


@pytest.mark.parametrize(("params", "field"), [
    ({"city": "999900"}, "city"),
    ({"city": "140000"}, "city"),        # a province is no city
    ({"city": "140802"}, "city"),        # a district is no city
    ({"city": "14x8"}, "city"),
    ({"district": "140800"}, "district"),  # a city is no district
    ({"district": "149999"}, "district"),
    ({"district": "14080"}, "district"),
    ({"sector": "mining"}, "sector"),
    ({"sector": "Tourism"}, "sector"),
    ({"city": "140100", "district": "140802"}, "district"),  # 盐湖区 is not in 太原市
    ({"page": "0"}, "page"),
    ({"page": "x"}, "page"),
    ({"page_size": "0"}, "page_size"),
])
def test_an_invalid_filter_is_a_400_naming_the_field(params, field, homestay, anon_client):
    response = anon_client.get(URL, {"q": "河东", **params})
    assert response.status_code == 400
    assert field in response.json() and response.json()[field]


def test_a_filter_given_twice_is_a_400_naming_it(homestay, anon_client):
    response = anon_client.get(f"{URL}?q=河东&sector=tourism&sector=wellness")
    assert response.status_code == 400 and "sector" in response.json()


def test_the_district_must_lie_in_the_city_on_both_sides(homestay, anon_client):
    assert anon_client.get(URL, {"city": "140800", "district": "140802"}).status_code == 200
    assert anon_client.get(URL, {"city": "140800", "district": "140882"}).status_code == 200  # 河津市, edge
    assert anon_client.get(URL, {"city": "140900", "district": "140882"}).status_code == 400


def test_pages_are_paginated_with_a_receipt(anon_client):
    made = [EntityFactory(name=f"盐湖区河东第{index:02d}民宿", category=Category.HOMESTAY) for index in range(5)]
    first = anon_client.get(URL, {"q": "河东", "page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    assert [row["credit_code"] for row in first["results"]] == [made[0].credit_code, made[1].credit_code]
    second = anon_client.get(first["next"]).json()
    assert [row["credit_code"] for row in second["results"]] == [made[2].credit_code, made[3].credit_code]
    last = anon_client.get(URL, {"q": "河东", "page_size": 2, "page": "last"}).json()
    assert [row["credit_code"] for row in last["results"]] == [made[4].credit_code] and last["next"] is None
    assert anon_client.get(URL, {"q": "河东", "page_size": 2, "page": 4}).status_code == 404
    assert anon_client.get(URL, {"q": "河东", "page": 10**17, "page_size": 200}).status_code == 404
    assert first["as_of"] == today().isoformat() and isinstance(first["data_version"], int)
    receipt = first["receipt"]
    assert receipts.verify(payload=receipt["payload"], signature=receipt["signature"], result=first["results"])
    assert "市场主体名录" in receipt["payload"]["subject"]["text"] and "共 5 个经营主体" in receipt["payload"]["result"]


def test_a_query_with_nothing_to_match_finds_nothing(homestay, anon_client):
    response = anon_client.get(URL, {"q": "、、"})
    assert response.status_code == 200 and response.json()["count"] == 0
    assert anon_client.get(URL, {"q": "、、", "page": 2}).status_code == 404


@pytest.mark.parametrize("page_size", [1, 5, 50])
def test_the_statements_are_fixed_whatever_the_page_size(page_size, anon_client, django_assert_max_num_queries):
    for index in range(6):
        entity = EntityFactory(name=f"运城晋韵第{index}民宿", category=Category.HOMESTAY)
        listing_in("published", entity=entity, decided_on=today() - datetime.timedelta(days=10 + index))
    # the page and its count, the listings of the page, and the public view's ETag and data version
    with CaptureQueriesContext(connection) as queries:
        response = anon_client.get(URL, {"q": "晋韵", "page_size": page_size})
    assert response.status_code == 200 and len(response.json()["results"]) == min(page_size, 6)
    entity_reads = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith('SELECT "entities_entity"')]
    listing_reads = [q["sql"] for q in queries.captured_queries if 'FROM "regulator_listing"' in q["sql"]]
    assert len(entity_reads) == 1 and "OVER ()" in entity_reads[0]
    assert len(listing_reads) == 1
    with django_assert_max_num_queries(5):  # the page's award badges: one query whatever the page size
        anon_client.get(URL, {"q": "晋韵", "page_size": page_size})


def test_the_registry_search_is_index_driven_whatever_the_registry_size():
    """Every condition of a selective search is answered by an index, so its cost follows the matches, not the
    registry. At a few thousand rows the planner rightly prefers reading the small table whole (at 20,000 it
    takes the indexes by itself), so the plan is asked with sequential scans priced out: a condition no index
    can answer would still show a ``Seq Scan``."""
    rows = []
    for index in range(3000):
        region = ("140802", "140821", "140105", "140202")[index % 4]
        kind = index % 3
        rows.append(Entity(credit_code=codes.credit_code(region, _rng), name=f"测试{index}号{('旅行社', '酒店', '民宿')[kind]}",
                           sector="tourism", category=("travel_agency", "hotel", "homestay")[kind], region_code=region))
    created = Entity.objects.bulk_create(rows)
    with connection.cursor() as cursor:  # the search keys Entity.save writes (bulk_create writes none)
        cursor.execute("UPDATE entities_entity e SET search_vector = v.keys::tsvector FROM (SELECT unnest(%s::bigint[]) "
                       "AS id, unnest(%s::text[]) AS keys) v WHERE e.id = v.id", [
                           [entity.pk for entity in created],
                           [searchkeys.tsvector_literal(searchkeys.name_keys(entity.name)
                                                        + searchkeys.name_keys(entity.credit_code)) for entity in created]])
    target = EntityFactory(name="运城河东小院民宿", category=Category.HOMESTAY, region_code="140802")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE entities_entity")
    for query, filters, index in [("hedongxiaoyuan", {}, "entity_search"),
                                  ("河東小院", {"district": "140802"}, "Index Scan"),  # the name's or the district's
                                  (target.credit_code, {}, "credit_code"),
                                  ("hdxy", {"city": "1408", "sector": "tourism"}, "Index Scan"),
                                  (target.credit_code[:14], {}, "credit_code")]:
        matched = registry.registry_search(query, filters=registry.registry_filters(**filters))
        assert [row["credit_code"] for row in matched.rows] == [target.credit_code], query
        plan = _plan(query, filters)
        assert "Seq Scan" not in plan and index in plan, plan


def _plan(query: str, filters: dict) -> str:
    """EXPLAIN of the page statement the search runs (captured, then explained), sequential scans priced out."""
    with CaptureQueriesContext(connection) as queries:
        registry.registry_search(query, filters=registry.registry_filters(**filters))
    sql = next(q["sql"] for q in queries.captured_queries if "OVER ()" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + sql)
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


@pytest.fixture
def three_per_minute(settings, monkeypatch):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "3/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    monkeypatch.setattr(PublicThrottle, "THROTTLE_RATES", rates)


def test_the_registry_search_is_throttled(three_per_minute, homestay, anon_client):
    assert [anon_client.get(URL, {"q": "河东"}).status_code for _ in range(3)] == [200, 200, 200]
    response = anon_client.get(URL, {"q": "河东"})
    assert response.status_code == 429 and "detail" in response.json()


def test_a_conditional_get_answers_304_until_the_registry_changes(homestay, anon_client):
    first = anon_client.get(URL, {"q": "河东"})
    assert first.status_code == 200 and first["ETag"].startswith('W/"')
    assert anon_client.get(URL, {"q": "河东"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    EntityFactory(name="盐湖区河东新开民宿", category=Category.HOMESTAY)
    assert anon_client.get(URL, {"q": "河东"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_without_words_or_filters_the_whole_registry_is_paged(homestay, taiyuan_homestay, anon_client):
    body = anon_client.get(URL, {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"] is not None
    assert "全部经营主体" in body["receipt"]["payload"]["question"]["text"]
