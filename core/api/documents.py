"""文书 endpoints: read a document (JSON, HTML, PDF) and record its service.

Who sees a document is decided per object by the procedure it belongs to (``core.documents.register``):
regulators see all, inspectors the documents of complaints in their scope, a business its own. Only staff
record a service; a document is served once.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api.serializers import ModelSerializer, Serializer
from core import document_render, documents
from core.models import DeliveryMethod, ServedDocument


class ServedDocumentSerializer(ModelSerializer):
    authority = serializers.CharField(source="authority.name", read_only=True)
    authority_credit_code = serializers.CharField(source="authority.credit_code", read_only=True)
    served = serializers.BooleanField(read_only=True)

    class Meta:
        model = ServedDocument
        fields = ["id", "kind", "number", "title", "authority", "authority_credit_code", "about_type", "about_id",
                  "recipient", "content", "issued_on", "delivery_method", "announced_on", "delivered_on",
                  "delivery_note", "served", "created_at"]
        read_only_fields = fields


class DeliverySerializer(Serializer):
    method = serializers.ChoiceField(choices=DeliveryMethod.choices)
    delivered_on = serializers.DateField(required=False, allow_null=True,
                                         help_text=_("签收或收到之日；公告送达不填，由公告日期起算。"))
    announced_on = serializers.DateField(required=False, allow_null=True, help_text=_("公告送达：公告发布日期。"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=300,
                                 help_text=_("邮件单号、签收人、电子送达地址等。"))


class ServedDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """告知书、决定书与投诉文书：编号、正文、送达记录。"""

    serializer_class = ServedDocumentSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = {"kind": ["exact"], "about_type": ["exact"], "about_id": ["exact"],
                        "issued_on": ["gte", "lte"], "delivered_on": ["isnull", "gte", "lte"]}
    search_fields = ["number", "recipient"]

    def get_queryset(self):
        return documents.documents_for(self.request.user).order_by("-issued_on", "-id")

    @extend_schema(summary="文书（HTML）", responses={(200, "text/html"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], url_path="html", filter_backends=[], pagination_class=None)
    def html(self, request, pk=None):
        """The document as a printable page."""
        return HttpResponse(document_render.render_html(self.get_object()), content_type="text/html; charset=utf-8")

    @extend_schema(summary="文书（PDF）", responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="pdf", filter_backends=[], pagination_class=None)
    def pdf(self, request, pk=None):
        """The document as a PDF (A4)."""
        document = self.get_object()
        response = HttpResponse(document_render.render_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
        return response

    @extend_schema(summary="登记文书送达", request=DeliverySerializer, responses={200: ServedDocumentSerializer})
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def delivery(self, request, pk=None):
        """Record the service (送达): method and date; for 公告送达 the publication date."""
        document = self.get_object()
        if not (request.user.is_regulator or request.user.is_inspector):
            raise PermissionDenied(_("只有监管或执法人员可以登记送达。"))
        body = DeliverySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        served = documents.document_serve(document_id=document.pk, actor=request.user, **body.validated_data)
        return Response(ServedDocumentSerializer(served).data)
