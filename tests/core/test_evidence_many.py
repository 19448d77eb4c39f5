"""Evidence that changes for many entities in one write (an import) is recorded in one statement and queued in a
few messages, not one upsert and two messages per entity (issue 14)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import evidence
from ratings import hooks as ratings_hooks
from ratings.models import RescoreRequest
from regulator.lists import tasks as lists_tasks
from tests.support.factories import EntityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch) -> dict[str, list]:
    calls: dict[str, list] = {"rescore_one": [], "rescore_many": [], "propose_one": [], "propose_many": []}
    monkeypatch.setattr(ratings_hooks.rescore_entity_task, "delay", lambda entity_id: calls["rescore_one"].append(entity_id))
    monkeypatch.setattr(ratings_hooks.rescore_entities_task, "delay", lambda ids: calls["rescore_many"].append(ids))
    monkeypatch.setattr(lists_tasks.propose_listings, "delay", lambda entity_id: calls["propose_one"].append(entity_id))
    monkeypatch.setattr(lists_tasks.propose_listings_batch, "delay", lambda ids: calls["propose_many"].append(ids))
    return calls


def test_many_entities_are_recorded_in_one_statement_and_queued_in_chunks(sent, django_capture_on_commit_callbacks):
    ids = [entity.pk for entity in EntityFactory.create_batch(3)]
    RescoreRequest.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as queries:
            evidence.evidence_changed_many(reversed(ids + ids))  # duplicates and any order
        assert sum("ratings_rescorerequest" in query["sql"] for query in queries.captured_queries) == 1
    assert set(RescoreRequest.objects.values_list("entity_id", flat=True)) == set(ids)
    assert sent["rescore_many"] == [sorted(ids)] and sent["propose_many"] == [sorted(ids)]
    assert sent["rescore_one"] == [] and sent["propose_one"] == []


def test_a_chunk_is_200_entities_at_most():
    ids = list(range(401))
    assert [len(part) for part in evidence.chunks(ids)] == [200, 200, 1]
    assert [len(part) for part in evidence.chunks(ids[:200])] == [200]
    assert list(evidence.chunks([])) == []


def test_one_entity_is_one_message_of_each_kind(sent, django_capture_on_commit_callbacks):
    entity = EntityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        evidence.evidence_changed(entity.pk)
    assert sent["rescore_one"] == [entity.pk] and sent["propose_one"] == [entity.pk]
    assert sent["rescore_many"] == [] and sent["propose_many"] == []


def test_nothing_changed_records_and_sends_nothing(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with CaptureQueriesContext(connection) as queries:
            evidence.evidence_changed_many([None])
    assert queries.captured_queries == [] and callbacks == [] and not any(sent.values())


def test_an_import_of_many_listings_writes_the_outbox_once(sent, django_capture_on_commit_callbacks):
    import datetime

    from regulator.lists.imports import listings_import
    from tests.support import today

    entities = EntityFactory.create_batch(5)
    decided = str(today() - datetime.timedelta(days=20))
    rows = [{"credit_code": entity.credit_code, "name": entity.name, "list_type": "black",
             "reason": "以欺骗手段取得旅行社业务经营许可", "legal_basis": "《行政许可法》第七十九条",
             "decided_on": decided, "source_authority": "运城市市场监督管理局",
             "source_reference": f"运市监认〔2026〕{index}号"} for index, entity in enumerate(entities, 1)]
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as queries:
            summary = listings_import(rows)
    assert summary["created"] == 5
    assert sum("ratings_rescorerequest" in query["sql"] for query in queries.captured_queries) == 1
    assert sent["rescore_many"] == [sorted(entity.pk for entity in entities)]
    assert sent["propose_many"] == [sorted(entity.pk for entity in entities)]
