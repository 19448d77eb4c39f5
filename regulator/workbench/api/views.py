"""The work queue (待办): ``GET /api/v1/workqueue/`` for regulators and inspectors."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.serializers import Serializer
from regulator.workbench.selectors import HORIZON_WORKING_DAYS, KINDS, counts, workqueue_for


class IsStaff(BasePermission):
    """Regulators and inspectors (the people who work the queue); businesses and the public are refused."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_regulator or user.is_inspector))


class WorkItemSerializer(Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    kind_label = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    title = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    next_action = serializers.CharField()
    admin_url = serializers.CharField()


class WorkQueueSerializer(Serializer):
    as_of = serializers.DateField()
    horizon_working_days = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    results = WorkItemSerializer(many=True)


class WorkQueueView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        summary="待办事项",
        parameters=[OpenApiParameter("kind", str, enum=list(KINDS), required=False, many=True,
                                     description="只看某几类待办（可重复）。")],
        responses={200: WorkQueueSerializer, 400: OpenApiResponse(description="未知的待办类别"),
                   403: OpenApiResponse(description="仅监管与执法人员")},
    )
    def get(self, request):
        """到期或 3 个工作日内到期的待办，按到期日排序；范围为本人辖区。"""
        wanted = request.query_params.getlist("kind")
        unknown = sorted(set(wanted) - set(KINDS))
        if unknown:  # fail closed: an unknown kind is an error, not "everything"
            raise serializers.ValidationError({"kind": [_("未知的待办类别：%(kinds)s。") % {"kinds": "、".join(unknown)}]})
        items = workqueue_for(request.user)
        if wanted:
            items = [item for item in items if item.kind in wanted]
        return Response({"as_of": timezone.localdate(), "horizon_working_days": HORIZON_WORKING_DAYS,
                         "counts": counts(items), "results": [item.as_dict() for item in items]})
