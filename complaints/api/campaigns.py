"""专项行动 (campaigns) for staff: ``/api/v1/campaigns/`` (list, create), ``/campaigns/<id>/`` (read, PATCH),
``/campaigns/<id>/results/`` and ``POST /api/v1/inspections/<id>/campaign/`` (tag, move or untag an inspection).

Regulators set campaigns up within their jurisdiction; regulators and inspectors read those of their region
(complaints.campaign_selectors). Writes go through complaints.campaign_services; the results count exactly the
inspections tagged to the campaign. The public reads ended campaigns' results at ``/api/v1/public/campaigns/``
(regulator.disclosure.api.campaigns).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import campaign_selectors, campaign_services
from complaints.api.serializers import CampaignIdField, InspectionSerializer
from complaints.campaigns import MAX_DESCRIPTION, Campaign, CampaignKind
from complaints.models import ViolationType
from complaints.selectors import inspections_for
from config.api.permissions import IsRegulator
from config.api.serializers import ModelSerializer, Serializer
from core.scope import Sector, region_name

_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")
_BAD = OpenApiResponse(description="字段不合法（响应体指明字段），如类型未知、日期颠倒、不在辖区或已有检查超出新范围")
_FORBIDDEN = OpenApiResponse(description="无权执行（只有监管人员可以设立或修改专项行动）")


def campaign_phase(campaign: Campaign, today) -> str:
    """upcoming | running | ended (ended from the day after ``ends_on``)."""
    if today < campaign.starts_on:
        return "upcoming"
    return "ended" if campaign.ended(today) else "running"


class CampaignSerializer(ModelSerializer):
    """专项行动: the campaign as staff read and write it (codes; the pages show the labels)."""

    kind = serializers.ChoiceField(choices=CampaignKind.choices)
    sectors = serializers.ListField(child=serializers.ChoiceField(choices=Sector.choices), allow_empty=False,
                                    max_length=len(Sector.choices))
    region_prefix = serializers.RegexField(r"^\d{2}(\d{2}){0,2}$", max_length=6,
                                           help_text=_("行政区划前缀：14 全省，1408 运城市，140802 盐湖区。"))
    region_name = serializers.SerializerMethodField()
    violation_codes = serializers.SlugRelatedField(
        source="violation_types", slug_field="code", many=True, required=False,
        queryset=ViolationType.objects.filter(active=True), help_text=_("重点违法行为类型代码（/api/v1/violation-types/）。"))
    description = serializers.CharField(max_length=MAX_DESCRIPTION, required=False, allow_blank=True)
    phase = serializers.SerializerMethodField(help_text=_("upcoming 未开始；running 进行中；ended 已结束（结果公开）。"))
    inspection_count = serializers.IntegerField(read_only=True, help_text=_("标记为本行动的检查数。"))

    class Meta:
        model = Campaign
        fields = ["id", "name", "kind", "sectors", "region_prefix", "region_name", "starts_on", "ends_on",
                  "violation_codes", "description", "phase", "inspection_count", "created_at", "updated_at"]
        read_only_fields = ["id", "region_name", "phase", "inspection_count", "created_at", "updated_at"]

    def get_region_name(self, campaign: Campaign) -> str:
        return region_name(campaign.region_prefix.ljust(6, "0")) or ""

    @extend_schema_field(serializers.ChoiceField(choices=["upcoming", "running", "ended"]))
    def get_phase(self, campaign: Campaign) -> str:
        return campaign_phase(campaign, timezone.localdate())


class SeverityCountsSerializer(Serializer):
    minor = serializers.IntegerField()
    general = serializers.IntegerField()
    serious = serializers.IntegerField()
    grave = serializers.IntegerField()


class FindingTotalsSerializer(Serializer):
    total = serializers.IntegerField()
    targeted = serializers.IntegerField(help_text=_("属于本行动重点违法行为类型的检查发现。"))
    other = serializers.IntegerField(help_text=_("其他类型的检查发现（照常记录，单列）。"))


class FindingTypeRowSerializer(Serializer):
    violation_code = serializers.CharField()
    violation_name = serializers.CharField()
    targeted = serializers.BooleanField()
    count = serializers.IntegerField()
    by_severity = SeverityCountsSerializer()


class PenaltyCountsSerializer(Serializer):
    warning = serializers.IntegerField()
    fine = serializers.IntegerField()
    suspension = serializers.IntegerField()
    revocation = serializers.IntegerField()


class PenaltyTotalsSerializer(Serializer):
    total = serializers.IntegerField()
    by_kind = PenaltyCountsSerializer()
    fine_total = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)


class CampaignResultsSerializer(Serializer):
    """专项行动结果: counted over exactly the inspections tagged to the campaign."""

    campaign = serializers.IntegerField()
    inspections = serializers.IntegerField()
    entities_inspected = serializers.IntegerField()
    inspections_with_findings = serializers.IntegerField()
    findings = FindingTotalsSerializer()
    findings_by_type = FindingTypeRowSerializer(many=True)
    findings_by_severity = SeverityCountsSerializer()
    penalties = PenaltyTotalsSerializer()


@extend_schema_view(
    list=extend_schema(summary="专项行动列表", responses={200: CampaignSerializer(many=True)}),
    retrieve=extend_schema(summary="专项行动详情", responses={200: CampaignSerializer, 404: _NOT_FOUND}),
    create=extend_schema(summary="设立专项行动", responses={201: CampaignSerializer, 400: _BAD, 403: _FORBIDDEN}),
    partial_update=extend_schema(summary="修改专项行动",
                                 responses={200: CampaignSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND}),
)
class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """专项行动: regulators write within their jurisdiction; regulators and inspectors read those of their region."""

    serializer_class = CampaignSerializer
    queryset = Campaign.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["kind", "region_prefix"]
    ordering_fields = ["id", "starts_on", "ends_on"]

    def get_permissions(self):
        if self.action in ("create", "partial_update", "update"):
            return [IsRegulator()]
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return campaign_selectors.campaigns_for(self.request.user).order_by("-starts_on", "-id")

    def _answer(self, campaign: Campaign, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=campaign.pk)
        return Response(CampaignSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = campaign_services.campaign_create(actor=request.user, **body.validated_data)
        return self._answer(campaign, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        campaign = self.get_object()
        body = self.get_serializer(campaign, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        campaign = campaign_services.campaign_update(campaign_id=campaign.pk, actor=request.user,
                                                     **body.validated_data)
        return self._answer(campaign)

    @extend_schema(summary="专项行动结果", responses={200: CampaignResultsSerializer, 404: _NOT_FOUND})
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        return Response(CampaignResultsSerializer(campaign_selectors.campaign_results(self.get_object())).data)


class InspectionCampaignSerializer(Serializer):
    campaign = CampaignIdField(allow_null=True, help_text=_("专项行动编号；null 取消标记。"))


class InspectionCampaignView(APIView):
    """Tag an inspection to a campaign, move it to another or untag it (scope and period checked)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=InspectionCampaignSerializer, summary="检查标记专项行动",
                   responses={200: InspectionSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND})
    def post(self, request, inspection_id: int):
        get_object_or_404(inspections_for(request.user), pk=inspection_id)
        body = InspectionCampaignSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        campaign_services.inspection_campaign_set(inspection_id=inspection_id, campaign=body.validated_data["campaign"],
                                                  actor=request.user)
        inspection = inspections_for(request.user).get(pk=inspection_id)
        return Response(InspectionSerializer(inspection, context={"request": request}).data)
