"""A closed-loop HTTP client: N threads, each with one ``http.client`` connection, one request in flight each.

Why not locust here: the A/B rounds are many short runs (endpoints x concurrency x rounds x two servers);
a locust process per run costs seconds of start-up and a core of gevent at a few hundred requests per
second, on the two cores the servers need. Here concurrency is exact (N requests in flight, no think
time), a request's latency is ``perf_counter`` around it, and the client's own cost is small and the same
for the service and the baseline. Connections are kept alive where the server allows it (gunicorn's sync
workers, the service's setting, close after each answer; ``http.client`` then reconnects).
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200  # the answer expected; anything else counts as a failure


@dataclass
class Run:
    latencies: list[float]
    failures: int
    seconds: float
    first_failure: str = ""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, fraction: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]

    def figures(self) -> dict:
        p50, p95 = self.percentile(0.5), self.percentile(0.95)
        return {"requests": self.requests, "failures": self.failures, "rps": round(self.rps, 1),
                "p50_ms": None if p50 is None else round(p50 * 1000, 1),
                "p95_ms": None if p95 is None else round(p95 * 1000, 1),
                "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1) if self.latencies else None}


def run(port: int, request: Request, *, concurrency: int, seconds: float, min_requests: int = 0,
        max_seconds: float = 120.0) -> Run:
    """Keep ``concurrency`` requests in flight for ``seconds`` (and until ``min_requests`` are answered)."""
    latencies: list[float] = []
    failures = [0]
    first_failure: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    stop_at = [0.0, 0.0]  # (the wanted end, the hard end), set when the threads are ready
    headers = {"Host": f"127.0.0.1:{port}", **request.headers}
    if request.body is not None:
        headers.setdefault("Content-Type", "application/json")

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=max_seconds)
        start.wait()
        while True:
            now = time.perf_counter()
            with lock:
                done = now >= stop_at[0] and len(latencies) >= min_requests
            if done or now >= stop_at[1]:
                break
            began = time.perf_counter()
            try:
                conn.request(request.method, request.path, body=request.body, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == request.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                ok, body = False, str(exc).encode()
                response = None
            elapsed = time.perf_counter() - began
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1
                    if not first_failure:
                        status = response.status if response is not None else "error"
                        first_failure.append(f"{status}: {body[:300].decode(errors='replace')}")
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0], stop_at[1] = began + seconds, began + max_seconds
    start.wait()
    for thread in threads:
        thread.join()
    return Run(latencies, failures[0], time.perf_counter() - began, first_failure[0] if first_failure else "")
