"""The whole registry for the public (市场主体名录查询): any registered operator, listed or not.

A citizen asks "is this 民宿 registered, and does it have a record?" as often as "is it on a list?", so the
public search covers every entity in the registry: by name (simplified or traditional characters, pinyin,
initials, any part of it) or credit code, filtered by city, district and sector. Each result carries its
published listings in force (``published_listings``: the same rule of who appears as the lists), so a page
says in words 公示期内无失信记录 or shows the listing. Only public registry facts are read: name, credit
code, sector, category, region, address (phones and ID numbers taken out), status. No person's name, ID
number or phone; a person listed through the business appears masked (张**), as on the lists.

Cost: one statement for the page and its total (a ``count(*) OVER ()`` window), one for the listings of the
page's entities, whatever the page size. A valid credit code goes by the entities' unique index, names by the
GIN index of their search keys, a district by the region index; the filters narrow the same scan.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import EmptyResultSet, ValidationError
from django.db.models import Count, Q, Window
from django.utils import timezone
from stdnum import numdb

from core.scope import Sector, region_name
from entities.models import Entity, Licence, LicenceStatus, PersonRoleKind
from entities.selectors import search_names
from regulator.disclosure import selectors as public
from regulator.disclosure.receipt_terms import MAX_NAMED
from regulator.disclosure.redaction import mask_name, redact
from regulator.disclosure.selectors import MAX_OFFSET, ListingPage, published_listings
from regulator.lists import award_selectors
from regulator.lists.models import ListingStatus, ListType, SubjectType

#: what a result reads of an entity: public registry facts only (no search vector, no timestamps)
RESULT_FIELDS = ("id", "credit_code", "name", "sector", "category", "region_code", "address", "status")
#: lists whose entry is a 失信 record (a red listing is an award, not a failing)
FAILING_LISTS = (ListType.BLACK, ListType.WATCH)
CLEAN_TEXT = "公示期内无失信记录"
MAX_QUERY = 64

_CITY = re.compile(r"\d{4}(00)?")
_DISTRICT = re.compile(r"\d{6}")


# ------------------------------------------------------------------------------------- regions (GB/T 2260)

def _county(code: str) -> str | None:
    """The current name of one division as the table names it (盐湖区, 运城市), without its parents."""
    full = region_name(code)
    if full is None:
        return None
    parent = region_name(code[:4] + "00") if not code.endswith("00") else region_name(code[:2] + "0000")
    return full.removeprefix(parent or "") or full


@lru_cache(maxsize=64)
def districts_of(city: str) -> tuple[tuple[str, str], ...]:
    """The current 县、市、区 of a prefecture (``1408`` or ``140800``): (code, name), in code order.

    Read from python-stdnum's copy of GB/T 2260 (the table the validators use); 市辖区, a statistical
    placeholder, and abolished codes are left out.
    """
    prefix = city[:4]
    found = set()
    for province in numdb.get("cn/loc").prefixes:  # (length, low, high, info, counties)
        if province[1] != prefix[:2]:
            continue
        for county in province[4]:
            code = prefix[:2] + county[1]
            name = _county(code) if code[:4] == prefix and not code.endswith("00") else None
            if name and name != "市辖区":
                found.add((code, name))
    return tuple(sorted(found))


def region_parts(code: str) -> dict[str, str | None]:
    """A region code as a reader wants it: the city's and the district's names, never the code alone."""
    code = code or ""
    city = _county(code[:4] + "00") if len(code) == 6 else None
    district = _county(code) if len(code) == 6 and not code.endswith("00") else None
    return {"city_name": city, "district_name": district, "region_name": region_name(code)}


# ------------------------------------------------------------------------------------------------ filters

@dataclass(frozen=True)
class RegistryFilters:
    """The filters of a registry search, checked: a city prefix (4 digits), a district code, a sector."""

    city: str = ""
    district: str = ""
    sector: str = ""

    def words(self) -> str:
        """The filters in words for a receipt's question (运城市、盐湖区、文化旅游)."""
        parts = []
        if self.city:
            parts.append(_county(self.city + "00") or self.city)
        if self.district:
            parts.append(_county(self.district) or self.district)
        if self.sector:
            parts.append(str(dict(Sector.choices)[self.sector]))
        return "、".join(parts)


