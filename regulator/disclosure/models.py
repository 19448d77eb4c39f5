"""公开: businesses' reviewed replies beside their records (回应声明)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regulator.lists.models import Listing


class StatementStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已公开")
    REJECTED = "rejected", _("不予公开")


class PublicStatement(models.Model):
    """回应声明: a business's published reply beside its listing or penalty, after review for abuse."""

    entity = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="statements")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, null=True, blank=True, related_name="statements")
    finding = models.ForeignKey("complaints.Finding", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="statements")
    text = models.TextField(_("声明内容"), max_length=2000)
    status = models.CharField(_("状态"), max_length=16, choices=StatementStatus.choices,
                              default=StatementStatus.PENDING)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        db_table = "regulator_publicstatement"
        verbose_name = _("回应声明")
        verbose_name_plural = _("回应声明")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(listing__isnull=False, finding__isnull=True) | Q(listing__isnull=True, finding__isnull=False)),
                name="statement_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"回应声明 #{self.pk}"


from regulator.disclosure.publicity_records import PublicityKind, PublicityRecord  # noqa: E402, F401, I001  (双公示)


from regulator.disclosure.feeds import DeadLetter, FeedDelivery, FeedEvent, FeedSubscription  # noqa: E402, F401, I001  (变更推送)
