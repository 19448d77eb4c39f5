"""Measures-check batches: each answer is the single check's, in a constant number of statements."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from entities import codes
from entities.models import PersonRoleKind, Sector
from regulator.lists import licence_checks, measures
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

_rng = random.Random(1819)
MEASURES = ["public_procurement", "government_funding", "awards_honours", "merit_evaluation", "name_change",
            "green_channel", "tolerance_acceptance", "travel_agency_business", "tour_guide"]
ROLES = [PersonRoleKind.LEGAL_REPRESENTATIVE, PersonRoleKind.ACTUAL_CONTROLLER, PersonRoleKind.PRINCIPAL,
         PersonRoleKind.PRACTITIONER]


def id_number() -> str:
    return codes.id_number("140802", datetime.date(1970, 1, 1) + datetime.timedelta(days=_rng.randrange(9000)), _rng)


def day(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


offsets = st.integers(min_value=-900, max_value=-1)
world = st.fixed_dictionaries({
    "entities": st.lists(st.sampled_from([Sector.TOURISM, Sector.WELLNESS]), min_size=1, max_size=3),
    "persons": st.integers(min_value=1, max_value=3),
    "roles": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(ROLES), offsets,
                                st.one_of(st.none(), st.integers(-400, 30))), max_size=5),
    "listings": st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.sampled_from(["black", "watch", "red"]),
                                   st.sampled_from(["published", "expired", "removed"]), st.integers(-700, -1),
                                   st.sampled_from(["", "legal_representative", "practitioner"])), max_size=4),
})
batch = st.lists(st.tuples(st.sampled_from(MEASURES), st.one_of(st.none(), st.integers(0, 3)),
                           st.lists(st.integers(0, 3), max_size=2), st.one_of(st.none(), st.integers(-800, 60))),
                 min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(spec=world, items=batch)
def test_each_batch_answer_equals_the_single_check(spec, items):
    with transaction.atomic():
        entities = [EntityFactory(sector=sector, category="travel_agency" if sector == Sector.TOURISM
                                  else "elderly_care") for sector in spec["entities"]]
        numbers = [id_number() for _ in range(spec["persons"])]
        persons = [PersonFactory(id_number=number) for number in numbers]
        for entity_index, person_index, role, started, ended in spec["roles"]:
            ended_on = None if ended is None else max(day(started), day(ended))
            PersonRoleFactory(entity=entities[entity_index % len(entities)], person=persons[person_index % len(persons)],
                              role=role, started_on=day(started), ended_on=ended_on)
        for n, (on_entity, index, list_type, status, decided, person_role) in enumerate(spec["listings"]):
            dates = {"reason": f"事由（第{n}次）", "list_type": list_type,
                     "decided_on": day(decided) if status != "expired" else None}
            if on_entity:
                listing_in(status, entity=entities[index % len(entities)], **dates)
            else:
                listing_in(status, person=persons[index % len(persons)], related_entity=entities[0],
                           person_role=person_role or "practitioner", **dates)
        codes_known = [entity.credit_code for entity in entities] + [codes.credit_code("140802", _rng)]
        numbers_known = numbers + [id_number()]
        checks = []
        for measure, applicant, people, as_of in items:
            item = {"measure": measure, "person_id_numbers": [numbers_known[i % len(numbers_known)] for i in people]}
            if applicant is not None:
                item["applicant_credit_code"] = codes_known[applicant % len(codes_known)]
            if as_of is not None:
                item["as_of"] = day(as_of)
            checks.append(item)
        answers = measures.measures_checks_batch(checks)
        assert answers == [measures.measures_check(**item) for item in checks]
        for item, answer in zip(checks, answers, strict=True):
            if answer["kind"] == "licence":  # a licence measure is the licence check's answer
                asked = {key: value for key, value in item.items() if key != "measure"}
                licence = licence_checks.licence_check(licence_type=item["measure"], **asked)
                assert {k: answer[k] for k in ("allowed", "blocking", "warnings", "unknown")} == {
                    k: licence[k] for k in ("allowed", "blocking", "warnings", "unknown")}
        event("some denied" if any(not a["allowed"] for a in answers) else "all allowed")
        event("some rewarded" if any(a["rewards"] for a in answers) else "no rewards")
        transaction.set_rollback(True)


@pytest.fixture
def mixed_world():
    listed = [EntityFactory() for _ in range(2)]
    clean = [EntityFactory() for _ in range(3)]
    numbers = [id_number() for _ in range(6)]
    persons = [PersonFactory(id_number=number) for number in numbers]
    for entity, person in zip(listed + clean, persons, strict=False):
        PersonRoleFactory(entity=entity, person=person, started_on=datetime.date(2020, 1, 1))
    for entity in listed:
        listing_in("published", entity=entity, decided_on=day(-30))
    listing_in("published", entity=clean[0], list_type="red", reason="诚信经营", decided_on=day(-40))
    listing_in("published", entity=clean[1], list_type="watch", decided_on=day(-10))
    return {"codes": [e.credit_code for e in listed + clean] + [codes.credit_code("140802", _rng)],
            "numbers": numbers + [id_number()]}


def test_a_batch_of_300_mixed_checks_runs_in_a_constant_number_of_statements(mixed_world, regulator_client,
                                                                             django_assert_max_num_queries):
    rng = random.Random(300)
    checks = []
    for index in range(300):
        item = {"measure": rng.choice(MEASURES)}
        if index % 3 != 2:
            item["applicant_credit_code"] = rng.choice(mixed_world["codes"])
        if index % 3 != 0:
            item["person_id_numbers"] = rng.sample(mixed_world["numbers"], k=rng.randint(1, 3))
        if index % 4 == 0:
            item["as_of"] = day(-rng.randint(0, 400)).isoformat()
        checks.append(item)
    with django_assert_max_num_queries(12):
        response = regulator_client.post("/api/v1/measures-checks/batch/", {"checks": checks}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert len(results) == 300
    assert any(not r["allowed"] for r in results) and any(r["rewards"] for r in results)
    single = regulator_client.post("/api/v1/measures-checks/", checks[1], format="json").json()
    assert {k: v for k, v in single.items() if k != "receipt"} == {k: v for k, v in results[1].items() if k != "receipt"}
