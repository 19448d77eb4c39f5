"""定时导入 in the admin: the sources (column mapping edited as JSON, checked fail-closed), "run now", the runs.

A source's form runs ``ImportSource.clean`` (location, mapping and defaults): an unknown target field, a
required one neither mapped nor defaulted, a URL that is not http(s) or a directory outside the drop root is
an error on the field, and nothing is saved. "立即运行" queues a run (``import_source_services``) exactly as
the API's ``run/`` does; a run's page shows its file, its counts and every row's outcome in words, times in
Beijing time.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, ReadOnlyInline, RegulatorAdmin, Transition, link
from core.admin.labels import beijing
from regulator.lists import import_jobs
from regulator.lists.import_source_services import import_source_queue
from regulator.lists.import_sources import ROW_OUTCOMES, ImportRun, ImportSource, RunState


def _run_now(request, source: ImportSource, data: dict) -> ImportRun:
    return import_source_queue(source=source, actor=request.user)


RUN_NOW = Transition(name="run_now", label=_("立即运行"), run=_run_now, logs=False,
                     intro=_("为所选来源排队运行一次（已有排队或运行中的则不重复）。结果见“定时导入运行记录”。"))


class ImportRunInline(ReadOnlyInline):
    model = ImportRun
    fields = ["state", "trigger", "started_display", "file_name", "new_count", "unchanged_count", "ended_count",
              "refused_count"]
    readonly_fields = fields
    verbose_name_plural = _("最近的运行")
    ordering = ["-id"]
    max_num = 0

    @admin.display(description=_("开始时间（北京时间）"))
    def started_display(self, run: ImportRun) -> str:
        return beijing(run.started_at) if run.started_at else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-id")


@admin.register(ImportSource)
class ImportSourceAdmin(RegulatorAdmin):
    allow_add = True
    allow_change = True
    transitions = (RUN_NOW,)
    list_display = ["name", "source_authority", "kind", "format", "mode", "interval_minutes", "enabled",
                    "last_run_display", "last_state"]
    list_filter = ["enabled", "kind", "mode"]
    search_fields = ["name", "source_authority"]
    fields = ["name", "source_authority", "kind", "location", "format", "encoding", "column_mapping", "defaults",
              "mode", "interval_minutes", "enabled", "target_fields_help", "last_run_display", "created_by_link"]
    readonly_fields = ["target_fields_help", "last_run_display", "created_by_link"]
    created_by_link = link("created_by", _("创建人"))
    inlines = [ImportRunInline]

    @admin.display(description=_("上次运行（北京时间）"), ordering="last_run_at")
    def last_run_display(self, source: ImportSource) -> str:
        return beijing(source.last_run_at) if source.last_run_at else "—"

    @admin.display(description=_("最近一次运行"))
    def last_state(self, source: ImportSource) -> str:
        run = source.runs.order_by("-pk").first()
        return run.get_state_display() if run is not None else "—"

    @admin.display(description=_("可映射的目标字段"))
    def target_fields_help(self, source: ImportSource | None = None) -> str:
        from regulator.lists.imports import REQUIRED

        rows = [(name, import_jobs.FIELD_LABELS.get(name, name), _("必填") if name in REQUIRED else _("选填"))
                for name in import_jobs.FIELD_LABELS if name not in ("row", "source_authority")]
        return format_html("<table><tbody>{}</tbody></table>", format_html_join(
            "", "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>", rows))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def save_model(self, request, obj, form, change):
        # The form ran full_clean (ImportSource.clean: location, mapping, defaults), as the API's create does.
        if not change:
            obj.created_by = request.user
        obj.save()


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "source_link", "trigger", "state", "started_display", "finished_display", "file_name",
                    "new_count", "unchanged_count", "ended_count", "refused_count"]
    list_filter = ["state", "trigger", "source"]
    search_fields = ["file_name", "source__name"]
    fields = ["source_link", "trigger", "state", "requested_by_link", "queued_display", "started_display",
              "finished_display", "file_name", "file_sha256", "file_bytes", "rows_total", "new_count",
              "unchanged_count", "ended_count", "refused_count", "error", "report_table"]
    readonly_fields = fields
    source_link = link("source", _("导入来源"))
    requested_by_link = link("requested_by", _("发起人"))

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source", "requested_by")

    @admin.display(description=_("排队时间（北京时间）"), ordering="queued_at")
    def queued_display(self, run: ImportRun) -> str:
        return beijing(run.queued_at)

    @admin.display(description=_("开始时间（北京时间）"), ordering="started_at")
    def started_display(self, run: ImportRun) -> str:
        return beijing(run.started_at) if run.started_at else "—"

    @admin.display(description=_("结束时间（北京时间）"), ordering="finished_at")
    def finished_display(self, run: ImportRun) -> str:
        return beijing(run.finished_at) if run.finished_at else "—"

    @admin.display(description=_("逐行报告"))
    def report_table(self, run: ImportRun) -> str:
        items = run.report if isinstance(run.report, list) else []
        if not items:
            return _("（无）") if run.state != RunState.DONE else _("文件中没有需报告的记录。")
        rows = []
        for item in items:
            listing_id = item.get("listing_id")
            listing = format_html('<a href="{}">#{}</a>', reverse("admin:regulator_listing_change", args=[listing_id]),
                                  listing_id) if listing_id else "—"
            rows.append((item.get("row") or "—", item.get("reference") or "—",
                         ROW_OUTCOMES.get(item.get("outcome"), _("其他")), listing, item.get("reason") or "—"))
        head = format_html("<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>", _("记录序号"),
                           _("来源文号"), _("结果"), _("名单记录"), _("原因"))
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html("<table><thead>{}</thead><tbody>{}</tbody></table>", head, body)
