"""Rectification evidence (整改材料) in the API: a business submits it for an open finding, staff in scope review it.

* ``GET /api/v1/findings/<id>/evidence/``: the finding's submissions (the business of its entity, staff in scope).
* ``POST /api/v1/findings/<id>/evidence/``: the business submits ``note`` and up to five ``files``
  (``multipart/form-data``; a note alone may also come as JSON). 409 when the finding is rectified already or a
  submission awaits review.
* ``POST /api/v1/rectification-evidence/<id>/accept/`` (``rectified_on``, default today; ``review_note``) and
  ``/return/`` (``reason``): inspectors and regulators in scope; accepting records the rectification.
* ``GET /api/v1/rectification-evidence-files/<id>/file/``: one file, with ``nosniff`` and PDFs as downloads.

Out of scope is not found (404); the public has no access at all.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from complaints import rectification_selectors as selectors
from complaints import rectification_services as services
from complaints.rectification import (
    MAX_EVIDENCE_FILES,
    MAX_NOTE,
    RectificationEvidence,
    RectificationEvidenceFile,
)
from complaints.selectors import findings_for
from config.api.serializers import ModelSerializer, Serializer
from core import uploads

_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")
_FORBIDDEN = OpenApiResponse(description="该角色无权执行（提交：经营主体；审核：执法检查人员、监管人员）")
_CONFLICT = OpenApiResponse(description="检查发现已整改完成、已有待审核的材料，或材料已审核")
_INVALID = OpenApiResponse(description="请求有误（字段名及原因）")


class EvidenceFileSerializer(ModelSerializer):
    url = serializers.SerializerMethodField(help_text=_("下载地址（须登录且有权查看该检查发现）"))

    class Meta:
        model = RectificationEvidenceFile
        fields = ["id", "position", "kind", "size", "sha256", "original_name", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, row: RectificationEvidenceFile) -> str:
        return reverse("rectification-evidence-file", kwargs={"rectification_evidence_file_id": row.pk})


class EvidenceSerializer(ModelSerializer):
    """整改材料 as the business and the staff in scope read it (the reviewer's account is shown to staff only)."""

    files = EvidenceFileSerializer(many=True, read_only=True)

    class Meta:
        model = RectificationEvidence
        fields = ["id", "finding", "status", "note", "files", "review_note", "reviewed_at", "rectified_on",
                  "created_at"]
        read_only_fields = fields


class StaffEvidenceSerializer(EvidenceSerializer):
    class Meta(EvidenceSerializer.Meta):
        fields = [*EvidenceSerializer.Meta.fields, "submitted_by", "reviewer"]
        read_only_fields = fields


class EvidenceSubmitSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_NOTE,
                                 help_text=_("整改情况说明；与文件至少提供一项。"))
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list,
        help_text=_("文件（multipart/form-data，同名字段可重复）：最多 %(count)s 个 JPEG、PNG、WebP 图片或 PDF，"
                    "每个不超过 10 MB；按文件内容识别类型，图片去除位置等元数据。") % {"count": MAX_EVIDENCE_FILES})


class EvidenceAcceptSerializer(Serializer):
    rectified_on = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text=_("认定的整改完成日期，默认今天；不得晚于今天、不得早于检查日期。"))
    review_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_NOTE)


class EvidenceReturnSerializer(Serializer):
    reason = serializers.CharField(max_length=MAX_NOTE, help_text=_("退回理由，经营者可见。"))


def _answer(user, evidence_id: int, code: int = status.HTTP_200_OK) -> Response:
    evidence = selectors.evidence_for(user).get(pk=evidence_id)
    serializer = StaffEvidenceSerializer if user.is_inspector or user.is_regulator else EvidenceSerializer
    return Response(serializer(evidence).data, status=code)


