from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "ratings"
    verbose_name = _("信用评价")

    def ready(self) -> None:
        # imports in ready(): models are loaded only now
        from core import evidence
        from entities import filtersets
        from ratings import hooks, selectors  # import models: only once the registry is ready

        # Every change of credit evidence, from any app, is recorded in the rescore outbox.
        evidence.record_with(hooks.rescore_record)
        # The registry's entity list filters by grade with ratings' definition (unscored counts as B).
        filtersets.grade_condition_use(selectors.grade_q)
