"""双随机一公开: the random draw of entities and inspectors (pure functions, reproducible from the seed).

Sampling shares by grade are annual (DOMAIN.md, after SAMR practice):
A <= 5 %, B 5-20 %, C 21-60 %, D 61-100 % of entities inspected a year. Each
month draws its twelfth from the entities not drawn earlier that year.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RATE_BANDS: dict[str, tuple[float, float]] = {
    "A": (0.0, 0.05),
    "B": (0.05, 0.20),
    "C": (0.21, 0.60),
    "D": (0.61, 1.00),
}
DEFAULT_ANNUAL_RATES: dict[str, float] = {"A": 0.05, "B": 0.15, "C": 0.40, "D": 0.80}
DRAWS_PER_YEAR = 12


def validate_rates(rates: dict[str, float]) -> dict[str, list[str]]:
    """Errors per grade where a configured annual rate leaves its band."""
    errors: dict[str, list[str]] = {}
    for grade, (low, high) in RATE_BANDS.items():
        if grade not in rates:
            errors[grade] = [f"missing rate for grade {grade}"]
            continue
        value = rates[grade]
        if not isinstance(value, int | float) or not low <= value <= high:
            errors[grade] = [f"grade {grade} annual rate must be within {low:.2f}-{high:.2f}"]
    extra = set(rates) - set(RATE_BANDS)
    for grade in extra:
        errors[grade] = ["unknown grade"]
    return errors


def _round_half_up(value: float) -> int:
    return int(value + 0.5)


def annual_total(population: int, annual_rate: float, band: tuple[float, float] = (0.0, 1.0)) -> int:
    """Entities to inspect in the year: the rate applied, kept inside the grade's band where whole numbers allow."""
    if population <= 0 or annual_rate <= 0:
        return 0
    low, high = band
    total = _round_half_up(population * annual_rate)
    total = min(total, math.floor(population * high + 1e-9))
    return max(total, min(population, math.ceil(population * low - 1e-9)))


def sample_size(population: int, annual_rate: float, month: int = 1, draws_per_year: int = DRAWS_PER_YEAR,
                band: tuple[float, float] = (0.0, 1.0)) -> int:
    """How many to draw in ``month`` (1-12) so the year's draws add up to :func:`annual_total`.

    The year's total is spread over the months by cumulative rounding, so a
    small group is not over-sampled (10 grade-A entities at 5 % give one draw
    in the year at most, not one a month).
    """
    total = annual_total(population, annual_rate, band)
    return (_round_half_up(total * month / draws_per_year)
            - _round_half_up(total * (month - 1) / draws_per_year))


def draw_entities(population: Iterable[tuple[int, str]], rates: dict[str, float], seed: str, *, month: int = 1,
                  already_drawn: Iterable[int] = (), draws_per_year: int = DRAWS_PER_YEAR) -> list[int]:
    """The sampled entity ids of one monthly draw.

    Per grade, ``sample_size`` ids are drawn without replacement from those
    not yet drawn earlier in the year (``already_drawn``), so over twelve
    draws the share of *distinct* entities inspected matches the annual rate.
    """
    excluded = set(already_drawn)
    by_grade: dict[str, list[int]] = {}
    for entity_id, grade in population:
        by_grade.setdefault(grade, []).append(entity_id)
    sample: list[int] = []
    for grade in sorted(by_grade):
        ids = sorted(by_grade[grade])
        candidates = [entity_id for entity_id in ids if entity_id not in excluded]
        band = RATE_BANDS.get(grade, (0.0, 1.0))
        count = min(len(candidates), sample_size(len(ids), rates.get(grade, 0.0), month, draws_per_year, band))
        rng = random.Random(f"{seed}:{grade}")
        sample.extend(rng.sample(candidates, count))
    return sorted(sample)


@dataclass(frozen=True)
class InspectorScope:
    inspector_id: int
    region_codes: tuple[str, ...]
    sectors: tuple[str, ...]

    def covers(self, region_code: str, sector: str) -> bool:
        return sector in self.sectors and any(region_code.startswith(p) for p in self.region_codes)


def assign_inspectors(entities: Sequence[tuple[int, str, str]], inspectors: Sequence[InspectorScope],
                      seed: str) -> dict[int, int | None]:
    """For each (entity_id, region_code, sector), an inspector drawn at random among those in scope."""
    rng = random.Random(f"{seed}:inspectors")
    ordered = sorted(inspectors, key=lambda scope: scope.inspector_id)
    result: dict[int, int | None] = {}
    for entity_id, region_code, sector in sorted(entities):
        eligible = [scope.inspector_id for scope in ordered if scope.covers(region_code, sector)]
        result[entity_id] = rng.choice(eligible) if eligible else None
    return result
