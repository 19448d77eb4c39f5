"""django-rest-knox as this service installs it (``INSTALLED_APPS`` names this config, not ``"knox"``).

Tokens are credentials: like DRF's token admin (unregistered in ``core.admin.site``), knox's admin is
taken off the site; its add form would mint a working token for any account. Loaded while the app
registry is being built, so this module imports no model at its top.
"""

from __future__ import annotations

from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "knox"
    label = "knox"
    verbose_name = "API tokens"

    def ready(self) -> None:
        # The admin's autodiscovery ran in django.contrib.admin's ready(), which comes first in INSTALLED_APPS.
        from django.contrib import admin
        from knox.models import AuthToken

        if admin.site.is_registered(AuthToken):
            admin.site.unregister(AuthToken)
