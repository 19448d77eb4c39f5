"""What the service's role cannot be refused is detected (issue 12, item 9; decision 0012).

* An actor context set in SQL (``set_config('audit.context', ...)``), or a genuine one copied from another
  session, is marked forged: the service signs its contexts with an HMAC key the database never sees.
* A history rewritten and re-chained, or cut short, by someone with more than the service's rights (the
  owner's password, a superuser) passes every check inside the database once the checkpoints there are
  rewritten too; it no longer matches the checkpoints published, signed, outside the database.
"""

from __future__ import annotations

import base64
import json
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.db import connection

from core import audit, audit_checkpoints
from core.models import AuditEntry
from tests.support import page_client
from tests.support.factories import EntityFactory, UserFactory

from .audit_support import (
    FAR_DAY,
    as_owner,
    checkpoints_rewritten,
    owner_writes,
    rechain_from,
    requires_two_roles,
    triggers_off,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _published_in_a_private_dir(settings, tmp_path):
    """Checkpoints are published per test, never into the var/exports another run may be reading."""
    settings.EXPORTS_DIR = tmp_path / "exports"


def _last_entry(entity) -> AuditEntry:
    return AuditEntry.objects.filter(table_name="entities_entity", object_id=str(entity.pk)).order_by("id").last()


def _change_in_sql(entity, address: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE entities_entity SET address = %s WHERE id = %s", [address, entity.pk])


# ----------------------------------------------------------------------------- actor contexts


def test_a_write_through_the_api_carries_a_signed_context():
    regulator = UserFactory(username="regulator", role="regulator")
    entity = EntityFactory()
    response = page_client(regulator).patch(f"/api/v1/entities/{entity.pk}/", json.dumps({"address": "运城市新址"}),
                                            content_type="application/json")
    assert response.status_code == 200
    entry = _last_entry(entity)
    assert entry.context["username"] == "regulator" and entry.context["mac"]
    assert audit.context_status(entry.context, at=entry.created_at) == (audit.SIGNED, "")
    assert audit.verify_chain().valid


def test_an_actor_forged_with_set_config_is_marked_forged():
    """Found on main: ``set_config('audit.context', '{"username": "demo-inspector", ...}', true)`` was believed."""
    entity = EntityFactory()
    forged = {"user_id": 2, "username": "demo-inspector", "role": "inspector", "ip": "10.0.0.8",
              "endpoint": f"PATCH /api/v1/entities/{entity.pk}/"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.context', %s, true)", [json.dumps(forged)])
    _change_in_sql(entity, "伪造的操作人")
    entry = _last_entry(entity)
    assert entry.context["username"] == "demo-inspector"  # the claim is stored as made ...
    status, why = audit.context_status(entry.context, at=entry.created_at)
    assert status == audit.FORGED and "not signed" in why  # ... and known for what it is
    report = audit.verify_chain()
    assert not report.valid and report.first_bad_id == entry.id and report.forged == [entry.id]
    assert "did not sign" in report.problem


def test_a_genuine_context_edited_in_sql_is_marked_forged():
    entity = EntityFactory()
    audit.set_context(user_id=1, username="business_a", role="business")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('audit.context')")
        genuine = json.loads(cursor.fetchone()[0])
        cursor.execute("SELECT set_config('audit.context', %s, true)",
                       [json.dumps({**genuine, "username": "demo-regulator", "role": "regulator"})])
    _change_in_sql(entity, "改过的签名上下文")
    assert audit.context_status(_last_entry(entity).context)[0] == audit.FORGED
    audit.clear_context()


def test_a_genuine_context_copied_from_another_session_is_marked_replayed():
    """Anyone with the service's password can read signed contexts; one signed for another session does not pass."""
    entity = EntityFactory()
    copied: list[str] = []

    def another_session() -> None:  # a thread has a connection (a database session) of its own
        try:
            audit.set_context(user_id=1, username="demo-regulator", role="regulator")
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('audit.context')")
                copied.append(cursor.fetchone()[0])
        finally:
            connection.close()

    thread = threading.Thread(target=another_session)
    thread.start()
    thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.context', %s, true)", [copied[0]])
    _change_in_sql(entity, "重放的上下文")
    entry = _last_entry(entity)
    assert entry.context["username"] == "demo-regulator"
    assert audit.context_status(entry.context, at=entry.created_at) == (
        audit.FORGED, "the actor context was signed for another database session (replayed)")


def test_a_change_that_claims_no_actor_is_unsigned_not_forged():
    entity = EntityFactory()
    audit.clear_context()
    _change_in_sql(entity, "无操作人")
    assert audit.context_status(_last_entry(entity).context)[0] == audit.UNSIGNED
    report = audit.verify_chain()
    assert report.valid and report.unsigned > 0


def test_verify_audit_chain_names_the_entry_with_the_forged_actor(capsys):
    entity = EntityFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.context', %s, true)", ['{"username": "demo-inspector"}'])
    _change_in_sql(entity, "伪造")
    entry = _last_entry(entity)
    with pytest.raises(CommandError, match=f"entry {entry.id}: .*did not sign"):
        call_command("verify_audit_chain")
    assert f"entries with a forged actor context (1): {entry.id}" in capsys.readouterr().out


# ----------------------------------------------------------------------------- published checkpoints


def test_a_checkpoint_is_published_outside_the_database_signed_for_anyone_to_check(
        django_capture_on_commit_callbacks):
    EntityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        row = audit.checkpoint(day=FAR_DAY)
    chain_id, _signed_from = audit.chain_identity()
    folder = audit_checkpoints.root() / chain_id
    document = json.loads((folder / f"{FAR_DAY}.json").read_text())
    assert json.loads((folder / "latest.json").read_text()) == document
    assert document["payload"] == {"kind": "audit-checkpoint", "chain": chain_id, "day": str(FAR_DAY),
                                   "entry_count": row.entry_count, "head_id": row.head_id,
                                   "head_hash": row.head_hash, "taken_at": row.created_at.isoformat()}
    # Checked with nothing of ours: the public key, the signature and the canonical JSON of the payload.
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["public_key"]))
    public.verify(base64.b64decode(document["signature"]),
                  json.dumps(document["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
    assert document["public_key"] == audit_checkpoints.public_key_b64()
    report = audit.verify_chain()
    assert report.valid and report.checkpoints == 1


def test_a_published_checkpoint_that_is_not_ours_is_reported(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = audit.checkpoint(day=FAR_DAY)
    chain_id, _signed_from = audit.chain_identity()
    path = audit_checkpoints.root() / chain_id / f"{FAR_DAY}.json"
    document = json.loads(path.read_text())
    document["payload"]["entry_count"] = row.entry_count - 1  # "fewer entries then": would excuse a cut
    path.write_text(json.dumps(document))
    report = audit.verify_chain()
    assert not report.valid and "not signed by the service's checkpoint key" in report.problem


@requires_two_roles
def test_a_rewritten_and_rechained_history_passes_inside_the_database_but_not_the_published_checkpoint(tmp_path):
    """Found on main: rewrite an entry, recompute every later hash, and verify said "valid"."""
    with as_owner() as (owner, cursor):
        owner_writes(cursor, 3)
        taken = audit.checkpoint(day=FAR_DAY, connection=owner)
        chain_id, _signed_from = audit.chain_identity(owner)
        audit_checkpoints.publish(taken, chain_id=chain_id)
        owner_writes(cursor, 3)

        target = taken.head_id - 2
        triggers_off(cursor)
        cursor.execute("UPDATE audit_entry SET after = jsonb_set(after, '{name}', '\"改写\"') WHERE id = %s", [target])
        rechain_from(cursor, target)
        checkpoints_rewritten(cursor)

        inside = audit.verify_chain(connection=owner, checkpoint_dir=tmp_path / "nothing-published")
        assert inside.valid  # hashes, links and the database's own checkpoints all agree again
        report = audit.verify_chain(connection=owner)
        assert not report.valid and report.first_bad_id == taken.head_id
        assert "rewritten and re-chained" in report.problem and str(FAR_DAY) in report.problem


@requires_two_roles
def test_a_cut_off_tail_passes_inside_the_database_but_not_the_published_checkpoint(tmp_path):
    """Found on main: delete the tail (and the checkpoints that would tell) and nothing noticed."""
    with as_owner() as (owner, cursor):
        owner_writes(cursor, 4)
        taken = audit.checkpoint(day=FAR_DAY, connection=owner)
        chain_id, _signed_from = audit.chain_identity(owner)
        audit_checkpoints.publish(taken, chain_id=chain_id)

        triggers_off(cursor)
        cursor.execute("DELETE FROM audit_entry WHERE id > %s", [taken.head_id - 2])
        checkpoints_rewritten(cursor)

        assert audit.verify_chain(connection=owner, checkpoint_dir=tmp_path / "nothing-published").valid
        report = audit.verify_chain(connection=owner)
        assert not report.valid and report.first_bad_id == taken.head_id and "cut short" in report.problem


def test_verify_audit_chain_compares_the_chain_with_a_saved_copy_of_the_checkpoints(tmp_path):
    """An auditor keeps the published files; the command holds the chain to them (``--checkpoints``)."""
    taken = audit.checkpoint(day=FAR_DAY)
    chain_id, _signed_from = audit.chain_identity()
    call_command("verify_audit_chain", checkpoints=tmp_path)  # nothing saved yet: nothing to contradict
    taken.entry_count += 2  # published when the chain up to that entry was longer: entries went since
    audit_checkpoints.publish(taken, chain_id=chain_id, directory=tmp_path)
    with pytest.raises(CommandError, match=f"entry {taken.head_id}: .*entries were removed or added"):
        call_command("verify_audit_chain", checkpoints=tmp_path)


# ----------------------------------------------------------------------------- the chain itself (as the owner)


def _tampered(statement: str) -> tuple[list[int], audit.ChainReport]:
    """Four entries by the owner, then ``statement`` (``{0}``..``{3}``: their ids) with the triggers off."""
    with as_owner() as (owner, cursor):
        ids = owner_writes(cursor, 4)
        assert audit.verify_chain(connection=owner).valid
        triggers_off(cursor)
        cursor.execute(statement.format(*ids))
        return ids, audit.verify_chain(connection=owner)


@requires_two_roles
def test_an_edited_byte_is_detected():
    ids, report = _tampered("UPDATE audit_entry SET after = jsonb_set(after, '{{name}}', '\"改\"') WHERE id = {1}")
    assert not report.valid and report.first_bad_id == ids[1] and "content" in report.problem


@requires_two_roles
def test_a_deleted_row_is_detected():
    ids, report = _tampered("DELETE FROM audit_entry WHERE id = {1}")
    assert not report.valid and report.first_bad_id == ids[2] and "prev_hash" in report.problem


@requires_two_roles
def test_two_swapped_rows_are_detected():
    ids, report = _tampered("UPDATE audit_entry SET id = -1 WHERE id = {1}; UPDATE audit_entry SET id = {1} WHERE id = {2}; "
                            "UPDATE audit_entry SET id = {2} WHERE id = -1")
    assert not report.valid and report.first_bad_id == ids[1]


@requires_two_roles
def test_a_cut_off_tail_is_detected_by_the_checkpoint_in_the_database():
    with as_owner() as (owner, cursor):
        owner_writes(cursor, 4)
        taken = audit.checkpoint(day=FAR_DAY, connection=owner)
        triggers_off(cursor)
        cursor.execute("DELETE FROM audit_entry WHERE id >= %s", [taken.head_id - 1])
        report = audit.verify_chain(connection=owner)
    assert not report.valid and "checkpoint" in report.problem


def test_the_open_data_manifest_carries_the_latest_signed_audit_checkpoint(db, tmp_path, settings):
    """The checkpoint is published outside the database, beside the open data the public downloads."""
    from core import audit, audit_checkpoints
    from regulator.disclosure import exports

    settings.EXPORTS_DIR = str(tmp_path)
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "audit" / "checkpoints")
    before = exports.regenerate()
    assert before["audit_checkpoint"] is None  # nothing published yet: the manifest says so, it invents nothing
    row = audit.checkpoint()
    chain_id, _ = audit.chain_identity()
    audit_checkpoints.publish(row, chain_id=chain_id, directory=tmp_path / "audit" / "checkpoints")
    manifest = exports.regenerate()
    assert manifest["audit_checkpoint"]["payload"]["head_hash"] == row.head_hash
    assert audit_checkpoints.signature_valid(manifest["audit_checkpoint"])
