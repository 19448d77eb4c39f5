"""许可核查: may this applicant get this licence now (or on ``as_of``)?

Follows persons through their roles: a black-listed entity's legal
representative, actual controller or principal *at the listing date* is
blocked for the listing period also when applying through another company
(旅行社条例; 运盐政发〔2022〕16号). ``watch`` allows with a warning.
"""

from __future__ import annotations

import datetime
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


def _in_effect(as_of: datetime.date) -> Q:
    """Listings published by ``as_of`` and not yet ended on it (ended ones count for dates before their end)."""
    return (
        Q(status__in=_EVER_PUBLISHED, published_on__lte=as_of)
        & (Q(ended_on__isnull=True) | Q(ended_on__gt=as_of))
        & (Q(expires_on__isnull=True) | Q(expires_on__gt=as_of))
    )


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
    return _evaluate(licence_type=licence_type, applicant_credit_code=applicant_credit_code,
                     person_id_numbers=person_id_numbers, as_of=as_of)[0]


def licence_check_explained(*, licence_type: str, applicant_credit_code: str | None = None,
                            person_id_numbers: list[str] | None = None,
                            as_of: datetime.date | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """:func:`licence_check`, and the terms its receipt states in words: ``subject``, ``question``, ``result_text``."""
    result, applicant = _evaluate(licence_type=licence_type, applicant_credit_code=applicant_credit_code,
                                  person_id_numbers=person_id_numbers, as_of=as_of)
    return result, _terms(result, applicant=applicant, applicant_credit_code=applicant_credit_code,
                          person_id_numbers=person_id_numbers or [])


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


def _evaluate(*, licence_type: str, applicant_credit_code: str | None, person_id_numbers: list[str] | None,
              as_of: datetime.date | None) -> tuple[dict[str, Any], Entity | None]:
    if not licence_type_known(licence_type):
        raise ValidationError({"licence_type": [unknown_licence_type_message(licence_type)]})
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

    live = Listing.objects.filter(_in_effect(day)).select_related("rule_set", "entity", "related_entity")
    if applicant is not None:
        for listing in live.filter(entity=applicant):
            add(listing, f"entity {applicant.credit_code} {applicant.name}", "entity", applicant.sector)

    if persons:
        ids = list(persons)
        for listing in live.filter(person_id__in=ids):
            person, _why = persons[listing.person_id]
            sector = listing.related_entity.sector if listing.related_entity else None
            # A person listed by another authority (import) carries no role: it binds them in any role.
            role = listing.person_role or ("legal_representative" if listing.source_type == "import" else "practitioner")
            add(listing, f"person {person.id_number_masked}", role, sector)
        # Entity listings reach the persons who held a role there on the listing's decision date.
        roles = PersonRole.objects.filter(person_id__in=ids, role__in=ROLE_LINKS).select_related("entity")
        by_entity: dict[int, list[PersonRole]] = {}
        for role in roles:
            by_entity.setdefault(role.entity_id, []).append(role)
        for listing in live.filter(subject_type=SubjectType.ENTITY, entity_id__in=list(by_entity)):
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
