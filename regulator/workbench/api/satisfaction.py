"""``GET /api/v1/stats/satisfaction/?city=&sector=&month=``: 满意在山西, satisfaction rates by sector, city, month.

Read live from complaints.satisfaction (aggregates only, never a rating or a comment). It is not one of the snapshot
metrics of ``/api/v1/stats/<name>/``: those sum counts, and a rate is a ratio of two sums read per filter. Anyone may
read it; for anyone but staff a cell of fewer than ``stats.SUPPRESS_BELOW`` ratings keeps its count and withholds
its average and rate, as the snapshot statistics withhold small cells.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.satisfaction import SOURCES, satisfaction_figures
from config.api.serializers import Serializer
from config.api.throttles import PublicThrottle
from core.scope import Sector, validate_region_code
from regulator.workbench import stats

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class SatisfactionQuerySerializer(Serializer):
    # blank means "all" (the page's filter form sends its empty options; the view drops them): the schema says so
    city = serializers.CharField(required=False, allow_blank=True, max_length=6,
                                 help_text="地市行政区划代码，如 140800（运城市）；留空为全部。")
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, allow_blank=True)
    month = serializers.CharField(required=False, allow_blank=True, max_length=7,
                                  help_text="月份，如 2026-11（北京时间）；留空为全部。")

    def validate_city(self, value: str) -> str:
        try:
            validate_region_code(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        if not value.endswith("00") or value.endswith("0000"):
            raise serializers.ValidationError(_("请填写地市一级的区划代码（如 140800）。"))
        return value

    def validate_month(self, value: str) -> datetime.date:
        found = _MONTH.match(value)
        if not found or not 1 <= int(found.group(2)) <= 12 or not 2000 <= int(found.group(1)) <= 2100:
            raise serializers.ValidationError(_("月份格式应为 YYYY-MM，如 2026-11。"))
        return datetime.date(int(found.group(1)), int(found.group(2)), 1)


class SatisfactionCellSerializer(Serializer):
    count = serializers.IntegerField(help_text="评价数")
    suppressed = serializers.BooleanField(help_text="评价数少于公开阈值时为 true，均分与满意率不公开")
    average = serializers.FloatField(allow_null=True, help_text="平均分（1-5）")
    satisfied = serializers.IntegerField(allow_null=True, help_text="4 分及以上的评价数")
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text="满意率（0-1）")


class SatisfactionRowSerializer(SatisfactionCellSerializer):
    month = serializers.CharField(help_text="YYYY-MM（北京时间）")
    sector = serializers.CharField()
    sector_label = serializers.CharField()
    city_code = serializers.CharField()
    city_name = serializers.CharField()
    source = serializers.ChoiceField(choices=list(SOURCES.items()))
    source_label = serializers.CharField()


class SatisfactionTotalsSerializer(Serializer):
    complaint_handling = SatisfactionCellSerializer()
    service_review = SatisfactionCellSerializer()
    all = SatisfactionCellSerializer()


class SatisfactionSerializer(Serializer):
    city = serializers.CharField()
    sector = serializers.CharField()
    month = serializers.CharField()
    satisfied_from = serializers.IntegerField(help_text="计为满意的最低分")
    results = SatisfactionRowSerializer(many=True)
    totals = SatisfactionTotalsSerializer()


def _staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_regulator or user.is_inspector))


class SatisfactionView(APIView):
    """满意在山西: the complainants' ratings of the handling and the published household-service reviews."""

    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]

    @extend_schema(summary="满意度统计（按行业、地市、月份）", parameters=[SatisfactionQuerySerializer],
                   responses={200: SatisfactionSerializer, 400: OpenApiResponse(description="参数有误（按参数给出错误）")},
                   tags=["workbench"])
    def get(self, request):
        blank = [name for name in ("city", "sector", "month")
                 if name in request.query_params and not request.query_params[name].strip()]
        query = SatisfactionQuerySerializer(data={key: value for key, value in request.query_params.items()
                                                  if key not in blank})
        query.is_valid(raise_exception=True)
        params = query.validated_data
        answer = satisfaction_figures(city=params.get("city", ""), sector=params.get("sector", ""),
                                      month=params.get("month"),
                                      suppress_below=0 if _staff(request.user) else stats.SUPPRESS_BELOW)
        return Response(SatisfactionSerializer(answer).data)
