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
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from complaints import planning, services
from complaints.documents import ABOUT, complaint_documents
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintOutcome,
    ComplaintStatus,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionPlanItem,
    RejectionGround,
    ViolationType,
)
from complaints.transitions import ACTION_LABELS, HANDLING_STATES, TRANSITIONS
from config.api.exceptions import ConflictError
from core import documents as served_documents
from core.admin.base import (
    EntityRegionFilter,
    ReadOnlyAdmin,
    ReadOnlyInline,
    RegionFilter,
    RegistrySearch,
    RegulatorAdmin,
    Transition,
    is_record_id,
    link,
    presence_filter,
)
from core.admin.labels import chinese_date, code_filter, in_words, labelled, region_label, register_codes
from core.models import DeliveryMethod, ServedDocument
from entities.models import Entity, Person
from entities.selectors import entity_ids_matching
from entities.validators import normalize_credit_code


def _text(label, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(label=label, max_length=2000, required=required,
                           widget=forms.Textarea(attrs={"rows": rows, "cols": 80}))


def _date(label, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=AdminDateWidget, initial=timezone.localdate)


class ComplaintReasonForm(forms.Form):
    reason = _text(_("理由"))


class ComplaintRejectForm(forms.Form):
    ground = forms.ChoiceField(label=_("不予受理情形"), choices=RejectionGround.choices, widget=forms.RadioSelect)
    reason = _text(_("具体理由（告知投诉人）"), required=False)


class ComplaintTransferForm(forms.Form):
    department = forms.CharField(label=_("承办部门"), max_length=200, help_text=_("如“运城市市场监督管理局”。"))
    contact = forms.CharField(label=_("承办部门联系方式"), max_length=200, required=False)
    reason = _text(_("说明"), required=False, rows=3)


class BusinessNoticeForm(forms.Form):
    delivery_method = forms.ChoiceField(label=_("送达方式"), required=False,
                                        choices=[("", _("稍后登记送达")), *[c for c in DeliveryMethod.choices
                                                                       if c[0] != DeliveryMethod.ANNOUNCEMENT]])
    delivered_on = _date(_("送达日期"), required=False)
    note = forms.CharField(label=_("送达说明"), max_length=300, required=False,
                           help_text=_("邮件单号、签收人、电子送达地址等。"))


class NoticeDeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("送达方式"), choices=[c for c in DeliveryMethod.choices
                                                         if c[0] != DeliveryMethod.ANNOUNCEMENT])
    delivered_on = _date(_("送达日期"))
    note = forms.CharField(label=_("送达说明"), max_length=300, required=False)


class MediationAgreementForm(forms.Form):
    terms = forms.CharField(label=_("调解协议内容"), max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))
    complainant_signed_on = _date(_("投诉人签署日期"))
    respondent_signed_on = _date(_("被投诉人签署日期"))


class LinkRespondentForm(forms.Form):
    credit_code = forms.CharField(label=_("登记主体的统一社会信用代码"), max_length=32, required=False)
    person_id = forms.IntegerField(label=_("或：登记自然人的编号"), required=False, min_value=1)
    reason = _text(_("说明"), required=False, rows=3)

    def clean(self):
        data = super().clean()
        code, person_id = normalize_credit_code(data.get("credit_code") or ""), data.get("person_id")
        if bool(code) == bool(person_id):
            raise forms.ValidationError(_("请填写统一社会信用代码或自然人编号之一。"))
        if code:
            data["entity"] = Entity.objects.filter(credit_code=code).first()
            if data["entity"] is None:
                self.add_error("credit_code", _("未找到该统一社会信用代码对应的主体。"))
        else:
            data["person"] = Person.objects.filter(pk=person_id).first()
            if data["person"] is None:
                self.add_error("person_id", _("未找到该自然人。"))
        return data


class ComplaintResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), choices=ComplaintOutcome.choices, widget=forms.RadioSelect)
    reason = _text(_("处理意见"))


