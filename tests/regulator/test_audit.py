"""Audit trail: captured by the database, append-only, hash-chained, and tamper-evident (4/4)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError

from core import audit
from core.models import AuditEntry
from entities.models import Entity
from tests.support import api_client
from tests.support.factories import EntityFactory


def _entries_for(entity) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(table_name="entities_entity", object_id=str(entity.pk)).order_by("id"))


def test_an_api_write_is_captured_with_user_role_ip_and_endpoint(regulator, entity_a):
    client = api_client(regulator, token=True, REMOTE_ADDR="10.1.2.3")
    response = client.patch(f"/api/v1/entities/{entity_a.pk}/", {"address": "运城市新址"}, format="json")
    assert response.status_code == 200
    entry = _entries_for(entity_a)[-1]
    assert entry.operation == "UPDATE"
    assert entry.before["address"] != entry.after["address"] == "运城市新址"
    assert entry.context["username"] == "regulator" and entry.context["role"] == "regulator"
    assert entry.context["ip"] == "10.1.2.3"
    assert entry.context["endpoint"] == f"PATCH /api/v1/entities/{entity_a.pk}/"
    log = client.get(f"/api/v1/audit-log/?table=entities_entity&object_id={entity_a.pk}").json()
    assert log["results"][0]["username"] == "regulator"


def test_bulk_updates_and_raw_sql_are_captured_too(entity_a, entity_b):
    Entity.objects.filter(pk__in=[entity_a.pk, entity_b.pk]).update(address="批量更新")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE entities_entity SET address = 'raw' WHERE id = %s", [entity_a.pk])
    assert [e.after["address"] for e in _entries_for(entity_a)][-2:] == ["批量更新", "raw"]
    assert _entries_for(entity_b)[-1].after["address"] == "批量更新"


def test_deletes_are_captured_with_the_row_before(db):
    from entities.models import Licence
    from tests.support.factories import LicenceFactory

    licence = LicenceFactory()
    pk = licence.pk
    Licence.objects.filter(pk=pk).delete()
    entry = AuditEntry.objects.filter(table_name="entities_licence", object_id=str(pk)).order_by("id").last()
    assert entry.operation == "DELETE" and entry.before["number"] == licence.number and entry.after is None


def test_password_hashes_never_enter_the_audit_log(db):
    from tests.support.factories import UserFactory

    user = UserFactory(username="someone")
    entry = AuditEntry.objects.filter(table_name="regulator_user", object_id=str(user.pk)).last()
    assert entry is not None and "password" not in (entry.after or {})


@pytest.mark.parametrize("statement", [
    "UPDATE audit_entry SET table_name = 'x'",
    "DELETE FROM audit_entry",
    "TRUNCATE audit_entry",
])
def test_audit_entries_are_append_only_in_the_database(entity_a, statement):
    entity_a.address = "变更"
    entity_a.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert audit.verify_chain().valid


def test_non_regulators_cannot_read_the_audit_log(inspector_client, business_a):
    assert inspector_client.get("/api/v1/audit-log/").status_code == 403
    assert api_client(business_a).get("/api/v1/audit-log/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_leave_one_valid_chain():
    writers, changes = 8, 500
    entities = [EntityFactory() for _ in range(writers)]
    before = AuditEntry.objects.count()
    errors: list[BaseException] = []

    def write(entity_id: int) -> None:
        try:
            for i in range(changes):
                Entity.objects.filter(pk=entity_id).update(address=f"第{i}次")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(entity.pk,)) for entity in entities]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEntry.objects.count() - before == writers * changes
    report = audit.verify_chain()
    print(f"\n[figure] audit chain after {writers} writers x {changes} changes: {report.entries} entries, valid")
    assert report.valid
