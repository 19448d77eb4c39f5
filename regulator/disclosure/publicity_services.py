"""Writes of 双公示 (administrative penalty and licensing publicity): records produced from their sources.

Two paths produce the same records (one function, :func:`publicity_sync`, so they cannot disagree):

* **in the decision's transaction**: a finding with a penalty is credit evidence, so ``core.evidence`` calls
  :func:`publicity_record_evidence` inside the writer's transaction (an inspection, a rectification, a
  granted repair); a licence saved through ``entities.services.licence_save`` calls
  :func:`publicity_record_licence` through ``entities.hooks``;
* **nightly** (:func:`publicity_sweep`, Celery beat): every source again, so what came in past the services
  (imports, COPY, the admin's raw edits) is produced too, and records whose period ended are ended.

A penalty is published by the rule set's publicity rules exactly as the public page reads them
(``regulator.lists.rules.penalty_publicity`` with the rule set in force on the day, the maximum period from
the decision date, a granted repair's ``publicity_ended_on``): a warning alone, or a 轻微 penalty under the
2026 rules, gives no record. A record is due 7 working days after its decision (DOMAIN.md 双公示) and is
``late`` when produced after that day. Each change of a record draws a new ``version`` (``?since=`` deltas).
The push feed's events (``penalty_published`` when a penalty record is inserted unended, ``penalty_ended`` when
``ended`` turns true) are written by the feed's trigger on this table (migration 0010), in the same transaction.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from complaints.models import Finding
from config.api.exceptions import ConflictError
from core.documents import authority_for
from core.workdays import WorkCalendar, current_calendar
from entities.models import Licence, LicenceStatus, PersonRole, PersonRoleKind
from regulator.disclosure.publicity_records import (
    VERSION_SEQUENCE,
    PublicityEndReason,
    PublicityKind,
    PublicityRecord,
)
from regulator.disclosure.redaction import redact
from regulator.disclosure.selectors import role_holder_names
from regulator.lists.models import RepairApplication, RepairStatus
from regulator.lists.rules import penalty_publicity
from regulator.lists.selectors import rule_set_on

logger = logging.getLogger(__name__)

#: DOMAIN.md 双公示: published within 7 working days of the decision
DUE_WORKING_DAYS = 7
#: sources read and written per statement batch in the sweep
CHUNK = 2000
#: the fields a change of which is a new version of the record (what a reader of the data sees)
PUBLISHED_FIELDS = ("entity_id", "subject_name", "credit_code", "legal_representative", "decision_number",
                    "category", "content", "fine_amount", "decided_on", "publicity_until", "authority_name",
                    "authority_credit_code", "source_unit", "publication_ends_on", "ended", "end_reason")
_LANGUAGE = "zh-hans"
_FINDING_FIELDS = ("id", "severity", "penalty", "fine_amount", "decision_number", "decided_on", "inspection__id",
                   "inspection__inspected_on", "inspection__entity__id", "inspection__entity__name",
                   "inspection__entity__credit_code", "inspection__entity__region_code", "violation_type__id",
                   "violation_type__name", "violation_type__legal_basis", "violation_type__safety_related")
_LICENCE_FIELDS = ("id", "licence_type", "number", "issued_on", "expires_on", "status", "entity__id",
                   "entity__name", "entity__credit_code", "entity__region_code")


def due_by(decided_on: datetime.date, calendar: WorkCalendar | None = None) -> datetime.date:
    """The last day a decision's record may be produced on time: the 7th working day after the decision."""
    return (calendar or current_calendar()).add_working_days(decided_on, DUE_WORKING_DAYS)


def _next_versions(count: int) -> list[int]:
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{VERSION_SEQUENCE}') FROM generate_series(1, %s)", [count])  # noqa: S608  # nosec B608
        return [row[0] for row in cursor.fetchall()]


