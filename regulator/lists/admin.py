"""名单 in the admin: proposals, due-process steps, objections and repair, all through the services.

Every state change here calls the function the API calls (regulator.lists.services,
the same functions), so the transition table, the objection window in working
days and the unanswered-objection guard hold in the admin exactly as in the API.
The 告知书, 认定决定书 and 修复决定书 are served documents: a listing's page links to
each (print as HTML or PDF) and records their service; paper objections and paper
repair applications of any subject are recorded here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.base import (
    EntityRegionFilter,
    ReadOnlyAdmin,
    ReadOnlyInline,
    Transition,
    adopt,
    is_record_id,
    link,
    presence_filter,
)
from core.admin.documents import DeliveryForm
from core.admin.labels import (
    chinese_date,
    code_filter,
    codes_label,
    in_words,
    labelled,
    register_codes,
    register_keys,
    register_values,
)
from core.documents import documents_about
from core.models import ServedDocument
from entities.models import LicenceType, PersonRoleKind
from entities.selectors import entity_ids_matching, person_ids_matching
from regulator.lists import admin_imports, rules
from regulator.lists import services as listings
from regulator.lists.admin_labels import (
    PUBLIC_CHANGE_LABELS,
    RULE_SET_KEYS,
    SOURCE_RULE_LABELS,
    SOURCE_TYPE_LABELS,
    measure_labels,
    rule_set_labels,
)
from regulator.lists.documents import LISTING, REPAIR
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    Objection,
    ObjectionOutcome,
    PublicChange,
    RepairApplication,
    RepairStatus,
    RuleSet,
)
from regulator.lists.selectors import rule_set_on
from regulator.lists.transitions import ACTION_LABELS, TRANSITIONS

register_codes(Listing, "source_type", SOURCE_TYPE_LABELS)
register_codes(Listing, "source_rule", SOURCE_RULE_LABELS)
register_codes(Listing, "person_role", dict(PersonRoleKind.choices))
register_codes(ListingEvent, "action", ACTION_LABELS)
register_codes(ListingEvent, "from_status", dict(ListingStatus.choices))
register_codes(ListingEvent, "to_status", dict(ListingStatus.choices))
register_codes(PublicChange, "change", PUBLIC_CHANGE_LABELS)
register_codes(ServedDocument, "about_type", {LISTING: Listing._meta.verbose_name,
                                              REPAIR: RepairApplication._meta.verbose_name})
register_keys({"reason": _("事由"), "legal_basis": _("法律依据")})
# what a department client asked and was answered (core.admin.clients shows its query log in words)
register_values({**dict(LicenceType.choices), **{item["code"]: item["name"] for item in rules.JOINT_MEASURES}})
register_keys({"licence_type": _("许可类型"), "measure": _("措施"), "body": _("请求内容"), "text": _("说明"),
               "items": _("逐项"), "question": _("所问事项"), "applicant_credit_code": _("申请人统一社会信用代码"),
               "person_id_numbers": _("人员身份证号"), "persons_masked": _("人员身份证号（脱敏）"),
               "persons_hash": _("人员身份证号（密钥哈希）"), "as_of": _("查询日期"), "allowed": _("是否准予"),
               "receipt_id": _("回执编号")})

# ------------------------------------------------------------------ forms of the steps that need input


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))


def _measure_choices() -> list[tuple[str, str]]:
    """Every measure of today's catalogue, labelled with the lists it belongs to (the service checks the list)."""
    document = rule_set_on(timezone.localdate()).document
    labels = dict(ListType.choices)
    choices: dict[str, str] = {}
    for list_type in ListType.values:
        for measure in rules.measures_for(document, list_type):
            choices.setdefault(measure["code"], f"{measure.get('label') or measure['code']}（{labels[list_type]}）")
    return list(choices.items())


