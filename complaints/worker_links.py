"""A complaint or a finding may name a household worker (家政服务员) as well as the firm.

The worker named must have been employed by the complaint's or the finding's firm on the day it is about (the
incident date of a complaint, the inspection date of a finding): otherwise a 400 naming ``worker``. Naming a worker is
handling staff's work (regulators and inspectors in scope); the worker's file and the public card's "no bad record"
flag read these links (regulator.disclosure.cards).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.models import Complaint, Finding
from complaints.selectors import complaints_for, findings_for
from entities.models import Person
from entities.worker_selectors import employment_on


def worker_errors(*, worker: Person | None, entity_id: int | None, day: datetime.date) -> dict[str, list[str]]:
    """``{"worker": [...]}`` when ``worker`` was not employed by the firm on ``day``; empty when it was (or none)."""
    if worker is None:
        return {}
    if entity_id is None:
        return {"worker": [_("被投诉人不是登记的企业，不能关联该企业的家政服务员。")]}
    if employment_on(person_id=worker.pk, entity_id=entity_id, day=day) is None:
        return {"worker": [_("该人员在 %(day)s 未受雇于该企业。") % {"day": day.isoformat()}]}
    return {}


def _check_staff(actor) -> None:
    if not (getattr(actor, "is_regulator", False) or getattr(actor, "is_inspector", False)):
        raise PermissionDenied(_("只有监管或执法人员可以关联家政服务员。"))


@transaction.atomic
def complaint_worker_set(*, complaint_id: int, worker: Person | None, actor) -> Complaint:
    """Name (or, with None, un-name) the worker a complaint is about; the worker must have served the firm then."""
    _check_staff(actor)
    complaint = complaints_for(actor).select_for_update(of=("self",)).get(pk=complaint_id)
    errors = worker_errors(worker=worker, entity_id=complaint.entity_id, day=complaint.incident_date)
    if errors:
        raise ValidationError(errors)
    complaint.worker = worker
    complaint.save(update_fields=["worker", "updated_at"])
    return complaint


@transaction.atomic
def finding_worker_set(*, finding_id: int, worker: Person | None, actor) -> Finding:
    """Name (or un-name) the worker a finding is about; employed by the inspected firm on the inspection date."""
    _check_staff(actor)
    finding = findings_for(actor).select_for_update(of=("self",)).get(pk=finding_id)
    errors = worker_errors(worker=worker, entity_id=finding.inspection.entity_id, day=finding.inspection.inspected_on)
    if errors:
        raise ValidationError(errors)
    finding.worker = worker
    finding.save(update_fields=["worker", "updated_at"])
    return finding
