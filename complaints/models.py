"""投诉与检查: the public's complaints, inspectors' inspections and findings, random inspection plans."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# the field default the migrations name as complaints.models.new_tracking_code
from complaints.tracking_codes import new_tracking_code  # noqa: F401
from core.models import TransitionRecord
from core.scope import Sector, validate_region_code


class ComplaintStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    INVESTIGATING = "investigating", _("调查处理中")
    RESOLVED = "resolved", _("已办结")
    CLOSED = "closed", _("已归档")
    WITHDRAWN = "withdrawn", _("已撤回")
    TRANSFERRED = "transferred", _("已转办")


class ComplaintOutcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("投诉属实")
    UNSUBSTANTIATED = "unsubstantiated", _("投诉不属实")
    MEDIATED = "mediated", _("调解达成")


class ComplaintChannel(models.TextChoices):
    WEB = "web", _("网站")
    HOTLINE_12345 = "hotline_12345", _("12345 热线")
    HOTLINE_12301 = "hotline_12301", _("12301 热线")
    LETTER = "letter", _("信函")


class ComplaintCategory(models.TextChoices):
    SERVICE_QUALITY = "service_quality", _("服务质量")
    FORCED_SHOPPING = "forced_shopping", _("强迫购物")
    CONTRACT = "contract", _("合同违约")
    FALSE_ADVERTISING = "false_advertising", _("虚假宣传")
    PRICE = "price", _("价格欺诈")
    SAFETY = "safety", _("安全隐患")
    ELDER_ABUSE = "elder_abuse", _("侵害老年人权益")
    UNLICENSED = "unlicensed", _("无证经营")
    OTHER = "other", _("其他")


class RejectionGround(models.TextChoices):
    """不予受理的情形 (旅游投诉处理办法, the grounds of non-acceptance); each cites its own article by key."""

    LATE_FILING = "late_filing", _("超过旅游合同结束之日 90 日")
    PENDING_ELSEWHERE = "pending_elsewhere", _("人民法院、仲裁机构、其他行政管理部门或者社会调解机构已经受理或者处理")
    DECIDED_BEFORE = "decided_before", _("已经作出处理，且没有新情况、新理由")
    OUTSIDE_REMIT = "outside_remit", _("不属于本机关职责范围或者管辖范围")
    NOT_A_COMPLAINT = "not_a_complaint", _("不符合投诉条件或者属于其他经济纠纷")


class RespondentKind(models.TextChoices):
    """被投诉人: a registered entity, an operator not (yet) found in the registry, or a person."""

    ENTITY = "entity", _("登记的经营主体")
    OPERATOR = "operator", _("未登记的经营者")
    PERSON = "person", _("从业人员个人")


class PractitionerKind(models.TextChoices):
    GUIDE = "guide", _("导游")
    HOUSEHOLD_WORKER = "household_worker", _("家政服务员")
    OTHER = "other", _("其他从业人员")


class MediationResult(models.TextChoices):
    AGREEMENT = "agreement", _("达成调解协议（调解书）")
    TERMINATION = "termination", _("终止调解")


class Complaint(models.Model):
    """投诉: filed by anyone; the complainant's name and phone are seen by regulators only.

    The respondent is exactly one of: a registered entity (``entity``), an operator described by the
    complainant (``operator_*``), or a person (``person_*``, linked to ``person`` once found). A complaint
    with no entity is scoped by its receiving ``region_code`` and ``sector``.
    """

    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="complaints",
                               null=True, blank=True, verbose_name=_("被投诉主体"))
    respondent_kind = models.CharField(_("被投诉人类型"), max_length=16, choices=RespondentKind.choices,
                                       default=RespondentKind.ENTITY)
    operator_name = models.CharField(_("未登记经营者名称"), max_length=200, blank=True)
    operator_address = models.CharField(_("未登记经营者地址"), max_length=200, blank=True)
    operator_phone = models.CharField(_("未登记经营者电话"), max_length=40, blank=True)
    operator_details = models.TextField(_("经营者其他情况"), max_length=1000, blank=True)
    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="complaints", null=True,
                               blank=True, verbose_name=_("被投诉个人（登记）"))
    person_name = models.CharField(_("被投诉个人姓名"), max_length=100, blank=True)
    person_role = models.CharField(_("被投诉个人身份"), max_length=32, choices=PractitionerKind.choices, blank=True)
    person_card_number = models.CharField(_("导游证或家政服务证编号"), max_length=64, blank=True)
    worker = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="worker_complaints",
                               null=True, blank=True, verbose_name=_("涉及的家政服务员"),
                               help_text=_("投诉涉及的被投诉企业的家政服务员（事发时须受雇于该企业）。"))
    region_code = models.CharField(_("受理地区划代码"), max_length=6, blank=True, validators=[validate_region_code],
                                   help_text=_("被投诉人未关联登记主体时，按此区划和行业确定办理范围。"))
    sector = models.CharField(_("行业"), max_length=32, choices=Sector.choices, blank=True)
    category = models.CharField(_("投诉类别"), max_length=32, choices=ComplaintCategory.choices)
    description = models.TextField(_("投诉内容"), max_length=5000)
    channel = models.CharField(_("渠道"), max_length=16, choices=ComplaintChannel.choices,
                               default=ComplaintChannel.WEB)
    complainant_name = models.CharField(_("投诉人姓名"), max_length=100, blank=True)
    complainant_phone = models.CharField(_("投诉人电话"), max_length=20, blank=True)
    complainant_count = models.PositiveIntegerField(_("投诉人数"), default=1, validators=[MinValueValidator(1)])
    representatives = models.JSONField(_("代表人"), default=list, blank=True,
                                       help_text=_("4 人以上共同投诉时可以推选 1 至 3 名代表人（姓名列表）。"))
    incident_date = models.DateField(_("事发（服务结束）日期"))
    received_on = models.DateField(_("收到日期"))
    tracking_code = models.CharField(_("查询码"), max_length=32, unique=True, default=new_tracking_code,
                                     editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.SUBMITTED)
    outcome = models.CharField(_("处理结果"), max_length=16, choices=ComplaintOutcome.choices, blank=True)
    resolution = models.TextField(_("处理意见"), blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), blank=True)
    rejection_ground = models.CharField(_("不予受理情形"), max_length=32, choices=RejectionGround.choices, blank=True)
    transferred_to = models.CharField(_("转办部门"), max_length=200, blank=True)
    transferred_contact = models.CharField(_("转办部门联系方式"), max_length=200, blank=True)
    transferred_on = models.DateField(_("转办日期"), null=True, blank=True)
    late_filing = models.BooleanField(_("超过 90 日"), default=False)
    late_filing_overridden = models.BooleanField(_("超期受理（监管人员决定）"), default=False)
    accept_due = models.DateField(_("受理期限"))
    notify_due = models.DateField(_("通知经营者期限"), null=True, blank=True)
    business_notice = models.ForeignKey("core.ServedDocument", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("答复通知书"))
    notice_issued_on = models.DateField(_("答复通知书签发日期"), null=True, blank=True)
    business_notified_on = models.DateField(_("答复通知书送达日期"), null=True, blank=True)
    reply_due = models.DateField(_("经营者答复期限"), null=True, blank=True)
    resolve_due = models.DateField(_("办结期限"), null=True, blank=True)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    resolved_on = models.DateField(_("办结日期"), null=True, blank=True)
    business_response = models.TextField(_("经营者答复"), blank=True, max_length=5000)
    business_responded_at = models.DateTimeField(_("经营者答复时间"), null=True, blank=True)
    overdue = models.BooleanField(_("已逾期"), default=False)
    notice_overdue = models.BooleanField(_("答复通知书逾期未发出"), default=False)
    reply_overdue = models.BooleanField(_("经营者逾期未答复"), default=False)
    mediation_result = models.CharField(_("调解结果"), max_length=16, choices=MediationResult.choices, blank=True)
    mediation_terms = models.TextField(_("调解协议内容"), max_length=5000, blank=True)
    mediation_complainant_signed_on = models.DateField(_("投诉人签署调解书日期"), null=True, blank=True)
    mediation_respondent_signed_on = models.DateField(_("被投诉人签署调解书日期"), null=True, blank=True)
    mediation_termination_reason = models.TextField(_("终止调解理由"), max_length=2000, blank=True)
    mediation_document = models.ForeignKey("core.ServedDocument", on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("调解书或终止调解书"))
    overdue_notified_on = models.DateField(_("逾期提醒日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["entity", "status"], name="complaint_entity_status"),
            models.Index(fields=["status", "accept_due"], name="complaint_status_accept_due"),
            models.Index(fields=["status", "resolve_due"], name="complaint_status_resolve_due"),
            models.Index(fields=["received_on"], name="complaint_received"),
            models.Index(fields=["overdue"], name="complaint_overdue", condition=Q(overdue=True)),
            models.Index(fields=["region_code", "sector"], name="complaint_unlinked_scope",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"], condition=Q(entity__isnull=True)),
            models.Index(fields=["status", "notify_due"], name="complaint_notice_open",
                         condition=Q(notice_issued_on__isnull=True)),
            models.Index(fields=["status", "reply_due"], name="complaint_reply_open",
                         condition=Q(business_responded_at__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | ~Q(outcome=""), name="complaint_resolved_has_outcome"
            ),
            models.CheckConstraint(condition=Q(incident_date__lte=models.F("received_on")),
                                   name="complaint_incident_before_receipt"),
            # exactly one kind of respondent
            models.CheckConstraint(
                condition=(Q(respondent_kind="entity", entity__isnull=False)
                           | (Q(respondent_kind="operator", entity__isnull=True, person__isnull=True)
                              & ~Q(operator_name=""))
                           | (Q(respondent_kind="person", entity__isnull=True) & ~Q(person_name=""))),
                name="complaint_one_respondent"),
            models.CheckConstraint(condition=Q(entity__isnull=False) | (~Q(region_code="") & ~Q(sector="")),
                                   name="complaint_unlinked_has_region"),
            models.CheckConstraint(condition=~Q(status="transferred") | ~Q(transferred_to=""),
                                   name="complaint_transfer_names_department"),
            models.CheckConstraint(condition=~Q(outcome="mediated") | Q(mediation_result="agreement"),
                                   name="complaint_mediated_has_agreement"),
            models.CheckConstraint(
                condition=~Q(mediation_result="agreement") | (
                    ~Q(mediation_terms="") & Q(mediation_complainant_signed_on__isnull=False)
                    & Q(mediation_respondent_signed_on__isnull=False)),
                name="complaint_agreement_signed_by_both"),
            models.CheckConstraint(condition=~Q(mediation_result="termination") | ~Q(mediation_termination_reason=""),
                                   name="complaint_termination_has_reason"),
            models.CheckConstraint(condition=Q(reply_due__isnull=True) | Q(business_notified_on__isnull=False),
                                   name="complaint_reply_due_after_delivery"),
        ]

    def __str__(self) -> str:
        return f"投诉 #{self.pk} · {self.get_status_display()}"

    @property
    def respondent_name(self) -> str:
        """The respondent as the documents and pages name it: the entity, else what the complainant gave."""
        if self.entity_id is not None:
            return self.entity.name
        if self.respondent_kind == RespondentKind.PERSON:
            return self.person_name
        return self.operator_name

    @property
    def scope_region_code(self) -> str:
        """The region that decides who handles it: the entity's, else the receiving region."""
        return self.entity.region_code if self.entity_id is not None else self.region_code

    @property
    def scope_sector(self) -> str:
        return self.entity.sector if self.entity_id is not None else self.sector


