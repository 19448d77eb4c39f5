"""Shapes of the lists endpoints (API.md: Lists): listings, objections, repair, imports, licence checks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from entities.models import Entity, LicenceType, Person
from entities.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
)
from regulator.lists import imports, licence_checks, selectors
from regulator.lists.models import (
    Listing,
    ListType,
    Objection,
    RepairApplication,
    RuleSet,
    SubjectType,
)


class ObjectionSerializer(ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "listing", "statement", "filed_at", "answer", "upheld", "answered_at"]
        read_only_fields = ["id", "listing", "filed_at", "answer", "upheld", "answered_at"]

class ObjectionAnswerSerializer(Serializer):
    answer = serializers.CharField(max_length=10000)
    upheld = serializers.BooleanField()

class ListingSerializer(ModelSerializer):
    entity = serializers.PrimaryKeyRelatedField(queryset=Entity.objects.all(), required=False, allow_null=True)
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    source = serializers.SerializerMethodField()
    restrictions = serializers.SerializerMethodField()
    subject_name = serializers.CharField(read_only=True)
    rule_set_version = serializers.IntegerField(source="rule_set.version", read_only=True)

    class Meta:
        model = Listing
        fields = [
            "id", "list_type", "subject_type", "entity", "person", "subject_name", "related_entity", "person_role",
            "reason", "legal_basis", "source", "source_type", "source_id", "source_rule", "status",
            "rule_set_version", "period_days", "notified_on", "objection_due", "decided_on", "decision_number",
            "measures", "appeal_routes", "published_on", "expires_on", "ended_on", "end_reason",
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

class DecisionSerializer(Serializer):
    reason = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    legal_basis = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    appeal_routes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    decision_number = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    period_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)

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
    listing = ScopedPrimaryKeyRelatedField(selectors.listings_for)
    evidence = serializers.ListField(child=serializers.CharField(max_length=500), max_length=50, allow_empty=True)

    class Meta:
        model = RepairApplication
        fields = ["id", "listing", "statement", "evidence", "commitment", "training_record", "status", "filed_on",
                  "decision_due", "decided_on", "decision_reason"]
        read_only_fields = ["id", "status", "filed_on", "decision_due", "decided_on", "decision_reason"]
        # One open application per listing is a state conflict the service answers 409 (repair_pending),
        # not a field error DRF would derive from the partial UniqueConstraint.
        validators: list = []

class RepairDecisionSerializer(Serializer):
    grant = serializers.BooleanField()
    reason = serializers.CharField(max_length=5000)

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
