"""审计日志: every change captured by the database itself, append-only and hash-chained."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One row-level change, written by the ``audit_capture`` trigger (never by Django code).

    ``hash = sha256(canonical(entry) || prev_hash)``; update, delete and
    truncate are refused by triggers on this table.
    """

    table_name = models.CharField(_("数据表"), max_length=100)
    operation = models.CharField(_("操作"), max_length=8)
    object_id = models.CharField(_("记录编号"), max_length=64, blank=True, null=True)
    before = models.JSONField(_("变更前"), null=True)
    after = models.JSONField(_("变更后"), null=True)
    context = models.JSONField(_("上下文"), default=dict)
    created_at = models.DateTimeField(_("时间"))
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)

    class Meta:
        # The table is created by migration SQL and owned by the triggers: Django never writes or flushes it.
        managed = False
        db_table = "audit_entry"
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["table_name", "object_id"], name="audit_object"),
            models.Index(fields=["created_at"], name="audit_time"),
            # the latest change of a table, for the public answers' ETag (regulator.disclosure.selectors)
            models.Index(fields=["table_name", "id"], name="audit_table_head"),
        ]

    def __str__(self) -> str:
        from django.apps import apps

        operation = {"INSERT": "新增", "UPDATE": "修改", "DELETE": "删除"}.get(self.operation, self.operation)
        table = next((str(model._meta.verbose_name) for model in apps.get_models()
                      if model._meta.db_table == self.table_name), self.table_name)
        return f"#{self.pk} {operation} {table} #{self.object_id}"


class AuditCheckpoint(models.Model):
    """每日检查点: the count and head hash of the chain at a moment, so a cut-off tail is detectable."""

    day = models.DateField(_("日期"), unique=True)
    entry_count = models.BigIntegerField(_("条数"))
    head_id = models.BigIntegerField(_("末条编号"))
    head_hash = models.CharField(_("末条哈希"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        managed = False
        db_table = "audit_checkpoint"
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {self.entry_count} {self.head_hash[:12]}"
