"""The endpoint suite of ``benchmarks/ratios.py``: each endpoint against the same SQL replayed without Django.

Runs inside a child process of ``ratios.py`` whose ``DATABASE_URL`` names one seeded scale (its own
database on the benchmark's TCP PostgreSQL). For every endpoint of ``ENDPOINTS``:

1. the request is made twice with Django's test client (warm), then captured three times
   (``sql_capture``): every statement with its parameters, the statement count of each capture kept;
2. the last capture goes to the replay app (``sql_replay_wsgi``, psycopg only) through a pickle;
3. the service (``config.wsgi``) and the replay run side by side under the same gunicorn settings; for
   concurrency 1 and 8, ``rounds`` A/B pairs (service, then baseline, interleaved) of ``seconds`` each
   with the closed-loop client; the figures are medians over the rounds, the ratio the median of each
   round's rps(service)/rps(baseline);
4. EXPLAIN (ANALYZE, BUFFERS) of every SELECT the public black-list searches ran (captured above).
"""

from __future__ import annotations

import datetime
import json
import os
import pickle
import random
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import closed_loop, sql_capture  # noqa: E402

BUSINESS_ENTITIES = 3
PUBLISHED_LISTINGS = 8
BATCH_ITEMS = 1000
LICENCE_TYPE = "travel_agency_business"
PUBLIC = ("public blacklist by name", "public blacklist by pinyin", "public blacklist by credit code",
          "public redlist", "public entity")
SEARCHES = PUBLIC[:3]


def log(message: str) -> None:
    print(f"[ratios] {message}", flush=True)


# --------------------------------------------------------------------------- data


def seed(entities: int, *, reuse: bool) -> dict:
    """migrate, ``generate_data``, score everyone, publish a few black listings by the due process, ANALYZE."""
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import load
    from entities.models import Entity

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    reused = reuse and Entity.objects.count() >= entities
    if not reused:
        began = time.perf_counter()
        call_command("generate_data", entities=entities, verbosity=0)
        generate_s = time.perf_counter() - began
        load._score_all()
        load._publish_listings(PUBLISHED_LISTINGS)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM ratings_creditevent")
        events = cursor.fetchone()[0]
        cursor.execute("SELECT list_type, count(*) FROM regulator_listing WHERE status = 'published' GROUP BY 1")
        published = dict(cursor.fetchall())
        cursor.execute("SELECT pg_database_size(current_database())")
        size = cursor.fetchone()[0]
    return {"entities": Entity.objects.count(), "events": events, "published_listings": published,
            "database_mb": round(size / 2**20), "reused": reused,
            "generate_seconds": None if reused else round(generate_s, 1),
            "setup_seconds": round(time.perf_counter() - started, 1)}


@dataclass
class Endpoint:
    name: str
    method: str
    path: str
    body: bytes | None = None
    token: str = ""
    status: int = 200

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def request(self) -> closed_loop.Request:
        headers = {"Authorization": f"Token {self.token}"} if self.token else {}
        return closed_loop.Request(self.method, self.path, self.body, headers, self.status)

    def test_client_call(self, client):
        extra = {"HTTP_AUTHORIZATION": f"Token {self.token}"} if self.token else {}
        if self.method == "GET":
            return lambda: client.get(self.path, **extra)
        return lambda: client.generic(self.method, self.path, self.body, content_type="application/json", **extra)


def _valid_id_number(rng: random.Random) -> str:
    from entities import codes

    return codes.id_number("140100", datetime.date(1980, 1, 1) + datetime.timedelta(days=rng.randrange(8000)), rng)


