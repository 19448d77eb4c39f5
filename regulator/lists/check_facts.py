"""The facts a batch of licence or measures checks (许可核查、联合奖惩核查) reads, loaded in a constant number of
statements whatever the batch's size, as plain records rather than model instances.

Why records: a batch of 1,000 checks at 100,000 entities reads about 1,000 applicants, 1,500 roles, a few hundred
listings and a couple of thousand penalty findings; as ORM instances (four per finding through
``select_related``) building them cost more than the SQL itself. ``values_list`` rows are wrapped in small
``__slots__`` records that answer the attributes the decisions read (``listing.entity.name``,
``finding.inspection.entity.sector``, ``role.get_role_display()``...), so the decision logic is unchanged.

What is read (at most five statements; fewer when a kind of subject is absent or no check can be bound by a
penalty): the applicants by credit code, the persons by ID-number hash (or id, for appointments), every linking
role of those persons and of the applicants' role holders, the listings of all of them that are in effect on
some day of the batch, and the penalty findings that a ``trigger: penalty`` restriction of the licence types
asked could still run from. The rule sets come from the caller (one load per request, documents from memory:
``selectors.rule_sets``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from entities.models import PersonRoleKind
from entities.services import id_number_hash
from regulator.lists import check_sql
from regulator.lists.models import ListingStatus, RuleSet
from regulator.lists.rules import penalty_restrictions
from regulator.lists.selectors import rule_set_in_force, rule_sets

ROLE_LINKS = ["legal_representative", "actual_controller", "principal"]
EVER_PUBLISHED = frozenset(status.value for status in (ListingStatus.PUBLISHED, ListingStatus.EXPIRED,
                                                      ListingStatus.REMOVED, ListingStatus.REPAIRED))
_ROLE_LABELS = dict(PersonRoleKind.choices)


# ------------------------------------------------------------------ the records

class EntityRow:
    """市场主体, the columns a decision reads (``pk``, ``credit_code``, ``name``, ``sector``, ``category``)."""

    __slots__ = ("pk", "credit_code", "name", "sector", "category")

    def __init__(self, pk: int, credit_code: str | None, name: str, sector: str, category: str):
        self.pk, self.credit_code, self.name, self.sector, self.category = pk, credit_code, name, sector, category

    @property
    def id(self) -> int:
        return self.pk


class PersonRow:
    """自然人: id, keyed hash and masked ID number (never the number itself)."""

    __slots__ = ("pk", "id_hash", "id_number_masked")

    def __init__(self, pk: int, id_hash: str | None, id_number_masked: str):
        self.pk, self.id_hash, self.id_number_masked = pk, id_hash, id_number_masked


class RoleRow:
    """任职: who held which role at which entity, from when to when."""

    __slots__ = ("pk", "entity_id", "person_id", "role", "started_on", "ended_on", "person")

    def __init__(self, pk, entity_id, person_id, role, started_on, ended_on, person):
        self.pk, self.entity_id, self.person_id, self.role = pk, entity_id, person_id, role
        self.started_on, self.ended_on, self.person = started_on, ended_on, person

    def get_role_display(self) -> str:
        """As the model's ``get_role_display()``: the Chinese label, the code itself when unknown."""
        return str(_ROLE_LABELS.get(self.role, self.role))


class ListingRow:
    """A listing in effect on some day of the batch, with its entity's (and related entity's) sector and category
    and its rule set from memory."""

    __slots__ = ("pk", "list_type", "subject_type", "entity_id", "person_id", "related_entity_id", "person_role",
                 "reason", "source_type", "source_id", "status", "rule_set_id", "decided_on", "published_on",
                 "expires_on", "ended_on", "entity", "related_entity", "source_penalty_on", "rule_set")

    def __init__(self, row: tuple, rule_set: RuleSet | None):
        (self.pk, self.list_type, self.subject_type, self.entity_id, self.person_id, self.related_entity_id,
         self.person_role, self.reason, self.source_type, self.source_id, self.status, self.rule_set_id,
         self.decided_on, self.published_on, self.expires_on, self.ended_on, entity_name, entity_sector,
         entity_category, related_sector, related_category, self.source_penalty_on) = row
        self.entity = (EntityRow(self.entity_id, None, entity_name, entity_sector, entity_category)
                       if self.entity_id is not None else None)
        self.related_entity = (EntityRow(self.related_entity_id, None, "", related_sector, related_category)
                               if self.related_entity_id is not None else None)
        self.rule_set = rule_set


class InspectionRow:
    __slots__ = ("inspected_on", "entity_id", "entity")

    def __init__(self, inspected_on, entity_id, entity):
        self.inspected_on, self.entity_id, self.entity = inspected_on, entity_id, entity


class ViolationRow:
    __slots__ = ("code", "name")

    def __init__(self, code, name):
        self.code, self.name = code, name


