"""审计: database triggers capture every change to every model; this module installs and verifies them.

* ``audit_capture`` (AFTER INSERT/UPDATE/DELETE, each row; BEFORE TRUNCATE, each statement) appends to
  ``audit_entry`` under a transaction-scoped advisory lock, so concurrent writers still build one chain:
  ``hash_i = sha256(canonical_i || hash_{i-1})``. Bulk updates, COPY and raw SQL are captured like ORM saves.
* The functions are SECURITY DEFINER and owned by the owner role (decision 0012): the service's role may
  not write ``audit_entry`` itself, nor disable a trigger, nor switch ``session_replication_role``.
  ``audit_entry`` refuses UPDATE, DELETE and TRUNCATE even to its owner (triggers raise).
* The request's user, role, IP and endpoint reach the trigger through the ``audit.context`` setting of the
  connection (:func:`set_context`), signed with an HMAC whose key the database never sees and bound to the
  database session; the trigger adds the session it really ran in, so :func:`verify_chain` tells a
  context forged or replayed in SQL from one the service set.
* Checkpoints (count, head id and hash, time) are taken by ``audit_checkpoint_take`` and published, signed,
  outside the database (``core.audit_checkpoints``); verify compares the chain with them.
* Tables of derived, reproducible data (scores, the credit-event ledger, recompute runs), secrets
  (tokens, sessions) and the audit tables themselves are not captured; password hashes are stripped.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.db import connection as default_connection
from django.utils import timezone

from core import audit_checkpoints
from core.models import AuditCheckpoint

LOCK_KEY = 7243310  # pg_advisory_xact_lock key serialising appends to the chain
EXCLUDED_TABLES = {
    "audit_entry", "audit_checkpoint", "audit_chain", "django_session", "authtoken_token", "django_migrations",
    "ratings_creditscore", "ratings_creditscorehistory", "ratings_creditevent", "ratings_recomputerun", "ratings_recomputechunk",
    "ratings_rescorerequest", "knox_authtoken",
}
STRIPPED_COLUMNS = ("password",)
# The database session a context was signed for / a change was made in: backend pid and server start.
SESSION_SQL = "pg_backend_pid()::text || '@' || floor(extract(epoch FROM pg_postmaster_start_time()))::bigint::text"
RESERVED_KEYS = ("sid", "iat", "mac", "db")  # set by set_context (signed) and by the trigger ("db")
SIGNED, UNSIGNED, FORGED = "signed", "unsigned", "forged"

CANONICAL_SQL = (
    "jsonb_build_object('id', {id}, 'table', {table}, 'op', {op}, 'object_id', {obj}, 'before', {before}, "
    "'after', {after}, 'context', {ctx}, 'at', to_char({at} AT TIME ZONE 'UTC', "
    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))::text"
)
_STRIP = f"ARRAY{list(STRIPPED_COLUMNS)!r}::text[]"

FUNCTION_SQL = (  # built from constants of this module and the schema's quoted name, no input
    f"""CREATE OR REPLACE FUNCTION {{s}}.audit_capture() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = {{s}}, pg_temp AS $$
