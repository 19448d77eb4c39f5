from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegulatorConfig(AppConfig):
    name = "regulator"
    verbose_name = _("监管")

    def ready(self) -> None:
        from celery.signals import task_postrun, task_prerun
        from django.db.models.signals import post_migrate

        from ratings import hooks, ledger

        from regulator import audit, credit, tasks

        # Every change to every model is captured by database triggers, installed after each migrate.
        post_migrate.connect(_install_audit, sender=self, dispatch_uid="regulator.audit.install")
        task_prerun.connect(_task_context, dispatch_uid="regulator.audit.task_prerun", weak=False)
        task_postrun.connect(lambda **kwargs: audit.clear_context(), dispatch_uid="regulator.audit.task_postrun",
                             weak=False)

        # Listings are credit evidence (watch -100, red +50, black forces D) ...
        ledger.register("listing", credit.listing_events)
        # ... and new evidence may meet a listing criterion.
        hooks.listen(lambda entity_id: tasks.propose_listings.delay(entity_id))


def _install_audit(sender, using="default", **kwargs) -> None:
    from regulator import audit

    audit.install(using)


def _task_context(sender=None, task=None, **kwargs) -> None:
    from regulator import audit

    audit.clear_context()
    audit.set_context(role="system", task=getattr(task, "name", str(sender)))
