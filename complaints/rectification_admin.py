"""Django admin (in Chinese) of rectification evidence (整改材料): read-only records, reviewed through the services.

The admin is for regulators (core.admin.base); the rows they see still come from the scoped selector, as the
API's do, so a narrower account never sees more here. Accepting calls ``evidence_accept`` (which records the
rectification with ``finding_rectify``), returning calls ``evidence_return``; the files open through the API's
authorised download, never from a public URL.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from complaints import rectification_selectors as selectors
from complaints import rectification_services as services
from complaints.rectification import (
    ACTION_LABELS,
    MAX_NOTE,
    EvidenceStatus,
    RectificationEvidence,
    RectificationEvidenceEvent,
    RectificationEvidenceFile,
)
from core.admin.base import ReadOnlyAdmin, ReadOnlyInline, Transition, is_record_id, link
from core.admin.labels import code_filter, labelled
from entities.selectors import entity_scope_q


class EvidenceAcceptForm(forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=AdminDateWidget, initial=timezone.localdate,
                                   help_text=_("不得晚于今天，不得早于检查日期。"))
    review_note = forms.CharField(label=_("审核意见（选填）"), max_length=MAX_NOTE, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


class EvidenceReturnForm(forms.Form):
    reason = forms.CharField(label=_("退回理由（经营者可见）"), max_length=MAX_NOTE,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


def _accept(request, evidence, data):
    services.evidence_accept(evidence_id=evidence.pk, actor=request.user, rectified_on=data["rectified_on"],
                             review_note=data.get("review_note") or "")


def _return(request, evidence, data):
    services.evidence_return(evidence_id=evidence.pk, actor=request.user, reason=data["reason"])


def _file_url(row: RectificationEvidenceFile) -> str:
    return reverse("rectification-evidence-file", kwargs={"rectification_evidence_file_id": row.pk})


STATUS_LABELS = dict(EvidenceStatus.choices)
_action_label = labelled("action", _("动作"), ACTION_LABELS)
_from_label = labelled("from_status", _("原状态"), STATUS_LABELS)
_to_label = labelled("to_status", _("新状态"), STATUS_LABELS)


class EvidenceEventInline(ReadOnlyInline):
    model = RectificationEvidenceEvent
    fields = ["created_at", "action_label", "from_label", "to_label", "actor_name", "reason"]
    readonly_fields = fields
    action_label, from_label, to_label = _action_label, _from_label, _to_label
    verbose_name = _("流转记录")
    verbose_name_plural = _("流转记录")
    show_change_link = False


def _pending(evidence: RectificationEvidence) -> bool:
    return evidence.status == EvidenceStatus.SUBMITTED


@admin.register(RectificationEvidence)
class RectificationEvidenceAdmin(ReadOnlyAdmin):
    """整改材料: reviewed here step by step, never edited."""

    transitions = (
        Transition(name="evidence_accept", label=_("认可整改材料（登记整改完成）"), run=_accept,
                   form_class=EvidenceAcceptForm, applies=_pending,
                   intro=_("认可后按所填日期登记该检查发现整改完成，并重新计算信用分。")),
        Transition(name="evidence_return", label=_("退回整改材料"), run=_return, form_class=EvidenceReturnForm,
                   applies=_pending, intro=_("退回理由将显示给经营主体，经营主体可重新提交。")),
    )
    list_display = ["id", "entity", "finding_link", "status", "created_at", "reviewed_at", "file_count"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["finding__id"]
    search_help_text = _("输入整改材料编号精确查找。")
    fields = ["finding_link", "entity", "submitted_by", "note", "file_links", "status", "reviewer", "review_note",
              "reviewed_at", "rectified_on", "created_at", "updated_at"]
    readonly_fields = ["finding_link", "entity", "file_links", "file_count"]
    inlines = [EvidenceEventInline]
    finding_link = link("finding", _("检查发现"))

    def get_queryset(self, request):
        return selectors.evidence_for(request.user)

    @admin.display(description=_("市场主体"))
    def entity(self, evidence: RectificationEvidence):
        return evidence.finding.inspection.entity

    @admin.display(description=_("文件数"))
    def file_count(self, evidence: RectificationEvidence) -> int:
        return len(evidence.files.all())

    @admin.display(description=_("文件"))
    def file_links(self, evidence: RectificationEvidence) -> str:
        rows = [(_file_url(row), f"{row.position}. {row.get_kind_display()}") for row in evidence.files.all()]
        if not rows:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join("", '<li><a href="{}">{}</a></li>', rows))


@admin.register(RectificationEvidenceFile)
class RectificationEvidenceFileAdmin(ReadOnlyAdmin):
    """整改材料附件."""

    list_display = ["evidence_link", "position", "kind", "size", "created_at", "download"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["evidence"]
    search_fields = ["evidence__id"]
    search_help_text = _("输入整改材料编号精确查找。")
    fields = ["evidence_link", "position", "kind", "size", "sha256", "original_name", "created_at", "download"]
    readonly_fields = ["evidence_link", "download"]
    evidence_link = link("evidence", _("整改材料"))

    def get_queryset(self, request):
        return selectors.evidence_files_for(request.user)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_record_id(term):
            return queryset.filter(evidence_id=int(term)), False
        return queryset.none() if term else queryset, False

    @admin.display(description=_("文件"))
    def download(self, row: RectificationEvidenceFile) -> str:
        return format_html('<a href="{}">{}</a>', _file_url(row), _("打开"))


@admin.register(RectificationEvidenceEvent)
class RectificationEvidenceEventAdmin(ReadOnlyAdmin):
    """整改材料流转记录 (append-only)."""

    list_display = ["created_at", "evidence_link", "action_label", "from_label", "to_label", "actor_name"]
    list_filter = [code_filter("action", _("动作"), ACTION_LABELS), code_filter("to_status", _("新状态"), STATUS_LABELS),
                   ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["evidence"]
    search_fields = ["actor_name"]
    search_help_text = _("按整改材料编号或操作人查找。")
    fields = ["evidence_link", "action_label", "from_label", "to_label", "actor_name", "reason", "created_at"]
    readonly_fields = ["evidence_link", "action_label", "from_label", "to_label"]
    evidence_link = link("evidence", _("整改材料"))
    action_label, from_label, to_label = _action_label, _from_label, _to_label

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_record_id(term):
            return queryset.filter(evidence_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = entity_scope_q(request.user, "evidence__finding__inspection__entity__")
        return queryset if scope is None else queryset.filter(scope)
