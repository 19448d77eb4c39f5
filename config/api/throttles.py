"""Throttles for the anonymous public: per client IP, shared through the cache."""

from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle


class PublicThrottle(AnonRateThrottle):
    scope = "public"


class ComplaintCreateThrottle(SimpleRateThrottle):
    """Filing complaints: per user when logged in, per IP otherwise."""

    scope = "complaint_create"

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(SimpleRateThrottle):
    scope = "login"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
