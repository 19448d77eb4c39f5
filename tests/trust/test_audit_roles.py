"""The service's database role cannot rewrite the audit trail (issue 12, item 9; decision 0012).

Each attack found against main, tried as the role the service connects as, is refused by PostgreSQL itself
(SQLSTATE 42501, "permission denied" / "must be owner"), or, where the role may legitimately write (a
listing's status), cannot happen without an audit row.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from core import audit
from core.database import roles
from core.models import AuditEntry
from tests.support import listing_in
from tests.support.factories import EntityFactory

from .audit_support import FAR_DAY, INSUFFICIENT_PRIVILEGE, as_owner, refused, requires_two_roles, sqlstate

pytestmark = [pytest.mark.django_db, requires_two_roles]

APP = settings.DATABASES["default"]["USER"]
OWNER = settings.DATABASES["default"].get("OWNER", {}).get("USER", "")

ATTACKS = {
    # the append-only triggers and the capture trigger stay on
    "replica mode": "SET session_replication_role = replica",
    "replica mode for the transaction": "SELECT set_config('session_replication_role', 'replica', true)",
    "append-only trigger off": "ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_append_only",
    "every trigger of the chain off": "ALTER TABLE audit_entry DISABLE TRIGGER ALL",
    "capture on listings off": "ALTER TABLE regulator_listing DISABLE TRIGGER audit_capture",
    "capture on listings dropped": "DROP TRIGGER audit_capture ON regulator_listing",
    "capture function replaced": ("CREATE OR REPLACE FUNCTION audit_capture() RETURNS trigger LANGUAGE plpgsql "
                                  "AS $$ BEGIN RETURN NULL; END $$"),
    # the entries themselves
    "rewrite an entry": "UPDATE audit_entry SET after = '{}'::jsonb WHERE id = (SELECT max(id) FROM audit_entry)",
    "re-chain from an entry": "UPDATE audit_entry SET prev_hash = '', hash = '' WHERE id >= 1",
    "delete the tail": "DELETE FROM audit_entry WHERE id > (SELECT max(id) - 3 FROM audit_entry)",
    "truncate the chain": "TRUNCATE audit_entry",
    "append a made-up entry": ("INSERT INTO audit_entry (table_name, operation, context, created_at, prev_hash, hash) "
                               "VALUES ('regulator_listing', 'UPDATE', '{}', now(), '', '')"),
    "move the chain's sequence": "SELECT setval(pg_get_serial_sequence('audit_entry', 'id'), 1)",
    # the checkpoints and the chain's identity
    "make up a checkpoint": ("INSERT INTO audit_checkpoint (day, entry_count, head_id, head_hash) "
                             "VALUES ('2099-12-31', 0, 0, '')"),
    "rewrite a checkpoint": "UPDATE audit_checkpoint SET entry_count = 0",
    "delete the checkpoints": "DELETE FROM audit_checkpoint",
    "move where signing began": "UPDATE audit_chain SET signed_from = 9223372036854775807",
    # no way up to the owner, and nowhere to put objects of its own
    "become the owner": f'SET ROLE "{OWNER}"',
    "take the chain over": f'ALTER TABLE audit_entry OWNER TO "{APP}"',
    "make itself superuser": f'ALTER ROLE "{APP}" SUPERUSER',
    "a table of its own": "CREATE TABLE shadow_entry (id bigint)",
    "a temporary table shadowing the chain": "CREATE TEMPORARY TABLE audit_entry (id bigint)",
    "run a program": "COPY audit_entry TO PROGRAM 'true'",
}


def test_the_service_connects_as_a_role_that_owns_nothing_and_is_no_superuser():
    service = roles.describe(connection)
    assert service == {"role": APP, "superuser": False, "owned_tables": 0}
    with as_owner() as (owner, cursor):
        described = roles.describe(owner)
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = current_schema()")
        owners = {row[0] for row in cursor.fetchall()}
    assert described["role"] == OWNER and not described["superuser"]
    assert owners == {OWNER}  # the migrations ran as the owner: every table is its


@pytest.mark.parametrize("statement", list(ATTACKS.values()), ids=list(ATTACKS))
def test_the_service_role_is_refused(statement):
    before = audit.verify_chain()
    error = refused(statement)
    assert sqlstate(error) == INSUFFICIENT_PRIVILEGE, error
    after = audit.verify_chain()
    assert after.valid and after.entries == before.entries


def test_a_listing_removed_in_sql_still_leaves_an_audit_row():
    """Found on main: ``removed`` in replica mode took a published listing off the blacklist with no audit row."""
    listing = listing_in("published", entity=EntityFactory())
    refused("SET session_replication_role = replica")
    refused("ALTER TABLE regulator_listing DISABLE TRIGGER USER")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE regulator_listing SET status = 'removed' WHERE id = %s", [listing.pk])
    entry = AuditEntry.objects.filter(table_name="regulator_listing", object_id=str(listing.pk)).order_by("id").last()
    assert entry.operation == "UPDATE"
    assert (entry.before["status"], entry.after["status"]) == ("published", "removed")
    assert entry.context["db"]["user"] == APP  # who really did it, written by the trigger
    assert audit.verify_chain().valid


def test_truncating_a_table_is_recorded_in_the_chain():
    """The service's role may TRUNCATE the tables of the models (test flushes do); the chain records it."""
    listing_in("published", entity=EntityFactory())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM regulator_listing")
        rows = cursor.fetchone()[0]
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no deferred foreign-key check
        cursor.execute("TRUNCATE regulator_listing CASCADE")
    entry = AuditEntry.objects.filter(table_name="regulator_listing").order_by("id").last()
    assert entry.operation == "TRUNCATE" and entry.before == {"rows": rows} and entry.object_id is None
    assert audit.verify_chain().valid


def test_the_service_role_takes_checkpoints_only_through_the_function_that_reads_the_chain():
    row = audit.checkpoint(day=FAR_DAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(id) FROM audit_entry")
        count, head = cursor.fetchone()
    assert (row.entry_count, row.head_id) == (count, head)
    assert audit.checkpoint(day=FAR_DAY).head_id == head  # one per day


def test_the_service_role_reads_and_writes_the_tables_of_the_models():
    entity = EntityFactory()
    entity.address = "运城市新址"
    entity.save()
    entity.delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_entry")  # the audit log is readable (regulators' API)
        assert cursor.fetchone()[0] > 0
