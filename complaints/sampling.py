"""双随机一公开: the random draw of entities and inspectors (pure functions, reproducible from the seed).

Sampling shares by grade are annual (DOMAIN.md, after SAMR practice):
A <= 5 %, B 5-20 %, C 21-60 %, D 61-100 %. A monthly draw takes one twelfth.
"""

from __future__ import annotations

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


def sample_size(population: int, annual_rate: float, draws_per_year: int = DRAWS_PER_YEAR) -> int:
    """How many of ``population`` to draw this time; rounding up keeps a non-zero rate from drawing none."""
    if population == 0 or annual_rate <= 0:
        return 0
    exact = population * annual_rate / draws_per_year
    return min(population, max(1, round(exact)))


def draw_entities(population: Iterable[tuple[int, str]], rates: dict[str, float], seed: str,
                  draws_per_year: int = DRAWS_PER_YEAR) -> list[int]:
    """The sampled entity ids: per grade, ``sample_size`` ids drawn without replacement."""
    by_grade: dict[str, list[int]] = {}
    for entity_id, grade in population:
        by_grade.setdefault(grade, []).append(entity_id)
    sample: list[int] = []
    for grade in sorted(by_grade):
        ids = sorted(by_grade[grade])
        rng = random.Random(f"{seed}:{grade}")
        sample.extend(rng.sample(ids, sample_size(len(ids), rates.get(grade, 0.0), draws_per_year)))
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
