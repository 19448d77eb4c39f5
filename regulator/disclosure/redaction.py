"""Redaction on publication (公示脱敏): what free text may not tell the public, applied where disclosure renders it.

The stored record keeps what the regulator or the other department wrote; the public answers, pages,
reports and open-data files show it through :func:`redact`, which takes out

- resident ID numbers (18 digits, the last may be X; spaces or hyphens between the 6-8-4 groups too),
- mobile and fixed-line phone numbers,
- the full names of the persons the public sees masked (张三 -> 张*), given by the caller.

Pure functions over strings (no ORM), so they can be tested and reused alike. A unified social
credit code (统一社会信用代码, GB 32100-2015) is public and stays, unless it could also be an ID
number: 18 digits holding a plausible birth date are taken out whatever else they might be.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

from stdnum.cn import uscc

ID_NUMBER_MARK = "【身份证号已隐去】"
PHONE_MARK = "【电话号码已隐去】"

# Digits on either side mean a longer number (an account, a digest); letters do not protect: "No.1408..." is one.
_EDGE_BEFORE = r"(?<!\d)"
_EDGE_AFTER = r"(?!\d)"
_ID_NUMBER = re.compile(_EDGE_BEFORE + r"(\d{6})[- ]?(\d{8})[- ]?(\d{3}[\dXxＸｘ])" + _EDGE_AFTER)
_MOBILE = re.compile(_EDGE_BEFORE + r"(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}" + _EDGE_AFTER)
_LANDLINE = re.compile(_EDGE_BEFORE + r"(?:[(（]0\d{2,3}[)）][- ]?|0\d{2,3}[- ]?)\d{7,8}(?:(?:-|转)\d{1,6})?"
                       + _EDGE_AFTER)


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧阳**: the surname and nothing else."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


def _plausible_birth_date(digits: str) -> bool:
    try:
        born = datetime.date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    except ValueError:
        return False
    return datetime.date(1900, 1, 1) <= born <= datetime.date.today()


def _id_number(match: re.Match) -> str:
    number = unicodedata.normalize("NFKC", "".join(match.groups())).upper()
    if uscc.is_valid(number) and not _plausible_birth_date(number):
        return match.group(0)  # a credit code of digits only: public, and no ID number (no birth date in it)
    return ID_NUMBER_MARK


def redact(text: str | None, *, names: Iterable[str] = ()) -> str | None:
    """``text`` as the public may read it: no ID number, no phone number, no full name of a masked person.

    ``names`` are the persons' full names the public sees masked (one-character names are left: a surname
    alone says nothing). Longer names go first, so 欧阳娜娜 is masked whole before 欧阳 could be.
    """
    if not text or not isinstance(text, str):
        return text
    text = _ID_NUMBER.sub(_id_number, text)
    text = _MOBILE.sub(PHONE_MARK, text)
    text = _LANDLINE.sub(PHONE_MARK, text)
    for name in sorted({(name or "").strip() for name in names} - {""}, key=len, reverse=True):
        if len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text
