r"""Serializer bases of the API: a JSON body's values must have the types the schema documents.

DRF is lenient on purpose: a ``CharField`` takes ``64`` as ``"64"``, an
``IntegerField`` or a primary key takes ``"5"``, a ``BooleanField`` takes
``"yes"``, and a string one character over ``max_length`` passes when that
character is whitespace DRF trims. The OpenAPI schema says ``string``, ``integer``, ``boolean``, so a
client (or schemathesis' negative data) sending another JSON type got a 200
for a request the contract calls invalid. These bases refuse it with a 400
naming the field. Only JSON bodies are held to it (``config.api.parsers``): a
web page handing a form's strings to the same serializer is not.

Every date the API takes, from a JSON body or a page's form, must also fall in
the window of dates the service can mean (``date_window``): year 1 and year
9999 are valid ISO dates, but no licence, complaint or decision of this
register is dated before 2000, and one more than ten years ahead is a typo.
PostgreSQL would store them; the arithmetic on them (deadlines, periods) then
overflows. Declared ``DateField``\ s and those a ``ModelSerializer`` derives
from a model are held to it alike.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import relations, serializers
from rest_framework.fields import empty

from config.api.parsers import JSONObject

# An integer as a query string or path carries it: ASCII digits, an optional minus. int() would also take
# " 5", "+5", "1_000", "5.0" via float and non-ASCII digits such as "٥".
INTEGER = re.compile(r"-?[0-9]+")

#: the defaults of the date window; settings INPUT_DATE_EARLIEST / INPUT_DATE_YEARS_AHEAD override them
EARLIEST_DATE = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10

_STRING = (serializers.CharField, serializers.DateField, serializers.DateTimeField, serializers.TimeField,
           serializers.SlugRelatedField, serializers.UUIDField)
_MESSAGES = {
    "string": _("应为字符串。"),
    "integer": _("应为整数。"),
    "number": _("应为数字。"),
    "boolean": _("应为 true 或 false。"),
}


def _is_integer(value) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, float) and value.is_integer())


def _expected(field: serializers.Field, value) -> str | None:
    """The JSON type ``field`` documents when ``value`` does not have it, else None."""
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "boolean"
    if isinstance(field, (serializers.IntegerField, relations.PrimaryKeyRelatedField)):
        return None if _is_integer(value) else "integer"
    if isinstance(field, (serializers.FloatField, serializers.DecimalField)):
        # An amount may come as a JSON number (5000) or as the decimal string the API answers ("5000.00").
        if isinstance(field, serializers.DecimalField) and isinstance(value, str):
            return None
        return None if _is_integer(value) or isinstance(value, float) else "number"
    if isinstance(field, serializers.ChoiceField) and not isinstance(field, serializers.MultipleChoiceField):
        return None if isinstance(value, str) or not all(isinstance(key, str) for key in field.choices) else "string"
    if isinstance(field, _STRING):
        return None if isinstance(value, str) else "string"
    return None


def _type_error(field: serializers.Field, value):
    """The error for ``value`` (list items and dict values checked against the child field), or None."""
    if value is None:
        return None  # DRF answers null itself (allow_null or "may not be null")
    if isinstance(field, (serializers.ListField, relations.ManyRelatedField)) and isinstance(value, list):
        child = field.child if isinstance(field, serializers.ListField) else field.child_relation
        errors = {index: error for index, item in enumerate(value) if (error := _type_error(child, item))}
        return errors or None
    if isinstance(field, serializers.DictField) and isinstance(value, dict):
        errors = {key: error for key, item in value.items() if (error := _type_error(field.child, item))}
        return errors or None
    expected = _expected(field, value)
    if expected:
        return [_MESSAGES[expected]]
    max_length = getattr(field, "max_length", None)
    if isinstance(field, serializers.CharField) and max_length is not None and len(value) > max_length:
        # Counted before DRF trims surrounding whitespace, as the schema's maxLength counts.
        return [field.error_messages["max_length"].format(max_length=max_length)]
    return None


def date_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The dates an input may name: from INPUT_DATE_EARLIEST (2000-01-01) to INPUT_DATE_YEARS_AHEAD (10) years on."""
    today = today or timezone.localdate()
    earliest = getattr(settings, "INPUT_DATE_EARLIEST", EARLIEST_DATE)
    years = getattr(settings, "INPUT_DATE_YEARS_AHEAD", YEARS_AHEAD)
    try:
        latest = today.replace(year=today.year + years)
    except ValueError:  # 29 February, and no 29 February that year
        latest = today.replace(year=today.year + years, day=28)
    return earliest, latest


