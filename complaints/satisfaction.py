"""满意在山西 (晋政发〔2021〕44号): the complainant rates the handling of a closed complaint; with the published
household-service reviews this gives satisfaction rates by sector, city and month.

* :func:`satisfaction_rate`: once per complaint, only after it was resolved or closed (办结、归档), only by whoever
  holds its tracking code (the caller finds the complaint by it). Before that it is a 409 naming the state.
* :func:`satisfaction_figures`: aggregates only. A rating of 4 or 5 counts as satisfied (满意); the rate is the
  satisfied share. Two sources: ``complaint_handling`` (the ratings here, by the month rated) and
  ``service_review`` (published reviews, by the month submitted); a complaint's place and sector are its entity's,
  else its receiving region and sector. Cells under ``suppress_below`` ratings keep their count but withhold the
  average and the rate (the public answer: a small cell can name someone).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Substr, TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import Complaint, ComplaintStatus
from complaints.satisfaction_ratings import ComplaintSatisfaction
from config.api.exceptions import ConflictError
from core.scope import Sector, region_name
from entities.reviews import ReviewStatus, ServiceReview

#: the states after which the handling may be rated
RATEABLE_STATES = (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED)
SATISFIED_FROM = 4
BEIJING = ZoneInfo("Asia/Shanghai")
SOURCES = {"complaint_handling": gettext_lazy("投诉处理满意度"), "service_review": gettext_lazy("家政服务评价")}


def rateable(complaint: Complaint) -> bool:
    return complaint.status in RATEABLE_STATES


@transaction.atomic
def satisfaction_rate(*, complaint: Complaint, rating: int, comment: str = "") -> ComplaintSatisfaction:
    """Record the complainant's one rating of the handling (the complaint row locked: two at once make one)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if not rateable(complaint):
        raise ConflictError(
            _("投诉当前状态为“%(status)s”，办结或归档后才能评价处理情况。") % {"status": complaint.get_status_display()},
            code="complaint_not_closed")
    if ComplaintSatisfaction.objects.filter(complaint=complaint).exists():
        raise ConflictError(_("该投诉的处理情况已评价过，每件投诉只能评价一次。"), code="already_rated")
    if not isinstance(rating, int) or isinstance(rating, bool):
        raise ValidationError({"rating": [_("请选择 1 至 5 分。")]})
    record = ComplaintSatisfaction(complaint=complaint, rating=rating, comment=(comment or "").strip(),
                                   status_when_rated=complaint.status)
    record.full_clean(exclude=["complaint"])
    record.save()
    return record


# ------------------------------------------------------------------ aggregates


def month_range(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first instant and the next month's, in Beijing time."""
    start = datetime.datetime(month.year, month.month, 1, tzinfo=BEIJING)
    following = datetime.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=BEIJING)
    return start, following


def _city(region_expression) -> Concat:
    return Concat(Substr(region_expression, 1, 4), Value("00"))


def _grouped(queryset, *, moment: str, region, sector, rating: str):
    return (queryset.annotate(month_start=TruncMonth(moment, tzinfo=BEIJING), city=_city(region), area_sector=sector)
            .values("month_start", "city", "area_sector")
            .annotate(count=Count("id"), total=Sum(rating),
                      satisfied=Count("id", filter=Q(**{f"{rating}__gte": SATISFIED_FROM})))
            .order_by())


def _review_rows(*, city: str, sector: str, month: datetime.date | None):
    queryset = ServiceReview.objects.filter(status=ReviewStatus.PUBLISHED)
    if city:
        queryset = queryset.filter(order__entity__region_code__startswith=city[:4])
    if sector:
        queryset = queryset.filter(order__entity__sector=sector)
    if month:
        start, end = month_range(month)
        queryset = queryset.filter(submitted_at__gte=start, submitted_at__lt=end)
    return _grouped(queryset, moment="submitted_at", region=F("order__entity__region_code"),
                    sector=F("order__entity__sector"), rating="rating")


def _complaint_rows(*, city: str, sector: str, month: datetime.date | None):
    queryset = ComplaintSatisfaction.objects.all()
    region = Coalesce(F("complaint__entity__region_code"), NullIf(F("complaint__region_code"), Value("")))
    area_sector = Coalesce(F("complaint__entity__sector"), NullIf(F("complaint__sector"), Value("")))
    if city:
        queryset = queryset.filter(Q(complaint__entity__region_code__startswith=city[:4])
                                   | Q(complaint__entity__isnull=True, complaint__region_code__startswith=city[:4]))
    if sector:
        queryset = queryset.filter(Q(complaint__entity__sector=sector)
                                   | Q(complaint__entity__isnull=True, complaint__sector=sector))
    if month:
        start, end = month_range(month)
        queryset = queryset.filter(rated_at__gte=start, rated_at__lt=end)
    return _grouped(queryset, moment="rated_at", region=region, sector=area_sector, rating="rating")


def _cell(count: int, total: int, satisfied: int, suppress_below: int) -> dict[str, Any]:
    suppressed = count < suppress_below
    return {"count": count, "suppressed": suppressed,
            "average": None if suppressed or not count else round(total / count, 2),
            "satisfied": None if suppressed else satisfied,
            "satisfaction_rate": None if suppressed or not count else round(satisfied / count, 4)}


def satisfaction_figures(*, city: str = "", sector: str = "", month: datetime.date | None = None,
                         suppress_below: int = 0) -> dict[str, Any]:
    """Satisfaction by month, sector, city and source, with totals per source and over both (two queries)."""
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, rows in (("complaint_handling", _complaint_rows(city=city, sector=sector, month=month)),
                         ("service_review", _review_rows(city=city, sector=sector, month=month))):
        for row in rows:
            when = row["month_start"].astimezone(BEIJING).date() if row["month_start"] else None
            key = (when.strftime("%Y-%m") if when else "", row["area_sector"] or "", row["city"] or "", source)
            figures = cells[key]
            figures[0] += row["count"]
            figures[1] += row["total"] or 0
            figures[2] += row["satisfied"]
    results, totals = [], defaultdict(lambda: [0, 0, 0])
    for (when, row_sector, area, source), (count, total, satisfied) in sorted(cells.items()):
        results.append({"month": when, "sector": row_sector,
                        "sector_label": Sector(row_sector).label if row_sector in Sector.values else "",
                        "city_code": area, "city_name": region_name(area) or "" if area else "",
                        "source": source, "source_label": str(SOURCES[source]),
                        **_cell(count, total, satisfied, suppress_below),
                        "rating_sum": total, "satisfied_count": satisfied})  # for the admin's sums, not answered
        for name in (source, "all"):
            for index, value in enumerate((count, total, satisfied)):
                totals[name][index] += value
    return {"city": city, "sector": sector, "month": month.strftime("%Y-%m") if month else "",
            "satisfied_from": SATISFIED_FROM, "results": results,
            "totals": {name: _cell(*totals[name], suppress_below) for name in ("complaint_handling",
                                                                                 "service_review", "all")}}
