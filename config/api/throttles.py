"""Throttles for the anonymous public: per client IP, shared through the cache."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class _RatesFromSettings:
    """DRF copies the rates once at import; read them per request so a changed setting applies."""

    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)


class PublicThrottle(_RatesFromSettings, AnonRateThrottle):
    scope = "public"


class ComplaintCreateThrottle(_RatesFromSettings, SimpleRateThrottle):
    """Filing complaints: per user when logged in, per IP otherwise."""

    scope = "complaint_create"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(_RatesFromSettings, SimpleRateThrottle):
    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
