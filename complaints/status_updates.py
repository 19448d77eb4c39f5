"""投诉进展通知: the complainant's opt-in to hear of each status change by e-mail and/or text message.

The contact given here is personal data kept for one purpose: it exists only if the complainant asked for
updates at filing, is seen by regulators only (never by the business or the public), and is erased
``COMPLAINT_CONTACT_RETENTION_DAYS`` (30) days after the complaint ends (closed, withdrawn, not accepted or
transferred) by the daily ``erase_expired_contacts`` task. Each message sent is recorded per history event
and channel, so a retried task never sends the same update twice.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")


class ComplaintSubscription(models.Model):
    """投诉进展通知订阅: where to send status updates, given by the complainant at filing (opt-in)."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.CASCADE, related_name="subscription",
                                     verbose_name=_("投诉"))
    email = models.EmailField(_("通知邮箱"), max_length=254, blank=True)
    phone = models.CharField(_("短信通知手机号"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("订阅时间"), auto_now_add=True)
    erased_on = models.DateField(_("联系方式删除日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉进展通知订阅")
        verbose_name_plural = _("投诉进展通知订阅")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(erased_on__isnull=False) | ~Q(email="") | ~Q(phone=""),
                                   name="complaint_subscription_has_contact"),
            models.CheckConstraint(condition=Q(erased_on__isnull=True) | (Q(email="") & Q(phone="")),
                                   name="complaint_subscription_erased_is_empty"),
        ]
        indexes = [models.Index(fields=["erased_on"], name="subscription_contact_kept",
                                condition=Q(erased_on__isnull=True))]

    def __str__(self) -> str:
        return f"投诉 #{self.complaint_id} 进展通知"

    @property
    def channels(self) -> list[str]:
        return [channel for channel, contact in ((NotificationChannel.EMAIL, self.email),
                                                 (NotificationChannel.SMS, self.phone)) if contact]


class ComplaintNotification(models.Model):
    """投诉进展通知记录: one update sent for one history event on one channel (at most once)."""

    event = models.ForeignKey("complaints.ComplaintEvent", on_delete=models.CASCADE, related_name="notifications",
                              verbose_name=_("流转记录"))
    channel = models.CharField(_("渠道"), max_length=8, choices=NotificationChannel.choices)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉进展通知记录")
        verbose_name_plural = _("投诉进展通知记录")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="complaint_notification_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} · {self.get_channel_display()}"
