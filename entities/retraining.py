"""回炉培训行动: campaigns that retrain household workers in batches and phases (分批、分期; 运盐政发〔2022〕16号).

A campaign (sector and region scope, period) has ordered phases, each with its window (``starts_on`` to
``deadline``, inclusive) and its batch: the target firms and, of each, the target workers (frozen when the phase is
created, so progress is measured against a fixed list). A target worker is retrained in a phase when they have a
回炉 training record (``TrainingKind.RETRAINING``) completed inside the phase's window. A firm *misses* a phase when
the deadline has passed and not every one of its target workers is retrained; the nightly task records the miss on
the firm's batch row (``flagged_on``) and the hourly deadline alerts tell the regulators covering the firm.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.scope import Sector, validate_region_prefix


class RetrainingCampaign(models.Model):
    """回炉培训行动: a campaign over a sector and a region (a GB/T 2260 prefix) for a period."""

    name = models.CharField(_("行动名称"), max_length=200)
    sector = models.CharField(_("行业范围"), max_length=32, choices=Sector.choices, default=Sector.HOUSEHOLD_SERVICE)
    region_code = models.CharField(_("区域范围"), max_length=6, validators=[validate_region_prefix],
                                   help_text=_("行政区划代码前缀：14 为全省，1408 为运城市，140802 为盐湖区。"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("回炉培训行动")
        verbose_name_plural = _("回炉培训行动")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["region_code"], name="retraining_campaign_region",
                                opclasses=["varchar_pattern_ops"])]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")),
                                              name="retraining_campaign_period")]

    def __str__(self) -> str:
        return self.name


class RetrainingPhase(models.Model):
    """批次（期次）: the ``number``-th phase of a campaign, its window and deadline (inclusive)."""

    campaign = models.ForeignKey(RetrainingCampaign, on_delete=models.CASCADE, related_name="phases",
                                 verbose_name=_("回炉培训行动"))
    number = models.PositiveSmallIntegerField(_("批次序号"))
    name = models.CharField(_("批次名称"), max_length=100)
    starts_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("截止日期"), help_text=_("含当日；次日起未完成的企业记为逾期。"))

    class Meta:
        verbose_name = _("回炉培训批次")
        verbose_name_plural = _("回炉培训批次")
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="retraining_phase_number"),
            models.CheckConstraint(condition=Q(deadline__gte=F("starts_on")), name="retraining_phase_window"),
            models.CheckConstraint(condition=Q(number__gte=1), name="retraining_phase_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign.name} · 第{self.number}批 {self.name}"


class RetrainingPhaseFirm(models.Model):
    """批次企业: a target firm of a phase; ``flagged_on`` is the day its miss was recorded (null: not missed)."""

    phase = models.ForeignKey(RetrainingPhase, on_delete=models.CASCADE, related_name="firms",
                              verbose_name=_("回炉培训批次"))
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="retraining_phases",
                               verbose_name=_("企业"))
    flagged_on = models.DateField(_("逾期标记日期"), null=True, blank=True)
    flagged_targets = models.PositiveIntegerField(_("标记时目标人数"), null=True, blank=True)
    flagged_done = models.PositiveIntegerField(_("标记时完成人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("回炉培训批次企业")
        verbose_name_plural = _("回炉培训批次企业")
        ordering = ["phase", "entity"]
        indexes = [models.Index(fields=["entity", "phase"], name="retraining_firm_entity")]
        constraints = [models.UniqueConstraint(fields=["phase", "entity"], name="retraining_phase_firm_once")]

    def __str__(self) -> str:
        return f"{self.phase} · {self.entity.name}"


class RetrainingTarget(models.Model):
    """目标人员: a worker of a target firm in a phase's batch."""

    phase_firm = models.ForeignKey(RetrainingPhaseFirm, on_delete=models.CASCADE, related_name="targets",
                                   verbose_name=_("批次企业"))
    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="retraining_targets",
                               verbose_name=_("家政服务员"))

    class Meta:
        verbose_name = _("回炉培训目标人员")
        verbose_name_plural = _("回炉培训目标人员")
        ordering = ["phase_firm", "person"]
        constraints = [models.UniqueConstraint(fields=["phase_firm", "person"], name="retraining_target_once")]

    def __str__(self) -> str:
        return f"{self.phase_firm} · {self.person.name}"
