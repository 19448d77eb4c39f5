"""Prepared statements (issue 14): server-side binding, and a statement a connection runs often is prepared."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

from entities.models import Entity

ROOT = Path(__file__).resolve().parents[2]


def _prepared() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


def test_a_statement_run_past_the_threshold_is_prepared_and_not_before(db):
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    assert settings.DATABASES["default"]["OPTIONS"]["server_side_binding"] is True
    before = _prepared()
    for _ in range(threshold - 1):
        Entity.objects.filter(credit_code="91140802MA0KPREP1X").exists()
    assert _prepared() == before  # run fewer times than the threshold: planned each time
    for _ in range(2):
        Entity.objects.filter(credit_code="91140802MA0KPREP1X").exists()
    assert _prepared() > before


def test_prepared_statements_can_be_switched_off_for_a_transaction_pooler():
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings.test'; "
            "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))")
    env = {**os.environ, "DATABASE_PREPARED": "0"}
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                         timeout=120, check=True).stdout
    assert "server_side_binding" not in off and "prepare_threshold" not in off
