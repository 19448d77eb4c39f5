"""Shapes of the public answers and of ``/me/`` for the OpenAPI schema (API.md: Public, Self-service).

The views build these answers as dicts (``regulator.disclosure.selectors``, ``core.receipts``); these
serializers only document them, so a generated client parses each answer into its model classes instead of
returning ``None``. ``tests/schema/test_response_schemas.py`` validates real answers against them.
"""

from __future__ import annotations

from rest_framework import serializers

from complaints.api.serializers import ComplaintSerializer, FindingSerializer
from complaints.models import Penalty
from core.api.serializers import ReceiptSerializer
from entities.api.serializers import EntitySerializer
from entities.models import Sector
from ratings.api.serializers import BreakdownLineSerializer, CreditSerializer
from regulator.disclosure.api.reviews import ReviewSummarySerializer
from regulator.lists.api.serializers import ListingSerializer
from regulator.lists.models import ListType, SubjectType


class PublishedStatementSerializer(serializers.Serializer):
    """经审核公开的回应声明 (a business's statement beside its listing or penalty)."""

    text = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


class PublicListingSerializer(serializers.Serializer):
    """公示的名单记录: a published listing as the public sees it (persons' names masked)."""

    id = serializers.IntegerField()
    list_type = serializers.ChoiceField(choices=ListType.choices)
    subject_type = serializers.ChoiceField(choices=SubjectType.choices)
    name = serializers.CharField(help_text="主体名称；自然人为掩码姓名。")
    credit_code = serializers.CharField(allow_null=True, help_text="统一社会信用代码；自然人为 null。")
    related_entity_name = serializers.CharField(allow_null=True, help_text="自然人所关联的主体名称。")
    person_role = serializers.CharField(allow_null=True)
    sector = serializers.ChoiceField(choices=Sector.choices, allow_null=True)
    region_code = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(allow_blank=True)
    decision_number = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField(allow_null=True)
    published_on = serializers.DateField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    measures = serializers.CharField(allow_blank=True)
    source_authority = serializers.CharField(allow_null=True)
    statements = PublishedStatementSerializer(many=True, required=False,
                                              help_text="经审核公开的回应声明（名单查询与主体公示信息中给出）。")


class _Stamped(serializers.Serializer):
    as_of = serializers.DateField(help_text="答复所依据的日期（北京时间）。")
    data_version = serializers.IntegerField(help_text="公开数据版本号（最近一次公开变更）。")
    receipt = ReceiptSerializer()


class PublicListPageSerializer(_Stamped):
    """名单查询的一页结果，附签名回执。A page of a published list, with a signed receipt."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicListingSerializer(many=True)


class PublicPenaltySerializer(serializers.Serializer):
    """公示期内的行政处罚。A published penalty inside its publicity period."""

    id = serializers.IntegerField()
    violation = serializers.CharField()
    legal_basis = serializers.CharField(allow_blank=True)
    penalty = serializers.ChoiceField(choices=Penalty.choices)
    fine_amount = serializers.FloatField(allow_null=True, help_text="罚款金额（元）。")
    decision_number = serializers.CharField(allow_blank=True)
    decided_on = serializers.DateField()
    publicity_until = serializers.DateField()
    repairable_from = serializers.DateField()
    rectified_on = serializers.DateField(allow_null=True)
    statements = PublishedStatementSerializer(many=True)


class PublicProfileSerializer(_Stamped):
    """主体公示信息：公示中的名单与行政处罚，附签名回执。An operator's public record, with a signed receipt."""

    credit_code = serializers.CharField()
    name = serializers.CharField()
    sector = serializers.ChoiceField(choices=Sector.choices)
    category = serializers.CharField()
    region_code = serializers.CharField()
    status = serializers.CharField()
    grade = serializers.CharField(allow_null=True, help_text="公众不显示信用等级：始终为 null。")
    listings = PublicListingSerializer(many=True)
    penalties = PublicPenaltySerializer(many=True)
    reviews = ReviewSummarySerializer(allow_null=True, required=False,
                                      help_text="家政服务企业：已公开的客户评价条数与平均分；其他行业为 null。")


class PublicChangeSerializer(serializers.Serializer):
    """公开数据的一次变更。"""

    data_version = serializers.IntegerField()
    change = serializers.CharField()
    changed_at = serializers.DateTimeField()
    listing_id = serializers.IntegerField(allow_null=True)
    public = serializers.BooleanField(help_text="该名单记录现在是否公示。")
    listing = PublicListingSerializer(allow_null=True, help_text="公示中的名单记录；已不公示时为 null。")


class PublicChangesSerializer(_Stamped):
    """``since`` 之后的公开数据变更（每次至多 1000 条，``more`` 为 true 时继续取）。"""

    since = serializers.IntegerField()
    results = PublicChangeSerializer(many=True)
    more = serializers.BooleanField()


class ReceiptVerificationSerializer(serializers.Serializer):
    """回执核验结果：有效的回执另给出其主体、所问、结果与数据版本。"""

    valid = serializers.BooleanField()
    failure = serializers.CharField(required=False, help_text="无效的原因代码（signature、result_mismatch 等）。")
    message = serializers.CharField(required=False)
    algorithm = serializers.CharField()
    key_id = serializers.CharField()
    kind = serializers.CharField(required=False, allow_null=True)
    subject = serializers.DictField(required=False, allow_null=True)
    subject_text = serializers.CharField(required=False, allow_null=True)
    question = serializers.DictField(required=False, allow_null=True)
    result = serializers.CharField(required=False, allow_null=True)
    data_version = serializers.IntegerField(required=False, allow_null=True)
    as_of = serializers.CharField(required=False, allow_null=True)
    checked_at = serializers.CharField(required=False, allow_null=True)


class MeEntitySerializer(EntitySerializer):
    """本单位的信用档案：主体信息、信用分与明细、名单、未整改的检查发现、投诉（不含投诉人信息）。"""

    credit = CreditSerializer()
    score = serializers.IntegerField()
    grade = serializers.CharField()
    breakdown = BreakdownLineSerializer(many=True)
    listings = ListingSerializer(many=True)
    open_findings = FindingSerializer(many=True)
    complaints = ComplaintSerializer(many=True)

    class Meta(EntitySerializer.Meta):
        fields = [*EntitySerializer.Meta.fields, "credit", "score", "grade", "breakdown", "listings",
                  "open_findings", "complaints"]


class SelfServiceSerializer(serializers.Serializer):
    """经营主体账户本人及其主体的信用档案。"""

    username = serializers.CharField()
    entities = MeEntitySerializer(many=True)