DECLARE
    prev text;
    ctx jsonb;
    new_id bigint;
    entry_time timestamptz := clock_timestamp();
    before_row jsonb;
    after_row jsonb;
    obj text;
    removed bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT count(*) FROM %I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME) INTO removed;
        before_row := jsonb_build_object('rows', removed);
    ELSIF TG_OP = 'DELETE' THEN
        before_row := to_jsonb(OLD) - {_STRIP};
    ELSIF TG_OP = 'UPDATE' THEN
        before_row := to_jsonb(OLD) - {_STRIP};
        after_row := to_jsonb(NEW) - {_STRIP};
        IF before_row = after_row AND to_jsonb(OLD) = to_jsonb(NEW) THEN
            RETURN NULL;  -- nothing changed
        END IF;
    ELSE
        after_row := to_jsonb(NEW) - {_STRIP};
    END IF;
    obj := COALESCE(after_row, before_row)->>'id';
    IF TG_OP = 'TRUNCATE' THEN
        obj := NULL;
    END IF;
    ctx := COALESCE(NULLIF(current_setting('audit.context', true), '')::jsonb, '{{}}'::jsonb);
    IF jsonb_typeof(ctx) <> 'object' THEN
        ctx := jsonb_build_object('unreadable', ctx);
    END IF;
    -- Where the change really ran: verify holds a signed context to the session it was signed for.
    ctx := ctx || jsonb_build_object('db', jsonb_build_object('session', {SESSION_SQL}, 'user', session_user::text));
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT hash INTO prev FROM {{s}}.audit_entry ORDER BY id DESC LIMIT 1;
    prev := COALESCE(prev, '');
    new_id := nextval(pg_get_serial_sequence('{{s}}.audit_entry', 'id'));
    INSERT INTO {{s}}.audit_entry (id, table_name, operation, object_id, before, after, context, created_at,
                                  prev_hash, hash)
    VALUES (new_id, TG_TABLE_NAME, TG_OP, obj, before_row, after_row, ctx, entry_time, prev,
            encode(sha256(convert_to({CANONICAL_SQL.format(id="new_id", table="TG_TABLE_NAME", op="TG_OP",
                                                         obj="obj", before="before_row", after="after_row",
                                                         ctx="ctx", at="entry_time")} || prev, 'UTF8')), 'hex'));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION {{s}}.audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE OR REPLACE FUNCTION {{s}}.audit_checkpoint_take(for_day date) RETURNS SETOF {{s}}.audit_checkpoint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {{s}}, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    IF NOT EXISTS (SELECT 1 FROM {{s}}.audit_checkpoint WHERE day = for_day) THEN
        INSERT INTO {{s}}.audit_checkpoint (day, entry_count, head_id, head_hash, created_at)
        SELECT for_day, (SELECT count(*) FROM {{s}}.audit_entry), e.id, e.hash, clock_timestamp()
        FROM {{s}}.audit_entry e ORDER BY e.id DESC LIMIT 1;
    END IF;
    RETURN QUERY SELECT * FROM {{s}}.audit_checkpoint WHERE day = for_day;
END $$;
"""  # noqa: S608  # nosec B608
)
APPEND_ONLY_SQL = """CREATE OR REPLACE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {s}.{name}
    FOR EACH ROW EXECUTE FUNCTION {s}.audit_refuse();
CREATE OR REPLACE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {s}.{name}
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.audit_refuse();
"""
CAPTURE_SQL = """CREATE OR REPLACE TRIGGER audit_capture AFTER INSERT OR UPDATE OR DELETE ON {s}.{table}
    FOR EACH ROW EXECUTE FUNCTION {s}.audit_capture();
CREATE OR REPLACE TRIGGER audit_capture_truncate BEFORE TRUNCATE ON {s}.{table}
    FOR EACH STATEMENT EXECUTE FUNCTION {s}.audit_capture();
"""
DROP_CAPTURE_SQL = """DROP TRIGGER IF EXISTS audit_capture ON {s}.{table};
DROP TRIGGER IF EXISTS audit_capture_truncate ON {s}.{table};
"""


def audited_tables() -> list[str]:
    """Every table of a concrete model, less the excluded ones."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.db_table not in EXCLUDED_TABLES:
            tables.add(meta.db_table)
    return sorted(tables)


def install(connection=None) -> list[str]:
    """Create or replace the functions and the capture triggers on every audited table (idempotent; owner)."""
    connection = connection or default_connection
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
        cursor.execute(FUNCTION_SQL.replace("{s}", schema))
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
        for table in ("audit_entry", "audit_checkpoint", "audit_chain"):
            if table in existing:
                cursor.execute(APPEND_ONLY_SQL.format(s=schema, name=table))
        installed = []
        for table in audited_tables():
            if table in existing:
                cursor.execute(CAPTURE_SQL.format(s=schema, table=quote(table)))
                installed.append(table)
        for table in sorted(EXCLUDED_TABLES & existing - {"audit_entry", "audit_checkpoint", "audit_chain"}):
            cursor.execute(DROP_CAPTURE_SQL.format(s=schema, table=quote(table)))  # excluded since
    return installed


