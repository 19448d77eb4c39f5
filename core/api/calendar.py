"""工作日历 endpoints: regulators maintain holidays and make-up workdays; anyone signed in reads them."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.exceptions import RuleViolation
from config.api.permissions import RegulatorWritesOthersRead
from config.api.serializers import ModelSerializer, QueryIntegerField, Serializer
from core.models import CalendarDay
from core.workdays import current_calendar


class CalendarDaySerializer(ModelSerializer):
    class Meta:
        model = CalendarDay
        fields = ["id", "date", "kind", "name", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class DeadlineQuerySerializer(Serializer):
    # In the date window (config.api.serializers.date_window), like every date the API takes.
    start = serializers.DateField()
    working_days = QueryIntegerField(min_value=0, max_value=250)


class DeadlineSerializer(DeadlineQuerySerializer):
    due = serializers.DateField()


class CalendarDayViewSet(viewsets.ModelViewSet):
    """节假日与调休上班日 (the exceptions to Monday-to-Friday)."""

    serializer_class = CalendarDaySerializer
    permission_classes = [RegulatorWritesOthersRead]
    queryset = CalendarDay.objects.all().order_by("date")
    filterset_fields = {"kind": ["exact"], "date": ["gte", "lte", "exact"]}

    @extend_schema(
        summary="按工作日计算期限",
        parameters=[OpenApiParameter("start", datetime.date), OpenApiParameter("working_days", int)],
        responses={200: DeadlineSerializer},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def deadline(self, request):
        """The date N working days after ``start`` on the current calendar."""
        query = DeadlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            due = current_calendar().add_working_days(query.validated_data["start"],
                                                      query.validated_data["working_days"])
        except ValueError as exc:  # beyond the calendar's horizon
            raise RuleViolation({"working_days": [_("截止日期超出日历可计算的范围。")]}) from exc
        return Response(DeadlineSerializer({**query.validated_data, "due": due}).data)
