"""Django admin (in Chinese) of 专项行动 (campaigns): set up and corrected through the services, results on the page.

The rows come from the scoped selector (complaints.campaign_selectors.campaigns_for), as the API's do, so a
regulator of one city sees the campaigns of its region and the province's. Saving calls ``campaign_create`` or
``campaign_update`` (the same rules as the API: jurisdiction, period, tagged inspections kept inside). The change
page shows the results over exactly the tagged inspections, with labels rather than codes.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from complaints import campaign_selectors, campaign_services
from complaints.campaigns import Campaign
from complaints.models import Penalty, Severity, ViolationType
from core.admin.base import RegionFilter, RegulatorAdmin, adopt
from core.admin.labels import chinese_date, region_label
from core.scope import Sector

SEVERITY_LABELS = dict(Severity.choices)
PENALTY_LABELS = dict(Penalty.choices)
SECTOR_LABELS = dict(Sector.choices)


class CampaignForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(label=_("行业范围"), choices=Sector.choices,
                                        widget=forms.CheckboxSelectMultiple)
    violation_types = forms.ModelMultipleChoiceField(
        label=_("重点违法行为类型"), queryset=ViolationType.objects.filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("其他类型的检查发现照常记录，在结果中单列为“其他”。"))

    class Meta:
        model = Campaign
        fields = ["name", "kind", "sectors", "region_prefix", "starts_on", "ends_on", "violation_types",
                  "description"]


def _table(caption, headers, rows) -> str:
    head = format_html_join("", "<th scope=\"col\">{}</th>", ((header,) for header in headers))
    body = format_html_join("", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),)
                                                for row in rows))
    return format_html("<table><caption>{}</caption><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
                       caption, head, body)


@admin.register(Campaign)
class CampaignAdmin(RegulatorAdmin):
    """专项行动: regulators set them up here or through the API; the results read the tagged inspections."""

    allow_add = True
    allow_change = True
    form = CampaignForm
    list_display = ["name", "kind", "region_display", "sectors_display", "starts_on", "ends_on", "inspection_count"]
    list_filter = ["kind", RegionFilter.for_field("region_prefix")]
    search_fields = ["name"]
    search_help_text = _("按编号或名称查找。")
    date_hierarchy = "starts_on"
    readonly_fields = ["region_display", "inspections_link", "results_display", "created_at", "updated_at"]

    def get_fields(self, request, obj=None):
        fields = ["name", "kind", "sectors", "region_prefix", "region_display", "starts_on", "ends_on",
                  "violation_types", "description"]
        return fields if obj is None else [*fields, "inspections_link", "results_display", "created_at", "updated_at"]

    def get_queryset(self, request):
        return campaign_selectors.campaigns_for(request.user)

    @admin.display(description=_("地区范围"), ordering="region_prefix")
    def region_display(self, campaign: Campaign) -> str:
        return region_label(campaign.region_prefix) if campaign.region_prefix else "—"

    @admin.display(description=_("行业范围"))
    def sectors_display(self, campaign: Campaign) -> str:
        return "、".join(str(SECTOR_LABELS.get(sector, sector)) for sector in campaign.sectors or [])

    @admin.display(description=_("检查数"), ordering="inspection_count")
    def inspection_count(self, campaign: Campaign) -> int:
        return getattr(campaign, "inspection_count", 0)

    @admin.display(description=_("标记的检查"))
    def inspections_link(self, campaign: Campaign) -> str:
        url = reverse("admin:complaints_inspection_changelist", current_app=self.admin_site.name)
        return format_html('<a href="{}?campaign__id__exact={}">{}</a>', url, campaign.pk, _("查看标记为本行动的检查"))

    @admin.display(description=_("行动结果"))
    def results_display(self, campaign: Campaign) -> str:
        results = campaign_selectors.campaign_results(campaign)
        severities = list(results["findings_by_severity"])
        summary = format_html(
            "<p>检查 {} 次，涉及经营主体 {} 家，发现问题的检查 {} 次；发现问题 {} 个（重点 {} 个，其他 {} 个）；"
            "行政处罚 {} 项，罚款合计 {} 元。</p>",
            results["inspections"], results["entities_inspected"], results["inspections_with_findings"],
            results["findings"]["total"], results["findings"]["targeted"], results["findings"]["other"],
            results["penalties"]["total"], results["penalties"]["fine_total"])
        by_type = _table(_("检查发现按违法行为类型"),
                         [_("违法行为类型"), _("是否重点"), _("合计"), *(SEVERITY_LABELS[code] for code in severities)],
                         [[row["violation_name"], _("重点") if row["targeted"] else _("其他"), row["count"],
                           *(row["by_severity"][code] for code in severities)] for row in results["findings_by_type"]])
        by_penalty = _table(_("行政处罚按种类"), [PENALTY_LABELS[code] for code in results["penalties"]["by_kind"]],
                            [list(results["penalties"]["by_kind"].values())])
        period = format_html("<p>行动期间：{} 至 {}</p>", chinese_date(campaign.starts_on), chinese_date(campaign.ends_on))
        return format_html("{}{}{}{}", period, summary, by_type, by_penalty)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in CampaignForm.Meta.fields if name in form.cleaned_data}
        data["description"] = data.get("description") or ""
        if change:
            saved = campaign_services.campaign_update(campaign_id=obj.pk, actor=request.user, **data)
        else:
            saved = campaign_services.campaign_create(actor=request.user, **data)
        adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        """The service has set the targeted types already (nothing else is related)."""
