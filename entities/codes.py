"""Valid identifiers for demo and synthetic data, made with python-stdnum's own check digits.

Used by ``seed_demo``, ``generate_data`` and the test factories, so every
generated code passes the same validators as real input.
"""

from __future__ import annotations

import datetime
import random

from stdnum.cn import ric, uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(region_code: str, rng: random.Random, *, authority: str = "9", kind: str = "1") -> str:
    """A 统一社会信用代码 for a business registered in ``region_code`` (工商 9, 企业 1 by default)."""
    body = authority + kind + region_code + "".join(rng.choice(_USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


# Prefectures whose codes are unchanged since before 1950: valid for any birth year.
_STABLE_PLACES = ("140100", "140200", "140300", "140400")


def id_number(region_code: str, birth: datetime.date, rng: random.Random) -> str:
    """An 18-digit resident ID number born on ``birth`` in ``region_code``.

    A code is only valid for the years it existed (盐湖区 140802 from 2000), so a
    birth before the code existed is placed in a prefecture that always had one.
    """
    for place in (region_code, *_STABLE_PLACES):
        body = f"{place}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        if ric.is_valid(number):
            return number
    raise ValueError(f"no valid birth place for {birth}")
