"""The audit context reaches the database only before a write (issue 14): reads run no audit statement.

Every write still carries the signed actor: after a rollback of the savepoint (or transaction) the context was
set in, it is set again before the next write; an eager task inside a request writes as the system and hands
the request its own context back.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import audit
from core.models import AuditEntry
from entities.models import Entity
from tests.support import api_client

SETS = "set_config('audit.context'"


def _audit_statements(queries) -> list[str]:
    return [query["sql"] for query in queries if SETS in query["sql"] or "pg_backend_pid" in query["sql"]]


def _last_context(entity) -> dict:
    entry = AuditEntry.objects.filter(table_name="entities_entity", object_id=str(entity.pk)).order_by("id").last()
    return entry.context


def test_a_public_read_runs_no_audit_statement(entity_a, client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/public/entities/{entity_a.credit_code}/")
    assert response.status_code == 200
    assert _audit_statements(queries.captured_queries) == []


def test_an_authenticated_read_runs_no_audit_statement(regulator, entity_a):
    api = api_client(regulator, token=True)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/entities/{entity_a.pk}/")
    assert response.status_code == 200
    assert _audit_statements(queries.captured_queries) == []


def test_a_write_sets_the_context_once_before_it_and_clears_it_after(regulator, entity_a):
    api = api_client(regulator, token=True, REMOTE_ADDR="10.9.8.7")
    with CaptureQueriesContext(connection) as queries:
        response = api.patch(f"/api/v1/entities/{entity_a.pk}/", {"address": "新地址一号"}, format="json")
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    sets = [index for index, text in enumerate(sql) if SETS in text and "'', false" not in text]
    first_write = next(index for index, text in enumerate(sql) if text.lstrip().upper().startswith("UPDATE"))
    assert len(sets) == 1 and sets[0] < first_write
    assert SETS in sql[-1] and "''" in sql[-1]  # cleared at the end
    context = _last_context(entity_a)
    assert context["username"] == "regulator" and context["ip"] == "10.9.8.7"
    assert audit.context_status(context)[0] == audit.SIGNED


def test_a_savepoint_rolled_back_takes_the_context_and_the_next_write_sets_it_again(entity_a):
    with audit.deferred(role="system", task="test"):
        with transaction.atomic():
            with pytest.raises(IntegrityError), transaction.atomic():
                Entity.objects.filter(pk=entity_a.pk).update(address="会回滚")
                with connection.cursor() as cursor:
                    cursor.execute("INSERT INTO entities_entity (id) VALUES (NULL)")  # refused: rolls back
            Entity.objects.filter(pk=entity_a.pk).update(address="保留的写入")
    context = _last_context(entity_a)
    assert Entity.objects.get(pk=entity_a.pk).address == "保留的写入"
    assert context.get("task") == "test" and audit.context_status(context)[0] == audit.SIGNED


def test_without_a_rollback_the_context_is_set_once_in_a_transaction(entity_a, entity_b):
    with audit.deferred(role="system", task="once"), CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            Entity.objects.filter(pk=entity_a.pk).update(address="一")
            Entity.objects.filter(pk=entity_b.pk).update(address="二")
    sets = [query for query in queries.captured_queries if SETS in query["sql"] and "'', false" not in query["sql"]]
    assert len(sets) == 1
    assert _last_context(entity_b)["task"] == "once"


def test_an_eager_task_inside_a_scope_writes_as_the_system_and_the_scope_keeps_its_own(entity_a, entity_b):
    from core.apps import _task_context, _task_context_end

    with audit.deferred(username="someone", role="regulator"):
        Entity.objects.filter(pk=entity_a.pk).update(address="请求写入")
        _task_context(task=type("T", (), {"name": "inner.task"})(), task_id="t-1")
        Entity.objects.filter(pk=entity_b.pk).update(address="任务写入")
        _task_context_end(task_id="t-1")
        assert _last_context(entity_b)["task"] == "inner.task"
        Entity.objects.filter(pk=entity_a.pk).update(address="请求再写")
    context = _last_context(entity_a)
    assert context["username"] == "someone" and "task" not in context


def test_a_claim_added_after_a_write_is_set_before_the_next_write(entity_a):
    with audit.deferred(role="anonymous"):
        Entity.objects.filter(pk=entity_a.pk).update(address="匿名")
        assert _last_context(entity_a)["role"] == "anonymous"
        audit.set_context(username="late", role="regulator")  # the token authenticated after a write
        Entity.objects.filter(pk=entity_a.pk).update(address="已登录")
    assert _last_context(entity_a)["username"] == "late"


def test_a_with_query_that_only_reads_runs_no_audit_statement_and_one_that_writes_does(entity_a):
    with audit.deferred(role="system", task="with"), CaptureQueriesContext(connection) as queries:
        with connection.cursor() as cursor:
            cursor.execute("WITH m (id) AS (SELECT id FROM entities_entity) SELECT count(*) FROM m")
        assert _audit_statements(queries.captured_queries) == []
        with connection.cursor() as cursor:
            cursor.execute("WITH m AS (UPDATE entities_entity SET address = 'CTE' WHERE id = %s RETURNING id) "
                           "SELECT count(*) FROM m", [entity_a.pk])
    assert _last_context(entity_a)["task"] == "with"
