"""The same-SQL baseline: a plain psycopg WSGI app (no Django) that sends, per endpoint, the service's SQL.

``benchmarks/endpoints.py`` captures, for each benchmarked request, every statement the service ran
(``benchmarks/sql_capture.py``: with its parameters, in order, transaction boundaries included) and
pickles them to the file named by ``REPLAY_CAPTURE``. For a request with the same method and path
(query string included), this app runs those statements again on a persistent connection (as
``CONN_MAX_AGE`` keeps the service's), after the ``SELECT 1`` that Django's ``CONN_HEALTH_CHECKS`` runs
at the start of every request on a reused connection (outside any execute wrapper, so it is added here),
fetches every result, and answers ``json.dumps`` of the rows, padded to the service's body size, with the
service's status. It reads the request body but does not parse it.

Served by the same gunicorn settings as the service, its throughput is the most the service could reach
with exactly its own database work: rps(service) / rps(this) is what everything but the SQL costs.
``/healthz`` answers 200 after a ``SELECT 1``.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import psycopg

with Path(os.environ["REPLAY_CAPTURE"]).open("rb") as handle:
    CAPTURE: dict = pickle.load(handle)  # noqa: S301 - the file the benchmark wrote a moment ago
DATABASE_URL: str = CAPTURE["database_url"]
ENDPOINTS: dict[str, dict] = CAPTURE["endpoints"]  # "GET /api/v1/...?q=..." -> {"events", "status", "body_bytes"}

_connection: psycopg.Connection | None = None


def _conn() -> psycopg.Connection:
    global _connection
    if _connection is None or _connection.closed:
        # Django's psycopg 3 backend binds parameters on the client (ClientCursor) unless told otherwise.
        _connection = psycopg.connect(DATABASE_URL, autocommit=True, cursor_factory=psycopg.ClientCursor)
    return _connection


def replay(events: list[tuple]) -> list:
    conn = _conn()
    conn.execute("SELECT 1")  # Django's health check of the reused connection, at the request's first query
    results = []
    for event in events:
        kind = event[0]
        if kind == "sql":
            _, sql, params, many = event
            with conn.cursor() as cursor:
                if many:
                    cursor.executemany(sql, params)
                else:
                    cursor.execute(sql, params)
                    if cursor.description is not None:
                        results.append(cursor.fetchall())
        elif kind == "autocommit":
            conn.autocommit = event[1]
        elif kind == "commit":
            conn.commit()
        elif kind == "rollback":
            conn.rollback()
    return results


_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 404: "Not Found"}


def application(environ, start_response):
    method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
    query = environ.get("QUERY_STRING", "")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length:
        environ["wsgi.input"].read(length)
    if path == "/healthz":
        _conn().execute("SELECT 1")
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"status": "ok"}']
    endpoint = ENDPOINTS.get(f"{method} {path}" + (f"?{query}" if query else ""))
    if endpoint is None:
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail": "not a captured request"}']
    try:
        rows = replay(endpoint["events"])
    except psycopg.Error as exc:
        if _connection is not None and not _connection.closed:
            _connection.rollback()
            _connection.autocommit = True
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [f"replay failed: {exc}".encode()]
    body = json.dumps({"rows": rows}, default=str, ensure_ascii=False).encode()
    if len(body) < endpoint["body_bytes"]:  # a body of the service's size: the same bytes to send and read
        body = body[:-1] + b', "pad": "' + b"x" * max(endpoint["body_bytes"] - len(body) - 10, 0) + b'"}'
    status = endpoint["status"]
    start_response(f"{status} {_REASONS.get(status, 'OK')}",
                   [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
