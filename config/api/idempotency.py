"""``Idempotency-Key`` on public POSTs: a retried request gets the first answer, not a second complaint.

The key (client-chosen, up to 100 characters) is remembered with a
fingerprint of the request for 24 hours in the shared cache. The same key
with the same request replays the stored answer (``Idempotent-Replayed:
true``); with a different request it is refused (422); while the first is
still running, 409.

A key is remembered per caller, not per path alone: the stored answer holds a
tracking code, which is a capability (it follows and withdraws the complaint).
A signed-in caller is its account; an anonymous caller is its address as
``client_ip`` vouches for it (never a forwarded header it wrote itself). So to
be replayed someone else's answer, a stranger would need the victim's key, the
victim's address (the same NAT) and the victim's exact body (the fingerprint:
name, phone, description), which is to say the victim's request itself. A
different body from the same address still meets 422, as the key's owner
would. A key sent by an account and the same key sent anonymously are two
records.

The cache is the shared Redis with a per-process memory fallback
(``config.api.failover_cache``): during a Redis outage a retry replays when it
reaches the process that took the first request.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from django.core.cache import cache
from rest_framework import status
from rest_framework.response import Response

from config.api.client import client_ip

HEADER = "Idempotency-Key"
TTL_SECONDS = 24 * 3600
PENDING_SECONDS = 60
_KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{1,100}$")


def _fingerprint(request) -> str:
    body = json.dumps(request.data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def caller_scope(request) -> str:
    """Whose keys these are: the account, or for the anonymous public the vouched-for client address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anonymous:{client_ip(request)}"


def store_key(request, key: str) -> str:
    return "idem:" + hashlib.sha256(f"{request.path}\n{caller_scope(request)}\n{key}".encode()).hexdigest()


def idempotent(view_method):
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if not _KEY_RE.match(key):
            return Response({"detail": "Idempotency-Key must be 1-100 characters of letters, digits, _-:.",
                             "code": "invalid_idempotency_key"}, status=status.HTTP_400_BAD_REQUEST)
        cache_key = store_key(request, key)
        fingerprint = _fingerprint(request)
        stored = cache.get(cache_key)
        if stored is None and cache.add(cache_key, {"fp": fingerprint, "state": "pending"}, PENDING_SECONDS):
            try:
                response = view_method(self, request, *args, **kwargs)
            except Exception:
                cache.delete(cache_key)
                raise
            if response.status_code < 500:
                cache.set(cache_key, {"fp": fingerprint, "state": "done", "status": response.status_code,
                                      "data": response.data}, TTL_SECONDS)
            else:
                cache.delete(cache_key)
            return response
        stored = stored or cache.get(cache_key) or {}
        if stored.get("fp") != fingerprint:
            return Response({"detail": "This Idempotency-Key was used with a different request.",
                             "code": "idempotency_key_reused"}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if stored.get("state") != "done":
            return Response({"detail": "A request with this Idempotency-Key is still being processed.",
                             "code": "idempotency_in_progress"}, status=status.HTTP_409_CONFLICT)
        return Response(stored["data"], status=stored["status"], headers={"Idempotent-Replayed": "true"})

    return wrapper
