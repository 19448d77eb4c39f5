"""变更推送: the change events other departments' systems receive, pushed as signed webhooks or pulled.

* :class:`FeedEvent` (变更事件) is an outbox row written **in the same transaction** as the change, by row
  triggers on ``regulator_listing`` and ``entities_licence`` (migration ``0008_push_feed``), so every writer
  (API, admin, imports, bulk SQL, COPY) is covered; penalties (双公示 records) call
  :func:`regulator.disclosure.feed_services.feed_event_record`.
* An event's ``sequence`` (the ``id`` clients see and ``since`` counts) is given by one sequencing step after
  commit, never by the inserting transaction: a sequence number taken at insert time could become visible
  after a higher one (two transactions committing out of order), and a client that had moved past it would
  never see it. Sequenced rows only ever get higher numbers than every row sequenced before (decision 0027).
* :class:`FeedSubscription` (推送订阅): a client's URL, the kinds it wants, the secret it verifies the
  signatures with (encrypted at rest: the HMAC needs the plaintext) and how far it has acknowledged.
* :class:`FeedDelivery` (投递记录): the attempts at one event for one subscription; a dead one (死信) pauses the
  subscription until a regulator redelivers it, so the order holds.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import DepartmentClient


class FeedKind(models.TextChoices):
    """变更类型: what a subscription can ask for."""

    LISTING_PUBLISHED = "listing_published", _("名单公示")
    LISTING_ENDED = "listing_ended", _("名单公示结束")
    PENALTY_PUBLISHED = "penalty_published", _("行政处罚公示")
    PENALTY_ENDED = "penalty_ended", _("行政处罚公示结束")
    LICENCE_CHANGED = "licence_changed", _("许可证照变更")


class FeedEvent(models.Model):
    """变更事件: one change of a listing, a penalty's publicity or a licence, as other departments receive it."""

    id = models.BigAutoField(primary_key=True)
    sequence = models.BigIntegerField(_("序号"), null=True, blank=True, unique=True, editable=False,
                                      help_text=_("提交后按顺序编号；客户端的 since 即此序号。"))
    kind = models.CharField(_("变更类型"), max_length=32, choices=FeedKind.choices)
    #: the change is visible only to clients holding ``lists:read`` (a watch listing, 重点关注名单: decision 0021)
    restricted = models.BooleanField(_("仅限名单查阅权限"), default=False)
    subject = models.JSONField(_("主体"), default=dict, blank=True)
    payload = models.JSONField(_("变更内容"), default=dict, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    source_table = models.CharField(_("来源表"), max_length=64, blank=True)
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)

    class Meta:
        db_table = "regulator_feedevent"
        verbose_name = _("变更事件")
        verbose_name_plural = _("变更事件")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["id"], name="feed_event_unsequenced", condition=Q(sequence__isnull=True)),
            models.Index(fields=["kind", "sequence"], name="feed_event_kind_sequence"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence or '—'} {self.get_kind_display()}"


class FeedSubscription(models.Model):
    """推送订阅: where a department client's system receives which changes, signed with its secret."""

    client = models.ForeignKey(DepartmentClient, on_delete=models.PROTECT, related_name="feed_subscriptions",
                               verbose_name=_("部门客户端"))
    url = models.URLField(_("接收地址"), max_length=500)
    kinds = ArrayField(models.CharField(max_length=32, choices=FeedKind.choices), verbose_name=_("订阅的变更类型"))
    secret_encrypted = models.TextField(_("签名密钥（加密）"), editable=False)
    previous_secret_encrypted = models.TextField(_("旧签名密钥（加密）"), blank=True, editable=False)
    previous_secret_until = models.DateTimeField(_("旧签名密钥有效至"), null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True, editable=False)
    pause_reason = models.CharField(_("暂停原因"), max_length=300, blank=True, editable=False)
    delivered_through = models.BigIntegerField(_("已确认至序号"), default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        db_table = "regulator_feedsubscription"
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(delivered_through__gte=0),
                                              name="feed_subscription_cursor_positive")]

    def __str__(self) -> str:
        return f"{self.client} #{self.pk}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待投递")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("死信")


class FeedDelivery(models.Model):
    """投递记录: one event sent to one subscription, its attempts and the receiver's last answer."""

    subscription = models.ForeignKey(FeedSubscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("推送订阅"))
    event = models.ForeignKey(FeedEvent, on_delete=models.PROTECT, related_name="deliveries",
                              verbose_name=_("变更事件"))
    state = models.CharField(_("状态"), max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近答复状态码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("首次尝试时间"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    dead_at = models.DateTimeField(_("转入死信时间"), null=True, blank=True)

    class Meta:
        db_table = "regulator_feeddelivery"
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["subscription", "state"], name="feed_delivery_sub_state"),
                   models.Index(fields=["state", "dead_at"], name="feed_delivery_state")]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="feed_delivery_once")]

    def __str__(self) -> str:
        return f"{self.subscription} ← {self.event}"


class DeadLetterManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(state=DeliveryState.DEAD)


class DeadLetter(FeedDelivery):
    """死信: deliveries given up after the maximum attempts (their subscription is paused until redelivered)."""

    objects = DeadLetterManager()

    class Meta:
        proxy = True
        verbose_name = _("死信")
        verbose_name_plural = _("死信")