class FindingRow:
    """A penalty finding (行政处罚) with its inspection's date and entity and its violation type."""

    __slots__ = ("pk", "penalty", "severity", "decision_number", "decided_on", "inspection", "violation_type")

    def __init__(self, pk, penalty, severity, decision_number, decided_on, inspection, violation_type):
        self.pk, self.penalty, self.severity, self.decision_number = pk, penalty, severity, decision_number
        self.decided_on, self.inspection, self.violation_type = decided_on, inspection, violation_type


# ------------------------------------------------------------------ the batch and its facts

@dataclass(frozen=True)
class Check:
    licence_type: str
    applicant_credit_code: str | None
    person_id_numbers: list[str]
    day: datetime.date
    #: persons checked by id in a role (an appointment), and the entity they are appointed at (whose own
    #: listings and penalties do not bind its own role holders there)
    person_roles: tuple[tuple[int, str], ...] = ()
    exclude_entity_id: int | None = None
    #: a joint measure (联合奖惩措施目录) rather than a licence type: its answer reads no penalty findings
    joint: bool = False


@dataclass
class Facts:
    """Everything a batch's answers read, loaded once: the decisions run over these and nothing else."""

    hashes: dict[str, str] = field(default_factory=dict)
    entities: dict[str, EntityRow] = field(default_factory=dict)
    persons: dict[str, PersonRow] = field(default_factory=dict)
    persons_by_id: dict[int, PersonRow] = field(default_factory=dict)
    roles_by_entity: dict[int, list[RoleRow]] = field(default_factory=dict)
    roles_by_person: dict[int, list[RoleRow]] = field(default_factory=dict)
    listings_by_entity: dict[int, list[ListingRow]] = field(default_factory=dict)
    listings_by_person: dict[int, list[ListingRow]] = field(default_factory=dict)
    rule_sets: list[RuleSet] = field(default_factory=list)
    penalties_by_entity: dict[int, list[FindingRow]] = field(default_factory=dict)
    #: memo of pure functions of a rule set's document within the batch (see ``memo``)
    memos: dict[tuple, Any] = field(default_factory=dict)

    def document_on(self, day: datetime.date) -> dict[str, Any]:
        """The rule set in force on ``day`` (the earliest before the first), as ``selectors.rule_set_on``."""
        return rule_set_in_force(self.rule_sets, day).document if self.rule_sets else {"restrictions": []}

    def memo(self, key: tuple, compute):
        """``compute()`` once per ``key`` in this batch (keys name the rule set by id and version)."""
        try:
            return self.memos[key]
        except KeyError:
            value = self.memos[key] = compute()
            return value


def rule_set_key(rule_set: RuleSet) -> tuple:
    """A rule set by id and row version (``selectors.rule_sets`` reads ``xmin``): a rewritten set is another key."""
    return (rule_set.pk, getattr(rule_set, "row_version", None), id(rule_set.document))


def penalty_day(finding: FindingRow) -> datetime.date:
    """The penalty decision's date (the inspection's when the finding records none)."""
    return finding.decided_on or finding.inspection.inspected_on


def live_on(listing: ListingRow, day: datetime.date) -> bool:
    """Published by ``day`` and not yet ended on it (ended ones count for dates before their end)."""
    return (listing.status in EVER_PUBLISHED and listing.published_on is not None and listing.published_on <= day
            and (listing.ended_on is None or listing.ended_on > day)
            and (listing.expires_on is None or listing.expires_on > day))


def held_on(role: RoleRow, day: datetime.date) -> bool:
    return role.started_on <= day and (role.ended_on is None or role.ended_on >= day)


def facts_load(checks: list[Check], sets: list[RuleSet] | None = None) -> Facts:
    """At most five statements whatever the batch's size (plus one for the rule sets when ``sets`` is None)."""
    facts = Facts()
    facts.rule_sets = rule_sets() if sets is None else sets
    codes = {check.applicant_credit_code for check in checks if check.applicant_credit_code}
    numbers = {number for check in checks for number in check.person_id_numbers}
    appointed = {person_id for check in checks for person_id, _role in check.person_roles}
    facts.hashes = {number: id_number_hash(number) for number in numbers}
    if codes:
        for pk, code, name, sector, category in check_sql.entities_by_code(codes):
            facts.entities.setdefault(code, EntityRow(pk, code, name, sector, category))
    if numbers or appointed:
        for pk, id_hash, masked in check_sql.persons_by_hash_or_id(facts.hashes.values(), appointed):
            person = PersonRow(pk, id_hash, masked)
            facts.persons.setdefault(id_hash, person)
            facts.persons_by_id[pk] = person
    applicant_ids = [entity.pk for entity in facts.entities.values()]
    direct_ids = [person.pk for person in facts.persons.values()]
    if applicant_ids or direct_ids:
        # Every role of anyone who holds (or held) one at an applicant or who applies in person (which takes in
        # the applicants' own roles).
        holders: dict[int, PersonRow] = {}
        for pk, entity_id, person_id, role, started_on, ended_on, masked in check_sql.linking_roles(
                ROLE_LINKS, applicant_ids, direct_ids):
            person = holders.get(person_id)
            if person is None:
                person = holders[person_id] = PersonRow(person_id, None, masked)
            row = RoleRow(pk, entity_id, person_id, role, started_on, ended_on, person)
            facts.roles_by_entity.setdefault(entity_id, []).append(row)
            facts.roles_by_person.setdefault(person_id, []).append(row)
    entity_ids = set(applicant_ids) | set(facts.roles_by_entity)
    person_ids = set(direct_ids) | set(facts.roles_by_person)
    if not (entity_ids or person_ids):
        return facts
    _listings_load(facts, checks, entity_ids, person_ids)
    _penalties_load(facts, checks)
    return facts


