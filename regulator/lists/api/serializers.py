"""Shapes of the lists endpoints (API.md: Lists): listings, objections, repair, imports, licence checks."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema_field
from rest_framework import serializers

from complaints.selectors import findings_for
from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from core.api.documents import DeliverySerializer
from core.api.serializers import ReceiptSerializer
from core.models import ServedDocument
from entities.models import Entity, LicenceType, Person
from entities.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)
from regulator.lists import imports, licence_checks, selectors
from regulator.lists import services as listing_services
from regulator.lists.models import (
    Listing,
    ListType,
    Objection,
    ObjectionOutcome,
    RepairApplication,
    RuleSet,
    SubjectType,
)


class DocumentSummarySerializer(ModelSerializer):
    """A served document in brief (the whole one at ``/api/v1/documents/<id>/``, printable at ``html/``, ``pdf/``)."""

    served = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServedDocument
        fields = ["id", "kind", "number", "title", "issued_on", "delivery_method", "announced_on", "delivered_on",
                  "served"]
        read_only_fields = fields


class ObjectionSerializer(ModelSerializer):
    """陈述申辩. A business files its own (``received_on`` is the day filed); a regulator records a paper one
    for any subject, with the day it was received (``received_on``, required then) and who made it."""

    received_on = serializers.DateField(required=False, allow_null=True,
                                        help_text=_("书面申辩：机关收到之日（监管人员登记时必填）。"))
    objector_name = serializers.CharField(required=False, allow_blank=True, max_length=200,
                                          help_text=_("书面申辩：申辩人姓名或名称（默认为被列入主体）。"))

    class Meta:
        model = Objection
        fields = ["id", "listing", "statement", "received_on", "channel", "objector_name", "filed_at", "answer",
                  "upheld", "outcome", "answered_at"]
        read_only_fields = ["id", "listing", "channel", "filed_at", "answer", "upheld", "outcome", "answered_at"]
        validators: list = []


class ObjectionAnswerSerializer(Serializer):
    answer = serializers.CharField(max_length=10000)
    upheld = serializers.BooleanField()
    outcome = serializers.ChoiceField(choices=ObjectionOutcome.choices, required=False, allow_blank=True, default="",
                                      help_text=_("申辩成立时必选：withdraw 撤回终止程序；revise 退回重新拟定。"))

class ListingSerializer(ModelSerializer):
    entity = serializers.PrimaryKeyRelatedField(queryset=Entity.objects.all(), required=False, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    source = serializers.SerializerMethodField()
    restrictions = serializers.SerializerMethodField()
    subject_name = serializers.CharField(read_only=True)
    rule_set_version = serializers.IntegerField(source="rule_set.version", read_only=True)
    notice_document = DocumentSummarySerializer(read_only=True, allow_null=True, help_text=_("告知书：编号、签发与送达日期。"))
    decision_document = DocumentSummarySerializer(read_only=True, allow_null=True, help_text=_("认定决定书：编号、签发与送达日期。"))
    objection_working_days = serializers.IntegerField(source="objection_days", read_only=True,
                                                      help_text=_("告知书载明的陈述申辩期（工作日，自送达之日起算）。"))

    class Meta:
        model = Listing
        fields = [
            "id", "list_type", "subject_type", "entity", "person", "subject_name", "related_entity", "person_role",
            "reason", "legal_basis", "source", "source_type", "source_id", "source_rule", "status",
            "rule_set_version", "period_days", "notified_on", "objection_due", "objection_working_days",
            "notice_document", "decided_on", "decision_number", "decision_document", "measures", "measure_codes",
            "appeal_routes", "published_on", "expires_on", "ended_on", "end_reason",
            "source_authority", "source_reference", "restrictions", "created_at", "updated_at",
        ]
        read_only_fields = [f for f in fields if f not in {"list_type", "subject_type", "entity", "person",
                                                           "related_entity", "person_role", "reason",
                                                           "legal_basis"}]
        # Uniqueness of open proposals is the database's job (answered 409 by the service), not a required field.
        validators: list = []
        extra_kwargs = {"legal_basis": {"required": False, "allow_blank": True},
                        "related_entity": {"required": False, "allow_null": True},
                        "person_role": {"required": False, "allow_blank": True}}

    def get_source(self, listing: Listing) -> dict:
        return {"type": listing.source_type, "id": listing.source_id, "rule": listing.source_rule,
                "authority": listing.source_authority or None}

    def get_restrictions(self, listing: Listing) -> list[dict]:
        role = "entity" if listing.subject_type == SubjectType.ENTITY else (listing.person_role or "practitioner")
        return [
            {"licence_types": item["licence_types"], "effect": item["effect"], "basis": item.get("basis", ""),
             "until": listing.expires_on}
            for item in listing.rule_set.document.get("restrictions", [])
            if item["list_type"] == listing.list_type and role in item["subject_roles"]
        ]

@extend_schema_field({"oneOf": [{"type": "array", "items": {"type": "string"}, "maxItems": 50},
                                 {"type": "string", "maxLength": 2000}]})
class MeasureCodesField(serializers.Field):
    """Measure codes of the rule set's catalogue: a list, or one string of codes separated by commas."""

    def to_internal_value(self, data):
        if (isinstance(data, str) and len(data) > 2000) or (isinstance(data, list) and len(data) > 50):
            raise serializers.ValidationError(_("措施代码过多。"))
        try:
            return listing_services.measure_codes_parse(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["measures"]) from exc

    def to_representation(self, value):
        return value


