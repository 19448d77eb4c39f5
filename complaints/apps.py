from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("投诉与检查")

    def ready(self) -> None:
        # Status updates listen to the complaint history; the attachments' admin lives in its own module.
        from complaints import attachment_admin, status_update_services  # noqa: F401

        status_update_services.connect()
