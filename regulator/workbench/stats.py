"""统计: the nightly snapshot of the province's figures (set-based SQL) and reading them by level and dimension.

Each metric is one ``INSERT ... SELECT ... GROUP BY`` over the registry, complaints, inspections and lists,
by district (6-digit region code), sector and a key (grade, list type and state, category and outcome,
severity, ...), by month for trends (24 months). Cities and the province are sums of districts at read time.
A snapshot is taken once per day (re-taking a day replaces it) and kept: a past month's bulletin reads the
snapshot taken after that month ended, so it stays what it was when later data changes.

Public answers (the statistics API without an account) come only from metrics marked public, only at city
level and above, and any cell under ``SUPPRESS_BELOW`` is withheld (value null): a small count at a fine
level can name a business.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    ComplaintCategory,
    ComplaintOutcome,
    ComplaintStatus,
    InspectionKind,
    Penalty,
    Severity,
)
from core.scope import Sector, region_name
from ratings.models import Grade
from regulator.lists.models import ListingStatus, ListType
from regulator.workbench.models import StatFigure, StatSnapshot

TREND_MONTHS = 24
SUPPRESS_BELOW = 5
LEVELS = ("province", "city", "district")



@dataclass(frozen=True)
class Metric:
    code: str
    label: str
    sql: str  # SELECT month, sector, district, key, value; parameters %(day)s
    trend: bool
    public: bool
    key_label: Any = None  # key -> label


def _choice(choices) -> Any:
    labels = dict(choices)
    return lambda key: labels.get(key, key)


def _pair(first, second) -> Any:
    a, b = dict(first), dict(second)

    def label(key: str) -> str:
        left, _sep, right = key.partition(".")
        return f"{a.get(left, left)} · {b.get(right, right)}"
    return label


_COMPLAINT_STATE = [*ComplaintOutcome.choices, *ComplaintStatus.choices]

METRICS: dict[str, Metric] = {m.code: m for m in [
    Metric("entities_by_grade", _("经营主体信用等级分布"), """
        SELECT NULL::date, e.sector, e.region_code, COALESCE(s.grade, 'B'), count(*)
        FROM entities_entity e LEFT JOIN ratings_creditscore s ON s.entity_id = e.id
        WHERE e.status = 'active' GROUP BY 2, 3, 4""", trend=False, public=True, key_label=_choice(Grade.choices)),
    Metric("listings_by_state", _("名单记录（按名单与状态）"), """
        SELECT NULL::date, COALESCE(e.sector, ''), COALESCE(e.region_code, ''), l.list_type || '.' || l.status,
               count(*)
        FROM regulator_listing l LEFT JOIN entities_entity e ON e.id = COALESCE(l.entity_id, l.related_entity_id)
        GROUP BY 2, 3, 4""", trend=False, public=False, key_label=_pair(ListType.choices, ListingStatus.choices)),
    Metric("registrations_by_month", _("新登记经营主体（按月）"), """
        SELECT date_trunc('month', e.created_at AT TIME ZONE 'Asia/Shanghai')::date, e.sector, e.region_code,
               'registered', count(*)
        FROM entities_entity e
        WHERE e.created_at AT TIME ZONE 'Asia/Shanghai' >= %(since)s
          AND (e.created_at AT TIME ZONE 'Asia/Shanghai')::date <= %(day)s
        GROUP BY 1, 2, 3""", trend=True, public=True, key_label=lambda key: str(_("新登记"))),
    Metric("complaints_by_month", _("投诉（按月、类别与结果）"), """
        SELECT date_trunc('month', c.received_on)::date, COALESCE(e.sector, c.sector, ''),
               COALESCE(e.region_code, NULLIF(c.region_code, ''), ''),
               c.category || '.' || COALESCE(NULLIF(c.outcome, ''), c.status), count(*)
        FROM complaints_complaint c LEFT JOIN entities_entity e ON e.id = c.entity_id
        WHERE c.received_on >= %(since)s AND c.received_on <= %(day)s
        GROUP BY 1, 2, 3, 4""", trend=True, public=True,
           key_label=_pair(ComplaintCategory.choices, _COMPLAINT_STATE)),
    Metric("complaints_accepted_in_time", _("投诉受理是否在期限内（按月）"), """
        SELECT date_trunc('month', c.received_on)::date, COALESCE(e.sector, c.sector, ''),
               COALESCE(e.region_code, NULLIF(c.region_code, ''), ''),
               CASE WHEN c.accepted_on IS NULL THEN 'pending'
                    WHEN c.accepted_on <= c.accept_due THEN 'in_time' ELSE 'late' END, count(*)
        FROM complaints_complaint c LEFT JOIN entities_entity e ON e.id = c.entity_id
        WHERE c.received_on >= %(since)s AND c.received_on <= %(day)s AND c.status <> 'withdrawn'
        GROUP BY 1, 2, 3, 4""", trend=True, public=True,
           key_label=_choice([("in_time", _("期限内受理")), ("late", _("超期受理")), ("pending", _("未受理"))])),
    Metric("inspections_by_month", _("检查（按月与类型）"), """
        SELECT date_trunc('month', i.inspected_on)::date, e.sector, e.region_code, i.kind, count(*)
        FROM complaints_inspection i JOIN entities_entity e ON e.id = i.entity_id
        WHERE i.inspected_on >= %(since)s AND i.inspected_on <= %(day)s
        GROUP BY 1, 2, 3, 4""", trend=True, public=True, key_label=_choice(InspectionKind.choices)),
    Metric("findings_by_month", _("检查发现问题（按月与严重程度）"), """
        SELECT date_trunc('month', i.inspected_on)::date, e.sector, e.region_code, f.severity, count(*)
        FROM complaints_finding f JOIN complaints_inspection i ON i.id = f.inspection_id
        JOIN entities_entity e ON e.id = i.entity_id
        WHERE i.inspected_on >= %(since)s AND i.inspected_on <= %(day)s
        GROUP BY 1, 2, 3, 4""", trend=True, public=True, key_label=_choice(Severity.choices)),
    Metric("penalties_by_month", _("行政处罚（按月与种类）"), """
        SELECT date_trunc('month', COALESCE(f.decided_on, i.inspected_on))::date, e.sector, e.region_code,
               f.penalty, count(*)
        FROM complaints_finding f JOIN complaints_inspection i ON i.id = f.inspection_id
        JOIN entities_entity e ON e.id = i.entity_id
        WHERE f.penalty <> 'none' AND COALESCE(f.decided_on, i.inspected_on) >= %(since)s
          AND COALESCE(f.decided_on, i.inspected_on) <= %(day)s
        GROUP BY 1, 2, 3, 4""", trend=True, public=True, key_label=_choice(Penalty.choices)),
    Metric("listings_decided_by_month", _("列入名单（按月认定）"), """
        SELECT date_trunc('month', l.decided_on)::date, COALESCE(e.sector, ''), COALESCE(e.region_code, ''),
               l.list_type, count(*)
        FROM regulator_listing l LEFT JOIN entities_entity e ON e.id = COALESCE(l.entity_id, l.related_entity_id)
        WHERE l.decided_on >= %(since)s AND l.decided_on <= %(day)s
        GROUP BY 1, 2, 3, 4""", trend=True, public=True, key_label=_choice(ListType.choices)),
    Metric("listings_ended_by_month", _("移出名单（按月与方式）"), """
        SELECT date_trunc('month', l.ended_on)::date, COALESCE(e.sector, ''), COALESCE(e.region_code, ''),
               l.list_type || '.' || l.status, count(*)
        FROM regulator_listing l LEFT JOIN entities_entity e ON e.id = COALESCE(l.entity_id, l.related_entity_id)
        WHERE l.ended_on >= %(since)s AND l.ended_on <= %(day)s
        GROUP BY 1, 2, 3, 4""", trend=True, public=True, key_label=_pair(ListType.choices, ListingStatus.choices)),
]}


def key_label(metric_code: str, key: str) -> str:
    """A figure's key (``black.published``, ``general``) in words, by its metric's labels."""
    metric = METRICS.get(metric_code)
    if metric is None or metric.key_label is None:
        return key
    return str(metric.key_label(key))


def figure_caption(figure: StatFigure) -> str:
    """``2026年12月2日 检查发现问题（按月与严重程度）· 运城市盐湖区 · 文化旅游 · 一般 = 1``."""
    metric = METRICS.get(figure.metric)
    parts = [f"{figure.taken_on.year}年{figure.taken_on.month}月{figure.taken_on.day}日",
             str(metric.label) if metric else figure.metric,
             region_name(figure.district) or figure.district or str(_("全省")),
             str(dict(Sector.choices).get(figure.sector, figure.sector or _("全部行业"))),
             key_label(figure.metric, figure.key)]
    return f"{' · '.join(parts)} = {figure.value}"


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def trend_start(day: datetime.date) -> datetime.date:
    """The first day of the month ``TREND_MONTHS - 1`` months before ``day``'s month (24 months with it)."""
    return months_before(day, TREND_MONTHS - 1)


