"""Validators for the identifiers of the registry, all backed by python-stdnum.

* 统一社会信用代码 (GB 32100-2015): ``stdnum.cn.uscc``.
* 居民身份证号码 (GB 11643-1999): ``stdnum.cn.ric`` (check digit, birth date, place).
* 行政区划代码 (GB/T 2260): the ``cn/loc`` table python-stdnum ships.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from core.scope import region_name, validate_region_code, validate_region_prefix  # noqa: F401  (re-exported)


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("统一社会信用代码无效：%(reason)s"), code="invalid_credit_code", params={"reason": exc.message}
        ) from exc


def credit_code_is_valid(value: str) -> bool:
    return uscc.is_valid(value)


def normalize_id_number(value: str) -> str:
    return ric.compact(value or "")


def validate_id_number(value: str) -> None:
    try:
        ric.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("居民身份证号码无效：%(reason)s"), code="invalid_id_number", params={"reason": exc.message}
        ) from exc
    except (KeyError, ValueError) as exc:
        # stdnum looks the place code up in cn/loc; a prefecture with no county entry raises KeyError.
        raise ValidationError(
            _("居民身份证号码无效：出生地代码不存在。"), code="invalid_id_number"
        ) from exc
    # stdnum checks that the birth date exists, not that it has happened.
    if ric.get_birth_date(value) > timezone.localdate():
        raise ValidationError(_("居民身份证号码无效：出生日期晚于今天。"), code="invalid_id_number")


def mask_id_number(value: str) -> str:
    """``140802199001011234`` -> ``1408**********1234``: region prefix and last four only."""
    number = normalize_id_number(value)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


