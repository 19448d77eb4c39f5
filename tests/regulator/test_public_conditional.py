"""Conditional GETs of the public answers (issue 14): a weak ETag, 304 to a caller whose copy is current.

The tag moves with every change the public could see (a listing published, an operator renamed, a statement
approved, a penalty recorded), with the day (publicity periods end by date) and with the language.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entities.models import Entity
from regulator.disclosure.models import PublicStatement
from tests.support import listing_in, today
from tests.support.factories import EntityFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]


@pytest.fixture
def listed(db):
    entity = EntityFactory(name="运城条件请求旅行社有限公司")
    listing_in("published", entity=entity, decided_on=today() - datetime.timedelta(days=10))
    return entity


def _urls(entity) -> list[str]:
    return ["/api/v1/public/blacklist/?q=条件请求", "/api/v1/public/redlist/",
            f"/api/v1/public/entities/{entity.credit_code}/", "/api/v1/public/changes/?since=0"]


def test_every_public_answer_carries_a_weak_etag_and_must_be_revalidated(listed, anon_client):
    for url in _urls(listed):
        response = anon_client.get(url)
        assert response.status_code == 200, url
        assert response["ETag"].startswith('W/"'), url
        assert response["Cache-Control"] == "public, no-cache"
        assert "Accept-Language" in response["Vary"]


def test_a_current_copy_gets_304_without_a_body_and_without_reading_the_answer(listed, anon_client):
    for url in _urls(listed):
        tag = anon_client.get(url)["ETag"]
        with CaptureQueriesContext(connection) as queries:
            again = anon_client.get(url, HTTP_IF_NONE_MATCH=tag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag, url
        answer = [query["sql"] for query in queries.captured_queries if "audit_entry" not in query["sql"]]
        assert not any("regulator_listing" in sql or "entities_entity" in sql for sql in answer), url
        assert len(queries.captured_queries) - len(answer) == 1  # the head, one statement
        assert anon_client.get(url, HTTP_IF_NONE_MATCH=f'"x", {tag}').status_code == 304  # one of a list
        assert anon_client.get(url, HTTP_IF_NONE_MATCH=tag.removeprefix("W/")).status_code == 304  # weak compare


def test_another_tag_gets_the_answer(listed, anon_client):
    url = _urls(listed)[2]
    response = anon_client.get(url, HTTP_IF_NONE_MATCH='W/"1-20000101-zh-hans-deadbeef"')
    assert response.status_code == 200 and response.json()["credit_code"] == listed.credit_code


def _tag(client, url, **headers) -> str:
    return client.get(url, **headers)["ETag"]


def test_a_new_listing_changes_the_tag(listed, anon_client):
    url = _urls(listed)[0]
    before = _tag(anon_client, url)
    listing_in("published", entity=EntityFactory(name="运城条件请求二号旅行社"), decided_on=today())
    after = anon_client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after["ETag"] != before and after.json()["count"] == 2


def test_renaming_the_operator_changes_the_tag(listed, anon_client):
    url = _urls(listed)[2]
    before = _tag(anon_client, url)
    Entity.objects.filter(pk=listed.pk).update(name="运城改名后旅行社有限公司")
    after = anon_client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after.json()["name"] == "运城改名后旅行社有限公司"


def test_a_recorded_penalty_changes_the_tag(listed, anon_client):
    url = _urls(listed)[2]
    before = _tag(anon_client, url)
    record_finding(listed, "price_fraud", penalty="fine", severity="general", inspected_on=today())
    assert anon_client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_an_approved_statement_changes_the_tag(listed, anon_client):
    url = _urls(listed)[2]
    listing_id = anon_client.get(url).json()["listings"][0]["id"]
    before = _tag(anon_client, url)
    PublicStatement.objects.create(entity=listed, listing_id=listing_id, text="已整改完毕。", status="approved")
    after = anon_client.get(url, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after.json()["listings"][0]["statements"][0]["text"] == "已整改完毕。"


def test_the_next_day_changes_the_tag(listed, anon_client, monkeypatch):
    from django.utils import timezone

    url = _urls(listed)[1]
    before = _tag(anon_client, url)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert anon_client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200


def test_another_language_has_another_tag(listed, anon_client):
    url = _urls(listed)[1]
    chinese = _tag(anon_client, url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = _tag(anon_client, url, HTTP_ACCEPT_LANGUAGE="en")
    assert chinese != english
    assert anon_client.get(url, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=chinese).status_code == 200


def test_a_write_elsewhere_in_a_public_table_moves_the_head_and_one_outside_does_not(listed):
    from complaints.models import Complaint
    from regulator.disclosure.selectors import public_data_head, public_tables

    head = public_data_head()
    assert Complaint._meta.db_table not in public_tables()
    EntityFactory()
    assert public_data_head() > head


def test_the_head_is_the_latest_entry_of_the_public_tables_probed_through_their_own_index(listed):
    from regulator.disclosure.selectors import public_data_head, public_tables

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'audit_table_head'")
        (definition,) = cursor.fetchone()  # core 0007 declared it on the unmanaged model: it was never created
        cursor.execute("SELECT coalesce(max(id), 0) FROM audit_entry WHERE table_name = ANY(%s)", [list(public_tables())])
        (latest,) = cursor.fetchone()
        cursor.execute("SELECT max(id) FROM audit_entry")
        (newest,) = cursor.fetchone()
    assert "(table_name, id)" in definition
    assert latest > 0 and public_data_head() == latest
    EntityFactory()  # a public table
    assert public_data_head() > latest >= 0 and public_data_head() > newest



def test_an_award_decision_changes_the_tag_of_the_operator_page(listed, anon_client):
    """The badge on the public entity answer comes from the award's row: a write to it is a change of the answer."""
    from core.models import UserRole
    from regulator.lists import award_services
    from tests.support.factories import UserFactory

    regulator = UserFactory(username="award_regulator", role=UserRole.REGULATOR)
    award_round = award_services.award_round_open(
        kind="honest_enterprise", name="诚信企业评选", region_code=listed.region_code[:4] + "00",
        opens_on=today() - datetime.timedelta(days=1), closes_on=today() + datetime.timedelta(days=30),
        actor=regulator, today=today())
    url = _urls(listed)[2]
    before = _tag(anon_client, url)
    assert anon_client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 304
    award_services.award_nominate(round_id=award_round.pk, entity_id=listed.pk, actor=regulator, today=today())
    assert anon_client.get(url, HTTP_IF_NONE_MATCH=before).status_code == 200
