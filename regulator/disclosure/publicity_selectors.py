"""Reads of 双公示: published records for the public, the full ledger for department clients, what is late.

The public sees a record while it is published (decided, not ended, before its publication end), with the
legal representative's name masked (张*) as every person is masked on the public side; a department client
with ``penalties:read`` gets every record, ended ones with their end and its reason, names in full. No ID
number is stored in a record, so none can be returned.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from complaints.models import Finding
from entities.models import Licence
from regulator.disclosure.publicity_records import PublicityKind, PublicityRecord
from regulator.disclosure.redaction import mask_name
from regulator.lists.rules import penalty_publicity
from regulator.lists.selectors import rule_set_on

#: the kinds by the name the files and the API use
KIND_OF_NAME = {"penalties": PublicityKind.PENALTY, "licences": PublicityKind.LICENCE}


def publicity_version() -> int:
    """The latest version of any 双公示 record (0 before the first): the ``since`` that returns nothing new."""
    return PublicityRecord.objects.aggregate(latest=Max("version"))["latest"] or 0


def published_records(kind: str, *, as_of: datetime.date | None = None) -> QuerySet[PublicityRecord]:
    """The records of ``kind`` the public sees on ``as_of``, newest decision first."""
    day = as_of or timezone.localdate()
    return (PublicityRecord.objects.filter(kind=kind, ended=False, decided_on__lte=day)
            .filter(Q(publication_ends_on__isnull=True) | Q(publication_ends_on__gt=day))
            .order_by("-decided_on", "-id"))


def is_published(record: PublicityRecord, *, as_of: datetime.date) -> bool:
    return (not record.ended and record.decided_on <= as_of
            and (record.publication_ends_on is None or record.publication_ends_on > as_of))


def public_record(record: PublicityRecord) -> dict[str, Any]:
    """One record as the public sees it: the 双公示 fields, the legal representative masked."""
    return {
        "id": record.pk,
        "kind": record.kind,
        "subject_name": record.subject_name,
        "credit_code": record.credit_code,
        "legal_representative": mask_name(record.legal_representative) or None,
        "decision_number": record.decision_number,
        "category": record.category,
        "content": record.content,
        "fine_amount": None if record.fine_amount is None else f"{record.fine_amount:.2f}",  # as DRF's decimals
        "decided_on": record.decided_on,
        "publicity_until": record.publicity_until,
        "authority_name": record.authority_name,
        "authority_credit_code": record.authority_credit_code,
        "source_unit": record.source_unit,
        "version": record.version,
    }


def feed_record(record: PublicityRecord) -> dict[str, Any]:
    """One record for a receiving department's ledger: every field, the name in full, its end and reason."""
    return {**public_record(record), "legal_representative": record.legal_representative or None,
            "publication_ends_on": record.publication_ends_on, "ended": record.ended,
            "end_reason": record.end_reason or None, "produced_at": record.produced_at, "due_by": record.due_by,
            "late": record.late, "updated_at": record.updated_at}


def records_since(kind: str, since: int) -> QuerySet[PublicityRecord]:
    """The records of ``kind`` changed after version ``since``, in version order (published or ended)."""
    return PublicityRecord.objects.filter(kind=kind, version__gt=since).order_by("version", "id")


def changed_rows(kind: str, since: int, *, as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    """The delta of one file: changed records as published (``public: true``), ended ones as a stub
    (``public: false``, with the day publication ended), like the lists' deltas."""
    day = as_of or timezone.localdate()
    rows = []
    for record in records_since(kind, since):
        if is_published(record, as_of=day):
            rows.append({**public_record(record), "public": True})
        else:
            rows.append({"id": record.pk, "kind": record.kind, "public": False, "version": record.version,
                         "publication_ends_on": record.publication_ends_on})
    return rows


def publicity_missing(*, as_of: datetime.date | None = None) -> dict[str, list[int]]:
    """Decisions with no record though their deadline passed (the nightly sweep has not produced them yet):
    finding ids of published penalties and licence ids, for the regulators' admin and work queue."""
    from core.workdays import current_calendar
    from regulator.disclosure.publicity_services import due_by  # the one deadline rule

    day = as_of or timezone.localdate()
    calendar = current_calendar()
    document = rule_set_on(day).document
    horizon = day - datetime.timedelta(days=7)  # 7 working days are at least 7 calendar days
    findings = (Finding.objects.exclude(penalty__in=("", "none")).filter(publicity_records__isnull=True)
                .filter(Q(decided_on__lt=horizon) | Q(decided_on__isnull=True, inspection__inspected_on__lt=horizon))
                .select_related("violation_type", "inspection").order_by("id"))
    missing_findings = []
    for finding in findings:
        decided = finding.decided_on or finding.inspection.inspected_on
        published = penalty_publicity(document, severity=finding.severity, penalty=finding.penalty,
                                      safety_related=finding.violation_type.safety_related)
        if published["published"] and day > due_by(decided, calendar):
            missing_findings.append(finding.pk)
    licences = [licence.pk for licence in Licence.objects.filter(publicity_records__isnull=True,
                                                                 issued_on__lt=horizon).order_by("id")
                if day > due_by(licence.issued_on, calendar)]
    return {"findings": missing_findings, "licences": licences}


def late_records(*, as_of: datetime.date | None = None) -> QuerySet[PublicityRecord]:
    """Records produced after their deadline (regulators' admin filter and work queue)."""
    return PublicityRecord.objects.filter(late=True).select_related("entity").order_by("-produced_at", "-id")
