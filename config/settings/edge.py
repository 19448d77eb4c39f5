"""The edge of the service: client identity behind proxies, throttles, logins, tokens, the cache and its fallback.

Applied at the end of ``config.settings.base`` (``apply(globals())``): read and extend the settings there.
Environment (README, Configuration):

* ``TRUSTED_PROXIES`` (addresses or networks, comma-separated) or ``NUM_PROXIES`` (how many proxies append
  to ``X-Forwarded-For``): whose forwarded header is believed; default none, the socket's peer is the client
  (``config.api.client``).
* ``LOGIN_FAILURE_LIMIT`` (5) failed logins within ``LOGIN_LOCKOUT_MINUTES`` (15) lock the account and the
  client address out of every login: API token, business pages, admin (django-axes, kept in PostgreSQL).
* ``TOKEN_TTL_HOURS`` (10): lifetime of an API token (django-rest-knox).
* ``CACHE_FALLBACK_RETRY_SECONDS`` (5): while Redis is down, how often it is asked again.

See docs/decisions/0011-logins-and-tokens.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _env_number(name: str, default: str, *, cast=int, minimum: float = 0):
    raw = os.environ.get(name, default)
    try:
        value = cast(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def _insert_after(items: list[str], anchor: str, *new: str) -> list[str]:
    items = [item for item in items if item not in new]
    position = items.index(anchor) + 1 if anchor in items else len(items)
    return [*items[:position], *new, *items[position:]]


def apply(settings: dict[str, Any]) -> None:
    _client_identity(settings)
    _cache(settings)
    _logins(settings)
    _tokens(settings)
    _after_commit(settings)


def _client_identity(settings: dict[str, Any]) -> None:
    from config.api.client import trusted_networks

    settings["TRUSTED_PROXIES"] = _env_list("TRUSTED_PROXIES")
    settings["NUM_PROXIES"] = _env_number("NUM_PROXIES", "0")
    trusted_networks(tuple(settings["TRUSTED_PROXIES"]))  # a malformed entry stops the start, not trust


def _cache(settings: dict[str, Any]) -> None:
    settings["CACHES"] = caches_with_fallback(
        settings["CACHES"], retry_seconds=_env_number("CACHE_FALLBACK_RETRY_SECONDS", "5", cast=float, minimum=0.1))


def caches_with_fallback(caches: dict[str, Any], *, retry_seconds: float = 5.0) -> dict[str, Any]:
    """``CACHES`` with a Redis default replaced by one that fails over to memory and never hangs on a dead host."""
    default = caches.get("default", {})
    if default.get("BACKEND") != "django.core.cache.backends.redis.RedisCache":
        return caches  # a cache chosen by the environment (tests: local memory) is left alone
    options = {"socket_connect_timeout": 1, "socket_timeout": 1, **default.get("OPTIONS", {}),
               "RETRY_SECONDS": retry_seconds}
    return {**caches, "default": {**default, "BACKEND": "config.api.failover_cache.FailoverRedisCache",
                                  "OPTIONS": options}}


def _logins(settings: dict[str, Any]) -> None:
    """Every login (API token, /accounts/login/, /admin/login/) goes through django-axes."""
    settings["INSTALLED_APPS"] = _insert_after(settings["INSTALLED_APPS"], "rest_framework.authtoken", "axes")
    settings["AUTHENTICATION_BACKENDS"] = [
        # First: a locked-out account or address is refused before any password is checked.
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    # Last, as axes asks: it turns a lockout flagged during the request into the lockout answer.
    settings["MIDDLEWARE"] = [*[m for m in settings["MIDDLEWARE"] if m != "axes.middleware.AxesMiddleware"],
                              "axes.middleware.AxesMiddleware"]
    settings["AXES_HANDLER"] = "axes.handlers.database.AxesDatabaseHandler"  # PostgreSQL: no Redis needed
    settings["AXES_FAILURE_LIMIT"] = _env_number("LOGIN_FAILURE_LIMIT", "5", minimum=1)
    settings["AXES_COOLOFF_TIME"] = timedelta(minutes=_env_number("LOGIN_LOCKOUT_MINUTES", "15", cast=float,
                                                                  minimum=1))
    # Per account (any address) and per address (any account): either one reaching the limit locks.
    settings["AXES_LOCKOUT_PARAMETERS"] = ["username", "ip_address"]
    # A success does not wipe the count: it would also wipe the address's failures against other accounts.
    settings["AXES_RESET_ON_SUCCESS"] = False
    settings["AXES_CLIENT_IP_CALLABLE"] = "config.api.client.client_ip"
    settings["AXES_USERNAME_CALLABLE"] = "core.authentication.axes_username"
    settings["AXES_LOCKOUT_CALLABLE"] = "regulator.portal.throttling.lockout_response"
    settings["AXES_HTTP_RESPONSE_CODE"] = 429
    # One row per failure (AccessFailureLog) besides the counters: each is captured by the audit triggers.
    settings["AXES_ENABLE_ACCESS_FAILURE_LOG"] = True
    settings["AXES_SENSITIVE_PARAMETERS"] = ["username", "ip_address", "password", "csrfmiddlewaretoken"]
    # Nothing outside the domain on the admin site (core.admin.site); lockouts are read in the audit log.
    settings["AXES_ENABLE_ADMIN"] = False
    settings["AXES_VERBOSE"] = False


def _tokens(settings: dict[str, Any]) -> None:
    """Expiring, revocable API tokens (django-rest-knox); the header stays ``Authorization: Token <token>``."""
    settings["INSTALLED_APPS"] = _insert_after(settings["INSTALLED_APPS"], "axes", "core.token_app.TokensConfig")
    hours = _env_number("TOKEN_TTL_HOURS", "10", cast=float, minimum=0.01)
    settings["REST_KNOX"] = {
        "TOKEN_TTL": timedelta(hours=hours),
        "AUTH_HEADER_PREFIX": "Token",
        "AUTO_REFRESH": False,  # a token's end is fixed when it is issued
        "USER_SERIALIZER": None,
    }
    authentication = settings["REST_FRAMEWORK"]["DEFAULT_AUTHENTICATION_CLASSES"]
    if "core.authentication.AuditedTokenAuthentication" not in authentication:
        raise ImproperlyConfigured("REST_FRAMEWORK must authenticate with core.authentication.AuditedTokenAuthentication")
    # Every password change ends the account's tokens, whichever path changed it (core.authentication).
    settings["AUTH_PASSWORD_VALIDATORS"] = [
        *[v for v in settings["AUTH_PASSWORD_VALIDATORS"]
          if v["NAME"] != "core.authentication.RevokeTokensOnPasswordChange"],
        {"NAME": "core.authentication.RevokeTokensOnPasswordChange"},
    ]


def _after_commit(settings: dict[str, Any]) -> None:
    """Nothing queued after a commit may raise: no task result is ever read, so none is subscribed to.

    With a Redis result backend every ``delay()`` first subscribes to the task's result channel; with Redis
    down that raised a RuntimeError (not a broker error) after the write had committed, and the request
    answered 500. Tasks here are fire-and-forget (the outbox and the nightly jobs close every gap).
    """
    settings["CELERY_TASK_IGNORE_RESULT"] = True
