"""后台任务 in the admin: read-only; a job's page shows its progress and refreshes itself while it runs.

The page needs no JavaScript: while the job is queued or running it carries ``<meta http-equiv="refresh">``
and a ``<progress>`` bar; once it is over, the per-row report (序号, 字段 in Chinese, 问题) and the result.
Times are shown in Beijing time.
"""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import jobs
from core.admin import labels
from core.admin.base import ReadOnlyAdmin, link
from core.models import Job, JobInput, JobState

BEIJING = labels.BEIJING
#: seconds between two refreshes of a running job's page
REFRESH_SECONDS = 2
#: rows of a report shown on the page (the API answers all of them)
REPORT_ROWS_SHOWN = 500
#: staged rows previewed on an input's page
INPUT_ROWS_SHOWN = 20


def beijing(value: datetime.datetime | None) -> str:
    """``2026-12-01 23:05:09（北京时间）``, or a dash."""
    if value is None:
        return "—"
    return _("%(time)s（北京时间）") % {"time": labels.beijing(value)}


def _label(job: Job) -> str:
    kind = jobs.kind_of(job.kind)
    return str(kind.label) if kind is not None else job.kind


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    """后台任务: written only by the service (submit, run, sweep); nobody edits or deletes one here."""

    change_form_template = "admin/core/job/change_form.html"
    list_display = ["id", "kind_display", "state", "progress_display", "created_by_link", "created_display",
                    "finished_display"]
    list_display_links = ["id", "kind_display"]
    list_filter = ["state", labels.code_filter("kind", _("任务类型"), lambda: {
        name: kind.label for name, kind in jobs.kinds().items()})]
    list_select_related = ["created_by"]
    search_fields = ["kind"]
    search_help_text = _("输入任务编号精确查找，或输入任务类型。")
    fieldsets = (
        (_("任务"), {"fields": ("kind_display", "state", "progress_display", "phase", "done", "total", "attempts",
                              "error")}),
        (_("逐行报告"), {"fields": ("report_display",)}),
        (_("结果"), {"fields": ("result_display",)}),
        (_("提交"), {"fields": ("created_by_link", "endpoint", "client_ip", "created_display", "enqueued_display",
                              "started_display", "finished_display")}),
    )
    readonly_fields = ["kind_display", "progress_display", "report_display", "result_display", "created_by_link",
                       "created_display", "enqueued_display", "started_display", "finished_display"]
    created_by_link = link("created_by", _("提交人"))

    @admin.display(description=_("任务类型"), ordering="kind")
    def kind_display(self, job: Job) -> str:
        return _label(job)

    @admin.display(description=_("进度"))
    def progress_display(self, job: Job) -> str:
        progress = jobs.job_progress(job)
        return format_html('<progress value="{}" max="1" style="width: 12em">{}%</progress> {}%',
                           f"{progress:.4f}", f"{progress * 100:.0f}", f"{progress * 100:.0f}")

    @admin.display(description=_("逐行报告"))
    def report_display(self, job: Job) -> str:
        rows = (job.report or {}).get("rows") if isinstance(job.report, dict) else None
        if not rows:
            return _("无问题记录。") if job.state == JobState.DONE else "—"
        if not isinstance(rows, dict):  # a refusal of the whole upload, not of rows
            return format_html("<p>{}</p>", "；".join(str(item) for item in rows))
        kind = jobs.kind_of(job.kind)
        labels = kind.field_labels if kind is not None else {}
        lines = []
        for index in sorted(rows, key=lambda key: int(key) if str(key).isdigit() else 0)[:REPORT_ROWS_SHOWN]:
            for field, messages in (rows[index] or {}).items():
                label = labels.get(field)
                lines.append((int(index) + 1 if str(index).isdigit() else index, index,
                              f"{label}（{field}）" if label else field, "；".join(str(m) for m in messages)))
        table = format_html_join("", "<tr><td>第 {} 条（序号 {}）</td><td>{}</td><td>{}</td></tr>", lines)
        more = "" if len(rows) <= REPORT_ROWS_SHOWN else format_html(
            "<p>{}</p>", _("另有 %(n)s 条有问题的记录未列出，见 API 的 report。") % {"n": len(rows) - REPORT_ROWS_SHOWN})
        return format_html('<p>{}</p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
                           "<tbody>{}</tbody></table>{}",
                           _("%(n)s 条记录未通过校验；全部未导入。") % {"n": len(rows)},
                           _("记录"), _("字段"), _("问题"), table, more)

    @admin.display(description=_("结果"))
    def result_display(self, job: Job) -> str:
        result = job.result
        if not isinstance(result, dict):
            return "—"
        summary = [(name, result[key]) for key, name in (("created", _("新导入")), ("existing", _("已导入过")))
                   if key in result]
        if not summary:
            return labels.in_words(result)
        return format_html_join("；", "{}：{} 条", summary)

    @admin.display(description=_("提交时间"), ordering="created_at")
    def created_display(self, job: Job) -> str:
        return beijing(job.created_at)

    @admin.display(description=_("投递时间"))
    def enqueued_display(self, job: Job) -> str:
        return beijing(job.enqueued_at)

    @admin.display(description=_("开始时间"))
    def started_display(self, job: Job) -> str:
        return beijing(job.started_at)

    @admin.display(description=_("结束时间"), ordering="finished_at")
    def finished_display(self, job: Job) -> str:
        return beijing(job.finished_at)

    def get_queryset(self, request):
        # A finished import's result lists every row: loaded on the job's page, not for every row of the list.
        return super().get_queryset(request).defer("report", "result")

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "state", "phase", "done", "total", "attempts", "error", "endpoint",
                "client_ip"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if job is not None and job.state in (JobState.QUEUED, JobState.RUNNING):
            extra_context["refresh_seconds"] = REFRESH_SECONDS
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(JobInput)
class JobInputAdmin(ReadOnlyAdmin):
    """任务输入: the staged rows of a job, as submitted (ID numbers only as hash and masked form)."""

    list_display = ["job_link", "items", "created_display"]
    list_select_related = ["job"]
    fields = ["job_link", "items", "created_display", "preview"]
    readonly_fields = ["job_link", "items", "created_display", "preview"]
    job_link = link("job", _("后台任务"))

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data")  # megabytes per upload: read on its own page only

    @admin.display(description=_("暂存时间"), ordering="created_at")
    def created_display(self, staged: JobInput) -> str:
        return beijing(staged.created_at)

    @admin.display(description=_("前 20 条"))
    def preview(self, staged: JobInput) -> str:
        data = staged.data
        return labels.in_words(data[:INPUT_ROWS_SHOWN] if isinstance(data, list) else data)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(job_id=int(term)), False
        return super().get_search_results(request, queryset, term)
