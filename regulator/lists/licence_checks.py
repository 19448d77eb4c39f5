"""许可核查: may this applicant get this licence now (or on ``as_of``)?

Follows persons through their roles: a black-listed entity's legal
representative, actual controller or principal *at the listing date* is
blocked for the listing period also when applying through another company
(旅行社条例; 运盐政发〔2022〕16号). ``watch`` allows with a warning.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entities.models import Entity, LicenceType, Person, PersonRole, Sector
from entities.services import id_number_hash
from entities.validators import mask_id_number
from regulator.lists.models import Listing, ListingStatus, ListType, SubjectType
from regulator.lists.rules import LICENCE_SECTOR, licence_type_known, matching_restrictions

ROLE_LINKS = ["legal_representative", "actual_controller", "principal"]
_EVER_PUBLISHED = [ListingStatus.PUBLISHED, ListingStatus.EXPIRED, ListingStatus.REMOVED, ListingStatus.REPAIRED]


def licence_type_catalogue() -> list[dict[str, str]]:
    """许可类型目录: every licence type a check knows, with its Chinese name and sector (GET /api/v1/licence-types/)."""
    sectors = dict(Sector.choices)
    return [{"code": code, "name": str(name), "sector": LICENCE_SECTOR[code],
             "sector_name": str(sectors[LICENCE_SECTOR[code]])}
            for code, name in LicenceType.choices]


def licence_type_name(code: str) -> str:
    """The Chinese name of a known licence type (the code itself is never shown to people)."""
    return str(dict(LicenceType.choices)[code])


def unknown_licence_type_message(code: Any) -> str:
    shown = code if isinstance(code, str) and len(code) <= 40 else "该值"
    return str(_("“%(code)s”不是已知的许可类型，可用类型见 GET /api/v1/licence-types/。") % {"code": shown})


def licence_check(*, licence_type: str, applicant_credit_code: str | None = None,
                  person_id_numbers: list[str] | None = None, as_of: datetime.date | None = None) -> dict[str, Any]:
    """Allowed or not, with every blocking listing. Fails closed: an unknown licence type is refused, never
    answered ``allowed`` because no restriction happens to name it (DOMAIN.md: a check never fails open)."""
    return licence_check_explained(licence_type=licence_type, applicant_credit_code=applicant_credit_code,
                                   person_id_numbers=person_id_numbers, as_of=as_of)[0]


def licence_check_explained(*, licence_type: str, applicant_credit_code: str | None = None,
                            person_id_numbers: list[str] | None = None,
                            as_of: datetime.date | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`licence_check`, and the terms its receipt states in words: ``subject``, ``question``, ``result_text``.

    The batch of one: a single check and a batch item can never be answered differently.
    """
    item = {"licence_type": licence_type, "applicant_credit_code": applicant_credit_code,
            "person_id_numbers": person_id_numbers, "as_of": as_of}
    return licence_checks_batch_explained([item])[0]


