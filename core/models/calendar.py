"""工作日历: the exceptions to Monday-to-Friday that every deadline in the service uses."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休）")
    WORKDAY = "workday", _("调休上班日")


class CalendarDay(models.Model):
    """工作日历的例外日: a holiday on a weekday, or a make-up workday on a weekend.

    One calendar serves every deadline in the service (complaints, objection
    windows, repair decisions). Regulators maintain it as the State Council
    publishes each year's arrangement.
    """

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("名称"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]
        db_table = "regulator_calendarday"

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
