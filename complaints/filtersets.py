"""FilterSets of complaints, inspections and findings."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator

from complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintChannel,
    ComplaintOutcome,
    ComplaintStatus,
    Finding,
    Inspection,
    InspectionKind,
    Penalty,
    Severity,
)
from config.api.filters import BooleanFilter, DateFilter, FilterSet, IdFilter
from entities.models import Sector

_prefix = [RegexValidator(r"^\d{1,6}$")]


class ComplaintFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ComplaintStatus.choices)
    outcome = django_filters.MultipleChoiceFilter(choices=ComplaintOutcome.choices)
    category = django_filters.MultipleChoiceFilter(choices=ComplaintCategory.choices)
    channel = django_filters.MultipleChoiceFilter(choices=ComplaintChannel.choices)
    overdue = BooleanFilter()
    sector = django_filters.MultipleChoiceFilter(field_name="entity__sector", choices=Sector.choices)
    region_code = django_filters.CharFilter(field_name="entity__region_code", lookup_expr="startswith",
                                            validators=_prefix)
    received_after = DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = DateFilter(field_name="received_on", lookup_expr="lte")
    incident_after = DateFilter(field_name="incident_date", lookup_expr="gte")
    incident_before = DateFilter(field_name="incident_date", lookup_expr="lte")

    class Meta:
        model = Complaint
        fields = ["entity", "status", "outcome", "category", "channel", "overdue"]


class InspectionFilterSet(FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=InspectionKind.choices)
    sector = django_filters.MultipleChoiceFilter(field_name="entity__sector", choices=Sector.choices)
    region_code = django_filters.CharFilter(field_name="entity__region_code", lookup_expr="startswith",
                                            validators=_prefix)
    inspected_after = DateFilter(field_name="inspected_on", lookup_expr="gte")
    inspected_before = DateFilter(field_name="inspected_on", lookup_expr="lte")

    class Meta:
        model = Inspection
        fields = ["entity", "inspector", "kind", "complaint"]


class FindingFilterSet(FilterSet):
    entity = IdFilter(field_name="inspection__entity")
    severity = django_filters.MultipleChoiceFilter(choices=Severity.choices)
    penalty = django_filters.MultipleChoiceFilter(choices=Penalty.choices)
    violation_code = django_filters.CharFilter(field_name="violation_type__code")
    open = BooleanFilter(field_name="rectified_on", lookup_expr="isnull", label="未整改")
    rectify_before = DateFilter(field_name="rectify_by", lookup_expr="lte")
    sector = django_filters.MultipleChoiceFilter(field_name="inspection__entity__sector", choices=Sector.choices)
    region_code = django_filters.CharFilter(field_name="inspection__entity__region_code", lookup_expr="startswith",
                                            validators=_prefix)
    inspected_after = DateFilter(field_name="inspection__inspected_on", lookup_expr="gte")
    inspected_before = DateFilter(field_name="inspection__inspected_on", lookup_expr="lte")

    class Meta:
        model = Finding
        fields = ["entity", "severity", "penalty", "violation_code"]
