"""The admin's start page is the work queue: what is due first, then the models."""

from __future__ import annotations

from django.contrib import admin

from regulator.workbench.overview import overview
from regulator.workbench.selectors import KINDS, counts, workqueue_for

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