def scenario() -> list[Endpoint]:
    """The accounts (regulator, business) with tokens, and one fixed request per endpoint."""
    from urllib.parse import urlencode

    from django.utils import timezone
    from knox.models import AuthToken
    from pypinyin import lazy_pinyin

    from core.models import User, UserRole
    from entities.models import Entity
    from regulator.lists.models import Listing

    rng = random.Random(2026)
    day = timezone.localdate()
    listed = list(Listing.objects.filter(list_type="black", status="published", subject_type="entity",
                                         published_on__lte=day, expires_on__gt=day)
                  .select_related("entity").order_by("-published_on", "-id")[:200])
    subject = listed[0].entity  # published through the due process by seed(): the freshest listing
    others = list(Entity.objects.filter(status="active").exclude(pk__in=[lst.entity_id for lst in listed])
                  .order_by("id").values_list("pk", "credit_code")[:5000])
    rng.shuffle(others)

    regulator, _ = User.objects.update_or_create(username="ratios-regulator",
                                                 defaults={"role": UserRole.REGULATOR, "is_staff": True})
    business, _ = User.objects.update_or_create(username="ratios-business", defaults={"role": UserRole.BUSINESS})
    business.entities.set([subject.pk, *[pk for pk, _ in others[:BUSINESS_ENTITIES - 1]]])
    # knox tokens, as the login answers them
    regulator_token, business_token = (AuthToken.objects.create(user)[1] for user in (regulator, business))

    part = subject.name[2:4] if len(subject.name) >= 4 else subject.name[:2]
    applicants = [lst.entity.credit_code for lst in listed[:BATCH_ITEMS // 10]]
    applicants += [code for _, code in others[BUSINESS_ENTITIES:BUSINESS_ENTITIES + BATCH_ITEMS - len(applicants)]]
    rng.shuffle(applicants)
    checks = [{"licence_type": LICENCE_TYPE, "applicant_credit_code": code, "person_id_numbers": [_valid_id_number(rng)]}
              for code in applicants[:BATCH_ITEMS]]
    single = {"licence_type": LICENCE_TYPE, "applicant_credit_code": subject.credit_code,
              "person_id_numbers": [_valid_id_number(rng)]}

    def blacklist(query: str) -> str:
        return "/api/v1/public/blacklist/?" + urlencode({"q": query})

    return [
        Endpoint("public blacklist by name", "GET", blacklist(part)),
        Endpoint("public blacklist by pinyin", "GET", blacklist("".join(lazy_pinyin(part)))),
        Endpoint("public blacklist by credit code", "GET", blacklist(subject.credit_code)),
        Endpoint("public redlist", "GET", "/api/v1/public/redlist/"),
        Endpoint("public entity", "GET", f"/api/v1/public/entities/{subject.credit_code}/"),
        Endpoint("me (business)", "GET", "/api/v1/me/", token=business_token),
        Endpoint("entity credit (regulator)", "GET", f"/api/v1/entities/{subject.pk}/credit/", token=regulator_token),
        Endpoint("licence check", "POST", "/api/v1/licence-checks/", json.dumps(single).encode(), regulator_token),
        Endpoint(f"licence check batch of {BATCH_ITEMS:,}", "POST", "/api/v1/licence-checks/batch/",
                 json.dumps({"checks": checks}).encode(), regulator_token),
    ]


# --------------------------------------------------------------------------- capture


def capture_all(endpoints: list[Endpoint]) -> dict[str, dict]:
    """Warm each request twice, capture it three times; the last capture is what the replay runs."""
    from django.test import Client

    client = Client(REMOTE_ADDR="127.0.0.1")
    captured = {}
    for endpoint in endpoints:
        call = endpoint.test_client_call(client)
        for _ in range(2):
            response = call()
            if response.status_code != endpoint.status:
                raise RuntimeError(f"{endpoint.name}: {response.status_code} {response.content[:300]!r}")
        captures = [sql_capture.capture(call) for _ in range(3)]
        last = captures[-1]
        captured[endpoint.name] = {"capture": last, "statement_counts": [c.statements for c in captures]}
    return captured


def write_replay_file(path: Path, endpoints: list[Endpoint], captured: dict[str, dict]) -> None:
    from django.db import connection

    settings = connection.settings_dict
    url = (f"postgresql://{settings['USER']}@{settings['HOST']}:{settings['PORT'] or 5432}/{settings['NAME']}"
           if settings["HOST"] and not settings["HOST"].startswith("/") else os.environ["DATABASE_URL"])
    payload = {"database_url": url, "endpoints": {
        endpoint.key: {"events": captured[endpoint.name]["capture"].events,
                       "status": captured[endpoint.name]["capture"].status,
                       "body_bytes": captured[endpoint.name]["capture"].body_bytes}
        for endpoint in endpoints}}
    with path.open("wb") as handle:
        pickle.dump(payload, handle)


# --------------------------------------------------------------------------- A/B


def _median(values: list[float | None]) -> float | None:
    values = [value for value in values if value is not None]
    return round(statistics.median(values), 3) if values else None


def ab_suite(endpoints: list[Endpoint], captured: dict[str, dict], *, service_port: int, replay_port: int,
             concurrencies: tuple[int, ...], rounds: int, seconds: float) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for endpoint in endpoints:
        cap = captured[endpoint.name]["capture"]
        entry = {"method": endpoint.method, "path": endpoint.path if len(endpoint.path) < 120 else
                 endpoint.path[:117] + "...", "statements": cap.statements,
                 "statement_counts": captured[endpoint.name]["statement_counts"], "transactions": cap.transactions,
                 "service_body_bytes": cap.body_bytes, "by_concurrency": {}}
        batch = endpoint.body is not None and len(endpoint.body) > 10_000
        for concurrency in concurrencies:
            request = endpoint.request()
            minimum = (8 if batch else 20) if concurrency == 1 else 2 * concurrency
            for port in (service_port, replay_port):  # warm both (worker connections, caches)
                closed_loop.run(port, request, concurrency=concurrency, seconds=0.3, min_requests=concurrency)
            service_runs, replay_runs = [], []
            for _ in range(rounds):
                service_runs.append(closed_loop.run(service_port, request, concurrency=concurrency, seconds=seconds,
                                                    min_requests=minimum))
                replay_runs.append(closed_loop.run(replay_port, request, concurrency=concurrency, seconds=seconds,
                                                   min_requests=minimum))
            service = [run.figures() for run in service_runs]
            replay = [run.figures() for run in replay_runs]
            failures = {"service": sum(run.failures for run in service_runs),
                        "baseline": sum(run.failures for run in replay_runs)}
            first = next((run.first_failure for run in service_runs + replay_runs if run.first_failure), "")
            figures = {
                "service": {key: _median([fig[key] for fig in service]) for key in ("rps", "p50_ms", "p95_ms")},
                "baseline": {key: _median([fig[key] for fig in replay]) for key in ("rps", "p50_ms", "p95_ms")},
                "ratio_rps_service_to_baseline": _median(
                    [s.rps / r.rps if r.rps else None for s, r in zip(service_runs, replay_runs, strict=True)]),
                "rounds": rounds, "seconds_per_round": seconds,
                "requests": {"service": sum(run.requests for run in service_runs),
                             "baseline": sum(run.requests for run in replay_runs)},
                "failures": failures,
            }
            if first:
                figures["first_failure"] = first[:300]
            # Every latency of the rounds together: the p95 of a few slow requests (the batch) needs them all.
            pooled = closed_loop.Run([lat for run in service_runs for lat in run.latencies], 0, 1.0)
            figures["service"]["p95_ms_all_rounds"] = pooled.figures()["p95_ms"]
            entry["by_concurrency"][str(concurrency)] = figures
            log(f"  {endpoint.name} c={concurrency}: service {figures['service']['rps']} rps p50 "
                f"{figures['service']['p50_ms']} p95 {figures['service']['p95_ms']} ms | baseline "
                f"{figures['baseline']['rps']} rps p95 {figures['baseline']['p95_ms']} ms | ratio "
                f"{figures['ratio_rps_service_to_baseline']} | {cap.statements} statements"
                + (f" | FAILURES {failures} {first[:120]}" if first else ""))
        results[endpoint.name] = entry
    return results


# --------------------------------------------------------------------------- EXPLAIN


def explain_statements(database_url: str, captured: dict[str, dict], *, repeats: int = 5) -> dict:
    import psycopg

    result: dict[str, dict] = {}
    with psycopg.connect(database_url, autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        for name in SEARCHES:
            statements = []
            for sql, params in captured[name]["capture"].sql():
                head = sql.lstrip()[:40].upper()
                if not head.startswith(("SELECT", "WITH")) or "SET_CONFIG" in head:
                    continue
                times, plans, buffers = [], [], {}
                for _ in range(repeats + 1):  # the first warms the cache and is dropped
                    row = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params).fetchone()[0][0]
                    times.append(row["Execution Time"])
                    plans.append(row["Planning Time"])
                    top = row["Plan"]
                    buffers = {"shared_hit": top.get("Shared Hit Blocks", 0), "shared_read": top.get("Shared Read Blocks", 0)}
                statements.append({"sql": " ".join(sql.split())[:160], "execution_ms": round(statistics.median(times[1:]), 3),
                                   "planning_ms": round(statistics.median(plans[1:]), 3), **buffers})
            slowest = max(range(len(statements)), key=lambda i: statements[i]["execution_ms"], default=None)
            plan: list[str] = []
            if slowest is not None:
                selects = [(sql, params) for sql, params in captured[name]["capture"].sql()
                           if sql.lstrip()[:40].upper().startswith(("SELECT", "WITH"))
                           and "SET_CONFIG" not in sql.lstrip()[:40].upper()]
                sql, params = selects[slowest]
                plan = [row[0] for row in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()]
            result[name] = {"statements": statements, "slowest_plan": plan[:60],
                            "execution_ms": round(sum(s["execution_ms"] for s in statements), 3),
                            "planning_ms": round(sum(s["planning_ms"] for s in statements), 3)}
    worst = max(result.values(), key=lambda item: item["execution_ms"])
    return {"by_search": result, "execution_ms_worst_search": worst["execution_ms"]}


# --------------------------------------------------------------------------- the capture checked at the server


def verify_at_server(endpoints: list[Endpoint], captured: dict[str, dict], *, admin_url: str, server_log: Path,
                     work: Path) -> dict[str, dict]:
    """What PostgreSQL itself logged for one request of each endpoint, served by gunicorn (``log_statement``).

    On the benchmark's own server only: the database logs every statement for the length of this check
    (a separate gunicorn, so the timed runs log nothing). The server's count should be the capture's plus
    one: Django's health check of the reused connection. BEGIN / COMMIT are counted apart.
    """
    import psycopg
    from django.db import connection

    from benchmarks.load import Gunicorn

    name = connection.settings_dict["NAME"]
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}" SET log_statement = \'all\'')
    checked: dict[str, dict] = {}
    try:
        with Gunicorn("config.wsgi:application", env=dict(os.environ), workers=1,
                      log_path=work / "gunicorn-verify.log") as server:
            for endpoint in endpoints:
                request = endpoint.request()
                closed_loop.run(server.port, request, concurrency=1, seconds=0, min_requests=2)  # warm
                time.sleep(0.2)
                mark = server_log.stat().st_size
                closed_loop.run(server.port, request, concurrency=1, seconds=0, min_requests=1)
                time.sleep(0.3)
                with server_log.open("rb") as handle:
                    handle.seek(mark)
                    lines = handle.read().decode(errors="replace").splitlines()
                logged = [line.split("LOG:  ", 1)[1] for line in lines
                          if "LOG:  statement: " in line or "LOG:  execute " in line]
                control = [text for text in logged if text.split(": ", 1)[-1].strip().upper() in
                           ("BEGIN", "COMMIT", "ROLLBACK")]
                statements = len(logged) - len(control)
                expected = captured[endpoint.name]["capture"].statements + 1
                checked[endpoint.name] = {"server_statements": statements, "server_begin_commit": len(control),
                                          "capture_plus_health_check": expected,
                                          "matches": statements == expected}
                if statements != expected:
                    log(f"  capture check: {endpoint.name}: the server logged {statements} statements, the capture "
                        f"has {expected - 1} (+1 health check)")
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'ALTER DATABASE "{name}" RESET log_statement')
    return checked


