"""The scope of an inspector's work: sectors and administrative divisions (GB/T 2260).

Shared by accounts (an inspector's scope is region prefixes x sectors) and the registry
(every business has a sector and a region code), so it lives in the kernel.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import numdb

_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


class Sector(models.TextChoices):
    """行业: the four sectors this service supervises."""

    TOURISM = "tourism", _("文化旅游")
    EXHIBITION = "exhibition", _("会展")
    WELLNESS = "wellness", _("康养")
    HOUSEHOLD_SERVICE = "household_service", _("家政")


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


def covering_region_q(region_code: str, field: str = "region_codes"):
    """A filter on accounts whose jurisdiction (region prefixes; none = the whole province) covers a region."""
    from django.db.models import Q  # models.Q is the same class; named for readers of the filter

    covering = Q(**{f"{field}__len": 0})
    for length in (2, 4, 6):
        if region_code[:length]:
            covering |= Q(**{f"{field}__contains": [region_code[:length]]})
    return covering
