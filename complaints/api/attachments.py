"""Complaint attachments in the API: filed with the complaint (multipart), listed and downloaded by those who
handle or answer it.

* ``POST /api/v1/complaints/`` also takes ``multipart/form-data`` with up to five ``attachments`` files and the
  opt-in to status updates (``notify_email``, ``notify_sms``): ``ComplaintFilingSerializer``.
* ``GET /api/v1/complaints/<id>/attachments/``: the list (staff in scope, the business complained about).
* ``GET /api/v1/complaint-attachments/<id>/file/``: the file itself, with ``nosniff`` and PDFs
  as downloads. Out of scope is not found; the public has no access at all.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import attachment_selectors
from complaints.api.serializers import ComplaintCreateSerializer, ComplaintFiledSerializer
from complaints.attachments import MAX_ATTACHMENTS, ComplaintAttachment
from config.api.serializers import ModelSerializer
from core import uploads

_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")


class ComplaintFilingSerializer(ComplaintCreateSerializer):
    """投诉 with its files and the opt-in to status updates (the fields of ``ComplaintCreateSerializer`` too)."""

    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, default=list,
        help_text=_("附件（multipart/form-data，同名字段可重复）：最多 %(count)s 个 JPEG、PNG、WebP 图片或 PDF，"
                    "每个不超过 10 MB；按文件内容识别类型，图片去除位置等元数据。") % {"count": MAX_ATTACHMENTS})
    notify_email = serializers.EmailField(required=False, allow_blank=True, default="", max_length=254,
                                          help_text=_("填写即同意以电子邮件接收办理进度通知（仅监管人员可见）。"))
    notify_sms = serializers.BooleanField(required=False, default=False,
                                          help_text=_("以短信接收办理进度通知，发送到 complainant_phone（须为手机号码）。"))


class FiledAttachmentSerializer(ModelSerializer):
    class Meta:
        model = ComplaintAttachment
        fields = ["position", "kind", "size"]
        read_only_fields = fields


class ComplaintSubmittedSerializer(ComplaintFiledSerializer):
    """What the complainant gets back, with the files kept and the channels of the status updates."""

    attachments = FiledAttachmentSerializer(many=True, read_only=True)
    notifications = serializers.SerializerMethodField(help_text=_("将接收办理进度通知的渠道：email、sms。"))

    class Meta(ComplaintFiledSerializer.Meta):
        fields = [*ComplaintFiledSerializer.Meta.fields, "attachments", "notifications"]
        read_only_fields = fields

    def get_notifications(self, complaint) -> list[str]:
        subscription = getattr(complaint, "subscription", None)
        return subscription.channels if subscription is not None else []


class AttachmentSerializer(ModelSerializer):
    """An attachment as the staff in scope and the business see it: no file name from the complainant."""

    url = serializers.SerializerMethodField(help_text=_("下载地址（须登录且有权查看该投诉）"))

    class Meta:
        model = ComplaintAttachment
        fields = ["id", "position", "kind", "size", "sha256", "created_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: ComplaintAttachment) -> str:
        return reverse("complaint-attachment-file", kwargs={"complaint_attachment_id": attachment.pk})


class RegulatorAttachmentSerializer(AttachmentSerializer):
    """监管人员: with the name the file had on the complainant's device."""

    class Meta(AttachmentSerializer.Meta):
        fields = [*AttachmentSerializer.Meta.fields, "original_name"]
        read_only_fields = fields


class ComplaintAttachmentsView(APIView):
    """投诉附件列表."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(tags=["complaints"], summary="投诉附件列表（办理人员及被投诉经营者）",
                   responses={200: RegulatorAttachmentSerializer(many=True), 404: _NOT_FOUND})
    def get(self, request, complaint_id: int):
        complaint = attachment_selectors.complaint_with_attachments(request.user, complaint_id)
        serializer = RegulatorAttachmentSerializer if request.user.is_regulator else AttachmentSerializer
        return Response(serializer(complaint.attachments.all(), many=True).data)


class ComplaintAttachmentFileView(APIView):
    """投诉附件文件."""

    permission_classes = [permissions.IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        # The answer is the file (its own type): an ``Accept: image/jpeg`` or ``application/pdf`` is no 406;
        # errors still come as the JSON error body.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(tags=["complaints"], summary="下载投诉附件（图片可直接显示，PDF 以附件下载）",
                   responses={(200, "image/jpeg"): OpenApiTypes.BINARY, (200, "image/png"): OpenApiTypes.BINARY,
                              (200, "image/webp"): OpenApiTypes.BINARY, (200, "application/pdf"): OpenApiTypes.BINARY,
                              404: _NOT_FOUND})
    def get(self, request, complaint_attachment_id: int):
        attachment = get_object_or_404(attachment_selectors.attachments_for(request.user), pk=complaint_attachment_id)
        return uploads.file_response(attachment.stored_name, kind=attachment.upload_kind,
                                     download_name=attachment.download_name)
