from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkbenchConfig(AppConfig):
    """工作台: the regulator's and inspector's day, starting from what is due (selectors, pages, and the record of alerts sent)."""

    name = "regulator.workbench"
    label = "workbench"
    verbose_name = _("工作台")
