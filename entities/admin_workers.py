"""Django admin (in Chinese) for the household workers' credit files (家政服务员信用档案) and their service cards.

Read-only for regulators: firms keep their own workers' files through their business accounts (API and pages),
and a card is revoked here by an admin action calling the same service as the API. ID numbers are never shown
(only the person's masked form); a worker is found by name or by the whole ID number, through its keyed hash.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin.base import RegulatorAdmin, Transition, presence_filter
from entities import worker_services
from entities.selectors import entity_ids_matching, person_ids_matching
from entities.workers import (
    Employment,
    HealthCheck,
    IdentityVerification,
    ServiceCard,
    SkillCertificate,
    TrainingRecord,
)


class _PersonSearch:
    """Search by the worker (name keys or whole ID number) or the firm (name or credit code)."""

    person_path = "person"
    entity_path = "recorded_by_entity"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return (queryset.filter(**{f"{self.person_path}__in": person_ids_matching(term)})
                | queryset.filter(**{f"{self.entity_path}__in": entity_ids_matching(term)})), False


CurrentEmploymentFilter = presence_filter(title=_("在职情况"), parameter_name="current", field="ended_on",
                                          choices=[("yes", _("在职"), True), ("no", _("已离职"), False)])


@admin.register(Employment)
class EmploymentAdmin(_PersonSearch, RegulatorAdmin):
    entity_path = "entity"
    list_display = ["person", "entity", "started_on", "ended_on", "position"]
    list_filter = [CurrentEmploymentFilter]
    list_select_related = ["person", "entity"]
    search_fields = ["person__name"]
    search_help_text = _("按服务员姓名或身份证号码、企业名称或信用代码查找。")
    fields = ["person", "entity", "started_on", "ended_on", "position", "recorded_by_entity", "recorded_by",
              "created_at", "updated_at"]


class _EntryAdmin(_PersonSearch, RegulatorAdmin):
    list_select_related = ["person", "recorded_by_entity"]
    search_fields = ["person__name"]
    search_help_text = _("按服务员姓名或身份证号码、录入企业名称或信用代码查找。")


@admin.register(IdentityVerification)
class IdentityVerificationAdmin(_EntryAdmin):
    list_display = ["person", "verified_on", "method", "verifier_name", "recorded_by_entity"]
    list_filter = ["method"]
    fields = ["person", "verified_on", "method", "verifier_name", "recorded_by_entity", "recorded_by", "created_at"]


@admin.register(HealthCheck)
class HealthCheckAdmin(_EntryAdmin):
    list_display = ["person", "checked_on", "expires_on", "passed", "institution", "recorded_by_entity"]
    list_filter = ["passed"]
    fields = ["person", "checked_on", "expires_on", "passed", "institution", "certificate_number",
              "recorded_by_entity", "recorded_by", "created_at", "updated_at"]


@admin.register(TrainingRecord)
class TrainingRecordAdmin(_EntryAdmin):
    list_display = ["person", "kind", "provider", "hours", "completed_on", "recorded_by_entity"]
    list_filter = ["kind"]
    fields = ["person", "kind", "provider", "hours", "completed_on", "certificate_number", "recorded_by_entity",
              "recorded_by", "created_at", "updated_at"]


@admin.register(SkillCertificate)
class SkillCertificateAdmin(_EntryAdmin):
    list_display = ["person", "name", "level", "number", "issuer", "issued_on", "expires_on"]
    fields = ["person", "name", "level", "number", "issuer", "issued_on", "expires_on", "recorded_by_entity",
              "recorded_by", "created_at", "updated_at"]


class CardRevokeForm(forms.Form):
    reason = forms.CharField(label=_("注销原因"), max_length=300, help_text=_("不对外公开；证件页面只显示“已注销”。"))


def _revoke(request, card, data):
    return worker_services.card_revoke(actor=request.user, card=card, reason=data["reason"])


RevokedFilter = presence_filter(title=_("注销情况"), parameter_name="revoked", field="revoked_on",
                                choices=[("no", _("未注销"), True), ("yes", _("已注销"), False)])


@admin.register(ServiceCard)
class ServiceCardAdmin(_PersonSearch, RegulatorAdmin):
    """居家上门服务证: its validity is computed on the day asked (the public card page shows it)."""

    person_path = "employment__person"
    entity_path = "employment__entity"
    list_display = ["code", "employment", "issued_on", "expires_on", "revoked_on"]
    list_filter = [RevokedFilter]
    list_select_related = ["employment__person", "employment__entity"]
    search_fields = ["code"]
    search_help_text = _("按证件编码、服务员姓名或身份证号码、企业名称或信用代码查找。")
    fields = ["code", "employment", "issued_on", "expires_on", "revoked_on", "revoked_reason", "issued_by",
              "revoked_by", "created_at", "updated_at"]
    transitions = (
        Transition(name="card_revoke", label=_("注销服务证"), run=_revoke, form_class=CardRevokeForm,
                   applies=lambda card: card.revoked_on is None, intro=_("注销后，证件页面即显示“已注销”。")),
    )

    def get_search_results(self, request, queryset, search_term):
        matched, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().upper()
        if term:
            matched = matched | queryset.filter(code=term)
        return matched, duplicates
