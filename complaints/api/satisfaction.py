"""``POST /api/v1/complaints/track/<tracking_code>/satisfaction/``: the complainant rates the handling (满意在山西).

Public like the tracking view (the tracking code is the complainant's key: a wrong code is a 404), throttled; once
per complaint and only after it was resolved or closed (else 409 naming the state). ``GET`` says whether it may be
rated and whether it was; never the rating of anyone else, never a comment.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import satisfaction, tracking_codes
from complaints.models import Complaint, ComplaintStatus
from complaints.satisfaction_ratings import ComplaintSatisfaction
from config.api.serializers import Serializer
from config.api.throttles import PublicThrottle


class SatisfactionSubmitSerializer(Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="1（很不满意）至 5（很满意）")
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="",
                                    help_text="意见（选填，仅监管人员可见）")


class SatisfactionStateSerializer(Serializer):
    status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    rateable = serializers.BooleanField(help_text="办结或归档后可以评价")
    rated = serializers.BooleanField()
    rating = serializers.IntegerField(allow_null=True, help_text="本投诉已给出的评分")


def _complaint(code: str) -> Complaint:
    return get_object_or_404(Complaint.objects.all(), tracking_code__in=tracking_codes.candidates(code))


def _state(complaint: Complaint) -> dict:
    given = ComplaintSatisfaction.objects.filter(complaint=complaint).values_list("rating", flat=True).first()
    return {"status": complaint.status, "rateable": satisfaction.rateable(complaint) and given is None,
            "rated": given is not None, "rating": given}


class ComplaintSatisfactionView(APIView):
    """投诉处理满意度评价 by the holder of the tracking code."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    @extend_schema(summary="查看能否评价投诉处理", responses={200: SatisfactionStateSerializer,
                                                      404: OpenApiResponse(description="无此查询码")})
    def get(self, request, tracking_code: str):
        return Response(SatisfactionStateSerializer(_state(_complaint(tracking_code))).data)

    @extend_schema(summary="评价投诉处理满意度", request=SatisfactionSubmitSerializer,
                   responses={201: SatisfactionStateSerializer, 400: OpenApiResponse(description="评分有误"),
                              404: OpenApiResponse(description="无此查询码"),
                              409: OpenApiResponse(description="尚未办结（code complaint_not_closed）或已评价过"
                                                               "（code already_rated）")})
    def post(self, request, tracking_code: str):
        complaint = _complaint(tracking_code)
        body = SatisfactionSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        satisfaction.satisfaction_rate(complaint=complaint, **body.validated_data)
        return Response(SatisfactionStateSerializer(_state(complaint)).data, status=status.HTTP_201_CREATED)
