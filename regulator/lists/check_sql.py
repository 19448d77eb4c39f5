"""The five statements a licence or measures check (许可核查、联合奖惩核查) reads its facts with, as constant SQL.

Why not the ORM here: a single check runs these five statements, and building and compiling their querysets
(``Case``/``Subquery`` annotations, ``__in`` lists of 1,000 values resolved one by one) cost the request more
than PostgreSQL's execution of them (issue 14: ORM query building and compilation were 19-49% of each request).
Each statement is written once, from the models' own table and column names, with every list passed as one
array parameter (``= ANY(%s::bigint[])``): the text never changes with the batch's size, so psycopg's
server-side binding prepares it after a few executions (``DATABASE_PREPARE_THRESHOLD``) and PostgreSQL plans
it once. The statements read exactly what the querysets they replace read (the same joins, filters and order;
``check_facts`` documents what each is for), and they go through Django's cursor, so the audit wrappers and
the query counters see them as before.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import connection

from complaints.models import Finding, Inspection, ViolationType
from entities.models import Entity, Person, PersonRole
from regulator.lists.models import Listing


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str, alias: str) -> str:
    return f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def _statements() -> dict[str, str]:
    """The SQL, built from the models' metadata (a renamed column fails loudly at the first check)."""
    e, p, r, lst = Entity, Person, PersonRole, Listing
    f, i, v = Finding, Inspection, ViolationType
    entity = f"""SELECT {_column(e, 'id', 'e')}, {_column(e, 'credit_code', 'e')}, {_column(e, 'name', 'e')},
        {_column(e, 'sector', 'e')}, {_column(e, 'category', 'e')}
        FROM {_table(e)} e WHERE {_column(e, 'credit_code', 'e')} = ANY(%s::text[]) ORDER BY {_column(e, 'id', 'e')}"""  # noqa: S608  # nosec B608 - model metadata only
    person = f"""SELECT {_column(p, 'id', 'p')}, {_column(p, 'id_hash', 'p')}, {_column(p, 'id_number_masked', 'p')}
        FROM {_table(p)} p WHERE ({_column(p, 'id_hash', 'p')} = ANY(%s::text[]) OR {_column(p, 'id', 'p')}
        = ANY(%s::bigint[])) ORDER BY {_column(p, 'id', 'p')}"""  # noqa: S608  # nosec B608 - model metadata only
    # Every linking role of anyone who holds (or held) one at an applicant or who applies in person: one probe of
    # the person index per person (an OR of the entity and person conditions read the whole table).
    role = f"""SELECT {_column(r, 'id', 'r')}, {_column(r, 'entity', 'r')}, {_column(r, 'person', 'r')},
        {_column(r, 'role', 'r')}, {_column(r, 'started_on', 'r')}, {_column(r, 'ended_on', 'r')},
        {_column(p, 'id_number_masked', 'p')}
        FROM {_table(r)} r INNER JOIN {_table(p)} p ON ({_column(r, 'person', 'r')} = {_column(p, 'id', 'p')})
        WHERE {_column(r, 'role', 'r')} = ANY(%s::text[]) AND {_column(r, 'person', 'r')} IN (
            (SELECT {_column(r, 'person', 'u')} FROM {_table(r)} u WHERE {_column(r, 'entity', 'u')}
             = ANY(%s::bigint[]) AND {_column(r, 'role', 'u')} = ANY(%s::text[]))
            UNION ALL
            (SELECT {_column(p, 'id', 'q')} FROM {_table(p)} q WHERE {_column(p, 'id', 'q')} = ANY(%s::bigint[])))
        ORDER BY {_column(r, 'id', 'r')}"""  # noqa: S608  # nosec B608 - model metadata only
    # The penalty decision a listing rests on (a restriction may run from it rather than from the listing).
    source_penalty = f"""(SELECT COALESCE({_column(f, 'decided_on', 'sf')}, {_column(i, 'inspected_on', 'si')})
        FROM {_table(f)} sf INNER JOIN {_table(i)} si ON ({_column(f, 'inspection', 'sf')} = {_column(i, 'id', 'si')})
        WHERE {_column(f, 'id', 'sf')} = {_column(lst, 'source_id', 'l')} LIMIT 1)"""  # noqa: S608  # nosec B608 - model metadata only
    listing_columns = ", ".join(_column(lst, name, "l") for name in (
        "id", "list_type", "subject_type", "entity", "person", "related_entity", "person_role", "reason",
        "source_type", "source_id", "status", "rule_set", "decided_on", "published_on", "expires_on", "ended_on"))
    listing = f"""SELECT {listing_columns}, {_column(e, 'name', 'le')}, {_column(e, 'sector', 'le')},
        {_column(e, 'category', 'le')}, {_column(e, 'sector', 're')}, {_column(e, 'category', 're')},
        CASE WHEN {_column(lst, 'source_type', 'l')} = 'finding' THEN {source_penalty} ELSE NULL END
        FROM {_table(lst)} l
        LEFT OUTER JOIN {_table(e)} le ON ({_column(lst, 'entity', 'l')} = {_column(e, 'id', 'le')})
        LEFT OUTER JOIN {_table(e)} re ON ({_column(lst, 'related_entity', 'l')} = {_column(e, 'id', 're')})
        WHERE {_column(lst, 'status', 'l')} = ANY(%s::text[]) AND {_column(lst, 'published_on', 'l')} <= %s
          AND ({_column(lst, 'ended_on', 'l')} IS NULL OR {_column(lst, 'ended_on', 'l')} > %s)
          AND ({_column(lst, 'expires_on', 'l')} IS NULL OR {_column(lst, 'expires_on', 'l')} > %s)
          AND ({_column(lst, 'entity', 'l')} = ANY(%s::bigint[]) OR {_column(lst, 'person', 'l')} = ANY(%s::bigint[]))
        ORDER BY {_column(lst, 'id', 'l')} DESC"""  # noqa: S608  # nosec B608 - model metadata only
    decided = f"COALESCE({_column(f, 'decided_on', 'f')}, {_column(i, 'inspected_on', 'i')})"
    finding = f"""SELECT {_column(f, 'id', 'f')}, {_column(f, 'penalty', 'f')}, {_column(f, 'severity', 'f')},
        {_column(f, 'decision_number', 'f')}, {_column(f, 'decided_on', 'f')}, {_column(i, 'inspected_on', 'i')},
        {_column(i, 'entity', 'i')}, {_column(e, 'name', 'e')}, {_column(e, 'category', 'e')},
        {_column(e, 'sector', 'e')}, {_column(v, 'code', 'v')}, {_column(v, 'name', 'v')}
        FROM {_table(f)} f
        INNER JOIN {_table(i)} i ON ({_column(f, 'inspection', 'f')} = {_column(i, 'id', 'i')})
        INNER JOIN {_table(e)} e ON ({_column(i, 'entity', 'i')} = {_column(e, 'id', 'e')})
        INNER JOIN {_table(v)} v ON ({_column(f, 'violation_type', 'f')} = {_column(v, 'id', 'v')})
        WHERE {_column(i, 'entity', 'i')} = ANY(%s::bigint[]) AND {_column(f, 'penalty', 'f')} = ANY(%s::text[])
          AND {decided} <= %s AND {decided} > %s
        ORDER BY {_column(f, 'id', 'f')}"""  # noqa: S608  # nosec B608 - model metadata only
    return {"entity": entity, "person": person, "role": role, "listing": listing, "finding": finding}


