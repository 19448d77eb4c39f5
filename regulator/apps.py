from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorConfig(AppConfig):
    name = "regulator"
    verbose_name = _("监管")

    def ready(self) -> None:
        from ratings import hooks, ledger

        from . import credit, tasks

        # Listings are credit evidence (watch -100, red +50, black forces D) ...
        ledger.register("listing", credit.listing_events)
        # ... and new evidence may meet a listing criterion.
        hooks.listen(lambda entity_id: tasks.propose_listings.delay(entity_id))
