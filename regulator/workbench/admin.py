"""The admin's start page is the work queue: what is due first, then the models."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin
from regulator.workbench.models import AlertSent, Bulletin, StatFigure, StatSnapshot
from regulator.workbench.overview import overview
from regulator.workbench.selectors import KINDS, counts, workqueue_for
from regulator.workbench.stats import METRICS

_index = admin.site.index


def index(request, extra_context=None):
    items = workqueue_for(request.user) if request.user.is_authenticated else []
    tally = counts(items)
    context = {
        **(extra_context or {}),
        "workqueue": items[:100],
        "workqueue_total": len(items),
        "workqueue_counts": [(kind, label, tally[kind]) for kind, (label, _action) in KINDS.items()],
    }
    if request.user.is_authenticated and getattr(request.user, "is_regulator", False):
        context["overview"] = overview(request.GET.get("figure"))
    return _index(request, context)


admin.site.index = index
admin.site.index_template = "admin/workbench_index.html"


# ------------------------------------------------------------------ statistics, bulletins, alerts (read-only)

@admin.register(StatSnapshot)
class StatSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["taken_on", "figures", "took_ms", "taken_at"]
    date_hierarchy = "taken_on"


@admin.register(StatFigure)
class StatFigureAdmin(ReadOnlyAdmin):
    list_display = ["taken_on", "metric_label", "month", "sector", "district", "key", "value"]
    list_filter = ["metric", "sector"]
    date_hierarchy = "taken_on"

    @admin.display(description=_("指标"))
    def metric_label(self, obj):
        metric = METRICS.get(obj.metric)
        return metric.label if metric else obj.metric


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    list_display = ["issue", "month", "snapshot_on", "sha256", "generated_at"]
    exclude = ["html"]


@admin.register(AlertSent)
class AlertSentAdmin(ReadOnlyAdmin):
    list_display = ["kind", "object_type", "object_id", "due", "recipients", "sent_at"]
    list_filter = ["kind"]
