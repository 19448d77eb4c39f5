"""部门客户端 in the admin: register a department's system, issue a key (shown once), rotate, revoke, export the log.

A key is shown on the page that issued it and nowhere else: not in a message (messages are kept in a cookie or
the session between requests), not in the database (only its digest). The query log is read-only; its CSV
export per client and period masks ID numbers (they are never stored whole anyway) and neutralises formula
cells (decision 0013). Times in Beijing time.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clients
from core.admin.base import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    RegulatorAdmin,
    Transition,
    error_text,
    link,
)
from core.admin.jobs import BEIJING, beijing
from core.admin.labels import in_words
from core.models import ClientKey, ClientQuery, ClientScope, DepartmentClient


class DepartmentClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("权限范围"), choices=ClientScope.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    ip_allowlist = forms.CharField(label=_("IP 白名单"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text=_("每行或以逗号分隔一个地址或网段（CIDR），如 10.1.0.0/16；为空则拒绝一切来源。"))

    class Meta:
        model = DepartmentClient
        fields = ["name", "authority_credit_code", "contact_name", "contact_phone", "contact_email", "scopes", "rate",
                  "ip_allowlist", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["ip_allowlist"] = "\n".join(self.instance.ip_allowlist)

    def clean_ip_allowlist(self) -> list[str]:
        entries = [part.strip() for line in self.cleaned_data["ip_allowlist"].splitlines() for part in line.split(",")]
        return [entry for entry in entries if entry]


class KeyIssueForm(forms.Form):
    expires_on = forms.DateField(label=_("到期日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text=_("不填则自今日起一年；最长三年。"))
    overlap_days = forms.IntegerField(label=_("旧密钥过渡期（天）"), min_value=0, max_value=90,
                                      initial=clients.ROTATION_OVERLAP_DAYS, required=False,
                                      help_text=_("仅轮换时适用：旧密钥在此期间内仍可使用，之后失效。"))

    def expires_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("expires_on")
        return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=BEIJING) if day else None


class ExportForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ClientKeyInline(ReadOnlyInline):
    model = ClientKey
    fields = ["prefix", "created_display", "expires_display", "revoked_display"]
    readonly_fields = fields
    verbose_name_plural = _("密钥（只存摘要；密钥本身仅在签发时显示一次）")

    @admin.display(description=_("签发时间"))
    def created_display(self, key: ClientKey) -> str:
        return beijing(key.created_at)

    @admin.display(description=_("到期时间"))
    def expires_display(self, key: ClientKey) -> str:
        return beijing(key.expires_at)

    @admin.display(description=_("吊销时间"))
    def revoked_display(self, key: ClientKey) -> str:
        return beijing(key.revoked_at)


@admin.register(DepartmentClient)
class DepartmentClientAdmin(RegulatorAdmin):
    """部门客户端: registered and edited by regulators; keys issued and rotated from the client's page."""

    allow_add = allow_change = True
    form = DepartmentClientForm
    change_form_template = "admin/core/departmentclient/change_form.html"
    list_display = ["name", "authority_credit_code", "contact_name", "scopes_display", "rate", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "authority_credit_code", "contact_name"]
    inlines = [ClientKeyInline]

    @admin.display(description=_("权限范围"))
    def scopes_display(self, client: DepartmentClient) -> str:
        labels = dict(ClientScope.choices)
        return "、".join(str(labels.get(scope, scope)) for scope in client.scopes) or "—"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.full_clean()
        super().save_model(request, obj, form, change)

    def get_urls(self):
        own = [
            path("<int:pk>/keys/issue/", self.admin_site.admin_view(self.key_view), {"rotate": False},
                 name="core_departmentclient_key_issue"),
            path("<int:pk>/keys/rotate/", self.admin_site.admin_view(self.key_view), {"rotate": True},
                 name="core_departmentclient_key_rotate"),
            path("<int:pk>/queries/export/", self.admin_site.admin_view(self.export_view),
                 name="core_departmentclient_export"),
        ]
        return own + super().get_urls()

    def _client(self, request, pk: int) -> DepartmentClient:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(DepartmentClient, pk=pk)

    def key_view(self, request, pk: int, rotate: bool):
        """GET: the form; POST: the key, on this page only."""
        client = self._client(request, pk)
        form = KeyIssueForm(request.POST if request.method == "POST" else None)
        title = _("轮换密钥") if rotate else _("签发新密钥")
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": client,
                   "title": title, "form": form, "issued": None}
        if request.method == "POST" and form.is_valid():
            try:
                if rotate:
                    issued = clients.client_key_rotate(client_id=client.pk, actor=request.user,
                                                       expires_at=form.expires_at(),
                                                       overlap_days=form.cleaned_data.get("overlap_days") or 0)
                else:
                    issued = clients.client_key_issue(client_id=client.pk, actor=request.user,
                                                      expires_at=form.expires_at())
            except ValidationError as exc:
                self.message_user(request, error_text(exc), messages.ERROR)
            else:
                self.log_change(request, client, f"{title} {issued.record.prefix}")
                context.update(issued=issued, expires=beijing(issued.record.expires_at))
        response = TemplateResponse(request, "admin/core/departmentclient/key.html", context)
        response["Cache-Control"] = "no-store"  # the key must not stay in a cache
        return response

    def export_view(self, request, pk: int):
        """The client's query log for a period, as CSV."""
        client = self._client(request, pk)
        form = ExportForm(request.GET or None)
        if form.is_bound and form.is_valid():
            try:
                queries = clients.client_queries(client_id=client.pk, start=form.cleaned_data["start"],
                                                 end=form.cleaned_data["end"])
            except ValidationError as exc:
                form.add_error("end", error_text(exc))
            else:
                response = HttpResponse(clients.client_queries_csv(queries.iterator(chunk_size=500)),
                                        content_type="text/csv; charset=utf-8")
                name = f"client-{client.pk}-queries-{form.cleaned_data['start']}-{form.cleaned_data['end']}.csv"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": client,
                   "title": _("导出查询记录"), "form": form}
        return TemplateResponse(request, "admin/core/departmentclient/export.html", context)


