"""Push-feed throughput (issue 18, item 3): events per second one Celery worker delivers to a receiver on loopback.

Standalone against ``DATABASE_URL`` (a database of its own: it is migrated; the events are written straight into
the outbox, as the triggers write them)::

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/push_bench.py --events 2000

or from ``benchmarks/run.py`` after its setup (``bench_push_throughput()``). One subscription, one worker
(``--pool solo``), each event a signed POST acknowledged before the next is sent (the order rule), each answer
recorded in its own short transaction (the delivery row and the cursor, both audited). The receiver checks every
signature and dedupes by ``X-Event-Id``, as the tests' receiver does. Figures: events per second from the first
acceptance to the last (the steady state, the worker's start-up excluded) and from the kick (included), and
whether every event was accepted once in order. Stored under ``push_feed`` in ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results.json"


def log(message: str) -> None:
    print(f"[push] {message}", flush=True)


def _outbox(events: int) -> None:
    from django.db import connection

    from regulator.disclosure.feed_services import feed_sequence

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO regulator_feedevent (kind, restricted, subject, payload, occurred_at, source_table, source_id) "
            "SELECT 'licence_changed', false, jsonb_build_object('subject_type', 'entity', 'credit_code', "
            "'91140802MA0K' || lpad(n::text, 6, '0'), 'name', '基准测试旅行社' || n), "
            "jsonb_build_object('licence_id', n, 'change', 'updated', 'licence_type', 'travel_agency_business', "
            "'status', 'suspended', 'from_status', 'active'), now(), 'bench', n FROM generate_series(1, %s) n",
            [events])
    while feed_sequence():
        pass


def bench_push_throughput(events: int = 2000, deadline_seconds: float = 600) -> dict:
    """Deliver ``events`` events to a loopback receiver through one real worker; events per second."""
    from django.conf import settings
    from django.db.models import Max

    from config.celery_app import app
    from core.models import DepartmentClient
    from regulator.disclosure import feed_services
    from regulator.disclosure.feed_tasks import feed_dispatch
    from regulator.disclosure.feeds import FeedEvent
    from tests.regulator.push_receiver import Receiver

    settings.FEED_WEBHOOK_HTTP_LOOPBACK = True
    queue = f"bench-push-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": queue, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
           "FEED_WEBHOOK_HTTP_LOOPBACK": "1", "CELERY_EAGER": "0"}
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, queue
    start_after = FeedEvent.objects.aggregate(top=Max("sequence"))["top"] or 0
    with Receiver() as receiver:
        client = DepartmentClient.objects.create(name=f"基准测试接收方-{queue}", authority_credit_code="11120000MB1529459B",
                                                 contact_name="基准", scopes=["push"], ip_allowlist=["127.0.0.1/32"])
        issued = feed_services.subscription_create(client_id=client.pk, url=receiver.url, kinds=["licence_changed"])
        receiver.secret = issued.secret
        _outbox(events)
        worker = subprocess.Popen(  # noqa: S603 - our own celery binary and arguments
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo",
             "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            kicked = time.perf_counter()
            feed_dispatch()
            first = None
            deadline = kicked + deadline_seconds
            last_kick = kicked
            while len(receiver.accepted) < events and time.perf_counter() < deadline:
                if first is None and receiver.accepted:
                    first = time.perf_counter()
                if time.perf_counter() - last_kick > 5:  # as the beat would
                    feed_dispatch()
                    last_kick = time.perf_counter()
                time.sleep(0.005)
            done = time.perf_counter()
        finally:
            worker.terminate()
            worker.wait(timeout=20)
            app.conf.task_always_eager, app.conf.task_default_queue = previous
    accepted = len(receiver.accepted)
    steady = (done - first) if first else 0
    expected = list(range(start_after + 1, start_after + events + 1))
    return {"events": events, "accepted": accepted, "in_order_once": receiver.accepted == expected,
            "duplicates": len(receiver.duplicates), "rejected_signatures": receiver.rejected_signatures,
            "seconds_from_first": round(steady, 2),
            "events_per_second": round((accepted - 1) / steady, 1) if steady and accepted > 1 else 0.0,
            "seconds_from_kick": round(done - kicked, 2),
            "events_per_second_with_startup": round(accepted / (done - kicked), 1) if accepted else 0.0,
            "workers": 1, "load_average": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("push_bench: set DATABASE_URL to a database of its own (it is migrated)")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "0"
    os.environ["FEED_WEBHOOK_HTTP_LOOPBACK"] = "1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    figures = bench_push_throughput(args.events)
    log(f"{figures['accepted']}/{figures['events']} events, {figures['events_per_second']} events/s steady "
        f"({figures['events_per_second_with_startup']} with the worker's start-up), in order once: "
        f"{figures['in_order_once']}, duplicates {figures['duplicates']}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["push_feed"] = {"measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                            **figures}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
