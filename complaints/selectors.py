"""Reads of complaints and inspections, scoped to the caller (out of scope = not found)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

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


def complaints_for(user) -> QuerySet[Complaint]:
    return _scoped(Complaint.objects.select_related("entity"), user)


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