class NotifySerializer(Serializer):
    delivery = DeliverySerializer(required=False, help_text=_("当场送达等：同时登记告知书送达。"))


class ReviseSerializer(Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class DecisionSerializer(Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    measures = MeasureCodesField(required=False, help_text=_(
        "措施目录中的代码（GET .../measures/），列表或以逗号分隔；不填则适用该名单目录中的全部措施。"))
    appeal_routes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                          help_text=_("不再使用：救济途径由决定之日施行的规则集载明。"))
    decision_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                            help_text=_("不再使用：文号由决定机关的文书序列自动编号。"))
    period_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)
    delivery = DeliverySerializer(required=False, help_text=_("同时登记认定决定书送达。"))

class ImportRowSerializer(Serializer):
    credit_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    id_number = serializers.CharField(required=False, allow_blank=True, max_length=32, write_only=True)
    name = serializers.CharField(max_length=200)
    list_type = serializers.ChoiceField(choices=ListType.choices)
    reason = serializers.CharField(max_length=5000)
    legal_basis = serializers.CharField(max_length=500)
    decided_on = serializers.DateField()
    published_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    source_authority = serializers.CharField(max_length=200)
    source_reference = serializers.CharField(max_length=200)
    decision_number = serializers.CharField(required=False, allow_blank=True, max_length=100)
    measures = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.CharField(required=False, allow_blank=True, max_length=40)
    region_code = serializers.CharField(required=False, allow_blank=True, max_length=6)

class ImportSerializer(Serializer):
    rows = ImportRowSerializer(many=True, allow_empty=False, max_length=imports.MAX_ROWS)

class RepairSerializer(ModelSerializer):
    """信用修复申请 of a listing or of a penalty's publicity (``finding``): exactly one. A regulator records a
    paper application with the day it was received (``filed_on``) and the applicant's name."""

    listing = ScopedPrimaryKeyRelatedField(selectors.listings_for, required=False, allow_null=True)
    finding = ScopedPrimaryKeyRelatedField(findings_for, required=False, allow_null=True,
                                           help_text=_("申请修复的行政处罚（检查发现）。"))
    evidence = serializers.ListField(child=serializers.CharField(max_length=500), max_length=50, allow_empty=True)
    filed_on = serializers.DateField(required=False, allow_null=True,
                                     help_text=_("书面申请：机关收到之日（仅监管人员登记时使用）。"))
    applicant_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    decision_document = DocumentSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = RepairApplication
        fields = ["id", "listing", "finding", "channel", "applicant_name", "statement", "evidence", "commitment",
                  "training_record", "status", "filed_on", "decision_due", "decided_on", "decision_reason",
                  "decision_document", "publicity_ended_on"]
        read_only_fields = ["id", "channel", "status", "decision_due", "decided_on", "decision_reason",
                            "decision_document", "publicity_ended_on"]
        # One open application per listing is a state conflict the service answers 409 (repair_pending),
        # not a field error DRF would derive from the partial UniqueConstraint.
        validators: list = []