# --------------------------------------------------------------------------- where the time beyond the SQL goes


def _package(filename: str) -> str:
    """``django/db``, ``rest_framework/serializers.py``, ``core/receipts.py``, ... for a profiled function's file."""
    path = filename.replace("\\", "/")
    if "site-packages/" in path:
        parts = path.split("site-packages/", 1)[1].split("/")
        return "/".join(parts[:2]) if parts[0] in ("django", "rest_framework") else parts[0]
    if path.startswith(str(ROOT)):
        return path[len(str(ROOT)) + 1:]
    if path.startswith("<") or path == "~":  # cProfile files C functions (json's encoder, signing) under "~"
        return "(C built-ins)"
    return "(stdlib) " + path.rsplit("/", 1)[-1]


def profile_requests(endpoints: list[Endpoint], *, repeats: int = 8) -> dict[str, dict]:
    """cProfile of a few test-client requests per endpoint: self time by package and the costliest functions.

    In-process and under the profiler (which slows Python, not the database), so the shares matter, not
    the milliseconds: they say which code the gap between the service and the same-SQL baseline is in.
    """
    import cProfile
    import pstats

    from django.test import Client

    client = Client(REMOTE_ADDR="127.0.0.1")
    result: dict[str, dict] = {}
    for endpoint in endpoints:
        call = endpoint.test_client_call(client)
        call()
        count = 2 if endpoint.body is not None and len(endpoint.body) > 10_000 else repeats
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for _ in range(count):
            call()
        profiler.disable()
        elapsed = (time.perf_counter() - began) / count
        stats = pstats.Stats(profiler)
        total = sum(entry[2] for entry in stats.stats.values()) or 1.0  # self (tottime) of every function
        by_package: dict[str, float] = {}
        for (filename, _line, _name), entry in stats.stats.items():
            package = _package(filename)
            by_package[package] = by_package.get(package, 0.0) + entry[2]
        functions = sorted(stats.stats.items(), key=lambda item: -item[1][3])  # cumulative
        # The service's own functions by cumulative share, without the wrappers every request passes through
        # (middleware, the view's entry: 85 % and more) nor the benchmark's own lambda.
        own = [(f"{_package(key[0])}:{key[2]}", round(100 * entry[3] / total, 1)) for key, entry in functions
               if key[0].startswith(str(ROOT)) and "site-packages" not in key[0]
               and "/benchmarks/" not in key[0] and entry[3] / total < 0.85][:6]
        result[endpoint.name] = {
            "profiled_ms_per_request": round(1000 * elapsed, 1),
            "self_time_share_by_package": {name: round(100 * value / total, 1) for name, value in
                                           sorted(by_package.items(), key=lambda item: -item[1])[:8]},
            "service_functions_cumulative_share": dict(own),
        }
    return result
