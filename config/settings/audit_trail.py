"""The audit trail: database roles (the service's owns nothing), context signing, checkpoint publication.

Applied at the end of ``config.settings.base`` (``apply(globals())``): read and extend the settings there.
Decision 0012 says why; README "Database roles" says how to set up a real PostgreSQL.

* ``DATABASE_URL`` is the service's role, which owns nothing; ``DATABASE_OWNER_URL`` (same database) is the
  role that owns the schema. ``manage.py migrate`` and the creation of test databases switch the
  ``default`` connection to the owner for their duration (``core.database``), every other command, gunicorn
  and Celery stay on the service's role. Without ``DATABASE_OWNER_URL`` one role does both (as before).
  With no ``DATABASE_URL`` at all, the embedded PostgreSQL provides both roles. ``DATABASE_ROLE=owner`` runs a
  whole command as the owner (``generate_data``, which loads synthetic data with the triggers off).
* ``AUDIT_CONTEXT_KEY``: the HMAC key of the actor context (who, role, IP, endpoint) the service hands to
  the audit trigger; the database never sees it. Default: derived from ``SECRET_KEY``.
* ``AUDIT_CHECKPOINT_SIGNING_KEY``: base64 of the 32-byte Ed25519 seed that signs the published checkpoints.
  Default: derived from ``RECEIPT_SIGNING_KEY`` (required in production), else from ``SECRET_KEY``.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.exceptions import ImproperlyConfigured

POSTGRESQL = "django.db.backends.postgresql"
ENGINE = "core.database"  # PostgreSQL, plus the owner role for migrate and test databases


def _owner_settings(url: str, default: dict[str, Any]) -> dict[str, Any]:
    import dj_database_url

    owner = dj_database_url.parse(url)
    if owner["NAME"] != default["NAME"]:
        raise ImproperlyConfigured("DATABASE_OWNER_URL must name the database of DATABASE_URL "
                                   f"({owner['NAME']!r} is not {default['NAME']!r})")
    return {"USER": owner.get("USER", ""), "PASSWORD": owner.get("PASSWORD", ""), "HOST": owner.get("HOST", ""),
            "PORT": owner.get("PORT", ""), "OPTIONS": {**default.get("OPTIONS", {}), **owner.get("OPTIONS", {})}}


def _database_roles(settings: dict[str, Any]) -> None:
    default = settings["DATABASES"]["default"]
    if default.get("ENGINE") != POSTGRESQL:
        return
    default["ENGINE"] = ENGINE
    owner_url = os.environ.get("DATABASE_OWNER_URL", "")
    embedded = not os.environ.get("DATABASE_URL")
    if embedded and sys.argv[1:2] == ["embedded"]:  # `manage.py embedded status|stop` must start nothing
        settings["DATABASE_EMBEDDED"] = embedded
        return
    if embedded:  # base.py connected to the embedded server as its superuser: switch to the two roles
        import dj_database_url

        from config import embedded as engines

        app = dj_database_url.parse(engines.role_url(engines.APP_ROLE))
        default.update({key: app.get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")})
        owner_url = engines.role_url(engines.OWNER_ROLE)
    if owner_url:
        owner = _owner_settings(owner_url, default)
        if owner["USER"] != default["USER"]:
            default["OWNER"] = owner
    if os.environ.get("DATABASE_ROLE") == "owner" and default.get("OWNER"):
        # A maintenance command that must work around the triggers (``generate_data``) runs wholly as the owner.
        default.update(default.pop("OWNER"))
    settings["DATABASE_EMBEDDED"] = embedded


def apply(settings: dict[str, Any]) -> None:
    _database_roles(settings)
    # Keys the database never sees. Empty means "derive from SECRET_KEY / RECEIPT_SIGNING_KEY" when used
    # (core.audit, core.audit_checkpoints), so dev and test settings that set SECRET_KEY later still work.
    settings["AUDIT_CONTEXT_KEY"] = os.environ.get("AUDIT_CONTEXT_KEY", "")
    # A signed context older than this when a row is written is refused by verify (a replayed one).
    settings["AUDIT_CONTEXT_MAX_AGE"] = int(os.environ.get("AUDIT_CONTEXT_MAX_AGE", str(24 * 3600)))
    settings["AUDIT_CHECKPOINT_SIGNING_KEY"] = os.environ.get("AUDIT_CHECKPOINT_SIGNING_KEY", "")
    # Public keys (base64) of former checkpoint keys, so checkpoints published before a rotation still verify.
    settings["AUDIT_CHECKPOINT_PREVIOUS_KEYS"] = [
        key.strip() for key in os.environ.get("AUDIT_CHECKPOINT_PREVIOUS_KEYS", "").split(",") if key.strip()]
    # Where checkpoints are published; empty means EXPORTS_DIR / "audit" / "checkpoints", read when used.
    settings["AUDIT_CHECKPOINT_DIR"] = os.environ.get("AUDIT_CHECKPOINT_DIR", "")