class _Context:
    """What producing a batch of records reads once: the day, the rule set, the calendar, who represents whom,
    whose names to mask, the authorities by region, the repairs that ended a penalty's publicity."""

    def __init__(self, *, today: datetime.date, entity_ids: Iterable[int], finding_ids: Iterable[int] = ()):
        ids = sorted(set(entity_ids))
        self.today = today
        self.document = rule_set_on(today).document
        self.calendar = current_calendar()
        self.names = role_holder_names(ids)
        self.representatives: dict[int, list[tuple[datetime.date, datetime.date | None, str]]] = {}
        for entity_id, started, ended, name in (PersonRole.objects.filter(
                entity_id__in=ids, role=PersonRoleKind.LEGAL_REPRESENTATIVE)
                .order_by("started_on", "id").values_list("entity_id", "started_on", "ended_on", "person__name")):
            self.representatives.setdefault(entity_id, []).append((started, ended, name))
        self.repaired: dict[int, datetime.date] = dict(
            RepairApplication.objects.filter(finding_id__in=list(finding_ids), status=RepairStatus.GRANTED,
                                             publicity_ended_on__isnull=False)
            .values_list("finding_id", "publicity_ended_on"))
        self._authorities: dict[str, tuple[str, str]] = {}

    def representative(self, entity_id: int, on: datetime.date) -> str:
        """The legal representative on the decision day (the latest appointed before it if none held it then)."""
        held = self.representatives.get(entity_id, [])
        then = [name for started, ended, name in held if started <= on and (ended is None or ended >= on)]
        if then:
            return then[-1]
        before = [name for started, _ended, name in held if started <= on]
        return before[-1] if before else (held[-1][2] if held else "")

    def authority(self, region_code: str) -> tuple[str, str]:
        """(name, credit code) of the deciding authority, by the longest region prefix that has one."""
        if region_code not in self._authorities:
            try:
                found = authority_for(region_code)
                self._authorities[region_code] = (found.name, found.credit_code)
            except ConflictError:  # no authority registered: the record says so (blank), the admin shows it
                self._authorities[region_code] = ("", "")
        return self._authorities[region_code]


def _label(choices, code: str) -> str:
    with translation.override(_LANGUAGE):
        return str(dict(choices).get(code, code))


def _common(context: _Context, entity, decided: datetime.date) -> dict[str, Any]:
    name, code = context.authority(entity.region_code)
    return {"entity_id": entity.pk, "subject_name": entity.name, "credit_code": entity.credit_code,
            "legal_representative": context.representative(entity.pk, decided), "decided_on": decided,
            "authority_name": name, "authority_credit_code": code, "source_unit": name}


def penalty_facts(finding: Finding, context: _Context) -> dict[str, Any] | None:
    """The record a finding's penalty publishes, or None when the publicity rules do not publish it."""
    from complaints.models import Penalty

    publicity = penalty_publicity(context.document, severity=finding.severity, penalty=finding.penalty,
                                  safety_related=finding.violation_type.safety_related)
    if not publicity["published"]:
        return None
    entity = finding.inspection.entity
    decided = finding.decided_on or finding.inspection.inspected_on
    until = decided + datetime.timedelta(days=publicity["max_days"])
    repaired = context.repaired.get(finding.pk)
    ends_on = min(until, repaired) if repaired else until
    ended = context.today >= ends_on
    reason = ""
    if ended:
        reason = PublicityEndReason.REPAIRED if repaired and repaired <= until else PublicityEndReason.PERIOD_END
    penalty_label = _label(Penalty.choices, finding.penalty)
    fine = f"，罚款人民币 {finding.fine_amount} 元" if finding.fine_amount else ""
    basis = f"；依据：{finding.violation_type.legal_basis}" if finding.violation_type.legal_basis else ""
    content = f"违法行为：{finding.violation_type.name}；处罚种类：{penalty_label}{fine}{basis}"
    return {**_common(context, entity, decided), "kind": PublicityKind.PENALTY, "finding_id": finding.pk,
            "licence_id": None, "source_ref": f"finding:{finding.pk}", "decision_number": finding.decision_number,
            "category": finding.penalty, "content": redact(content, names=context.names.get(entity.pk, ())),
            "fine_amount": finding.fine_amount, "publicity_until": until, "publication_ends_on": ends_on,
            "ended": ended, "end_reason": reason}


