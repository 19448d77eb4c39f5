"""Per-IP limits for the public pages: the API's throttle classes, rates and cache, behind a decorator.

The pages and the API share one budget per client (same scope, same cache
key), so switching from JSON to HTML does not buy a second allowance. The
client is ``config.api.client.client_ip`` (the throttle classes' ``get_ident``),
so a forged ``X-Forwarded-For`` buys nothing either.

``lockout_response`` is what django-axes answers when a login page (the
business pages' or the admin's) is locked out: 429 with the Chinese error page,
or the JSON error body under ``/api/``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from config.api.throttles import LoginLocked, lockout_wait_seconds


class _Anonymous:
    """The request as the public API sees it: those views authenticate nobody, so every caller counts by IP."""

    def __init__(self, request):
        self._request = request
        self.user = AnonymousUser()

    def __getattr__(self, name: str):
        return getattr(self._request, name)


def throttle(*throttle_classes: type[BaseThrottle], methods: Iterable[str] | None = None,
             anonymous: bool = False) -> Callable:
    """Answer 429 with a Chinese page when any of ``throttle_classes`` refuses the request.

    DRF throttles only read ``request.user`` and ``request.META``, which a Django request has too.
    ``methods`` limits the check to those HTTP methods (all when None); ``anonymous`` counts a logged-in
    caller by IP too, as the API's public views (no authentication) do.
    """
    checked = {method.upper() for method in methods} if methods is not None else None

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if checked is None or request.method in checked:
                waits = []
                seen = _Anonymous(request) if anonymous else request
                for throttle_class in throttle_classes:
                    instance = throttle_class()
                    if not instance.allow_request(seen, None):
                        waits.append(instance.wait())
                if waits:
                    wait = max((w for w in waits if w is not None), default=None)
                    seconds = math.ceil(wait) if wait is not None else None
                    response = render(request, "web/error.html", {
                        "title": "请求过于频繁",
                        "message": "您的请求过于频繁，请稍后再试。"
                                   + (f"约 {seconds} 秒后可再次访问。" if seconds else ""),
                    }, status=429)
                    if seconds:
                        response["Retry-After"] = str(seconds)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' ``AXES_LOCKOUT_CALLABLE``: the lockout of a login, as a page or as the API's error body."""
    seconds = lockout_wait_seconds(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": str(LoginLocked.default_detail), "code": LoginLocked.default_code},
                                status=429)
    else:
        minutes = math.ceil(seconds / 60) if seconds else None
        response = render(request, "web/error.html", {
            "title": "登录已被暂时锁定",
            "message": "登录失败次数过多，该账户或来源地址已被暂时锁定。"
                       + (f"请约 {minutes} 分钟后再试，" if minutes else "请稍后再试，")
                       + "或联系监管部门管理员解除锁定。",
        }, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