def registry_filters(*, city: str = "", district: str = "", sector: str = "") -> RegistryFilters:
    """Check the filters (fail closed): an unknown code is a ValidationError naming its field.

    ``city`` is a prefecture's code (``140800``) or its 4-digit prefix (``1408``); ``district`` a county's
    6-digit code, which must lie in the city when both are given; ``sector`` one of the four sectors.
    """
    city, district, sector = (city or "").strip(), (district or "").strip(), (sector or "").strip()
    errors: dict[str, list[str]] = {}
    if city and (not _CITY.fullmatch(city) or city[2:4] == "00" or region_name(city[:4] + "00") is None):
        errors["city"] = [f"未知的地市代码 {city[:12]}：应为地市一级的行政区划代码，如 140800（运城市）。"]
    if district and (not _DISTRICT.fullmatch(district) or district.endswith("00") or region_name(district) is None):
        errors["district"] = [f"未知的县区代码 {district[:12]}：应为县（市、区）的行政区划代码，如 140802（盐湖区）。"]
    elif district and city and "city" not in errors and district[:4] != city[:4]:
        errors["district"] = [f"县区 {_county(district)} 不属于所选地市 {_county(city[:4] + '00')}。"]
    if sector and sector not in Sector.values:
        errors["sector"] = [f"未知的行业 {sector[:32]}：应为 {'、'.join(Sector.values)} 之一。"]
    if errors:
        raise ValidationError(errors)
    return RegistryFilters(city=city[:4], district=district, sector=sector)


# ------------------------------------------------------------------------------------------------- search

class RegistryPage(ListingPage):
    """One page of the registry search: its public rows (:func:`registry_row`), the total, the page asked."""