def date_window_message(today: datetime.date | None = None) -> str:
    earliest, latest = date_window(today)
    return _("日期应在 %(earliest)s 至 %(latest)s 之间。") % {"earliest": earliest.isoformat(),
                                                          "latest": latest.isoformat()}


def in_date_window(value: datetime.date | datetime.datetime | None) -> bool:
    """True for None and for a date (or the date of a date-time) inside :func:`date_window`."""
    if value is None:
        return True
    if isinstance(value, datetime.datetime):
        try:  # the date where the service is (a bare date's midnight in Asia/Shanghai is 16:00 UTC the day before)
            day = (timezone.localtime(value) if timezone.is_aware(value) else value).date()
        except OverflowError:
            return False
    else:
        day = value
    earliest, latest = date_window()
    return earliest <= day <= latest


def validate_date_in_window(value: datetime.date | None) -> None:
    """A field validator: the date must fall inside :func:`date_window` (400 naming the field)."""
    if not in_date_window(value):
        raise serializers.ValidationError(date_window_message(), code="date_out_of_range")


class DateField(serializers.DateField):
    """An ISO date inside :func:`date_window`; the schema says which."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if validate_date_in_window not in self.validators:
            self.validators.append(validate_date_in_window)


def _hold_dates_to_window(fields) -> None:
    """Give every writable date field of a serializer the window, declared as a DRF DateField or derived."""
    for field in fields.values():
        if (isinstance(field, serializers.DateField) and not field.read_only
                and validate_date_in_window not in field.validators):
            field.validators = [*field.validators, validate_date_in_window]


class StrictJSONTypesMixin:
    """Refuse JSON values of another type than the field's before DRF would coerce them."""

    def to_internal_value(self, data):
        if isinstance(data, JSONObject):
            errors = {}
            for field in self._writable_fields:
                value = field.get_value(data)
                if value is not empty and (error := _type_error(field, value)):
                    errors[field.field_name] = error
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class QueryIntegerField(serializers.IntegerField):
    """An integer from a query string: ASCII digits only ("5"; not "5.0", " 5" or "٥")."""

    def to_internal_value(self, data):
        if isinstance(data, str) and not INTEGER.fullmatch(data):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "format": "decimal"}]})
class AmountField(serializers.DecimalField):
    """A money amount: answered as a decimal string ("5000.00"), taken as that or as a JSON number."""


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to an object the caller may see; one outside its scope answers exactly like a missing id.

    ``scope`` is a selector taking the request's user (``entities_for``, ``listings_for``, ...), so the
    choices are scoped per request the way the views' own querysets are (STYLE.md: out of scope is not found).
    """

    def __init__(self, scope: Callable[[Any], QuerySet], **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        return self.scope(getattr(request, "user", None))


class DateWindowMixin:
    """Hold every writable date field to :func:`date_window` (declared ones and those derived from a model)."""

    def get_fields(self):
        fields = super().get_fields()
        _hold_dates_to_window(fields)
        return fields


class Serializer(StrictJSONTypesMixin, DateWindowMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictJSONTypesMixin, DateWindowMixin, serializers.ModelSerializer):
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.DateField: DateField}

    def get_fields(self):
        """The fields built from the model once per class, then copied (as DRF copies declared fields).

        Building them reads the model's metadata field by field (about half of a read like /me/); what it
        builds depends on the class alone (no serializer here shapes its fields by request or instance).
        """
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = serializers.ModelSerializer.get_fields(self)  # as built from the model, not yet bound
            type(self)._built_fields = built
        fields = copy.deepcopy(built)  # a field is rebuilt from its arguments: what was added after is not
        _hold_dates_to_window(fields)
        return fields

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        """Keep ``allow_blank`` on read-only fields, so the schema says a blank choice may come back as ``""``."""
        allow_blank = kwargs.get("allow_blank", False)
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs
