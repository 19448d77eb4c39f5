"""What the service sends to PostgreSQL for one request, captured so ``sql_replay_wsgi`` can send it again.

``capture(call)`` runs ``call`` (a Django test-client request) with an execute wrapper on the default
connection and records every statement with its parameters, in order: the ORM's queries, raw SQL, the
audit context's ``set_config`` calls, savepoints. Transaction boundaries do not pass through
``cursor.execute`` (psycopg opens a transaction itself once autocommit is off, and ``commit()`` is a
method of the connection), so they are recorded from the connection's ``_set_autocommit``, ``_commit``
and ``_rollback`` for the duration of the capture.

Parameters are made plain (psycopg's ``Json``/``Jsonb`` carry Django's encoder; they are re-made with
the JSON text it produced) so the capture can be pickled and read by a process that has no Django.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

# One event of a request, as the replay runs it:
#   ("sql", sql, params, many)    cursor.execute / executemany
#   ("autocommit", bool)          Django switching autocommit (atomic() entering or leaving)
#   ("commit",) / ("rollback",)
Event = tuple
PLAIN = (str, int, float, bool, bytes, type(None), decimal.Decimal, datetime.date, datetime.time,
         datetime.timedelta, uuid.UUID)


@dataclass
class Capture:
    events: list[Event] = field(default_factory=list)
    status: int = 0
    body_bytes: int = 0
    content_type: str = "application/json"

    @property
    def statements(self) -> int:
        """SQL statements the request ran, counted as Django's ``assertNumQueries`` counts them."""
        return sum(1 for event in self.events if event[0] == "sql")

    @property
    def transactions(self) -> int:
        return sum(1 for event in self.events if event[0] in ("commit", "rollback"))

    def sql(self) -> list[tuple[str, Any]]:
        return [(event[1], event[2]) for event in self.events if event[0] == "sql" and not event[3]]


def plain(value: Any) -> Any:
    """``value`` with psycopg's JSON wrappers rebuilt from their JSON text (picklable without Django)."""
    from psycopg.types.json import Json, Jsonb

    if isinstance(value, Json | Jsonb):
        text = value.dumps(value.obj) if value.dumps else json.dumps(value.obj)
        return type(value)(json.loads(text))
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(plain(item) for item in value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, enum.Enum):  # TextChoices / IntegerChoices: their value, as psycopg sends it
        return plain(value.value)
    if isinstance(value, str) and type(value) is not str:  # SafeString and the like
        return str(value)
    if isinstance(value, PLAIN):
        return value
    raise TypeError(f"a query parameter of type {type(value)!r}; teach sql_capture.plain about it")


@contextmanager
def _recording(connection, events: list[Event]):
    def wrapper(execute, sql, params, many, context):
        if many:
            params = [tuple(row) if not isinstance(row, dict) else row for row in params]
            events.append(("sql", sql, plain(params), True))
        else:
            events.append(("sql", sql, plain(params), False))
        return execute(sql, params, many, context)

    saved = {name: getattr(connection, name) for name in ("_set_autocommit", "_commit", "_rollback")}

    def set_autocommit(autocommit):
        events.append(("autocommit", bool(autocommit)))
        return saved["_set_autocommit"](autocommit)

    def commit():
        events.append(("commit",))
        return saved["_commit"]()

    def rollback():
        events.append(("rollback",))
        return saved["_rollback"]()

    connection._set_autocommit, connection._commit, connection._rollback = set_autocommit, commit, rollback
    try:
        with connection.execute_wrapper(wrapper):
            yield
    finally:
        for name in saved:
            delattr(connection, name)  # back to the class's methods


def capture(call: Callable[[], Any]) -> Capture:
    """Run ``call`` (returns a Django test-client response) and record what it sent to the database."""
    from django.db import connection

    connection.ensure_connection()  # the connection's own set-up (time zone) is not the request's
    result = Capture()
    with _recording(connection, result.events):
        response = call()
    result.status = response.status_code
    result.body_bytes = len(response.content)
    result.content_type = response.get("Content-Type", "application/json")
    return result