class DecisionForm(forms.Form):
    """认定决定书: what the API's decide endpoint takes; its number comes from the authority's series."""

    measures = forms.MultipleChoiceField(label=_("信用管理措施"), choices=(), widget=forms.CheckboxSelectMultiple,
                                         help_text=_("措施目录（决定之日施行的规则集）；须属于该名单。"))
    period_days = forms.IntegerField(label=_("期限（天）"), min_value=1, max_value=3650, required=False,
                                     help_text=_("留空按决定之日施行的规则集所定期限；不得超过该期限。"))
    reason = forms.CharField(label=_("认定事由"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), help_text=_("留空沿用拟列入事由。"))
    legal_basis = forms.CharField(label=_("法律依据"), max_length=500, required=False,
                                  help_text=_("留空沿用拟列入时的依据。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measures"].choices = _measure_choices()


class ServeForm(DeliveryForm):
    """登记送达: the kernel's delivery form."""


class ReviseForm(forms.Form):
    reason = forms.CharField(label=_("修改后的事由"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))
    legal_basis = forms.CharField(label=_("修改后的法律依据"), max_length=500, required=False)


class PaperObjectionForm(forms.Form):
    """书面陈述申辩, recorded for the subject (an entity, a natural person, a person listed by import)."""

    received_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("机关收到书面申辩之日，须在陈述申辩期内。"))
    objector_name = forms.CharField(label=_("申辩人"), max_length=200, required=False,
                                    help_text=_("留空为被列入主体。"))
    statement = forms.CharField(label=_("陈述申辩内容"), max_length=10000,
                                widget=forms.Textarea(attrs={"rows": 5, "cols": 80}))


class PaperRepairForm(forms.Form):
    """书面信用修复申请 of a listed subject, recorded by a regulator."""

    filed_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs={"type": "date"}))
    applicant_name = forms.CharField(label=_("申请人"), max_length=200, required=False,
                                     help_text=_("留空为被列入主体。"))
    statement = forms.CharField(label=_("申请说明"), max_length=10000,
                                widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))
    evidence = forms.CharField(label=_("证明材料（每行一项）"), max_length=25000,
                               widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    commitment = forms.BooleanField(label=_("已提交信用承诺书"), required=False)
    training_record = forms.CharField(label=_("信用修复培训记录"), max_length=200, required=False)


class ObjectionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4, "cols": 80}))
    upheld = forms.TypedChoiceField(label=_("申辩是否成立"), choices=[("1", _("申辩成立")), ("0", _("申辩不成立"))],
                                    coerce=lambda value: value == "1", widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("申辩成立的处理"), required=False,
                                choices=[("", _("（申辩不成立时不选）")), *ObjectionOutcome.choices],
                                help_text=_("申辩成立时必选：撤回终止程序，或退回拟列入、修改事由后重新告知。"))


# ------------------------------------------------------------------ transitions


def _listing_step(action: str, label: str, form_class=None, intro: str = "") -> Transition:
    def run(request, listing, data):
        listings.LISTING_STEPS[action](listing_id=listing.pk, actor=request.user, **data)

    return Transition(name=f"listing_{action}", label=label, run=run, form_class=form_class, intro=intro,
                      applies=lambda listing: (listing.status, action) in TRANSITIONS)


def _serve(document: str):
    def run(request, listing, data):
        listings.listing_document_serve(listing_id=listing.pk, document=document, actor=request.user,
                                        method=data["method"], delivered_on=data.get("delivered_on"),
                                        announced_on=data.get("announced_on"), note=data.get("note", ""))

    return run


def _not_served(field: str):
    def applies(listing) -> bool:
        document = getattr(listing, field)
        return document is not None and not document.served

    return applies


def _paper_objection(request, listing, data):
    listings.objection_file(listing_id=listing.pk, actor=request.user, statement=data["statement"],
                            received_on=data["received_on"], objector_name=data.get("objector_name", ""))


def _paper_repair(request, listing, data):
    listings.repair_application_file(
        listing_id=listing.pk, actor=request.user, statement=data["statement"],
        evidence=[line.strip() for line in data["evidence"].splitlines() if line.strip()],
        commitment=data.get("commitment", False), training_record=data.get("training_record", ""),
        filed_on=data["filed_on"], applicant_name=data.get("applicant_name", ""))