class RectifyForm(forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=AdminDateWidget, initial=timezone.localdate)


def _complaint_step(action: str, label: str, form_class=None, intro: str = "", applies=None) -> Transition:
    def run(request, complaint, data):
        services.COMPLAINT_STEPS[action](complaint_id=complaint.pk, actor=request.user, **data)

    def legal(complaint) -> bool:
        return (complaint.status, action) in TRANSITIONS and (applies is None or applies(complaint))

    return Transition(name=f"complaint_{action}", label=label, run=run, form_class=form_class, intro=intro,
                      applies=legal)


def _handling(complaint) -> bool:
    return complaint.status in HANDLING_STATES


def _business_notice(request, complaint, data):
    services.complaint_notify_business(complaint_id=complaint.pk, actor=request.user,
                                       delivery_method=data.get("delivery_method") or "",
                                       delivered_on=data.get("delivered_on"), note=data.get("note") or "")


def _notice_delivery(request, complaint, data):
    if complaint.business_notice_id is None:
        raise ConflictError(_("尚未发出答复通知书。"), code="illegal_transition")
    served_documents.document_serve(document_id=complaint.business_notice_id, actor=request.user,
                                    method=data["method"], delivered_on=data["delivered_on"], note=data.get("note", ""))


def _mediation_agreement(request, complaint, data):
    services.complaint_mediation_agree(complaint_id=complaint.pk, actor=request.user, **data)


def _mediation_termination(request, complaint, data):
    services.complaint_mediation_terminate(complaint_id=complaint.pk, actor=request.user, reason=data["reason"])


def _link(request, complaint, data):
    services.complaint_link_respondent(complaint_id=complaint.pk, actor=request.user, entity=data.get("entity"),
                                       person=data.get("person"), reason=data.get("reason") or "")


COMPLAINT_STEPS = (
    _complaint_step("accept", _("受理"), intro=_("受理后向投诉人制发受理通知书；5 个工作日内须向经营者发出答复通知书。")),
    _complaint_step("reject", _("不予受理"), ComplaintRejectForm,
                    _("选择不予受理情形并说明理由；不予受理通知书引用该情形的依据。")),
    _complaint_step("transfer", _("转办"), ComplaintTransferForm,
                    _("转交有管辖权或职责的部门办理，向投诉人制发转办告知书。")),
    Transition(name="complaint_business_notice", label=_("发出答复通知书"), run=_business_notice,
               form_class=BusinessNoticeForm, applies=lambda c: _handling(c) and c.business_notice_id is None,
               intro=_("经营者应自收到答复通知书之日起 10 日内书面答复；可同时登记送达，或稍后登记。")),
    Transition(name="complaint_notice_delivery", label=_("登记答复通知书送达"), run=_notice_delivery,
               form_class=NoticeDeliveryForm,
               applies=lambda c: c.business_notice_id is not None and c.business_notified_on is None,
               intro=_("答复期限自送达之日起计算。")),
    _complaint_step("start_investigation", _("开始调查处理")),
    Transition(name="complaint_mediation_agreement", label=_("登记调解书"), run=_mediation_agreement,
               form_class=MediationAgreementForm, applies=lambda c: _handling(c) and not c.mediation_result,
               intro=_("调解书须载明双方达成的协议，并由双方签署。")),
    Transition(name="complaint_mediation_termination", label=_("终止调解"), run=_mediation_termination,
               form_class=ComplaintReasonForm, applies=lambda c: _handling(c) and not c.mediation_result,
               intro=_("制作终止调解书，说明终止理由；投诉继续依法处理。")),
    _complaint_step("resolve", _("办结"), ComplaintResolveForm),
    _complaint_step("close", _("归档")),
    _complaint_step("withdraw", _("撤回（代投诉人办理）"), ComplaintReasonForm),
    _complaint_step("override_late_filing", _("超期决定受理"), ComplaintReasonForm,
                    _("仅适用于因超过 90 日被拒的投诉，须说明理由；受理期限自决定之日重新起算。"),
                    applies=lambda complaint: complaint.late_filing and not complaint.late_filing_overridden),
    Transition(name="complaint_link_respondent", label=_("关联登记的被投诉人"), run=_link,
               form_class=LinkRespondentForm, applies=lambda c: c.entity_id is None,
               intro=_("投诉的经营者或个人在登记信息中找到后关联：填写主体的统一社会信用代码，或自然人编号。")),
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


STATUS_LABELS = dict(ComplaintStatus.choices)
register_codes(ServedDocument, "about_type", {ABOUT: Complaint._meta.verbose_name})


class ComplaintRegionFilter(RegionFilter):
    """地市: the entity's region, or the receiving region of a complaint with no entity."""

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) <= 6:
            return queryset.filter(Q(entity__region_code__startswith=value)
                                   | Q(entity__isnull=True, region_code__startswith=value))
        return queryset


