"""FilterSets of the regulator app."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q

from config.api.filters import DateFilter, FilterSet
from entities.selectors import entity_ids_matching, person_ids_matching
from regulator.lists.models import (
    Listing,
    ListingStatus,
    ListType,
    RepairApplication,
    RepairStatus,
    SubjectType,
)


class ListingFilterSet(FilterSet):
    search = django_filters.CharFilter(method="filter_search", max_length=100,
                                       label="主体名称（简繁、拼音、首字母）、统一社会信用代码或身份证号")
    q = django_filters.CharFilter(method="filter_search", max_length=100, label="同 search")
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

    def filter_search(self, queryset, name, value):
        """The listed subject by its name keys or code, and a person's listings by the entity they are tied to."""
        term = (value or "").strip()
        if not term:
            return queryset
        entities = entity_ids_matching(term)
        return queryset.filter(Q(entity__in=entities) | Q(related_entity__in=entities)
                               | Q(person__in=person_ids_matching(term)))


class RepairFilterSet(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RepairStatus.choices)

    class Meta:
        model = RepairApplication
        fields = ["status", "listing"]
