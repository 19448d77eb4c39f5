"""API authentication: tokens, with the account recorded in the audit context once DRF knows it."""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication

from core import audit


class AuditedTokenAuthentication(TokenAuthentication):
    """Token auth happens inside DRF, after the middleware: record the user once known."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
                audit.set_context(**audit.user_context(result[0]))
        return result
