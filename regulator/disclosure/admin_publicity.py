"""双公示记录 in the admin: read-only, filtered by late and kind, decisions still missing their record named.

Records are written by ``publicity_services`` only (in the decision's transaction, and nightly); the admin
shows them in words and Beijing time, filters the late ones, warns of decisions whose deadline passed with no
record yet, and can run the sweep at once (``publicity_sweep``: the same function as the nightly job).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from complaints.models import Penalty
from core.admin.base import ReadOnlyAdmin, is_record_id, link
from core.admin.labels import beijing, code_label
from entities.models import LicenceType
from entities.selectors import entity_ids_matching
from regulator.disclosure import publicity_selectors, publicity_services
from regulator.disclosure.publicity_records import PublicityRecord

CATEGORY_LABELS = {**dict(Penalty.choices), **dict(LicenceType.choices)}


class LateFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("逾期生成")), ("no", _("按期生成"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(late=self.value() == "yes")
        return queryset


@admin.register(PublicityRecord)
class PublicityRecordAdmin(ReadOnlyAdmin):
    """双公示记录: produced by the service; a late one (after the 7th working day) is flagged."""

    list_display = ["id", "kind", "subject_name", "decision_number", "category_label", "decided_on", "due_by",
                    "late", "produced_at_beijing", "ended", "end_reason"]
    list_filter = [LateFilter, "kind", "ended", "end_reason", ("decided_on", admin.DateFieldListFilter)]
    list_select_related = ["entity"]
    search_fields = ["decision_number", "subject_name", "credit_code"]
    fields = ["kind", "entity_link", "finding_link", "licence_link", "subject_name", "credit_code",
              "legal_representative", "decision_number", "category_label", "content", "fine_amount", "decided_on",
              "publicity_until", "authority_name", "authority_credit_code", "source_unit", "produced_at_beijing",
              "due_by", "late", "publication_ends_on", "ended", "end_reason", "version", "updated_at_beijing"]
    readonly_fields = ["entity_link", "finding_link", "licence_link", "category_label", "produced_at_beijing",
                       "updated_at_beijing"]
    actions = ["run_sweep"]
    entity_link = link("entity", _("市场主体"))
    finding_link = link("finding", _("检查发现（行政处罚）"))
    licence_link = link("licence", _("许可证照"))

    @admin.display(description=_("类别"), ordering="category")
    def category_label(self, record: PublicityRecord) -> str:
        return code_label(record.category, CATEGORY_LABELS)

    @admin.display(description=_("生成时间"), ordering="produced_at")
    def produced_at_beijing(self, record: PublicityRecord) -> str:
        return beijing(record.produced_at)

    @admin.display(description=_("更新时间"), ordering="updated_at")
    def updated_at_beijing(self, record: PublicityRecord) -> str:
        return beijing(record.updated_at)

    @admin.action(description=_("立即补齐双公示记录（与每晚任务相同）"))
    def run_sweep(self, request, queryset):
        totals = publicity_services.publicity_sweep()
        self.message_user(request, _("已生成 %(created)s 条，更新 %(updated)s 条，停止公示 %(removed)s 条。") % totals)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            missing = publicity_selectors.publicity_missing()
            count = len(missing["findings"]) + len(missing["licences"])
            if count:
                self.message_user(request, _("有 %(n)s 项行政处罚或行政许可决定已超过 7 个工作日仍未生成双公示记录（逾期），"
                                             "可执行“立即补齐双公示记录”。") % {"n": count}, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        matched, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not is_record_id(term):
            matched = matched | queryset.filter(entity__in=entity_ids_matching(term))
        return matched, duplicates
