"""Shapes of complaints, inspections and findings (API.md: Complaints and inspections).

Three views of a complaint: the regulator's (with the complainant's details),
the handling view for inspectors and the business (without them), and the
public tracking view (status only, no personal data, no complaint text).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.campaign_selectors import campaigns_for
from complaints.documents import complaint_documents
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintOutcome,
    Finding,
    Inspection,
    InspectionPlan,
    MediationResult,
    PractitionerKind,
    RejectionGround,
    RespondentKind,
    ViolationType,
)
from complaints.selectors import complaints_for, plan_items_for
from complaints.services import representative_names
from config.api.serializers import AmountField, ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from core.models import DeliveryMethod, ServedDocument
from core.scope import Sector
from entities.models import Entity
from entities.selectors import entities_for, persons_for
from entities.validators import normalize_credit_code

phone_validator = RegexValidator(r"^\+?[0-9][0-9 \-]{4,19}$", _("请输入有效的电话号码。"))
_OPERATOR_PHONE = RegexValidator(r"^\+?[0-9][0-9 \-]{4,39}$", _("请输入有效的电话号码。"))


class ComplaintCreateSerializer(Serializer):
    """投诉: against a registered entity (``entity`` or ``entity_credit_code``), an operator not found in the
    registry (``operator_name`` ...) or a person (``person_name`` ...), the last two with the receiving region."""

    entity = serializers.PrimaryKeyRelatedField(queryset=Entity.objects.all(), required=False)
    entity_credit_code = serializers.CharField(required=False, max_length=32)
    respondent_kind = serializers.ChoiceField(choices=RespondentKind.choices, required=False, allow_blank=True,
                                              default="", help_text=_("不填时按所填内容判断。"))
    operator_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                          help_text=_("未登记或不知道统一社会信用代码的经营者名称。"))
    operator_address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    operator_phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="",
                                           validators=[_OPERATOR_PHONE])
    operator_details = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    person_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                        help_text=_("被投诉的导游、家政服务员等个人的姓名。"))
    person_role = serializers.ChoiceField(choices=PractitionerKind.choices, required=False, allow_blank=True,
                                          default="")
    person_card_number = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                               help_text=_("导游证号或居家上门服务证编号（选填）。"))
    region_code = serializers.RegexField(r"^\d{6}$", max_length=6, required=False, allow_blank=True, default="",
                                         help_text=_("受理地行政区划代码：被投诉人未登记时必填。"))
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(choices=Complaint._meta.get_field("category").choices)
    description = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=Complaint._meta.get_field("channel").choices, default="web")
    complainant_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    complainant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                              validators=[phone_validator])
    complainant_count = serializers.IntegerField(min_value=1, max_value=10000, default=1)
    representatives = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                            help_text=_("代表人姓名，以顿号或逗号分隔；4 人以上共同投诉时可推选 1 至 3 名。"))
    representative_names = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=50, required=False,
        help_text=_("代表人姓名列表（与 representatives 二选一）。"))
    incident_date = serializers.DateField()
    received_on = serializers.DateField(required=False, help_text=_(
        "信函、热线工单的收到日期（工作人员录入时填写，不晚于今天、不早于事发日期）；不填为今天。"))

    def validate(self, attrs):
        code = attrs.pop("entity_credit_code", None)
        names = attrs.pop("representative_names", None)
        if names is not None:
            if attrs.get("representatives") and representative_names(attrs["representatives"]) != \
                    representative_names(names):
                raise serializers.ValidationError({"representatives": [_("representatives 与 representative_names 不一致。")]})
            attrs["representatives"] = names
        if attrs.get("entity") is None and code:
            entity = Entity.objects.filter(credit_code=normalize_credit_code(code)).first()
            if entity is None:
                raise serializers.ValidationError({"entity_credit_code": [_("未找到该统一社会信用代码对应的主体。")]})
            attrs["entity"] = entity
        elif code and normalize_credit_code(code) != attrs["entity"].credit_code:
            raise serializers.ValidationError({"entity_credit_code": [_("与 entity 不是同一主体。")]})
        return attrs


class ComplaintFiledSerializer(ModelSerializer):
    """What the complainant gets back: the id and the tracking code to follow it anonymously."""

    class Meta:
        model = Complaint
        fields = ["id", "tracking_code", "status", "received_on", "accept_due", "rejection_reason"]
        read_only_fields = fields


_HANDLING_FIELDS = [
    "id", "entity", "entity_name", "entity_credit_code", "category", "description", "channel", "incident_date",
    "received_on", "status", "outcome", "resolution", "rejection_reason", "late_filing", "accept_due",
    "notify_due", "business_notified_on", "reply_due", "resolve_due", "accepted_on", "resolved_on", "overdue",
    "business_response", "business_responded_at", "created_at", "updated_at",
    # the respondent, when it is not (yet) a registered entity, and the receiving region
    "respondent_kind", "respondent_name", "operator_name", "operator_address", "operator_phone", "operator_details",
    "person", "person_name", "person_role", "person_card_number", "region_code", "sector",
    # acceptance review, business notice, mediation
    "rejection_ground", "transferred_to", "transferred_contact", "transferred_on", "business_notice",
    "business_notice_number", "notice_issued_on", "notice_overdue", "reply_overdue", "mediation_result",
    "mediation_terms", "mediation_complainant_signed_on", "mediation_respondent_signed_on",
    "mediation_termination_reason", "mediation_document",
    # the household worker the complaint names beside the firm (complaints.worker_links)
    "worker",
]


class ComplaintSerializer(ModelSerializer):
    """Inspectors' and the business's view: no complainant name, phone or tracking code."""

    entity_name = serializers.CharField(source="entity.name", read_only=True, allow_null=True)
    entity_credit_code = serializers.CharField(source="entity.credit_code", read_only=True, allow_null=True)
    respondent_name = serializers.CharField(read_only=True)
    business_notice_number = serializers.CharField(source="business_notice.number", read_only=True,
                                                   allow_null=True)

    class Meta:
        model = Complaint
        fields = _HANDLING_FIELDS
        read_only_fields = fields


class RegulatorComplaintSerializer(ComplaintSerializer):
    """监管人员: everything, including who complained."""

    representatives = serializers.SerializerMethodField(help_text=_("代表人姓名，以顿号分隔。"))
    representative_names = serializers.ListField(source="representatives", child=serializers.CharField(),
                                                 read_only=True)

    class Meta:
        model = Complaint
        fields = [*_HANDLING_FIELDS, "complainant_name", "complainant_phone", "complainant_count",
                  "representatives", "representative_names", "tracking_code", "late_filing_overridden"]
        read_only_fields = fields

    def get_representatives(self, complaint: Complaint) -> str:
        return "、".join(complaint.representatives or [])


class ComplaintEventSerializer(ModelSerializer):
    class Meta:
        model = ComplaintEvent
        fields = ["action", "from_status", "to_status", "actor_name", "reason", "created_at"]
        read_only_fields = fields


class PublicEventSerializer(ModelSerializer):
    class Meta:
        model = ComplaintEvent
        fields = ["action", "to_status", "created_at"]
        read_only_fields = fields


class DocumentSectionSerializer(Serializer):
    heading = serializers.CharField(read_only=True)
    text = serializers.CharField(read_only=True)


class PublicDocumentSerializer(ModelSerializer):
    """A notice as the complainant reads it on the tracking page: number, date, text, service."""

    authority = serializers.CharField(source="authority.name", read_only=True)
    content = DocumentSectionSerializer(many=True, read_only=True)

    class Meta:
        model = ServedDocument
        fields = ["id", "kind", "number", "title", "authority", "recipient", "content", "issued_on",
                  "delivery_method", "delivered_on"]
        read_only_fields = fields


class ComplaintTrackSerializer(ModelSerializer):
    """Public tracking: status, deadlines and the notices addressed to the complainant; no personal data."""

    entity_name = serializers.CharField(source="entity.name", read_only=True, allow_null=True)
    respondent_name = serializers.CharField(read_only=True)
    history = PublicEventSerializer(source="events", many=True, read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["tracking_code", "entity_name", "respondent_name", "category", "status", "outcome", "received_on",
                  "accept_due", "resolve_due", "overdue", "rejection_reason", "rejection_ground", "transferred_to",
                  "transferred_contact", "updated_at", "history", "documents"]
        read_only_fields = fields

    @extend_schema_field(PublicDocumentSerializer(many=True))
    def get_documents(self, complaint: Complaint):
        return PublicDocumentSerializer(complaint_documents(complaint.pk, for_complainant=True), many=True).data


class TransitionSerializer(Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=ComplaintOutcome.choices, required=False, allow_blank=True,
                                      default="")


# The request fields below take the same choices as a model field of another name; described inline, they do not
# make drf-spectacular name one choice set twice (its W001 fails ``check --deploy``).
@extend_schema_field({"type": "string", "enum": ["", *RejectionGround.values],
                      "description": "不予受理情形：" + "、".join(RejectionGround.values)})
class _GroundField(serializers.ChoiceField):
    pass


@extend_schema_field({"type": "string", "enum": MediationResult.values,
                      "description": "agreement（调解书）或 termination（终止调解书）"})
class _MediationResultField(serializers.ChoiceField):
    pass


class RejectSerializer(Serializer):
    """不予受理: the ground (structured) and its detail; ``reason`` alone is still accepted."""

    ground = _GroundField(choices=RejectionGround.choices, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                   help_text=_("不予受理的具体理由（告知投诉人）。"))


class TransferSerializer(Serializer):
    department = serializers.CharField(max_length=200, help_text=_("承办部门名称，如“运城市市场监督管理局”。"))
    department_contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                               help_text=_("承办部门联系方式（选填）。"))
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BusinessNoticeSerializer(Serializer):
    """答复通知书; its service may be recorded at once (or later on the document)."""

    delivery_method = serializers.ChoiceField(choices=DeliveryMethod.choices, required=False, allow_blank=True,
                                              default="")
    delivered_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class MediationSerializer(Serializer):
    """调解结果: ``agreement`` (调解书: terms and both sides' signing dates) or ``termination`` (reason)."""

    result = _MediationResultField(choices=MediationResult.choices)
    terms = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    complainant_signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    respondent_signed_on = serializers.DateField(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


@extend_schema_field(OpenApiTypes.INT)
class _RecordId(ScopedPrimaryKeyRelatedField):
    """The id of a registry record the caller may see (the schema says integer)."""


class LinkSerializer(Serializer):
    """关联: the registry record the respondent turned out to be (one of ``entity`` and ``person``)."""

    entity = _RecordId(entities_for, required=False, allow_null=True, default=None)
    person = _RecordId(persons_for, required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RespondSerializer(Serializer):
    statement = serializers.CharField(max_length=5000)


class ViolationTypeSerializer(ModelSerializer):
    class Meta:
        model = ViolationType
        fields = ["id", "code", "name", "sector", "default_severity", "legal_basis", "safety_related", "active"]


class FindingSerializer(ModelSerializer):
    violation_code = serializers.SlugRelatedField(
        source="violation_type", slug_field="code", queryset=ViolationType.objects.filter(active=True)
    )
    violation_name = serializers.CharField(source="violation_type.name", read_only=True)
    severity = serializers.ChoiceField(choices=Finding._meta.get_field("severity").choices, required=False)
    fine_amount = AmountField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
    entity = serializers.IntegerField(source="inspection.entity_id", read_only=True)
    inspection = serializers.IntegerField(source="inspection_id", read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "inspection", "entity", "violation_code", "violation_name", "severity", "description",
                  "penalty", "fine_amount", "decision_number", "decided_on", "rectify_by", "rectified_on", "worker"]
        # worker: named after the inspection is recorded (POST /findings/<id>/worker/, complaints.worker_links)
        read_only_fields = ["id", "inspection", "entity", "violation_name", "worker"]


@extend_schema_field({"type": "integer", "nullable": True})
class CampaignIdField(ScopedPrimaryKeyRelatedField):
    """A 专项行动 the caller may see (complaints.campaign_selectors.campaigns_for; the schema says integer)."""

    def __init__(self, **kwargs):
        super().__init__(campaigns_for, **kwargs)


class InspectionSerializer(ModelSerializer):
    findings = FindingSerializer(many=True, required=False, default=list)
    # Scoped to the inspector: another region's entity or complaint is "does not exist", like a missing id.
    entity = ScopedPrimaryKeyRelatedField(entities_for)
    complaint = ScopedPrimaryKeyRelatedField(complaints_for, required=False, allow_null=True)
    plan_item = ScopedPrimaryKeyRelatedField(plan_items_for, required=False, allow_null=True)
    # 专项行动 (complaints.campaign_services: scope and period); a campaign draw's item brings its own
    campaign = CampaignIdField(required=False, allow_null=True)
    inspector = serializers.PrimaryKeyRelatedField(read_only=True)
    inspector_name = serializers.CharField(source="inspector.get_username", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "entity", "inspector", "inspector_name", "inspected_on", "kind", "complaint", "plan_item",
                  "campaign", "summary", "findings", "created_at", "updated_at"]
        read_only_fields = ["id", "inspector", "inspector_name", "created_at", "updated_at"]

    def validate_findings(self, value):
        if len(value) > 200:
            raise serializers.ValidationError(_("一次检查最多记录 200 条问题。"))
        return value


class RectifySerializer(Serializer):
    rectified_on = serializers.DateField()


class PlanItemSerializer(Serializer):
    entity = serializers.IntegerField(source="entity_id")
    entity_name = serializers.CharField(source="entity.name")
    credit_code = serializers.CharField(source="entity.credit_code")
    region_code = serializers.CharField(source="entity.region_code")
    grade = serializers.CharField()
    inspector = serializers.IntegerField(source="inspector_id", allow_null=True)


class InspectionPlanSerializer(ModelSerializer):
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["id", "month", "region_prefix", "seed", "rates", "population_size", "sample_size", "excluded",
                  "published", "published_at", "created_at", "items", "campaign"]
        read_only_fields = fields


class PublicPlanItemSerializer(Serializer):
    entity_name = serializers.CharField(source="entity.name")
    credit_code = serializers.CharField(source="entity.credit_code")
    inspected_on = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    def _inspection(self, item):
        return getattr(item, "inspection", None)

    def get_inspected_on(self, item) -> str | None:
        inspection = self._inspection(item)
        return inspection.inspected_on.isoformat() if inspection else None

    def get_findings(self, item) -> int | None:
        inspection = self._inspection(item)
        return len(inspection.findings.all()) if inspection else None


class PublicInspectionPlanSerializer(ModelSerializer):
    """公开: the plan, its seed (so anyone can re-check the draw) and each result."""

    items = PublicPlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = InspectionPlan
        fields = ["id", "month", "region_prefix", "seed", "rates", "population_size", "sample_size", "excluded",
                  "published_at", "items"]
        read_only_fields = fields


class PlanDrawSerializer(Serializer):
    month = serializers.DateField()
    region_prefix = serializers.RegexField(r"^\d{2}(\d{2}){0,2}$", max_length=6)
    rates = serializers.DictField(child=serializers.FloatField(), required=False)
    campaign = CampaignIdField(required=False, allow_null=True,
                               help_text=_("为专项行动抽取：总体限于行动的行业和地区范围。"))
