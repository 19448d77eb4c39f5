"""Measures-check batch (issue 18): 1,000 applicants in one ``POST /api/v1/measures-checks/batch/`` at 100,000
entities, as a department client sends it (``Authorization: Api-Key``), target p95 under 1 s.

Standalone against ``DATABASE_URL`` (a database of its own: it is migrated, and seeded with ``generate_data``
plus a few listings published by the due process when it holds fewer entities than asked, as
``benchmarks/endpoints.py`` seeds its scale)::

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/measures_bench.py --entities 100000 --requests 20

Each request goes through the whole service in-process (Django's test client: the key looked up, the IP
allow-list, the rate, the facts loaded in a constant number of statements, 1,000 receipts signed, the query
log written). Prints the figures and stores them under ``measures_check`` in ``benchmarks/results.json``.
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


def measure(requests: int) -> dict:
    from django.db import connection
    from django.test import Client

    rng = random.Random(1818)
    key = client_key()
    body = json.dumps({"checks": batch(rng)})
    client = Client(REMOTE_ADDR=ADDRESS)

    def call():
        return client.generic("POST", "/api/v1/measures-checks/batch/", body, content_type="application/json",
                              HTTP_AUTHORIZATION=f"Api-Key {key}")

    for _ in range(2):  # warm: documents in memory, plans cached
        response = call()
        assert response.status_code == 200, response.content[:500]
    statements = []  # counted by a wrapper: the test client's request_started signal resets queries_log

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = call()
    results = response.json()["results"]
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = call()
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return {"items": BATCH_ITEMS, "requests": requests, "statements": len(statements),
            "denied": sum(not r["allowed"] for r in results), "rewarded": sum(bool(r["rewards"]) for r in results),
            "p50_ms": round(ordered[len(ordered) // 2] * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "target_p95_ms": TARGET_P95_SECONDS * 1000, "within_target": p95 <= TARGET_P95_SECONDS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=int(os.environ.get("BENCH_ENTITIES", 100_000)))
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    data = setup(args.entities)
    log(f"data: {data}")
    figures = measure(args.requests)
    log(f"batch of {BATCH_ITEMS:,}: {figures}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["measures_check"] = {"measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                                 "machine": f"{os.cpu_count()} cores", "data": data, **figures}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    log(f"p95 {figures['p95_ms']} ms (target {figures['target_p95_ms']:.0f} ms: "
        f"{'met' if figures['within_target'] else 'MISSED'}), {figures['statements']} statements per batch")


if __name__ == "__main__":
    main()
