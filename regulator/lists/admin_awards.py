"""诚信评选 in the admin (in Chinese): rounds, applications with their history and objections, and the steps.

Every step is an action calling the same service as the API (审核通过、不予通过、授予、撤销; 异议成立 / 不成立 on an
objection; 截止申报 on a round). Codes are shown as words (titles, statuses, criteria, regions), times in Beijing
time (TIME_ZONE). An objector's name and contact are shown here only, to regulators.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, ReadOnlyInline, RegulatorAdmin, Transition
from core.admin.labels import code_filter, region_label, register_codes, register_keys, register_values
from core.models import ServedDocument
from entities.models import Sector
from regulator.lists import award_rules, award_services
from regulator.lists.award_transitions import ACTION_LABELS
from regulator.lists.awards import (
    AwardApplication,
    AwardEvent,
    AwardKind,
    AwardObjection,
    AwardRound,
    AwardRoundStatus,
    AwardStatus,
)
from regulator.lists.models import Listing

STATUS_LABELS = dict(AwardStatus.choices)
CRITERION_LABELS = {
    "grade_at_least": _("信用等级不低于"), "min_score": _("信用分不低于"),
    "no_substantiated_complaint": _("期间内无属实投诉"), "max_finding_severity": _("检查发现问题的最高严重程度"),
    "not_listed": _("未列入名单"),
}

register_codes(AwardEvent, "action", ACTION_LABELS)
register_codes(AwardEvent, "from_status", STATUS_LABELS)
register_codes(AwardEvent, "to_status", STATUS_LABELS)
register_codes(ServedDocument, "about_type", {award_services.ABOUT: AwardApplication._meta.verbose_name})
register_codes(Listing, "source_type", {award_services.ABOUT: _("诚信评选")})
register_codes(Listing, "source_rule", {"award": _("获评诚信称号")})
# the rule set's ``awards`` section in words (the rule-set admin shows its document)
register_keys({"awards": _("诚信评选"), "notice_working_days": _("公示期（工作日）"), "validity_days": _("有效期（天）"),
               "kinds": _("称号"), "red_list": _("同时列入守信激励名单"), "score": _("信用分"),
               "severity": _("严重程度")})
register_values({**dict(AwardKind.choices), **CRITERION_LABELS})


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("处理意见"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


@admin.register(AwardRound)
class AwardRoundAdmin(RegulatorAdmin):
    list_display = ["name", "kind", "region", "opens_on", "closes_on", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name"]
    fields = ["name", "kind", "region", "sector_words", "opens_on", "closes_on", "condition_words", "status",
              "rule_set", "created_by", "created_at"]
    readonly_fields = fields
    transitions = (
        Transition("award_round_close", _("截止申报"),
                   lambda request, obj, data: award_services.award_round_close(round_id=obj.pk, actor=request.user),
                   applies=lambda obj: obj.status == AwardRoundStatus.OPEN),
    )

    @admin.display(description=_("评选区域"), ordering="region_code")
    def region(self, obj: AwardRound) -> str:
        return region_label(obj.region_code)

    @admin.display(description=_("参评行业"))
    def sector_words(self, obj: AwardRound) -> str:
        labels = dict(Sector.choices)
        return "、".join(str(labels.get(s, s)) for s in obj.sectors) or _("全部行业")

    @admin.display(description=_("本批次附加条件"))
    def condition_words(self, obj: AwardRound) -> str:
        return "；".join(award_rules.criterion_label(item) for item in obj.conditions) or "—"


class _EventLabels:
    """The steps and states of an application's history in words."""

    @admin.display(description=_("动作"))
    def action_label(self, event: AwardEvent) -> str:
        return ACTION_LABELS.get(event.action, event.action)

    @admin.display(description=_("原状态"))
    def from_label(self, event: AwardEvent) -> str:
        return STATUS_LABELS.get(event.from_status, event.from_status) or "—"

    @admin.display(description=_("新状态"))
    def to_label(self, event: AwardEvent) -> str:
        return STATUS_LABELS.get(event.to_status, event.to_status)


class AwardEventInline(_EventLabels, ReadOnlyInline):
    model = AwardEvent
    fields = ["created_at", "action_label", "from_label", "to_label", "actor_name", "reason"]
    readonly_fields = fields
    show_change_link = False
    verbose_name_plural = _("流转记录")


