"""变更订阅（拉取）: ``GET /api/v1/feeds/changes/?since=`` for department clients with ``push``: the order, the
cursor, the commit-order case, masking, the scope, a revoked key, and the query log."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core import clients
from core.models import ClientQuery, DepartmentClient
from regulator.disclosure.feeds import FeedEvent
from tests.support import api_client, listing_in
from tests.support.factories import EntityFactory, LicenceFactory, PersonFactory

URL = "/api/v1/feeds/changes/"
ADDRESS = "10.9.8.7"


def department(scopes=("push",), name="市发改委信用平台") -> DepartmentClient:
    return DepartmentClient.objects.create(name=name, authority_credit_code="11120000MB1529459B", contact_name="赵六",
                                           scopes=list(scopes), ip_allowlist=["10.9.0.0/16"])


def keyed(scopes=("push",), name="市发改委信用平台") -> tuple[DepartmentClient, APIClient, str]:
    client = department(scopes, name)
    key = clients.client_key_issue(client_id=client.pk).key
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client, api, key


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_events_come_oldest_first_after_since_a_page_at_a_time(entity_a):
    for _ in range(5):
        LicenceFactory(entity=entity_a)
    _client, api, _key = keyed()
    assert ids(api.get(URL)) == [1, 2, 3, 4, 5]
    assert ids(api.get(URL, {"since": 3})) == [4, 5]
    assert ids(api.get(URL, {"since": 5})) == []
    page = api.get(URL, {"since": 0, "limit": 2}).json()
    assert [row["id"] for row in page["results"]] == [1, 2]
    assert page["has_more"] is True and page["next_since"] == 2 and "since=2" in page["next"]
    last = api.get(URL, {"since": 4, "limit": 2}).json()
    assert last["has_more"] is False and last["next"] is None and last["next_since"] == 5
    assert last["results"][0]["kind"] == "licence_changed"
    assert last["results"][0]["subject"] == {"subject_type": "entity", "credit_code": entity_a.credit_code,
                                             "name": entity_a.name}


@pytest.mark.django_db
def test_kind_filters_and_an_unknown_kind_or_bad_cursor_is_a_400_naming_the_field(entity_a):
    LicenceFactory(entity=entity_a)
    listing_in("published", entity=entity_a)
    _client, api, _key = keyed()
    rows = api.get(URL, {"kind": "listing_published"}).json()["results"]
    assert [row["kind"] for row in rows] == ["listing_published"]
    for params, field in [({"kind": "listing_moved"}, "kind"), ({"since": "-1"}, "since"), ({"since": "1.5"}, "since"),
                          ({"since": "١"}, "since"), ({"limit": "0"}, "limit"), ({"limit": "501"}, "limit")]:
        response = api.get(URL, params)
        assert response.status_code == 400, (params, response.content)
        assert field in response.json(), response.json()
    assert api.get(URL, {"limit": "500"}).status_code == 200
    assert api.get(URL, {"limit": "1"}).status_code == 200


@pytest.mark.django_db
def test_without_lists_read_persons_are_masked_and_watch_listings_withheld(entity_a, entity_b):
    person = PersonFactory(name="王小明")
    listing_in("published", person=person, related_entity=entity_a, person_role="legal_representative")
    listing_in("published", entity=entity_b, list_type="watch")
    _c, push_only, _k = keyed()
    _c, reader, _k = keyed(("push", "lists:read"), name="市法院执行局")
    masked = push_only.get(URL).json()["results"]
    assert [row["payload"]["list_type"] for row in masked] == ["black"]
    assert masked[0]["subject"]["person_name"] == "王**"
    assert "id_number_masked" not in masked[0]["subject"]
    assert "王小明" not in push_only.get(URL).content.decode()
    full = reader.get(URL).json()["results"]
    assert [row["payload"]["list_type"] for row in full] == ["black", "watch"]
    assert full[0]["subject"]["person_name"] == "王小明"
    assert full[0]["subject"]["id_number_masked"] == person.id_number_masked


@pytest.mark.django_db
def test_a_client_without_push_gets_403_and_a_revoked_key_401(entity_a):
    LicenceFactory(entity=entity_a)
    _client, api, _key = keyed(("lists:read", "licence-check"))
    response = api.get(URL)
    assert response.status_code == 403
    assert "results" not in response.json()
    client, api, key = keyed(name="市财政局")
    assert api.get(URL).status_code == 200
    record = clients.client_key_find(key)
    clients.client_key_revoke(key_id=record.pk)
    response = api.get(URL)
    assert response.status_code == 401
    assert "results" not in response.json()


@pytest.mark.django_db
def test_staff_other_than_regulators_and_the_public_are_refused(entity_a, regulator, inspector):
    LicenceFactory(entity=entity_a)
    assert ids(api_client(regulator).get(URL)) == [1]
    assert api_client(inspector).get(URL).status_code == 403
    assert api_client().get(URL).status_code in (401, 403)


@pytest.mark.django_db
def test_every_client_request_is_in_its_query_log(entity_a):
    LicenceFactory(entity=entity_a)
    client, api, _key = keyed()
    api.get(URL, {"since": 0})
    api.get(URL, {"kind": "nonsense"})
    logged = list(ClientQuery.objects.filter(client=client).order_by("id"))
    assert [(q.endpoint, q.status_code) for q in logged] == [(URL, 200), (URL, 400)]
    assert logged[0].answer_summary["event_ids"] == [1] and logged[0].items == 1
    assert logged[0].request_summary["since"] == "0"
    _c, refused, _k = keyed(("lists:read",), name="市税务局")
    refused.get(URL)
    assert ClientQuery.objects.filter(client=_c, status_code=403).count() == 1


@pytest.mark.django_db
def test_a_page_costs_a_fixed_number_of_queries(entity_a, django_assert_max_num_queries):
    for _ in range(30):
        LicenceFactory(entity=entity_a)
    _client, api, _key = keyed()
    api.get(URL, {"limit": 1})
    with django_assert_max_num_queries(12):
        assert len(ids(api.get(URL, {"limit": 30}))) == 30


@pytest.mark.django_db(transaction=True)
def test_an_event_committed_after_a_later_one_is_still_seen_after_it():
    """Writer A takes the lower row id but commits last. Numbered after commit, A's event gets the next id after
    B's, so a poller that moved past B still receives A (with ids taken at insert it never would).

    Audited writers serialise on the audit chain's lock (decision 0005), which happens to keep their insert
    order their commit order; the numbering does not rely on it. Writer A here is one outside the audit (the
    owner in replica mode, as ``generate_data`` writes), on a second connection."""
    from core.database.roles import owner_connection

    entity = EntityFactory()
    _client, api, _key = keyed()
    with owner_connection() as owner, owner.cursor() as writer_a:
        writer_a.execute("BEGIN")
        writer_a.execute("SET LOCAL session_replication_role = replica")
        writer_a.execute("INSERT INTO regulator_feedevent (kind, restricted, subject, payload, occurred_at, "
                         "source_table) VALUES ('licence_changed', false, '{}', '{\"number\": \"A-1\"}', now(), "
                         "'test') RETURNING id")
        row_a = writer_a.fetchone()[0]
        LicenceFactory(entity=entity, number="B-1")  # writer B commits at once (autocommit)
        first = api.get(URL).json()["results"]
        assert [row["payload"]["number"] for row in first] == ["B-1"]
        writer_a.execute("COMMIT")
    rows = {e.payload["number"]: e for e in FeedEvent.objects.all()}
    assert rows["A-1"].pk == row_a < rows["B-1"].pk  # A's row was inserted first ...
    second = api.get(URL, {"since": first[-1]["id"]}).json()["results"]
    assert [row["payload"]["number"] for row in second] == ["A-1"]  # ... and is not skipped
    assert second[0]["id"] > first[-1]["id"]
