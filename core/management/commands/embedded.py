"""``manage.py embedded status|stop``: the embedded PostgreSQL and Redis of a machine with no URLs set."""

from __future__ import annotations

import os
import signal

from django.core.management.base import BaseCommand

from config import embedded


def _pid(path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class Command(BaseCommand):
    help = "内嵌 PostgreSQL / Redis 的状态或停止（仅未设置 DATABASE_URL / CELERY_BROKER_URL 时使用）。"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["status", "stop"])

    def handle(self, *args, action: str, **options):
        servers = {
            "postgres": embedded.VAR_DIR / "pgdata" / "postmaster.pid",
            "redis": embedded.VAR_DIR / "redis.pid",
        }
        for name, pidfile in servers.items():
            pid = _pid(pidfile)
            running = _alive(pid)
            if action == "stop" and running:
                # SIGINT is PostgreSQL's fast shutdown; SIGTERM makes Redis save and exit.
                os.kill(pid, signal.SIGINT if name == "postgres" else signal.SIGTERM)
                self.stdout.write(f"{name}: stopping (pid {pid})")
            else:
                state = f"running (pid {pid})" if running else "not running"
                self.stdout.write(f"{name}: {state}")
