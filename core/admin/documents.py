"""文书、决定机关与法律依据 in the admin: read a document, print it, record its service."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core import document_render, documents
from core.admin.base import ReadOnlyAdmin, RegulatorAdmin, Transition
from core.admin.labels import labelled, region_label
from core.models import Authority, DeliveryMethod, DocumentSeries, LegalCitation, ServedDocument


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=DeliveryMethod.choices)
    delivered_on = forms.DateField(label=_("送达日期"), required=False, help_text=_("公告送达不填。"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    announced_on = forms.DateField(label=_("公告发布日期"), required=False, help_text=_("仅公告送达。"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("送达说明"), required=False, max_length=300,
                           help_text=_("邮件单号、签收人、电子送达地址等。"))


def _serve(request, document, data) -> None:
    documents.document_serve(document_id=document.pk, actor=request.user, method=data["method"],
                             delivered_on=data.get("delivered_on"), announced_on=data.get("announced_on"),
                             note=data.get("note", ""))


@admin.register(ServedDocument)
class ServedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "recipient", "issued_on", "delivery_method", "delivered_on", "printable"]
    fields = ["kind", "number", "authority", "year", "sequence", "about_label", "about_id", "title", "recipient",
              "content_display", "issued_on", "issued_by", "delivery_method", "announced_on", "delivered_on",
              "delivery_note", "delivery_recorded_by", "delivery_recorded_at", "created_at"]
    readonly_fields = ["about_label", "content_display"]
    about_label = labelled("about_type", _("所属事项"))

    @admin.display(description=_("正文"))
    def content_display(self, obj):
        sections = obj.content if isinstance(obj.content, list) else []
        return format_html_join("", "<h4>{}</h4><p style=\"white-space: pre-line\">{}</p>",
                                ((section.get("heading", ""), section.get("text", "")) for section in sections
                                 if isinstance(section, dict))) or "—"
    list_filter = ["kind", ("delivered_on", admin.EmptyFieldListFilter), "delivery_method", "authority"]
    search_fields = ["number", "recipient"]
    search_help_text = _("按文书编号或受送达人查找。")
    date_hierarchy = "issued_on"
    transitions = (Transition("record_delivery", _("登记送达"), _serve, DeliveryForm,
                              applies=lambda doc: not doc.served,
                              intro=_("送达日期为受送达人签收或收到之日；公告送达填写公告发布日期，经过规定期间视为送达。")),)

    @admin.display(description=_("打印"))
    def printable(self, obj):
        return format_html('<a href="{}">HTML</a> · <a href="{}">PDF</a>',
                           reverse("admin:core_serveddocument_html", args=[obj.pk]),
                           reverse("admin:core_serveddocument_pdf", args=[obj.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/html/", view(self.html_view), name="core_serveddocument_html"),
                path("<int:pk>/pdf/", view(self.pdf_view), name="core_serveddocument_pdf"),
                *super().get_urls()]

    def _document(self, request, pk):
        document = self.get_object(request, str(pk))
        if document is None or not self.has_view_permission(request, document):
            raise Http404
        return document

    def html_view(self, request, pk):
        return HttpResponse(document_render.render_html(self._document(request, pk)),
                            content_type="text/html; charset=utf-8")

    def pdf_view(self, request, pk):
        document = self._document(request, pk)
        response = HttpResponse(document_render.render_pdf(document), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
        return response


@admin.register(Authority)
class AuthorityAdmin(RegulatorAdmin):
    allow_add = True
    allow_change = True
    list_display = ["name", "region_display", "short_name", "credit_code"]
    search_fields = ["name", "short_name", "region_code"]
    readonly_fields = ["region_display"]

    @admin.display(description=_("管辖区域"), ordering="region_code")
    def region_display(self, obj):
        return region_label(obj.region_code)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "region_code" in form.base_fields:
            form.base_fields["region_code"].help_text = _("6 位行政区划代码：省、市或县区（保存后在“管辖区域”显示其名称）。")
        return form


@admin.register(LegalCitation)
class LegalCitationAdmin(RegulatorAdmin):
    allow_add = True
    allow_change = True
    list_display = ["text", "key", "effective_from"]
    search_fields = ["key", "text"]


@admin.register(DocumentSeries)
class DocumentSeriesAdmin(ReadOnlyAdmin):
    """文号序列: the last number each authority has used per kind of document and year (written by the service)."""

    list_display = ["authority", "kind", "year", "last_number"]
    list_filter = ["kind", "year", "authority"]
