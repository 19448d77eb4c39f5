"""The admin site itself: only regulators get past the login, and nothing outside the domain is on it.

config/urls.py mounts Django's default site; its gate is the ``has_permission``
hook of that site, set here (staff alone is not enough: the regulator role is).
The model admins check the same role, so the rule holds even without this gate.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import TokenProxy

from core.admin.base import is_admin_user


def _regulators_only(request) -> bool:
    return is_admin_user(request.user)


admin.site.has_permission = _regulators_only

# Roles, not groups, decide access; API tokens are credentials (DRF's admin lists their keys).
for model in (Group, TokenProxy):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
