"""Load benchmark: the service under a locust mix on gunicorn, against a bare Django view in the same run.

Runs against its own database (``credit_load`` on the embedded server, or
``LOAD_DATABASE_URL``) and its own Redis database (``LOAD_REDIS_DB``, default 11,
on the embedded Redis), so neither the development data nor its Celery queue is
touched; no Celery worker runs, the rescores queued by the writes are dropped at
the end.

1. reset ``credit_load``, migrate, ``generate_data`` (default 100,000 entities),
   score every entity, publish a few black listings through the due-process
   services (notified 60 days ago, decided and published 30 days ago), make an
   inspector (region 14, every sector) and a business account with tokens;
2. gunicorn (``config.wsgi``, 2 workers, DEBUG=0) on a free loopback port, public,
   complaint and login throttles raised so they never answer 429;
   ``locust`` headless with ``benchmarks/locustfile.py`` ``ServiceUser`` for
   ``--seconds`` (60) with ``--users`` (20) users and no think time;
3. the same gunicorn settings serving ``benchmarks/bare_wsgi.py`` (one trivial
   view on the same settings and middleware), ``BareUser`` for ``--bare-seconds``;
4. requests, failures, requests per second and p50/p95/p99 per endpoint and
   overall, and rps(service)/rps(bare): printed, and saved under ``load`` in
   ``benchmarks/results.json``. Exits 1 if any request failed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results.json"
LOCUSTFILE = ROOT / "benchmarks" / "locustfile.py"
DATABASE = "credit_load"
# Throttles stay in the request path but never bite. Per second, not per minute: DRF's sliding
# window keeps one timestamp per request in the window, so a per-minute window at a few hundred
# requests a second would make every request (un)pickle a list of tens of thousands of floats.
UNTHROTTLED = "1000000/s"
BUSINESS_ENTITIES = 3
PUBLISHED_LISTINGS = 8
POOL = 300  # entities the complaints, inspections and public pages are spread over


def log(message: str) -> None:
    print(f"[load] {message}", flush=True)


# --------------------------------------------------------------------------- the database and broker


def _load_database_url(reuse: bool) -> str:
    if os.environ.get("LOAD_DATABASE_URL"):
        return os.environ["LOAD_DATABASE_URL"]
    import psycopg

    from config import embedded

    url = embedded.postgres_url()
    admin = url.replace(f"/{embedded.DATABASE_NAME}?", "/postgres?")
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not (reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DATABASE}")
    return url.replace(f"/{embedded.DATABASE_NAME}?", f"/{DATABASE}?")


def _redis_urls() -> tuple[str, str]:
    """(Celery broker URL, cache URL) on a Redis database of the benchmark's own."""
    if os.environ.get("LOAD_BROKER_URL"):
        broker = os.environ["LOAD_BROKER_URL"]
        return broker, os.environ.get("LOAD_CACHE_URL", broker)
    from config import embedded

    db = int(os.environ.get("LOAD_REDIS_DB", "11"))
    sock = embedded.redis_url().removeprefix("redis+socket://")
    return f"redis+socket://{sock}?virtual_host={db}", f"unix://{sock}?db={db}"


def _flush_redis(cache_url: str) -> None:
    """Drop the queued rescores and cached throttle/idempotency keys of the benchmark's Redis database."""
    import redis

    try:
        redis.Redis.from_url(cache_url).flushdb()
    except redis.RedisError as exc:
        log(f"could not flush {cache_url}: {exc}")


# --------------------------------------------------------------------------- data


