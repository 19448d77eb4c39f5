"""Shapes of the account endpoints (API.md: Accounts), and of the signed receipts every answer on the record carries."""

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


class ReceiptSubjectSerializer(serializers.Serializer):
    """回执的主体：主体以统一社会信用代码与名称，自然人以掩码姓名与证件号，名单查询以其文字。"""

    type = serializers.ChoiceField(choices=[("entity", "主体"), ("person", "自然人"), ("list", "名单")])
    credit_code = serializers.CharField(required=False)
    name = serializers.CharField(required=False, allow_blank=True, allow_null=True,
                                 help_text="主体名称；未在登记库中的主体为 null。")
    text = serializers.CharField(required=False)


class ReceiptQuestionSerializer(serializers.Serializer):
    """回执所证明的提问，``text`` 为其文字。"""

    text = serializers.CharField()


class ReceiptPayloadSerializer(serializers.Serializer):
    """回执内容：签名所覆盖的规范 JSON（键排序、无空格、UTF-8）。"""

    kind = serializers.CharField(help_text="答复种类，如 public_blacklist、licence_check。")
    receipt_format = serializers.IntegerField()
    checked_at = serializers.CharField(help_text="签发时间（ISO 8601，含时区）。")
    as_of = serializers.CharField(help_text="答复所依据的日期（ISO 8601）。")
    data_version = serializers.IntegerField()
    subject = ReceiptSubjectSerializer()
    question = ReceiptQuestionSerializer()
    result = serializers.CharField(help_text="答复的文字。")
    query_sha256 = serializers.CharField()
    result_sha256 = serializers.CharField(help_text="整个答复（result）规范 JSON 的 SHA-256。")


class ReceiptSerializer(serializers.Serializer):
    """签名回执（Ed25519）：任何人可在 ``POST /api/v1/public/receipts/verify/`` 核验，或以
    ``/.well-known/jwks.json`` 的公钥核验 ``jws``。A signed receipt anyone can verify."""

    payload = ReceiptPayloadSerializer()
    signature = serializers.CharField(help_text="payload 规范 JSON 的 Ed25519 签名（base64）。")
    algorithm = serializers.CharField()
    key_id = serializers.CharField()
    public_key = serializers.CharField()
    jws = serializers.CharField(help_text="同一 payload 的 JWS 紧凑序列化（RFC 7515，EdDSA）。")


class ReceiptKeySerializer(serializers.Serializer):
    """回执签名公钥。"""

    algorithm = serializers.CharField()
    key_id = serializers.CharField()
    public_key = serializers.CharField(help_text="Ed25519 公钥（base64）。")


class JsonWebKeySerializer(serializers.Serializer):
    kty = serializers.CharField()
    crv = serializers.CharField()
    x = serializers.CharField()
    kid = serializers.CharField()
    alg = serializers.CharField()
    use = serializers.CharField()


class JsonWebKeySetSerializer(serializers.Serializer):
    """回执公钥的 JWK Set（RFC 7517）。"""

    keys = JsonWebKeySerializer(many=True)
