"""Shapes of complaints, inspections and findings (API.md: Complaints and inspections).

Three views of a complaint: the regulator's (with the complainant's details),
the handling view for inspectors and the business (without them), and the
public tracking view (status only, no personal data, no complaint text).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintOutcome,
    Finding,
    Inspection,
    InspectionPlan,
    ViolationType,
)
from complaints.selectors import complaints_for, plan_items_for
from config.api.serializers import AmountField, ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from entities.models import Entity
from entities.selectors import entities_for
from entities.validators import normalize_credit_code

phone_validator = RegexValidator(r"^\+?[0-9][0-9 \-]{4,19}$", _("请输入有效的电话号码。"))


class ComplaintCreateSerializer(Serializer):
    entity = serializers.PrimaryKeyRelatedField(queryset=Entity.objects.all(), required=False)
    entity_credit_code = serializers.CharField(required=False, max_length=32)
    category = serializers.ChoiceField(choices=Complaint._meta.get_field("category").choices)
    description = serializers.CharField(max_length=5000)
    channel = serializers.ChoiceField(choices=Complaint._meta.get_field("channel").choices, default="web")
    complainant_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    complainant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                              validators=[phone_validator])
    complainant_count = serializers.IntegerField(min_value=1, max_value=10000, default=1)
    representatives = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    incident_date = serializers.DateField()

    def validate(self, attrs):
        code = attrs.pop("entity_credit_code", None)
        if attrs.get("entity") is None:
            if not code:
                raise serializers.ValidationError({"entity": [_("请指定被投诉主体（entity 或 entity_credit_code）。")]})
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
]


class ComplaintSerializer(ModelSerializer):
    """Inspectors' and the business's view: no complainant name, phone or tracking code."""

    entity_name = serializers.CharField(source="entity.name", read_only=True)
    entity_credit_code = serializers.CharField(source="entity.credit_code", read_only=True)

    class Meta:
        model = Complaint
        fields = _HANDLING_FIELDS
        read_only_fields = fields


class RegulatorComplaintSerializer(ComplaintSerializer):
    """监管人员: everything, including who complained."""

    class Meta:
        model = Complaint
        fields = [*_HANDLING_FIELDS, "complainant_name", "complainant_phone", "complainant_count",
                  "representatives", "tracking_code", "late_filing_overridden"]
        read_only_fields = fields


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


class ComplaintTrackSerializer(ModelSerializer):
    """Public tracking: status and deadlines only."""

    entity_name = serializers.CharField(source="entity.name", read_only=True)
    history = PublicEventSerializer(source="events", many=True, read_only=True)

    class Meta:
        model = Complaint
        fields = ["tracking_code", "entity_name", "category", "status", "outcome", "received_on", "accept_due",
                  "resolve_due", "overdue", "rejection_reason", "updated_at", "history"]
        read_only_fields = fields


class TransitionSerializer(Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=ComplaintOutcome.choices, required=False, allow_blank=True,
                                      default="")


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
                  "penalty", "fine_amount", "decision_number", "decided_on", "rectify_by", "rectified_on"]
        read_only_fields = ["id", "inspection", "entity", "violation_name"]


class InspectionSerializer(ModelSerializer):
    findings = FindingSerializer(many=True, required=False, default=list)
    # Scoped to the inspector: another region's entity or complaint is "does not exist", like a missing id.
    entity = ScopedPrimaryKeyRelatedField(entities_for)
    complaint = ScopedPrimaryKeyRelatedField(complaints_for, required=False, allow_null=True)
    plan_item = ScopedPrimaryKeyRelatedField(plan_items_for, required=False, allow_null=True)
    inspector = serializers.PrimaryKeyRelatedField(read_only=True)
    inspector_name = serializers.CharField(source="inspector.get_username", read_only=True)

    class Meta:
        model = Inspection
        fields = ["id", "entity", "inspector", "inspector_name", "inspected_on", "kind", "complaint", "plan_item",
                  "summary", "findings", "created_at", "updated_at"]
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
                  "published", "published_at", "created_at", "items"]
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
