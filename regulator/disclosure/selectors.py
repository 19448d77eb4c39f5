"""What the public may see: published listings in their period and published penalties (信用信息公示).

No personal data beyond a masked name: persons appear as 张** with their role
and company; ID numbers and complainants never appear. Free text (reasons, legal
basis, measures, statements) is published through ``redaction.redact``: no ID
number, no phone number, and no full name of a person tied to the row (the listed
person, and whoever held a role at the business it concerns).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet, Subquery, Window
from django.utils import timezone

from complaints.campaigns import Campaign
from complaints.models import Finding, Inspection, ViolationType
from entities import searchkeys
from entities.models import Entity, Licence, Person, PersonRole
from entities.reviews import ServiceReview
from entities.selectors import entities_for
from entities.validators import credit_code_is_valid, normalize_credit_code
from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.disclosure.redaction import mask_name, redact
from regulator.lists.awards import AwardApplication
from regulator.lists.models import (
    Listing,
    ListingStatus,
    ListType,
    PublicChange,
    RepairApplication,
    RuleSet,
    SubjectType,
)
from regulator.lists.rules import penalty_publicity
from regulator.lists.selectors import rule_set_on

#: what a public row renders (public_listing): nothing else is read, no search vectors, no rule-set documents
PUBLIC_LISTING_FIELDS = (
    "id", "list_type", "subject_type", "entity_id", "person_id", "related_entity_id", "person_role", "reason",
    "legal_basis", "decision_number", "decided_on", "published_on", "expires_on", "measures", "source_authority",
    "entity__id", "entity__name", "entity__credit_code", "entity__sector", "entity__region_code",
    "related_entity__id", "related_entity__name", "related_entity__sector", "related_entity__region_code",
    "person__id", "person__name",
)


def published_listings(list_type: str | None, *, as_of: datetime.date | None = None) -> QuerySet[Listing]:
    """Listings of ``list_type`` (every type when None) the public sees on ``as_of``, newest first."""
    day = as_of or timezone.localdate()
    queryset = Listing.objects.filter(status=ListingStatus.PUBLISHED, published_on__lte=day)
    if list_type is not None:
        queryset = queryset.filter(list_type=list_type)
    return (queryset.filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day))
            .select_related("entity", "person", "related_entity").only(*PUBLIC_LISTING_FIELDS)
            .order_by("-published_on", "-id"))


#: no published list reaches this many rows: a page beyond it is past the end without asking the database
MAX_OFFSET = 10**12


def _pages(count: int, size: int) -> int:
    return max(1, -(-count // size))


@dataclass
class ListingPage:
    """One page of a published list: its rows (public_listing's input), the total, the page asked."""

    rows: list[Listing]
    count: int
    number: int
    size: int

    @property
    def pages(self) -> int:
        return _pages(self.count, self.size)

    # What a template reads of Django's Page and Paginator
    num_pages = pages

    @property
    def paginator(self) -> ListingPage:
        return self

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def search_page(list_type: str, query: str, *, as_of: datetime.date, number: int | str = 1,
                size: int = 50) -> ListingPage | None:
    """A page of a published list, searched by a business's credit code or name (simplified or traditional,
    pinyin, initials, any part of it), in two or three statements whatever the registry's size.

    A listed person is found through the business they were listed with, never by their own name: the
    public sees 张** and a search for 张三 that answered with that row would confirm who 张** is.

    With a query the names are matched once (a materialised CTE), listings probed through their entity and
    related-entity indexes, and the total counted in the same statement (a window over the matches); then
    the page's rows are read by id with the columns they render. Without one, the page is read directly and
    the list counted only when the page is full. ``number`` may be ``"last"``. None: no such page (a 404).
    """
    query = (query or "").strip()
    if number != "last" and (int(number) - 1) * size > MAX_OFFSET:
        return None  # far past any list's end (and past what an OFFSET holds)
    base = published_listings(list_type, as_of=as_of)
    if query:
        ids, count = _matching_listing_ids(base, query, number=number, size=size)
        if ids is None:
            return None
        by_id = {listing.pk: listing for listing in base.filter(pk__in=ids).order_by()}
        number = _pages(count, size) if number == "last" else int(number)
        return ListingPage(rows=[by_id[pk] for pk in ids if pk in by_id], count=count, number=number, size=size)
    count = None
    if number == "last":
        count = base.count()
        number = _pages(count, size)
    offset = (int(number) - 1) * size
    rows = list(base[offset:offset + size + 1])
    if count is None:  # counted only when this page is full, or past the end
        count = offset + len(rows) if len(rows) <= size and (rows or offset == 0) else base.count()
    if not rows and int(number) > 1:
        return None
    return ListingPage(rows=rows[:size], count=count, number=int(number), size=size)


def _matching_listing_ids(base: QuerySet[Listing], query: str, *, number: int | str,
                          size: int) -> tuple[list[int] | None, int]:
    """The ids of one page of the listings whose business matches ``query``, and how many match in all.

    The names are matched in the listings' own copy of their business's search keys (a GIN index over the
    published listings only, kept by triggers: migration regulator 0006), so the cost follows the size of
    the lists, not of the registry; a valid credit code goes through the entities' unique index instead.
    """
    code = normalize_credit_code(query)
    if len(code) == 18 and credit_code_is_valid(code):
        business = Entity.objects.filter(credit_code=code).values("pk")
        hits = base.filter(Q(entity_id=Subquery(business)) | Q(related_entity_id=Subquery(business)))
    else:
        condition = Q(pk__in=[])
        if len(code) == 18 or (code.isalnum() and len(code) >= 6):
            lookup = "credit_code" if len(code) == 18 else "credit_code__startswith"
            businesses = Entity.objects.filter(**{lookup: code}).values("pk")
            condition |= Q(entity_id__in=businesses) | Q(related_entity_id__in=businesses)
        tsquery = searchkeys.query_tsquery(query)
        if tsquery is not None:
            condition |= Q(search_vector__tsmatch=tsquery)
        hits = base.filter(condition)
    # nothing to match on (punctuation only) compiles to an empty result: no statement, no row
    hits = hits.order_by("-published_on", "-id").annotate(total=Window(Count("*"))).values_list("id", "total")
    if number == "last":
        number = _pages(hits.order_by().count(), size)
    offset = (int(number) - 1) * size
    found = list(hits[offset:offset + size])
    if found:
        return [row[0] for row in found], found[0][1]
    return ([], 0) if offset == 0 else (None, 0)  # nothing matched, or past the last page


def approved_statements(*, listing_ids=(), finding_ids=()) -> dict[tuple[str, int], list[dict[str, Any]]]:
    rows = PublicStatement.objects.filter(status=StatementStatus.APPROVED).filter(
        Q(listing_id__in=list(listing_ids)) | Q(finding_id__in=list(finding_ids))
    ).order_by("id").values_list("listing_id", "finding_id", "text", "reviewed_at")
    result: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for listing_id, finding_id, text, reviewed_at in rows:
        key = ("listing", listing_id) if listing_id else ("finding", finding_id)
        result.setdefault(key, []).append({"text": text, "published_at": reviewed_at})
    return result


def role_holder_names(entity_ids: Iterable[int | None]) -> dict[int, set[str]]:
    """The full names of everyone who held a role at these businesses (one query): masked in their free text."""
    ids = {pk for pk in entity_ids if pk is not None}
    names: dict[int, set[str]] = {pk: set() for pk in ids}
    if ids:
        for entity_id, name in PersonRole.objects.filter(entity_id__in=ids).values_list("entity_id", "person__name"):
            names[entity_id].add(name)
    return names


def _row_entity_id(listing: Listing) -> int | None:
    return listing.entity_id if listing.subject_type == SubjectType.ENTITY else listing.related_entity_id


def listing_names(listings: Iterable[Listing]) -> dict[int, set[str]]:
    """Per listing, the names its published text must not spell out: the listed person's, the role holders'."""
    listings = list(listings)
    holders = role_holder_names(_row_entity_id(listing) for listing in listings)
    result = {}
    for listing in listings:
        names = set(holders.get(_row_entity_id(listing), ()))
        if listing.subject_type == SubjectType.PERSON and listing.person is not None:
            names.add(listing.person.name)
        result[listing.pk] = names
    return result


def public_listings(listings: Iterable[Listing], statements: dict | None = None) -> list[dict[str, Any]]:
    """:func:`public_listing` for many rows, with the names to mask looked up once for all of them."""
    listings = list(listings)
    names = listing_names(listings)
    return [public_listing(listing, statements, names=names[listing.pk]) for listing in listings]


def public_listing(listing: Listing, statements: dict | None = None, *,
                   names: Iterable[str] | None = None) -> dict[str, Any]:
    """One listing as the public sees it; ``names`` as :func:`listing_names` gives them (looked up if not)."""
    entity = listing.entity if listing.subject_type == SubjectType.ENTITY else listing.related_entity
    names = listing_names([listing])[listing.pk] if names is None else set(names)
    row = {
        "id": listing.pk,
        "list_type": listing.list_type,
        "subject_type": listing.subject_type,
        "name": listing.entity.name if listing.subject_type == SubjectType.ENTITY else mask_name(listing.person.name),
        "credit_code": listing.entity.credit_code if listing.subject_type == SubjectType.ENTITY else None,
        "related_entity_name": entity.name if entity is not None and listing.subject_type == SubjectType.PERSON else None,
        "person_role": listing.person_role or None,
        "sector": entity.sector if entity is not None else None,
        "region_code": entity.region_code if entity is not None else None,
        "reason": redact(listing.reason, names=names),
        "legal_basis": redact(listing.legal_basis, names=names),
        "decision_number": listing.decision_number,
        "decided_on": listing.decided_on,
        "published_on": listing.published_on,
        "expires_on": listing.expires_on,
        "measures": redact(listing.measures, names=names),
        "source_authority": redact(listing.source_authority, names=names) or None,
    }
    if statements is not None:
        row["statements"] = _redacted(statements.get(("listing", listing.pk), []), names)
    return row


def _redacted(statements: list[dict[str, Any]], names: Iterable[str]) -> list[dict[str, Any]]:
    return [{**statement, "text": redact(statement["text"], names=names)} for statement in statements]


def _penalty_publicity(finding, document: dict[str, Any]) -> dict[str, Any]:
    """The rule set's publicity of this finding's penalty (published?, min and max days from the decision)."""
    return penalty_publicity(document, severity=finding.severity, penalty=finding.penalty,
                             safety_related=finding.violation_type.safety_related)


#: what a published penalty shows, and what its publicity is decided on
_PENALTY_FIELDS = ("id", "severity", "penalty", "fine_amount", "decision_number", "decided_on", "rectified_on",
                   "inspection__id", "inspection__inspected_on", "violation_type__id", "violation_type__name",
                   "violation_type__legal_basis", "violation_type__safety_related")

#: what an operator's public page reads of the operator
PUBLIC_ENTITY_FIELDS = ("id", "credit_code", "name", "sector", "category", "region_code", "status")


def published_penalties(entity: Entity, *, as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    """Penalties inside their publicity period by the rule set in force on the day asked (信用信息公示).

    A warning alone is not published; from 2026-04-01 a 轻微 penalty is not either; 一般 and 严重 ones for
    their maximum (a safety-related one at least ``safety_min_days``). ``repairable_from`` is the end of the
    minimum period, after which repair may end the publicity.
    """
    day = as_of or timezone.localdate()
    document = rule_set_on(day).document
    findings = (
        Finding.objects.filter(inspection__entity=entity).exclude(penalty="none")
        # a granted repair ends a penalty's publicity (after the rule set's minimum)
        .exclude(pk__in=RepairApplication.objects.penalty_publicity_ended(as_of=day))
        .select_related("violation_type", "inspection").only(*_PENALTY_FIELDS)
        .order_by("-inspection__inspected_on", "-id")
    )
    shown = []
    for finding in findings:
        publicity = _penalty_publicity(finding, document)
        decided = finding.decided_on or finding.inspection.inspected_on
        until = decided + datetime.timedelta(days=publicity["max_days"])
        if publicity["published"] and decided <= day < until:
            shown.append((finding, publicity, decided, until))
    statements = approved_statements(finding_ids=[finding.pk for finding, *_rest in shown])
    names = role_holder_names([entity.pk])[entity.pk] if shown else set()
    result = []
    for finding, publicity, decided, until in shown:
        result.append({
            "id": finding.pk,
            "violation": finding.violation_type.name,
            "legal_basis": redact(finding.violation_type.legal_basis, names=names),
            "penalty": finding.penalty,
            "fine_amount": finding.fine_amount,
            "decision_number": finding.decision_number,
            "decided_on": decided,
            "publicity_until": until,
            "repairable_from": decided + datetime.timedelta(days=publicity["min_days"]),
            "rectified_on": finding.rectified_on,
            "statements": _redacted(statements.get(("finding", finding.pk), []), names),
        })
    return result


def public_profile(entity: Entity, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    day = as_of or timezone.localdate()
    order = {list_type: index for index, list_type in enumerate(ListType.values)}
    listings = sorted(published_listings(None, as_of=day).filter(Q(entity=entity) | Q(related_entity=entity)),
                      key=lambda listing: order.get(listing.list_type, len(order)))  # stable: newest first in each
    statements = approved_statements(listing_ids=[listing.pk for listing in listings])
    return {
        "credit_code": entity.credit_code,
        "name": entity.name,
        "sector": entity.sector,
        "category": entity.category,
        "region_code": entity.region_code,
        "status": entity.status,
        # DOMAIN.md: the grade is shown to the business and regulators; the public sees lists and penalties.
        "grade": None,
        "listings": public_listings(listings, statements),
        "penalties": published_penalties(entity, as_of=day),
    }


def statements_for(user) -> QuerySet[PublicStatement]:
    queryset = PublicStatement.objects.select_related("entity")
    if getattr(user, "is_regulator", False):
        return queryset
    return queryset.filter(entity__in=entities_for(user).values("pk"))


@functools.cache
def public_tables() -> tuple[str, ...]:
    """The tables what the public reads is made of (names, roles for redaction, listings, penalties, statements,
    repairs, rule sets, the change feed, review summaries, award badges, ended campaigns' results): a change to any
    of them may change a public answer."""
    models = (Entity, Person, PersonRole, Licence, Listing, PublicChange, RuleSet, RepairApplication, Finding,
              Inspection, ViolationType, PublicStatement, ServiceReview, AwardApplication, Campaign)
    return tuple(sorted(model._meta.db_table for model in models))


@functools.cache
def _public_head_sql() -> str:
    # One probe per table with the table's name written in the statement: given a parameter (a LATERAL over
    # unnest), the planner cannot see that a quiet table has few entries and walks the primary key backwards
    # through every newer entry of the others. The names are our own tables' (checked), never user input.
    for name in public_tables():
        if not name.replace("_", "").isalnum() or not name.isascii():
            raise ValueError(f"not a table name: {name!r}")
    probes = ", ".join(f"(SELECT max(id) FROM audit_entry WHERE table_name = '{name}')"  # noqa: S608  # nosec B608
                       for name in public_tables())
    return f"SELECT coalesce(greatest({probes}), 0)"


def public_data_head() -> int:
    """The id of the latest audit entry of :func:`public_tables`: it moves with every change the public could see.

    Every audited write appends its entry under one transaction-scoped lock (core.audit), so entry ids are
    in commit order: read before the data, this head is never newer than the data it tags, and a change
    committed later always gets a higher id (an ETag taken from it cannot hide a change). One index probe
    per table (``audit_table_head``, created by regulator migration 0006).
    """
    with connection.cursor() as cursor:
        cursor.execute(_public_head_sql())
        return cursor.fetchone()[0]
