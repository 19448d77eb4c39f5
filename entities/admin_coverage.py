"""Django admin (in Chinese) for 全覆盖 (coverage) and the 回炉培训行动 (retraining campaigns).

The coverage page (``admin/entities/retrainingcampaign/coverage/``, linked from the start page) shows, per district
of the chosen city, the firms with a credit file, the workers with a complete file, the cards, each share, and the
gaps (firms whose workers lack files, health checks expiring within 30 days), from the same statements as the API
(entities.coverage). Campaigns are read here with their phases inline and their progress per firm and phase;
they are deployed through the API (``POST /api/v1/retraining-campaigns/``), whose service validates the whole plan.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin.base import SHANXI_PREFECTURES, ReadOnlyAdmin, ReadOnlyInline, presence_filter
from core.admin.labels import region_label
from entities import coverage
from entities import retraining_selectors as selectors
from entities.retraining import RetrainingCampaign, RetrainingPhase, RetrainingPhaseFirm, RetrainingTarget

GAP_ROWS = 100


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _district_rows(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["label"] = region_label(row["region_code"]) if row["region_code"] else row["region_name"]
        for name in ("firms_with_file", "firms_complete", "complete", "cards_issued", "cards_valid",
                     "identity_verified", "health_valid", "training_done"):
            row[f"{name}_percent"] = _percent(row.get(f"{name}_share"))
    return rows


def coverage_view(model_admin, request):
    """全覆盖统计: per district of the chosen city (or per district of the province), and the gaps."""
    city = request.GET.get("city", "")
    try:
        area = coverage.area_filter(city=city if city in SHANXI_PREFECTURES else "",
                                    district=request.GET.get("district", ""))
        error = ""
    except ValidationError as exc:
        area, error = coverage.Area(), "；".join(exc.messages)
    day = timezone.localdate()
    rows = coverage.district_coverage(request.user, area, day=day)
    firms_count, firms = coverage.firm_gaps(request.user, area, day=day, limit=GAP_ROWS)
    expiring_count, expiring = coverage.worker_gaps(request.user, area, day=day, limit=GAP_ROWS, expiring_only=True)
    for row in firms:
        row["url"] = reverse("admin:entities_entity_change", args=[row["id"]])
        row["district_label"] = region_label(row["region_code"])
    for row in expiring:
        row["district_label"] = region_label(row["region_code"])
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("家政全覆盖统计"),
        "opts": model_admin.model._meta,
        "as_of": day,
        "cities": [(prefix, region_label(prefix)) for prefix in SHANXI_PREFECTURES],
        "city": area.city,
        "error": error,
        "rows": _district_rows(rows),
        "total": _district_rows([coverage.coverage_totals(rows)])[0],
        "firm_gaps": firms, "firm_gaps_count": firms_count,
        "expiring": expiring, "expiring_count": expiring_count, "gap_rows": GAP_ROWS,
        "expiring_days": coverage.EXPIRING_DAYS,
        "changelist_url": reverse("admin:entities_retrainingcampaign_changelist"),
    }
    return TemplateResponse(request, "admin/entities/coverage.html", context)


class PhaseInline(ReadOnlyInline):
    model = RetrainingPhase
    fields = ["number", "name", "starts_on", "deadline"]
    show_change_link = False
    verbose_name = _("批次")
    verbose_name_plural = _("批次（分批、分期）")


@admin.register(RetrainingCampaign)
class RetrainingCampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "sector", "region_label", "starts_on", "ends_on", "progress_link"]
    list_filter = ["sector"]
    search_fields = ["name"]
    search_help_text = _("按行动名称查找。")
    fields = ["name", "sector", "region_label", "starts_on", "ends_on", "description", "created_by", "created_at",
              "progress_link"]
    readonly_fields = ["region_label", "progress_link"]
    inlines = [PhaseInline]

    @admin.display(description=_("区域范围"), ordering="region_code")
    def region_label(self, campaign: RetrainingCampaign) -> str:
        return region_label(campaign.region_code)

    @admin.display(description=_("进度"))
    def progress_link(self, campaign: RetrainingCampaign) -> str:
        url = reverse("admin:entities_retrainingphasefirm_changelist")
        return format_html('<a href="{}?phase__campaign__id__exact={}">{}</a>', url, campaign.pk, _("按企业、按批次"))

    def get_queryset(self, request):
        return selectors.campaigns_for(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: coverage_view(self, request))
        return [path("coverage/", view, name="entities_coverage"), *super().get_urls()]


class TargetInline(ReadOnlyInline):
    model = RetrainingTarget
    fields = ["person"]
    show_change_link = False


MissedFilter = presence_filter(title=_("逾期标记"), parameter_name="flagged", field="flagged_on",
                               choices=[("yes", _("已标记逾期"), False), ("no", _("未标记"), True)])


@admin.register(RetrainingPhaseFirm)
class RetrainingPhaseFirmAdmin(ReadOnlyAdmin):
    """批次企业: each target firm of a phase with its progress (computed as the API computes it) and its flag."""

    list_display = ["campaign_name", "phase_label", "entity", "deadline", "progress_text", "flagged_on"]
    list_filter = [MissedFilter, "phase__campaign"]
    list_select_related = ["phase__campaign", "entity"]
    search_fields = ["entity__name", "entity__credit_code"]
    search_help_text = _("按企业名称或统一社会信用代码查找。")
    fields = ["phase", "entity", "progress_text", "flagged_on", "flagged_targets", "flagged_done"]
    readonly_fields = ["progress_text"]
    inlines = [TargetInline]

    def get_queryset(self, request):
        return selectors.phase_firms_for(request.user)

    @admin.display(description=_("行动"), ordering="phase__campaign__name")
    def campaign_name(self, row: RetrainingPhaseFirm) -> str:
        return row.phase.campaign.name

    @admin.display(description=_("批次"), ordering="phase__number")
    def phase_label(self, row: RetrainingPhaseFirm) -> str:
        return f"第{row.phase.number}批 {row.phase.name}"

    @admin.display(description=_("截止日期"), ordering="phase__deadline")
    def deadline(self, row: RetrainingPhaseFirm):
        return row.phase.deadline

    @admin.display(description=_("进度"))
    def progress_text(self, row: RetrainingPhaseFirm) -> str:
        missed = timezone.localdate() > row.phase.deadline and row.done_count < row.target_count
        return f"{row.done_count} / {row.target_count}" + ("（逾期未完成）" if missed else "")


class PhaseFirmInline(ReadOnlyInline):
    model = RetrainingPhaseFirm
    fields = ["entity", "flagged_on", "flagged_targets", "flagged_done"]
    verbose_name_plural = _("目标企业")


@admin.register(RetrainingPhase)
class RetrainingPhaseAdmin(ReadOnlyAdmin):
    """批次: a phase of a campaign, its window and its target firms."""

    list_display = ["campaign", "number", "name", "starts_on", "deadline"]
    list_filter = ["campaign"]
    list_select_related = ["campaign"]
    search_fields = ["name", "campaign__name"]
    search_help_text = _("按批次或行动名称查找。")
    inlines = [PhaseFirmInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(campaign__in=selectors.campaigns_for(request.user))


@admin.register(RetrainingTarget)
class RetrainingTargetAdmin(ReadOnlyAdmin):
    """目标人员: a worker of a target firm in a phase's batch (names only; ID numbers as their masked form)."""

    list_display = ["person", "person_masked", "phase_firm"]
    list_select_related = ["person", "phase_firm__phase__campaign", "phase_firm__entity"]
    search_fields = ["person__name", "phase_firm__entity__name"]
    search_help_text = _("按服务员姓名或企业名称查找。")
    fields = ["phase_firm", "person", "person_masked"]
    readonly_fields = ["person_masked"]

    @admin.display(description=_("身份证号码（脱敏）"))
    def person_masked(self, target: RetrainingTarget) -> str:
        return target.person.id_number_masked

    def get_queryset(self, request):
        return super().get_queryset(request).filter(phase_firm__in=selectors.phase_firms_for(request.user))
