"""``manage.py embedded status|stop``: the embedded PostgreSQL and Redis of a machine with no URLs set.

Both actions only look at what runs: the pid files in ``var/`` (``EMBEDDED_DIR``) and whether those
processes are alive (and, for Redis, whether its socket answers PING). Nothing here starts a server or
connects to the database: no system checks, no migrations check.

The settings are loaded before any command runs, and without ``DATABASE_URL`` / ``CELERY_BROKER_URL``
``config.settings.base`` attaches to the embedded engines, starting them when they are down. For
``status`` to report a stopped engine as stopped, loading the settings for this command must leave them
alone: the settings may ask ``config.embedded`` for URLs only when the command is not ``embedded``
(``tests/trust/test_duplicates_cli.py`` holds the whole command line to it).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from django.core.management.base import BaseCommand

from config import embedded


def _pid(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:  # alive, but another user's
        return True
    except OSError:
        return False
    return True


def servers() -> dict[str, Path]:
    """name -> pid file, under the directory the embedded engines use."""
    return {"postgres": embedded.VAR_DIR / "pgdata" / "postmaster.pid", "redis": embedded.VAR_DIR / "redis.pid"}


class Command(BaseCommand):
    help = "内嵌 PostgreSQL / Redis 的状态或停止（仅未设置 DATABASE_URL / CELERY_BROKER_URL 时使用）；只查看，不启动。"

    # Reporting must not depend on (or wake) the database: no checks before handle().
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args, action: str, **options):
        for name, pidfile in servers().items():
            pid = _pid(pidfile)
            running = _alive(pid)
            if action == "stop" and running:
                # SIGINT is PostgreSQL's fast shutdown; SIGTERM makes Redis save and exit.
                os.kill(pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
                self.stdout.write(f"{name}: stopping (pid {pid})")
            else:
                state = f"running (pid {pid})" if running else "not running"
                self.stdout.write(f"{name}: {state}")
