"""Who and where, for the audit trigger: request user, role, IP and endpoint on the DB connection."""

from __future__ import annotations

import logging

from django.db import DatabaseError

from config.api.client import client_ip
from core import audit

logger = logging.getLogger(__name__)


class AuditContextMiddleware:
    """Sets the connection's audit context for the request, and clears it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            user = getattr(request, "user", None)
            audit.clear_context()
            audit.set_context(ip=client_ip(request), endpoint=f"{request.method} {request.path}"[:300],
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
