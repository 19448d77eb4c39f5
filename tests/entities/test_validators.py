"""Identifiers are validated with python-stdnum: check digits, birth dates, places, region table."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError

from entities import codes
from entities.validators import (
    mask_id_number,
    region_name,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
    validate_region_prefix,
)


def accepted(validator, value: str) -> bool:
    """Whether ``validator`` lets ``value`` through (the validators return nothing and raise on bad input)."""
    try:
        validator(value)
    except ValidationError:
        return False
    return True


def other_check_digit(code: str) -> str:
    return code[:-1] + ("0" if code[-1] != "0" else "1")


@pytest.mark.parametrize("code", ["91110000600037341L", "11120000MB1529459B", "91350200776049653A", "92370102MA3M9AG94X"])
def test_real_credit_codes_are_valid(code):
    assert accepted(validate_credit_code, code)
    assert not accepted(validate_credit_code, other_check_digit(code))


@pytest.mark.parametrize(
    "code",
    [
        "91110000600037341M",  # wrong check digit
        "91110000600037341",  # 17 characters
        "9111000060003734IL",  # I is not in the alphabet
        "9111000060003734OL",  # neither is O
        "A1110000600037341L",  # stdnum requires digits in positions 1-8
        "",
    ],
)
def test_bad_credit_codes_are_rejected(code):
    with pytest.raises(ValidationError):
        validate_credit_code(code)


def test_generated_credit_codes_pass_the_validator():
    rng = random.Random(7)
    generated = [codes.credit_code("140802", rng) for _ in range(200)]
    assert all(accepted(validate_credit_code, code) for code in generated)
    assert all(code[2:8] == "140802" for code in generated) and len(set(generated)) == 200


def test_id_number_check_digit_birth_date_and_place():
    validate_id_number("11010519491231002X")
    with pytest.raises(ValidationError):
        validate_id_number("110105194912310021")  # wrong check digit
    with pytest.raises(ValidationError):
        validate_id_number("110105194913310028")  # month 13


def test_yanhu_district_id_number_only_valid_from_2000():
    """盐湖区 (140802) exists from 2000: a number born there in 1995 is invalid, in 2001 valid."""
    from stdnum.cn import ric

    body_1995 = "14080219950304123"
    body_2001 = "14080220010304123"
    number_1995 = body_1995 + ric.calc_check_digit(body_1995 + "0")
    number_2001 = body_2001 + ric.calc_check_digit(body_2001 + "0")
    with pytest.raises(ValidationError):
        validate_id_number(number_1995)
    validate_id_number(number_2001)


def test_id_number_with_unknown_place_is_a_validation_error_not_a_crash():
    from stdnum.cn import ric

    body = "14999919900101123"
    with pytest.raises(ValidationError):
        validate_id_number(body + ric.calc_check_digit(body + "0"))


def test_generated_id_numbers_are_valid_for_any_birth_year():
    rng = random.Random(3)
    for year in (1950, 1975, 1999, 2005):
        number = codes.id_number("140802", datetime.date(year, 6, 1), rng)
        assert accepted(validate_id_number, number), number
        assert number[6:14] == f"{year}0601"
        assert not accepted(validate_id_number, other_check_digit(number))


def test_mask_keeps_only_region_prefix_and_last_four():
    assert mask_id_number("11010519491231002X") == "1101**********002X"


@pytest.mark.parametrize("code,name", [("140802", "山西省运城市盐湖区"), ("140800", "山西省运城市"), ("140000", "山西省")])
def test_region_codes_resolve_to_current_names(code, name):
    validate_region_code(code)
    assert region_name(code) == name


@pytest.mark.parametrize("code", ["149999", "142700", "14080", "abcdef", "990000"])
def test_unknown_or_abolished_region_codes_are_rejected(code):
    """142700 运城地区 was abolished in 2000."""
    with pytest.raises(ValidationError):
        validate_region_code(code)


@pytest.mark.parametrize("prefix", ["14", "1408", "140802"])
def test_region_prefixes(prefix):
    assert accepted(validate_region_prefix, prefix)
    assert region_name(prefix.ljust(6, "0")).startswith("山西省")


@pytest.mark.parametrize("prefix", ["1", "149", "1499", "x4"])
def test_bad_region_prefixes(prefix):
    with pytest.raises(ValidationError):
        validate_region_prefix(prefix)
