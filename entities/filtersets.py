"""One FilterSet per list (NetBox style): ``q``/``search`` text, multi-choice fields, prefixes."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q

from config.api.filters import BooleanFilter, DateFilter, FilterSet, IdFilter, IsoDateTimeFilter
from entities.models import (
    Category,
    Entity,
    EntityStatus,
    Licence,
    LicenceStatus,
    LicenceType,
    Person,
    PersonRole,
    PersonRoleKind,
    Sector,
)
from entities.selectors import search_names

#: ``grades -> Q`` for the ``grade`` filter. Grades are ratings' (the layer above), which registers its
#: condition at start-up (``ratings.apps``); the registry cannot import it.
GRADE_CONDITION: Callable[[Iterable[str]], Q] | None = None


def grade_condition_use(condition: Callable[[Iterable[str]], Q]) -> None:
    global GRADE_CONDITION
    GRADE_CONDITION = condition


class RegionPrefixFilter(django_filters.CharFilter):
    """``region_code=1408`` selects the whole of 运城市 (prefix match on the 6-digit code)."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__startswith": value.strip()})


class EntityFilterSet(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="名称或信用代码")
    q = django_filters.CharFilter(method="filter_search", label="名称或信用代码")
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices)
    category = django_filters.MultipleChoiceFilter(choices=Category.choices)
    status = django_filters.MultipleChoiceFilter(choices=EntityStatus.choices)
    region_code = RegionPrefixFilter(
        field_name="region_code", label="行政区划代码前缀", validators=[RegexValidator(r"^\d{1,6}$")]
    )
    credit_code = django_filters.CharFilter(field_name="credit_code", lookup_expr="iexact")
    grade = django_filters.MultipleChoiceFilter(choices=[(g, g) for g in "ABCD"], method="filter_grade",
                                                label="信用等级（未评分按 B）")
    created_after = IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Entity
        fields = ["sector", "category", "status", "region_code", "credit_code"]

    def filter_search(self, queryset, name, value):
        return search_names(queryset, value, code_field="credit_code")

    def filter_grade(self, queryset, name, value):
        if not value:
            return queryset
        if GRADE_CONDITION is None:  # fail closed: never answer "all entities" to a grade filter
            raise RuntimeError("no grade condition registered (ratings.apps registers it)")
        return queryset.filter(GRADE_CONDITION(value))


class PersonFilterSet(FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="姓名")
    q = django_filters.CharFilter(method="filter_search", label="姓名")
    entity = IdFilter(field_name="roles__entity", distinct=True)

    class Meta:
        model = Person
        fields = ["entity"]

    def filter_search(self, queryset, name, value):
        return search_names(queryset, value)


class PersonRoleFilterSet(FilterSet):
    role = django_filters.MultipleChoiceFilter(choices=PersonRoleKind.choices)
    current = BooleanFilter(field_name="ended_on", lookup_expr="isnull", label="当前在任")
    started_after = DateFilter(field_name="started_on", lookup_expr="gte")
    started_before = DateFilter(field_name="started_on", lookup_expr="lte")

    class Meta:
        model = PersonRole
        fields = ["entity", "person", "role"]


class LicenceFilterSet(FilterSet):
    licence_type = django_filters.MultipleChoiceFilter(choices=LicenceType.choices)
    status = django_filters.MultipleChoiceFilter(choices=LicenceStatus.choices)
    expires_after = DateFilter(field_name="expires_on", lookup_expr="gte")
    expires_before = DateFilter(field_name="expires_on", lookup_expr="lte")

    class Meta:
        model = Licence
        fields = ["entity", "licence_type", "status"]
