"""共享名单导入: listings already decided by another authority enter as ``published``.

All or nothing: every row is validated first; one bad row rejects the batch
and nothing is written. Idempotent on (source_authority, source_reference):
a row seen before is reported as existing, never duplicated.

A row may name its ``ground`` (``court_dishonest_debtor``: 人民法院失信被执行人), kept as the listing's
``source_rule``: a sector whose rules act on it (养老: 民发〔2019〕103号) then proposes its own listing.
The period of a row without ``expires_on`` is the rule set's for the subject's sector and category.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.api.exceptions import RuleViolation
from config.api.serializers import date_window_message, in_date_window
from core.transitions import record_transition
from entities import services as entity_services
from entities.models import CATEGORY_SECTOR, Entity
from entities.validators import (
    normalize_credit_code,
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
    validate_region_code,
)
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    SubjectType,
)
from regulator.lists.rules import IMPORT_GROUNDS, period_days
from regulator.lists.selectors import rule_set_on
from regulator.lists.services import listing_public_changed

REQUIRED = ["name", "list_type", "reason", "legal_basis", "decided_on", "source_authority", "source_reference"]
MAX_ROWS = 10_000


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value).strip())


def _clean_row(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    row = {key: (value.strip() if isinstance(value, str) else value) for key, value in raw.items()}
    for key in REQUIRED:
        if not row.get(key):
            errors[key] = [_("必填。")]
    if row.get("list_type") and row["list_type"] not in ListType.values:
        errors["list_type"] = [_("应为 black、watch 或 red。")]
    if row.get("ground") and row["ground"] not in IMPORT_GROUNDS:
        errors["ground"] = [_("应为 %(codes)s 之一，或留空。") % {"codes": "、".join(IMPORT_GROUNDS)}]
    code, number = row.get("credit_code") or "", row.get("id_number") or ""
    if bool(code) == bool(number):
        errors["credit_code"] = [_("credit_code 与 id_number 须且只须填写一项。")]
    try:
        if code:
            row["credit_code"] = normalize_credit_code(code)
            validate_credit_code(row["credit_code"])
        if number:
            row["id_number"] = normalize_id_number(number)
            validate_id_number(row["id_number"])
    except DjangoValidationError as exc:
        errors["credit_code" if code else "id_number"] = exc.messages
    for key in ("decided_on", "published_on", "expires_on"):
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
    for key, limit in (("name", 200), ("source_authority", 200), ("source_reference", 200), ("legal_basis", 500),
                       ("reason", 5000)):
        if isinstance(row.get(key), str) and len(row[key]) > limit:
            errors[key] = [_("过长（最多 %(n)s 字）。") % {"n": limit}]
    if code and not errors and not Entity.objects.filter(credit_code=row["credit_code"]).exists():
        # An operator we do not hold yet: it can be registered from the row when sector and category are given.
        category, region = row.get("category") or "", row.get("region_code") or row["credit_code"][2:8]
        if category not in CATEGORY_SECTOR:
            errors["category"] = [_("登记册中没有该主体，需给出 category（及 region_code）以登记。")]
        else:
            try:
                validate_region_code(region)
            except DjangoValidationError as exc:
                errors["region_code"] = exc.messages
            row["category"], row["region_code"] = category, region
    return row, errors


def _write(row: dict[str, Any], actor) -> tuple[str, Listing]:
    existing = Listing.objects.filter(source_authority=row["source_authority"],
                                      source_reference=row["source_reference"]).first()
    if existing is not None:
        return "existing", existing
    entity = person = None
    if row.get("credit_code"):
        entity = Entity.objects.filter(credit_code=row["credit_code"]).first() or entity_services.entity_create(
            credit_code=row["credit_code"], name=row["name"], category=row["category"],
            sector=CATEGORY_SECTOR[row["category"]], region_code=row["region_code"])
    else:
        person = entity_services.person_find(id_number=row["id_number"]) or entity_services.person_create(
            name=row["name"], id_number=row["id_number"])
    decided = row["decided_on"]
    rule_set = rule_set_on(decided)
    period = period_days(rule_set.document, row["list_type"], sector=entity.sector if entity else None,
                         category=entity.category if entity else None)
    expires = row["expires_on"] or decided + datetime.timedelta(days=period)
    listing = Listing.objects.create(
        list_type=row["list_type"], subject_type=SubjectType.ENTITY if entity else SubjectType.PERSON,
        entity=entity, person=person, reason=row["reason"], legal_basis=row["legal_basis"], source_type="import",
        source_rule=row.get("ground") or "",
        status=ListingStatus.PUBLISHED, rule_set=rule_set, period_days=(expires - decided).days, decided_on=decided,
        published_on=row["published_on"] or decided, expires_on=expires,
        decision_number=row.get("decision_number") or "", measures=row.get("measures") or "",
        source_authority=row["source_authority"], source_reference=row["source_reference"],
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_transition(ListingEvent, subject=listing, action="import", from_status="", actor=actor,
                      reason=row["source_authority"])
    listing_public_changed(listing, "import")  # a new data version, and the entity rescored
    return "created", listing


def listings_import(rows: Iterable[dict[str, Any]], *, actor=None,
                progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise RuleViolation({"rows": [_("一次最多导入 %(n)s 条。") % {"n": MAX_ROWS}]})
    cleaned, errors = [], {}
    seen: set[tuple[str, str]] = set()
    for index, raw in enumerate(rows):
        if not isinstance(raw, dict):
            errors[str(index)] = {"row": [_("每条记录应为对象。")]}
            continue
        row, row_errors = _clean_row(raw)
        key = (row.get("source_authority"), row.get("source_reference"))
        if not row_errors and key in seen:
            row_errors["source_reference"] = [_("与本批其他记录重复。")]
        seen.add(key)
        if row_errors:
            errors[str(index)] = row_errors
        cleaned.append(row)
    if errors:
        raise RuleViolation({"rows": errors})
    results = []
    with transaction.atomic():
        for row in cleaned:
            outcome, listing = _write(row, actor)
            results.append({"source_reference": row["source_reference"], "result": outcome, "listing_id": listing.pk})
            if progress is not None:
                progress(1)
    created = sum(1 for r in results if r["result"] == "created")
    return {"created": created, "existing": len(results) - created, "results": results}