def licence_checks_batch(items: list[dict[str, Any]], as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    """:func:`licence_check` for every item (keys as its arguments), in order, in a constant number of statements."""
    return [result for result, _terms in licence_checks_batch_explained(items, as_of)]


def licence_checks_batch_explained(items: list[dict[str, Any]], as_of: datetime.date | None = None,
                                   ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`licence_check_explained` for every item, in order: the facts of the whole batch are loaded at once
    (applicants, persons, the roles linking them, the live listings of all of them: four statements), then each
    item is decided over them by the same pure logic. ``as_of`` is the day of items that name none (else today).
    """
    checks = []
    for item in items:
        licence_type = item["licence_type"]
        if not licence_type_known(licence_type):
            raise ValidationError({"licence_type": [unknown_licence_type_message(licence_type)]})
        checks.append(_Check(licence_type=licence_type, applicant_credit_code=item.get("applicant_credit_code") or None,
                             person_id_numbers=list(item.get("person_id_numbers") or []),
                             day=item.get("as_of") or as_of or timezone.localdate()))
    facts = _facts_load(checks)
    answers = []
    for check in checks:
        result, applicant = _decide(check, facts)
        answers.append((result, _terms(result, applicant=applicant, applicant_credit_code=check.applicant_credit_code,
                                       person_id_numbers=check.person_id_numbers)))
    return answers


def _terms(result: dict[str, Any], *, applicant: Entity | None, applicant_credit_code: str | None,
           person_id_numbers: list[str]) -> dict[str, Any]:
    """Who was checked (by credit code and name; persons by masked ID number only), for what, and the answer."""
    masked = [mask_id_number(number) for number in person_id_numbers]
    persons = "、".join(masked)
    if applicant_credit_code:
        name = applicant.name if applicant is not None else None
        text = (f"{name}（统一社会信用代码 {applicant_credit_code}）" if name
                else f"统一社会信用代码 {applicant_credit_code}（未在本平台登记）")
        subject = {"type": "entity", "credit_code": applicant_credit_code, "name": name,
                   "text": text + (f"，及身份证号 {persons} 的申请人" if persons else "")}
    else:
        subject = {"type": "person", "text": f"身份证号 {persons} 的申请人"}
    if masked:
        subject["id_numbers_masked"] = masked
    day = result["as_of"].isoformat()
    licence = licence_type_name(result["licence_type"])
    question = {"text": f"截至 {day}，可否核发“{licence}”", "licence_type": result["licence_type"],
                "licence_type_name": licence}
    return {"subject": subject, "question": question, "result_text": _result_words(result)}


def _listings_words(rows: list[dict[str, Any]]) -> str:
    labels = dict(ListType.choices)
    parts = []
    for row in rows:
        until = f"，至 {row['until'].isoformat()}" if row.get("until") else ""
        parts.append(f"{labels.get(row['list_type'], row['list_type'])}记录 {row['listing_id']} 号{until}")
    return "；".join(parts)


def _result_words(result: dict[str, Any]) -> str:
    if result["blocking"]:
        ids = {row["listing_id"] for row in result["blocking"]}
        words = f"不予许可：{len(ids)} 条名单记录限制该许可（{_listings_words(result['blocking'])}）。"
    elif result["warnings"]:
        ids = {row["listing_id"] for row in result["warnings"]}
        words = f"可以许可，但须从严审查：{len(ids)} 条名单记录（{_listings_words(result['warnings'])}）。"
    else:
        words = "可以许可：未发现限制该许可的名单记录。"
    if result["unknown"]:
        words += "所给统一社会信用代码未在本平台登记。"
    return words


@dataclass(frozen=True)
class _Check:
    licence_type: str
    applicant_credit_code: str | None
    person_id_numbers: list[str]
    day: datetime.date


@dataclass
class _Facts:
    """Everything a batch's answers read, loaded once: the decision below runs over these and nothing else."""

    hashes: dict[str, str] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    roles_by_entity: dict[int, list[PersonRole]] = field(default_factory=dict)
    roles_by_person: dict[int, list[PersonRole]] = field(default_factory=dict)
    listings_by_entity: dict[int, list[Listing]] = field(default_factory=dict)
    listings_by_person: dict[int, list[Listing]] = field(default_factory=dict)


_ENTITY_FIELDS = ("id", "credit_code", "name", "sector")
_LISTING_FIELDS = ("id", "list_type", "subject_type", "entity_id", "person_id", "related_entity_id", "person_role",
                   "reason", "source_type", "status", "rule_set_id", "decided_on", "published_on", "expires_on",
                   "ended_on", "rule_set__document", "entity__name", "entity__sector", "related_entity__sector")


def _facts_load(checks: list[_Check]) -> _Facts:
    """At most four statements whatever the batch's size (fewer when a kind of subject is absent)."""
    facts = _Facts()
    codes = {check.applicant_credit_code for check in checks if check.applicant_credit_code}
    numbers = {number for check in checks for number in check.person_id_numbers}
    facts.hashes = {number: id_number_hash(number) for number in numbers}
    if codes:
        for entity in Entity.objects.filter(credit_code__in=codes).only(*_ENTITY_FIELDS).order_by("id"):
            facts.entities.setdefault(entity.credit_code, entity)
    if numbers:
        for person in Person.objects.filter(id_hash__in=set(facts.hashes.values())).only(
                "id", "id_hash", "id_number_masked").order_by("id"):
            facts.persons.setdefault(person.id_hash, person)
    applicant_ids = [entity.pk for entity in facts.entities.values()]
    direct_ids = [person.pk for person in facts.persons.values()]
    roles: list[PersonRole] = []
    if applicant_ids or direct_ids:
        # The applicants' roles, and every role of anyone who holds (or held) one there or who applies in person.
        linked = PersonRole.objects.filter(entity_id__in=applicant_ids, role__in=ROLE_LINKS).values("person_id")
        roles = list(PersonRole.objects.filter(role__in=ROLE_LINKS).filter(
            Q(entity_id__in=applicant_ids) | Q(person_id__in=direct_ids) | Q(person_id__in=linked))
            .select_related("person").only("id", "entity_id", "person_id", "role", "started_on", "ended_on",
                                           "person__id", "person__id_number_masked").order_by("id"))
    for role in roles:
        facts.roles_by_entity.setdefault(role.entity_id, []).append(role)
        facts.roles_by_person.setdefault(role.person_id, []).append(role)
    entity_ids = set(applicant_ids) | set(facts.roles_by_entity)
    person_ids = set(direct_ids) | set(facts.roles_by_person)
    if entity_ids or person_ids:
        first = min(check.day for check in checks)
        last = max(check.day for check in checks)
        # In effect on some day of the batch (a superset: each item keeps those in effect on its own day).
        live = (Listing.objects.filter(status__in=_EVER_PUBLISHED, published_on__lte=last)
                .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
                .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=first))
                .filter(Q(entity_id__in=entity_ids) | Q(person_id__in=person_ids))
                .select_related("rule_set", "entity", "related_entity").only(*_LISTING_FIELDS).order_by("-id"))
        for listing in live:
            if listing.entity_id is not None:
                facts.listings_by_entity.setdefault(listing.entity_id, []).append(listing)
            if listing.person_id is not None:
                facts.listings_by_person.setdefault(listing.person_id, []).append(listing)
    return facts