class FindingEvidenceView(APIView):
    """检查发现的整改材料."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [*api_settings.DEFAULT_PARSER_CLASSES, MultiPartParser]

    @extend_schema(summary="检查发现的整改材料列表（被检查经营主体及辖区执法人员）",
                   responses={200: StaffEvidenceSerializer(many=True), 404: _NOT_FOUND})
    def get(self, request, finding_id: int):
        finding = get_object_or_404(findings_for(request.user), pk=finding_id)
        rows = selectors.evidence_for(request.user).filter(finding=finding).order_by("-created_at", "-id")
        serializer = StaffEvidenceSerializer if request.user.is_inspector or request.user.is_regulator \
            else EvidenceSerializer
        return Response(serializer(rows, many=True).data)

    @extend_schema(summary="提交整改材料（经营主体，检查发现尚未整改完成时）",
                   request={"multipart/form-data": EvidenceSubmitSerializer},
                   responses={201: EvidenceSerializer, 400: _INVALID, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    def post(self, request, finding_id: int):
        finding = get_object_or_404(findings_for(request.user), pk=finding_id)
        if not request.user.is_business:
            raise PermissionDenied(_("整改材料由被检查的经营主体提交。"))
        body = EvidenceSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        evidence = services.evidence_submit(finding_id=finding.pk, actor=request.user, **body.validated_data)
        return _answer(request.user, evidence.pk, status.HTTP_201_CREATED)


class _Review(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def _evidence(self, request, evidence_id: int) -> RectificationEvidence:
        evidence = get_object_or_404(selectors.evidence_for(request.user), pk=evidence_id)
        if not (request.user.is_inspector or request.user.is_regulator):
            raise PermissionDenied(_("整改材料由执法检查人员审核。"))
        return evidence


class EvidenceAcceptView(_Review):
    """认可整改材料."""

    @extend_schema(summary="认可整改材料并登记整改完成（执法检查人员、监管人员）", request=EvidenceAcceptSerializer,
                   responses={200: StaffEvidenceSerializer, 400: _INVALID, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    def post(self, request, rectification_evidence_id: int):
        evidence = self._evidence(request, rectification_evidence_id)
        body = EvidenceAcceptSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evidence_accept(evidence_id=evidence.pk, actor=request.user, **body.validated_data)
        return _answer(request.user, evidence.pk)


class EvidenceReturnView(_Review):
    """退回整改材料."""

    @extend_schema(summary="退回整改材料（说明理由，经营者可见）", request=EvidenceReturnSerializer,
                   responses={200: StaffEvidenceSerializer, 400: _INVALID, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    def post(self, request, rectification_evidence_id: int):
        evidence = self._evidence(request, rectification_evidence_id)
        body = EvidenceReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.evidence_return(evidence_id=evidence.pk, actor=request.user, **body.validated_data)
        return _answer(request.user, evidence.pk)


class EvidenceFileView(APIView):
    """整改材料文件."""

    permission_classes = [permissions.IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # The answer is the file (its own type); errors still come as the JSON error body.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(summary="下载整改材料文件（图片可直接显示，PDF 以附件下载）",
                   responses={(200, "image/jpeg"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY,
                              (200, "image/webp"): OpenApiTypes.BINARY, (200, "application/pdf"): OpenApiTypes.BINARY,
                              404: _NOT_FOUND})
    def get(self, request, rectification_evidence_file_id: int):
        row = get_object_or_404(selectors.evidence_files_for(request.user), pk=rectification_evidence_file_id)
        return uploads.file_response(row.stored_name, kind=row.upload_kind, download_name=row.download_name)


#: included by complaints/api/urls.py (one id per route: the security tests name the model by the id's name)
urlpatterns = [
    path("findings/<int:finding_id>/evidence/", FindingEvidenceView.as_view(), name="finding-evidence"),
    path("rectification-evidence/<int:rectification_evidence_id>/accept/", EvidenceAcceptView.as_view(),
         name="rectification-evidence-accept"),
    path("rectification-evidence/<int:rectification_evidence_id>/return/", EvidenceReturnView.as_view(),
         name="rectification-evidence-return"),
    path("rectification-evidence-files/<int:rectification_evidence_file_id>/file/", EvidenceFileView.as_view(),
         name="rectification-evidence-file"),
]
