"""文书与送达: the authority that issues documents, their numbers, the documents themselves, their service.

A listing's 告知书 and 认定决定书, a complaint's 受理 / 不予受理 / 转办 notices, its business notice, the
调解书 and 终止调解书 are all one kind of record: numbered in a per-authority, per-year series, rendered
from the content the domain gives, and served by a recorded method on a recorded date. Deadlines that the
law counts from service (the objection window, the business's reply) run from ``delivered_on``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Authority(models.Model):
    """决定机关: an issuing authority, found for a business by the longest prefix of its region code."""

    region_code = models.CharField(_("行政区划代码"), max_length=6, unique=True,
                                   help_text=_("管辖区域：省 140000、市 140800、县区 140802。"))
    name = models.CharField(_("机关名称"), max_length=100)
    short_name = models.CharField(_("文号机关代字"), max_length=20, help_text=_("如“运盐文旅”。"))
    credit_code = models.CharField(_("机关统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    number_patterns = models.JSONField(
        _("文号格式"), default=dict, blank=True,
        help_text=_("按文书种类覆盖默认文号格式，可用 {authority} {year} {seq}，如 {authority}信告〔{year}〕{seq}号。"),
    )

    class Meta:
        db_table = "core_authority"
        verbose_name = _("决定机关")
        verbose_name_plural = _("决定机关")
        ordering = ["region_code"]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.TextChoices):
    LISTING_NOTICE = "listing_notice", _("信用管理措施告知书")
    LISTING_DECISION = "listing_decision", _("失信主体认定决定书")
    COMPLAINT_ACCEPTANCE = "complaint_acceptance", _("旅游投诉受理通知书")
    COMPLAINT_REJECTION = "complaint_rejection", _("旅游投诉不予受理通知书")
    COMPLAINT_TRANSFER = "complaint_transfer", _("旅游投诉转办告知书")
    COMPLAINT_BUSINESS_NOTICE = "complaint_business_notice", _("旅游投诉答复通知书")
    MEDIATION_AGREEMENT = "mediation_agreement", _("旅游投诉调解书")
    MEDIATION_TERMINATION = "mediation_termination", _("旅游投诉终止调解书")
    REPAIR_DECISION = "repair_decision", _("信用修复决定书")
    AWARD_DECISION = "award_decision", _("诚信评选授予决定书")


class DeliveryMethod(models.TextChoices):
    DIRECT = "direct", _("直接送达")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子送达")
    LEFT = "left", _("留置送达")
    ANNOUNCEMENT = "announcement", _("公告送达")


class DocumentSeries(models.Model):
    """文号序列: the last number used, per authority, kind of document and year (locked while numbering)."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定机关"))
    kind = models.CharField(_("文书种类"), max_length=32, choices=DocumentKind.choices)
    year = models.PositiveIntegerField(_("年度"))
    last_number = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        db_table = "core_documentseries"
        verbose_name = _("文号序列")
        verbose_name_plural = _("文号序列")
        constraints = [models.UniqueConstraint(fields=["authority", "kind", "year"], name="document_series_once")]

    def __str__(self) -> str:
        return f"{self.authority.short_name} {self.get_kind_display()} {self.year}年：第 {self.last_number} 号"


class ServedDocument(models.Model):
    """文书: numbered, its content frozen at issue, and its service (送达) recorded once."""

    kind = models.CharField(_("文书种类"), max_length=32, choices=DocumentKind.choices)
    number = models.CharField(_("文书编号"), max_length=100, unique=True)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="documents",
                                  verbose_name=_("决定机关"))
    year = models.PositiveIntegerField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    about_type = models.CharField(_("所属事项"), max_length=32, help_text=_("listing、complaint 等"))
    about_id = models.BigIntegerField(_("所属事项编号"))
    title = models.CharField(_("标题"), max_length=200)
    recipient = models.CharField(_("受送达人"), max_length=200)
    content = models.JSONField(_("正文"), help_text=_("[{\"heading\": ..., \"text\": ...}]，签发时固定。"))
    issued_on = models.DateField(_("签发日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("签发人"))
    delivery_method = models.CharField(_("送达方式"), max_length=16, choices=DeliveryMethod.choices, blank=True)
    announced_on = models.DateField(_("公告发布日期"), null=True, blank=True)
    delivered_on = models.DateField(_("送达日期"), null=True, blank=True,
                                    help_text=_("公告送达为公告发布之日起经过规定期间之日。"))
    delivery_note = models.CharField(_("送达说明"), max_length=300, blank=True,
                                     help_text=_("如邮件单号、签收人、电子送达地址。"))
    delivery_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="+", verbose_name=_("送达登记人"))
    delivery_recorded_at = models.DateTimeField(_("送达登记时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        db_table = "core_serveddocument"
        verbose_name = _("文书")
        verbose_name_plural = _("文书")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["about_type", "about_id"], name="document_about"),
                   models.Index(fields=["delivered_on"], name="document_unserved",
                                condition=Q(delivered_on__isnull=True))]
        constraints = [
            models.UniqueConstraint(fields=["authority", "kind", "year", "sequence"], name="document_number_once"),
            models.CheckConstraint(condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=F("issued_on")),
                                   name="document_delivered_after_issue"),
            models.CheckConstraint(
                condition=(Q(delivered_on__isnull=True, delivery_method="")
                           | (Q(delivered_on__isnull=False) & ~Q(delivery_method=""))),
                name="document_delivery_complete"),
            models.CheckConstraint(condition=~Q(delivery_method="announcement") | Q(announced_on__isnull=False),
                                   name="document_announcement_dated"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.number}"

    @property
    def served(self) -> bool:
        return self.delivered_on is not None


class LegalCitation(models.Model):
    """法律依据目录: a citation the service prints outside the rule sets (the complaint procedure, appeals,
    service by announcement), each checked against the text named in ``source`` (decision 0014)."""

    key = models.CharField(_("键"), max_length=64)
    text = models.CharField(_("引用"), max_length=300)
    source = models.CharField(_("所据文本"), max_length=300, help_text=_("核对条文所用的文本：标题与网址。"))
    effective_from = models.DateField(_("生效日期"))

    class Meta:
        db_table = "core_legalcitation"
        verbose_name = _("法律依据")
        verbose_name_plural = _("法律依据")
        ordering = ["key", "-effective_from"]
        constraints = [models.UniqueConstraint(fields=["key", "effective_from"], name="citation_once_per_date")]

    def __str__(self) -> str:
        return self.text