def licence_facts(licence: Licence, context: _Context, existing: PublicityRecord | None) -> dict[str, Any]:
    """The record of a licensing decision: published while the licence is in force (from its issue to its
    validity's last day); a revoked or expired licence's record ends (the day it was first seen so)."""
    from entities.models import LicenceType

    entity = licence.entity
    ends_on = licence.expires_on + datetime.timedelta(days=1) if licence.expires_on else None
    reason = ""
    if licence.status in (LicenceStatus.REVOKED, LicenceStatus.EXPIRED):
        kept = existing.publication_ends_on if existing is not None and existing.ended else None
        ends_on = kept or min(filter(None, (ends_on, context.today)))
        reason = PublicityEndReason.LICENCE_ENDED
    elif ends_on is not None and context.today >= ends_on:
        reason = PublicityEndReason.PERIOD_END
    label = _label(LicenceType.choices, licence.licence_type)
    until = f"，有效期至 {licence.expires_on:%Y-%m-%d}" if licence.expires_on else ""
    content = f"准予{label}，证号 {licence.number}{until}"
    return {**_common(context, entity, licence.issued_on), "kind": PublicityKind.LICENCE, "finding_id": None,
            "licence_id": licence.pk, "source_ref": f"licence:{licence.pk}", "decision_number": licence.number,
            "category": licence.licence_type, "content": redact(content, names=context.names.get(entity.pk, ())),
            "fine_amount": None, "publicity_until": licence.expires_on, "publication_ends_on": ends_on,
            "ended": bool(reason), "end_reason": reason}


def _changed(record: PublicityRecord, facts: dict[str, Any]) -> bool:
    return any(getattr(record, name) != facts[name] for name in PUBLISHED_FIELDS)


def _write(wanted: dict[str, dict[str, Any] | None], context: _Context) -> dict[str, int]:
    """Create, update or end the records of ``wanted`` (source_ref -> facts, None: not published)."""
    existing = {record.source_ref: record for record in PublicityRecord.objects.select_for_update()
                .filter(source_ref__in=list(wanted))}
    creates, updates = [], []
    for ref, facts in wanted.items():
        record = existing.get(ref)
        if facts is None:
            if record is None or record.ended:
                continue
            facts = {name: getattr(record, name) for name in PUBLISHED_FIELDS}
            facts.update(ended=True, end_reason=PublicityEndReason.NOT_PUBLISHED,
                         publication_ends_on=min(filter(None, (record.publication_ends_on, context.today))))
        if record is None:
            creates.append(facts)
        elif _changed(record, facts):
            for name in PUBLISHED_FIELDS:
                setattr(record, name, facts[name])
            updates.append(record)
    versions = iter(_next_versions(len(creates) + len(updates)))
    now = timezone.now()
    made = []
    for facts in creates:
        due = due_by(facts["decided_on"], context.calendar)
        made.append(PublicityRecord(**facts, produced_at=now, due_by=due, late=context.today > due,
                                    version=next(versions)))
    PublicityRecord.objects.bulk_create(made, batch_size=500)
    for record in updates:
        record.version, record.updated_at = next(versions), now
    PublicityRecord.objects.bulk_update(updates, [*PUBLISHED_FIELDS, "version", "updated_at"], batch_size=500)
    return {"created": len(made), "updated": len(updates)}


