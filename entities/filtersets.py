"""One FilterSet per list (NetBox style): ``q``/``search`` text, multi-choice fields, prefixes."""

from __future__ import annotations

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Q

from config.api.filters import BooleanFilter, DateFilter, FilterSet, IdFilter, IsoDateTimeFilter

from entities import searchkeys
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
from entities.validators import normalize_credit_code


def search_names(queryset, value: str, *, code_field: str | None = None):
    """Filter by the name search keys (bigrams, pinyin, initials); a credit code matches exactly."""
    value = (value or "").strip()
    if not value:
        return queryset
    condition = Q(pk__in=[])
    if code_field:
        code = normalize_credit_code(value)
        if len(code) == 18:
            condition |= Q(**{code_field: code})
        elif code.isalnum() and len(code) >= 6:
            condition |= Q(**{f"{code_field}__startswith": code})
    tsquery = searchkeys.query_tsquery(value)
    if tsquery is not None:
        condition |= Q(search_vector__tsmatch=tsquery)
    return queryset.filter(condition)


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
        from ratings.selectors import grade_q

        return queryset.filter(grade_q(value)) if value else queryset


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
