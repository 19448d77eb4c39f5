"""Django admin (in Chinese) of complaint attachments and status-update opt-ins: read-only records.

Registered from ``complaints.apps`` (the app's ``admin.py`` is another module's). The admin is for regulators
only (core.admin.base), who may see the complainant's contact and the files' original names; files open
through the API's authorised download, never from a public URL.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from complaints.attachments import ComplaintAttachment
from complaints.status_updates import ComplaintNotification, ComplaintSubscription
from core.admin.base import ReadOnlyAdmin, is_record_id, link


class _ByComplaint(ReadOnlyAdmin):
    """Found by the complaint's number."""

    search_help_text = _("输入投诉编号精确查找。")
    complaint_link = link("complaint", _("投诉"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_record_id(term):
            return queryset.filter(**{self.complaint_path: int(term)}), False
        return queryset.none() if term else queryset, False

    complaint_path = "complaint_id"


@admin.register(ComplaintAttachment)
class ComplaintAttachmentAdmin(_ByComplaint):
    """投诉附件."""

    list_display = ["complaint_link", "position", "kind", "size", "created_at", "download"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["complaint"]
    search_fields = ["complaint__id"]
    fields = ["complaint_link", "position", "kind", "size", "sha256", "original_name", "created_at", "download"]
    readonly_fields = ["complaint_link", "download"]

    @admin.display(description=_("文件"))
    def download(self, obj: ComplaintAttachment) -> str:
        url = reverse("complaint-attachment-file", kwargs={"complaint_attachment_id": obj.pk})
        return format_html('<a href="{}">{}</a>', url, _("打开"))


@admin.register(ComplaintSubscription)
class ComplaintSubscriptionAdmin(_ByComplaint):
    """投诉进展通知订阅 (the complainant's contact: regulators only)."""

    list_display = ["complaint_link", "email", "phone", "created_at", "erased_on"]
    list_filter = [("created_at", admin.DateFieldListFilter), ("erased_on", admin.EmptyFieldListFilter)]
    list_select_related = ["complaint"]
    search_fields = ["complaint__id"]
    fields = ["complaint_link", "email", "phone", "created_at", "erased_on"]
    readonly_fields = ["complaint_link"]


@admin.register(ComplaintNotification)
class ComplaintNotificationAdmin(_ByComplaint):
    """投诉进展通知记录."""

    list_display = ["event_link", "channel", "sent_at", "created_at"]
    list_filter = ["channel", ("sent_at", admin.DateFieldListFilter)]
    list_select_related = ["event"]
    search_fields = ["event__complaint__id"]
    fields = ["event_link", "channel", "sent_at", "created_at"]
    readonly_fields = ["event_link"]
    event_link = link("event", _("流转记录"))
    complaint_path = "event__complaint_id"
