"""Who and where, for the audit trigger: request user, role, IP and endpoint on the DB connection."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from rest_framework.authentication import TokenAuthentication

from core import audit

logger = logging.getLogger(__name__)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class AuditContextMiddleware:
    """Sets the connection's audit context for the request, and clears it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            user = getattr(request, "user", None)
            audit.clear_context()
            audit.set_context(ip=_client_ip(request), endpoint=f"{request.method} {request.path}"[:300],
                              **audit.user_context(user))
        except DatabaseError:  # the database is down: /healthz must still answer 503, not 500
            logger.warning("audit context not set: database unavailable")
        try:
            return self.get_response(request)
        finally:
            try:
                audit.clear_context()
            except DatabaseError:
                pass


class AuditedTokenAuthentication(TokenAuthentication):
    """Token auth happens inside DRF, after the middleware: record the user once known."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
                audit.set_context(**audit.user_context(result[0]))
        return result
