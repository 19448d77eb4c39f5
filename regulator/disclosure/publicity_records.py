"""双公示记录: administrative penalty (行政处罚) and licensing (行政许可) decisions in the national 双公示 fields.

DOMAIN.md "Publicity of penalties": both kinds of decision are published within 7 working days of the decision,
in the fields 相对人名称, 统一社会信用代码, 法定代表人, 决定文书号, 类别, 内容, 罚款金额, 决定日期, 公示截止期,
决定机关及其统一社会信用代码, 数据来源单位. A record is produced from its source (a finding with a published
penalty, a licence) by ``publicity_services``; it keeps the source's facts as they were published, when it was
produced against its deadline (``due_by``, ``late``), and when and why its publication ended.

``version`` is drawn from one sequence at every change of a record: ``?since=<version>`` of the files and the
API returns the records changed after it (the same delta a reader of the lists gets from the data version).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: the sequence every change of a record draws its ``version`` from (created by migration 0008)
VERSION_SEQUENCE = "regulator_publicityrecord_version_seq"


class PublicityKind(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    LICENCE = "licence", _("行政许可")


class PublicityEndReason(models.TextChoices):
    PERIOD_END = "period_end", _("公示期满")
    REPAIRED = "repaired", _("信用修复")
    NOT_PUBLISHED = "not_published", _("按规则不予公示")
    LICENCE_ENDED = "licence_ended", _("许可已失效")
    SOURCE_REMOVED = "source_removed", _("原决定已撤回")


class PublicityRecord(models.Model):
    """双公示记录: one penalty or licensing decision as published, with its deadline and its end."""

    kind = models.CharField(_("记录类型"), max_length=16, choices=PublicityKind.choices)
    finding = models.ForeignKey("complaints.Finding", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="publicity_records", verbose_name=_("检查发现（行政处罚）"))
    licence = models.ForeignKey("entities.Licence", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="publicity_records", verbose_name=_("许可证照"))
    source_ref = models.CharField(_("来源"), max_length=40, unique=True,
                                  help_text=_("来源记录：finding:<编号> 或 licence:<编号>。"))
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="publicity_records",
                               verbose_name=_("市场主体"))
    subject_name = models.CharField(_("相对人名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True,
                                            help_text=_("决定日任职的法定代表人姓名（不含身份证号）；对公众遮蔽。"))
    decision_number = models.CharField(_("决定文书号"), max_length=100)
    category = models.CharField(_("类别"), max_length=40, help_text=_("处罚种类或许可类型的代码。"))
    content = models.TextField(_("内容"), max_length=4000)
    fine_amount = models.DecimalField(_("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField(_("决定日期"))
    publicity_until = models.DateField(_("公示截止期"), null=True, blank=True,
                                       help_text=_("按公示期限规则的截止日期；为空表示许可有效期内持续公示。"))
    authority_name = models.CharField(_("决定机关"), max_length=100, blank=True)
    authority_credit_code = models.CharField(_("决定机关统一社会信用代码"), max_length=18, blank=True)
    source_unit = models.CharField(_("数据来源单位"), max_length=100, blank=True)
    produced_at = models.DateTimeField(_("生成时间"))
    due_by = models.DateField(_("应公示期限"), help_text=_("决定日期后第 7 个工作日。"))
    late = models.BooleanField(_("逾期"), default=False, help_text=_("晚于应公示期限生成。"))
    publication_ends_on = models.DateField(_("公示终止日期"), null=True, blank=True,
                                           help_text=_("实际停止公示之日：公示期满，或准予信用修复之日。"))
    ended = models.BooleanField(_("已停止公示"), default=False)
    end_reason = models.CharField(_("停止公示原因"), max_length=20, choices=PublicityEndReason.choices, blank=True)
    version = models.BigIntegerField(_("数据版本"), db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        db_table = "regulator_publicityrecord"
        verbose_name = _("双公示记录")
        verbose_name_plural = _("双公示记录")
        ordering = ["-decided_on", "-id"]
        indexes = [
            models.Index(fields=["kind", "ended", "decided_on"], name="publicity_kind_open"),
            models.Index(fields=["entity", "kind"], name="publicity_entity_kind"),
            models.Index(fields=["late"], name="publicity_late", condition=Q(late=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="penalty", licence__isnull=True) | Q(kind="licence", finding__isnull=True)),
                name="publicity_source_matches_kind"),
            models.UniqueConstraint(fields=["finding"], condition=Q(finding__isnull=False),
                                    name="publicity_one_per_finding"),
            models.UniqueConstraint(fields=["licence"], condition=Q(licence__isnull=False),
                                    name="publicity_one_per_licence"),
            models.CheckConstraint(condition=Q(ended=False) | ~Q(end_reason=""), name="publicity_end_has_reason"),
            models.CheckConstraint(condition=Q(fine_amount__isnull=True) | Q(fine_amount__gte=0),
                                   name="publicity_fine_not_negative"),
        ]

    def __str__(self) -> str:
        return f"双公示记录 #{self.pk}（{self.get_kind_display()} {self.decision_number}）"