class ComplaintEvent(TransitionRecord):
    """投诉流转记录 (append-only): every status change and response, who made it and why."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    subject_field = "complaint"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("投诉流转记录")
        verbose_name_plural = _("投诉流转记录")

    def __str__(self) -> str:
        from complaints.transitions import ACTION_LABELS

        return self.caption(ACTION_LABELS, dict(ComplaintStatus.choices))


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    SERIOUS = "serious", _("严重")
    GRAVE = "grave", _("特别严重")


class Penalty(models.TextChoices):
    NONE = "none", _("不予处罚")
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    SUSPENSION = "suspension", _("责令停业整顿")
    REVOCATION = "revocation", _("吊销许可证")


class ViolationType(models.Model):
    """违法违规行为目录: the catalogue findings refer to, with default severity and legal basis."""

    code = models.SlugField(_("代码"), max_length=64, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    sector = models.CharField(_("行业"), max_length=32, choices=[
        ("tourism", _("文化旅游")), ("exhibition", _("会展")), ("wellness", _("康养")),
        ("household_service", _("家政")), ("general", _("通用")),
    ])
    default_severity = models.CharField(_("默认严重程度"), max_length=16, choices=Severity.choices)
    legal_basis = models.CharField(_("法律依据"), max_length=300)
    safety_related = models.BooleanField(_("涉及安全"), default=False,
                                         help_text=_("安全、消防、特种设备：公示期最短 1 年。"))
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("违法行为类型")
        verbose_name_plural = _("违法行为类型")
        ordering = ["sector", "code"]

    def __str__(self) -> str:
        return self.name


class InspectionKind(models.TextChoices):
    RANDOM = "random", _("双随机抽查")
    TARGETED = "targeted", _("重点检查")
    COMPLAINT = "complaint", _("投诉核查")
    FOLLOW_UP = "follow_up", _("复查")


class Inspection(models.Model):
    """检查记录: one visit to one entity, with its findings written in the same transaction."""

    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="inspections",
                               verbose_name=_("被检查主体"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections",
                                  verbose_name=_("检查人员"))
    inspected_on = models.DateField(_("检查日期"))
    kind = models.CharField(_("检查类型"), max_length=16, choices=InspectionKind.choices)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="inspections", verbose_name=_("关联投诉"))
    plan_item = models.OneToOneField("InspectionPlanItem", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="inspection", verbose_name=_("抽查计划条目"))
    campaign = models.ForeignKey("complaints.Campaign", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="inspections", verbose_name=_("专项行动"))  # complaints/campaigns.py
    summary = models.TextField(_("检查情况"), blank=True, max_length=5000)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-inspected_on", "-id"]
        indexes = [
            models.Index(fields=["entity", "inspected_on"], name="inspection_entity_date"),
            models.Index(fields=["inspected_on"], name="inspection_date"),
        ]

    def __str__(self) -> str:
        return f"检查 #{self.pk}（{self.inspected_on.year}年{self.inspected_on.month}月{self.inspected_on.day}日）"


class Finding(models.Model):
    """检查发现的问题: a violation, its severity and penalty, and its rectification."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    violation_type = models.ForeignKey(ViolationType, on_delete=models.PROTECT, related_name="findings",
                                       verbose_name=_("违法行为类型"))
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    description = models.TextField(_("问题描述"), max_length=5000)
    penalty = models.CharField(_("处罚"), max_length=16, choices=Penalty.choices, default=Penalty.NONE)
    fine_amount = models.DecimalField(_("罚款金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    decision_number = models.CharField(_("行政处罚决定书文号"), max_length=100, blank=True)
    decided_on = models.DateField(_("处罚决定日期"), null=True, blank=True)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    worker = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="worker_findings",
                               null=True, blank=True, verbose_name=_("涉及的家政服务员"),
                               help_text=_("检查发现涉及的被检查企业的家政服务员（检查日须受雇于该企业）。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["rectify_by"], name="finding_rectify_open", condition=Q(rectified_on__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(penalty="fine") | Q(fine_amount__gt=0), name="finding_fine_has_amount"
            ),
            models.CheckConstraint(
                condition=Q(fine_amount__isnull=True) | Q(fine_amount__gte=0), name="finding_fine_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.violation_type} ({self.get_severity_display()})"


class InspectionPlan(models.Model):
    """双随机抽查计划: one month's random draw for one jurisdiction, recorded so it can be re-checked."""

    month = models.DateField(_("月份"), help_text=_("当月第一天。"))
    region_prefix = models.CharField(_("辖区前缀"), max_length=6)
    seed = models.CharField(_("随机种子"), max_length=64)
    rates = models.JSONField(_("各等级年度抽查比例"))
    population = models.JSONField(_("抽取总体"), help_text=_("[[entity_id, grade], ...]，按 id 排序。"))
    excluded = models.JSONField(_("本年已抽取"), default=list,
                                help_text=_("同一辖区本年度此前各月已抽中的主体，本月不再抽取。"))
    population_size = models.PositiveIntegerField(_("总体数量"))
    sample_size = models.PositiveIntegerField(_("抽取数量"))
    seal = models.CharField(
        _("完整性校验码"), max_length=64, blank=True,
        help_text=_("以服务密钥对月份、辖区、种子、比例、总体与抽中条目计算的 HMAC；库内改动任一项即不再相符。"),
    )
    campaign = models.ForeignKey("complaints.Campaign", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="plans", verbose_name=_("专项行动"),
                                 help_text=_("为专项行动抽取时：总体限于行动的行业和地区范围。"))
    published = models.BooleanField(_("已公开"), default=False)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("双随机抽查计划")
        verbose_name_plural = _("双随机抽查计划")
        ordering = ["-month", "region_prefix"]
        constraints = [
            models.UniqueConstraint(fields=["month", "region_prefix"], name="plan_month_region_unique",
                                    condition=Q(campaign__isnull=True)),
            models.UniqueConstraint(fields=["campaign", "month", "region_prefix"], name="plan_campaign_month_unique",
                                    condition=Q(campaign__isnull=False)),
        ]

    def __str__(self) -> str:
        from core.scope import region_name

        return f"{self.month.year}年{self.month.month}月 {region_name(self.region_prefix.ljust(6, '0')) or self.region_prefix}"


class InspectionPlanItem(models.Model):
    """抽查计划条目: a sampled entity and the inspector drawn for it."""

    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="items")
    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("抽取时等级"), max_length=1)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="plan_items")

    class Meta:
        verbose_name = _("抽查计划条目")
        verbose_name_plural = _("抽查计划条目")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "entity"], name="plan_item_unique")]

    def __str__(self) -> str:
        return f"{self.plan} · {self.entity_id}"


# Models of their own modules: the complaint attachments, 专项行动 campaigns, the rectification evidence, 满意在山西
# (the complainant's rating of the handling), the status-update opt-ins.
from complaints import (  # noqa: E402,F401
    attachments,
    campaigns,
    rectification,
    satisfaction_ratings,
    status_updates,
)
