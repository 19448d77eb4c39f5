"""Serializers of the 诚信评选 (awards) API: rounds, applications, steps, and the public notice and objections."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.api.serializers import DateField, ModelSerializer, Serializer
from core.scope import Sector
from regulator.lists.awards import AwardApplication, AwardKind, AwardRound


class AwardRoundSerializer(ModelSerializer):
    kind = serializers.ChoiceField(choices=AwardKind.choices)
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices), required=False,
                                    help_text=_("参评行业；为空表示全部行业。"))
    conditions = serializers.ListField(child=serializers.DictField(), required=False,
                                       help_text=_("本批次附加条件，与规则集 awards.criteria 同格式；未知条件代码 400。"))
    opens_on = DateField()
    closes_on = DateField()
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    rule_set_version = serializers.IntegerField(source="rule_set.version", read_only=True)

    class Meta:
        model = AwardRound
        fields = ["id", "kind", "kind_label", "name", "region_code", "sectors", "opens_on", "closes_on",
                  "conditions", "status", "status_label", "rule_set_version", "created_at"]
        read_only_fields = ["id", "status", "created_at"]
        validators: list = []


class CheckResultSerializer(Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text=_("条件（文字）"))
    passed = serializers.BooleanField()
    detail = serializers.CharField(help_text=_("核验情况（文字）"))


class AwardApplicationSerializer(ModelSerializer):
    round = serializers.PrimaryKeyRelatedField(read_only=True)
    entity = serializers.PrimaryKeyRelatedField(read_only=True)
    entity_name = serializers.CharField(source="entity.name", read_only=True)
    kind = serializers.CharField(source="round.kind", read_only=True)
    kind_label = serializers.CharField(source="round.get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    check_results = CheckResultSerializer(many=True, read_only=True)

    class Meta:
        model = AwardApplication
        fields = ["id", "round", "entity", "entity_name", "kind", "kind_label", "channel", "statement", "status",
                  "status_label", "check_results", "checked_on", "notice_starts_on", "notice_due",
                  "notice_working_days", "decided_on", "decision_number", "valid_until", "legal_basis", "ended_on",
                  "end_reason", "revoked_automatically", "red_listing", "created_at", "updated_at"]
        read_only_fields = fields


class AwardFileSerializer(Serializer):
    entity = serializers.IntegerField(min_value=1, help_text=_("经营主体编号：企业只能为自己代表的主体申报；监管人员推荐任一主体。"))
    statement = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class AwardStepSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="",
                                   help_text=_("理由：不予通过、撤销时必填。"))


class AwardObjectionAnswerSerializer(Serializer):
    objection = serializers.IntegerField(min_value=1, help_text=_("公示异议编号"))
    answer = serializers.CharField(max_length=5000)


class PublicAwardSerializer(Serializer):
    """A notice or an award as the public sees it: no check internals beyond words, never an objector."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    round_name = serializers.CharField()
    entity_name = serializers.CharField()
    credit_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    notice_starts_on = serializers.DateField(allow_null=True)
    notice_due = serializers.DateField(allow_null=True)
    decision_number = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    legal_basis = serializers.CharField(allow_blank=True)


class PublicAwardsSerializer(Serializer):
    as_of = serializers.DateField()
    in_notice = PublicAwardSerializer(many=True)
    granted = PublicAwardSerializer(many=True)


class AwardBadgeSerializer(Serializer):
    """诚信评选称号 in force, as a search result or an operator page shows it."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=AwardKind.choices)
    kind_label = serializers.CharField(help_text=_("称号（中文）"))
    round_name = serializers.CharField()
    decision_number = serializers.CharField(help_text=_("授予决定文号"))
    decided_on = serializers.DateField()
    valid_until = serializers.DateField()
    legal_basis = serializers.CharField()


class PublicObjectionSerializer(Serializer):
    reason = serializers.CharField(max_length=5000, help_text=_("异议理由（必填）"))
    name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                                 help_text=_("异议人（选填，不公开）"))
    contact = serializers.CharField(required=False, allow_blank=True, max_length=100, default="",
                                    help_text=_("联系方式（选填，不公开）"))


class PublicObjectionReceiptSerializer(Serializer):
    id = serializers.IntegerField()
    application = serializers.IntegerField()
    filed_on = serializers.DateField()
    message = serializers.CharField()


def public_row(application: AwardApplication) -> dict:
    return {"id": application.pk, "kind": application.round.kind, "kind_label": application.round.get_kind_display(),
            "round_name": application.round.name, "entity_name": application.entity.name,
            "credit_code": application.entity.credit_code, "status": application.status,
            "status_label": application.get_status_display(), "notice_starts_on": application.notice_starts_on,
            "notice_due": application.notice_due, "decision_number": application.decision_number,
            "decided_on": application.decided_on, "valid_until": application.valid_until,
            "legal_basis": application.legal_basis}
