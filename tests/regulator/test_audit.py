"""Audit trail: captured by the database, append-only, hash-chained, and tamper-evident (4/4)."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.utils import DatabaseError

from core import audit
from core.models import AuditEntry
from entities.models import Entity
from tests.factories import EntityFactory


def _entries_for(entity) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(table_name="entities_entity", object_id=str(entity.pk)).order_by("id"))


def _bypass_triggers():
    """What an attacker with table access would do: write around the append-only triggers."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


def _restore_triggers():
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")


def test_an_api_write_is_captured_with_user_role_ip_and_endpoint(regulator, entity_a):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=regulator)
    client = APIClient(REMOTE_ADDR="10.1.2.3")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
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
    from tests.factories import LicenceFactory

    licence = LicenceFactory()
    pk = licence.pk
    Licence.objects.filter(pk=pk).delete()
    entry = AuditEntry.objects.filter(table_name="entities_licence", object_id=str(pk)).order_by("id").last()
    assert entry.operation == "DELETE" and entry.before["number"] == licence.number and entry.after is None


def test_password_hashes_never_enter_the_audit_log(db):
    from tests.factories import UserFactory

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
    from tests.conftest import client_for

    assert inspector_client.get("/api/v1/audit-log/").status_code == 403
    assert client_for(business_a).get("/api/v1/audit-log/").status_code == 403


@pytest.fixture
def chain(db):
    entities = [EntityFactory() for _ in range(4)]
    for i, entity in enumerate(entities):
        entity.address = f"地址{i}"
        entity.save()
    report = audit.verify_chain()
    assert report.valid
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    return ids


def test_tamper_an_edited_byte_is_detected(chain):
    target = chain[len(chain) // 2]
    _bypass_triggers()
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_entry SET after = jsonb_set(after, '{address}', '\"改\"') WHERE id = %s",
                           [target])
    finally:
        _restore_triggers()
    report = audit.verify_chain()
    assert not report.valid and report.first_bad_id == target


def test_tamper_a_deleted_row_is_detected(chain):
    target = chain[len(chain) // 2]
    _bypass_triggers()
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_entry WHERE id = %s", [target])
    finally:
        _restore_triggers()
    report = audit.verify_chain()
    assert not report.valid and report.first_bad_id == chain[chain.index(target) + 1]


def test_tamper_two_swapped_rows_are_detected(chain):
    first, second = chain[2], chain[3]
    columns = "table_name, operation, object_id, before, after, context, created_at, prev_hash, hash"
    _bypass_triggers()
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM audit_entry WHERE id IN (%s, %s) ORDER BY id", [first, second])
            a, b = cursor.fetchall()
            setter = ", ".join(f"{c.strip()} = %s" for c in columns.split(","))
            for row, target in ((b, first), (a, second)):
                cursor.execute(f"UPDATE audit_entry SET {setter} WHERE id = %s",
                               [*[audit_json(v) for v in row], target])
    finally:
        _restore_triggers()
    report = audit.verify_chain()
    assert not report.valid and report.first_bad_id == first


def audit_json(value):
    import json

    return json.dumps(value) if isinstance(value, dict | list) else value


def test_tamper_a_cut_off_tail_is_detected_by_the_checkpoint(chain):
    checkpoint = audit.checkpoint()
    assert checkpoint.entry_count == len(chain)
    _bypass_triggers()
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_entry WHERE id >= %s", [chain[-3]])
    finally:
        _restore_triggers()
    report = audit.verify_chain()
    assert not report.valid and "checkpoint" in report.problem


def test_verify_audit_chain_command_names_the_first_bad_entry(chain, capsys):
    call_command("verify_audit_chain")
    assert f"{len(chain)} entries" in capsys.readouterr().out
    _bypass_triggers()
    try:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_entry SET operation = 'DELETE' WHERE id = %s", [chain[1]])
    finally:
        _restore_triggers()
    with pytest.raises(CommandError, match=f"entry {chain[1]}"):
        call_command("verify_audit_chain")


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