LISTING_STEPS = (
    _listing_step("notify", _("制发告知书")),
    Transition(name="listing_notice_delivery", label=_("登记告知书送达"), run=_serve("notice"), form_class=ServeForm,
               applies=_not_served("notice_document"),
               intro=_("陈述申辩期自告知书送达之日起算；公告送达填写公告发布日期，经规则集规定的期间视为送达。")),
    Transition(name="listing_objection_paper", label=_("登记书面陈述申辩"), run=_paper_objection,
               form_class=PaperObjectionForm, applies=lambda listing: listing.status == ListingStatus.NOTIFIED,
               intro=_("为被列入主体（含自然人、导入名单的自然人）登记收到的书面陈述申辩；收到日期须在申辩期内。")),
    _listing_step("revise", _("修改拟列入事由"), ReviseForm, _("申辩成立退回后，修改事由或法律依据，再重新制发告知书。")),
    _listing_step("decide", _("作出认定决定"), DecisionForm,
                  _("告知书送达后、陈述申辩期届满且申辩均已答复方可认定；决定书文号自动编号，救济途径由规则集载明；"
                    "期限自认定之日起算。")),
    Transition(name="listing_decision_delivery", label=_("登记认定决定书送达"), run=_serve("decision"),
               form_class=ServeForm, applies=_not_served("decision_document")),
    Transition(name="listing_repair_paper", label=_("登记书面信用修复申请"), run=_paper_repair,
               form_class=PaperRepairForm,
               applies=lambda listing: listing.status == ListingStatus.PUBLISHED and listing.list_type != ListType.RED,
               intro=_("为被列入主体（含自然人、导入名单的自然人）登记收到的书面信用修复申请。")),
    _listing_step("publish", _("公示")),
    _listing_step("remove", _("移出名单"), ReasonForm, _("依据撤销或变更、法律政策调整时移出，须说明理由。")),
    _listing_step("withdraw", _("撤回"), ReasonForm, _("公示前撤回，须说明理由。")),
)


def _answer(request, objection, data):
    listings.objection_answer(objection_id=objection.pk, actor=request.user, answer=data["answer"],
                              upheld=data["upheld"], outcome=data.get("outcome", ""))


def _repair_decision(grant: bool):
    def run(request, application, data):
        listings.repair_application_decide(application_id=application.pk, actor=request.user, grant=grant, reason=data["reason"])

    return run


# ------------------------------------------------------------------ inlines on a listing's page


STATUS_LABELS = dict(ListingStatus.choices)


class EventLabels:
    """The steps and states of a listing's history in words, not codes."""

    @admin.display(description=_("动作"), ordering="action")
    def action_label(self, event: ListingEvent) -> str:
        return ACTION_LABELS.get(event.action, event.action)

    @admin.display(description=_("原状态"), ordering="from_status")
    def from_label(self, event: ListingEvent) -> str:
        return STATUS_LABELS.get(event.from_status, event.from_status) or "—"

    @admin.display(description=_("新状态"), ordering="to_status")
    def to_label(self, event: ListingEvent) -> str:
        return STATUS_LABELS.get(event.to_status, event.to_status)


class ListingEventInline(EventLabels, ReadOnlyInline):
    model = ListingEvent
    fields = ["created_at", "action_label", "from_label", "to_label", "actor_name", "reason"]
    show_change_link = False
    verbose_name_plural = _("流转记录")


class ObjectionInline(ReadOnlyInline):
    model = Objection
    fields = ["received_on", "channel", "objector_name", "statement", "answered_at", "upheld", "outcome", "answer"]


class RepairInline(ReadOnlyInline):
    model = RepairApplication
    fields = ["filed_on", "channel", "status", "decision_due", "decided_on", "decision_reason"]


