"""Django admin (in Chinese) of 满意在山西: the complainants' ratings of the handling, and the satisfaction figures.

Ratings are read-only (the complainant gives them on the tracking page). The list page shows above the ratings the
satisfaction figures (complaint handling and published household-service reviews) by sector, city and month, read
by complaints.satisfaction like the public statistics API, without withholding small cells (regulators see all).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaints.satisfaction import satisfaction_figures
from complaints.satisfaction_ratings import ComplaintSatisfaction
from core.admin.base import ReadOnlyAdmin, RegionFilter

MONTHS_SHOWN = 12


def _summed(rows: list[dict[str, Any]], key: str, label: str) -> list[dict[str, Any]]:
    """The figures summed over one dimension (sector, city or month), both sources apart and together."""
    sums: dict[str, dict[str, Any]] = {}
    for row in rows:
        cell = sums.setdefault(row[key], {"label": row[label] or row[key] or "—",
                                          "figures": defaultdict(lambda: [0, 0, 0])})
        for name in (row["source"], "all"):
            figures = cell["figures"][name]
            figures[0] += row["count"]
            figures[1] += row["rating_sum"]
            figures[2] += row["satisfied_count"]
    table = []
    for _value, cell in sorted(sums.items(), reverse=key == "month"):
        line = {"label": cell["label"]}
        for name in ("complaint_handling", "service_review", "all"):
            count, total, satisfied = cell["figures"][name]
            line[name] = {"count": count, "average": round(total / count, 2) if count else None,
                          "rate": f"{satisfied / count:.0%}" if count else "—"}
        table.append(line)
    return table[:MONTHS_SHOWN] if key == "month" else table


class ComplaintRegionFilter(RegionFilter):
    field_name = "complaint__entity__region_code"


@admin.register(ComplaintSatisfaction)
class ComplaintSatisfactionAdmin(ReadOnlyAdmin):
    """投诉处理满意度评价, with the figures of 满意在山西 above the list."""

    list_display = ["complaint", "rating", "status_when_rated", "rated_at"]
    list_filter = ["rating", ComplaintRegionFilter]
    list_select_related = ["complaint"]
    search_fields = ["complaint__tracking_code"]
    search_help_text = _("按投诉编号或查询码查找。")
    fields = ["complaint", "rating", "comment", "status_when_rated", "rated_at"]

    def changelist_view(self, request, extra_context=None):
        rows = satisfaction_figures()["results"]
        extra_context = {**(extra_context or {}), "satisfaction_tables": [
            (_("按行业"), _summed(rows, "sector", "sector_label")),
            (_("按地市"), _summed(rows, "city_code", "city_name")),
            (_("按月份（近 12 个月）"), _summed(rows, "month", "month")),
        ]}
        return super().changelist_view(request, extra_context)