# ----------------------------------------------------------------------------- the actor context


def _context_key() -> bytes:
    configured = getattr(settings, "AUDIT_CONTEXT_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(b"credit-audit-context:" + settings.SECRET_KEY.encode()).digest()


def context_mac(claims: dict[str, Any]) -> str:
    """HMAC-SHA256 of the claims (everything but ``mac`` and the trigger's ``db``), canonical JSON."""
    body = {key: value for key, value in claims.items() if key not in ("mac", "db")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(_context_key(), text.encode(), hashlib.sha256).hexdigest()


def _clean(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value  # jsonb holds no NUL


def _session(connection, cursor) -> str:
    """This connection's database session (cached per connection to the server)."""
    cached = getattr(connection, "audit_session", None)
    if cached is not None and cached[0] is connection.connection:
        return cached[1]
    cursor.execute(f"SELECT {SESSION_SQL}")  # noqa: S608  # nosec B608 - a constant
    session = cursor.fetchone()[0]
    connection.audit_session = (connection.connection, session)
    return session


def _claims(connection) -> dict[str, Any]:
    """What this connection's context claims now (kept in Python: what SQL set is never re-signed)."""
    held = getattr(connection, "audit_claims", None)
    if held is not None and held[0] is connection.connection:
        return dict(held[1])
    return {}


def _apply(connection, claims: dict[str, Any]) -> None:
    """One statement: the signed claims as this connection's ``audit.context`` (session-wide)."""
    with connection.cursor() as cursor:
        signed = {**claims, "sid": _session(connection, cursor), "iat": int(time.time())}
        signed["mac"] = context_mac(signed)
        cursor.execute("SELECT set_config('audit.context', %s, false)", [json.dumps(signed, ensure_ascii=False)])


def set_context(**values: Any) -> None:
    """Attach who/where to every change this connection makes from now on (until :func:`clear_context`).

    Inside :func:`deferred` (a request, a task) the claims are only noted: they reach the database just
    before the connection's next write, so a request that writes nothing runs no audit statement.
    """
    connection = default_connection
    claims = _claims(connection)
    claims.update({key: _clean(value) for key, value in values.items()
                   if value is not None and key not in RESERVED_KEYS})
    connection.audit_claims = (connection.connection, claims)
    state = getattr(connection, "audit_deferred", None)
    if state is not None:
        state.claims, state.in_effect = dict(claims), None
        return
    _apply(connection, claims)


def clear_context() -> None:
    connection = default_connection
    connection.audit_claims = None
    state = getattr(connection, "audit_deferred", None)
    if state is not None:
        state.claims, state.in_effect = {}, None
        if not state.applied:
            return  # nothing was set on the server in this scope
    _unset(connection)


def _unset(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('audit.context', '', false)")


# Statements that never change a row (so need no actor): a write is anything else, including WITH ..., COPY,
# TRUNCATE and DDL. A SELECT calling a function that writes (``audit_checkpoint_take``) runs outside requests.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "SHOW")
_WRITING_WITH = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)  # a WITH that may write


def _writes(sql: str, head: str) -> bool:
    if head.startswith("WITH"):
        return _WRITING_WITH.search(sql) is not None
    return not head.startswith(_READS)


@dataclass
class _Deferred:
    """The claims of a :func:`deferred` scope, and whether the server holds them now.

    ``in_effect`` is None (not set on the server, or undone), ``True`` (set outside a transaction, or in one
    that committed), or the marker callback registered with ``on_commit`` when set inside a transaction: the
    setting holds while that callback is still pending, and a rollback (of the transaction, or of the
    savepoint it was set in) drops both the setting and the callback.
    """

    claims: dict[str, Any] = field(default_factory=dict)
    in_effect: Any = None
    applied: bool = False

    def holds(self, connection) -> bool:
        if self.in_effect is True or self.in_effect is None:
            return self.in_effect is True
        return connection.in_atomic_block and any(func is self.in_effect for _sids, func, _robust
                                                  in connection.run_on_commit)

    def __call__(self, execute, sql, params, many, context):
        connection = context["connection"]
        if getattr(connection, "audit_deferred", None) is not self:  # an inner scope (an eager task) rules now
            return execute(sql, params, many, context)
        head = sql.lstrip()[:10].upper()
        if head.startswith("ROLLBACK"):  # a savepoint rolled back may take the setting with it
            try:
                return execute(sql, params, many, context)
            finally:
                if self.in_effect is not True:
                    self.in_effect = None
        if self.claims and _writes(sql, head) and not self.holds(connection):
            self._set(connection)
        return execute(sql, params, many, context)

    def _set(self, connection) -> None:
        _apply(connection, self.claims)
        self.applied = True
        if connection.get_autocommit() and not connection.in_atomic_block:
            self.in_effect = True
            return

        def committed() -> None:
            if self.in_effect is committed:
                self.in_effect = True

        self.in_effect = committed
        transaction.on_commit(committed, using=connection.alias)


@contextmanager
def deferred(**values: Any):
    """A scope (a request, a task) whose audit context reaches the database only before its first write.

    Reads run no audit statement at all; the first write is preceded by one ``set_config`` (and by another
    after a rollback undid it); the context is cleared at the end only if it was set.
    """
    connection = default_connection
    outer, outer_claims = getattr(connection, "audit_deferred", None), getattr(connection, "audit_claims", None)
    state = _Deferred()
    connection.audit_deferred = state
    connection.audit_claims = None
    try:
        set_context(**values)
        with connection.execute_wrapper(state):
            yield state
    finally:
        connection.audit_deferred, connection.audit_claims = outer, outer_claims
        if state.applied:
            if outer is not None:
                outer.in_effect = None  # the outer scope sets its own again before its next write
            try:
                _unset(connection)
            except DatabaseError:  # the database went away: the session (and its setting) with it
                pass


def user_context(user) -> dict[str, Any]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": None, "role": "anonymous"}
    return {"user_id": user.pk, "username": user.get_username(), "role": user.effective_role}


def context_status(context: Any, *, at=None) -> tuple[str, str]:
    """(``signed`` | ``unsigned`` | ``forged``, why) for an entry's context; ``at`` is the entry's time.

    Unsigned: no actor claimed (migrations, a shell). Forged: an actor claimed without the service's HMAC,
    or with one made for another database session or too long before (copied from another entry).
    """
    if isinstance(context, str):
        context = json.loads(context)
    if not isinstance(context, dict):
        return FORGED, "the context is not an object"
    claims = {key: value for key, value in context.items() if key not in ("mac", "db")}
    if not claims:
        return UNSIGNED, "no actor"
    mac = context.get("mac")
    if not isinstance(mac, str) or not hmac.compare_digest(mac, context_mac(claims)):
        return FORGED, "the actor context is not signed by the service (set in SQL)"
    if claims.get("sid") != (context.get("db") or {}).get("session"):
        return FORGED, "the actor context was signed for another database session (replayed)"
    issued = claims.get("iat")
    if at is not None and isinstance(issued, int):
        age = at.timestamp() - issued
        if age > settings.AUDIT_CONTEXT_MAX_AGE or age < -300:
            return FORGED, "the actor context was signed long before the change (replayed)"
    return SIGNED, ""


# ----------------------------------------------------------------------------- verification


@dataclass
class ChainReport:
    entries: int
    valid: bool
    first_bad_id: int | None = None
    problem: str = ""
    forged: list[int] = field(default_factory=list)  # the first 100 entries with a forged actor context
    forged_count: int = 0
    unsigned: int = 0  # entries with no actor at all (migrations, shells), since signing began
    checkpoints: int = 0  # published checkpoints the chain was compared with
    notes: list[str] = field(default_factory=list)


def chain_identity(connection=None) -> tuple[str | None, int | None]:
    """(chain id, first entry whose context must be signed) from ``audit_chain`` (migration 0003)."""
    connection = connection or default_connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('audit_chain') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None, None
        cursor.execute("SELECT id::text, signed_from FROM audit_chain LIMIT 1")
        row = cursor.fetchone()
    return (row[0], row[1]) if row else (None, None)


def verify_chain(*, batch: int = 5000, connection=None, checkpoint_dir=None) -> ChainReport:
    """Recompute every hash from the stored columns, check every actor context, compare the chain with the
    checkpoints in the database and the published ones; report the first thing that does not hold."""
    connection = connection or default_connection
    chain_id, signed_from = chain_identity(connection)
    canonical = CANONICAL_SQL.format(id="id", table="table_name", op="operation", obj="object_id", before="before",
                                     after="after", ctx="context", at="created_at")
    previous_hash, previous_id, last_id = "", None, 0
    report = ChainReport(0, True)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, prev_hash, hash, {canonical}, context, created_at FROM audit_entry "  # noqa: S608  # nosec B608
                "WHERE id > %s ORDER BY id LIMIT %s",
                [last_id, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            break
        for entry_id, prev_hash, stored_hash, text, context, created_at in rows:
            report.entries += 1
            if prev_hash != previous_hash:
                return _broken(report, entry_id, "prev_hash does not match the entry before it "
                                                 f"(entry before: {previous_id})")
            expected = hashlib.sha256((text + prev_hash).encode()).hexdigest()
            if expected != stored_hash:
                return _broken(report, entry_id, "content does not match its hash")
            if signed_from is not None and entry_id >= signed_from:
                status, _why = context_status(context, at=created_at)
                if status == FORGED:
                    report.forged_count += 1
                    if len(report.forged) < 100:
                        report.forged.append(entry_id)
                elif status == UNSIGNED:
                    report.unsigned += 1
            previous_hash, previous_id = stored_hash, entry_id
        last_id = rows[-1][0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.day, c.head_id, c.entry_count, c.head_hash, e.hash, "
                       "(SELECT count(*) FROM audit_entry WHERE id <= c.head_id) "
                       "FROM audit_checkpoint c LEFT JOIN audit_entry e ON e.id = c.head_id ORDER BY c.day")
        for day, head_id, entry_count, head_hash, found_hash, upto in cursor.fetchall():
            if found_hash != head_hash or upto != entry_count:
                return _broken(report, head_id, f"checkpoint of {day} no longer matches the chain (cut or rewritten)")
    if chain_id is not None:
        published = audit_checkpoints.compare(connection, chain_id=chain_id, directory=checkpoint_dir)
        report.checkpoints = published.checked
        report.notes += published.notes
        if published.problem:
            return _broken(report, published.bad_id, published.problem)
    if report.forged:
        return _broken(report, report.forged[0], f"{report.forged_count} entries carry an actor context the "
                                                 "service did not sign (forged or replayed in SQL)")
    return report


def _broken(report: ChainReport, entry_id: int | None, problem: str) -> ChainReport:
    report.valid, report.first_bad_id, report.problem = False, entry_id, problem
    return report


def checkpoint(*, day=None, connection=None) -> AuditCheckpoint | None:
    """Record the day's count and head hash (daily, by Celery beat; idempotent per day) and publish it, signed,
    outside the database once committed (``core.audit_checkpoints``)."""
    connection = connection or default_connection
    day = day or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, day, entry_count, head_id, head_hash, created_at FROM audit_checkpoint_take(%s)",
                       [day])
        row = cursor.fetchone()
    if row is None:
        return None  # an empty chain has no head
    chain_id, _signed_from = chain_identity(connection)
    taken = AuditCheckpoint(id=row[0], day=row[1], entry_count=row[2], head_id=row[3], head_hash=row[4],
                            created_at=row[5])
    # Published once committed (at once in autocommit); a caller managing its transaction by hand publishes.
    if chain_id is not None and (connection.in_atomic_block or connection.get_autocommit()):
        connection.on_commit(lambda: audit_checkpoints.publish(taken, chain_id=chain_id))
    return taken
