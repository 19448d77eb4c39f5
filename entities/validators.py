"""Validators for the identifiers of the registry, all backed by python-stdnum.

* 统一社会信用代码 (GB 32100-2015): ``stdnum.cn.uscc``.
* 居民身份证号码 (GB 11643-1999): ``stdnum.cn.ric`` (check digit, birth date, place).
* 行政区划代码 (GB/T 2260): the ``cn/loc`` table python-stdnum ships.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


def normalize_credit_code(value: str) -> str:
    return uscc.compact(value or "")


def validate_credit_code(value: str) -> None:
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("统一社会信用代码无效：%(reason)s"), code="invalid_credit_code", params={"reason": exc.message}
        ) from exc


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


def _current_name(names: str) -> str | None:
    """The name a code bears today, or None if every period of it has ended."""
    current = None
    for part in names.split(","):
        match = _PERIOD.match(part)
        if match is None:
            current = part
        elif not match.group(2):
            current = match.group(3)
    return current


@lru_cache(maxsize=8192)
def region_name(code: str) -> str | None:
    """The current name of a 6-digit administrative division, or None if unknown or abolished."""
    if not re.fullmatch(r"\d{6}", code or ""):
        return None
    info = numdb.get("cn/loc").info(code)
    if len(info) < 2 or "county" not in info[1][1]:
        return None
    province = info[0][1].get("province", "")
    name = _current_name(info[1][1]["county"])
    if name is None:
        return None
    if code.endswith("0000"):
        return name
    if code.endswith("00"):
        return f"{province}{name}"
    prefecture = region_name(code[:4] + "00")
    return f"{prefecture}{name}" if prefecture else f"{province}{name}"


def validate_region_code(value: str) -> None:
    if region_name(value) is None:
        raise ValidationError(
            _("行政区划代码 %(code)s 不存在或已撤销。"), code="invalid_region_code", params={"code": value}
        )


def validate_region_prefix(value: str) -> None:
    """Inspector scope and filters take prefixes: 14 (山西), 1408 (运城市), 140802 (盐湖区)."""
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}", value or ""):
        raise ValidationError(_("区划前缀应为 2、4 或 6 位数字。"), code="invalid_region_prefix")
    if region_name(value.ljust(6, "0")) is None:
        raise ValidationError(
            _("行政区划前缀 %(code)s 不存在。"), code="invalid_region_prefix", params={"code": value}
        )
