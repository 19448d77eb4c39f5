"""Throttles for the anonymous public and for logins: per client, shared through the cache.

The client is ``config.api.client.client_ip``, never DRF's own ``get_ident``,
which takes any ``X-Forwarded-For`` at its word (a rotating header was a new
client each time). The cache is the shared Redis with a per-process memory
fallback (``config.api.failover_cache``), so an outage of Redis slows nothing
down and answers no 500.
"""

import datetime
import math

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle

from config.api.client import client_ip


class _ClientThrottle:
    """Rates read per request (DRF copies them once at import) and the client as ``client_ip`` sees it."""

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def get_ident(self, request) -> str:
        return client_ip(request)


class PublicThrottle(_ClientThrottle, AnonRateThrottle):
    scope = "public"


class ComplaintCreateThrottle(_ClientThrottle, SimpleRateThrottle):
    """Filing complaints: per user when logged in, per IP otherwise."""

    scope = "complaint_create"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(_ClientThrottle, SimpleRateThrottle):
    """Login attempts per IP (a rate); failures per account and per IP lock out (django-axes, in PostgreSQL)."""

    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginLocked(exceptions.Throttled):
    """Too many failed logins for this account or from this address (django-axes): 429, even for the right password."""

    default_detail = _("登录失败次数过多，该账户或来源地址已被暂时锁定，请稍后再试。")
    default_code = "login_locked"


def lockout_wait_seconds(request=None) -> int | None:
    """How long a lockout lasts (``LOGIN_LOCKOUT_MINUTES``), for ``Retry-After``."""
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if isinstance(cool_off, datetime.timedelta):
        return max(1, math.ceil(cool_off.total_seconds()))
    return None
