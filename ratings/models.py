"""信用评价: the current credit score and grade of each entity.

The scoring models, the credit-event ledger and the recompute live beside
this table; other apps read grades only through :mod:`ratings.selectors`.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    A = "A", _("A 级（诚信）")
    B = "B", _("B 级（基本诚信）")
    C = "C", _("C 级（失信）")
    D = "D", _("D 级（严重失信）")


class CreditScore(models.Model):
    """当前信用分: one row per scored entity (an entity with no row counts as grade B)."""

    entity = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="credit_score", verbose_name=_("市场主体")
    )
    score = models.IntegerField(_("信用分"))
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    model_version = models.CharField(_("模型版本"), max_length=32)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("信用分")
        verbose_name_plural = _("信用分")
        indexes = [models.Index(fields=["grade"], name="score_grade")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1000), name="score_in_range"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.score} ({self.grade})"
