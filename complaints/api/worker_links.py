"""``POST /api/v1/complaints/<id>/worker/`` and ``/findings/<id>/worker/``: name the household worker a complaint or a
finding is about (complaints.worker_links: employed by the firm on the complaint's incident date or the inspection
date, else a 400 naming ``worker``). Handling staff only; the complaint or finding must be in the caller's scope."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import worker_links
from complaints.api.serializers import ComplaintSerializer, FindingSerializer
from complaints.selectors import complaints_for, findings_for
from config.api.serializers import ScopedPrimaryKeyRelatedField, Serializer
from entities.worker_selectors import workers_for

_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")


@extend_schema_field({"type": "integer", "nullable": True})
class _WorkerId(ScopedPrimaryKeyRelatedField):
    """A worker whose file the caller may open (the schema says integer)."""


class WorkerLinkSerializer(Serializer):
    worker = _WorkerId(workers_for, allow_null=True, help_text=_("家政服务员（自然人）编号；null 取消关联。"))


class _WorkerLinkView(APIView):
    permission_classes = [permissions.IsAuthenticated]


class ComplaintWorkerView(_WorkerLinkView):
    @extend_schema(request=WorkerLinkSerializer, summary="投诉关联家政服务员",
                   responses={200: ComplaintSerializer, 404: _NOT_FOUND})
    def post(self, request, complaint_id: int):
        get_object_or_404(complaints_for(request.user), pk=complaint_id)
        body = WorkerLinkSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        complaint = worker_links.complaint_worker_set(complaint_id=complaint_id, worker=body.validated_data["worker"],
                                                      actor=request.user)
        return Response(ComplaintSerializer(complaint, context={"request": request}).data)


class FindingWorkerView(_WorkerLinkView):
    @extend_schema(request=WorkerLinkSerializer, summary="检查发现关联家政服务员",
                   responses={200: FindingSerializer, 404: _NOT_FOUND})
    def post(self, request, finding_id: int):
        get_object_or_404(findings_for(request.user), pk=finding_id)
        body = WorkerLinkSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        finding = worker_links.finding_worker_set(finding_id=finding_id, worker=body.validated_data["worker"],
                                                  actor=request.user)
        return Response(FindingSerializer(finding, context={"request": request}).data)



