"""FilterSets of the regulator app."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator

from config.api.filters import DateFilter, FilterSet
from regulator.lists.models import (
    Listing,
    ListingStatus,
    ListType,
    RepairApplication,
    RepairStatus,
    SubjectType,
)


class ListingFilterSet(FilterSet):
    list_type = django_filters.MultipleChoiceFilter(choices=ListType.choices)
    status = django_filters.MultipleChoiceFilter(choices=ListingStatus.choices)
    subject_type = django_filters.ChoiceFilter(choices=SubjectType.choices)
    region_code = django_filters.CharFilter(field_name="entity__region_code", lookup_expr="startswith",
                                            validators=[RegexValidator(r"^\d{1,6}$")])
    decided_after = DateFilter(field_name="decided_on", lookup_expr="gte")
    decided_before = DateFilter(field_name="decided_on", lookup_expr="lte")
    expires_before = DateFilter(field_name="expires_on", lookup_expr="lte")
    source_authority = django_filters.CharFilter()

    class Meta:
        model = Listing
        fields = ["list_type", "status", "subject_type", "entity", "person", "source_type", "source_authority"]


class RepairFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RepairStatus.choices)

    class Meta:
        model = RepairApplication
        fields = ["status", "listing"]
