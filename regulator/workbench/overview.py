"""全省概览: the start page's figures from the latest statistics snapshot, with a link from each to its records.

One figure at a time (chosen on the page): a tile map of the 11 cities, bars by category, a 24-month line for
the monthly figures, and the table behind each chart. Everything reads ``StatFigure`` rows (a few hundred),
never the registry, so the page costs the same at any registry size.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from regulator.workbench import charts, stats

DEFAULT_FIGURE = "entities_by_grade"

# Where a figure's records are: the admin changelist and, per key part, the filter parameters it takes.
_DRILL: dict[str, tuple[str, Any]] = {
    "entities_by_grade": ("admin:ratings_creditscore_changelist", lambda key: {"grade": key}),
    "registrations_by_month": ("admin:entities_entity_changelist", lambda key: {}),
    "listings_by_state": ("admin:regulator_listing_changelist",
                          lambda key: dict(zip(("list_type", "status"), key.split("."), strict=False))),
    "listings_decided_by_month": ("admin:regulator_listing_changelist", lambda key: {"list_type": key}),
    "listings_ended_by_month": ("admin:regulator_listing_changelist",
                                lambda key: dict(zip(("list_type", "status"), key.split("."), strict=False))),
    "complaints_by_month": ("admin:complaints_complaint_changelist", lambda key: {"category": key.split(".")[0]}),
    "complaints_accepted_in_time": ("admin:complaints_complaint_changelist", lambda key: {}),
    "inspections_by_month": ("admin:complaints_inspection_changelist", lambda key: {"kind": key}),
    "findings_by_month": ("admin:complaints_finding_changelist", lambda key: {"severity": key}),
    "penalties_by_month": ("admin:complaints_finding_changelist", lambda key: {"penalty": key}),
}
# changelists whose records carry a region filter (``region`` = a region-code prefix)
_REGION_FILTERED = {"admin:entities_entity_changelist", "admin:regulator_listing_changelist",
                    "admin:complaints_complaint_changelist", "admin:complaints_inspection_changelist"}


def drill_url(metric: str, *, key: str | None = None, city: str | None = None) -> str:
    name, params_for = _DRILL[metric]
    params = dict(params_for(key)) if key else {}
    if city and name in _REGION_FILTERED:
        params["region"] = city[:4]
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


def overview(figure: str | None = None, *, today: datetime.date | None = None) -> dict[str, Any]:
    """The start page's context for one figure; unknown figures fall back to the default."""
    metric = stats.METRICS.get(figure or "") or stats.METRICS[DEFAULT_FIGURE]
    answer = stats.figures(metric.code, level="city")
    rows = answer["results"]
    if metric.trend and rows:
        start = stats.months_before(max(row["month"] for row in rows), 11)  # the 12 months ending with the last
        recent = [row for row in rows if row["month"] >= start]
    else:
        recent = rows
    by_city: dict[str, int] = defaultdict(int)
    by_key: dict[str, int] = defaultdict(int)
    labels: dict[str, str] = {}
    for row in recent:
        by_city[row["region_code"]] += row["value"]
        by_key[row["key"]] += row["value"]
        labels[row["key"]] = row["key_label"]
    key_bars = [charts.Bar(labels[key], value, drill_url(metric.code, key=key))
                for key, value in sorted(by_key.items(), key=lambda item: -item[1])]
    city_urls = {code: drill_url(metric.code, city=code) for code in charts.CITY_TILES}
    context: dict[str, Any] = {
        "metrics": [(m.code, m.label) for m in stats.METRICS.values()],
        "figure": metric.code, "figure_label": metric.label, "taken_on": answer["taken_on"],
        "period": "近 12 个月" if metric.trend else "当前",
        "map_svg": charts.tile_map({code: by_city.get(code, 0) for code in charts.CITY_TILES},
                                   title=f"{metric.label}：各市", urls=city_urls),
        "city_rows": [(charts.CITY_SHORT[code], by_city.get(code, 0), city_urls[code]) for code in charts.CITY_TILES],
        "bars_svg": charts.bars(key_bars, title=f"{metric.label}：分类"),
        "key_rows": [(bar.label, bar.value, bar.url) for bar in key_bars],
    }
    if metric.trend:
        monthly: dict[datetime.date, int] = defaultdict(int)
        for row in rows:
            monthly[row["month"]] += row["value"]
        points = sorted(monthly.items())
        context["line_svg"] = charts.line(points, title=f"{metric.label}：按月")
        context["month_rows"] = points
    return context
