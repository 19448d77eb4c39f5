"""Django admin (in Chinese) for complaints and inspections: read-only records, handling steps through the services.

Complainants' names and phones appear here because the admin is for regulators
only (core.admin.base); every status change goes through
complaints.services (complaint_accept, ...), so the transition table and its rules
hold exactly as in the API.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminDateWidget
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints import planning, services
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintOutcome,
    ComplaintStatus,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionPlanItem,
    ViolationType,
)
from complaints.transitions import ACTION_LABELS, TRANSITIONS
from core.admin.base import (
    EntityRegionFilter,
    ReadOnlyAdmin,
    ReadOnlyInline,
    RegistrySearch,
    RegulatorAdmin,
    Transition,
    is_record_id,
    link,
    presence_filter,
    pretty_json,
)
from entities.selectors import entity_ids_matching


class ComplaintReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


class ComplaintResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=ComplaintOutcome.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("处理意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


class RectifyForm(forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=AdminDateWidget, initial=timezone.localdate)


def _complaint_step(action: str, label: str, form_class=None, intro: str = "", applies=None) -> Transition:
    def run(request, complaint, data):
        services.COMPLAINT_STEPS[action](complaint_id=complaint.pk, actor=request.user, **data)

    def legal(complaint) -> bool:
        return (complaint.status, action) in TRANSITIONS and (applies is None or applies(complaint))

    return Transition(name=f"complaint_{action}", label=label, run=run, form_class=form_class, intro=intro,
                      applies=legal)


COMPLAINT_STEPS = (
    _complaint_step("accept", _("受理"), intro=_("受理即通知经营者，其书面答复期限为 10 日。")),
    _complaint_step("reject", _("不予受理"), ComplaintReasonForm, _("不予受理须说明理由（旅游投诉处理办法第十条）。")),
    _complaint_step("start_investigation", _("开始调查处理")),
    _complaint_step("resolve", _("办结"), ComplaintResolveForm),
    _complaint_step("close", _("归档")),
    _complaint_step("withdraw", _("撤回（代投诉人办理）"), ComplaintReasonForm),
    _complaint_step("override_late_filing", _("超期决定受理"), ComplaintReasonForm,
                    _("仅适用于因超过 90 日被拒的投诉，须说明理由；受理期限自决定之日重新起算。"),
                    applies=lambda complaint: complaint.late_filing and not complaint.late_filing_overridden),
)


class ComplaintEventInline(ReadOnlyInline):
    model = ComplaintEvent
    fields = ["created_at", "action_label", "from_label", "to_label", "actor_name", "reason"]
    readonly_fields = fields

    @admin.display(description=_("动作"))
    def action_label(self, event: ComplaintEvent) -> str:
        return ACTION_LABELS.get(event.action, event.action)

    @admin.display(description=_("原状态"))
    def from_label(self, event: ComplaintEvent) -> str:
        return dict(ComplaintStatus.choices).get(event.from_status, event.from_status) or "—"

    @admin.display(description=_("新状态"))
    def to_label(self, event: ComplaintEvent) -> str:
        return dict(ComplaintStatus.choices).get(event.to_status, event.to_status)
    show_change_link = False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """投诉: filed by the public or through the API; handled here step by step, never edited."""

    transitions = COMPLAINT_STEPS
    list_display = ["id", "entity", "category", "channel", "status", "received_on", "accept_due", "resolve_due",
                    "overdue"]
    list_filter = ["status", "category", "channel", "overdue", "late_filing", "outcome", EntityRegionFilter]
    list_select_related = ["entity"]
    search_fields = ["tracking_code"]
    search_help_text = _("按编号、查询码、被投诉主体名称或信用代码查找。")
    date_hierarchy = "received_on"
    inlines = [ComplaintEventInline]
    fieldsets = (
        (_("投诉"), {"fields": ("entity", "category", "description", "channel", "incident_date", "received_on",
                              "tracking_code")}),
        (_("投诉人（仅监管人员可见）"), {"fields": ("complainant_name", "complainant_phone", "complainant_count",
                                         "representatives")}),
        (_("办理"), {"fields": ("status", "outcome", "resolution", "rejection_reason", "late_filing",
                              "late_filing_overridden", "accepted_on", "resolved_on")}),
        (_("期限"), {"fields": ("accept_due", "notify_due", "business_notified_on", "reply_due", "resolve_due",
                              "overdue", "overdue_notified_on")}),
        (_("经营者答复"), {"fields": ("business_response", "business_responded_at")}),
        (_("记录"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_record_id(term):
            return queryset.filter(pk=int(term)), False
        # The tracking code has a unique index; entity names go through the registry's search keys.
        return queryset.filter(tracking_code=term) | queryset.filter(entity__in=entity_ids_matching(term)), False


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    """投诉流转记录 (append-only)."""

    list_display = ["created_at", "complaint_link", "action", "from_status", "to_status", "actor_name"]
    list_filter = ["action", "to_status", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["complaint"]
    search_fields = ["actor_name"]
    search_help_text = _("按投诉编号或操作人查找。")
    fields = ["complaint_link", "action", "from_status", "to_status", "actor_link", "actor_name", "reason",
              "created_at"]
    readonly_fields = ["complaint_link", "actor_link"]
    complaint_link = link("complaint", _("投诉"))
    actor_link = link("actor", _("操作账户"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_record_id(term):
            return queryset.filter(complaint_id=int(term)), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(ViolationType)
class ViolationTypeAdmin(RegulatorAdmin):
    """违法行为目录: regulators add and correct entries (as in the API); retired by ``active``, never deleted."""

    allow_add = True
    allow_change = True
    list_display = ["code", "name", "sector", "default_severity", "safety_related", "active"]
    list_filter = ["sector", "default_severity", "safety_related", "active"]
    search_fields = ["code", "name", "legal_basis"]
    search_help_text = _("按代码、名称或法律依据查找。")


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["violation_type", "severity", "penalty", "fine_amount", "decision_number", "decided_on", "rectify_by",
              "rectified_on"]


@admin.register(Inspection)
class InspectionAdmin(RegistrySearch, ReadOnlyAdmin):
    """检查记录: written with its findings in one transaction by inspectors (API); read here."""

    list_display = ["id", "entity", "inspected_on", "kind", "inspector"]
    list_filter = ["kind", EntityRegionFilter]
    list_select_related = ["entity", "inspector"]
    search_fields = ["summary"]
    search_help_text = _("按编号、被检查主体名称或信用代码查找。")
    date_hierarchy = "inspected_on"
    inlines = [FindingInline]
    search_by = {"entity": entity_ids_matching}


RectifiedFilter = presence_filter(title=_("整改情况"), parameter_name="rectified", field="rectified_on",
                                  choices=[("no", _("未整改"), True), ("yes", _("已整改"), False)])


def _rectify(request, finding, data):
    services.finding_rectify(finding_id=finding.pk, actor=request.user, rectified_on=data["rectified_on"])


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    """检查发现: rectification is recorded through the same service as the API's rectify."""

    transitions = (
        Transition(name="finding_rectify", label=_("登记整改完成"), run=_rectify, form_class=RectifyForm,
                   applies=lambda finding: finding.rectified_on is None),
    )
    list_display = ["id", "entity", "violation_type", "severity", "penalty", "decided_on", "rectify_by",
                    "rectified_on"]
    list_filter = ["severity", "penalty", RectifiedFilter, "violation_type__sector"]
    list_select_related = ["inspection__entity", "violation_type"]
    search_fields = ["decision_number"]
    search_help_text = _("按编号、处罚决定书文号、主体名称或信用代码查找。")
    date_hierarchy = "decided_on"
    fields = ["inspection_link", "violation_type", "severity", "description", "penalty", "fine_amount",
              "decision_number", "decided_on", "rectify_by", "rectified_on", "created_at", "updated_at"]
    readonly_fields = ["inspection_link"]
    inspection_link = link("inspection", _("检查"))

    @admin.display(description=_("市场主体"))
    def entity(self, finding: Finding):
        return finding.inspection.entity

    def get_search_results(self, request, queryset, search_term):
        matched, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not is_record_id(term):
            matched = matched | queryset.filter(inspection__entity__in=entity_ids_matching(term))
        return matched, duplicates


