"""FilterSets of complaints, inspections and findings."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q

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
    RejectionGround,
    RespondentKind,
    Severity,
)
from config.api.filters import BooleanFilter, DateFilter, FilterSet, IdFilter
from entities.models import Sector
from entities.selectors import entity_ids_matching

_prefix = [RegexValidator(r"^\d{1,6}$")]
_SEARCH_LABEL = "被检查或被投诉主体的名称（简繁、拼音、首字母）或统一社会信用代码"


def _search(label: str = _SEARCH_LABEL) -> django_filters.CharFilter:
    return django_filters.CharFilter(method="filter_search", max_length=100, label=label)


def _entity_matching(queryset, term: str, prefix: str = ""):
    """Rows whose entity matches ``term`` by its name keys (GIN index) or credit code; blank means all."""
    term = (term or "").strip()
    if not term:
        return queryset
    return queryset.filter(**{f"{prefix}entity__in": entity_ids_matching(term)})


class ComplaintFilterSet(FilterSet):
    search = _search(_SEARCH_LABEL + "；监管人员还可输入查询码")
    q = _search("同 search")
    status = django_filters.MultipleChoiceFilter(choices=ComplaintStatus.choices)
    outcome = django_filters.MultipleChoiceFilter(choices=ComplaintOutcome.choices)
    category = django_filters.MultipleChoiceFilter(choices=ComplaintCategory.choices)
    channel = django_filters.MultipleChoiceFilter(choices=ComplaintChannel.choices)
    overdue = BooleanFilter()
    notice_overdue = BooleanFilter(label="答复通知书逾期未发出")
    reply_overdue = BooleanFilter(label="经营者逾期未答复")
    respondent_kind = django_filters.MultipleChoiceFilter(choices=RespondentKind.choices)
    rejection_ground = django_filters.MultipleChoiceFilter(choices=RejectionGround.choices)
    linked = BooleanFilter(field_name="entity", lookup_expr="isnull", exclude=True, label="已关联登记主体")
    # The entity's sector and region when there is one, else the complaint's receiving ones.
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices, method="filter_sector")
    region_code = django_filters.CharFilter(method="filter_region", validators=_prefix)
    received_after = DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = DateFilter(field_name="received_on", lookup_expr="lte")
    incident_after = DateFilter(field_name="incident_date", lookup_expr="gte")
    incident_before = DateFilter(field_name="incident_date", lookup_expr="lte")

    class Meta:
        model = Complaint
        fields = ["entity", "status", "outcome", "category", "channel", "overdue", "notice_overdue", "reply_overdue",
                  "respondent_kind", "rejection_ground"]

    def filter_sector(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(entity__sector__in=value) | Q(entity__isnull=True, sector__in=value))

    def filter_region(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(entity__region_code__startswith=value)
                               | Q(entity__isnull=True, region_code__startswith=value))

    def filter_search(self, queryset, name, value):
        term = (value or "").strip()
        if not term:
            return queryset
        matches = Q(entity__in=entity_ids_matching(term))
        # A respondent not (yet) in the registry is found by the name the complainant gave.
        matches |= Q(entity__isnull=True) & (Q(operator_name__icontains=term) | Q(person_name__icontains=term))
        user = getattr(self.request, "user", None)
        if getattr(user, "is_regulator", False):
            # Only regulators see tracking codes; to anyone else a search by one must not confirm it.
            matches |= Q(tracking_code=term)
        return queryset.filter(matches)


class InspectionFilterSet(FilterSet):
    search = _search()
    q = _search("同 search")
    kind = django_filters.MultipleChoiceFilter(choices=InspectionKind.choices)
    sector = django_filters.MultipleChoiceFilter(field_name="entity__sector", choices=Sector.choices)
    region_code = django_filters.CharFilter(field_name="entity__region_code", lookup_expr="startswith",
                                            validators=_prefix)
    inspected_after = DateFilter(field_name="inspected_on", lookup_expr="gte")
    inspected_before = DateFilter(field_name="inspected_on", lookup_expr="lte")
    campaign = IdFilter(field_name="campaign", help_text="专项行动编号")  # complaints/campaigns.py

    class Meta:
        model = Inspection
        fields = ["entity", "inspector", "kind", "complaint"]

    def filter_search(self, queryset, name, value):
        return _entity_matching(queryset, value)


class FindingFilterSet(FilterSet):
    search = _search()
    q = _search("同 search")
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

    def filter_search(self, queryset, name, value):
        return _entity_matching(queryset, value, prefix="inspection__")