@transaction.atomic
def snapshot_take(*, today: datetime.date | None = None) -> int:
    """Take (or retake) today's snapshot of every metric; returns the number of figures written.

    Only ever today's: a past day's snapshot is what that night saw, and the bulletins read from it (no
    argument lets today's data be written under a past date).
    """
    day = today or timezone.localdate()
    started = time.monotonic()
    StatFigure.objects.filter(taken_on=day).delete()
    written = 0
    with connection.cursor() as cursor:
        for metric in METRICS.values():
            cursor.execute(
                # metric.sql is a constant of this module; every value goes in as a parameter
                "INSERT INTO workbench_statfigure (taken_on, metric, month, sector, district, key, value) "  # noqa: S608  # nosec B608
                f"SELECT %(day)s::date, %(metric)s, figures.* FROM ({metric.sql}) AS figures",  # nosec B608
                {"day": day, "metric": metric.code, "since": trend_start(day)})
            written += cursor.rowcount
    StatSnapshot.objects.update_or_create(taken_on=day, defaults={
        "figures": written, "took_ms": round((time.monotonic() - started) * 1000)})
    return written


def latest_snapshot(*, on_or_before: datetime.date | None = None) -> datetime.date | None:
    queryset = StatSnapshot.objects.all()
    if on_or_before is not None:
        queryset = queryset.filter(taken_on__lte=on_or_before)
    return queryset.order_by("-taken_on").values_list("taken_on", flat=True).first()


