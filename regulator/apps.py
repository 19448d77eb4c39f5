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
        # 双公示: a penalty decided or a licence saved is recorded in the same transaction (and nightly).
        from regulator.disclosure import publicity_services
        evidence.record_with(publicity_services.publicity_record_evidence)
        entities_hooks.listen_licence_saved(publicity_services.publicity_record_licence)
        # 家政服务评价: reviews and replies are published redacted, like every public free text.
        from entities import review_services
        from regulator.disclosure import redaction
        review_services.register_redactor(redaction.redact)
        # 诚信评选: an award in force is the ``award`` scoring line (+50); new evidence rechecks the awards held,
        # and a criterion that broke revokes (regulator/lists/award_services.py registers its documents).
        from regulator.lists import award_selectors, award_services, award_tasks  # noqa: F401
        ledger.register("award", award_selectors.award_events)
        evidence.listen(award_tasks.queue_recheck)
