"""许可核查: may this applicant get this licence now (or on ``as_of``)?

Follows persons through their roles: a black-listed entity's legal
representative, actual controller or principal *at the listing date* is
blocked for the listing period also when applying through another company
(运盐政发〔2022〕16号). ``watch`` allows with a warning. A penalty itself binds too,
listed or not (``trigger: penalty`` restrictions of the rule set in force on the
day asked): the principal of an agency whose licence was revoked for 5 years, its
managers for 3, counted from the penalty decision (旅行社条例, 旅游法).

The same decision answers a role appointment (``regulator.lists.appointments``):
the person is checked in the role they are appointed to, against the licences of
the entity's category.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Penalty
from entities.models import LicenceType, PersonRoleKind, Sector
from entities.validators import mask_id_number
from regulator.lists.check_facts import (
    ROLE_LINKS,  # noqa: F401 (re-exported)
    Check,
    EntityRow,
    Facts,
    FindingRow,
    ListingRow,
    PersonRow,
    RoleRow,
    facts_load,
    held_on,
    live_on,
    penalty_day,
    rule_set_key,
)
from regulator.lists.models import ListType, RuleSet, SubjectType
from regulator.lists.rules import (
    LICENCE_SECTOR,
    licence_type_known,
    matching_restrictions,
    penalty_restrictions,
    restriction_start_event,
)
from regulator.lists.selectors import rule_sets

_LICENCE_NAMES = dict(LicenceType.choices)
_LIST_NAMES = dict(ListType.choices)
_PENALTY_NAMES = dict(Penalty.choices)


def licence_type_catalogue() -> list[dict[str, str]]:
    """许可类型目录: every licence type a check knows, with its Chinese name and sector (GET /api/v1/licence-types/)."""
    sectors = dict(Sector.choices)
    return [{"code": code, "name": str(name), "sector": LICENCE_SECTOR[code],
             "sector_name": str(sectors[LICENCE_SECTOR[code]])}
            for code, name in LicenceType.choices]


def licence_type_name(code: str) -> str:
    """The Chinese name of a known licence type (the code itself is never shown to people)."""
    return str(_LICENCE_NAMES[code])


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


def licence_checks_batch_explained(items: list[dict[str, Any]], as_of: datetime.date | None = None, *,
                                   sets: list[RuleSet] | None = None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """:func:`licence_check_explained` for every item, in order: the facts of the whole batch are loaded at once
    (``check_facts.facts_load``: applicants, persons, the roles linking them, the live listings of all of them,
    the penalties that bind: at most five statements, plus the rule sets unless the caller passes ``sets``), then
    each item is decided over them by the same pure logic. ``as_of`` is the day of items that name none (else
    today).
    """
    checks = []
    default_day = as_of or timezone.localdate()
    for item in items:
        licence_type = item["licence_type"]
        if not licence_type_known(licence_type):
            raise ValidationError({"licence_type": [unknown_licence_type_message(licence_type)]})
        checks.append(Check(licence_type=licence_type, applicant_credit_code=item.get("applicant_credit_code") or None,
                            person_id_numbers=list(item.get("person_id_numbers") or []),
                            day=item.get("as_of") or default_day))
    facts = facts_load(checks, rule_sets() if sets is None else sets)
    answers = []
    for check in checks:
        result, applicant = _decide(check, facts)
        answers.append((result, _terms(result, applicant=applicant, applicant_credit_code=check.applicant_credit_code,
                                       person_id_numbers=check.person_id_numbers)))
    return answers


def _terms(result: dict[str, Any], *, applicant: EntityRow | None, applicant_credit_code: str | None,
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


def _rows_words(rows: list[dict[str, Any]]) -> str:
    labels = _LIST_NAMES
    parts = []
    for row in rows:
        until = f"，至 {row['until'].isoformat()}" if row.get("until") else ""
        if row.get("listing_id") is not None:
            parts.append(f"{labels.get(row['list_type'], row['list_type'])}记录 {row['listing_id']} 号{until}")
        else:
            parts.append(f"行政处罚记录 {row['finding_id']} 号{until}")
    return "；".join(dict.fromkeys(parts))


def _sources(rows: list[dict[str, Any]]) -> tuple[int, int]:
    """How many listings and how many penalties the rows rest on."""
    return (len({row["listing_id"] for row in rows if row.get("listing_id") is not None}),
            len({row["finding_id"] for row in rows if row.get("listing_id") is None}))


def _count_words(rows: list[dict[str, Any]]) -> str:
    listings, penalties = _sources(rows)
    parts = ([f"{listings} 条名单记录"] if listings else []) + ([f"{penalties} 项行政处罚"] if penalties else [])
    return "、".join(parts)


def _result_words(result: dict[str, Any]) -> str:
    if result["blocking"]:
        words = (f"不予许可：{_count_words(result['blocking'])}限制该许可"
                 f"（{_rows_words(result['blocking'])}）。")
    elif result["warnings"]:
        words = f"可以许可，但须从严审查：{_count_words(result['warnings'])}（{_rows_words(result['warnings'])}）。"
    else:
        words = "可以许可：未发现限制该许可的名单记录或行政处罚。"
    if result["unknown"]:
        words += "所给统一社会信用代码未在本平台登记。"
    return words


def _penalty_matches(item: dict[str, Any], finding: FindingRow) -> bool:
    entity = finding.inspection.entity
    return (finding.penalty in item["penalties"]
            and (not item.get("categories") or entity.category in item["categories"])
            and (not item.get("sectors") or entity.sector in item["sectors"])
            and (not item.get("violation_codes") or finding.violation_type.code in item["violation_codes"]))


def _decide(check: Check, facts: Facts) -> tuple[dict[str, Any], EntityRow | None]:
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

    # Each person checked, and how they stand behind the application: their role at the applicant, or
    # ``applicant_person`` (named by ID number), or the role they are appointed to.
    persons: dict[int, tuple[PersonRow, str]] = {}
    for number in check.person_id_numbers:
        person = facts.persons.get(facts.hashes[number])
        if person is not None:
            persons[person.pk] = (person, "applicant_person")
    for person_id, role_code in check.person_roles:
        if person_id in facts.persons_by_id:
            persons[person_id] = (facts.persons_by_id[person_id], role_code)
    if applicant is not None:
        for role in facts.roles_by_entity.get(applicant.pk, []):
            if held_on(role, day):
                persons.setdefault(role.person_id, (role.person, role.role))

    def emit(restriction: dict[str, Any], row: dict[str, Any], why: str | None) -> None:
        if why is not None and restriction.get("applicant_roles") and why not in restriction["applicant_roles"]:
            return
        row.update(restriction=restriction.get("basis", ""), effect=restriction["effect"],
                   start_event=restriction_start_event(restriction))
        (blocking if restriction["effect"] == "deny" else warnings).append(row)

    def add(listing: ListingRow, subject: str, subject_role: str, entity: EntityRow | None, why: str | None) -> None:
        sector = entity.sector if entity is not None else None
        category = entity.category if entity is not None else None
        document = listing.rule_set.document
        key = ("matching", rule_set_key(listing.rule_set), licence_type, listing.list_type, subject_role, sector,
               category)
        for restriction in facts.memo(key, lambda: matching_restrictions(
                document, licence_type=licence_type, list_type=listing.list_type, subject_role=subject_role,
                sector=sector, category=category)):
            start = listing.decided_on
            if restriction_start_event(restriction) == "penalty_date":
                start = getattr(listing, "source_penalty_on", None) or listing.decided_on
            until = listing.ended_on or listing.expires_on
            if restriction.get("period_days") and start:
                until = min(until, start + datetime.timedelta(days=restriction["period_days"]))
            if until is not None and until <= day:
                continue
            emit(restriction, {"listing_id": listing.pk, "finding_id": None, "list_type": listing.list_type,
                               "subject": subject, "subject_role": subject_role, "until": until,
                               "starts_on": start, "reason": listing.reason}, why)

    def bound_by_penalty(restriction: dict[str, Any], finding: FindingRow, subject: str, subject_role: str,
                         why: str | None) -> None:
        start = penalty_day(finding)
        until = start + datetime.timedelta(days=restriction["period_days"])
        if not (start <= day < until):
            return
        penalty = _PENALTY_NAMES.get(finding.penalty, finding.penalty)
        reason = f"{finding.violation_type.name}（{finding.decision_number or '无文号'}，{penalty}）"
        emit(restriction, {"listing_id": None, "finding_id": finding.pk, "list_type": restriction["list_type"],
                           "subject": subject, "subject_role": subject_role, "until": until, "starts_on": start,
                           "reason": reason}, why)

    excluded = check.exclude_entity_id

    def live(listings: list[ListingRow]) -> list[ListingRow]:
        return [listing for listing in listings if live_on(listing, day)
                and (excluded is None or excluded not in (listing.entity_id, listing.related_entity_id))]

    if applicant is not None:
        for listing in live(facts.listings_by_entity.get(applicant.pk, [])):
            add(listing, f"entity {applicant.credit_code} {applicant.name}", "entity", applicant, None)

    if persons:
        ids = set(persons)
        person_listings = [listing for pk in ids for listing in facts.listings_by_person.get(pk, [])]
        for listing in live(sorted(person_listings, key=lambda listing: -listing.pk)):
            person, why = persons[listing.person_id]
            # A person listed by another authority (import) carries no role: it binds them in any role.
            role = listing.person_role or ("legal_representative" if listing.source_type == "import" else "practitioner")
            add(listing, f"person {person.id_number_masked}", role, listing.related_entity, why)
        # Entity listings reach the persons who held a role there on the listing's decision date.
        roles = sorted((role for pk in ids for role in facts.roles_by_person.get(pk, [])), key=lambda role: role.pk)
        by_entity: dict[int, list[RoleRow]] = {}
        for role in roles:
            by_entity.setdefault(role.entity_id, []).append(role)
        entity_listings = [listing for entity_id in by_entity for listing in facts.listings_by_entity.get(entity_id, [])
                           if listing.subject_type == SubjectType.ENTITY]
        for listing in live(sorted(entity_listings, key=lambda listing: -listing.pk)):
            decided = listing.decided_on or listing.published_on
            for role in by_entity[listing.entity_id]:
                if held_on(role, decided):
                    person, why = persons[role.person_id]
                    add(listing, f"person {person.id_number_masked}（{listing.entity.name} 的{role.get_role_display()}）",
                        role.role, listing.entity, why)

    # Penalties bind by themselves, under the rule set in force on the day asked.
    document = facts.document_on(day)
    for restriction in facts.memo(("penalty_restrictions", id(document), licence_type),
                                  lambda: penalty_restrictions(document, licence_type=licence_type)):
        if applicant is not None and "entity" in restriction["subject_roles"]:
            for finding in facts.penalties_by_entity.get(applicant.pk, []):
                if _penalty_matches(restriction, finding) and finding.inspection.entity_id != excluded:
                    bound_by_penalty(restriction, finding, f"entity {applicant.credit_code} {applicant.name}",
                                     "entity", None)
        for pk in sorted(persons):
            person, why = persons[pk]
            for role in facts.roles_by_person.get(pk, []):
                if role.role not in restriction["subject_roles"] or role.entity_id == excluded:
                    continue
                for finding in facts.penalties_by_entity.get(role.entity_id, []):
                    if _penalty_matches(restriction, finding) and held_on(role, penalty_day(finding)):
                        bound_by_penalty(
                            restriction, finding, f"person {person.id_number_masked}（{finding.inspection.entity.name} "
                            f"的{PersonRoleKind(role.role).label}）", role.role, why)

    def order(row: dict[str, Any]) -> tuple:
        return (row["listing_id"] or 0, row["finding_id"] or 0, row["subject"])

    blocking.sort(key=order)
    warnings.sort(key=order)
    return {"licence_type": licence_type, "as_of": day, "allowed": not blocking, "blocking": blocking,
            "warnings": warnings, "unknown": unknown}, applicant


def appointment_bindings(*, person_id: int, role: str, licence_types: list[str], days: list[datetime.date],
                         exclude_entity_id: int | None = None) -> list[dict[str, Any]]:
    """The deny rows that bind ``person_id`` if appointed ``role`` at an entity holding ``licence_types``: a
    licence check of each type on each of ``days`` with the person in that role (one load of the facts)."""
    checks = [Check(licence_type=licence_type, applicant_credit_code=None, person_id_numbers=[], day=day,
                     person_roles=((person_id, role),), exclude_entity_id=exclude_entity_id)
              for day in days for licence_type in licence_types]
    if not checks:
        return []
    facts = facts_load(checks)
    rows = []
    for check in checks:
        result, _applicant = _decide(check, facts)
        rows += [{**row, "licence_type": check.licence_type, "as_of": check.day} for row in result["blocking"]]
    return rows
