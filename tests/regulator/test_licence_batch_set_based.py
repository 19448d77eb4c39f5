"""Set-based licence-check batches (issue 14, item 3): a constant number of statements, the single check's answers."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from complaints.models import Finding, Penalty
from entities import codes
from entities.models import Entity, Person, PersonRole, PersonRoleKind, Sector
from entities.services import id_number_hash
from regulator.lists import licence_checks
from regulator.lists.models import Listing, ListingStatus, SubjectType
from regulator.lists.rules import matching_restrictions, penalty_restrictions, restriction_start_event
from regulator.lists.selectors import rule_set_on
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory

from .conftest import record_finding

pytestmark = pytest.mark.django_db

_rng = random.Random(1414)
LICENCE_TYPES = ["travel_agency_business", "outbound_travel_business", "tour_guide", "homestay_filing",
                 "elderly_care_filing"]
ROLES = [PersonRoleKind.LEGAL_REPRESENTATIVE, PersonRoleKind.ACTUAL_CONTROLLER, PersonRoleKind.PRINCIPAL,
         PersonRoleKind.PRACTITIONER]


def id_number() -> str:
    return codes.id_number("140802", datetime.date(1970, 1, 1) + datetime.timedelta(days=_rng.randrange(9000)), _rng)


def unregistered_code() -> str:
    return codes.credit_code("140802", _rng)


def day(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


def singles(items):
    return [licence_checks.licence_check(**item) for item in items]


def references(items):
    return [reference_check(**item) for item in items]


# --- (1) the batch answers as the single check does -----------------------------------------------------------

offsets = st.integers(min_value=-900, max_value=-1)
world = st.fixed_dictionaries({
    "entities": st.lists(st.sampled_from([Sector.TOURISM, Sector.WELLNESS]), min_size=1, max_size=3),
    "persons": st.integers(min_value=1, max_value=3),
    "roles": st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(ROLES), offsets,
                                st.one_of(st.none(), st.integers(-400, 30))), max_size=5),
    "listings": st.lists(st.tuples(st.booleans(), st.integers(0, 2), st.sampled_from(["black", "watch"]),
                                   st.sampled_from(["published", "expired", "removed"]), st.integers(-700, -1),
                                   st.sampled_from(["", "legal_representative", "practitioner"])), max_size=4),
    # Penalties that bind by themselves (旅行社条例, 旅游法): on which entity, which penalty, for what, when.
    "penalties": st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["revocation", "suspension", "fine"]),
                                    st.sampled_from(["forced_shopping", "elderly_unfiled"]),
                                    st.integers(-2000, -1)), max_size=3),
})
batch = st.lists(st.tuples(st.sampled_from(LICENCE_TYPES), st.one_of(st.none(), st.integers(0, 3)),
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
            dates = {"reason": f"甩团，滞留旅游者（第{n}次）", "list_type": list_type,
                     "decided_on": day(decided) if status != "expired" else None}
            if on_entity:
                listing_in(status, entity=entities[index % len(entities)], **dates)
            else:
                listing_in(status, person=persons[index % len(persons)], related_entity=entities[0],
                           person_role=person_role or "practitioner", **dates)
        for entity_index, penalty, code, decided in spec["penalties"]:
            record_finding(entities[entity_index % len(entities)], code, penalty=penalty, severity="serious",
                           inspected_on=day(decided))
        codes_known = [entity.credit_code for entity in entities] + [unregistered_code()]
        numbers_known = numbers + [id_number()]
        checks = []
        for licence_type, applicant, people, as_of in items:
            item = {"licence_type": licence_type,
                    "person_id_numbers": [numbers_known[i % len(numbers_known)] for i in people]}
            if applicant is not None:
                item["applicant_credit_code"] = codes_known[applicant % len(codes_known)]
            if as_of is not None:
                item["as_of"] = day(as_of)
            checks.append(item)
        answers = licence_checks.licence_checks_batch(checks)
        assert answers == singles(checks)
        assert answers == references(checks)
        event("some denied" if any(not a["allowed"] for a in answers) else "all allowed")
        event("some warned" if any(a["warnings"] for a in answers) else "no warnings")
        transaction.set_rollback(True)


# --- (2) a constant number of statements ----------------------------------------------------------------------


@pytest.fixture
def mixed_world():
    """Two listed entities with their representatives, a listed person, clean entities and persons."""
    listed = [EntityFactory() for _ in range(2)]
    clean = [EntityFactory() for _ in range(3)]
    numbers = [id_number() for _ in range(6)]
    persons = [PersonFactory(id_number=number) for number in numbers]
    for entity, person in zip(listed + clean, persons, strict=False):
        PersonRoleFactory(entity=entity, person=person, started_on=datetime.date(2020, 1, 1))
    for entity in listed:
        listing_in("published", entity=entity, decided_on=day(-30))
    listing_in("published", person=persons[5], related_entity=clean[0], person_role="tour_guide",
               decided_on=day(-20))
    listing_in("published", entity=clean[1], list_type="watch", decided_on=day(-10))
    return {"codes": [e.credit_code for e in listed + clean] + [unregistered_code()],
            "numbers": numbers + [id_number()]}


def mixed_batch(world, size):
    rng = random.Random(size)
    checks = []
    for index in range(size):
        item = {"licence_type": rng.choice(LICENCE_TYPES)}
        if index % 3 != 2:
            item["applicant_credit_code"] = rng.choice(world["codes"])
        if index % 3 != 0:
            item["person_id_numbers"] = rng.sample(world["numbers"], k=rng.randint(1, 3))
        if index % 4 == 0:
            item["as_of"] = day(-rng.randint(0, 400)).isoformat()
        checks.append(item)
    return checks


def test_a_batch_of_200_mixed_checks_runs_in_at_most_10_statements(mixed_world, regulator_client,
                                                                   django_assert_max_num_queries):
    checks = mixed_batch(mixed_world, 200)
    with django_assert_max_num_queries(10):
        response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": checks}, format="json")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert len(results) == 200
    assert any(not r["allowed"] for r in results) and any(r["allowed"] for r in results)
    assert len({r["data_version"] for r in results}) == 1


def test_the_batch_over_the_api_answers_as_the_single_check_over_the_api(mixed_world, regulator_client):
    checks = mixed_batch(mixed_world, 30)
    batch_results = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": checks},
                                          format="json").json()["results"]
    for item, answer in zip(checks, batch_results, strict=True):
        single = regulator_client.post("/api/v1/licence-checks/", item, format="json").json()
        assert set(single) == set(answer)
        assert {k: v for k, v in single.items() if k != "receipt"} == {k: v for k, v in answer.items() if k != "receipt"}
        for key in ("subject", "question", "result", "query_sha256", "result_sha256", "as_of", "data_version"):
            assert single["receipt"]["payload"][key] == answer["receipt"]["payload"][key]


# --- (3) the cases that must keep their answers ----------------------------------------------------------------


@pytest.fixture
def cases():
    listed = EntityFactory(name="盐湖区丙旅行社有限公司")
    black = listing_in("published", entity=listed, decided_on=day(-30))
    number = id_number()
    representative = PersonFactory(name="李四", id_number=number)
    PersonRoleFactory(entity=listed, person=representative, started_on=datetime.date(2020, 1, 1))
    loner_number = id_number()
    PersonFactory(name="赵六", id_number=loner_number)
    old = EntityFactory(name="盐湖区丁旅行社有限公司")
    expired = listing_in("expired", entity=old)
    return {"listed": listed, "black": black, "number": number, "loner": loner_number, "old": old,
            "expired": expired}


def test_the_named_cases_answer_in_a_batch_as_before(cases):
    missing = unregistered_code()
    checks = [
        {"licence_type": "travel_agency_business", "applicant_credit_code": missing},
        {"licence_type": "travel_agency_business", "person_id_numbers": [cases["loner"]]},
        {"licence_type": "travel_agency_business", "person_id_numbers": [cases["number"]]},
        {"licence_type": "travel_agency_business", "applicant_credit_code": cases["old"].credit_code},
        {"licence_type": "travel_agency_business", "applicant_credit_code": cases["listed"].credit_code},
    ]
    absent, loner, representative, expired, listed = licence_checks.licence_checks_batch(checks)
    assert absent == {"licence_type": "travel_agency_business", "as_of": today(), "allowed": True, "blocking": [],
                      "warnings": [], "unknown": ["applicant_credit_code"]}
    assert loner["allowed"] is True and loner["blocking"] == [] and loner["unknown"] == []
    assert representative["allowed"] is False
    (row,) = representative["blocking"]
    assert row["listing_id"] == cases["black"].pk and row["subject_role"] == "legal_representative"
    assert cases["listed"].name in row["subject"]
    assert expired["allowed"] is True and expired["blocking"] == []
    before_expiry = licence_checks.licence_checks_batch(
        [checks[3]], as_of=cases["expired"].expires_on - datetime.timedelta(days=1))[0]
    assert before_expiry["allowed"] is False
    assert listed["allowed"] is False and listed["blocking"][0]["listing_id"] == cases["black"].pk
    assert licence_checks.licence_checks_batch(checks) == singles(checks) == references(checks)


def test_an_unknown_licence_type_in_a_batch_is_still_400(regulator_client):
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": [
        {"licence_type": "travel_agency_business", "applicant_credit_code": unregistered_code()},
        {"licence_type": "travel_agency", "applicant_credit_code": unregistered_code()}]}, format="json")
    assert response.status_code == 400
    errors = response.json()["checks"]
    assert "licence_type" in (errors["1"] if isinstance(errors, dict) else errors[1])
    with pytest.raises(ValidationError):
        licence_checks.licence_checks_batch([{"licence_type": "travel_agency"}])


# --- the check as it was before the batch became set-based (one item, queries per item): the oracle ---------

ROLE_LINKS = ["legal_representative", "actual_controller", "principal"]
_EVER_PUBLISHED = [ListingStatus.PUBLISHED, ListingStatus.EXPIRED, ListingStatus.REMOVED, ListingStatus.REPAIRED]


def _in_effect(as_of: datetime.date) -> Q:
    """Listings published by ``as_of`` and not yet ended on it (ended ones count for dates before their end)."""
    return (
        Q(status__in=_EVER_PUBLISHED, published_on__lte=as_of)
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        & (Q(expires_on__isnull=True) | Q(expires_on__gt=as_of))
    )


def _penalty_on(finding: Finding) -> datetime.date:
    return finding.decided_on or finding.inspection.inspected_on


def reference_check(*, licence_type: str, applicant_credit_code: str | None = None,
                    person_id_numbers: list[str] | None = None, as_of: datetime.date | None = None) -> dict[str, Any]:
    day = as_of or timezone.localdate()
    blocking: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    unknown: list[str] = []

    applicant = None
    if applicant_credit_code:
        applicant = Entity.objects.filter(credit_code=applicant_credit_code).first()
        if applicant is None:
            unknown.append("applicant_credit_code")

    persons: dict[int, tuple[Person, str]] = {}
    for number in person_id_numbers or []:
        person = Person.objects.filter(id_hash=id_number_hash(number)).first()
        if person is not None:
            persons[person.pk] = (person, "applicant_person")
    if applicant is not None:
        current = PersonRole.objects.filter(entity=applicant, role__in=ROLE_LINKS, started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day)).select_related("person")
        for role in current:
            persons.setdefault(role.person_id, (role.person, role.role))

    def emit(restriction, row, why):
        if why is not None and restriction.get("applicant_roles") and why not in restriction["applicant_roles"]:
            return
        row.update(restriction=restriction.get("basis", ""), effect=restriction["effect"],
                   start_event=restriction_start_event(restriction))
        (blocking if restriction["effect"] == "deny" else warnings).append(row)

    def add(listing: Listing, subject: str, subject_role: str, entity, why) -> None:
        for restriction in matching_restrictions(listing.rule_set.document, licence_type=licence_type,
                                                 list_type=listing.list_type, subject_role=subject_role,
                                                 sector=entity.sector if entity else None,
                                                 category=entity.category if entity else None):
            start = listing.decided_on
            if restriction_start_event(restriction) == "penalty_date" and listing.source_type == "finding":
                source = Finding.objects.filter(pk=listing.source_id).select_related("inspection").first()
                start = _penalty_on(source) if source else start
            until = listing.ended_on or listing.expires_on
            if restriction.get("period_days") and start:
                until = min(until, start + datetime.timedelta(days=restriction["period_days"]))
            if until is not None and until <= day:
                continue
            emit(restriction, {"listing_id": listing.pk, "finding_id": None, "list_type": listing.list_type,
                               "subject": subject, "subject_role": subject_role, "until": until, "starts_on": start,
                               "reason": listing.reason}, why)

    def penalised(restriction, finding, subject, subject_role, why):
        start = _penalty_on(finding)
        until = start + datetime.timedelta(days=restriction["period_days"])
        if start <= day < until:
            penalty = dict(Penalty.choices)[finding.penalty]
            emit(restriction, {"listing_id": None, "finding_id": finding.pk, "list_type": restriction["list_type"],
                               "subject": subject, "subject_role": subject_role, "until": until, "starts_on": start,
                               "reason": f"{finding.violation_type.name}（{finding.decision_number or '无文号'}，"
                                         f"{penalty}）"}, why)

    def matching(restriction, entity) -> list[Finding]:
        return [finding for finding in Finding.objects.filter(inspection__entity=entity).select_related(
                    "inspection__entity", "violation_type").order_by("id")
                if finding.penalty in restriction["penalties"]
                and (not restriction.get("categories") or entity.category in restriction["categories"])
                and (not restriction.get("violation_codes")
                     or finding.violation_type.code in restriction["violation_codes"])]

    live = Listing.objects.filter(_in_effect(day)).select_related("rule_set", "entity", "related_entity")
    if applicant is not None:
        for listing in live.filter(entity=applicant):
            add(listing, f"entity {applicant.credit_code} {applicant.name}", "entity", applicant, None)

    if persons:
        ids = list(persons)
        for listing in live.filter(person_id__in=ids):
            person, why = persons[listing.person_id]
            # A person listed by another authority (import) carries no role: it binds them in any role.
            role = listing.person_role or ("legal_representative" if listing.source_type == "import" else "practitioner")
            add(listing, f"person {person.id_number_masked}", role, listing.related_entity, why)
        # Entity listings reach the persons who held a role there on the listing's decision date.
        roles = PersonRole.objects.filter(person_id__in=ids, role__in=ROLE_LINKS).select_related("entity")
        by_entity: dict[int, list[PersonRole]] = {}
        for role in roles:
            by_entity.setdefault(role.entity_id, []).append(role)
        for listing in live.filter(subject_type=SubjectType.ENTITY, entity_id__in=list(by_entity)):
            held_on = listing.decided_on or listing.published_on
            for role in by_entity[listing.entity_id]:
                if role.started_on <= held_on and (role.ended_on is None or role.ended_on >= held_on):
                    person, why = persons[role.person_id]
                    add(listing, f"person {person.id_number_masked}（{listing.entity.name} 的{role.get_role_display()}）",
                        role.role, listing.entity, why)

    # Penalties bind by themselves, under the rule set in force on the day asked.
    for restriction in penalty_restrictions(rule_set_on(day).document, licence_type=licence_type):
        if applicant is not None and "entity" in restriction["subject_roles"]:
            for finding in matching(restriction, applicant):
                penalised(restriction, finding, f"entity {applicant.credit_code} {applicant.name}", "entity", None)
        for pk in sorted(persons):
            person, why = persons[pk]
            for role in PersonRole.objects.filter(person_id=pk, role__in=restriction["subject_roles"]).exclude(
                    role="practitioner").select_related("entity").order_by("id"):
                for finding in matching(restriction, role.entity):
                    held_on = _penalty_on(finding)
                    if role.started_on <= held_on and (role.ended_on is None or role.ended_on >= held_on):
                        penalised(restriction, finding, f"person {person.id_number_masked}（{role.entity.name} "
                                  f"的{role.get_role_display()}）", role.role, why)

    def order(row):
        return (row["listing_id"] or 0, row["finding_id"] or 0, row["subject"])

    blocking.sort(key=order)
    warnings.sort(key=order)
    return {"licence_type": licence_type, "as_of": day, "allowed": not blocking, "blocking": blocking,
            "warnings": warnings, "unknown": unknown}
