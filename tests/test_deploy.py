"""Production settings: refuse to start without secrets, and pass ``check --deploy`` with them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(env_extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "ID_HASH_KEY", "RECEIPT_SIGNING_KEY"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env_extra})
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy_with_real_urls_and_secrets():
    import base64

    result = _run({
        "DATABASE_URL": "postgresql://credit:pw@db.internal:5432/credit",
        "CELERY_BROKER_URL": "redis://broker.internal:6379/0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ID_HASH_KEY": secrets.token_urlsafe(32),
        "RECEIPT_SIGNING_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ALLOWED_HOSTS": "credit.example.gov.cn",
    })
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secrets():
    result = _run({"DATABASE_URL": "postgresql://credit:pw@db.internal:5432/credit",
                   "CELERY_BROKER_URL": "redis://broker.internal:6379/0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
