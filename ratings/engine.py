"""信用评分引擎 (pure functions, no ORM): the default model, rule validation and the score of one entity.

The set-based SQL in :mod:`ratings.scoring_sql` computes exactly the same
numbers for many entities at once; a test holds the two to each other.

Arithmetic (DOMAIN.md, Credit score):
* a line's weight is 1 for ``full_weight_days`` after the event, then falls
  linearly to 0 at the end of its publicity period; expired lines drop out;
* a line's points are ``base_points * weight`` rounded half away from zero,
  computed from the exact fraction so SQL and Python agree to the point;
* capped rules (clean inspections: at most +30 a year) count only the first
  ``cap // points`` events of each calendar year;
* ``score = base + sum(points) + adjustment``, where the adjustment line (if
  any) clamps to 0-1000 or applies an override (a published black listing
  forces grade D, so the score is held at the top of band D).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

DEFAULT_RULES: dict[str, Any] = {
    "base": 800,
    "full_weight_days": 365,
    "publicity_days": {"general": 365, "serious": 1095},
    "points": {
        "complaint_substantiated": -15,
        "complaint_mediated": -5,
        "finding_minor": -5,
        "finding_general": -20,
        "finding_serious": -60,
        "finding_grave": -150,
        "penalty_warning": -5,
        "penalty_fine": -30,
        "penalty_suspension": -100,
        "penalty_revocation": -300,
        "rectification_overdue": -40,
        "listing_watch": -100,
        "listing_black": 0,
        "rectified_on_time": 10,
        "inspection_clean": 10,
        "listing_red": 50,
        "award": 50,
        "no_complaints_12m": 20,
    },
    "yearly_caps": {"inspection_clean": 30},
    "grades": {"A": 900, "B": 750, "C": 600, "D": 0},
    "overrides": {"listing_black": "D"},
    "clean_record_days": 365,
}

NEGATIVE_RULES = {rule for rule, points in DEFAULT_RULES["points"].items() if points < 0}
CONDITION_RULE = "no_complaints_12m"
GRADE_ORDER = ("A", "B", "C", "D")
SCORE_MIN, SCORE_MAX = 0, 1000


class RulesError(ValueError):
    """The rules document is malformed; ``errors`` maps a path to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{key}: {', '.join(msgs)}" for key, msgs in errors.items()))
        self.errors = errors


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_rules(rules: Any) -> dict[str, Any]:
    """Check a rules document; return it normalised or raise :class:`RulesError`."""
    errors: dict[str, list[str]] = defaultdict(list)
    if not isinstance(rules, dict):
        raise RulesError({"rules": ["must be an object"]})
    for key in ("base", "full_weight_days", "clean_record_days"):
        if not _is_int(rules.get(key)):
            errors[key].append("must be an integer")
    if _is_int(rules.get("base")) and not SCORE_MIN <= rules["base"] <= SCORE_MAX:
        errors["base"].append("must be within 0-1000")
    if _is_int(rules.get("full_weight_days")) and not 0 < rules["full_weight_days"] <= 3650:
        errors["full_weight_days"].append("must be within 1-3650")
    publicity = rules.get("publicity_days")
    if not isinstance(publicity, dict) or set(publicity) != {"general", "serious"}:
        errors["publicity_days"].append("must give days for exactly 'general' and 'serious'")
    else:
        for key, days in publicity.items():
            if not _is_int(days) or not 1 <= days <= 3650:
                errors[f"publicity_days.{key}"].append("must be an integer within 1-3650")
    points = rules.get("points")
    if not isinstance(points, dict) or not points:
        errors["points"].append("must map each rule to its points")
    else:
        for rule, value in points.items():
            if not _is_int(value) or not -1000 <= value <= 1000:
                errors[f"points.{rule}"].append("must be an integer within -1000..1000")
        missing = set(DEFAULT_RULES["points"]) - set(points)
        if missing:
            errors["points"].append(f"missing rules: {', '.join(sorted(missing))}")
    caps = rules.get("yearly_caps", {})
    if not isinstance(caps, dict):
        errors["yearly_caps"].append("must be an object")
    else:
        for rule, cap in caps.items():
            if not _is_int(cap) or cap < 0:
                errors[f"yearly_caps.{rule}"].append("must be a non-negative integer")
            elif isinstance(points, dict) and (not _is_int(points.get(rule)) or points.get(rule) == 0):
                errors[f"yearly_caps.{rule}"].append("must cap a rule with non-zero points")
    grades = rules.get("grades")
    if not isinstance(grades, dict) or set(grades) != set(GRADE_ORDER):
        errors["grades"].append("must give the lower bound of A, B, C and D")
    else:
        bounds = [grades[g] for g in GRADE_ORDER]
        if not all(_is_int(b) for b in bounds) or bounds[-1] != 0 or bounds != sorted(bounds, reverse=True) or len(set(bounds)) != 4:
            errors["grades"].append("bounds must be integers, strictly decreasing from A to D, with D at 0")
    overrides = rules.get("overrides", {})
    if not isinstance(overrides, dict) or any(g not in GRADE_ORDER for g in overrides.values()):
        errors["overrides"].append("must map a rule to a grade A-D")
    if errors:
        raise RulesError(dict(errors))
    return rules