def registry_search(query: str, *, filters: RegistryFilters | None = None, number: int | str = 1, size: int = 50,
                    as_of: datetime.date | None = None) -> RegistryPage | None:
    """A page of the whole registry matching ``query`` and ``filters``, in two statements at most.

    ``query``: a credit code (its unique index), or a name in simplified or traditional characters, pinyin,
    initials, any part of it (the search keys' GIN index); empty: every entity the filters keep. Ordered by
    name. ``number`` may be ``"last"`` (one more statement, to count). None: no such page (a 404).
    """
    filters = filters or RegistryFilters()
    query = (query or "").strip()[:MAX_QUERY]
    day = as_of or timezone.localdate()
    if number != "last" and (int(number) - 1) * size > MAX_OFFSET:
        return None
    matched = Entity.objects.all()
    if filters.district:
        matched = matched.filter(region_code=filters.district)
    elif filters.city:
        matched = matched.filter(region_code__startswith=filters.city)
    if filters.sector:
        matched = matched.filter(sector=filters.sector)
    matched = search_names(matched, query, code_field="credit_code")
    page = (matched.only(*RESULT_FIELDS).annotate(total=Window(Count("*"))).order_by("name", "id"))
    try:
        page.query.sql_with_params()
    except EmptyResultSet:  # nothing to match on (punctuation only): no row, no statement
        return RegistryPage(rows=[], count=0, number=1, size=size) if number in (1, "last") else None
    if number == "last":
        number = max(1, -(-matched.order_by().count() // size))
    offset = (int(number) - 1) * size
    entities = list(page[offset:offset + size])
    if not entities and offset > 0:
        return None
    listings = listings_in_force([entity.pk for entity in entities], as_of=day)
    rows = [registry_row(entity, listings.get(entity.pk, [])) for entity in entities]
    # 诚信评选 badges (regulator/lists/award_selectors.py): one statement for the page, not one per row
    award_selectors.badges_attach(rows, [entity.pk for entity in entities], day=day)
    return RegistryPage(rows=rows, count=entities[0].total if entities else 0, number=int(number), size=size)


def listings_in_force(entity_ids: Iterable[int], *, as_of: datetime.date) -> dict[int, list[dict[str, Any]]]:
    """Per entity, its published listings in force on ``as_of`` (one statement): on it, or on a person listed
    through it (masked), most serious list first, newest first within a list."""
    ids = list(entity_ids)
    result: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    if not ids:
        return result
    order = {list_type: index for index, list_type in enumerate(ListType.values)}
    rows = published_listings(None, as_of=as_of).filter(Q(entity_id__in=ids) | Q(related_entity_id__in=ids))
    for listing in sorted(rows, key=lambda row: order.get(row.list_type, len(order))):  # stable: newest first
        person = listing.subject_type == SubjectType.PERSON
        result[listing.related_entity_id if person else listing.entity_id].append({
            "id": listing.pk,
            "list_type": listing.list_type,
            "list_label": str(dict(ListType.choices)[listing.list_type]),
            "subject_type": listing.subject_type,
            "person_name": mask_name(listing.person.name) if person else None,
            "person_role": listing.person_role or None,
            "status": ListingStatus.PUBLISHED,  # published_listings reads published ones only
            "published_on": listing.published_on,
            "expires_on": listing.expires_on,
        })
    return result


def record_text(listings: list[dict[str, Any]]) -> str:
    """The public record in words: 公示期内无失信记录, or the lists the business (or its people) is on."""
    words = []
    for row in listings:
        until = f"，公示期至 {row['expires_on']:%Y-%m-%d}" if row["expires_on"] else ""
        who = f"{_role_label(row['person_role'])}{row['person_name']}" if row["subject_type"] == "person" else ""
        words.append(f"{who}列入{row['list_label']}{until}")
    if not any(row["list_type"] in FAILING_LISTS for row in listings):
        words.insert(0, CLEAN_TEXT)
    return "；".join(words)


def _role_label(role: str | None) -> str:
    return str(dict(PersonRoleKind.choices).get(role or "", "相关人员"))


def registry_row(entity: Entity, listings: list[dict[str, Any]]) -> dict[str, Any]:
    """One entity as the public registry shows it: codes for programs, names and words for readers."""
    return {
        "credit_code": entity.credit_code,
        "name": entity.name,
        "sector": entity.sector,
        "category": entity.category,
        "region_code": entity.region_code,
        **region_parts(entity.region_code),
        "address": redact(entity.address) or "",
        "status": entity.status,
        "listed": any(row["list_type"] in FAILING_LISTS for row in listings),
        "record_text": record_text(listings),
        "listings": listings,
    }


def registry_terms(*, query: str, filters: RegistryFilters, page: str, count: int, rows: list[dict[str, Any]],
                   as_of: datetime.date) -> dict[str, Any]:
    """A registry search's receipt in words: the registry is the subject; the words name the first rows found.

    The query is echoed as typed: names are matched against businesses only, never against persons, so the
    words asked reveal no more than the asker knew.
    """
    asked = f"“{query}”" if query else "全部经营主体"
    within = f"（{filters.words()}）" if filters.words() else ""
    question = {"text": f"截至 {as_of:%Y-%m-%d} 查询市场主体名录：{asked}{within}，第 {page} 页", "q": query,
                "city": filters.city, "district": filters.district, "sector": filters.sector, "page": page}
    if count == 0:
        words = f"市场主体名录中无与{asked}{within}匹配的经营主体。"
    else:
        named = "、".join(f"{row['name']}（{row['credit_code']}，{row['record_text']}）" for row in rows[:MAX_NAMED])
        more = f"等 {len(rows)} 个" if len(rows) > MAX_NAMED else ""
        words = f"共 {count} 个经营主体；本页 {len(rows)} 个：{named}{more}。" if rows else f"共 {count} 个经营主体；本页无记录。"
    subject = {"type": "list", "text": "市场主体名录（全部登记的经营主体）"}
    return {"subject": subject, "question": question, "result_text": words}


# ------------------------------------------------------------------------------------------ operator page

LICENCE_STATE_WORDS = {LicenceStatus.ACTIVE: "有效", LicenceStatus.SUSPENDED: "暂扣中",
                       LicenceStatus.REVOKED: "已吊销", LicenceStatus.EXPIRED: "已过期"}


def public_licences(entity: Entity, *, as_of: datetime.date) -> list[dict[str, Any]]:
    """An entity's licences and filings (行政许可, public under 双公示): type, number, dates, state in words.

    A licence still marked active whose validity has ended reads 已过期: the date decides, not the flag.
    """
    rows = []
    for licence in Licence.objects.filter(entity=entity).order_by("licence_type", "-issued_on", "id"):
        state = licence.status
        if state == LicenceStatus.ACTIVE and licence.expires_on is not None and licence.expires_on < as_of:
            state = LicenceStatus.EXPIRED
        rows.append({"licence_type": licence.licence_type, "licence_label": licence.get_licence_type_display(),
                     "number": licence.number, "issued_on": licence.issued_on, "expires_on": licence.expires_on,
                     "status": state, "status_text": LICENCE_STATE_WORDS.get(state, state)})
    return rows


def operator_record(entity: Entity, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    """An operator's public page: :func:`~regulator.disclosure.selectors.public_profile` plus address, city and district, and its licences."""
    day = as_of or timezone.localdate()
    profile = public.public_profile(entity, as_of=day)  # through the module: one place to read (and patch)
    failing = [row for row in profile["listings"] if row["list_type"] in FAILING_LISTS]
    return {**profile, **region_parts(entity.region_code), "address": redact(entity.address) or "",
            "licences": public_licences(entity, as_of=day),
            "failing_listings": failing,
            "awards": [row for row in profile["listings"] if row["list_type"] == ListType.RED]}
