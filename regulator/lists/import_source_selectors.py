"""定时导入的查询: the sources that are due, and what a caller may see of sources and runs.

Sources and runs are the regulators' (who may import): anyone else sees none of them, and so a source out of
reach is simply not found.
"""

from __future__ import annotations

import datetime

from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, QuerySet, Value

from regulator.lists.import_sources import UNFINISHED_STATES, ImportRun, ImportSource


def import_sources_for(user) -> QuerySet[ImportSource]:
    if not (user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_regulator", False)):
        return ImportSource.objects.none()
    return ImportSource.objects.all()


def import_runs_for(user, *, source: ImportSource) -> QuerySet[ImportRun]:
    if not import_sources_for(user).filter(pk=source.pk).exists():
        return ImportRun.objects.none()
    return ImportRun.objects.filter(source=source).select_related("requested_by").order_by("-pk")


def import_sources_due(*, now: datetime.datetime) -> QuerySet[ImportSource]:
    """Enabled sources with no run queued or running, never run or last run ``interval_minutes`` ago or more."""
    due_at = ExpressionWrapper(
        F("last_run_at") + ExpressionWrapper(F("interval_minutes") * Value(datetime.timedelta(minutes=1)),
                                             output_field=DurationField()),
        output_field=DateTimeField())
    busy = ImportRun.objects.filter(state__in=UNFINISHED_STATES).values("source_id")
    return (ImportSource.objects.filter(enabled=True).exclude(pk__in=busy).annotate(due_at=due_at)
            .filter(Q(last_run_at__isnull=True) | Q(due_at__lte=now)).order_by("pk"))
