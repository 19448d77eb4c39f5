"""Import of 10,000 listings through ``POST /api/v1/listings/import/`` with a real Celery worker.

The contract (API.md, December additions): a large import answers ``202 Accepted`` with ``{"job": {"id",
"url"}}``; ``GET /api/v1/jobs/<id>/`` gives ``state`` (queued | running | done | failed), ``progress``
(0-1), ``report`` and ``result``. The time to accept is the POST's own answer time; the time to done runs
from sending the POST until the job reads ``done`` (polled every 100 ms, each distinct ``progress`` seen
is kept). An endpoint that still answers the whole import in the request (200 with the result) is
recorded as ``synchronous``: accept and done are then the same moment, and no progress can be seen.

Rows name existing entities by credit code (unlisted ones first) (an import from a court: 失信被执行人), with a
``source_reference`` unique to the run, so a rerun on the same database imports anew rather than finding
every row ``existing``.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROWS = 10_000


def log(message: str) -> None:
    print(f"[ratios] {message}", flush=True)


def _rows(count: int) -> tuple[list[dict], str]:
    from django.utils import timezone

    from entities.models import Entity

    run = uuid.uuid4().hex[:10]
    authority = f"山西省高级人民法院（基准 {run}）"
    today = timezone.localdate()
    # Unlisted businesses first; a small registry (a quick run) repeats some, each row its own reference.
    codes = list(Entity.objects.filter(listings__isnull=True).order_by("-id").values_list("credit_code", "name")[:count])
    if len(codes) < count:
        codes += list(Entity.objects.filter(listings__isnull=False).distinct().order_by("-id")
                      .values_list("credit_code", "name")[:count - len(codes)])
    codes = [codes[index % len(codes)] for index in range(count)]
    rows = [{"credit_code": code, "name": name, "list_type": "black", "reason": "失信被执行人（基准导入）",
             "legal_basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条",
             "decided_on": (today - datetime.timedelta(days=30 + index % 300)).isoformat(),
             "source_authority": authority, "source_reference": f"({today.year})晋执{run}-{index}号"}
            for index, (code, name) in enumerate(codes)]
    return rows, authority


def _request(port: int, method: str, path: str, token: str, body: bytes | None = None,
             timeout: float = 900) -> tuple[int, dict, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": f"Token {token}", "Host": f"127.0.0.1:{port}"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    began = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    elapsed = time.perf_counter() - began
    conn.close()
    try:
        parsed = json.loads(data) if data else {}
    except ValueError:
        parsed = {"raw": data[:300].decode(errors="replace")}
    return response.status, parsed, elapsed


def bench_import(*, work: Path, rows: int = ROWS, done_timeout: float = 420) -> dict:
    """Serve the service on gunicorn, start one Celery worker, POST the import, follow the job to the end."""
    from knox.models import AuthToken

    from benchmarks.load import Gunicorn
    from benchmarks.workers import ActivitySampler, Workers
    from core.models import User, UserRole

    regulator, _ = User.objects.update_or_create(username="ratios-importer",
                                                 defaults={"role": UserRole.REGULATOR, "is_staff": True})
    token = AuthToken.objects.create(regulator)[1]
    payload, authority = _rows(rows)
    body = json.dumps({"rows": payload}, ensure_ascii=False).encode()
    env = dict(os.environ)
    result: dict = {"rows": rows, "body_mb": round(len(body) / 2**20, 2)}
    # A synchronous import must not meet gunicorn's 30 s worker timeout: the A/B suite keeps the default.
    # The service sends the job to Celery's default queue (the dev settings name none): the worker takes that one.
    with Workers(1, log_dir=work, queue="celery") as workers, \
            Gunicorn("config.wsgi:application", env=env, workers=2,
                     log_path=work / "gunicorn-import.log", extra=("--timeout", str(int(done_timeout)))) as server:
        sampler = ActivitySampler(os.environ["DATABASE_URL"], interval=0.25).__enter__()
        started = time.perf_counter()
        status, answer, accept_s = _request(server.port, "POST", "/api/v1/listings/import/", token, body,
                                            timeout=done_timeout)
        result.update({"status": status, "accept_seconds": round(accept_s, 3)})
        job = answer.get("job") if isinstance(answer, dict) else None
        if status == 202 and isinstance(job, dict) and job.get("url"):
            result["mode"] = "job"
            path = urlsplit(job["url"]).path
            progress_seen: list[float] = []
            states: list[str] = []
            last: dict = {}
            while time.perf_counter() - started < done_timeout:
                code, last, _ = _request(server.port, "GET", path, token, timeout=30)
                if code != 200:
                    raise RuntimeError(f"GET {path}: {code} {str(last)[:300]}")
                state, progress = last.get("state"), last.get("progress")
                if not states or states[-1] != state:
                    states.append(state)
                if progress is not None and (not progress_seen or progress_seen[-1] != progress):
                    progress_seen.append(progress)
                if state in ("done", "failed"):
                    break
                time.sleep(0.1)
            result.update({
                "done_seconds": round(time.perf_counter() - started, 2), "final_state": last.get("state"),
                "gave_up_after_seconds": None if last.get("state") in ("done", "failed") else done_timeout,
                "states_seen": states, "distinct_progress_values": len(progress_seen),
                "progress_seen": [round(value, 3) for value in progress_seen[:40]],
                "result_summary": {key: value for key, value in (last.get("result") or {}).items()
                                   if key in ("created", "existing")},
                "report_rows_with_errors": len((last.get("report") or {}).get("rows") or {}),
            })
        else:
            result.update({"mode": "synchronous", "done_seconds": round(accept_s, 2),
                           "final_state": "done" if status == 200 else f"HTTP {status}",
                           "distinct_progress_values": 0,
                           "result_summary": {key: value for key, value in answer.items()
                                              if key in ("created", "existing")} if isinstance(answer, dict) else {},
                           "answer_head": None if status == 200 else str(answer)[:300]})
        result["celery_worker_cpu_seconds"] = workers.cpu_seconds()
        sampler.__exit__(None, None, None)
        activity = sampler.figures()
        result["database_activity"] = {key: activity[key] for key in (
            "samples", "active_client_backends_mean", "lock_wait_fraction", "lock_kinds", "top_waits",
            "top_active_queries", "machine_cpu_busy")}
    result["authority"] = authority
    return result
