"""全覆盖 and 回炉培训行动 under ``/api/v1/coverage/``, ``/api/v1/me/coverage/`` and ``/api/v1/retraining-campaigns/``.

Thin views over entities.coverage (one set-based statement per figure, scoped to the caller) and
entities.retraining_selectors / retraining_services. Regulators and inspectors read coverage in their scope; a
business reads its own firms' coverage at ``me/coverage/``; regulators deploy campaigns.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.filters import query_integer
from config.api.pagination import StandardPagination
from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from entities import coverage, retraining_services
from entities import retraining_selectors as campaign_selectors
from entities.retraining import RetrainingCampaign, RetrainingPhase
from entities.worker_selectors import workers_for

_ERROR = {"$ref": "#/components/schemas/Error"}
_BAD = OpenApiResponse(response={"$ref": "#/components/schemas/ValidationError"},
                       description="未知的地市或县区代码、县区不属于所选地市，或页码、条数不合法（按参数名给出错误）")
_FORBIDDEN = OpenApiResponse(response=_ERROR, description="未登录，或不是监管、检查人员账户")
_AREA = [OpenApiParameter("city", str, description="地市行政区划代码，如 140800（运城市），或其前 4 位 1408"),
         OpenApiParameter("district", str, description="县（市、区）行政区划代码，如 140802（盐湖区）")]


class RegulatorsAndInspectors(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_regulator or user.is_inspector))


def _area(request) -> coverage.Area:
    repeated = {name: [_("该参数只能给出一个值。")] for name in ("city", "district")
                if len(request.query_params.getlist(name)) > 1}
    if repeated:
        raise ValidationError(repeated)
    try:
        return coverage.area_filter(city=request.query_params.get("city", ""),
                                    district=request.query_params.get("district", ""))
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


# ------------------------------------------------------------------ shapes

_SHARE = {"allow_null": True, "help_text": "占在职人数的比例（0–1，四位小数）；无在职人员时为空"}


class _Counts(Serializer):
    region_code = serializers.CharField(help_text="行政区划代码（合计行为空）")
    region_name = serializers.CharField(help_text="行政区划名称")
    workers = serializers.IntegerField(help_text="在职家政服务员（按从业登记计）")
    identity_verified = serializers.IntegerField()
    identity_verified_share = serializers.FloatField(**_SHARE)
    health_valid = serializers.IntegerField(help_text="健康体检在有效期内")
    health_valid_share = serializers.FloatField(**_SHARE)
    training_done = serializers.IntegerField(help_text="已完成岗前或回炉培训")
    training_done_share = serializers.FloatField(**_SHARE)
    complete = serializers.IntegerField(help_text="档案完整（身份已核验、体检有效、已培训）")
    complete_share = serializers.FloatField(**_SHARE)
    cards_issued = serializers.IntegerField(help_text="持有未注销的居家上门服务证")
    cards_issued_share = serializers.FloatField(**_SHARE)
    cards_valid = serializers.IntegerField(help_text="服务证当日有效")
    cards_valid_share = serializers.FloatField(**_SHARE)
    health_expiring = serializers.IntegerField(help_text="体检 30 日内到期")


class DistrictCoverageSerializer(_Counts):
    firms = serializers.IntegerField(help_text="家政服务企业（存续或停业）")
    firms_with_file = serializers.IntegerField(help_text="已建企业信用档案（当日至少一名在职人员在档）")
    firms_with_file_share = serializers.FloatField(allow_null=True)
    firms_complete = serializers.IntegerField(help_text="全部在职人员档案完整的企业")
    firms_complete_share = serializers.FloatField(allow_null=True)
    firms_with_gaps = serializers.IntegerField(help_text="无在职人员在档或有人员档案不完整的企业")


class CoverageAnswerSerializer(Serializer):
    as_of = serializers.DateField()
    total = DistrictCoverageSerializer(help_text="所选范围合计")
    results = DistrictCoverageSerializer(many=True, help_text="按县区")


class FirmCoverageSerializer(_Counts):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    firm_with_file = serializers.BooleanField()
    fully_covered = serializers.BooleanField()


class FirmCoveragePageSerializer(Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = FirmCoverageSerializer(many=True)
    as_of = serializers.DateField()


class CoverageFirmGapSerializer(Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    workers = serializers.IntegerField()
    complete = serializers.IntegerField()
    incomplete = serializers.IntegerField()
    missing_identity = serializers.IntegerField()
    missing_health = serializers.IntegerField()
    missing_training = serializers.IntegerField()
    no_workers = serializers.BooleanField(help_text="当日无在职人员在档")


class CoverageWorkerGapSerializer(Serializer):
    employment_id = serializers.IntegerField()
    entity_id = serializers.IntegerField()
    entity_name = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    person_id = serializers.IntegerField()
    person_name = serializers.CharField()
    id_number_masked = serializers.CharField()
    missing = serializers.ListField(child=serializers.ChoiceField(choices=["identity", "health", "training"]))
    health_expires_on = serializers.DateField(allow_null=True, help_text="有效体检的最后有效日")
    health_expiring = serializers.BooleanField(help_text="体检 30 日内到期")
    days_left = serializers.IntegerField(allow_null=True)
    card_valid = serializers.BooleanField()


class CoverageGapsSerializer(Serializer):
    as_of = serializers.DateField()
    firms_count = serializers.IntegerField()
    firms = CoverageFirmGapSerializer(many=True, help_text="人员缺档的企业（最多 limit 条）")
    expiring_count = serializers.IntegerField()
    expiring = CoverageWorkerGapSerializer(many=True, help_text="30 日内到期的健康体检（最多 limit 条）")


class RetrainingProgressRowSerializer(Serializer):
    phase_firm_id = serializers.IntegerField()
    campaign_id = serializers.IntegerField()
    campaign_name = serializers.CharField()
    phase_id = serializers.IntegerField()
    phase_number = serializers.IntegerField()
    phase_name = serializers.CharField()
    starts_on = serializers.DateField()
    deadline = serializers.DateField()
    entity_id = serializers.IntegerField()
    entity_name = serializers.CharField()
    credit_code = serializers.CharField()
    region_code = serializers.CharField()
    targets = serializers.IntegerField(help_text="目标人数")
    done = serializers.IntegerField(help_text="在批次期间内完成回炉培训的人数")
    share = serializers.FloatField(allow_null=True)
    missed = serializers.BooleanField(help_text="截止日已过且未全部完成")
    flagged_on = serializers.DateField(allow_null=True, help_text="逾期被记录的日期（每晚）")
    days_left = serializers.IntegerField(help_text="距截止日天数（负数为已过）")


class MyCoverageSerializer(Serializer):
    as_of = serializers.DateField()
    firms = FirmCoverageSerializer(many=True)
    workers_with_gaps_count = serializers.IntegerField()
    workers_with_gaps = CoverageWorkerGapSerializer(many=True, help_text="档案不完整或体检 30 日内到期的人员")
    retraining = RetrainingProgressRowSerializer(many=True, help_text="本单位须完成的回炉培训批次")


@extend_schema_field(OpenApiTypes.INT)
class _PersonId(ScopedPrimaryKeyRelatedField):
    """A worker the caller may see (the schema says integer)."""


class RetrainingPhaseSerializer(ModelSerializer):
    firms = ScopedPrimaryKeyRelatedField(campaign_selectors.firms_visible, many=True, write_only=True,
                                         help_text="目标企业编号")
    workers = _PersonId(workers_for, many=True, write_only=True, required=False,
                                           help_text="目标人员编号（不填为目标企业当日全部在职人员）")
    firm_count = serializers.IntegerField(read_only=True, help_text="目标企业数")

    class Meta:
        model = RetrainingPhase
        fields = ["id", "number", "name", "starts_on", "deadline", "firms", "workers", "firm_count"]
        read_only_fields = ["id", "number", "firm_count"]


class RetrainingCampaignSerializer(ModelSerializer):
    phases = RetrainingPhaseSerializer(many=True)

    class Meta:
        model = RetrainingCampaign
        fields = ["id", "name", "sector", "region_code", "starts_on", "ends_on", "description", "phases",
                  "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate(self, attrs):
        if attrs["ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError({"ends_on": [_("结束日期不得早于开始日期。")]})
        return attrs


class RetrainingProgressPageSerializer(Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RetrainingProgressRowSerializer(many=True)
    as_of = serializers.DateField()


# ------------------------------------------------------------------ coverage views


class CoverageView(APIView):
    """全覆盖: per district, firms with a credit file, workers with a complete file, cards, and each share."""

    permission_classes = [RegulatorsAndInspectors]

    @extend_schema(summary="家政全覆盖（按县区）", parameters=_AREA,
                   responses={200: CoverageAnswerSerializer, 400: _BAD, 401: _FORBIDDEN, 403: _FORBIDDEN})
    def get(self, request):
        day = timezone.localdate()
        rows = coverage.district_coverage(request.user, _area(request), day=day)
        return Response({"as_of": day, "total": coverage.coverage_totals(rows), "results": rows})


class CoverageFirmsView(APIView):
    """全覆盖 per firm (district, then name), paginated."""

    permission_classes = [RegulatorsAndInspectors]

    @extend_schema(summary="家政全覆盖（按企业）", parameters=[
        *_AREA, OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: FirmCoveragePageSerializer, 400: _BAD, 401: _FORBIDDEN, 403: _FORBIDDEN,
                   404: OpenApiResponse(response=_ERROR, description="页码超出最后一页")})
    def get(self, request):
        area = _area(request)
        paginator = StandardPagination()
        number, size = paginator.requested(request)
        if number == "last":
            raise ValidationError({"page": [_("页码应为一个正整数。")]})
        day = timezone.localdate()
        page = coverage.firm_coverage(request.user, area, day=day, number=number, size=size)
        if page is None:
            raise Http404(_("无效页面。"))
        response = paginator.page_response(request, count=page.count, number=page.number, size=size,
                                           results=page.rows)
        response.data["as_of"] = day
        return response


def _limit(request) -> int:
    value = query_integer(request, "limit", _("条数应为 1 至 %(max)s 的整数。") % {"max": coverage.MAX_GAP_ROWS},
                          minimum=1, maximum=coverage.MAX_GAP_ROWS)
    return 100 if value is None else value


class CoverageGapsView(APIView):
    """缺档清单: firms whose workers lack files, and health checks expiring within 30 days."""

    permission_classes = [RegulatorsAndInspectors]

    @extend_schema(summary="家政全覆盖缺口清单", parameters=[
        *_AREA, OpenApiParameter("limit", int, description="每个清单最多返回的条数（默认 100，最多 500）")],
        responses={200: CoverageGapsSerializer, 400: _BAD, 401: _FORBIDDEN, 403: _FORBIDDEN})
    def get(self, request):
        area, limit, day = _area(request), _limit(request), timezone.localdate()
        firms_count, firms = coverage.firm_gaps(request.user, area, day=day, limit=limit)
        expiring_count, expiring = coverage.worker_gaps(request.user, area, day=day, limit=limit,
                                                        expiring_only=True)
        return Response({"as_of": day, "firms_count": firms_count, "firms": firms,
                         "expiring_count": expiring_count, "expiring": expiring})


class MyCoverageView(APIView):
    """本单位的全覆盖: the business's own firms, which workers lack what, and its 回炉 phases to meet."""

    @extend_schema(summary="本单位的家政全覆盖情况", responses={
        200: MyCoverageSerializer, 403: OpenApiResponse(response=_ERROR, description="不是经营主体账户")})
    def get(self, request):
        if not request.user.is_business:
            raise PermissionDenied(_("仅供经营主体账户使用。"))
        return Response(campaign_selectors.own_coverage(request.user))


