"""PostgreSQL stopped: a real server (a private embedded one) is stopped and restarted inside the test.

The service runs in a child process pointed at that server, so the suite's own database is never touched.
With the database down, the API answers a JSON 503 (reads and writes alike), the pages a Chinese 503 page,
``/healthz`` 503; once the server is back, ``/healthz`` answers 200 again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pgserver

BASE_DIR = Path(__file__).resolve().parents[2]
CHILD = r"""
import json, sys
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
out = []
for method, path, body in json.loads(sys.argv[1]):
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, body, content_type="application/json")
    out.append([response.status_code, response.get("Content-Type", ""), response.content.decode()[:2000]])
print(json.dumps(out))
"""


def _service(url: str, requests: list) -> list:
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": "memory://", "DJANGO_SETTINGS_MODULE":
           "config.settings.test"}
    env.pop("DATABASE_OWNER_URL", None)
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(requests)], cwd=BASE_DIR, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _healthz_until(url: str, status: int, deadline_s: float = 90.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        (answer,) = _service(url, [["GET", "/healthz", None]])
        if answer[0] == status or time.monotonic() > deadline:
            assert answer[0] == status, answer
            return
        time.sleep(0.5)


def test_with_postgresql_stopped_the_service_answers_503_and_recovers_when_it_is_back(tmp_path):
    pgdata = tmp_path / "pgdata"
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    url = server.get_uri()
    try:
        _healthz_until(url, 200)
        server.cleanup()  # stop the real server
        complaint = {"entity_credit_code": "91140802MA0L8XYZ1A", "category": "forced_shopping", "description": "强迫购物",
                     "incident_date": "2026-11-30"}
        healthz, api_read, api_write, page = _service(url, [
            ["GET", "/healthz", None], ["GET", "/api/v1/public/blacklist/", None],
            ["POST", "/api/v1/complaints/", json.dumps(complaint)], ["GET", "/operators/91140802MA0L8XYZ1A/", None]])
        assert healthz[0] == 503
        for status, content_type, body in (api_read, api_write):
            assert status == 503, body
            assert content_type.startswith("application/json")
            assert "code" in json.loads(body)
        assert page[0] == 503 and page[1].startswith("text/html"), page[:2]
        from config.api.exceptions import ERROR_BODIES

        assert str(ERROR_BODIES[503][0]) in page[2]  # the Chinese title of the 503 page
        server = pgserver.get_server(pgdata, cleanup_mode="stop")  # start it again
        _healthz_until(server.get_uri(), 200)
    finally:
        server.cleanup()