def printable_documents(about_type: str, about_id: int | None) -> str:
    """Every document of a procedure, each with its service and links to print it (HTML, PDF)."""
    documents = list(documents_about(about_type, about_id)) if about_id else []
    if not documents:
        return "—"
    return format_html("<ul style=\"margin:0;padding-left:1.2em\">{}</ul>", format_html_join(
        "", "<li>{} {}（{}） · <a style=\"text-decoration:underline\" href=\"{}\">HTML</a> · <a style=\"text-decoration:underline\" href=\"{}\">PDF</a> · <a style=\"text-decoration:underline\" href=\"{}\">{}</a></li>",
        ((document.title, document.number,
          _("%(date)s 送达") % {"date": chinese_date(document.delivered_on)} if document.served else _("尚未送达"),
          reverse("admin:core_serveddocument_html", args=[document.pk]),
          reverse("admin:core_serveddocument_pdf", args=[document.pk]),
          reverse("admin:core_serveddocument_change", args=[document.pk]), _("送达记录"))
         for document in documents)))


# ------------------------------------------------------------------ admins


class ListingProposeForm(forms.ModelForm):
    """拟列入: what the API's create endpoint takes; the service fills in the rule set, period and source."""

    person_role = forms.ChoiceField(label=_("任职身份"), choices=[("", "—"), *PersonRoleKind.choices], required=False)
    legal_basis = forms.CharField(label=_("法律依据"), max_length=500, required=False,
                                  help_text=_("留空按现行规则集中该名单的法律依据。"))

    class Meta:
        model = Listing
        fields = ["list_type", "subject_type", "entity", "person", "related_entity", "person_role", "reason",
                  "legal_basis"]


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdmin):
    """名单记录: proposed here or by the rules; every later step is an action, never an edit."""

    allow_add = True
    add_form = ListingProposeForm
    transitions = LISTING_STEPS
    # At 1280 px beside the navigation and the filters: the subject, the list, the state and the two due dates
    # (陈述申辩截止, 期满日期); the other dates are on the listing's page and in the date drill-down.
    list_display = ["id", "subject_display", "list_type", "status", "objection_due", "expires_on"]
    list_display_links = ["id", "subject_display"]
    list_filter = ["status", "list_type", "subject_type", code_filter("source_type", _("来源类型"), SOURCE_TYPE_LABELS),
                   EntityRegionFilter]
    list_select_related = ["entity", "person", "notice_document", "decision_document"]
    search_fields = ["decision_number", "source_reference"]
    search_help_text = _("按编号、主体名称或信用代码、自然人姓名或身份证号、决定书文号查找。")
    date_hierarchy = "decided_on"
    autocomplete_fields = ["entity", "person", "related_entity"]
    inlines = [ObjectionInline, RepairInline, ListingEventInline]
    fieldsets = (
        (_("主体"), {"fields": ("list_type", "subject_type", "entity", "person", "related_entity",
                              "person_role_label")}),
        (_("事由"), {"fields": ("reason", "legal_basis", "source_type_label", "source_id", "source_rule_label",
                              "source_authority", "source_reference")}),
        (_("程序"), {"fields": ("status", "rule_set", "period_days", "notified_on", "objection_days",
                              "objection_due", "decided_on", "decision_number", "measures", "measure_codes_label",
                              "appeal_routes", "published_on", "expires_on", "ended_on", "end_reason",
                              "set_aside_grounds_label")}),
        (_("文书"), {"fields": ("documents_display",)}),
        (_("记录"), {"fields": ("created_by_link", "created_at", "updated_at")}),
    )
    readonly_fields = ["created_by_link", "documents_display", "source_type_label", "source_rule_label",
                       "person_role_label", "measure_codes_label", "set_aside_grounds_label"]
    created_by_link = link("created_by", _("创建人"))
    source_type_label = labelled("source_type", _("来源类型"))
    source_rule_label = labelled("source_rule", _("触发规则"))
    person_role_label = labelled("person_role", _("任职身份"))

    @admin.display(description=_("措施"))
    def measure_codes_label(self, listing: Listing) -> str:
        document = listing.rule_set.document if listing.rule_set_id else {}
        return codes_label(listing.measure_codes, measure_labels(document))

    @admin.display(description=_("已被申辩推翻的事由"))
    def set_aside_grounds_label(self, listing: Listing) -> str:
        return in_words(listing.set_aside_grounds) if listing.set_aside_grounds else "—"

    @admin.display(description=_("告知书与决定书"))
    def documents_display(self, listing: Listing) -> str:
        return printable_documents(LISTING, listing.pk)
    add_fieldsets = ((None, {"fields": ListingProposeForm.Meta.fields}),)

    @admin.display(description=_("主体"), ordering="id")
    def subject_display(self, listing: Listing) -> str:
        return listing.subject_name

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_urls(self):
        # 导入共享名单 (CSV): the rows become a background job (regulator.lists.admin_imports)
        view = self.admin_site.admin_view(lambda request: admin_imports.import_view(self, request))
        return [path("import/", view, name="regulator_listing_import"), *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        queryset_matched, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term or is_record_id(term):
            return queryset_matched, duplicates
        subjects = queryset.filter(Q(entity__in=entity_ids_matching(term)) | Q(person__in=person_ids_matching(term)))
        return queryset_matched | subjects, duplicates

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = listings.listing_propose(
            list_type=data["list_type"], subject_type=data["subject_type"], entity=data.get("entity"),
            person=data.get("person"), related_entity=data.get("related_entity"),
            person_role=data.get("person_role", ""), reason=data["reason"], legal_basis=data.get("legal_basis", ""),
            source_type="manual", actor=request.user,
        )
        adopt(obj, saved)


@admin.register(ListingEvent)
class ListingEventAdmin(EventLabels, ReadOnlyAdmin):
    """名单流转记录 (append-only)."""

    list_display = ["created_at", "listing_link", "action_label", "from_label", "to_label", "actor_name"]
    list_filter = [code_filter("action", _("动作"), ACTION_LABELS), code_filter("to_status", _("新状态"), STATUS_LABELS),
                   ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["listing__entity", "listing__person"]
    search_fields = ["actor_name"]
    search_help_text = _("按名单编号或操作人查找。")
    fields = ["listing_link", "action_label", "from_label", "to_label", "actor_link", "actor_name", "reason",
              "created_at"]
    readonly_fields = ["listing_link", "action_label", "from_label", "to_label", "actor_link"]
    listing_link = link("listing", _("名单记录"))
    actor_link = link("actor", _("操作账户"))

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if is_record_id(term):
            return queryset.filter(Q(listing_id=int(term)) | Q(pk=int(term))), False
        return super().get_search_results(request, queryset, search_term)


AnsweredFilter = presence_filter(title=_("答复情况"), parameter_name="answered", field="answered_at",
                                 choices=[("no", _("未答复"), True), ("yes", _("已答复"), False)])


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    """陈述申辩: filed by the listed business online, or on paper (recorded from the listing's page); answered here."""

    transitions = (
        Transition(name="objection_answer", label=_("答复申辩"), run=_answer, form_class=ObjectionAnswerForm,
                   applies=lambda objection: objection.answered_at is None),
    )
    list_display = ["id", "listing_link", "received_on", "channel", "answered_at", "upheld", "outcome"]
    list_filter = [AnsweredFilter, "upheld", "channel", ("received_on", admin.DateFieldListFilter)]
    list_select_related = ["listing__entity", "listing__person"]
    search_fields = ["statement", "objector_name"]
    fields = ["listing_link", "channel", "objector_name", "received_on", "statement", "filed_at", "filed_by_link",
              "answer", "upheld", "outcome", "answered_by_link", "answered_at"]
    readonly_fields = ["listing_link", "filed_by_link", "answered_by_link"]
    listing_link = link("listing", _("名单记录"))
    filed_by_link = link("filed_by", _("提出账户"))
    answered_by_link = link("answered_by", _("答复人"))


class PenaltyRepairForm(forms.ModelForm):
    """书面信用修复申请 of a penalty's publicity (行政处罚信息), recorded by a regulator."""

    evidence_lines = forms.CharField(label=_("证明材料（每行一项）"), max_length=25000,
                                     widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))
    filed_on = forms.DateField(label=_("收到日期"), widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = RepairApplication
        fields = ["finding", "applicant_name", "filed_on", "statement", "commitment", "training_record"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].required = True


@admin.register(RepairApplication)
class RepairApplicationAdmin(ReadOnlyAdmin):
    """信用修复申请: decided within the deadline, with a 信用修复决定书; a grant moves the listing to repaired, or
    ends the penalty's publicity, through the service. A paper application of a penalty is added here; one of a
    listing from the listing's page."""

    allow_add = True
    add_form = PenaltyRepairForm
    raw_id_fields = ["finding"]

    transitions = (
        Transition(name="repair_grant", label=_("准予修复"), run=_repair_decision(True), form_class=ReasonForm,
                   applies=lambda application: application.status == RepairStatus.SUBMITTED),
        Transition(name="repair_refuse", label=_("不予修复"), run=_repair_decision(False), form_class=ReasonForm,
                   applies=lambda application: application.status == RepairStatus.SUBMITTED),
    )
    list_display = ["id", "listing_link", "finding_link", "status", "filed_on", "decision_due", "decided_on"]
    list_filter = ["status", "listing__list_type", "channel", "commitment"]
    list_select_related = ["listing__entity", "listing__person", "finding"]
    search_fields = ["statement", "applicant_name"]
    date_hierarchy = "filed_on"
    fields = ["listing_link", "finding_link", "channel", "applicant_name", "applicant_link", "statement",
              "evidence_display", "commitment", "training_record", "status", "filed_on", "decision_due", "decided_on",
              "decision_reason", "decided_by_link", "publicity_ended_on", "documents_display", "rule_set_link",
              "created_at", "updated_at"]
    readonly_fields = ["listing_link", "finding_link", "applicant_link", "evidence_display", "decided_by_link",
                       "rule_set_link", "documents_display"]
    listing_link = link("listing", _("名单记录"))
    finding_link = link("finding", _("行政处罚（检查发现）"))
    applicant_link = link("applicant", _("申请账户"))
    decided_by_link = link("decided_by", _("决定人"))
    rule_set_link = link("rule_set", _("适用规则集"))

    @admin.display(description=_("证明材料"))
    def evidence_display(self, application: RepairApplication) -> str:
        return in_words(application.evidence)

    @admin.display(description=_("信用修复决定书"))
    def documents_display(self, application: RepairApplication) -> str:
        return printable_documents(REPAIR, application.pk)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": ["finding", "applicant_name", "filed_on", "statement", "evidence_lines",
                                       "commitment", "training_record"]}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = listings.repair_application_file(
            finding_id=data["finding"].pk, actor=request.user, statement=data["statement"],
            evidence=[line.strip() for line in data["evidence_lines"].splitlines() if line.strip()],
            commitment=data.get("commitment", False), training_record=data.get("training_record", ""),
            filed_on=data["filed_on"], applicant_name=data.get("applicant_name", ""))
        adopt(obj, saved)


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    """名单规则集: never edited; a change is a new set with its effective date (as in the API)."""

    allow_add = True
    list_display = ["version", "name", "effective_from", "created_at"]
    search_fields = ["name"]
    fields = ["version", "name", "effective_from", "document", "created_by_link", "created_at"]
    readonly_fields = ["created_by_link", "document_display"]
    created_by_link = link("created_by", _("创建人"))

    @admin.display(description=_("规则"))
    def document_display(self, rule_set: RuleSet) -> str:
        return in_words(rule_set.document, rule_set_labels(rule_set.document), keys=RULE_SET_KEYS)

    def get_fields(self, request, obj=None):
        # A rule set is never edited: its page shows the document in words; the add form takes the JSON.
        if obj is None:
            return self.fields
        return ["document_display" if name == "document" else name for name in self.fields]

    def get_readonly_fields(self, request, obj=None):
        return ["created_by_link", "created_at"] if obj is None else super().get_readonly_fields(request, obj)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        current = rule_set_on(timezone.localdate())
        initial.setdefault("document", current.document)
        initial.setdefault("version", (RuleSet.objects.order_by("-version").values_list("version", flat=True).first()
                                       or 0) + 1)
        return initial

    def save_model(self, request, obj, form, change):
        # The form ran full_clean (the document is validated by RuleSet.clean), as the API's create does.
        obj.created_by = request.user
        obj.save()
