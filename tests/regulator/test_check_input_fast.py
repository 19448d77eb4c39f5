"""The checks' fast input path (``regulator.lists.api.check_input``) accepts exactly what the validators accept,
and refuses with the validators' own messages; the facts' constant statements keep their statement count."""

from __future__ import annotations

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from entities import codes
from entities.validators import normalize_id_number, validate_id_number
from regulator.lists.api.check_input import id_number_accepted, id_numbers_clean

_rng = random.Random(1414)


def _accepted_by_the_validator(number: str) -> bool:
    try:
        validate_id_number(number)
    except ValidationError:
        return False
    return True


def _valid_number(region: str = "140802", born: datetime.date = datetime.date(1985, 6, 1)) -> str:
    return codes.id_number(region, born, _rng)


def _with_check_digit(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


digits = st.text(alphabet="0123456789", min_size=17, max_size=17)


@settings(max_examples=400, deadline=None)
@given(body=digits, tail=st.sampled_from(["0", "1", "5", "9", "X", "x", "Y", ""]))
def test_the_fast_path_accepts_only_what_validate_id_number_accepts(body, tail):
    number = normalize_id_number(body + tail)
    assert id_number_accepted(number) == _accepted_by_the_validator(number)


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(["140802", "140100", "110101", "140000", "999999", "140899", "440305"]),
       year=st.integers(1900, 2030), month=st.integers(1, 12), day=st.integers(1, 31), serial=st.integers(0, 999))
def test_well_formed_numbers_answer_as_the_validator_on_both_sides_of_each_rule(region, year, month, day, serial):
    """Birthplace by region and year, a real birth date, not after today: the fast answer is the validator's."""
    number = _with_check_digit(f"{region}{year:04d}{month:02d}{day:02d}{serial:03d}")
    assert id_number_accepted(number) == _accepted_by_the_validator(number)


def test_a_number_born_tomorrow_is_refused_and_today_accepted():
    from django.utils import timezone

    today = timezone.localdate()
    born_today = _valid_number(born=today)
    born_tomorrow = _with_check_digit(f"140802{(today + datetime.timedelta(days=1)):%Y%m%d}123")
    assert id_number_accepted(born_today) and _accepted_by_the_validator(born_today)
    assert not id_number_accepted(born_tomorrow) and not _accepted_by_the_validator(born_tomorrow)


def test_refusals_carry_the_validators_messages_in_order():
    good = _valid_number()
    bad = [good[:-1] + ("0" if good[-1] != "0" else "1"), "12345", "999999198506010000"]
    expected = []
    for number in bad:
        try:
            validate_id_number(normalize_id_number(number))
        except ValidationError as exc:
            expected.extend(exc.messages)
    with pytest.raises(serializers.ValidationError) as caught:
        id_numbers_clean([good, *bad])
    assert [str(message) for message in caught.value.detail] == expected
    assert id_numbers_clean([good, f" {good.lower()} "]) == [good, normalize_id_number(f" {good.lower()} ")]
