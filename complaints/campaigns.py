"""专项行动 (campaigns): a regulator's drive against one kind of failing, over a period, in a sector and region scope.

The district plan (运盐政发〔2022〕16号) asks for 质量、价格、计量诚信 campaigns; 文明经商 drives are run the same way.
A campaign names what it is (``kind``), where and whom it covers (``sectors`` x ``region_prefix``), when it runs
(``starts_on`` .. ``ends_on``, both days included) and the violation types it targets. Inspections are tagged to a
campaign (``Inspection.campaign``; complaints.campaign_services holds the tagging rules) and the random draw may
draw for one (``InspectionPlan.campaign``); the results count exactly the tagged inspections
(complaints.campaign_selectors) and are published once the campaign has ended (regulator.disclosure.campaigns).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scope import Sector, validate_region_prefix

#: the longest description a campaign carries (the form, the API and the model take the same)
MAX_DESCRIPTION = 2000


class CampaignKind(models.TextChoices):
    """专项行动类型."""

    QUALITY = "quality", _("质量诚信")
    PRICE = "price", _("价格诚信")
    METROLOGY = "metrology", _("计量诚信")
    CIVILITY = "civility", _("文明经商")
    OTHER = "other", _("其他")


class Campaign(models.Model):
    """专项行动: name, kind, sector and region scope, period, targeted violation types."""

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=CampaignKind.choices)
    sectors = ArrayField(models.CharField(max_length=32, choices=Sector.choices), verbose_name=_("行业范围"),
                         help_text=_("专项行动覆盖的行业，至少一个。"))
    region_prefix = models.CharField(_("地区范围"), max_length=6, validators=[validate_region_prefix],
                                     help_text=_("行政区划代码的前缀：2 位为全省，4 位为地市，6 位为区县。"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), help_text=_("含当日；次日起公开行动结果。"))
    violation_types = models.ManyToManyField("complaints.ViolationType", blank=True, related_name="campaigns",
                                             verbose_name=_("重点违法行为类型"),
                                             help_text=_("其他类型的检查发现照常记录，在结果中单列为“其他”。"))
    description = models.TextField(_("行动说明"), max_length=MAX_DESCRIPTION, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["ends_on"], name="campaign_ends_on"),
            models.Index(fields=["region_prefix"], name="campaign_region_prefix", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_period_ordered"),
            models.CheckConstraint(condition=Q(region_prefix__regex=r"^[0-9]{2}([0-9]{2}){0,2}$"),
                                   name="campaign_region_prefix_shape"),
            models.CheckConstraint(condition=Q(sectors__len__gt=0), name="campaign_has_sector"),
        ]

    def __str__(self) -> str:
        return self.name

    def covers(self, *, region_code: str, sector: str) -> bool:
        """Whether an entity of ``region_code`` and ``sector`` lies within the campaign's scope."""
        return sector in self.sectors and (region_code or "").startswith(self.region_prefix)

    def runs_on(self, day: datetime.date) -> bool:
        """Whether ``day`` lies in the period (both ends included)."""
        return self.starts_on <= day <= self.ends_on

    def ended(self, today: datetime.date) -> bool:
        """Ended (and so public) from the day after ``ends_on``."""
        return today > self.ends_on
