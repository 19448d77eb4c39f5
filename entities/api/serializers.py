"""Shapes of the registry endpoints (API.md: Registry). Rules live in entities.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.serializers import ModelSerializer
from entities.models import Entity, Licence, Person, PersonRole
from entities.validators import normalize_credit_code, normalize_id_number, validate_id_number


class EntitySerializer(ModelSerializer):
    class Meta:
        model = Entity
        fields = [
            "id", "credit_code", "name", "sector", "category", "region_code", "address", "status",
            "created_at", "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def to_internal_value(self, data):
        if isinstance(data, dict) and isinstance(data.get("credit_code"), str):
            data = {**data, "credit_code": normalize_credit_code(data["credit_code"])}
        return super().to_internal_value(data)


class PersonSerializer(ModelSerializer):
    id_number = serializers.CharField(
        write_only=True, max_length=32, help_text=_("18 位居民身份证号码，只写；仅保存其密钥哈希与脱敏形式。")
    )

    class Meta:
        model = Person
        fields = ["id", "name", "id_number", "id_number_masked", "created_at", "updated_at"]
        read_only_fields = ["id", "id_number_masked", "created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and "id_number" in self.fields:
            # The ID number identifies the person: it is set once and never changed.
            self.fields["id_number"].required = False
            self.fields["id_number"].read_only = True

    def validate_id_number(self, value: str) -> str:
        number = normalize_id_number(value)
        validate_id_number(number)
        return number


class PersonUpdateSerializer(PersonSerializer):
    """Updates of a person: the ID number identifies the person and is never changed (nor documented as writable)."""

    id_number = None

    class Meta(PersonSerializer.Meta):
        fields = ["id", "name", "id_number_masked", "created_at", "updated_at"]


class AppointmentWarningSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("listed_person、role_at_listed_entity、penalty_ban 或 unchecked"))
    detail = serializers.CharField()


class PersonRoleSerializer(ModelSerializer):
    """任职. ``flagged`` / ``flag_reasons`` / ``warnings``: the appointment was recorded while a restriction binds
    the person (or could not be checked); shown to regulators and inspectors, null or empty for others."""

    warnings = serializers.SerializerMethodField(help_text=_("任职预警：受任职限制的事由（保存仍然有效）。"))

    class Meta:
        model = PersonRole
        fields = ["id", "entity", "person", "role", "started_on", "ended_on", "flagged", "flag_reasons",
                  "flagged_at", "checked_at", "warnings", "created_at", "updated_at"]
        read_only_fields = ["id", "flagged", "flag_reasons", "flagged_at", "checked_at", "created_at", "updated_at"]

    def _official(self) -> bool:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return bool(user is not None and (getattr(user, "is_regulator", False) or getattr(user, "is_inspector", False)))

    @extend_schema_field(AppointmentWarningSerializer(many=True))
    def get_warnings(self, role: PersonRole) -> list[dict]:
        if not self._official():
            return []
        return [{"code": reason.get("code", ""), "detail": reason.get("detail", "")} for reason in role.flag_reasons]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self._official():
            data.update(flagged=None, flag_reasons=[], flagged_at=None, checked_at=None)
        return data

    def validate(self, attrs):
        started = attrs.get("started_on", getattr(self.instance, "started_on", None))
        ended = attrs.get("ended_on", getattr(self.instance, "ended_on", None))
        if started and ended and ended < started:
            raise serializers.ValidationError({"ended_on": [_("终止日期不得早于起始日期。")]})
        return attrs


class LicenceSerializer(ModelSerializer):
    class Meta:
        model = Licence
        fields = [
            "id", "entity", "licence_type", "number", "issued_on", "expires_on", "status",
            "created_at", "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        issued = attrs.get("issued_on", getattr(self.instance, "issued_on", None))
        expires = attrs.get("expires_on", getattr(self.instance, "expires_on", None))
        if issued and expires and expires < issued:
            raise serializers.ValidationError({"expires_on": [_("有效期至不得早于发证日期。")]})
        return attrs
