"""两个数据库角色: the owner owns every object and runs the migrations; the service's role owns nothing.

Decision 0012. The ``default`` connection's settings carry the owner's credentials under ``OWNER`` (from
``DATABASE_OWNER_URL``, or the embedded server); :func:`owner_session` switches the connection to them for
a block (``migrate``, test databases), :func:`grant_service_role` gives the service's role exactly what it
needs after each migrate, and :func:`owner_connection` opens a second connection as the owner.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

# The service reads these and never writes them: the trigger and the checkpoint function write (as owner).
AUDIT_TABLES = ("audit_entry", "audit_checkpoint", "audit_chain")
READ_ONLY_TABLES = (*AUDIT_TABLES, "django_migrations")
# SECURITY DEFINER functions the service may call (the trigger functions fire without EXECUTE).
SERVICE_FUNCTIONS = ("audit_checkpoint_take(date)",)
SWITCHED = "AS_OWNER"  # settings key set while a connection runs as the owner: the service role's name


def service_role(connection) -> str | None:
    """The role the service connects as, while ``connection`` runs as the owner; None otherwise."""
    return connection.settings_dict.get(SWITCHED)


@contextmanager
def owner_session(connection) -> Iterator[None]:
    """Run the block with ``connection`` logged in as the owner role (nothing to do with a single role)."""
    owner = connection.settings_dict.get("OWNER")
    if not owner or connection.settings_dict.get(SWITCHED) or connection.in_atomic_block:
        yield
        return
    saved = {key: connection.settings_dict.get(key) for key in owner}
    connection.close()
    connection.settings_dict.update(owner)
    connection.settings_dict[SWITCHED] = saved["USER"]
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
        connection.settings_dict.pop(SWITCHED, None)


@contextmanager
def owner_connection(alias: str = "default"):
    """A second connection to the same database, as the owner (maintenance, and the tamper tests)."""
    base = connections[alias]
    owner = base.settings_dict.get("OWNER")
    if not owner:
        raise ImproperlyConfigured("no owner role: set DATABASE_OWNER_URL (decision 0012)")
    settings_dict = {key: value for key, value in base.settings_dict.items() if key != SWITCHED}
    # The same alias: connection_created receivers (django.contrib.postgres) look the alias up in ``connections``.
    wrapper = base.__class__({**settings_dict, **owner}, alias=alias)
    try:
        yield wrapper
    finally:
        wrapper.close()


def owns_audit_tables(connection) -> bool:
    """True when this connection's role may (re)install the audit trigger: it owns ``audit_entry``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c "
            "WHERE c.oid = to_regclass(quote_ident(current_schema()) || '.audit_entry')")
        row = cursor.fetchone()
    return bool(row and row[0])


def grant_service_role(connection, role: str) -> None:
    """What the service's role may do, granted again after every migrate (new tables get theirs).

    Read and write every table of the models (TRUNCATE too, which the audit trigger records: the test
    flushes use it); read only the audit tables and ``django_migrations``; no CREATE anywhere, no TEMP, no
    ownership, so no trigger can be disabled, no audit row changed and ``session_replication_role`` stays
    out of reach (superuser only).
    """
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), current_database(), pg_has_role(current_user, datdba, 'USAGE') "
                       "FROM pg_database WHERE datname = current_database()")
        schema, database, owns_database = cursor.fetchone()
        schema, database, grantee = quote(schema), quote(database), quote(role)
        statements = []
        if owns_database:  # PUBLIC keeps CONNECT; nobody but the owner creates schemas or temporary objects
            statements += [f"REVOKE CREATE, TEMPORARY ON DATABASE {database} FROM PUBLIC"]
        statements += [
            f"REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC",
            f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema} TO {grantee}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}",
        ]
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
        for table in READ_ONLY_TABLES:
            if table in existing:
                statements += [f"REVOKE ALL ON {schema}.{quote(table)} FROM PUBLIC, {grantee}",
                               f"GRANT SELECT ON {schema}.{quote(table)} TO {grantee}"]
        cursor.execute(
            "SELECT s.oid::regclass::text FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
            "JOIN pg_class t ON t.oid = d.refobjid WHERE s.relkind = 'S' AND t.relname = ANY(%s) "
            "AND t.relnamespace = current_schema()::regnamespace", [list(READ_ONLY_TABLES)])
        statements += [f"REVOKE ALL ON SEQUENCE {name} FROM PUBLIC, {grantee}" for (name,) in cursor.fetchall()]
        for function in SERVICE_FUNCTIONS:
            statements += [f"REVOKE ALL ON FUNCTION {schema}.{function} FROM PUBLIC",
                           f"GRANT EXECUTE ON FUNCTION {schema}.{function} TO {grantee}"]
        for statement in statements:
            cursor.execute(statement)


def describe(connection) -> dict[str, object]:
    """Who this connection is: role, superuser or not, how many tables of the schema it owns."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_user, r.rolsuper, (SELECT count(*) FROM pg_tables t WHERE t.schemaname = "
            "current_schema() AND pg_has_role(current_user, t.tableowner, 'USAGE')) "
            "FROM pg_roles r WHERE r.rolname = current_user")
        role, superuser, owned = cursor.fetchone()
    return {"role": role, "superuser": superuser, "owned_tables": owned}
