from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """共享内核: accounts, the working calendar, the admin kit, transition histories and the audit trail."""

    name = "core"
    verbose_name = _("账户与审计")

    def ready(self) -> None:
        # Signals are connected at start-up, when every app is loaded; importing them at module top would
        # load Celery and the audit module before the app registry is ready.
        from celery.signals import task_postrun, task_prerun
        from django.db.models.signals import post_migrate

        # Every change to every model is captured by database triggers, installed after each migrate
        # (post_migrate fires once every app's migrations have run, so all tables exist), when the service's
        # database role is granted its rights too (decision 0012).
        post_migrate.connect(_install_audit, sender=self, dispatch_uid="core.audit.install")
        task_prerun.connect(_task_context, dispatch_uid="core.audit.task_prerun", weak=False)
        task_postrun.connect(_task_context_end, dispatch_uid="core.audit.task_postrun", weak=False)


def _install_audit(sender, using="default", **kwargs) -> None:
    # inside: the signal handler runs after start-up (see ready)
    from django.db import connections

    from core import audit
    from core.database import roles

    connection = connections[using]
    # Only the owner may (re)create the triggers: after ``migrate`` (which runs as the owner), not after the
    # flush of a transactional test, which emits post_migrate as the service's role.
    if not roles.owns_audit_tables(connection):
        return
    audit.install(connection)
    service_role = roles.service_role(connection)
    if service_role:
        roles.grant_service_role(connection, service_role)


#: the open audit scope of each running task (by task id): entered before it runs, left after
_TASK_SCOPES: dict[str, object] = {}


def _task_context(sender=None, task=None, task_id=None, **kwargs) -> None:
    """A task's writes are the system's, named by the task; a task that only reads runs no audit statement."""
    from core import audit  # inside: the signal handler runs after start-up (see ready)

    scope = audit.deferred(role="system", task=getattr(task, "name", str(sender)))
    scope.__enter__()
    _TASK_SCOPES[task_id or ""] = scope


def _task_context_end(sender=None, task_id=None, **kwargs) -> None:
    scope = _TASK_SCOPES.pop(task_id or "", None)
    if scope is not None:
        scope.__exit__(None, None, None)