def _revoke(request, key: ClientKey, data: dict) -> None:
    clients.client_key_revoke(key_id=key.pk, actor=request.user, reason=data.get("reason", ""))


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("吊销原因"), max_length=200)


@admin.register(ClientKey)
class ClientKeyAdmin(ReadOnlyAdmin):
    """客户端密钥: read-only (the digest only); revoked here, which takes effect on the next request."""

    list_display = ["prefix", "client_link", "created_display", "expires_display", "state_display"]
    list_select_related = ["client"]
    list_filter = ["client"]
    search_fields = ["prefix", "client__name"]
    exclude = ["key_hash"]
    readonly_fields = ["client_link", "created_display", "expires_display", "state_display"]
    client_link = link("client", _("部门客户端"))
    transitions = (Transition("revoke", _("吊销密钥"), _revoke, form_class=RevokeForm,
                              applies=lambda key: key.revoked_at is None,
                              intro=_("吊销后该密钥的下一次请求即答复 401，不可恢复。")),)

    @admin.display(description=_("签发时间"), ordering="created_at")
    def created_display(self, key: ClientKey) -> str:
        return beijing(key.created_at)

    @admin.display(description=_("到期时间"), ordering="expires_at")
    def expires_display(self, key: ClientKey) -> str:
        return beijing(key.expires_at)

    @admin.display(description=_("状态"))
    def state_display(self, key: ClientKey) -> str:
        if key.revoked_at is not None:
            return _("已吊销")
        return _("已到期") if key.expires_at <= timezone.now() else _("有效")


@admin.register(ClientQuery)
class ClientQueryAdmin(ReadOnlyAdmin):
    """客户端查询记录: append-only, written by the service; read and exported, never edited."""

    list_display = ["id", "client_link", "at_display", "method", "endpoint", "status_code", "items"]
    list_select_related = ["client"]
    list_filter = ["client", "status_code"]
    search_fields = ["endpoint", "key_prefix"]
    # the summaries are JSON: shown in words (request_display, answer_display), never as their stored text
    fields = ["client_link", "key_prefix", "at_display", "method", "endpoint", "status_code", "client_ip", "items",
              "request_display", "answer_display", "receipt_ids"]
    readonly_fields = fields
    client_link = link("client", _("部门客户端"))

    @admin.display(description=_("查询时间"), ordering="at")
    def at_display(self, query: ClientQuery) -> str:
        return beijing(query.at)

    @admin.display(description=_("查询内容"))
    def request_display(self, query: ClientQuery) -> str:
        return in_words(query.request_summary)

    @admin.display(description=_("答复摘要"))
    def answer_display(self, query: ClientQuery) -> str:
        return in_words(query.answer_summary)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("request_summary", "answer_summary")
