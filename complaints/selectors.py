"""Reads of complaints and inspections, scoped to the caller (out of scope = not found)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Count, Prefetch, Q, QuerySet

from complaints.models import (
    Complaint,
    Finding,
    Inspection,
    InspectionPlan,
    InspectionPlanItem,
    ViolationType,
)
from entities.selectors import entity_scope_q


def _scoped(queryset: QuerySet, user) -> QuerySet:
    scope = entity_scope_q(user, "entity__")
    return queryset if scope is None else queryset.filter(scope)


def complaint_scope_q(user) -> Q | None:
    """The complaints ``user`` handles or answers for (None: all).

    A complaint against a registered entity follows the entity's scope; one against an unregistered operator
    or a person (no entity yet) follows its receiving region and sector. A business sees only the complaints
    against its own entities.
    """
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_regulator:
        return None
    linked = entity_scope_q(user, "entity__")
    if user.is_inspector:
        if not user.region_codes or not user.sectors:
            return Q(pk__in=[])
        regions = reduce(or_, (Q(region_code__startswith=code) for code in user.region_codes))
        unlinked = Q(entity__isnull=True) & regions & Q(sector__in=user.sectors)
        return (Q(entity__isnull=False) & linked) | unlinked
    return Q(entity__isnull=False) & linked


def complaints_for(user) -> QuerySet[Complaint]:
    queryset = Complaint.objects.select_related("entity", "business_notice")
    scope = complaint_scope_q(user)
    return queryset if scope is None else queryset.filter(scope)


def inspections_for(user) -> QuerySet[Inspection]:
    findings = Prefetch("findings", queryset=Finding.objects.select_related("violation_type").order_by("id"))
    queryset = Inspection.objects.select_related("entity", "inspector").prefetch_related(findings)
    return _scoped(queryset, user)


def findings_for(user) -> QuerySet[Finding]:
    queryset = Finding.objects.select_related("inspection", "inspection__entity", "violation_type")
    scope = entity_scope_q(user, "inspection__entity__")
    return queryset if scope is None else queryset.filter(scope)


def violation_types() -> QuerySet[ViolationType]:
    return ViolationType.objects.filter(active=True)


def plans_for(user) -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.annotate(item_count=Count("items")).order_by("-month", "region_prefix")


def plan_items_for(user) -> QuerySet[InspectionPlanItem]:
    return _scoped(InspectionPlanItem.objects.all(), user)


def published_plans() -> QuerySet[InspectionPlan]:
    return InspectionPlan.objects.filter(published=True).order_by("-month", "region_prefix")
