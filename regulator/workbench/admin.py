"""The admin's start page is the work queue: what is due first, then the models."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin
from core.admin.labels import code_filter, code_label, labelled, region_label, register_codes
from core.scope import Sector
from regulator.workbench.alerts import ALERT_KINDS, OBJECT_MODELS, object_type_label
from regulator.workbench.models import AlertSent, Bulletin, StatFigure, StatSnapshot
from regulator.workbench.overview import overview
from regulator.workbench.selectors import KINDS, counts, workqueue_for
from regulator.workbench.stats import METRICS, key_label

_index = admin.site.index
register_codes(AlertSent, "kind", ALERT_KINDS)
register_codes(AlertSent, "object_type", {model._meta.model_name: model._meta.verbose_name for model in OBJECT_MODELS})


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


def _metric_labels() -> dict[str, str]:
    return {code: str(metric.label) for code, metric in METRICS.items()}


# ------------------------------------------------------------------ statistics, bulletins, alerts (read-only)

@admin.register(StatSnapshot)
class StatSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["taken_on", "figures", "took_ms", "taken_at"]
    date_hierarchy = "taken_on"


@admin.register(StatFigure)
class StatFigureAdmin(ReadOnlyAdmin):
    """统计数值: codes of the snapshot (metric, sector, district, key) shown by their labels and names."""

    list_display = ["taken_on", "metric_label", "month", "sector_label", "district_label", "key_label", "value"]
    list_filter = [code_filter("metric", _("指标"), _metric_labels), code_filter("sector", _("行业"), dict(Sector.choices))]
    date_hierarchy = "taken_on"
    fields = ["taken_on", "metric_label", "month", "sector_label", "district_label", "key_label", "value"]
    readonly_fields = fields

    metric_label = labelled("metric", _("指标"), _metric_labels)

    @admin.display(description=_("行业"), ordering="sector")
    def sector_label(self, figure: StatFigure) -> str:
        return code_label(figure.sector, Sector.choices) if figure.sector else str(_("全部行业"))

    @admin.display(description=_("县区"), ordering="district")
    def district_label(self, figure: StatFigure) -> str:
        return region_label(figure.district) if figure.district else str(_("未知地区"))

    @admin.display(description=_("分类"), ordering="key")
    def key_label(self, figure: StatFigure) -> str:
        return key_label(figure.metric, figure.key)


@admin.register(Bulletin)
class BulletinAdmin(ReadOnlyAdmin):
    """监测信息快报: the issue as published is read on its own page (HTML with its SHA-256, and the PDF)."""

    list_display = ["issue", "month", "snapshot_on", "published_link", "generated_at"]
    fields = ["issue", "month", "snapshot_on", "published_link", "sha256", "generated_at"]
    readonly_fields = fields

    @admin.display(description=_("正文"))
    def published_link(self, bulletin: Bulletin) -> str:
        return format_html('<a href="{}">{}</a> · <a href="{}">PDF</a>',
                           reverse("bulletins:issue", args=[bulletin.issue]), _("网页版"),
                           reverse("bulletins:pdf", args=[bulletin.issue]))


@admin.register(AlertSent)
class AlertSentAdmin(ReadOnlyAdmin):
    list_display = ["kind_label", "object_label", "due", "recipients", "sent_at"]
    list_filter = [code_filter("kind", _("提醒类型"), ALERT_KINDS)]
    fields = ["kind_label", "object_label", "due", "recipients", "sent_at"]
    readonly_fields = fields
    kind_label = labelled("kind", _("提醒类型"), ALERT_KINDS)

    @admin.display(description=_("对象"), ordering="object_type")
    def object_label(self, alert: AlertSent) -> str:
        return f"{object_type_label(alert.object_type)} #{alert.object_id}"
