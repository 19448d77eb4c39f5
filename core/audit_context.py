"""Who and where, for the audit trigger: request user, role, IP and endpoint on the DB connection."""

from __future__ import annotations

from django.db import DatabaseError

from config.api.client import client_ip
from core import audit


class AuditContextMiddleware:
    """Sets the connection's audit context for the request, and clears it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            actor = audit.user_context(getattr(request, "user", None))  # the session's user: a query
        except DatabaseError:  # the database is down: the view answers 503 (/healthz too), never 500
            actor = {}
        # Nothing reaches the database until the request's first write (a read runs no audit statement).
        with audit.deferred(ip=client_ip(request), endpoint=f"{request.method} {request.path}"[:300], **actor):
            return self.get_response(request)
