from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorConfig(AppConfig):
    """监管: lists and due process (``lists/``), what the authority publishes (``disclosure/``), demo data."""

    name = "regulator"
    verbose_name = _("监管")

    def ready(self) -> None:
        # Registrations with the layers below, once every model is loaded.
        from core import evidence
        from entities import hooks as entities_hooks
        from ratings import ledger
        from regulator.disclosure import services as disclosure_services
        from regulator.lists import appointments, credit, hooks
        from regulator.lists import documents as lists_documents  # noqa: F401  (registers its procedures)
        from regulator.lists import tasks as lists_tasks

        # Listings are credit evidence (watch -100, red +50, black forces D) ...
        ledger.register("listing", credit.listing_events)
        # ... and new evidence may meet a listing criterion.
        evidence.listen(lists_tasks.queue_proposals)
        # A listing's public face changed: disclosure rewrites the open-data files after commit.
        hooks.listen_public_change(disclosure_services.exports_refresh)
        # A role recorded while a restriction binds the person is flagged at once (任职核查).
        entities_hooks.register_appointment_checker(appointments.appointment_check)
