"""家政服务评价: a household-service firm's service orders and the customers' reviews of them (运盐政发〔2022〕16号:
household-service credit covers every firm and every worker; consumer service reviews are part of a worker's file).

A firm records a service order (the date, the worker it employed that day, the kind of service) and the customer's
phone or e-mail; the service sends the customer a one-time review link at once and keeps only the keyed hash of the
phone (never the phone or e-mail themselves, decision 0028), and only the hash of the link's token. A review exists
only for an order (a one-to-one row the database enforces), is rated 1-5 with a comment, and is published only after
a regulator approves it (the comment redacted for publication); the firm may reply once, editable until the reply
is moderated. Only published reviews count in the public averages of the worker and the firm.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ServiceKind(models.TextChoices):
    CHILDCARE = "childcare", _("育婴")
    ELDERLY_CARE = "elderly_care", _("养老护理")
    CLEANING = "cleaning", _("家庭保洁")
    MATERNITY = "maternity", _("母婴护理")
    COOKING = "cooking", _("家庭烹饪")
    OTHER = "other", _("其他家政服务")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    REJECTED = "rejected", _("未通过审核")


class ReplyStatus(models.TextChoices):
    NONE = "none", _("未回复")
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    REJECTED = "rejected", _("未通过审核")


class ServiceOrder(models.Model):
    """家政服务订单: one service a firm's worker gave a customer on a day; the customer reviews it through a link.

    The customer's contact is used once, to send the link, and never stored: ``customer_phone_hash`` is the keyed
    hash of the phone (to see that one customer reviews many orders, never to read the number back). The link's
    token is stored as its hash; it works once (``link_used_at``) until ``link_expires_at``.
    """

    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="service_orders",
                               verbose_name=_("家政服务企业"))
    employment = models.ForeignKey("entities.Employment", on_delete=models.PROTECT, related_name="service_orders",
                                   verbose_name=_("从业登记"))
    worker = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="service_orders",
                               verbose_name=_("家政服务员"))
    service_kind = models.CharField(_("服务类型"), max_length=16, choices=ServiceKind.choices)
    served_on = models.DateField(_("服务日期"))
    reference = models.CharField(_("企业订单号"), max_length=64, blank=True)
    customer_phone_hash = models.CharField(_("客户手机号哈希"), max_length=64, blank=True, editable=False)
    link_channels = models.JSONField(_("评价链接发送渠道"), default=list, blank=True, editable=False)
    link_digest = models.CharField(_("评价链接摘要"), max_length=64, unique=True, editable=False)
    link_expires_at = models.DateTimeField(_("评价链接有效期至"), editable=False)
    link_sent_at = models.DateTimeField(_("评价链接发送时间"), null=True, blank=True, editable=False)
    link_used_at = models.DateTimeField(_("评价链接使用时间"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("家政服务订单")
        verbose_name_plural = _("家政服务订单")
        ordering = ["-served_on", "-id"]
        indexes = [
            models.Index(fields=["entity", "served_on"], name="serviceorder_entity_day"),
            models.Index(fields=["worker", "served_on"], name="serviceorder_worker_day"),
            models.Index(fields=["customer_phone_hash"], name="serviceorder_customer",
                         condition=~Q(customer_phone_hash="")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entity", "reference"], condition=~Q(reference=""),
                                    name="serviceorder_firm_reference"),
            models.CheckConstraint(condition=Q(customer_phone_hash__regex=r"^([0-9a-f]{64})?$"),
                                   name="serviceorder_phone_hash_shape"),
            models.CheckConstraint(condition=Q(link_digest__regex=r"^[0-9a-f]{64}$"),
                                   name="serviceorder_token_hash_shape"),
        ]

    def __str__(self) -> str:
        return f"服务订单 #{self.pk} · {self.served_on}"


class ServiceReview(models.Model):
    """服务评价: the customer's rating (1-5) and comment of one order; public once a regulator approves it.

    ``order`` is a non-null one-to-one key: no review without an order, at most one per order (the database says
    so, whatever code writes). ``comment_published`` is the comment as the public reads it (redacted on approval).
    """

    order = models.OneToOneField(ServiceOrder, on_delete=models.PROTECT, related_name="review",
                                 verbose_name=_("服务订单"))
    rating = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价内容"), max_length=1000, blank=True)
    status = models.CharField(_("审核状态"), max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.PENDING)
    comment_published = models.TextField(_("公开的评价内容（已脱敏）"), blank=True, editable=False)
    rejection_reason = models.CharField(_("不予公开理由"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("审核人"))
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reply = models.TextField(_("企业回复"), max_length=1000, blank=True)
    reply_status = models.CharField(_("回复审核状态"), max_length=16, choices=ReplyStatus.choices,
                                    default=ReplyStatus.NONE)
    reply_published = models.TextField(_("公开的企业回复（已脱敏）"), blank=True, editable=False)
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reply_rejection_reason = models.CharField(_("回复不予公开理由"), max_length=300, blank=True)
    reply_moderated_at = models.DateTimeField(_("回复审核时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("评价时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("家政服务评价")
        verbose_name_plural = _("家政服务评价")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="servicereview_status_time"),
            models.Index(fields=["reply_status"], name="servicereview_reply_pending",
                         condition=Q(reply_status="pending")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="servicereview_rating_1_to_5"),
            models.CheckConstraint(condition=~Q(status="rejected") | ~Q(rejection_reason=""),
                                   name="servicereview_rejection_has_reason"),
            models.CheckConstraint(condition=~Q(reply_status="rejected") | ~Q(reply_rejection_reason=""),
                                   name="servicereview_reply_rejection_has_reason"),
            models.CheckConstraint(condition=Q(reply_status="none") | ~Q(reply=""),
                                   name="servicereview_reply_has_text"),
        ]

    def __str__(self) -> str:
        return f"服务评价 #{self.pk} · {self.rating} 星"
