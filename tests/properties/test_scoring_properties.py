"""Property tests of the scoring engine (hypothesis), and the SQL held to the engine on random ledgers."""

from __future__ import annotations

import datetime
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ratings import engine
from ratings.engine import DEFAULT_RULES, NEGATIVE_RULES, Event, score_entity, weighted_points

AS_OF = datetime.date(2026, 6, 30)
RULES = sorted(DEFAULT_RULES["points"])
event_rules = st.sampled_from([r for r in RULES if r != engine.CONDITION_RULE])
dates = st.dates(min_value=datetime.date(2021, 1, 1), max_value=AS_OF)


@st.composite
def ledgers(draw, max_size=40):
    items = draw(st.lists(st.tuples(event_rules, dates, st.sampled_from(["general", "serious"]),
                                    st.one_of(st.none(), st.integers(1, 1500))), max_size=max_size))
    return [
        Event("finding", i, rule, occurred, publicity,
              occurred + datetime.timedelta(days=ends) if ends else None, order=i)
        for i, (rule, occurred, publicity, ends) in enumerate(items, start=1)
    ]


operating = st.one_of(st.none(), st.dates(min_value=datetime.date(2015, 1, 1), max_value=AS_OF))


@given(ledgers(), operating)
def test_score_stays_within_0_and_1000(events, since):
    result = score_entity(events, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=since)
    assert 0 <= result.score <= 1000


@given(ledgers(), operating)
def test_breakdown_sums_to_the_score(events, since):
    result = score_entity(events, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=since)
    assert result.score == result.base + sum(line.points for line in result.lines)


@given(ledgers(), operating, st.sampled_from(sorted(NEGATIVE_RULES | {"listing_black"})), dates,
       st.sampled_from(["general", "serious"]))
def test_adding_a_negative_event_never_raises_the_score(events, since, rule, occurred, publicity):
    before = score_entity(events, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=since)
    extra = Event("complaint", 10_000, rule, occurred, publicity, order=10_000)
    after = score_entity([*events, extra], rules=DEFAULT_RULES, as_of=AS_OF, operating_since=since)
    assert after.score <= before.score


@given(ledgers(), operating, st.randoms(use_true_random=False))
def test_recompute_is_idempotent_and_independent_of_event_order(events, since, rnd):
    first = score_entity(events, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=since)
    shuffled = list(events)
    rnd.shuffle(shuffled)
    again = score_entity(shuffled, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=since)
    assert (again.score, again.grade, again.lines) == (first.score, first.grade, first.lines)


@given(st.sampled_from([r for r in RULES if DEFAULT_RULES["points"][r]]), st.sampled_from(["general", "serious"]),
       st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2026, 1, 1)))
def test_decay_reaches_zero_at_the_end_of_the_publicity_period(rule, publicity, occurred):
    base = DEFAULT_RULES["points"][rule]
    event = Event("finding", 1, rule, occurred, publicity)
    expires = engine.expires_on(event, DEFAULT_RULES)
    full = DEFAULT_RULES["full_weight_days"]
    assert weighted_points(base, occurred, expires, expires, full) == (0, 0)
    assert weighted_points(base, occurred, expires, expires + datetime.timedelta(days=30), full)[1] == 0
    last_full_day = occurred + datetime.timedelta(days=min(full, (expires - occurred).days - 1))
    weight_full, points_full = weighted_points(base, occurred, expires, last_full_day, full)
    assert (weight_full, points_full) == (1, base)  # full weight for the first 12 months
    weight_late, points_late = weighted_points(base, occurred, expires, expires - datetime.timedelta(days=1), full)
    assert 0 < weight_late <= 1 and abs(points_late) <= abs(base)


def test_decay_is_linear_between_12_months_and_the_end():
    occurred = datetime.date(2023, 1, 1)
    expires = occurred + datetime.timedelta(days=1095)
    midpoint = occurred + datetime.timedelta(days=365 + 365)
    weight, points = weighted_points(-60, occurred, expires, midpoint, 365)
    assert weight == engine.Fraction(1, 2) and points == -30


def test_clean_inspections_count_at_most_30_points_a_year():
    events = [Event("inspection", i, "inspection_clean", datetime.date(2026, 1, i), order=i) for i in range(1, 6)]
    result = score_entity(events, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=None)
    assert sum(line.points for line in result.lines if line.rule == "inspection_clean") == 30


# ------------------------------------------------------------ SQL == engine


@pytest.fixture
def scored_entity(db):
    from tests.support.factories import EntityFactory, LicenceFactory

    entity = EntityFactory()
    LicenceFactory(entity=entity, issued_on=datetime.date(2019, 3, 1))
    return entity


def _operating_since(entity) -> datetime.date:
    from django.utils import timezone

    return min(timezone.localtime(entity.created_at).date(), datetime.date(2019, 3, 1))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=ledgers(max_size=30))
def test_sql_scoring_equals_the_engine(scored_entity, events):
    from ratings import scoring_sql
    from ratings.models import CreditEvent, CreditScore

    CreditEvent.objects.filter(entity=scored_entity).delete()
    created = CreditEvent.objects.bulk_create(
        CreditEvent(entity=scored_entity, source_type=e.source_type, source_id=e.source_id, rule=e.rule,
                    occurred_on=e.occurred_on, publicity=e.publicity, ends_on=e.ends_on) for e in events
    )
    # The engine orders same-day events by ledger id, as the SQL does.
    ledger = [Event(e.source_type, row.source_id, e.rule, e.occurred_on, e.publicity, e.ends_on, order=row.pk)
              for e, row in zip(events, created, strict=True)]
    expected = score_entity(ledger, rules=DEFAULT_RULES, as_of=AS_OF, operating_since=_operating_since(scored_entity))
    scoring_sql.score_range(rules=DEFAULT_RULES, version=1, as_of=AS_OF, first_id=scored_entity.pk,
                            last_id=scored_entity.pk)
    stored = CreditScore.objects.get(entity=scored_entity)
    assert (stored.score, stored.grade) == (expected.score, expected.grade)
    assert [(line["rule"], line["points"]) for line in stored.breakdown] == [
        (line.rule, line.points) for line in expected.lines
    ]
    assert stored.score == stored.base + sum(line["points"] for line in stored.breakdown)


def test_sql_rescore_is_idempotent(scored_entity):
    from ratings import scoring_sql
    from ratings.models import CreditEvent, CreditScore, CreditScoreHistory

    rng = random.Random(5)
    CreditEvent.objects.bulk_create(
        CreditEvent(entity=scored_entity, source_type="finding", source_id=i, rule=rng.choice(RULES[:-1]),
                    occurred_on=AS_OF - datetime.timedelta(days=rng.randint(0, 1200))) for i in range(50)
    )
    kwargs = {"rules": DEFAULT_RULES, "version": 1, "as_of": AS_OF, "first_id": scored_entity.pk,
              "last_id": scored_entity.pk}
    scoring_sql.score_range(**kwargs)
    first = CreditScore.objects.values("score", "grade", "breakdown").get(entity=scored_entity)
    assert scoring_sql.score_range(**kwargs) == (1, 0)  # scored again, no new history row
    assert CreditScore.objects.values("score", "grade", "breakdown").get(entity=scored_entity) == first
    assert CreditScoreHistory.objects.filter(entity=scored_entity).count() == 1