def _document_links(complaint: Complaint) -> str:
    rows = []
    for document in complaint_documents(complaint.pk):
        try:
            html = reverse("admin:core_serveddocument_html", args=[document.pk])
            pdf = reverse("admin:core_serveddocument_pdf", args=[document.pk])
            page = reverse("admin:core_serveddocument_change", args=[document.pk])
        except NoReverseMatch:  # the documents' admin is not on this site
            html = pdf = page = ""
        served = (_("%(date)s 送达") % {"date": chinese_date(document.delivered_on)}) if document.served else _("尚未送达")
        rows.append((page, document.title, document.number, chinese_date(document.issued_on), served, html, pdf))
    if not rows:
        return "—"
    return format_html("<ul style=\"margin:0;padding-left:1.2em\">{}</ul>", format_html_join(
        "", '<li><a style="text-decoration:underline" href="{}">{} {}</a>（{} 签发，{}） · <a style="text-decoration:underline" href="{}" target="_blank">打印</a> · '
            '<a style="text-decoration:underline" href="{}">PDF</a></li>', rows))


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyAdmin):
    """投诉: filed by the public or through the API; handled here step by step, never edited."""

    transitions = COMPLAINT_STEPS
    list_display = ["id", "respondent", "category", "channel", "status", "received_on", "accept_due", "resolve_due",
                    "overdue", "notice_overdue", "reply_overdue"]
    list_filter = ["status", "category", "channel", "overdue", "notice_overdue", "reply_overdue", "respondent_kind",
                   "rejection_ground", "late_filing", "outcome", ComplaintRegionFilter]
    list_select_related = ["entity"]
    search_fields = ["tracking_code"]
    search_help_text = _("按编号、查询码、被投诉主体名称或信用代码、未登记经营者或个人的名称查找。")
    date_hierarchy = "received_on"
    inlines = [ComplaintEventInline]
    readonly_fields = ["documents", "region_code_label", "representatives_label"]
    region_code_label = labelled("region_code", _("受理地"))

    @admin.display(description=_("代表人"))
    def representatives_label(self, complaint: Complaint) -> str:
        return in_words(complaint.representatives) if complaint.representatives else "—"
    fieldsets = (
        (_("投诉"), {"fields": ("entity", "respondent_kind", "category", "description", "channel", "incident_date",
                              "received_on", "tracking_code")}),
        (_("未登记的被投诉人"), {"fields": ("operator_name", "operator_address", "operator_phone", "operator_details",
                                    "person", "person_name", "person_role", "person_card_number", "region_code_label",
                                    "sector")}),
        (_("投诉人（仅监管人员可见）"), {"fields": ("complainant_name", "complainant_phone", "complainant_count",
                                         "representatives_label")}),
        (_("办理"), {"fields": ("status", "outcome", "resolution", "rejection_ground", "rejection_reason",
                              "late_filing", "late_filing_overridden", "transferred_to", "transferred_contact",
                              "transferred_on", "accepted_on", "resolved_on")}),
        (_("期限"), {"fields": ("accept_due", "notify_due", "notice_issued_on", "business_notified_on", "reply_due",
                              "resolve_due", "overdue", "notice_overdue", "reply_overdue", "overdue_notified_on")}),
        (_("经营者答复"), {"fields": ("business_notice", "business_response", "business_responded_at")}),
        (_("调解"), {"fields": ("mediation_result", "mediation_terms", "mediation_complainant_signed_on",
                              "mediation_respondent_signed_on", "mediation_termination_reason",
                              "mediation_document")}),
        (_("文书"), {"fields": ("documents",)}),
        (_("记录"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    @admin.display(description=_("被投诉人"), ordering="entity__name")
    def respondent(self, complaint: Complaint) -> str:
        return complaint.respondent_name

    @admin.display(description=_("文书（受理、不予受理、转办、答复通知书、调解书）"))
    def documents(self, complaint: Complaint) -> str:
        return _document_links(complaint)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_record_id(term):
            return queryset.filter(pk=int(term)), False
        # The tracking code has a unique index; entity names go through the registry's search keys.
        return queryset.filter(
            Q(tracking_code=term) | Q(entity__in=entity_ids_matching(term))
            | Q(entity__isnull=True) & (Q(operator_name__icontains=term) | Q(person_name__icontains=term))
        ), False


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdmin):
    """投诉流转记录 (append-only)."""

    list_display = ["created_at", "complaint_link", "action_label", "from_label", "to_label", "actor_name"]
    list_filter = [code_filter("action", _("动作"), ACTION_LABELS), code_filter("to_status", _("新状态"), STATUS_LABELS),
                   ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["complaint"]
    search_fields = ["actor_name"]
    search_help_text = _("按投诉编号或操作人查找。")
    fields = ["complaint_link", "action_label", "from_label", "to_label", "actor_link", "actor_name", "reason",
              "created_at"]
    readonly_fields = ["complaint_link", "actor_link", "action_label", "from_label", "to_label"]
    complaint_link = link("complaint", _("投诉"))
    actor_link = link("actor", _("操作账户"))
    action_label = labelled("action", _("动作"), ACTION_LABELS)
    from_label = labelled("from_status", _("原状态"), STATUS_LABELS)
    to_label = labelled("to_status", _("新状态"), STATUS_LABELS)

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
    list_display = ["name", "sector", "default_severity", "safety_related", "active"]
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
    list_filter = ["kind", EntityRegionFilter, "campaign"]  # campaign: 专项行动 (complaints/campaign_admin.py)
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
    list_display = ["month", "region_label", "population_size", "sample_size", "published", "published_at"]
    list_filter = ["published", RegionFilter.for_field("region_prefix")]
    search_fields = ["region_prefix", "seed"]
    date_hierarchy = "month"
    inlines = [PlanItemInline]
    fields = ["month", "region_label", "seed", "rates_display", "population_size", "sample_size", "published",
              "published_at", "created_at"]
    readonly_fields = ["rates_display", "region_label"]

    @admin.display(description=_("辖区"), ordering="region_prefix")
    def region_label(self, plan: InspectionPlan) -> str:
        return region_label(plan.region_prefix)

    @admin.display(description=_("各等级年度抽查比例"))
    def rates_display(self, plan: InspectionPlan) -> str:
        return in_words({grade: f"{rate:.0%}" if isinstance(rate, (int, float)) else rate
                         for grade, rate in (plan.rates or {}).items()})


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


# Admins of their own modules: 专项行动 (campaign_admin), 整改材料 (rectification_admin), 满意在山西 (satisfaction_admin).
from complaints import campaign_admin, rectification_admin, satisfaction_admin  # noqa: E402,F401