def _publish_plan(request, plan, data):
    planning.plan_publish(plan_id=plan.pk)


def _verify_plan(request, plan, data):
    from django.contrib import messages

    if planning.plan_verify(plan=plan):
        messages.success(request, _("%(plan)s：按记录的种子与总体重新抽取，结果一致。") % {"plan": plan})
    else:
        messages.error(request, _("%(plan)s：重新抽取的结果与记录不一致！") % {"plan": plan})


class PlanItemInline(ReadOnlyInline):
    model = InspectionPlanItem
    fields = ["entity_link", "grade", "inspector_link"]
    entity_link = link("entity", _("市场主体"))
    inspector_link = link("inspector", _("检查人员"))


@admin.register(InspectionPlan)
class InspectionPlanAdmin(ReadOnlyAdmin):
    """双随机抽查计划: drawn by the monthly job or the API; published and re-checked here."""

    transitions = (
        Transition(name="plan_publish", label=_("公开抽查计划"), run=_publish_plan,
                   applies=lambda plan: not plan.published),
        Transition(name="plan_verify", label=_("核验抽取结果"), run=_verify_plan, logs=False),
    )
    list_display = ["month", "region_prefix", "population_size", "sample_size", "published", "published_at"]
    list_filter = ["published", "region_prefix"]
    search_fields = ["region_prefix", "seed"]
    date_hierarchy = "month"
    inlines = [PlanItemInline]
    fields = ["month", "region_prefix", "seed", "rates_display", "population_size", "sample_size", "published",
              "published_at", "created_at"]
    readonly_fields = ["rates_display"]

    @admin.display(description=_("各等级年度抽查比例"))
    def rates_display(self, plan: InspectionPlan) -> str:
        return pretty_json(plan.rates)


@admin.register(InspectionPlanItem)
class InspectionPlanItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "plan_link", "entity_link", "grade", "inspector_link"]
    list_filter = ["grade"]
    list_select_related = ["plan", "entity", "inspector"]
    search_fields = ["entity__credit_code"]
    fields = ["plan_link", "entity_link", "grade", "inspector_link"]
    readonly_fields = ["plan_link", "entity_link", "inspector_link"]
    plan_link = link("plan", _("抽查计划"))
    entity_link = link("entity", _("市场主体"))
    inspector_link = link("inspector", _("检查人员"))
