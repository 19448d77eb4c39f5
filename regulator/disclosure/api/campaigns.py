"""``GET /api/v1/public/campaigns/`` and ``/public/campaigns/<id>/``: ended 专项行动 and their results.

No login, throttled like every public endpoint. Only campaigns whose period has ended (the day after ``ends_on``,
Beijing date) are found; a running one is a 404 until then. The answer is regulator.disclosure.campaigns': counts
over exactly the tagged inspections, no inspector, no finding's text, the description redacted.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from complaints.api.campaigns import CampaignResultsSerializer
from complaints.campaigns import CampaignKind
from config.api.pagination import StandardPagination
from config.api.serializers import Serializer
from core.scope import Sector
from regulator.disclosure import campaigns
from regulator.disclosure.api.public import _PublicView

_NOT_FOUND = OpenApiResponse(description="无此已结束的专项行动（进行中的行动在结束日期次日起公开）")
_BAD_PAGE = OpenApiResponse(description="页码或每页条数不合法")


class PublicViolationTypeSerializer(Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CampaignSummarySerializer(Serializer):
    inspections = serializers.IntegerField()
    entities_inspected = serializers.IntegerField()
    findings = serializers.IntegerField()
    penalties = serializers.IntegerField()


class PublicCampaignSerializer(Serializer):
    """已结束的专项行动 as the public reads it."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    kind_label = serializers.CharField()
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices))
    sector_labels = serializers.ListField(child=serializers.CharField())
    region_prefix = serializers.CharField()
    region_name = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    description = serializers.CharField(help_text="行动说明（已脱敏）")
    violation_types = PublicViolationTypeSerializer(many=True)


class PublicCampaignListItemSerializer(PublicCampaignSerializer):
    summary = CampaignSummarySerializer()


class PublicCampaignPageSerializer(Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PublicCampaignListItemSerializer(many=True)


class PublicCampaignResultsSerializer(CampaignResultsSerializer):
    campaign = None  # the detail names the campaign itself


class PublicCampaignDetailSerializer(PublicCampaignSerializer):
    results = PublicCampaignResultsSerializer()


class PublicCampaignListView(_PublicView):
    """已结束的专项行动 (newest end first)."""

    @extend_schema(summary="已结束的专项行动", operation_id="api_v1_public_campaigns_list", parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
                   responses={200: PublicCampaignPageSerializer, 400: _BAD_PAGE, 404: OpenApiResponse(
                       description="无效页面")})
    def get(self, request):
        paginator = StandardPagination()
        page = paginator.paginate_queryset(campaigns.public_campaigns(today=timezone.localdate()), request, view=self)
        rows = PublicCampaignListItemSerializer(campaigns.campaign_rows(list(page)), many=True).data
        return paginator.get_paginated_response(rows)


class PublicCampaignView(_PublicView):
    """一项已结束的专项行动及其结果."""

    @extend_schema(summary="专项行动结果公开", responses={200: PublicCampaignDetailSerializer, 404: _NOT_FOUND})
    def get(self, request, campaign_id: int):
        campaign = campaigns.public_campaign(campaign_id, today=timezone.localdate())
        if campaign is None:
            raise Http404
        return Response(PublicCampaignDetailSerializer(campaigns.campaign_answer(campaign)).data)
