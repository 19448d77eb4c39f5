"""Scale-out of ``benchmarks/ratios.py``: the full credit recompute and the nightly proposing pass on K real
Celery worker processes, PostgreSQL and Redis over TCP (the child's ``DATABASE_URL`` / broker).

While a run goes, a sampler reads ``pg_stat_activity`` every 100 ms: client backends that are active,
PostgreSQL's own parallel workers (``backend_type = 'parallel worker'``: intra-query parallelism), and
backends waiting on a lock (``wait_event_type = 'Lock'``, with the lock kinds seen). The machine's CPU
use (``/proc/stat``) and the Celery workers' own CPU time say where the time went: a set-based recompute
runs in PostgreSQL, so a second worker only helps when PostgreSQL has idle cores to give it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[ratios] {message}", flush=True)


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine since boot."""
    with open("/proc/stat") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _postgres_cpu() -> float | None:
    """CPU seconds so far of the benchmark's postmaster (``BENCH_PG_DATA``) and all its backends.

    Live backends count by their own times; a backend that ended was reaped by the postmaster, whose
    ``children_user`` / ``children_system`` then hold its times: so the difference of two readings is the
    CPU PostgreSQL spent between them, backends that came and went included.
    """
    import psutil

    data = os.environ.get("BENCH_PG_DATA")
    if not data or not (Path(data) / "postmaster.pid").exists():
        return None
    try:
        master = psutil.Process(int((Path(data) / "postmaster.pid").read_text().split()[0]))
        times = master.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for process in master.children():
            try:
                child = process.cpu_times()
                total += child.user + child.system
            except psutil.Error:
                continue
        return total
    except (psutil.Error, ValueError):
        return None


