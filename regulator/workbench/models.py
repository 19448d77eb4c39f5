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
        return f"{self.kind} {self.object_type} {self.object_id} {self.due}"