def _live_on(listing: Listing, day: datetime.date) -> bool:
    """Published by ``day`` and not yet ended on it (ended ones count for dates before their end)."""
    return (listing.status in _EVER_PUBLISHED and listing.published_on is not None and listing.published_on <= day
            and (listing.ended_on is None or listing.ended_on > day)
            and (listing.expires_on is None or listing.expires_on > day))


def _decide(check: _Check, facts: _Facts) -> tuple[dict[str, Any], Entity | None]:
    """The answer to one check over the batch's facts (no database access)."""
    licence_type, day = check.licence_type, check.day
    blocking: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    unknown: list[str] = []

    applicant = None
    if check.applicant_credit_code:
        applicant = facts.entities.get(check.applicant_credit_code)
        if applicant is None:
            unknown.append("applicant_credit_code")

    persons: dict[int, tuple[Person, str]] = {}
    for number in check.person_id_numbers:
        person = facts.persons.get(facts.hashes[number])
        if person is not None:
            persons[person.pk] = (person, "applicant_person")
    if applicant is not None:
        for role in facts.roles_by_entity.get(applicant.pk, []):
            if role.started_on <= day and (role.ended_on is None or role.ended_on >= day):
                persons.setdefault(role.person_id, (role.person, role.role))

    def add(listing: Listing, subject: str, subject_role: str, sector: str | None) -> None:
        for restriction in matching_restrictions(listing.rule_set.document, licence_type=licence_type,
                                                 list_type=listing.list_type, subject_role=subject_role, sector=sector):
            until = listing.ended_on or listing.expires_on
            if restriction.get("period_days") and listing.decided_on:
                until = min(until, listing.decided_on + datetime.timedelta(days=restriction["period_days"]))
            if until is not None and until <= day:
                continue
            row = {"listing_id": listing.pk, "list_type": listing.list_type, "subject": subject,
                   "subject_role": subject_role, "restriction": restriction.get("basis", ""),
                   "effect": restriction["effect"], "until": until, "reason": listing.reason}
            (blocking if restriction["effect"] == "deny" else warnings).append(row)

    def live(listings: list[Listing]) -> list[Listing]:
        return [listing for listing in listings if _live_on(listing, day)]

    if applicant is not None:
        for listing in live(facts.listings_by_entity.get(applicant.pk, [])):
            add(listing, f"entity {applicant.credit_code} {applicant.name}", "entity", applicant.sector)

    if persons:
        ids = set(persons)
        person_listings = [listing for pk in ids for listing in facts.listings_by_person.get(pk, [])]
        for listing in live(sorted(person_listings, key=lambda listing: -listing.pk)):
            person, _why = persons[listing.person_id]
            sector = listing.related_entity.sector if listing.related_entity else None
            # A person listed by another authority (import) carries no role: it binds them in any role.
            role = listing.person_role or ("legal_representative" if listing.source_type == "import" else "practitioner")
            add(listing, f"person {person.id_number_masked}", role, sector)
        # Entity listings reach the persons who held a role there on the listing's decision date.
        roles = sorted((role for pk in ids for role in facts.roles_by_person.get(pk, [])), key=lambda role: role.pk)
        by_entity: dict[int, list[PersonRole]] = {}
        for role in roles:
            by_entity.setdefault(role.entity_id, []).append(role)
        entity_listings = [listing for entity_id in by_entity for listing in facts.listings_by_entity.get(entity_id, [])
                           if listing.subject_type == SubjectType.ENTITY]
        for listing in live(sorted(entity_listings, key=lambda listing: -listing.pk)):
            held_on = listing.decided_on or listing.published_on
            for role in by_entity[listing.entity_id]:
                if role.started_on <= held_on and (role.ended_on is None or role.ended_on >= held_on):
                    person, _why = persons[role.person_id]
                    add(listing, f"person {person.id_number_masked}（{listing.entity.name} 的{role.get_role_display()}）",
                        role.role, listing.entity.sector)

    blocking.sort(key=lambda row: (row["listing_id"], row["subject"]))
    warnings.sort(key=lambda row: (row["listing_id"], row["subject"]))
    return {"licence_type": licence_type, "as_of": day, "allowed": not blocking, "blocking": blocking,
            "warnings": warnings, "unknown": unknown}, applicant