class ActivitySampler:
    """``pg_stat_activity`` of one database every ``interval`` seconds, on a connection of its own."""

    QUERY = """
        SELECT backend_type, state, wait_event_type, wait_event, left(regexp_replace(query, '\\s+', ' ', 'g'), 140)
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
    """

    def __init__(self, database_url: str, interval: float = 0.1):
        self.url, self.interval = database_url, interval
        self.samples = 0
        self.lock_samples = 0
        self.lock_waiters_max = 0
        self.lock_kinds: dict[str, int] = {}
        self.active_sum = 0
        self.parallel_sum = 0
        self.parallel_max = 0
        self.wait_kinds: dict[str, int] = {}
        self.queries: dict[str, int] = {}  # what the active client backends were running, by the query's start
        self._stop = threading.Event()

    def __enter__(self) -> ActivitySampler:
        import psycopg

        self._conn = psycopg.connect(self.url, autocommit=True)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._busy = _cpu_jiffies()
        self._postgres = _postgres_cpu()
        self._began = time.perf_counter()
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            rows = self._conn.execute(self.QUERY).fetchall()
            self.samples += 1
            waiting = [row for row in rows if row[2] == "Lock"]
            if waiting:
                self.lock_samples += 1
                self.lock_waiters_max = max(self.lock_waiters_max, len(waiting))
                for row in waiting:
                    self.lock_kinds[row[3]] = self.lock_kinds.get(row[3], 0) + 1
            active = [row for row in rows if row[1] == "active"]
            self.active_sum += sum(1 for row in active if row[0] == "client backend")
            parallel = sum(1 for row in rows if row[0] == "parallel worker")
            self.parallel_sum += parallel
            self.parallel_max = max(self.parallel_max, parallel)
            for row in active:
                if row[0] == "client backend":
                    self.queries[row[4]] = self.queries.get(row[4], 0) + 1
                if row[2]:
                    key = f"{row[2]}:{row[3]}"
                    self.wait_kinds[key] = self.wait_kinds.get(key, 0) + 1
            self._stop.wait(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        busy, total = _cpu_jiffies()
        self.cpu_busy_fraction = (busy - self._busy[0]) / max(total - self._busy[1], 1)
        wall = time.perf_counter() - self._began
        now = _postgres_cpu()
        self.postgres_cpu_seconds = (now - self._postgres) if now is not None and self._postgres is not None else 0.0
        self.postgres_cores = self.postgres_cpu_seconds / wall if wall and now is not None else None
        self._conn.close()

    def figures(self) -> dict:
        samples = max(self.samples, 1)
        return {"samples": self.samples, "lock_wait_samples": self.lock_samples,
                "lock_wait_fraction": round(self.lock_samples / samples, 3),
                "lock_waiters_max": self.lock_waiters_max, "lock_kinds": self.lock_kinds,
                "active_client_backends_mean": round(self.active_sum / samples, 2),
                "parallel_workers_mean": round(self.parallel_sum / samples, 2),
                "parallel_workers_max": self.parallel_max,
                "top_waits": dict(sorted(self.wait_kinds.items(), key=lambda item: -item[1])[:6]),
                "top_active_queries": dict(sorted(self.queries.items(), key=lambda item: -item[1])[:4]),
                "machine_cpu_busy": f"{round(100 * self.cpu_busy_fraction)}% of {os.cpu_count()} cores",
                "machine_cores_busy": round(self.cpu_busy_fraction * (os.cpu_count() or 1), 2),
                "postgres_cpu_seconds": round(self.postgres_cpu_seconds, 2),
                "postgres_cores_busy": None if self.postgres_cores is None else round(self.postgres_cores, 2)}


class Workers:
    """K ``celery worker --pool solo`` processes on a queue of their own; stopped (only these) on exit."""

    def __init__(self, count: int, *, log_dir: Path, queue: str | None = None):
        self.count, self.log_dir = count, log_dir
        self.queue = queue or f"ratios-{uuid.uuid4().hex[:8]}"
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Workers:
        import psutil

        from config.celery_app import app

        env = {**os.environ, "CELERY_TASK_DEFAULT_QUEUE": self.queue}
        for index in range(self.count):
            out = (self.log_dir / f"{self.queue}-{index}.log").open("w")
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", self.queue, "--pool", "solo",
                 "-n", f"{self.queue}-{index}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat",
                 "--prefetch-multiplier", "1", "--loglevel", "WARNING"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
        app.conf.task_default_queue = self.queue
        names = [f"{self.queue}-{index}@{os.uname().nodename}" for index in range(self.count)]
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:  # every worker answers a ping before the clock starts
            if len(app.control.ping(destination=names, timeout=1.0) or []) >= self.count:
                break
        else:
            raise RuntimeError(f"{self.count} Celery workers did not answer a ping in 90 s; see {self.log_dir}")
        self._ps = [psutil.Process(proc.pid) for proc in self.procs]
        self._cpu0 = sum(p.cpu_times().user + p.cpu_times().system for p in self._ps)
        return self

    def cpu_seconds(self) -> float:
        return round(sum(p.cpu_times().user + p.cpu_times().system for p in self._ps) - self._cpu0, 2)

    def __exit__(self, *exc) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _database_url() -> str:
    return os.environ["DATABASE_URL"]


def recompute_on(count: int, *, log_dir: Path, chunk_size: int | None = None) -> dict:
    from ratings.models import RecomputeRun
    from ratings.services import recompute_dispatch, recompute_plan

    with Workers(count, log_dir=log_dir) as workers:
        run = recompute_plan(reason=f"ratios benchmark, {count} workers",
                             **({"chunk_size": chunk_size} if chunk_size else {}))
        with ActivitySampler(_database_url()) as sampler:
            started = time.perf_counter()
            recompute_dispatch(run_id=run.pk)
            while RecomputeRun.objects.filter(pk=run.pk, finished_at__isnull=True).exists():
                if time.perf_counter() - started > 1800:
                    raise RuntimeError(f"recompute with {count} workers did not finish in 30 min")
                time.sleep(0.05)
            seconds = time.perf_counter() - started
        worker_cpu = workers.cpu_seconds()
    return {"workers": count, "chunks": len(run.chunk_bounds), "seconds": round(seconds, 2),
            "celery_workers_cpu_seconds": worker_cpu, **sampler.figures()}


def recompute_warm(chunk_size: int | None = None) -> float:
    """One recompute in this process, not timed against the workers: every run after it finds the cache warm."""
    from ratings.services import pending_chunks, recompute_chunk, recompute_plan

    started = time.perf_counter()
    run = recompute_plan(reason="ratios benchmark, warm-up", **({"chunk_size": chunk_size} if chunk_size else {}))
    for index in pending_chunks(run):
        recompute_chunk(run_id=run.pk, index=index)
    return round(time.perf_counter() - started, 2)


def recompute_series(counts: tuple[int, ...], *, log_dir: Path, chunk_size: int | None = None,
                     label: str = "", mirrored: bool = False) -> dict:
    """One run per worker count; ``mirrored`` runs the counts again in reverse (1, 2, 4, 2, 1) and averages
    each count's two runs, so a drift of the shared machine's load weighs on every count alike."""
    order = [*counts, *reversed(counts[:-1])] if mirrored else list(counts)
    runs: dict[str, list[dict]] = {}
    for count in order:
        run = recompute_on(count, log_dir=log_dir, chunk_size=chunk_size)
        runs.setdefault(str(count), []).append(run)
        log(f"  recompute{label}, {count} worker(s): {run}")
    seconds = {key: round(sum(run["seconds"] for run in value) / len(value), 2) for key, value in runs.items()}
    base = seconds[str(counts[0])]
    return {"order": order, "runs": {key: value[0] for key, value in runs.items()},
            "all_runs": runs if mirrored else None, "seconds_by_workers": seconds,
            "time_ratio_to_1": {key: round(value / base, 3) for key, value in seconds.items()},
            "speedup_by_workers": {key: round(base / value, 2) for key, value in seconds.items()}}


def parallel_query_setting() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, setting FROM pg_settings WHERE name IN ('max_parallel_workers_per_gather', "
                       "'max_parallel_workers', 'max_worker_processes', 'work_mem', 'shared_buffers')")
        return dict(cursor.fetchall())


def set_database_parallelism(workers_per_gather: int | None) -> None:
    """ALTER DATABASE (the benchmark's own) SET/RESET max_parallel_workers_per_gather: new connections see it."""
    from django.db import connection

    with connection.cursor() as cursor:
        name = connection.settings_dict["NAME"]
        if workers_per_gather is None:
            cursor.execute(f'ALTER DATABASE "{name}" RESET max_parallel_workers_per_gather')
        else:
            cursor.execute(f'ALTER DATABASE "{name}" SET max_parallel_workers_per_gather = {int(workers_per_gather)}')


def nightly_on(count: int, chunks: list[list[int]], *, log_dir: Path) -> dict:
    """The nightly pass's own tasks (``propose_listings_batch``, chunks of NIGHTLY_CHUNK) on ``count`` workers."""
    from regulator.lists.tasks import propose_listings_batch

    with Workers(count, log_dir=log_dir) as workers:
        with ActivitySampler(_database_url()) as sampler:
            started = time.perf_counter()
            # Results are ignored service-wide (config.settings.edge); these few are read to know when all are done.
            pending = [propose_listings_batch.apply_async((chunk,), ignore_result=False) for chunk in chunks]
            proposed = sum(result.get(timeout=1800) for result in pending)
            seconds = time.perf_counter() - started
        worker_cpu = workers.cpu_seconds()
    entities = sum(len(chunk) for chunk in chunks)
    return {"workers": count, "chunks": len(chunks), "entities": entities, "proposals": proposed,
            "seconds": round(seconds, 2), "ms_per_entity": round(1000 * seconds / max(entities, 1), 2),
            "celery_workers_cpu_seconds": worker_cpu, **sampler.figures()}


def nightly_series(counts: tuple[int, ...], *, chunks_each: int, log_dir: Path) -> dict:
    """Alternate chunks of the pass go to each run, so every run makes a first night's proposals."""
    from regulator.lists.proposals import entities_with_evidence
    from regulator.lists.tasks import NIGHTLY_CHUNK

    ids = list(entities_with_evidence())
    chunks = [ids[start:start + NIGHTLY_CHUNK] for start in range(0, len(ids), NIGHTLY_CHUNK)]
    runs = {}
    for position, count in enumerate(counts):
        mine = chunks[position::len(counts)][:chunks_each]
        runs[str(count)] = nightly_on(count, mine, log_dir=log_dir)
        log(f"  nightly proposing pass, {count} worker(s): {runs[str(count)]}")
    base = runs[str(counts[0])]["ms_per_entity"]
    full_pass = {k: round(v["ms_per_entity"] * len(ids) / 1000, 1) for k, v in runs.items()}
    return {"entities_with_evidence": len(ids), "chunks_in_full_pass": len(chunks), "runs": runs,
            "time_ratio_to_1": {k: round(v["ms_per_entity"] / base, 3) for k, v in runs.items()},
            "estimated_full_pass_seconds": full_pass}