class RepairDecisionSerializer(Serializer):
    grant = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000)
    delivery = DeliverySerializer(required=False, help_text=_("同时登记信用修复决定书送达。"))

class LicenceTypeField(serializers.ChoiceField):
    """A code of the licence-type catalogue (``GET /api/v1/licence-types/``); anything else is a 400 naming the field.

    The check fails closed: a typo such as ``travel_agency`` matches no restriction, so it must never reach it.
    """

    def __init__(self, **kwargs):
        super().__init__(choices=LicenceType.choices, **kwargs)

    def to_internal_value(self, data):
        if not licence_checks.licence_type_known(data):
            raise serializers.ValidationError(licence_checks.unknown_licence_type_message(data), code="invalid_choice")
        return data


class LicenceTypeSerializer(Serializer):
    code = serializers.CharField(help_text=_("许可类型代码（licence_type）"))
    name = serializers.CharField(help_text=_("中文名称"))
    sector = serializers.CharField(help_text=_("所属行业代码"))
    sector_name = serializers.CharField(help_text=_("所属行业中文名称"))


class LicenceCheckSerializer(Serializer):
    licence_type = LicenceTypeField()
    applicant_credit_code = serializers.CharField(required=False, allow_blank=True, max_length=32)
    person_id_numbers = serializers.ListField(child=serializers.CharField(max_length=32), required=False,
                                              max_length=50, default=list)
    as_of = serializers.DateField(required=False)

    def validate_applicant_credit_code(self, value: str) -> str:
        value = normalize_credit_code(value)
        if value:
            validate_credit_code(value)
        return value

    def validate_person_id_numbers(self, value: list[str]) -> list[str]:
        from django.core.exceptions import ValidationError as DjangoValidationError

        cleaned, errors = [], []
        for number in value:
            try:
                validate_id_number(normalize_id_number(number))
                cleaned.append(normalize_id_number(number))
            except DjangoValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise serializers.ValidationError(errors)
        return cleaned

    def validate(self, attrs):
        if not attrs.get("applicant_credit_code") and not attrs.get("person_id_numbers"):
            raise serializers.ValidationError({"applicant_credit_code": [_("须给出申请主体或申请人身份证号。")]})
        return attrs

class BatchLicenceCheckSerializer(Serializer):
    checks = LicenceCheckSerializer(many=True, allow_empty=False, max_length=1000)

    def to_internal_value(self, data):
        """A bad check is named by its index: ``{"checks": {"3": {"licence_type": [...]}}}`` (as imports name rows)."""
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as exc:
            detail = exc.detail
            items = detail.get("checks") if isinstance(detail, dict) else None
            if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
                detail["checks"] = {str(index): item for index, item in enumerate(items) if item}
            raise

class RuleSetSerializer(ModelSerializer):
    class Meta:
        model = RuleSet
        fields = ["id", "version", "name", "effective_from", "document", "created_at"]
        read_only_fields = ["id", "created_at"]


class LicenceCheckRowSerializer(serializers.Serializer):
    """一条限制（或提示）：哪条名单或哪项处罚、针对谁、依据哪条措施、到何时为止。"""

    listing_id = serializers.IntegerField(allow_null=True)
    finding_id = serializers.IntegerField(allow_null=True, help_text="处罚本身构成限制时，为该检查发现的编号。")
    list_type = serializers.ChoiceField(choices=ListType.choices)
    subject = serializers.CharField(help_text="被限制者（主体名称与代码，或掩码身份证号及其任职）。")
    subject_role = serializers.CharField()
    until = serializers.DateField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    restriction = serializers.CharField(allow_blank=True, help_text="限制措施的依据。")
    effect = serializers.CharField(help_text="deny（不予许可）或 warn（提示）。")
    start_event = serializers.CharField()


