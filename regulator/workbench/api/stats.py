"""统计 API: ``GET /api/v1/stats/`` (the metrics) and ``GET /api/v1/stats/{metric}/`` (their figures).

Staff (regulators, inspectors) read every metric at any level. Anyone else - the public, businesses, other
departments without a staff account - reads the public metrics at city or province level, with cells under
the suppression threshold withheld.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import Serializer
from core.scope import Sector, validate_region_code
from regulator.workbench import stats


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_regulator or user.is_inspector))


class MetricSerializer(Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    trend = serializers.BooleanField(help_text="按月趋势（month 有值）或时点数（month 为空）。")
    public = serializers.BooleanField(help_text="无需账户即可查询（市级及以上，小数值不公开）。")


class StatsQuerySerializer(Serializer):
    level = serializers.ChoiceField(choices=stats.LEVELS, default="city")
    region = serializers.CharField(required=False, allow_blank=True, max_length=6,
                                   help_text="行政区划代码：省 140000、市 140800、县区 140802。")
    sector = serializers.ChoiceField(choices=Sector.choices, required=False)
    month_from = serializers.DateField(required=False)
    month_to = serializers.DateField(required=False)
    as_of = serializers.DateField(required=False, help_text="快照日期（默认最新）。")

    def validate_region(self, value: str) -> str:
        if value:
            from django.core.exceptions import ValidationError as DjangoValidationError  # to a DRF error here
            try:
                validate_region_code(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from exc
        return value


class FigureSerializer(Serializer):
    month = serializers.DateField(allow_null=True)
    sector = serializers.CharField()
    sector_label = serializers.CharField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    key = serializers.CharField()
    key_label = serializers.CharField()
    value = serializers.IntegerField(allow_null=True, help_text="小于公开阈值时为空（suppressed 为 true）。")
    suppressed = serializers.BooleanField()


class FiguresSerializer(Serializer):
    metric = serializers.CharField()
    label = serializers.CharField()
    taken_on = serializers.DateField(allow_null=True)
    level = serializers.CharField()
    trend = serializers.BooleanField()
    results = FigureSerializer(many=True)


class MetricListView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="统计指标列表", responses={200: MetricSerializer(many=True)}, tags=["stats"])
    def get(self, request):
        staff = _staff(request.user)
        rows = [{"code": m.code, "label": str(m.label), "trend": m.trend, "public": m.public}
                for m in stats.METRICS.values() if staff or m.public]
        return Response(MetricSerializer(rows, many=True).data)


class FiguresView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="统计数值", parameters=[StatsQuerySerializer], responses={200: FiguresSerializer},
                   tags=["stats"])
    def get(self, request, metric: str):
        staff = _staff(request.user)
        found = stats.METRICS.get(metric)
        if found is None or not (staff or found.public):
            raise NotFound(_("没有这个统计指标。"))
        blank = [name for name in ("month_from", "month_to", "as_of", "level", "sector")
                 if name in request.query_params and not request.query_params[name].strip()]
        if blank:  # an empty date or choice is a mistake, not "no filter"
            raise ValidationError({name: [_("不能为空；不需要时请省略该参数。")] for name in blank})
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if not staff and params["level"] == "district":
            raise PermissionDenied(_("县区一级的统计仅对监管人员开放；公众可查询市级及以上。"))
        answer = stats.figures(metric, level=params["level"], region=params.get("region", ""),
                               sector=params.get("sector", ""), month_from=params.get("month_from"),
                               month_to=params.get("month_to"), taken_on=params.get("as_of"), public=not staff)
        return Response(FiguresSerializer(answer).data)
