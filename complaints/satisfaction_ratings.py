"""满意在山西: the complainant's rating of how their complaint was handled (晋政发〔2021〕44号).

Once a complaint is resolved or closed, whoever holds its tracking code may rate the handling once, 1 to 5, with an
optional comment. The rating names no one: it is read by regulators (the comment too) and, as aggregates only, by
the public (complaints.satisfaction).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ComplaintSatisfaction(models.Model):
    """投诉处理满意度评价: one per complaint (the database says so), given after it was resolved or closed."""

    complaint = models.OneToOneField("complaints.Complaint", on_delete=models.PROTECT, related_name="satisfaction",
                                     verbose_name=_("投诉"))
    rating = models.PositiveSmallIntegerField(_("满意度评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评价意见"), max_length=500, blank=True)
    status_when_rated = models.CharField(_("评价时投诉状态"), max_length=16, editable=False,
                                         choices=[("resolved", _("已办结")), ("closed", _("已归档"))])
    rated_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉处理满意度评价")
        verbose_name_plural = _("投诉处理满意度评价")
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["rated_at"], name="complaintsatisfaction_time")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="complaintsatisfaction_1_to_5"),
            models.CheckConstraint(condition=Q(status_when_rated__in=["resolved", "closed"]),
                                   name="complaintsatisfaction_after_closing"),
        ]

    def __str__(self) -> str:
        return f"投诉 #{self.complaint_id} 满意度 {self.rating}"