def _listings_load(facts: Facts, checks: list[Check], entity_ids: set[int], person_ids: set[int]) -> None:
    first = min(check.day for check in checks)
    last = max(check.day for check in checks)
    # In effect on some day of the batch (a superset: each item keeps those in effect on its own day), with the
    # date of the penalty decision a listing rests on (a restriction may run from it rather than from the listing).
    live = check_sql.listings_in_effect(EVER_PUBLISHED, first, last, entity_ids, person_ids)
    by_id = {rule_set.pk: rule_set for rule_set in facts.rule_sets}
    for row in live:
        rule_set_id = row[11]
        rule_set = by_id.get(rule_set_id)
        if rule_set is None:  # rewritten between the two reads of ``rule_sets``: read from the database
            rule_set = by_id[rule_set_id] = RuleSet.objects.get(pk=rule_set_id)
        listing = ListingRow(row, rule_set)
        if listing.entity_id is not None:
            facts.listings_by_entity.setdefault(listing.entity_id, []).append(listing)
        if listing.person_id is not None:
            facts.listings_by_person.setdefault(listing.person_id, []).append(listing)


def _penalty_entities(facts: Facts, check: Check) -> set[int]:
    """Every entity whose penalties ``licence_checks._decide`` may read for ``check`` (a superset): the applicant,
    and the entities where the persons it checks (named, appointed, or holding a role at the applicant on any
    day) held a linking role."""
    persons: set[int] = set()
    applicant = facts.entities.get(check.applicant_credit_code) if check.applicant_credit_code else None
    found: set[int] = set()
    if applicant is not None:
        found.add(applicant.pk)
        persons.update(role.person_id for role in facts.roles_by_entity.get(applicant.pk, []))
    for number in check.person_id_numbers:
        person = facts.persons.get(facts.hashes[number])
        if person is not None:
            persons.add(person.pk)
    persons.update(person_id for person_id, _role in check.person_roles if person_id in facts.persons_by_id)
    for pk in persons:
        found.update(role.entity_id for role in facts.roles_by_person.get(pk, []))
    return found


def _penalties_load(facts: Facts, checks: list[Check]) -> None:
    """The penalty findings some check of the batch can be bound by (``trigger: penalty`` restrictions of the
    rule set in force on its day, for its licence type), on the entities it reaches, in the window those
    restrictions' periods allow. None read when no check can be bound by a penalty."""
    entity_ids: set[int] = set()
    penalties: set[str] = set()
    longest = 0
    first = last = None
    for check in checks:
        if check.joint:
            continue
        document = facts.document_on(check.day)
        rules = facts.memo(("penalty_restrictions", id(document), check.licence_type),
                           lambda document=document, check=check: penalty_restrictions(
                               document, licence_type=check.licence_type))
        if not rules:
            continue
        reached = _penalty_entities(facts, check)
        if not reached:
            continue
        entity_ids |= reached
        for item in rules:
            penalties.update(item["penalties"])
            longest = max(longest, item["period_days"])
        first = check.day if first is None else min(first, check.day)
        last = check.day if last is None else max(last, check.day)
    if not (entity_ids and penalties):
        return
    rows = check_sql.penalty_findings(entity_ids, penalties, first - datetime.timedelta(days=longest), last)
    entities: dict[int, EntityRow] = {}
    violations: dict[tuple, ViolationRow] = {}
    for (pk, penalty, severity, number, decided_on, inspected_on, entity_id, name, category, sector, code,
         violation) in rows:
        entity = entities.get(entity_id)
        if entity is None:
            entity = entities[entity_id] = EntityRow(entity_id, None, name, sector, category)
        kind = violations.get((code, violation))
        if kind is None:
            kind = violations[(code, violation)] = ViolationRow(code, violation)
        finding = FindingRow(pk, penalty, severity, number, decided_on, InspectionRow(inspected_on, entity_id, entity),
                             kind)
        facts.penalties_by_entity.setdefault(entity_id, []).append(finding)