@admin.register(AwardEvent)
class AwardEventAdmin(_EventLabels, ReadOnlyAdmin):
    """诚信评选流转记录 (append-only)."""

    list_display = ["created_at", "application", "action_label", "from_label", "to_label", "actor_name"]
    list_filter = [code_filter("action", _("动作"), ACTION_LABELS), code_filter("to_status", _("新状态"), STATUS_LABELS)]
    list_select_related = ["application__entity", "application__round"]
    search_fields = ["actor_name"]
    fields = ["application", "action_label", "from_label", "to_label", "actor_name", "reason", "created_at"]
    readonly_fields = fields


class AwardObjectionInline(ReadOnlyInline):
    model = AwardObjection
    fields = ["filed_at", "reason", "objector_name", "objector_contact", "upheld", "answer", "answered_at"]


def _answer(upheld: bool):
    def run(request, obj, data):
        objection = obj.objections.filter(answered_at__isnull=True).order_by("id").first()
        if objection is None:
            from config.api.exceptions import ConflictError

            raise ConflictError(_("没有待处理的公示异议。"))
        return award_services.award_objection_answer(objection_id=objection.pk, actor=request.user, upheld=upheld,
                                                     answer=data["answer"])
    return run


@admin.register(AwardApplication)
class AwardApplicationAdmin(RegulatorAdmin):
    list_display = ["id", "entity", "round", "channel", "status", "notice_due", "decision_number", "valid_until"]
    list_filter = ["status", "channel", "round__kind"]
    list_select_related = ["entity", "round"]
    search_fields = ["entity__name", "entity__credit_code", "decision_number"]
    fields = ["round", "entity", "channel", "statement", "status", "results", "checked_on", "notice_starts_on",
              "notice_due", "notice_working_days", "decided_on", "decision_number", "valid_until", "legal_basis",
              "ended_on", "end_reason", "revoked_automatically", "red_listing", "created_at", "updated_at"]
    readonly_fields = fields
    inlines = [AwardObjectionInline, AwardEventInline]
    transitions = (
        Transition("award_approve", _("审核通过，进入公示"),
                   lambda request, obj, data: award_services.award_review(application_id=obj.pk, actor=request.user,
                                                                          approve=True),
                   applies=lambda obj: obj.status == AwardStatus.UNDER_REVIEW),
        Transition("award_refuse", _("不予通过"),
                   lambda request, obj, data: award_services.award_review(application_id=obj.pk, actor=request.user,
                                                                          approve=False, reason=data["reason"]),
                   form_class=ReasonForm, applies=lambda obj: obj.status == AwardStatus.UNDER_REVIEW),
        Transition("award_uphold", _("公示异议成立"), _answer(True), form_class=AnswerForm,
                   applies=lambda obj: obj.status == AwardStatus.OBJECTED),
        Transition("award_dismiss", _("公示异议不成立"), _answer(False), form_class=AnswerForm,
                   applies=lambda obj: obj.status == AwardStatus.OBJECTED),
        Transition("award_grant", _("作出授予决定"),
                   lambda request, obj, data: award_services.award_decide(application_id=obj.pk, actor=request.user),
                   applies=lambda obj: obj.status == AwardStatus.IN_NOTICE),
        Transition("award_revoke", _("撤销称号"),
                   lambda request, obj, data: award_services.award_revoke(application_id=obj.pk, actor=request.user,
                                                                          reason=data["reason"]),
                   form_class=ReasonForm, applies=lambda obj: obj.status == AwardStatus.GRANTED),
    )

    @admin.display(description=_("条件核验结果"))
    def results(self, obj: AwardApplication):
        if not obj.check_results:
            return "—"
        return format_html("<ul style=\"margin:0;padding-left:1.2em\">{}</ul>", format_html_join(
            "", "<li>{}：{}（{}）</li>",
            ((row.get("label"), _("符合") if row.get("passed") else _("不符合"), row.get("detail"))
             for row in obj.check_results)))


@admin.register(AwardObjection)
class AwardObjectionAdmin(RegulatorAdmin):
    list_display = ["id", "application", "filed_at", "upheld", "answered_at"]
    list_select_related = ["application__entity", "application__round"]
    fields = ["application", "reason", "objector_name", "objector_contact", "filed_on", "filed_at", "upheld",
              "answer", "answered_by", "answered_at"]
    readonly_fields = fields