_SQL: dict[str, str] = {}


def _rows(name: str, params: list[Any]) -> list[tuple]:
    if not _SQL:
        _SQL.update(_statements())
    with connection.cursor() as cursor:
        cursor.execute(_SQL[name], params)
        return cursor.fetchall()


def _array(values: Iterable) -> list:
    return sorted(set(values))


def entities_by_code(codes: Iterable[str]) -> list[tuple]:
    """(id, credit_code, name, sector, category) of the entities with these credit codes, by id."""
    return _rows("entity", [_array(codes)])


def persons_by_hash_or_id(hashes: Iterable[str], ids: Iterable[int]) -> list[tuple]:
    """(id, id_hash, id_number_masked) of the persons with these ID-number hashes or ids, by id."""
    return _rows("person", [_array(hashes), _array(ids)])


def linking_roles(roles: list[str], entity_ids: Iterable[int], person_ids: Iterable[int]) -> list[tuple]:
    """(id, entity_id, person_id, role, started_on, ended_on, person's masked ID number) of every role in
    ``roles`` of anyone who holds one at ``entity_ids`` or is one of ``person_ids``, by id."""
    return _rows("role", [list(roles), _array(entity_ids), list(roles), _array(person_ids)])


def listings_in_effect(statuses: Iterable[str], first: datetime.date, last: datetime.date,
                       entity_ids: Iterable[int], person_ids: Iterable[int]) -> list[tuple]:
    """The listings of these entities or persons published by ``last`` and not ended or expired by ``first``,
    newest first: ``check_facts.ListingRow``'s columns in its order."""
    return _rows("listing", [_array(statuses), last, first, first, _array(entity_ids), _array(person_ids)])


def penalty_findings(entity_ids: Iterable[int], penalties: Iterable[str], after: datetime.date,
                     until: datetime.date) -> list[tuple]:
    """The findings with these penalties on these entities decided in (``after``, ``until``], by id:
    (id, penalty, severity, decision_number, decided_on, inspected_on, entity_id, entity name, category, sector,
    violation code, violation name)."""
    return _rows("finding", [_array(entity_ids), _array(penalties), until, after])
