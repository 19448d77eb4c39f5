"""审计: database triggers capture every change to every model; this module installs and verifies them.

* ``audit_capture`` (AFTER INSERT/UPDATE/DELETE, each row) appends to
  ``audit_entry`` under a transaction-scoped advisory lock, so concurrent
  writers still build one chain: ``hash_i = sha256(canonical_i || hash_{i-1})``.
  Bulk updates, COPY and raw SQL are captured like ORM saves.
* ``audit_entry`` refuses UPDATE, DELETE and TRUNCATE (triggers raise).
* The request's user, role, IP and endpoint reach the trigger through the
  ``audit.context`` setting of the connection (:func:`set_context`).
* Tables of derived, reproducible data (scores, the credit-event ledger,
  recompute runs), secrets (tokens, sessions) and the audit tables themselves
  are not captured; password hashes are stripped from the captured rows.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from core.models import AuditCheckpoint

LOCK_KEY = 7243310  # pg_advisory_xact_lock key serialising appends to the chain
EXCLUDED_TABLES = {
    "audit_entry", "audit_checkpoint", "django_session", "authtoken_token", "django_migrations",
    "ratings_creditscore", "ratings_creditscorehistory", "ratings_creditevent", "ratings_recomputerun",
    "ratings_rescorerequest",
}
STRIPPED_COLUMNS = ("password",)

CANONICAL_SQL = (
    "jsonb_build_object('id', {id}, 'table', {table}, 'op', {op}, 'object_id', {obj}, 'before', {before}, "
    "'after', {after}, 'context', {ctx}, 'at', to_char({at} AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))::text"
)

FUNCTION_SQL = (  # built from constants of this module, no input
    f"""CREATE OR REPLACE FUNCTION audit_capture() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev text;
    ctx jsonb;
    new_id bigint;
    entry_time timestamptz := clock_timestamp();
    before_row jsonb;
    after_row jsonb;
    obj text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        before_row := to_jsonb(OLD) - ARRAY{list(STRIPPED_COLUMNS)!r}::text[];
    ELSIF TG_OP = 'UPDATE' THEN
        before_row := to_jsonb(OLD) - ARRAY{list(STRIPPED_COLUMNS)!r}::text[];
        after_row := to_jsonb(NEW) - ARRAY{list(STRIPPED_COLUMNS)!r}::text[];
        IF before_row = after_row AND to_jsonb(OLD) = to_jsonb(NEW) THEN
            RETURN NULL;  -- nothing changed
        END IF;
    ELSE
        after_row := to_jsonb(NEW) - ARRAY{list(STRIPPED_COLUMNS)!r}::text[];
    END IF;
    obj := COALESCE(after_row, before_row)->>'id';
    ctx := COALESCE(NULLIF(current_setting('audit.context', true), '')::jsonb, '{{}}'::jsonb);
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT hash INTO prev FROM audit_entry ORDER BY id DESC LIMIT 1;
    prev := COALESCE(prev, '');
    new_id := nextval(pg_get_serial_sequence('audit_entry', 'id'));
    INSERT INTO audit_entry (id, table_name, operation, object_id, before, after, context, created_at, prev_hash, hash)
    VALUES (new_id, TG_TABLE_NAME, TG_OP, obj, before_row, after_row, ctx, entry_time, prev,
            encode(sha256(convert_to({CANONICAL_SQL.format(id="new_id", table="TG_TABLE_NAME", op="TG_OP",
                                                         obj="obj", before="before_row", after="after_row",
                                                         ctx="ctx", at="entry_time")} || prev, 'UTF8')), 'hex'));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE OR REPLACE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
CREATE OR REPLACE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse();
CREATE OR REPLACE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse();
"""  # noqa: S608  # nosec B608
)


def audited_tables() -> list[str]:
    """Every table of a concrete model, less the excluded ones."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in EXCLUDED_TABLES:
            tables.add(meta.db_table)
    return sorted(tables)


def install(using=None) -> list[str]:
    """Create or replace the functions and the capture trigger on every audited table (idempotent)."""
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION_SQL)
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
        installed = []
        for table in audited_tables():
            if table not in existing:
                continue
            cursor.execute(
                f'CREATE OR REPLACE TRIGGER audit_capture AFTER INSERT OR UPDATE OR DELETE ON "{table}" '
                "FOR EACH ROW EXECUTE FUNCTION audit_capture()"
            )
            installed.append(table)
    return installed


def set_context(**values: Any) -> None:
    """Attach who/where to every change this connection makes from now on (until :func:`clear_context`)."""
    current = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('audit.context', true)")
        raw = cursor.fetchone()[0]
        if raw:
            current = json.loads(raw)
        current.update({key: value for key, value in values.items() if value is not None})
        cursor.execute("SELECT set_config('audit.context', %s, false)", [json.dumps(current, ensure_ascii=False)])


def clear_context() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.context', '', false)")


def user_context(user) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": None, "role": "anonymous"}
    return {"user_id": user.pk, "username": user.get_username(), "role": user.effective_role}


@dataclass
class ChainReport:
    entries: int
    valid: bool
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(*, batch: int = 5000) -> ChainReport:
    """Recompute every hash from the stored columns; report the first entry that does not hold."""
    canonical = CANONICAL_SQL.format(id="id", table="table_name", op="operation", obj="object_id", before="before",
                                     after="after", ctx="context", at="created_at")
    previous_hash, previous_id, count, last_id = "", None, 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, prev_hash, hash, {canonical} FROM audit_entry WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608  # nosec B608
                [last_id, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            break
        for entry_id, prev_hash, stored_hash, text in rows:
            count += 1
            if prev_hash != previous_hash:
                return ChainReport(count, False, entry_id, "prev_hash does not match the entry before it "
                                   f"(entry before: {previous_id})")
            expected = hashlib.sha256((text + prev_hash).encode()).hexdigest()
            if expected != stored_hash:
                return ChainReport(count, False, entry_id, "content does not match its hash")
            previous_hash, previous_id = stored_hash, entry_id
        last_id = rows[-1][0]
    for checkpoint in AuditCheckpoint.objects.order_by("day"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT hash FROM audit_entry WHERE id = %s", [checkpoint.head_id])
            row = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM audit_entry WHERE id <= %s", [checkpoint.head_id])
            upto = cursor.fetchone()[0]
        if row is None or row[0] != checkpoint.head_hash or upto != checkpoint.entry_count:
            return ChainReport(count, False, checkpoint.head_id,
                               f"checkpoint of {checkpoint.day} no longer matches the chain (cut or rewritten)")
    return ChainReport(count, True)


@transaction.atomic
def checkpoint(*, day=None):
    """Record today's count and head hash (daily, by Celery beat); idempotent per day."""
    day = day or timezone.localdate()
    existing = AuditCheckpoint.objects.filter(day=day).first()
    if existing is not None:
        return existing
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")
        cursor.execute("SELECT id, hash FROM audit_entry ORDER BY id DESC LIMIT 1")
        head = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM audit_entry")
        count = cursor.fetchone()[0]
    if head is None:
        return None
    return AuditCheckpoint.objects.create(day=day, entry_count=count, head_id=head[0], head_hash=head[1])
