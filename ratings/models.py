"""信用评价: versioned scoring models, the credit-event ledger, current scores and their history."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ratings import engine


class Grade(models.TextChoices):
    A = "A", _("A 级（诚信）")
    B = "B", _("B 级（基本诚信）")
    C = "C", _("C 级（失信）")
    D = "D", _("D 级（严重失信）")


class ScoringModel(models.Model):
    """评分模型: the rules as data (points, decay, caps, grade bands, overrides), one version active."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    name = models.CharField(_("名称"), max_length=100)
    effective_from = models.DateField(_("生效日期"))
    rules = models.JSONField(_("规则"))
    is_active = models.BooleanField(_("当前启用"), default=False)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分模型")
        verbose_name_plural = _("评分模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model"),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name}"

    def clean(self) -> None:
        try:
            engine.validate_rules(self.rules)
        except engine.RulesError as exc:
            raise ValidationError({"rules": [f"{key}: {'; '.join(msgs)}" for key, msgs in exc.errors.items()]}) from exc


class Publicity(models.TextChoices):
    GENERAL = "general", _("一般（公示 1 年）")
    SERIOUS = "serious", _("严重（公示 3 年）")


class CreditEvent(models.Model):
    """信用事件台账: one line of evidence, keyed by (source type, source id, rule) so it never counts twice."""

    entity = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="credit_events")
    source_type = models.CharField(_("来源类型"), max_length=16)
    source_id = models.BigIntegerField(_("来源编号"))
    rule = models.CharField(_("规则"), max_length=40)
    occurred_on = models.DateField(_("发生日期"))
    publicity = models.CharField(_("公示类别"), max_length=8, choices=Publicity.choices, default=Publicity.GENERAL)
    ends_on = models.DateField(_("截止日期"), null=True, blank=True,
                               help_text=_("有明确期限的事件（如名单期限）在此日失效，否则按公示类别计算。"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用事件")
        verbose_name_plural = _("信用事件")
        ordering = ["occurred_on", "id"]
        indexes = [models.Index(fields=["entity", "occurred_on"], name="credit_event_entity")]
        constraints = [
            models.UniqueConstraint(fields=["source_type", "source_id", "rule"], name="credit_event_idempotency"),
        ]

    def __str__(self) -> str:
        from ratings.labels import RULE_LABELS

        day = self.occurred_on
        return f"#{self.pk} {RULE_LABELS.get(self.rule, self.rule)}（{day.year}年{day.month}月{day.day}日）"


class CreditScore(models.Model):
    """当前信用分: one row per scored entity (an entity with no row counts as grade B)."""

    entity = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="credit_score", verbose_name=_("市场主体")
    )
    score = models.IntegerField(_("信用分"))
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    base = models.IntegerField(_("起始分"), default=800)
    model_version = models.PositiveIntegerField(_("模型版本"))
    as_of = models.DateField(_("评分基准日"))
    breakdown = models.JSONField(_("明细"), default=list)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("信用分")
        verbose_name_plural = _("信用分")
        indexes = [models.Index(fields=["grade"], name="score_grade")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1000), name="score_in_range"),
        ]

    def __str__(self) -> str:
        return f"主体 {self.entity_id}：{self.score} 分（{self.grade} 级）"


class CreditScoreHistory(models.Model):
    """信用分历史: a row each time an entity's score or grade changes."""

    entity = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="score_history")
    score = models.IntegerField(_("信用分"))
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)
    model_version = models.PositiveIntegerField(_("模型版本"))
    as_of = models.DateField(_("评分基准日"))
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("信用分历史")
        verbose_name_plural = _("信用分历史")
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["entity", "computed_at"], name="score_history_entity")]

    def __str__(self) -> str:
        from django.utils import timezone

        day = timezone.localtime(self.computed_at).date()
        return f"主体 {self.entity_id}：{self.score} 分（{day.year}年{day.month}月{day.day}日）"


class RecomputeRun(models.Model):
    """全量重算: the chunks of one full recompute, so a run cut short resumes where it stopped."""

    model_version = models.PositiveIntegerField(_("模型版本"))
    as_of = models.DateField(_("评分基准日"))
    chunk_bounds = models.JSONField(_("分块"), help_text=_("[[first_id, last_id], ...]"))
    reason = models.CharField(_("原因"), max_length=100, blank=True)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("全量重算")
        verbose_name_plural = _("全量重算")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"全量重算 #{self.pk}（模型 v{self.model_version}，{len(self.done_chunks)}/{len(self.chunk_bounds)} 块）"

    @property
    def done_chunks(self) -> list[int]:
        """Indexes of the chunks already scored (each chunk is its own row: see RecomputeChunk)."""
        return sorted(self.chunks.filter(done_at__isnull=False).values_list("index", flat=True))


class RecomputeChunk(models.Model):
    """全量重算分块: one id range of a run, in its own row.

    A worker locks only the chunk it scores, so chunks on different workers run at the same time
    (they used to lock the one run row for their whole transaction, one after another).
    """

    run = models.ForeignKey(RecomputeRun, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("全量重算"))
    index = models.PositiveIntegerField(_("序号"))
    first_id = models.BigIntegerField(_("起始编号"))
    last_id = models.BigIntegerField(_("截止编号"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("重算分块")
        verbose_name_plural = _("重算分块")
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="recompute_chunk_once")]

    def __str__(self) -> str:
        return f"全量重算 #{self.run_id} 第 {self.index} 块"


class RescoreRequest(models.Model):
    """重算发件箱: written in the same transaction as the evidence, removed once the entity is rescored.

    If the broker is down when the write commits, the row survives and the
    beat job that drains this table rescores the entity once the broker is back.
    """

    entity = models.OneToOneField("entities.Entity", on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(_("请求时间"))

    class Meta:
        verbose_name = _("待重算")
        verbose_name_plural = _("待重算")
        indexes = [models.Index(fields=["requested_at"], name="rescore_request_time")]

    def __str__(self) -> str:
        return f"待重算：主体 {self.entity_id}"