def region_prefix(code: str) -> str:
    """``140000`` -> ``14`` (province), ``141000`` -> ``1410`` (a city), ``140802`` -> ``140802``."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def _area(district: str, level: str) -> str:
    if level == "province" or not district:
        return district[:2] + "0000" if district else ""
    if level == "city":
        return district[:4] + "00"
    return district


def figures(metric_code: str, *, level: str = "city", region: str = "", sector: str = "",
            month_from: datetime.date | None = None, month_to: datetime.date | None = None,
            taken_on: datetime.date | None = None, public: bool = False) -> dict[str, Any]:
    """The metric's figures of a snapshot summed to ``level``; public answers withhold small cells."""
    metric = METRICS[metric_code]
    snapshot = taken_on or latest_snapshot()
    rows = StatFigure.objects.filter(taken_on=snapshot, metric=metric.code) if snapshot else StatFigure.objects.none()
    if region:
        rows = rows.filter(district__startswith=region_prefix(region))
    if sector:
        rows = rows.filter(sector=sector)
    if month_from:
        rows = rows.filter(month__gte=month_from.replace(day=1))
    if month_to:
        rows = rows.filter(month__lte=month_to)
    sums: dict[tuple, int] = defaultdict(int)
    for month, row_sector, district, key, value in rows.values_list("month", "sector", "district", "key", "value"):
        sums[(month, row_sector, _area(district, level), key)] += value
    results = []
    for (month, row_sector, area, key), value in sorted(sums.items(), key=lambda item: (
            item[0][0] or datetime.date.min, item[0][1], item[0][2], item[0][3])):
        suppressed = public and value < SUPPRESS_BELOW
        results.append({
            "month": month, "sector": row_sector, "sector_label": Sector(row_sector).label if row_sector else "",
            "region_code": area, "region_name": (region_name(area) or "") if area else str(_("未关联地区")),
            "key": key, "key_label": str(metric.key_label(key)) if metric.key_label else key,
            "value": None if suppressed else value, "suppressed": suppressed,
        })
    return {"metric": metric.code, "label": str(metric.label), "taken_on": snapshot, "level": level,
            "trend": metric.trend, "results": results}
