"""Reads of the 回炉培训行动 (retraining campaigns), scoped to the caller, and their progress in one statement.

A regulator sees the campaigns whose region overlaps its jurisdiction (all without one); an inspector those of its
sectors overlapping its regions; a business the campaigns with a phase targeting one of its firms. Progress rows are
per target firm and phase, and only for firms the caller may see (entities.coverage.coverage_scope_q).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from entities import coverage
from entities.coverage import coverage_scope_q
from entities.models import Entity
from entities.retraining import RetrainingCampaign, RetrainingPhase, RetrainingPhaseFirm, RetrainingTarget
from entities.workers import TrainingKind, TrainingRecord


def _overlapping(codes: list[str]) -> Q:
    """Campaigns whose region prefix contains one of ``codes`` or lies inside one."""
    conditions = []
    for code in codes:
        contains = [Q(region_code=code[:length]) for length in (2, 4, 6) if length <= len(code)]
        conditions.append(reduce(or_, contains, Q(region_code__startswith=code)))
    return reduce(or_, conditions)


def campaigns_for(user) -> QuerySet[RetrainingCampaign]:
    """The campaigns the caller may see (out of scope is not found), phases prefetched in order."""
    queryset = RetrainingCampaign.objects.prefetch_related(
        Prefetch("phases", queryset=RetrainingPhase.objects.annotate(firm_count=Count("firms")).order_by("number")))
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    codes = [code for code in (user.region_codes or []) if code]
    if user.is_regulator:
        return queryset if user.is_superuser or not codes else queryset.filter(_overlapping(codes))
    if user.is_inspector:
        if not codes or not user.sectors:
            return queryset.none()
        return queryset.filter(_overlapping(codes), sector__in=user.sectors)
    if user.is_business:
        return queryset.filter(phases__firms__entity__in=user.entities.values("pk")).distinct()
    return queryset.none()


def firms_visible(user) -> QuerySet[Entity]:
    scope = coverage_scope_q(user)
    return Entity.objects.all() if scope is None else Entity.objects.filter(scope)


@dataclass(frozen=True)
class ProgressPage:
    count: int
    number: int
    rows: list[dict[str, Any]]


_PROGRESS = """
SELECT pf.id AS phase_firm_id, ph.campaign_id, c.name AS campaign_name, ph.id AS phase_id,
       ph.number AS phase_number, ph.name AS phase_name,
       ph.starts_on, ph.deadline, pf.entity_id, e.name AS entity_name, e.credit_code, e.region_code,
       pf.flagged_on, count(t.id) AS targets,
       count(t.id) FILTER (WHERE EXISTS (
           SELECT 1 FROM entities_trainingrecord r
           WHERE r.person_id = t.person_id AND r.kind = %s
             AND r.completed_on >= ph.starts_on AND r.completed_on <= least(ph.deadline, %s))) AS done,
       count(*) OVER () AS total
FROM entities_retrainingphasefirm pf
JOIN entities_retrainingphase ph ON ph.id = pf.phase_id
JOIN entities_retrainingcampaign c ON c.id = ph.campaign_id
JOIN entities_entity e ON e.id = pf.entity_id
LEFT JOIN entities_retrainingtarget t ON t.phase_firm_id = pf.id
WHERE {where}
GROUP BY pf.id, ph.id, c.id, e.id
ORDER BY ph.deadline, c.id, ph.number, e.region_code, e.name, pf.entity_id
LIMIT %s OFFSET %s
"""


def progress(user, *, campaign_ids: list[int] | None = None, entity_ids=None, day: datetime.date | None = None,
             number: int = 1, size: int = 200) -> ProgressPage | None:
    """Per target firm and phase: targets, retrained inside the window (by ``day``), share, and ``missed`` (the
    deadline has passed with someone not retrained). One statement; None past the last page."""
    day = day or timezone.localdate()
    firms = firms_visible(user)
    if entity_ids is not None:
        firms = firms.filter(pk__in=entity_ids)
    firms_sql, firms_params = firms.order_by().values("id").query.sql_with_params()
    where, where_params = f"pf.entity_id IN ({firms_sql})", list(firms_params)
    if campaign_ids is not None:
        where += " AND ph.campaign_id = ANY(%s)"
        where_params.append(list(campaign_ids))
    params = [TrainingKind.RETRAINING.value, day, *where_params, size, (number - 1) * size]
    with connection.cursor() as cursor:
        cursor.execute(_PROGRESS.format(where=where), params)
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if not rows and number > 1:
        return None
    count = rows[0]["total"] if rows else 0
    for row in rows:
        row.pop("total")
        row["share"] = round(row["done"] / row["targets"], 4) if row["targets"] else None
        row["missed"] = day > row["deadline"] and row["done"] < row["targets"]
        row["days_left"] = (row["deadline"] - day).days
    return ProgressPage(count=count, number=number, rows=rows)


def phase_firms_for(user) -> QuerySet[RetrainingPhaseFirm]:
    """The batch rows of firms the caller may see, each with the targets and those retrained inside the phase's
    window annotated as ``target_count`` and ``done_count`` subqueries: the admin's list is one query per page."""
    targets = RetrainingTarget.objects.filter(phase_firm=OuterRef("pk")).order_by().values("phase_firm")
    retrained = TrainingRecord.objects.filter(
        person=OuterRef("person"), kind=TrainingKind.RETRAINING,
        completed_on__gte=OuterRef(OuterRef("phase__starts_on")), completed_on__lte=OuterRef(OuterRef("phase__deadline")))
    return (RetrainingPhaseFirm.objects.filter(entity__in=firms_visible(user)).select_related("phase__campaign", "entity")
            .annotate(target_count=Coalesce(Subquery(targets.annotate(n=Count("pk")).values("n")), 0),
                      done_count=Coalesce(Subquery(targets.filter(Exists(retrained)).annotate(n=Count("pk")).values("n")), 0)))


def own_coverage(user, *, day: datetime.date | None = None) -> dict[str, Any]:
    """A business's coverage (``me/coverage/`` and its workers page): its firms' rows, which workers lack what or
    have a health check expiring within 30 days, and the 回炉 phases its firms must meet. Three statements."""
    day = day or timezone.localdate()
    page = coverage.firm_coverage(user, day=day, size=coverage.MAX_GAP_ROWS)
    count, workers = coverage.worker_gaps(user, day=day, limit=coverage.MAX_GAP_ROWS)
    phases = progress(user, day=day, size=coverage.MAX_GAP_ROWS)
    return {"as_of": day, "firms": page.rows if page else [], "workers_with_gaps_count": count,
            "workers_with_gaps": workers, "retraining": phases.rows if phases else []}
