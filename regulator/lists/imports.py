"""共享名单导入: listings already decided by another authority enter as ``published``.

All or nothing: every row is validated first; one bad row rejects the batch
and nothing is written. Idempotent on (source_authority, source_reference):
a row seen before is reported as existing, never duplicated.

A row may name its ``ground`` (``court_dishonest_debtor``: 人民法院失信被执行人), kept as the listing's
``source_rule``: a sector whose rules act on it (养老: 民发〔2019〕103号) then proposes its own listing.
The period of a row without ``expires_on`` is the rule set's for the subject's sector and category.

Set-based, so 10,000 rows fit in a background job's minute (decision 0017):

* :func:`rows_seal` replaces every ID number by its keyed hash and masked form as soon as it is read: the
  whole number never reaches the database, not even in a job's staged input;
* :func:`rows_validate` checks the rows in chunks, one look-up of the registry per chunk;
* :func:`rows_apply` writes them in one transaction: one look-up of the listings already imported, of the
  entities by credit code and of the persons by ID hash, the rule sets loaded once, then per chunk one
  statement each for new entities, persons, listings, their history rows and their public changes; the
  entity is rescored once however many of its rows there are, and the rooms above are told of the public
  change once per import (one rewrite of the open data), not once per row.

Up to ``LISTING_IMPORT_SYNC_MAX_ROWS`` rows the API answers at once (:func:`listings_import`, also the
command line's); above, the rows become a job (``regulator.lists.import_jobs``).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric

from config.api.exceptions import RuleViolation
from config.api.serializers import date_window_message, in_date_window
from core import evidence
from core.transitions import authenticated
from entities.models import CATEGORY_SECTOR, Entity, Person, search_vector_value
from entities.services import id_number_hash
from entities.validators import (
    mask_id_number,
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
)
from regulator.lists import hooks as lists_hooks
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    PublicChange,
    RuleSet,
    SubjectType,
)
from regulator.lists.rules import IMPORT_GROUNDS, period_days
from regulator.lists.selectors import rule_set_in_force, rule_sets

REQUIRED = ["name", "list_type", "reason", "legal_basis", "decided_on", "source_authority", "source_reference"]
OPTIONAL = ["credit_code", "id_number", "published_on", "expires_on", "decision_number", "measures", "category",
            "region_code", "ground"]
#: every field a row may carry (others are ignored)
FIELDS = (*REQUIRED, *OPTIONAL)
MAX_ROWS = 10_000
#: rows validated per registry look-up (and per committed progress step of a job)
VALIDATE_CHUNK = 500
#: rows written per statement
APPLY_CHUNK = 1000
LIMITS = {"name": 200, "source_authority": 200, "source_reference": 200, "legal_basis": 500, "reason": 5000,
          "decision_number": 100, "measures": 5000}
#: an ID number already in its compact form (18 ASCII characters, the last maybe X)
_PLAIN_ID_NUMBER = re.compile(r"[0-9]{17}[0-9Xx]")
#: what a sealed row carries instead of ``id_number``
SEALED = ("id_number_hash", "id_number_masked", "id_number_errors")
Progress = Callable[[int], None] | None


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def _key(row: dict[str, Any]) -> tuple[Any, Any]:
    return row.get("source_authority"), row.get("source_reference")


# ------------------------------------------------------------------ sealing


def row_type_errors(raw: dict[str, Any], fields: Iterable[str] = FIELDS) -> dict[str, list[str]]:
    """The fields of ``raw`` whose value is neither text nor empty (a number, a list, an object)."""
    return {name: [_("应为字符串。")] for name in fields
            if raw.get(name) is not None and not isinstance(raw[name], (str, datetime.date))}


@lru_cache(maxsize=16384)
def _region_and_year_valid(prefix: str) -> bool:
    """Whether numbers of this region and birth year (the first ten digits) pass the registry's validator.

    Its place look-up (python-stdnum's cn/loc table, by region code and birth year) is the slow part of
    checking a number, ~0.3 ms: asked once per region and year, with a number born on 1 January.
    """
    body = f"{prefix}0101000"
    try:
        validate_id_number(body + ric.calc_check_digit(body + "0"))
    except DjangoValidationError:
        return False
    return True


def _id_number_problems(number: str) -> list[str]:
    """What is wrong with a resident ID number ([] when valid), in a few microseconds for a valid one.

    Valid when its length, digits, check digit and birth date (not after today) hold and numbers of its
    region and birth year are valid (cached): exactly the checks of ``validate_id_number``. Any other number
    is checked by ``validate_id_number`` itself, which gives the reason.
    """
    head = number[:17]
    if len(number) == 18 and head.isascii() and head.isdigit() and number[-1] == ric.calc_check_digit(number) \
            and _region_and_year_valid(number[:10]):
        try:  # the digits 7-14, as ric.get_birth_date reads them (without compacting the number again)
            born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            born = None
        if born is not None and born <= timezone.localdate():
            return []
    try:
        validate_id_number(number)
    except DjangoValidationError as exc:
        return list(exc.messages)
    return []


def rows_seal(rows: Sequence[Any], fields: Iterable[str] = FIELDS) -> list[Any]:
    """The rows keeping only ``fields``, each ID number replaced by its keyed hash and masked form.

    A number that is not a valid resident ID is dropped too: the row carries the reason instead, and
    validation reports it under ``id_number``.
    """
    keep = [name for name in fields if name != "id_number"]
    sealed: list[Any] = []
    for raw in rows:
        if not isinstance(raw, dict):
            sealed.append(raw)
            continue
        row = {name: raw[name] for name in keep if name in raw}
        number = raw.get("id_number") if "id_number" in fields else None
        if isinstance(number, str) and number.strip():
            number = number.strip()
            # A plain number is its own compact form (normalising costs more than all the checks below).
            compact = number.upper() if _PLAIN_ID_NUMBER.fullmatch(number) else normalize_id_number(number)
            problems = _id_number_problems(compact)
            if problems:
                row["id_number_errors"] = problems
            else:
                row["id_number_hash"], row["id_number_masked"] = id_number_hash(compact), mask_id_number(compact)
        elif number not in (None, ""):
            row["id_number_errors"] = [_("应为字符串。")]
        sealed.append(row)
    return sealed


# ------------------------------------------------------------------ validation


def _clean_row(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The row with its values trimmed and typed, and what is wrong with it (no database needed)."""
    errors = row_type_errors(raw)
    row = {key: (value.strip() if isinstance(value, str) else value) for key, value in raw.items()
           if key not in errors}
    for key in REQUIRED:
        if not row.get(key) and key not in errors:
            errors[key] = [_("必填。")]
    if row.get("list_type") and row["list_type"] not in ListType.values:
        errors["list_type"] = [_("应为 black、watch 或 red。")]
    if row.get("ground") and row["ground"] not in IMPORT_GROUNDS:
        errors["ground"] = [_("应为 %(codes)s 之一，或留空。") % {"codes": "、".join(IMPORT_GROUNDS)}]
    code = row.get("credit_code") or ""
    person = bool(row.get("id_number_hash") or row.get("id_number_errors"))
    if bool(code) == person and "credit_code" not in errors:
        errors["credit_code"] = [_("credit_code 与 id_number 须且只须填写一项。")]
    if code:
        try:
            row["credit_code"] = normalize_credit_code(code)
            validate_credit_code(row["credit_code"])
        except DjangoValidationError as exc:
            errors["credit_code"] = exc.messages
    if row.get("id_number_errors"):
        errors["id_number"] = list(row["id_number_errors"])
    for key in ("decided_on", "published_on", "expires_on"):
        if key in errors:
            continue
        try:
            row[key] = _date(row.get(key))
        except ValueError:
            errors[key] = [_("日期格式应为 YYYY-MM-DD。")]
            continue
        # The window every date input is held to: 9999-12-31 plus a period would overflow, 0001-01-01 is a typo.
        if not in_date_window(row[key]):
            errors[key] = [date_window_message()]
    if not errors and row["expires_on"] and row["expires_on"] <= row["decided_on"]:
        errors["expires_on"] = [_("期满日期应晚于认定日期。")]
    limits = dict(LIMITS)
    if person:  # a natural person's name is held to the registry's length for persons
        limits["name"] = Person._meta.get_field("name").max_length
    for key, limit in limits.items():
        if isinstance(row.get(key), str) and len(row[key]) > limit:
            errors[key] = [_("过长（最多 %(n)s 字）。") % {"n": limit}]
    return row, errors


def _registrable(row: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """An operator we do not hold yet: it can be registered from the row when its category is given."""
    category, region = row.get("category") or "", row.get("region_code") or row["credit_code"][2:8]
    if category not in CATEGORY_SECTOR:
        errors["category"] = [_("登记册中没有该主体，需给出 category（及 region_code）以登记。")]
        return
    try:
        validate_region_code(region)
    except DjangoValidationError as exc:
        errors["region_code"] = exc.messages
    row["category"], row["region_code"] = category, region


def rows_validate(rows: Sequence[Any], *, progress: Progress = None,
                  chunk: int | None = None) -> tuple[list[dict[str, Any]], dict[str, dict[str, list[str]]]]:
    """(the cleaned rows, the errors keyed by row index as text): every sealed row checked, chunk by chunk."""
    chunk = chunk or VALIDATE_CHUNK
    cleaned: list[dict[str, Any]] = []
    errors: dict[str, dict[str, list[str]]] = {}
    seen: set[tuple[Any, Any]] = set()
    for start in range(0, len(rows), chunk):
        checked: list[tuple[int, dict[str, Any], dict[str, list[str]]]] = []
        for index, raw in enumerate(rows[start:start + chunk], start=start):
            if not isinstance(raw, dict):
                errors[str(index)] = {"row": [_("每条记录应为对象。")]}
                continue
            checked.append((index, *_clean_row(raw)))
        codes = {row["credit_code"] for _index, row, problems in checked if not problems and row.get("credit_code")}
        known = set(Entity.objects.filter(credit_code__in=codes).values_list("credit_code", flat=True)) if codes else set()
        for index, row, problems in checked:
            if not problems and row.get("credit_code") and row["credit_code"] not in known:
                _registrable(row, problems)
            key = _key(row)
            if not problems and key in seen:
                problems["source_reference"] = [_("与本批其他记录重复。")]
            seen.add(key)
            if problems:
                errors[str(index)] = problems
            cleaned.append(row)
        if progress is not None:
            progress(min(chunk, len(rows) - start))
    return cleaned, errors


# ------------------------------------------------------------------ writing


def _existing(rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """(source_authority, source_reference) -> listing id of the rows imported before."""
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(rows), APPLY_CHUNK):
        by_authority: dict[str, set[str]] = defaultdict(set)
        for row in rows[start:start + APPLY_CHUNK]:
            by_authority[row["source_authority"]].add(row["source_reference"])
        condition = Q()
        for authority, references in by_authority.items():
            condition |= Q(source_authority=authority, source_reference__in=references)
        found.update({(authority, reference): pk for authority, reference, pk in Listing.objects.filter(
            condition).values_list("source_authority", "source_reference", "pk")})
    return found


def _refused(index: int, field: str, message: str) -> RuleViolation:
    return RuleViolation({"rows": {str(index): {field: [message]}}})


def _entities(rows: Sequence[tuple[int, dict[str, Any]]]) -> dict[str, Entity]:
    """Credit code -> entity for the entity rows: found in one look-up, the missing ones created in one statement."""
    codes = {row["credit_code"] for _index, row in rows if row.get("credit_code")}
    found = {entity.credit_code: entity for entity in Entity.objects.filter(credit_code__in=codes).only(
        "id", "credit_code", "sector", "category")} if codes else {}
    new: dict[str, Entity] = {}
    for index, row in rows:
        code = row.get("credit_code")
        if not code or code in found or code in new:
            continue
        category = row.get("category") or ""
        if category not in CATEGORY_SECTOR:  # registered at validation, gone since (never removed in practice)
            raise _refused(index, "category", _("登记册中没有该主体，需给出 category（及 region_code）以登记。"))
        new[code] = Entity(credit_code=code, name=row["name"], category=category, sector=CATEGORY_SECTOR[category],
                           region_code=row["region_code"], search_vector=search_vector_value(row["name"], code))
    Entity.objects.bulk_create(list(new.values()), batch_size=APPLY_CHUNK)
    return {**found, **new}


def _persons(rows: Sequence[tuple[int, dict[str, Any]]]) -> dict[str, Person]:
    """ID hash -> person: found in one look-up, the missing ones created in one statement (the same number is
    always the same person)."""
    hashes = {row["id_number_hash"] for _index, row in rows if row.get("id_number_hash")}
    found = {person.id_hash: person for person in Person.objects.filter(id_hash__in=hashes).only(
        "id", "id_hash")} if hashes else {}
    new: dict[str, Person] = {}
    for _index, row in rows:
        digest = row.get("id_number_hash")
        if digest and digest not in found and digest not in new:
            new[digest] = Person(name=row["name"], id_hash=digest, id_number_masked=row["id_number_masked"],
                                 search_vector=search_vector_value(row["name"]))
    Person.objects.bulk_create(list(new.values()), batch_size=APPLY_CHUNK)
    return {**found, **new}


def _rule_set_lookup() -> Callable[[datetime.date], RuleSet]:
    """``selectors.rule_set_on`` over the rule sets loaded once (documents from memory)."""
    sets = rule_sets()
    return lambda day: rule_set_in_force(sets, day)  # raises RuleSetError when no set is defined


def _listings(rows: Sequence[tuple[int, dict[str, Any]]], *, entities: dict[str, Entity], persons: dict[str, Person],
              rule_set_on: Callable[[datetime.date], RuleSet], user) -> list[Listing]:
    periods: dict[tuple, int] = {}
    made = []
    for _index, row in rows:
        entity = entities[row["credit_code"]] if row.get("credit_code") else None
        person = None if entity is not None else persons[row["id_number_hash"]]
        decided = row["decided_on"]
        rule_set = rule_set_on(decided)
        kind = (rule_set.pk, row["list_type"], entity.sector if entity else None, entity.category if entity else None)
        if kind not in periods:
            periods[kind] = period_days(rule_set.document, row["list_type"], sector=kind[2], category=kind[3])
        expires = row["expires_on"] or decided + datetime.timedelta(days=periods[kind])
        made.append(Listing(
            list_type=row["list_type"], subject_type=SubjectType.ENTITY if entity else SubjectType.PERSON,
            entity=entity, person=person, reason=row["reason"], legal_basis=row["legal_basis"],
            source_type="import", source_rule=row.get("ground") or "", status=ListingStatus.PUBLISHED,
            rule_set=rule_set, period_days=(expires - decided).days, decided_on=decided,
            published_on=row["published_on"] or decided, expires_on=expires,
            decision_number=row.get("decision_number") or "", measures=row.get("measures") or "",
            source_authority=row["source_authority"], source_reference=row["source_reference"], created_by=user,
        ))
    return made


def rows_apply(rows: Sequence[dict[str, Any]], *, actor=None, progress: Progress = None,
               finish: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Write validated rows in one transaction; ``finish(summary)`` runs inside it, last (a job's "done")."""
    user = authenticated(actor)
    actor_name = user.get_username() if user is not None else _("系统")
    with transaction.atomic():
        existing = _existing(rows)
        fresh = [(index, row) for index, row in enumerate(rows) if _key(row) not in existing]
        if progress is not None and len(rows) > len(fresh):
            progress(len(rows) - len(fresh))
        entities, persons = _entities(fresh), _persons(fresh)
        rule_set_on = _rule_set_lookup()
        created: dict[tuple[str, str], int] = {}
        rescored: set[int] = set()
        last = None
        for start in range(0, len(fresh), APPLY_CHUNK):
            part = fresh[start:start + APPLY_CHUNK]
            listings = Listing.objects.bulk_create(_listings(part, entities=entities, persons=persons,
                                                             rule_set_on=rule_set_on, user=user))
            # As record_transition writes one: who (name frozen), from nothing to published, the source as reason.
            ListingEvent.objects.bulk_create(
                ListingEvent(listing=listing, action="import", from_status="", to_status=listing.status, actor=user,
                             actor_name=actor_name, reason=listing.source_authority) for listing in listings)
            # One data version per listing, as listing_public_changed writes it (the change feed reads them).
            PublicChange.objects.bulk_create(PublicChange(listing=listing, change="import") for listing in listings)
            for listing in listings:
                created[(listing.source_authority, listing.source_reference)] = listing.pk
                if listing.subject_type == SubjectType.ENTITY:
                    rescored.add(listing.entity_id)
            last = listings[-1]
            if progress is not None:
                progress(len(part))
        evidence.evidence_changed_many(rescored)  # one outbox write and a few messages: rescores, proposing rules
        if last is not None:
            lists_hooks.public_changed(last, "import")  # one rewrite of the open data for the whole import
        results = [{"source_reference": row["source_reference"],
                    "result": "existing" if _key(row) in existing else "created",
                    "listing_id": existing.get(_key(row)) or created[_key(row)]} for row in rows]
        summary = {"created": len(created), "existing": len(rows) - len(created), "results": results}
        if finish is not None:
            finish(summary)
    return summary


def listings_import(rows: Iterable[dict[str, Any]], *, actor=None, progress: Progress = None) -> dict[str, Any]:
    """Validate every row, then write them all in one transaction (``progress(n)``: n more rows written)."""
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise RuleViolation({"rows": [_("一次最多导入 %(n)s 条。") % {"n": MAX_ROWS}]})
    cleaned, errors = rows_validate(rows_seal(rows))
    if errors:
        raise RuleViolation({"rows": errors})
    return rows_apply(cleaned, actor=actor, progress=progress)
