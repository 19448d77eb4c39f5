"""The shared cache (Redis) with this process's memory standing in while Redis does not answer.

Throttle counters and ``Idempotency-Key`` records live in the cache. With Redis
down, Django's ``RedisCache`` raises on every call and each throttled or
idempotent request answered 500. This backend catches the outage instead:

* every operation goes to Redis first; a connection error, time-out or any
  other Redis error marks Redis down for ``RETRY_SECONDS`` (one warning per
  outage) and the operation is served by a ``LocMemCache`` of this process;
* while Redis is marked down it is not asked at all, so a dead host costs one
  connect time-out per ``RETRY_SECONDS``, not one per request;
* once Redis answers again, a key it does not know is still looked up in the
  memory store, so a throttle window or an idempotency record written during
  the outage keeps holding until it expires.

What degrades: during an outage each process counts on its own (a throttle
allows up to N processes x the rate) and an ``Idempotency-Key`` replays only on
the process that saw the first request. Nothing answers 500 because of Redis,
and ``/healthz`` still reports the broker (the same Redis) as down.

OPTIONS are Redis connection options (``socket_connect_timeout`` ...) plus
``RETRY_SECONDS`` (default 5) and ``FALLBACK_MAX_ENTRIES`` (default 10000).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

_MISSING = object()
# Shared by every thread of the process: one outage is detected (and logged) once.
_down_until: dict[str, float] = {}
_lock = threading.Lock()


class _Unavailable(Exception):
    """Redis did not answer (or is marked down): serve the operation from memory."""


def _primary_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.RedisError, OSError)


class FailoverRedisCache(BaseCache):
    """``RedisCache`` that falls back to process memory while Redis is unavailable."""

    def __init__(self, server, params: dict[str, Any]):
        super().__init__(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        max_entries = int(options.pop("FALLBACK_MAX_ENTRIES", 10000))
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # One immediate reconnect: a pooled connection left over from before a Redis restart fails once.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        shared = {name: value for name, value in params.items() if name not in {"OPTIONS", "BACKEND", "LOCATION"}}
        self.primary = RedisCache(server, {**shared, "OPTIONS": options})
        self.fallback = LocMemCache(f"failover:{server}", {**shared, "OPTIONS": {"MAX_ENTRIES": max_entries}})
        self._name = str(server)
        self._errors = _primary_errors()

    # --- the circuit -------------------------------------------------------------------------------

    def _is_down(self) -> bool:
        until = _down_until.get(self._name)
        return until is not None and time.monotonic() < until

    def _mark_down(self, exc: BaseException) -> None:
        with _lock:
            first = self._name not in _down_until
            _down_until[self._name] = time.monotonic() + self.retry_seconds
        if first:
            logger.warning("shared cache unavailable, this process's memory stands in (rechecked every %.0f s): %r",
                           self.retry_seconds, exc)

    def _mark_up(self) -> None:
        if self._name in _down_until:
            with _lock:
                if _down_until.pop(self._name, None) is not None:
                    logger.warning("shared cache answers again")

    def _redis(self, method: str, *args, **kwargs):
        if self._is_down():
            raise _Unavailable
        try:
            result = getattr(self.primary, method)(*args, **kwargs)
        except self._errors as exc:
            self._mark_down(exc)
            raise _Unavailable from exc
        self._mark_up()
        return result

    @property
    def available(self) -> bool:
        """False while Redis is marked down (for health reports and tests)."""
        return not self._is_down()

    # --- the cache API -----------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        try:
            value = self._redis("get", key, _MISSING, version)
        except _Unavailable:
            return self.fallback.get(key, default, version)
        if value is _MISSING:  # perhaps written while Redis was down
            return self.fallback.get(key, default, version)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            self._redis("set", key, value, timeout, version)
        except _Unavailable:
            self.fallback.set(key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.fallback.has_key(key, version):  # written while Redis was down and still live
            return False
        try:
            return self._redis("add", key, value, timeout, version)
        except _Unavailable:
            return self.fallback.add(key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        touched = self.fallback.touch(key, timeout, version)
        try:
            return self._redis("touch", key, timeout, version) or touched
        except _Unavailable:
            return touched

    def delete(self, key, version=None):
        deleted = self.fallback.delete(key, version)
        try:
            return self._redis("delete", key, version) or deleted
        except _Unavailable:
            return deleted

    def has_key(self, key, version=None):
        try:
            if self._redis("has_key", key, version):
                return True
        except _Unavailable:
            pass
        return self.fallback.has_key(key, version)

    def incr(self, key, delta=1, version=None):
        try:
            return self._redis("incr", key, delta, version)
        except (_Unavailable, ValueError):
            return self.fallback.incr(key, delta, version)

    def get_many(self, keys, version=None):
        keys = list(keys)
        try:
            found = self._redis("get_many", keys, version)
        except _Unavailable:
            return self.fallback.get_many(keys, version)
        missing = [key for key in keys if key not in found]
        if missing:
            found.update(self.fallback.get_many(missing, version))
        return found

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return self._redis("set_many", data, timeout, version)
        except _Unavailable:
            return self.fallback.set_many(data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        self.fallback.delete_many(keys, version)
        try:
            self._redis("delete_many", keys, version)
        except _Unavailable:
            pass

    def clear(self):
        self.fallback.clear()
        try:
            return self._redis("clear")
        except _Unavailable:
            return True

    def close(self, **kwargs):
        self.fallback.close(**kwargs)
        self.primary.close(**kwargs)
