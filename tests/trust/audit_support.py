"""What the audit-trail attack tests share: the two roles, an owner connection, a statement run as an attacker.

The tests run as the service's role (``DATABASE_URL``, or the embedded ``credit_app``), as the service does.
What only the owner could do (rewrite and re-chain, cut the tail) runs on a second connection logged in as the
owner, inside a transaction that is rolled back: the test sees the damage, the test database's chain (which
every later test verifies) does not keep it. Nothing in those tests writes through the service's connection,
which would hold the chain's lock the owner's writes wait for.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from core import audit
from core.database import roles

requires_two_roles = pytest.mark.skipif(
    not settings.DATABASES["default"].get("OWNER"),
    reason="needs the owner role (DATABASE_OWNER_URL or the embedded PostgreSQL)")
INSUFFICIENT_PRIVILEGE = "42501"  # SQLSTATE of "permission denied" and "must be owner of"
FAR_DAY = datetime.date(2099, 1, 1)  # a checkpoint day no other test takes


def sqlstate(error: BaseException) -> str | None:
    return getattr(error.__cause__, "sqlstate", None)


def refused(sql: str, params=None) -> DatabaseError:
    """Run ``sql`` as the service's role; it must fail (the error is returned), changing nothing."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return caught.value


@contextmanager
def as_owner():
    """A cursor of the owner role on the test database, in a transaction rolled back at the end."""
    with roles.owner_connection() as owner:
        owner.ensure_connection()
        owner.set_autocommit(False)
        try:
            with owner.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '20s'")  # a lock wait fails the test, never hangs it
                yield owner, cursor
        finally:
            owner.rollback()
            owner.set_autocommit(True)


def owner_writes(cursor, count: int = 5) -> list[int]:
    """``count`` new audit entries, written by the owner (a change to calendar days the migrations seeded)."""
    cursor.execute("UPDATE regulator_calendarday SET name = name || '·' WHERE id IN "
                   "(SELECT id FROM regulator_calendarday ORDER BY id LIMIT %s)", [count])
    cursor.execute("SELECT id FROM audit_entry ORDER BY id DESC LIMIT %s", [count])
    return sorted(row[0] for row in cursor.fetchall())


def triggers_off(cursor) -> None:
    """What the owner may do and the service's role may not: switch off the append-only triggers."""
    cursor.execute("ALTER TABLE audit_entry DISABLE TRIGGER USER")
    cursor.execute("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER")


def rechain_from(cursor, entry_id: int) -> None:
    """Recompute ``prev_hash`` and ``hash`` of every entry from ``entry_id`` on, as the trigger would have."""
    canonical = audit.CANONICAL_SQL.format(id="id", table="table_name", op="operation", obj="object_id",
                                           before="before", after="after", ctx="context", at="created_at")
    cursor.execute(f"""DO $$
DECLARE r record; prev text;
BEGIN
    SELECT hash INTO prev FROM audit_entry WHERE id < {int(entry_id)} ORDER BY id DESC LIMIT 1;
    prev := COALESCE(prev, '');
    FOR r IN SELECT id FROM audit_entry WHERE id >= {int(entry_id)} ORDER BY id LOOP
        UPDATE audit_entry SET prev_hash = prev, hash = encode(sha256(convert_to({canonical} || prev, 'UTF8')), 'hex')
        WHERE id = r.id RETURNING hash INTO prev;
    END LOOP;
END $$""")


def checkpoints_rewritten(cursor) -> None:
    """A thorough attacker makes the checkpoints in the database agree with the rewritten chain."""
    cursor.execute("DELETE FROM audit_checkpoint c WHERE NOT EXISTS (SELECT 1 FROM audit_entry e WHERE e.id = c.head_id)")
    cursor.execute("UPDATE audit_checkpoint c SET head_hash = e.hash, "
                   "entry_count = (SELECT count(*) FROM audit_entry x WHERE x.id <= c.head_id) "
                   "FROM audit_entry e WHERE e.id = c.head_id")