# ------------------------------------------------------------------ 回炉培训行动


class _RegulatorWritesOthersRead(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return request.method in permissions.SAFE_METHODS or user.is_regulator


@extend_schema_view(
    list=extend_schema(summary="回炉培训行动列表", responses={200: RetrainingCampaignSerializer(many=True), 401: _FORBIDDEN}),
    retrieve=extend_schema(summary="查看回炉培训行动", responses={
        200: RetrainingCampaignSerializer, 404: OpenApiResponse(response=_ERROR, description="不存在或不在权限范围内")}),
    create=extend_schema(summary="部署回炉培训行动（分批、分期）", responses={
        201: RetrainingCampaignSerializer, 400: OpenApiResponse(response={"$ref": "#/components/schemas/ValidationError"},
                                                      description="期间、批次、目标企业或人员有误"),
        403: _FORBIDDEN}))
class RetrainingCampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                                viewsets.GenericViewSet):
    """回炉培训行动: campaigns in batches and phases; progress per target firm and phase."""

    serializer_class = RetrainingCampaignSerializer
    permission_classes = [_RegulatorWritesOthersRead]
    queryset = RetrainingCampaign.objects.none()

    def get_queryset(self):
        return campaign_selectors.campaigns_for(self.request.user).order_by("-starts_on", "-id")

    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        campaign = retraining_services.campaign_create(actor=request.user, phases=[dict(p) for p in data.pop("phases")],
                                                       **data)
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(self.get_serializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="回炉培训行动进度（按企业、按批次）", request=None, parameters=[
        OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={200: RetrainingProgressPageSerializer, 400: _BAD,
                   404: OpenApiResponse(response=_ERROR, description="不存在、不在权限范围内或页码超出最后一页")})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        campaign = self.get_object()
        paginator = StandardPagination()
        number, size = paginator.requested(request)
        if number == "last":
            raise ValidationError({"page": [_("页码应为一个正整数。")]})
        day = timezone.localdate()
        page = campaign_selectors.progress(request.user, campaign_ids=[campaign.pk], day=day, number=number,
                                           size=size)
        if page is None:
            raise Http404(_("无效页面。"))
        response = paginator.page_response(request, count=page.count, number=page.number, size=size,
                                           results=page.rows)
        response.data["as_of"] = day
        return response


urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="coverage"),
    path("coverage/firms/", CoverageFirmsView.as_view(), name="coverage-firms"),
    path("coverage/gaps/", CoverageGapsView.as_view(), name="coverage-gaps"),
    path("me/coverage/", MyCoverageView.as_view(), name="me-coverage"),
]


def register(router) -> None:
    """The campaign routes, added to the registry's router (entities/api/urls.py)."""
    router.register("retraining-campaigns", RetrainingCampaignViewSet, basename="retraining-campaign")
