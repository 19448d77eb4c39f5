"""后台任务: work too long for a web request (a 10,000-row listing import), run by a Celery worker.

A job is one row: its kind, its state, how far it got (``done`` of ``total`` units of work), what it found
wrong row by row (``report``), what it did (``result``) and who asked for it. What it works on is staged in
:class:`JobInput` when it is submitted, before any message reaches the broker, so neither a broker that
refuses the message nor a worker that dies mid-run loses the upload: the job is sent again (the sweep in
``core.tasks``) and runs from its staged input. Decision 0017.

The input lives in its own table because every update of a row is copied, whole, into the audit trail:
progress written to the job row must not copy megabytes of input each time.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


#: the states a job never leaves
FINISHED_STATES = (JobState.DONE, JobState.FAILED)


class Job(models.Model):
    """后台任务: queued, running, then done or failed; its progress, per-row report and result."""

    kind = models.CharField(_("任务类型"), max_length=64, help_text=_("如 listings_import（名单导入）。"))
    state = models.CharField(_("状态"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    phase = models.CharField(_("阶段"), max_length=32, blank=True, help_text=_("如 validate（校验）、apply（写入）。"))
    total = models.PositiveIntegerField(_("工作量"), default=0, help_text=_("进度 = 已完成 / 工作量。"))
    done = models.PositiveIntegerField(_("已完成"), default=0)
    report = models.JSONField(_("逐行报告"), default=dict, blank=True,
                              help_text=_("{\"rows\": {\"序号\": {\"字段\": [\"问题\", ...]}}}：未通过校验的记录。"))
    result = models.JSONField(_("结果"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("提交人"))
    endpoint = models.CharField(_("提交入口"), max_length=300, blank=True,
                                help_text=_("如 POST /api/v1/listings/import/；记入任务写入的审计上下文。"))
    client_ip = models.GenericIPAddressField(_("提交 IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    enqueued_at = models.DateTimeField(_("投递时间"), null=True, blank=True,
                                       help_text=_("消息送达任务队列之时；为空表示投递失败，由巡检补投。"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        db_table = "core_job"
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-id"]
        indexes = [
            # the sweep looks for jobs left behind; the finished ones (nearly all) stay out of the index
            models.Index(fields=["state", "created_at"], name="job_unfinished",
                         condition=Q(state__in=["queued", "running"])),
            models.Index(fields=["created_by", "created_at"], name="job_created_by"),
            models.Index(fields=["kind", "created_at"], name="job_kind"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="job_done_within_total"),
            models.CheckConstraint(condition=Q(state__in=JobState.values), name="job_state_known"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(state__in=["done", "failed"]),
                name="job_finished_only_when_over"),
        ]

    def __str__(self) -> str:
        from core.jobs import kind_of

        kind = kind_of(self.kind)
        return _("后台任务 %(id)s（%(kind)s）") % {"id": self.pk, "kind": kind.label if kind is not None else self.kind}

    @property
    def progress(self) -> float:
        """0-1 from the committed counts (the apply phase's live count is in the cache: ``core.jobs``)."""
        if self.state == JobState.DONE:
            return 1.0
        return round(self.done / self.total, 4) if self.total else 0.0


class JobInput(models.Model):
    """任务输入: what the job works on, staged with the job in the transaction that submits it."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, primary_key=True, related_name="input",
                               verbose_name=_("后台任务"))
    data = models.JSONField(_("输入数据"), help_text=_("提交时的内容；身份证号只存其密钥哈希与脱敏形式。"))
    items = models.PositiveIntegerField(_("条数"), default=0)
    created_at = models.DateTimeField(_("暂存时间"), auto_now_add=True)

    class Meta:
        db_table = "core_jobinput"
        verbose_name = _("任务输入")
        verbose_name_plural = _("任务输入")

    def __str__(self) -> str:
        return f"后台任务 {self.job_id} 的输入（{self.items} 条）"
