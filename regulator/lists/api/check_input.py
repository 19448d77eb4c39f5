"""Input of the licence and measures checks, validated at batch speed with the same answers and messages.

A batch of 1,000 checks validates about 1,000 ID numbers (居民身份证号码) and 1,000 credit codes. python-stdnum's
``ric.validate`` looks each number's birthplace up in its ``cn/loc`` table (about 40 us a number, more than the
rest of the item's validation); that lookup depends only on the number's first six digits and its birth year,
so it is remembered per (prefix, year). Everything else is the check ``entities.validators.validate_id_number``
makes, in the same order. Only acceptance takes the fast path: a number it does not accept is validated again by
``validate_id_number`` itself, so every refusal carries exactly the message it always did.

The classes here are what the views validate with; the OpenAPI schema keeps naming the serializers they extend
(``LicenceCheckSerializer``, ``BatchLicenceCheckSerializer``): no field is added or changed.
"""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from rest_framework import serializers
from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import isdigits

from entities.validators import normalize_id_number, validate_id_number
from regulator.lists.api.serializers import BatchLicenceCheckSerializer, LicenceCheckSerializer


@functools.lru_cache(maxsize=16384)
def _birthplace_known(prefix: str, year: int) -> bool:
    """``ric.get_birth_place`` accepts a number with this region prefix born in this year (it reads nothing else)."""
    try:
        ric.get_birth_place(f"{prefix}{year:04d}0101000")
    except (StdnumError, KeyError, ValueError):
        return False
    return True


def id_number_accepted(number: str) -> bool:
    """True only when ``validate_id_number(number)`` would accept ``number`` (already normalised): length, digits,
    check digit, a real birth date not after today, a birthplace known for the birth year."""
    if len(number) != 18 or not isdigits(number[:-1]) or number[-1] != ric.calc_check_digit(number):
        return False
    try:
        born = ric.get_birth_date(number)
    except StdnumError:
        return False
    return _birthplace_known(number[:6], born.year) and born <= timezone.localdate()


def id_numbers_clean(value: list[str]) -> list[str]:
    """``LicenceCheckSerializer.validate_person_id_numbers``: the numbers normalised, or every message at once."""
    cleaned, errors = [], []
    for raw in value:
        number = normalize_id_number(raw)
        if not id_number_accepted(number):
            try:
                validate_id_number(number)
            except DjangoValidationError as exc:
                errors.extend(exc.messages)
                continue
        cleaned.append(number)
    if errors:
        raise serializers.ValidationError(errors)
    return cleaned


class FastIdNumbersMixin:
    # ``person_id_numbers`` validated through ``id_numbers_clean`` (same answers, same messages). No docstring on
    # purpose: drf-spectacular would print it as the description of ``MeasureCheckRequest``.

    def validate_person_id_numbers(self, value: list[str]) -> list[str]:
        return id_numbers_clean(value)


class LicenceCheckInput(FastIdNumbersMixin, LicenceCheckSerializer):
    """What ``POST /api/v1/licence-checks/`` validates with (documented as ``LicenceCheckSerializer``)."""


class BatchLicenceCheckInput(BatchLicenceCheckSerializer):
    """What ``POST /api/v1/licence-checks/batch/`` validates with (documented as ``BatchLicenceCheckSerializer``)."""

    checks = LicenceCheckInput(many=True, allow_empty=False, max_length=1000)
