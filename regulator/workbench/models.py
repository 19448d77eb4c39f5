"""提醒记录: which alert went to whom for which deadline, so the hourly job tells each regulator once."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertSent(models.Model):
    """One alert sent: its kind, the object and the deadline it was about (a new deadline alerts again)."""

    kind = models.CharField(_("提醒类型"), max_length=32)
    object_type = models.CharField(_("对象类型"), max_length=32)
    object_id = models.BigIntegerField(_("对象编号"))
    due = models.DateField(_("期限"), null=True)
    recipients = models.PositiveIntegerField(_("收件人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        db_table = "workbench_alertsent"
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_type", "object_id", "due"],
                                               nulls_distinct=False, name="alert_once_per_deadline")]

    def __str__(self) -> str:
        from regulator.workbench.alerts import ALERT_KINDS, object_type_label

        due = f"（期限 {self.due.year}年{self.due.month}月{self.due.day}日）" if self.due else ""
        return f"{ALERT_KINDS.get(self.kind, self.kind)}：{object_type_label(self.object_type)} #{self.object_id}{due}"


class StatSnapshot(models.Model):
    """统计快照: one per day it was taken (also when it found nothing to count), how many figures, how long."""

    taken_on = models.DateField(_("快照日期"), unique=True)
    figures = models.PositiveIntegerField(_("数值条数"))
    took_ms = models.PositiveIntegerField(_("耗时（毫秒）"))
    taken_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        db_table = "workbench_statsnapshot"
        verbose_name = _("统计快照")
        verbose_name_plural = _("统计快照")
        ordering = ["-taken_on"]

    def __str__(self) -> str:
        day = self.taken_on
        return f"{day.year}年{day.month}月{day.day}日（{self.figures} 条）"


class StatFigure(models.Model):
    """统计快照: one aggregate figure of one night's snapshot (set-based, district x sector x key x month).

    The start page, the statistics API and the monthly bulletin read these rows, never the registry: a page
    answers from a few hundred rows at any registry size, and a past month reads as it was that night.
    """

    taken_on = models.DateField(_("快照日期"))
    metric = models.CharField(_("指标"), max_length=32)
    month = models.DateField(_("月份"), null=True, help_text=_("按月趋势的月份（当月 1 日）；时点指标为空。"))
    sector = models.CharField(_("行业"), max_length=32)
    district = models.CharField(_("县区"), max_length=6)
    key = models.CharField(_("分类"), max_length=64)
    value = models.BigIntegerField(_("数值"))

    class Meta:
        db_table = "workbench_statfigure"
        verbose_name = _("统计数值")
        verbose_name_plural = _("统计数值")
        indexes = [models.Index(fields=["taken_on", "metric"], name="stat_snapshot_metric")]
        constraints = [models.UniqueConstraint(fields=["taken_on", "metric", "month", "sector", "district", "key"],
                                               nulls_distinct=False, name="stat_figure_once")]

    def __str__(self) -> str:
        from regulator.workbench.stats import figure_caption

        return figure_caption(self)


class Bulletin(models.Model):
    """服务业动态监测信息快报: one issue per month, from the snapshot taken after the month ended.

    ``html`` is the issue as published and ``sha256`` its digest; regenerating a month from the same
    snapshot gives the same bytes, so the digest shows a copy is the one published.
    """

    issue = models.PositiveIntegerField(_("期号"), unique=True)
    month = models.DateField(_("月份"), unique=True, help_text=_("当月 1 日。"))
    snapshot_on = models.DateField(_("所据快照日期"))
    html = models.TextField(_("正文（HTML）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    generated_at = models.DateTimeField(_("生成时间"), auto_now=True)

    class Meta:
        db_table = "workbench_bulletin"
        verbose_name = _("监测信息快报")
        verbose_name_plural = _("监测信息快报")
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"第{self.issue}期（{self.month:%Y年%-m月}）"
