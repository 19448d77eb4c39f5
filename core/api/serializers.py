"""Shapes of the account endpoints (API.md: Accounts)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api.serializers import ModelSerializer
from core.models import User, UserRole
from core.scope import Sector, validate_region_prefix


class UserSerializer(ModelSerializer):
    password = serializers.CharField(write_only=True, required=False, min_length=8, max_length=128,
                                     style={"input_type": "password"})
    region_codes = serializers.ListField(child=serializers.CharField(max_length=6), required=False, max_length=100)
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices), required=False,
                                    max_length=10)
    # The registry's businesses, reached through the relation (the kernel imports no domain app).
    entities = serializers.PrimaryKeyRelatedField(
        queryset=User._meta.get_field("entities").related_model.objects.all(), many=True, required=False)

    class Meta:
        model = User
        fields = ["id", "username", "password", "role", "region_codes", "sectors", "entities",
                  "first_name", "last_name", "email", "is_active", "last_login", "date_joined"]
        read_only_fields = ["id", "last_login", "date_joined"]

    def validate_region_codes(self, value: list[str]) -> list[str]:
        errors = []
        for code in value:
            try:
                validate_region_prefix(code)
            except DjangoValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise serializers.ValidationError(errors)
        return sorted(set(value))

    def validate_sectors(self, value: list[str]) -> list[str]:
        return sorted(set(value))

    def validate(self, attrs):
        role = attrs.get("role", getattr(self.instance, "role", UserRole.BUSINESS))
        regions = attrs.get("region_codes", getattr(self.instance, "region_codes", []))
        sectors = attrs.get("sectors", getattr(self.instance, "sectors", []))
        if role == UserRole.INSPECTOR:
            errors = {}
            if not regions:
                errors["region_codes"] = [_("检查人员必须指定辖区。")]
            if not sectors:
                errors["sectors"] = [_("检查人员必须指定行业范围。")]
            if errors:
                raise serializers.ValidationError(errors)
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("新建账户必须设置密码。")]})
        return attrs


class MeSerializer(ModelSerializer):
    role = serializers.CharField(source="effective_role", read_only=True)
    # Blank when the account has no email: documented as an address or "" (like UserSerializer's).
    email = serializers.EmailField(read_only=True, allow_blank=True)

    class Meta:
        model = User
        fields = ["id", "username", "role", "region_codes", "sectors", "entities", "first_name", "last_name",
                  "email", "is_superuser"]
        read_only_fields = fields
