"""诚信企业 / 诚信商家 / 文明诚信商户 评选: evaluation rounds, applications and nominations, public objections.

晋政发〔2021〕44号 asks for 诚信企业 evaluation, 运盐政发〔2022〕16号 for the 诚信商家 brand and 文明诚信商户: an
evaluation round is opened by a regulator; a business applies for its own entity or a regulator nominates one;
the criteria of the rule set in force (``awards.criteria``, plus the round's own ``conditions``) are checked
automatically, each result kept in words; a regulator reviews; a public notice period (公示期, working days from
the rule set) lets anyone object; then the award decision (决定书, with its number from the served-document
series) and the award runs for the rule set's validity. A criterion that breaks later (a listing, a finding
above minor, a substantiated complaint) revokes it automatically. Imported by ``regulator.lists.models``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TransitionRecord


class AwardKind(models.TextChoices):
    """The titles a round awards (the rule set's ``awards.kinds`` gives each its name, basis and validity)."""

    HONEST_ENTERPRISE = "honest_enterprise", _("诚信企业")
    HONEST_MERCHANT = "honest_merchant", _("诚信商家")
    CIVILISED_MERCHANT = "civilised_merchant", _("文明诚信商户")


class AwardRoundStatus(models.TextChoices):
    OPEN = "open", _("申报中")
    CLOSED = "closed", _("已截止")


class AwardStatus(models.TextChoices):
    APPLIED = "applied", _("已申报")
    CHECKED = "checked", _("已核验")
    REFUSED = "refused", _("未通过")
    UNDER_REVIEW = "under_review", _("审核中")
    IN_NOTICE = "in_notice", _("公示中")
    OBJECTED = "objected", _("公示异议处理中")
    GRANTED = "granted", _("已授予")
    REVOKED = "revoked", _("已撤销")
    EXPIRED = "expired", _("已到期")


class AwardChannel(models.TextChoices):
    APPLICATION = "application", _("企业申报")
    NOMINATION = "nomination", _("监管部门推荐")


#: an application still in the procedure or in force: one per round and entity
AWARD_OPEN_STATES = ["applied", "checked", "under_review", "in_notice", "objected", "granted"]


class AwardRound(models.Model):
    """评选批次: one round of one title, for a region (and optionally some sectors), with its own conditions."""

    kind = models.CharField(_("称号"), max_length=24, choices=AwardKind.choices)
    name = models.CharField(_("批次名称"), max_length=200)
    region_code = models.CharField(_("评选区域"), max_length=6,
                                   help_text=_("行政区划代码（省、市或县区）；区域内的经营主体可参评。"))
    sectors = models.JSONField(_("参评行业"), default=list, blank=True, help_text=_("为空表示全部行业。"))
    opens_on = models.DateField(_("申报开始"))
    closes_on = models.DateField(_("申报截止"))
    conditions = models.JSONField(
        _("本批次附加条件"), default=list, blank=True,
        help_text=_("与规则集 awards.criteria 相同格式的条件，如 [{\"code\": \"min_score\", \"score\": 950}]。"))
    status = models.CharField(_("状态"), max_length=8, choices=AwardRoundStatus.choices,
                              default=AwardRoundStatus.OPEN)
    rule_set = models.ForeignKey("regulator.RuleSet", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("适用规则集"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        db_table = "regulator_awardround"
        verbose_name = _("诚信评选批次")
        verbose_name_plural = _("诚信评选批次")
        ordering = ["-opens_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")),
                                              name="award_round_dates_ordered")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class AwardApplication(models.Model):
    """诚信评选申报: an entity in a round, from its application or nomination to the award and its end."""

    round = models.ForeignKey(AwardRound, on_delete=models.PROTECT, related_name="applications",
                              verbose_name=_("评选批次"))
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="award_applications",
                               verbose_name=_("市场主体"))
    channel = models.CharField(_("参评方式"), max_length=12, choices=AwardChannel.choices)
    statement = models.TextField(_("申报说明"), max_length=5000, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=AwardStatus.choices, default=AwardStatus.APPLIED)
    rule_set = models.ForeignKey("regulator.RuleSet", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("核验所依规则集"))
    check_results = models.JSONField(
        _("条件核验结果"), default=list, blank=True,
        help_text=_("每项条件：code、label（条件）、passed（是否符合）、detail（核验情况，文字）。"))
    checked_on = models.DateField(_("核验日期"), null=True, blank=True)
    notice_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    notice_due = models.DateField(_("公示截止"), null=True, blank=True,
                                  help_text=_("公示期（工作日）的最后一日；此后方可作出授予决定。"))
    notice_working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), null=True, blank=True)
    decided_on = models.DateField(_("授予日期"), null=True, blank=True)
    decision_number = models.CharField(_("授予决定文号"), max_length=100, blank=True)
    decision_document = models.ForeignKey("core.ServedDocument", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("授予决定书"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    legal_basis = models.CharField(_("依据"), max_length=500, blank=True)
    ended_on = models.DateField(_("撤销或到期日期"), null=True, blank=True)
    end_reason = models.TextField(_("撤销理由"), blank=True)
    revoked_automatically = models.BooleanField(_("条件不再符合自动撤销"), default=False)
    red_listing = models.ForeignKey("regulator.Listing", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("守信激励名单记录"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        db_table = "regulator_awardapplication"
        verbose_name = _("诚信评选申报")
        verbose_name_plural = _("诚信评选申报")
        ordering = ["-id"]
        indexes = [models.Index(fields=["entity", "status"], name="award_entity_status"),
                   models.Index(fields=["status", "valid_until"], name="award_status_validity")]
        constraints = [
            models.UniqueConstraint(fields=["round", "entity"], condition=Q(status__in=AWARD_OPEN_STATES),
                                    name="award_once_per_round"),
            models.CheckConstraint(condition=Q(status__in=["granted", "revoked", "expired"], decision_number__gt="")
                                   | ~Q(status__in=["granted", "revoked", "expired"]),
                                   name="award_granted_has_number"),
        ]

    def __str__(self) -> str:
        return f"{self.round.get_kind_display()} #{self.pk} {self.entity.name}"


class AwardEvent(TransitionRecord):
    """诚信评选流转记录 (append-only): from, to, who (name frozen), why, when."""

    application = models.ForeignKey(AwardApplication, on_delete=models.CASCADE, related_name="events",
                                    verbose_name=_("诚信评选申报"))
    subject_field = "application"

    class Meta(TransitionRecord.Meta):
        db_table = "regulator_awardevent"
        verbose_name = _("诚信评选流转记录")
        verbose_name_plural = _("诚信评选流转记录")

    def __str__(self) -> str:
        from regulator.lists.award_transitions import ACTION_LABELS

        return self.caption(ACTION_LABELS, dict(AwardStatus.choices))


class AwardObjection(models.Model):
    """公示异议: anyone's objection during the notice period. Name and contact are optional and never published."""

    application = models.ForeignKey(AwardApplication, on_delete=models.CASCADE, related_name="objections",
                                    verbose_name=_("诚信评选申报"))
    reason = models.TextField(_("异议理由"), max_length=5000)
    objector_name = models.CharField(_("异议人（不公开）"), max_length=100, blank=True)
    objector_contact = models.CharField(_("联系方式（不公开）"), max_length=100, blank=True)
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    filed_on = models.DateField(_("提出日期"))
    upheld = models.BooleanField(_("异议成立"), null=True, blank=True)
    answer = models.TextField(_("处理意见"), max_length=5000, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("处理人"))
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        db_table = "regulator_awardobjection"
        verbose_name = _("诚信评选公示异议")
        verbose_name_plural = _("诚信评选公示异议")
        ordering = ["id"]
        indexes = [models.Index(fields=["application"], name="award_objection_open",
                                condition=Q(answered_at__isnull=True))]

    def __str__(self) -> str:
        return f"公示异议 #{self.pk}（申报 #{self.application_id}）"