class LicenceCheckAnswerSerializer(serializers.Serializer):
    """许可核查结果，附签名回执。``allowed`` 为 false 时 ``blocking`` 列明每条限制。"""

    licence_type = serializers.CharField()
    licence_type_name = serializers.CharField()
    as_of = serializers.DateField()
    allowed = serializers.BooleanField()
    blocking = LicenceCheckRowSerializer(many=True)
    warnings = LicenceCheckRowSerializer(many=True)
    unknown = serializers.ListField(child=serializers.CharField(),
                                    help_text="未在登记库中找到的输入（如 applicant_credit_code）。")
    data_version = serializers.IntegerField()
    receipt = ReceiptSerializer()


class BatchLicenceCheckAnswerSerializer(serializers.Serializer):
    """批量许可核查结果，按请求顺序，每项附其回执。"""

    results = LicenceCheckAnswerSerializer(many=True)


class ListingMeasuresSerializer(serializers.Serializer):
    """今日施行的规则集为该名单给出的措施目录、救济途径、最长期限与陈述申辩期。"""

    measures = serializers.ListField(child=serializers.DictField(), help_text="[{code, label, basis, ...}]")
    appeal_routes = serializers.ListField(child=serializers.DictField(), help_text="[{route, label, text}]")
    period_days_max = serializers.IntegerField()
    objection_working_days = serializers.IntegerField()


_RECEIPT_EXAMPLE = {
    "payload": {"kind": "licence_check", "receipt_format": 2, "checked_at": "2026-12-01T10:00:00+08:00",
                "as_of": "2026-12-01", "data_version": 6,
                "subject": {"type": "entity", "credit_code": "91140800MA0H2K3L4X", "name": "运城市某某旅行社有限公司"},
                "question": {"text": "能否取得旅行社业务经营许可", "licence_type": "travel_agency_business"},
                "result": "不予许可：1 条名单限制该许可。", "query_sha256": "…", "result_sha256": "…"},
    "signature": "…", "algorithm": "Ed25519", "key_id": "…", "public_key": "…", "jws": "…"}
_ANSWER_EXAMPLE = {
    "licence_type": "travel_agency_business", "licence_type_name": "旅行社业务经营许可", "as_of": "2026-12-01",
    "allowed": False, "blocking": [{
        "listing_id": 12, "finding_id": None, "list_type": "black",
        "subject": "entity 91140800MA0H2K3L4X 运城市某某旅行社有限公司", "subject_role": "entity",
        "until": "2029-03-02", "starts_on": "2026-03-02", "reason": "未经许可经营出境旅游业务",
        "restriction": "（规则集载明的依据）", "effect": "deny", "start_event": "listing_decision"}],
    "warnings": [], "unknown": [], "data_version": 6, "receipt": _RECEIPT_EXAMPLE}
_CHECK_REQUEST = {"licence_type": "travel_agency_business", "applicant_credit_code": "91140800MA0H2K3L4X",
                  "person_id_numbers": []}

#: examples of the licence check operations (extend_schema ``examples``)
LICENCE_CHECK_EXAMPLES = [
    OpenApiExample("申请人在名单上", value=_CHECK_REQUEST, request_only=True),
    OpenApiExample("不予许可", value=_ANSWER_EXAMPLE, response_only=True, status_codes=["200"]),
]
BATCH_LICENCE_CHECK_EXAMPLES = [
    OpenApiExample("两个申请人", request_only=True, value={"checks": [
        _CHECK_REQUEST, {"licence_type": "elderly_care_filing", "applicant_credit_code": "52140800MJ0T2Q5N8L"}]}),
    OpenApiExample("逐项结果", response_only=True, status_codes=["200"], value={"results": [_ANSWER_EXAMPLE]}),
]
