"""API authentication: expiring, revocable tokens (django-rest-knox), the account recorded in the audit context.

``POST /api/v1/auth/token/`` issues a token; send it as ``Authorization: Token
<token>`` (API.md). Only a SHA-512 digest is stored, so a copy of the table
authenticates nobody. A token ends when its lifetime (``TOKEN_TTL_HOURS``)
runs out, at logout, and for every token of the account when its password
changes (by any path: the API, the admin's password form, ``changepassword``)
or it is deactivated. See docs/decisions/0011-logins-and-tokens.md.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.signals import token_expired

from core import audit


class AuditedTokenAuthentication(TokenAuthentication):
    """Token auth happens inside DRF, after the middleware: record the user once known."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            audit.set_context(**audit.user_context(result[0]))
        return result

    def _cleanup_token(self, auth_token) -> bool:
        """Only the presented token's own expiry, on the row already loaded (with its user).

        knox also loads every other token of the account on each request to delete the expired ones: one
        more statement on every authenticated request. Those are deleted in bulk by the beat job
        ``core.tasks.tokens_purge`` instead; an expired token answers 401 either way.
        """
        if auth_token.expiry is None or auth_token.expiry >= timezone.now():
            return False
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=self.__class__, username=username, source="auth_token")
        return True


def tokens_purge(*, now=None) -> int:
    """Delete every token whose expiry has passed (they authenticate nobody already); returns how many."""
    deleted, _rows = get_token_model().objects.filter(expiry__lt=now or timezone.now()).delete()
    return deleted


def tokens_revoke(user) -> int:
    """End every token of ``user`` (password changed, account deactivated, "log out everywhere")."""
    if user is None or user.pk is None:
        return 0
    deleted, _rows = get_token_model().objects.filter(user_id=user.pk).delete()
    return deleted


class RevokeTokensOnPasswordChange:
    """A password "validator" that validates nothing: Django calls ``password_changed`` on every new password.

    ``AbstractBaseUser.save()`` calls the validators' ``password_changed`` whenever
    ``set_password`` preceded it, whichever path changed the password, so no path
    (the admin's password form, ``manage.py changepassword``) leaves a token alive.
    """

    def validate(self, password, user=None) -> None:
        return None

    def password_changed(self, password, user=None) -> None:
        tokens_revoke(user)

    def get_help_text(self) -> str:
        return _("修改密码后，该账户已签发的 API 令牌全部作废。")


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's word for it: ``Authorization: Token <token>``, expiring and revocable."""

    target_class = AuditedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        hours = knox_settings.TOKEN_TTL.total_seconds() / 3600
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Authorization: Token <token>`, the token from `POST /api/v1/auth/token/`. A token expires "
                f"{hours:g} hours after it was issued (`TOKEN_TTL_HOURS`; the `expiry` field of the login answer) "
                "and is revoked at `POST /api/v1/auth/logout/`, for every session at `POST /api/v1/auth/logout-all/`, "
                "and when the account's password changes or the account is deactivated. An expired or revoked "
                "token answers 401."
            ),
        }


def axes_username(request, credentials: dict | None = None) -> str:
    """The username a login attempt names, for django-axes: at most 150 characters (no account has more).

    A 100 KB username must count as a failure, not reach axes' varchar(255) column and answer 500.
    """
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        value = data.get("username", "") if hasattr(data, "get") else ""
    return str(value or "")[:150]