def setup(*, entities: int, reuse: bool) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from entities.models import Entity

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not (reuse and Entity.objects.exists()):
        call_command("generate_data", entities=entities, verbosity=0)
        _score_all()
        _publish_listings(PUBLISHED_LISTINGS)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    scenario = _scenario()
    data = {"entities": Entity.objects.count(), "setup_seconds": round(time.perf_counter() - started, 1)}
    with connection.cursor() as cursor:
        for table in ("complaints_complaint", "complaints_inspection", "complaints_finding", "ratings_creditevent"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            data[table.split("_", 1)[1] + "s"] = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM regulator_listing WHERE status = 'published' AND list_type = 'black'")
        data["published_black_listings"] = cursor.fetchone()[0]
    from django.db import connections

    connections.close_all()
    return {"data": data, "scenario": scenario}


def _score_all() -> None:
    from ratings.services import pending_chunks, recompute_chunk, recompute_plan

    run = recompute_plan(reason="load benchmark")
    for index in pending_chunks(run):
        recompute_chunk(run_id=run.pk, index=index)


def _publish_listings(count: int) -> None:
    """Black-list ``count`` unlisted entities through the due process, so public queries find fresh ones."""
    from django.utils import timezone

    from entities.models import Entity
    from regulator.lists.services import listing_decide, listing_notify, listing_propose, listing_publish

    today = timezone.localdate()
    notified, decided = today - datetime.timedelta(days=60), today - datetime.timedelta(days=30)
    candidates = (Entity.objects.filter(status="active", listings__isnull=True, person_listings__isnull=True)
                  .order_by("id")[:count])
    for entity in candidates:
        listing = listing_propose(list_type="black", subject_type="entity", entity=entity,
                                  reason="压测：拒不履行行政处罚决定", today=notified)
        # the 告知书 served the day it is issued (the window runs from its delivery); the 认定决定书 carries the
        # rule set's whole catalogue of measures and appeal routes, and its series' number
        listing_notify(listing_id=listing.pk, today=notified, delivery={"method": "direct", "delivered_on": notified})
        listing_decide(listing_id=listing.pk, today=decided, delivery={"method": "direct", "delivered_on": decided})
        listing_publish(listing_id=listing.pk, today=decided)


def _queries(names: list[str], codes: list[str]) -> list[tuple[str, str]]:
    """Public black-list queries: credit codes, Chinese parts of names (simplified and traditional), pinyin, initials."""
    import zhconv
    from pypinyin import Style, lazy_pinyin

    queries = [("listed_code", code) for code in codes]
    for name in names:
        for part in {name[:2], name[2:4], name[:4], name[-6:-4]}:
            if len(part) < 2:
                continue
            queries.append(("name", part))
            queries.append(("traditional", zhconv.convert(part, "zh-tw")))
            queries.append(("pinyin", "".join(lazy_pinyin(part))))
            queries.append(("initials", "".join(lazy_pinyin(part, style=Style.FIRST_LETTER))))
    return sorted(set(queries))


def _scenario() -> dict:
    """Accounts, tokens and the ids, codes and queries the locust users draw from."""
    from django.utils import timezone
    from knox.models import AuthToken

    from core.models import User, UserRole
    from entities.models import Entity
    from regulator.lists.models import Listing

    rng = random.Random(2026)
    day = timezone.localdate()
    listed = list(
        Listing.objects.filter(list_type="black", status="published", subject_type="entity", published_on__lte=day,
                               expires_on__gt=day).select_related("entity").order_by("-published_on", "-id")[:40])
    listed_entities = [listing.entity for listing in listed]
    listed_ids = {entity.pk for entity in listed_entities}
    active = list(Entity.objects.filter(status="active").exclude(pk__in=listed_ids).values_list("pk", "credit_code"))
    rng.shuffle(active)
    business_ids = [listed_entities[0].pk, *[pk for pk, _ in active[:BUSINESS_ENTITIES - 1]]]
    pool = active[BUSINESS_ENTITIES:BUSINESS_ENTITIES + POOL]  # never the business's entities: /me/ stays the same

    inspector, _ = User.objects.update_or_create(username="load-inspector", defaults={
        "role": UserRole.INSPECTOR, "region_codes": ["14"],
        "sectors": ["tourism", "exhibition", "wellness", "household_service"]})
    business, _ = User.objects.update_or_create(username="load-business", defaults={"role": UserRole.BUSINESS})
    business.entities.set(business_ids)
    # knox tokens, as the login answers them (a token lives TOKEN_TTL_HOURS, longer than the run)
    tokens = {user.username: AuthToken.objects.create(user)[1] for user in (inspector, business)}
    return {
        "today": day.isoformat(),
        "inspector_token": tokens["load-inspector"],
        "business_token": tokens["load-business"],
        "business_entity_ids": business_ids,
        "inspect_entity_ids": [pk for pk, _ in pool],
        "entity_codes": [code for _, code in pool],
        "listed_codes": [entity.credit_code for entity in listed_entities],
        "queries": _queries([entity.name for entity in listed_entities[:12]],
                            [entity.credit_code for entity in listed_entities]),
    }


# --------------------------------------------------------------------------- gunicorn and locust


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn on a free loopback port, in its own process group; stopped (and its workers) on exit."""

    def __init__(self, app: str, *, env: dict, workers: int, log_path: Path, extra: tuple[str, ...] = ()):
        self.app, self.env, self.workers, self.log_path, self.extra = app, env, workers, log_path, extra
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", self.app, "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--log-level", "warning", *self.extra],
            cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn {self.app}: /healthz not 200 after 90 s; see {self.log_path}")
            time.sleep(0.3)

    def __exit__(self, *exc) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM to the master: it stops its workers
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the group this object started
                self.proc.wait(timeout=10)
        self._log.close()


def run_locust(*, user_class: str, host: str, users: int, seconds: int, prefix: Path, env: dict) -> dict:
    spawn_rate = max(1, min(users, 10))
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users),
               "-r", str(spawn_rate), "-t", f"{seconds}s", "--host", host, "--csv", str(prefix), "--only-summary",
               "--stop-timeout", "10", "--loglevel", "WARNING", user_class]
    log_path = prefix.with_suffix(".log")
    with log_path.open("w") as out:
        finished = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False,
                                  timeout=seconds + 120)
    stats_path = Path(f"{prefix}_stats.csv")
    if not stats_path.exists():
        raise RuntimeError(f"locust wrote no statistics; see {log_path}:\n{log_path.read_text()[-2000:]}")
    stats = _parse_stats(stats_path)
    # The CSV is rewritten every second and misses the last moment of the run; locust's exit code
    # (1 when any request failed) does not, so a late failure still fails the benchmark.
    stats["locust_exit_code"] = finished.returncode
    stats["failure_kinds"] = _parse_failures(Path(f"{prefix}_failures.csv"))
    stats["client_warnings"] = sorted({line.split("] ", 1)[-1].strip() for line in log_path.read_text().splitlines()
                                       if "CPU usage" in line})
    return stats


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _row(row: dict) -> dict:
    return {
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "rps": round(float(row["Requests/s"]), 1),
        "avg_ms": round(float(row["Average Response Time"]), 1),
        "p50_ms": _number(row["50%"]),
        "p95_ms": _number(row["95%"]),
        "p99_ms": _number(row["99%"]),
        "max_ms": round(float(row["Max Response Time"]), 1),
    }


def _parse_stats(path: Path) -> dict:
    endpoints, overall = {}, None
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                overall = _row(row)
            else:
                endpoints[row["Name"]] = {"method": row["Type"], **_row(row)}
    if overall is None:
        raise RuntimeError(f"no Aggregated row in {path}")
    return {"overall": overall, "endpoints": endpoints}


def _parse_failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [{"endpoint": f"{row['Method']} {row['Name']}", "error": row["Error"][:300],
                 "occurrences": int(row["Occurrences"])} for row in csv.DictReader(handle)]


def _server_errors(log_path: Path) -> list[str]:
    """Lines of the gunicorn log that tell of a server error (500s, tracebacks, worker timeouts)."""
    markers = ("Internal Server Error", "Traceback", "[ERROR]", "[CRITICAL]", "WORKER TIMEOUT", "Error:")
    lines = log_path.read_text(errors="replace").splitlines() if log_path.exists() else []
    return [line[:300] for line in lines if any(marker in line for marker in markers)]


# --------------------------------------------------------------------------- report


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:g}"


def _line(name: str, figures: dict) -> str:
    return (f"{name}: {figures['requests']:,} requests, {figures['failures']} failures, {figures['rps']} req/s, "
            f"p50/p95/p99 {_ms(figures['p50_ms'])}/{_ms(figures['p95_ms'])}/{_ms(figures['p99_ms'])} ms")


def _table(summary: dict) -> str:
    rows = ["| endpoint | requests | failures | req/s | p50 ms | p95 ms | p99 ms |", "|---|---|---|---|---|---|---|"]

    def add(name: str, fig: dict) -> None:
        rows.append(f"| {name} | {fig['requests']:,} | {fig['failures']} | {fig['rps']} | {_ms(fig['p50_ms'])} | "
                    f"{_ms(fig['p95_ms'])} | {_ms(fig['p99_ms'])} |")

    for name, fig in summary["service"]["endpoints"].items():
        add(name, fig)
    add("**service, all**", summary["service"]["overall"])
    add("bare Django view", summary["bare"]["overall"])
    rows.append(f"\nrps(service) / rps(bare Django view) = **{summary['ratio_rps_service_to_bare']}** "
                f"({summary['users']} users, no think time, gunicorn {summary['gunicorn_workers']} workers, "
                f"{summary['machine']}, load generator on the same machine)")
    return "\n".join(rows)


def _write_readme(summary: dict) -> None:
    """Replace the load figures between the load markers of README.md."""
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- load:start -->", "<!-- load:end -->"
    if start not in text or end not in text:
        return
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    body = f"Measured {summary['measured_at']}, {summary['seconds']} s:\n\n{_table(summary)}"
    readme.write_text(f"{before}{start}\n{body}\n{end}{after}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60, help="length of the service run")
    parser.add_argument("--bare-seconds", type=int, default=None, help="length of the bare-view run (default 1/3)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--entities", type=int,
                        default=int(os.environ.get("LOAD_ENTITIES", os.environ.get("BENCH_ENTITIES", 100_000))))
    parser.add_argument("--reuse-data", action="store_true", help="keep credit_load if it is already seeded")
    args = parser.parse_args()
    bare_seconds = args.bare_seconds or max(10, args.seconds // 3)

    database_url = _load_database_url(args.reuse_data)
    broker_url, cache_url = _redis_urls()
    work = Path(tempfile.mkdtemp(prefix="credit-load-"))
    server_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "CACHE_URL": cache_url,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "EXPORTS_DIR": str(work / "exports"),
        "THROTTLE_PUBLIC": UNTHROTTLED,
        "THROTTLE_COMPLAINTS": UNTHROTTLED,
        "THROTTLE_LOGIN": UNTHROTTLED,
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update({key: server_env[key] for key in (
        "DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DJANGO_SETTINGS_MODULE",
        "DEBUG", "EXPORTS_DIR")})
    _flush_redis(cache_url)

    log(f"seeding {DATABASE} ({args.entities:,} entities) ...")
    prepared = setup(entities=args.entities, reuse=args.reuse_data)
    data, scenario = prepared["data"], prepared["scenario"]
    log(f"data: {data}")
    log(f"scenario: {len(scenario['queries'])} public queries, {len(scenario['listed_codes'])} listed codes, "
        f"{len(scenario['entity_codes'])} entities for complaints/inspections, business speaks for "
        f"{scenario['business_entity_ids']}")
    locust_env = {**os.environ, "LOAD_SCENARIO": json.dumps(scenario, ensure_ascii=False)}
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DJANGO_SETTINGS_MODULE"):
        locust_env.pop(key, None)

    try:
        service_log = work / "gunicorn-service.log"
        with Gunicorn("config.wsgi:application", env=server_env, workers=args.workers, log_path=service_log) as server:
            log(f"service on {server.url}: {args.users} users for {args.seconds} s ...")
            service = run_locust(user_class="ServiceUser", host=server.url, users=args.users, seconds=args.seconds,
                                 prefix=work / "service", env=locust_env)
        service["server_errors"] = _server_errors(service_log)
        log(_line("service, all", service["overall"]))
        for name, figures in service["endpoints"].items():
            log("  " + _line(name, figures))

        bare_log = work / "gunicorn-bare.log"
        with Gunicorn("benchmarks.bare_wsgi:application", env=server_env, workers=args.workers,
                      log_path=bare_log) as server:
            log(f"bare Django view on {server.url}: {args.users} users for {bare_seconds} s ...")
            bare = run_locust(user_class="BareUser", host=server.url, users=args.users, seconds=bare_seconds,
                              prefix=work / "bare", env=locust_env)
        bare["server_errors"] = _server_errors(bare_log)
        log(_line("bare Django view", bare["overall"]))
    finally:
        _flush_redis(cache_url)  # the rescores no worker will run, throttle and idempotency keys

    ratio = round(service["overall"]["rps"] / max(bare["overall"]["rps"], 1e-9), 3)
    log(f"ratio rps(service)/rps(bare Django view): {ratio} "
        f"({service['overall']['rps']} / {bare['overall']['rps']} req/s)")
    failures = service["overall"]["failures"] + bare["overall"]["failures"]
    for name, run in (("service", service), ("bare", bare)):
        if run["locust_exit_code"] != 0:
            log(f"locust ({name}) exited with {run['locust_exit_code']}: failures or errors, see {work}/{name}.log")
    failed = failures > 0 or service["locust_exit_code"] != 0 or bare["locust_exit_code"] != 0
    for kind in service["failure_kinds"] + bare["failure_kinds"]:
        log(f"FAILURE {kind['endpoint']} x{kind['occurrences']}: {kind['error']}")
    for line in service["server_errors"][:20] + bare["server_errors"][:20]:
        log(f"server log: {line}")
    for warning in service["client_warnings"] + bare["client_warnings"]:
        log(f"locust: {warning}")

    summary = {
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores",
        "users": args.users,
        "seconds": args.seconds,
        "bare_seconds": bare_seconds,
        "gunicorn_workers": args.workers,
        "data": data,
        "service": service,
        "bare": bare,
        "ratio_rps_service_to_bare": ratio,
        "failures": failures,
    }
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["load"] = summary
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print()
    print(_table(summary))
    print(flush=True)
    _write_readme(summary)
    log(f"logs and CSV in {work}")
    if failed:
        log(f"{failures} failed requests in the CSV statistics: exit 1")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