def _penalty_sources(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return (findings.exclude(penalty__in=("", "none")).select_related("inspection__entity", "violation_type")
            .only(*_FINDING_FIELDS).order_by("id"))


def _licence_sources(licences: QuerySet[Licence]) -> QuerySet[Licence]:
    return licences.select_related("entity").only(*_LICENCE_FIELDS).order_by("id")


def publicity_sync(*, findings: QuerySet[Finding] | None = None, licences: QuerySet[Licence] | None = None,
                   today: datetime.date | None = None) -> dict[str, int]:
    """Produce, update or end the records of these sources (idempotent: unchanged sources write nothing)."""
    day = today or timezone.localdate()
    totals = {"created": 0, "updated": 0}
    with transaction.atomic():
        if findings is not None:
            rows = list(_penalty_sources(findings))
            context = _Context(today=day, entity_ids=[row.inspection.entity_id for row in rows],
                               finding_ids=[row.pk for row in rows])
            wanted = {f"finding:{row.pk}": penalty_facts(row, context) for row in rows}
            _add(totals, _write(wanted, context))
        if licences is not None:
            rows = list(_licence_sources(licences))
            context = _Context(today=day, entity_ids=[row.entity_id for row in rows])
            existing = {record.licence_id: record for record in
                        PublicityRecord.objects.filter(licence_id__in=[row.pk for row in rows])}
            wanted = {f"licence:{row.pk}": licence_facts(row, context, existing.get(row.pk)) for row in rows}
            _add(totals, _write(wanted, context))
    return totals


def _add(totals: dict[str, int], counts: dict[str, int]) -> None:
    for key, value in counts.items():
        totals[key] = totals.get(key, 0) + value


def publicity_record_evidence(entity_ids: list[int]) -> None:
    """Evidence recorder (``core.evidence``): in the writer's transaction, the penalties of these entities.

    A savepoint keeps a failure here from undoing the decision itself: the nightly sweep produces what this
    missed, and a record produced after its deadline is flagged late.
    """
    try:
        with transaction.atomic():
            publicity_sync(findings=Finding.objects.filter(inspection__entity_id__in=entity_ids))
    except Exception:  # noqa: BLE001 - the decision stands; the sweep catches up (and flags it late)
        logger.exception("双公示 record of entities %s left to the nightly sweep", entity_ids[:20])


def publicity_record_licence(licence: Licence) -> None:
    """Licence hook (``entities.hooks``): in the transaction that saved the licence, its record."""
    try:
        with transaction.atomic():
            publicity_sync(licences=Licence.objects.filter(pk=licence.pk))
    except Exception:  # noqa: BLE001 - the licence stands; the sweep catches up (and flags it late)
        logger.exception("双公示 record of licence %s left to the nightly sweep", licence.pk)


def publicity_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Every source again, in chunks (nightly): missed decisions produced (late if past due), ended periods
    ended, and records whose source is gone (a finding deleted, a penalty withdrawn) ended."""
    day = today or timezone.localdate()
    totals = {"created": 0, "updated": 0, "removed": 0}
    finding_ids = list(Finding.objects.exclude(penalty__in=("", "none")).order_by("id").values_list("id", flat=True))
    for start in range(0, len(finding_ids), CHUNK):
        _add(totals, publicity_sync(findings=Finding.objects.filter(pk__in=finding_ids[start:start + CHUNK]),
                                    today=day))
    licence_ids = list(Licence.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(licence_ids), CHUNK):
        _add(totals, publicity_sync(licences=Licence.objects.filter(pk__in=licence_ids[start:start + CHUNK]),
                                    today=day))
    # a withdrawn penalty (now none or a warning) was produced again above as "not published" only if the
    # finding still has a penalty; those without one, and sources deleted, end here
    orphans = PublicityRecord.objects.filter(ended=False).filter(
        Q(kind=PublicityKind.PENALTY, finding__isnull=True) | Q(kind=PublicityKind.LICENCE, licence__isnull=True)
        | Q(kind=PublicityKind.PENALTY, finding__penalty__in=("", "none")))
    with transaction.atomic():
        records = list(orphans.select_for_update(of=("self",)))
        versions = iter(_next_versions(len(records)))
        for record in records:
            record.ended, record.end_reason = True, PublicityEndReason.SOURCE_REMOVED
            record.publication_ends_on = min(filter(None, (record.publication_ends_on, day)))
            record.version = next(versions)
            record.save(update_fields=["ended", "end_reason", "publication_ends_on", "version", "updated_at"])
        totals["removed"] = len(records)
    return totals
