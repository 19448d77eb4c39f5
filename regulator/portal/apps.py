from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """门户: the server-rendered public and business pages (no models: its templates and static files)."""

    name = "regulator.portal"
    label = "portal"
    verbose_name = _("门户网站")
