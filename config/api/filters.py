"""Query parameters are input too: a filter value that cannot be read is a 400 naming it, never ignored.

django-filter (through DRF's ``DjangoFilterBackend``) already answers 400 for
most bad values: an unknown choice, a malformed date or number. Three gaps are
closed here, for every FilterSet (declared or made from ``filterset_fields``):

- booleans: django-filter reads anything but ``true``/``false``/``1``/``0`` as
  "no filter", so ``?is_active=maybe`` quietly listed everything;
- object ids: a foreign key is an integer filter, so ``1.5`` is refused and
  an id out of scope finds nothing, exactly like a missing one;
- repeated single-valued parameters (``?status=a&status=b`` where only one is
  meant) silently kept the last; multi-valued filters still take many.

Dates are ISO 8601 only (API.md), not the locale's other spellings, and inside
the window every date input is held to (``config.api.serializers.date_window``:
2000-01-01 to ten years ahead), so ``?decided_after=0001-01-01`` is a 400 like
a body's date would be. The schema says what is accepted: an empty value means
"no filter" (``allowEmptyValue``), and a date-time filter also takes a bare date.

``?search=`` is API.md's free-text parameter. A list whose FilterSet declares
no ``search`` answers it with a 400 naming it, rather than ignoring it and
listing everything as if the caller had found what they typed.
"""

from __future__ import annotations

import datetime
from copy import deepcopy

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from django_filters.widgets import BaseCSVWidget, BooleanWidget, QueryArrayWidget
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from config.api.serializers import INTEGER, date_window_message, in_date_window

__all__ = ["INTEGER", "BooleanFilter", "DateFilter", "FilterBackend", "FilterSet", "IdFilter", "IsoDateTimeFilter",
           "SEARCH_PARAMETER", "query_integer"]

SEARCH_PARAMETER = "search"


def query_integer(request, name: str, message, *, minimum: int | None = None,
                  maximum: int | None = None) -> int | None:
    """``?name=`` as one integer within the bounds, None when absent; anything else is a 400 naming it."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    if len(values) > 1 or not INTEGER.fullmatch(values[0]):
        raise ValidationError({name: [message]}, code="invalid")
    value = int(values[0])
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValidationError({name: [message]}, code="invalid")
    return value


class StrictBooleanWidget(BooleanWidget):
    """Reads ``true``/``false``/``1``/``0`` (any case) like django-filter, and keeps any other value to be refused."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        raw = data.get(name)
        return raw if value is None and raw not in (None, "") else value


class StrictBooleanField(forms.NullBooleanField):
    widget = StrictBooleanWidget
    default_error_messages = {"invalid": _("应为 true 或 false。")}

    def to_python(self, value):
        if value is True or value is False:
            return value
        if value in (None, ""):
            return None
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class BooleanFilter(filters.BooleanFilter):
    """``?name=true|false``; absent or empty means no filter, any other value is a 400."""

    field_class = StrictBooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", StrictBooleanWidget)
        super().__init__(*args, **kwargs)


class IdField(forms.IntegerField):
    """Digits only: Django's IntegerField also reads ``0.0``, ``1_000`` and non-ASCII digits."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, int) and not INTEGER.fullmatch(str(value)):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(value)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.NumberFilter):
    """An object id: an integer, not ``1.5`` or ``1e5``. An id outside the caller's scope finds nothing, like a
    missing one (django-filter's ``ModelChoiceFilter`` would answer 400 for a missing id and 200 for another's)."""

    field_class = IdField


class IsoDateField(forms.DateField):
    input_formats = ["%Y-%m-%d"]

    def validate(self, value):
        super().validate(value)
        if not in_date_window(value):
            raise forms.ValidationError(date_window_message(), code="date_out_of_range")


class UtcIsoDateTimeField(IsoDateTimeField):
    """Read in UTC: Python takes offsets up to ±24:00 and year 9999 at any offset, PostgreSQL refuses both."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            result = result.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not in_date_window(result):
            raise forms.ValidationError(date_window_message(), code="date_out_of_range")
        return result


class DateFilter(filters.DateFilter):
    """``2025-03-01`` (ISO 8601), as API.md promises; the locale's ``2025/03/01`` is a 400 like any bad date."""

    field_class = IsoDateField


@extend_schema_field({
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "string", "format": "date"}],
    "description": "ISO 8601 时间（带时区偏移，无偏移按 Asia/Shanghai），或日期（当日零时）。",
})
class IsoDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time; a bare date means its midnight (Asia/Shanghai)."""

    field_class = UtcIsoDateTimeField


def _takes_many(field: forms.Field) -> bool:
    widget = field.widget
    return bool(getattr(widget, "allow_multiple_selected", False)) or isinstance(
        widget, (BaseCSVWidget, QueryArrayWidget, forms.MultiWidget))


class SingleValueQueryForm(forms.Form):
    """A single-valued parameter given more than once is ambiguous: refuse it rather than pick one."""

    def clean(self):
        cleaned = super().clean()
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name, field in self.fields.items():
                if not _takes_many(field) and len(getlist(self.add_prefix(name))) > 1:
                    self.add_error(name, forms.ValidationError(_("该参数只能给出一个值。"), code="multiple_values"))
        return cleaned


_FILTER_DEFAULTS = deepcopy(FILTER_FOR_DBFIELD_DEFAULTS)
_FILTER_DEFAULTS.update({
    models.BooleanField: {"filter_class": BooleanFilter},
    models.NullBooleanField: {"filter_class": BooleanFilter},
    models.DateField: {"filter_class": DateFilter},
    models.ForeignKey: {"filter_class": IdFilter},
    models.OneToOneField: {"filter_class": IdFilter},
    models.DateTimeField: {"filter_class": IsoDateTimeFilter},
})


class FilterSet(filters.FilterSet):
    """Base of every FilterSet of the API: strict booleans, one value per single-valued parameter."""

    FILTER_DEFAULTS = _FILTER_DEFAULTS

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (SingleValueQueryForm, form_class), {})


class FilterBackend(filters.DjangoFilterBackend):
    """DRF's django-filter backend, building ``filterset_fields`` FilterSets on the strict base.

    A ``?search=`` the list's FilterSet does not declare is refused (400 naming it), not ignored.
    """

    filterset_base = FilterSet

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if (filterset_class is not None and SEARCH_PARAMETER not in filterset_class.base_filters
                and any(value.strip() for value in request.query_params.getlist(SEARCH_PARAMETER))):
            raise ValidationError({SEARCH_PARAMETER: [_("该列表不支持全文搜索（search），请使用其筛选参数。")]},
                                  code="invalid")
        return super().filter_queryset(request, queryset, view)


class FilterBackendExtension(DjangoFilterExtension):
    """drf-spectacular's django-filter parameters, saying that an empty value is allowed and means no filter."""

    target_class = FilterBackend
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            parameter["allowEmptyValue"] = True
        return parameters