@dataclass(frozen=True)
class Event:
    """One ledger row as the engine sees it."""

    source_type: str
    source_id: int | None
    rule: str
    occurred_on: datetime.date
    publicity: str = "general"
    ends_on: datetime.date | None = None
    order: int = 0  # tie-break inside a day (the ledger id)


@dataclass(frozen=True)
class Line:
    source_type: str
    source_id: int | None
    rule: str
    base_points: int
    weight: Fraction
    points: int
    occurred_on: datetime.date | None
    expires_on: datetime.date | None


@dataclass
class Score:
    base: int
    score: int
    grade: str
    lines: list[Line] = field(default_factory=list)


def round_half_away(value: Fraction) -> int:
    """PostgreSQL's round(numeric): halves go away from zero."""
    magnitude = abs(value)
    whole = int(magnitude)
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    return whole if value >= 0 else -whole


def expires_on(event: Event, rules: dict[str, Any]) -> datetime.date:
    if event.ends_on is not None:
        return event.ends_on
    return event.occurred_on + datetime.timedelta(days=rules["publicity_days"][event.publicity])


def weighted_points(base_points: int, occurred: datetime.date, expires: datetime.date, as_of: datetime.date,
                    full_days: int) -> tuple[Fraction, int]:
    """(weight, rounded points) of one event on ``as_of``."""
    if as_of >= expires or as_of < occurred:
        return Fraction(0), 0
    age = (as_of - occurred).days
    if age <= full_days:
        return Fraction(1), base_points
    span = (expires - occurred).days - full_days
    remaining = (expires - as_of).days
    return Fraction(remaining, span), round_half_away(Fraction(base_points * remaining, span))


def grade_for(score: int, rules: dict[str, Any]) -> str:
    for grade in GRADE_ORDER:
        if score >= rules["grades"][grade]:
            return grade
    return "D"


def score_entity(events: Iterable[Event], *, rules: dict[str, Any], as_of: datetime.date,
                 operating_since: datetime.date | None) -> Score:
    """The score, grade and breakdown of one entity on ``as_of``."""
    points_by_rule: dict[str, int] = rules["points"]
    caps: dict[str, int] = rules.get("yearly_caps", {})
    full_days: int = rules["full_weight_days"]
    lines: list[Line] = []
    seen_per_year: dict[tuple[str, int], int] = defaultdict(int)
    overriding: set[str] = set()
    recent_substantiated = False
    clean_since = as_of - datetime.timedelta(days=rules["clean_record_days"])

    for event in sorted(events, key=lambda e: (e.occurred_on, e.order)):
        if event.rule not in points_by_rule or event.occurred_on > as_of:
            continue
        if event.rule == "complaint_substantiated" and event.occurred_on > clean_since:
            recent_substantiated = True
        if event.rule in caps:
            # The cap counts events by the year they happened, whether or not they have expired since.
            key = (event.rule, event.occurred_on.year)
            seen_per_year[key] += 1
            if seen_per_year[key] > caps[event.rule] // abs(points_by_rule[event.rule]):
                continue
        expires = expires_on(event, rules)
        if as_of >= expires:
            continue
        if event.rule in rules.get("overrides", {}):
            overriding.add(event.rule)
        weight, points = weighted_points(points_by_rule[event.rule], event.occurred_on, expires, as_of, full_days)
        lines.append(Line(event.source_type, event.source_id, event.rule, points_by_rule[event.rule], weight, points,
                          event.occurred_on, expires))

    bonus = points_by_rule.get(CONDITION_RULE, 0)
    if bonus and operating_since is not None and operating_since <= clean_since and not recent_substantiated:
        lines.append(Line("condition", None, CONDITION_RULE, bonus, Fraction(1), bonus, as_of, None))

    base = rules["base"]
    raw = base + sum(line.points for line in lines)
    final = min(SCORE_MAX, max(SCORE_MIN, raw))
    grade = grade_for(final, rules)
    for rule in sorted(overriding):
        forced = rules["overrides"][rule]
        if GRADE_ORDER.index(forced) > GRADE_ORDER.index(grade):
            ceiling = rules["grades"][GRADE_ORDER[GRADE_ORDER.index(forced) - 1]] - 1
            final = min(final, ceiling)
            grade = forced
    if final != raw:
        reason = f"override_{'_'.join(sorted(overriding))}" if overriding and final < min(SCORE_MAX, max(SCORE_MIN, raw)) else "clamp"
        lines.append(Line("adjustment", None, reason, 0, Fraction(1), final - raw, None, None))
    return Score(base=base, score=final, grade=grade, lines=lines)
