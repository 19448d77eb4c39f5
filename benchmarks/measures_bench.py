"""Measures-check batch (issue 18): 1,000 applicants in one ``POST /api/v1/measures-checks/batch/`` at 100,000
entities, as a department client sends it (``Authorization: Api-Key``), target p95 under 1 s.

Standalone against ``DATABASE_URL`` (a database of its own: it is migrated, and seeded with ``generate_data``
plus a few listings published by the due process when it holds fewer entities than asked, as
``benchmarks/endpoints.py`` seeds its scale)::

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/measures_bench.py --entities 100000 --requests 20

Each request goes through the whole service in-process (Django's test client: the key looked up, the IP
allow-list, the rate, the facts loaded in a constant number of statements, 1,000 receipts signed, the query
log written). The same client then sends the licence-check batch of the same 1,000 applicants
(``/api/v1/licence-checks/batch/``, issue 14's target: p95 under 1 s in at most 10 statements).

Figures per batch: p50 and p95 of the wall time, ms per item, the statements (all of them, and those of the
check itself without the client query log's three: the audit context set and reset, the log row), the time
spent in those statements as the client sees it (the SQL alone, a fairer figure when the machine is shared)
and the process's CPU time; the load average beside them. Printed beside their targets (``report``'s rows)
and stored under ``measures_check`` in ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results.json"
BATCH_ITEMS = 1000
TARGET_P95_SECONDS = 1.0
MEASURES = ["public_procurement", "government_funding", "green_channel", "awards_honours", "travel_agency_business"]
ADDRESS = "10.20.30.40"


def log(message: str) -> None:
    print(f"[measures] {message}", flush=True)


def setup(entities: int) -> dict:
    if not os.environ.get("DATABASE_URL"):
        sys.exit("measures_bench: set DATABASE_URL to a database of its own (it is migrated and seeded)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "0"
    import django

    django.setup()
    from benchmarks import endpoints

    return endpoints.seed(entities, reuse=True)


def batch(rng: random.Random) -> list[dict]:
    """A tenth of the applicants on a published list (black or red), the rest anyone; each with one person."""
    from django.utils import timezone

    from benchmarks.endpoints import _valid_id_number
    from entities.models import Entity
    from regulator.lists.models import Listing

    day = timezone.localdate()
    listed = list(Listing.objects.filter(status="published", subject_type="entity", published_on__lte=day)
                  .values_list("entity__credit_code", flat=True)[:BATCH_ITEMS // 10])
    others = list(Entity.objects.filter(status="active").order_by("id").values_list("credit_code", flat=True)
                  [:BATCH_ITEMS * 5])
    applicants = listed + rng.sample(others, BATCH_ITEMS - len(listed))
    rng.shuffle(applicants)
    return [{"measure": MEASURES[index % len(MEASURES)], "applicant_credit_code": code,
             "person_id_numbers": [_valid_id_number(rng)]} for index, code in enumerate(applicants)]


def client_key() -> str:
    """A department client with the measures-check scope, a rate the bench never reaches, this address allowed."""
    from core import clients
    from core.models import DepartmentClient

    client, _ = DepartmentClient.objects.update_or_create(
        name="基准测试客户端", defaults={"authority_credit_code": "11120000MB1529459B", "contact_name": "bench",
                                  "scopes": ["measures-check"], "rate": "100000/min",
                                  "ip_allowlist": [f"{ADDRESS}/32"], "is_active": True})
    return clients.client_key_issue(client_id=client.pk).key


LICENCE_TYPE = "travel_agency_business"
MAX_CHECK_STATEMENTS = 10  # issue 14: a licence batch in at most 10 statements
_LOG_STATEMENTS = ("set_config('audit.context'", 'INSERT INTO "core_clientquery"')


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _run(path: str, body: str, key: str, requests: int) -> dict:
    """One endpoint: warmed twice, then ``requests`` timed calls, each with its statements timed as sent."""
    from django.db import connection
    from django.test import Client

    client = Client(REMOTE_ADDR=ADDRESS)

    def call():
        response = client.generic("POST", path, body, content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Api-Key {key}")
        assert response.status_code == 200, response.content[:500]
        return response

    for _ in range(2):  # warm: documents in memory, statements prepared
        call()
    statements: list[tuple[str, float]] = []  # a wrapper: the test client's request_started resets queries_log

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((sql, time.perf_counter() - started))

    walls, cpus, sqls, counts = [], [], [], set()
    results = []
    for _ in range(requests):
        statements.clear()
        with connection.execute_wrapper(count):
            started, cpu = time.perf_counter(), time.process_time()
            results = call().json()["results"]
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - started)
        sqls.append(sum(seconds for _sql, seconds in statements))
        counts.add(len(statements))
    own = [sql for sql, _seconds in statements if not any(mark in sql for mark in _LOG_STATEMENTS)]
    walls, cpus, sqls = sorted(walls), sorted(cpus), sorted(sqls)
    p50, p95 = _percentile(walls, 0.5), _percentile(walls, 0.95)
    return {"items": BATCH_ITEMS, "requests": requests, "statements": len(statements),
            "statements_constant": len(counts) == 1, "check_statements": len(own),
            "denied": sum(not r["allowed"] for r in results),
            "rewarded": sum(bool(r.get("rewards")) for r in results),
            "p50_ms": round(p50 * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "ms_per_item_p50": round(p50 * 1000 / BATCH_ITEMS, 3),
            "sql_ms_p50": round(_percentile(sqls, 0.5) * 1000, 1), "cpu_ms_p50": round(_percentile(cpus, 0.5) * 1000, 1),
            "target_p95_ms": TARGET_P95_SECONDS * 1000, "within_target": p95 < TARGET_P95_SECONDS}


def measure(requests: int) -> dict:
    """The measures batch, then the licence batch of the same applicants, through one department client."""
    from core.models import DepartmentClient

    rng = random.Random(1818)
    key = client_key()
    DepartmentClient.objects.filter(name="基准测试客户端").update(scopes=["measures-check", "licence-check"])
    checks = batch(rng)
    figures = {"loadavg_at_start": [round(x, 2) for x in os.getloadavg()]}
    figures["measures"] = _run("/api/v1/measures-checks/batch/", json.dumps({"checks": checks}), key, requests)
    licence = [{**{k: v for k, v in item.items() if k != "measure"}, "licence_type": LICENCE_TYPE} for item in checks]
    figures["licence"] = _run("/api/v1/licence-checks/batch/", json.dumps({"checks": licence}), key, requests)
    figures["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def targets(figures: dict) -> list[dict]:
    """Each figure beside its target, as ``benchmarks.report`` writes its rows."""
    from benchmarks.report import _row

    rows = []
    for name, label in (("measures", "measures-check batch of 1,000"), ("licence", "licence-check batch of 1,000")):
        item = figures[name]
        note = (f"p50 {item['p50_ms']} ms ({item['ms_per_item_p50']} ms an item); SQL alone {item['sql_ms_p50']} ms, "
                f"CPU {item['cpu_ms_p50']} ms; load {figures['loadavg_at_start'][0]}-{figures['loadavg_at_end'][0]}")
        rows.append(_row(f"{label}, p95 (in process)", item["p95_ms"], "< 1000 ms", item["within_target"], note))
        rows.append(_row(f"{label}, statements of the check (all, with the client query log's 3: "
                         f"{item['statements']})", item["check_statements"], f"<= {MAX_CHECK_STATEMENTS}, constant",
                         item["check_statements"] <= MAX_CHECK_STATEMENTS and item["statements_constant"]))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=int(os.environ.get("BENCH_ENTITIES", 100_000)))
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    data = setup(args.entities)
    log(f"data: {data}")
    figures = measure(args.requests)
    rows = targets(figures)
    from benchmarks.report import _fmt, _met

    print("\n| figure | value | target | | note |\n|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['figure']} | {_fmt(row['value'])} | {row['target']} | {_met(row['met'])} | {row['note']} |")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["measures_check"] = {"measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                                 "machine": f"{os.cpu_count()} cores", "data": data, **figures, "targets": rows}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    missed = [row for row in rows if row["met"] is False]
    log(f"{len(rows) - len(missed)} of {len(rows)} targets met")


if __name__ == "__main__":
    main()
