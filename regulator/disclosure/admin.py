"""公开 in the admin: statements reviewed through the service the API calls, and the change feed (read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, Transition, is_record_id, link
from core.admin.labels import code_filter, labelled
from entities.selectors import entity_ids_matching
from regulator.disclosure import services
from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.lists.admin_labels import PUBLIC_CHANGE_LABELS
from regulator.lists.models import PublicChange


class ReviewNoteForm(forms.Form):
    review_note = forms.CharField(label=_("审核意见"), max_length=500, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2, "cols": 80}))


def _statement_review(approve: bool):
    def run(request, statement, data):
        services.statement_review(statement_id=statement.pk, actor=request.user, approve=approve,
                                  review_note=data.get("review_note", ""))

    return run


@admin.register(PublicStatement)
class PublicStatementAdmin(ReadOnlyAdmin):
    """回应声明: public only after a regulator's review."""

    transitions = (
        Transition(name="statement_approve", label=_("审核通过并公开"), run=_statement_review(True),
                   applies=lambda statement: statement.status == StatementStatus.PENDING),
        Transition(name="statement_reject", label=_("不予公开"), run=_statement_review(False),
                   form_class=ReviewNoteForm, applies=lambda statement: statement.status == StatementStatus.PENDING),
    )
    list_display = ["id", "entity_link", "listing_link", "finding_link", "status", "created_at", "reviewed_at"]
    list_filter = ["status", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["entity", "listing__entity", "listing__person", "finding__violation_type"]
    search_fields = ["text"]
    fields = ["entity_link", "listing_link", "finding_link", "text", "status", "review_note", "submitted_by_link",
              "reviewed_by_link", "created_at", "reviewed_at"]
    readonly_fields = ["entity_link", "listing_link", "finding_link", "submitted_by_link", "reviewed_by_link"]
    entity_link = link("entity", _("市场主体"))
    listing_link = link("listing", _("名单记录"))
    finding_link = link("finding", _("检查发现"))
    submitted_by_link = link("submitted_by", _("提交账户"))
    reviewed_by_link = link("reviewed_by", _("审核人"))

    def get_search_results(self, request, queryset, search_term):
        matched, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not is_record_id(term):
            matched = matched | queryset.filter(entity__in=entity_ids_matching(term))
        return matched, duplicates


@admin.register(PublicChange)
class PublicChangeAdmin(ReadOnlyAdmin):
    """公开数据变更: each id is a data version of the public answers."""

    list_display = ["id", "change_label", "listing_link", "changed_at"]
    list_filter = [code_filter("change", _("变更"), PUBLIC_CHANGE_LABELS), ("changed_at", admin.DateFieldListFilter)]
    list_select_related = ["listing__entity", "listing__person"]
    fields = ["id", "change_label", "listing_link", "changed_at"]
    readonly_fields = ["listing_link", "change_label"]
    change_label = labelled("change", _("变更"), PUBLIC_CHANGE_LABELS)
    listing_link = link("listing", _("名单记录"))
