"""Writes of rectification evidence (整改材料): a business submits, the staff in scope accept or return it.

* ``evidence_submit``: a business account of the finding's entity sends a note and up to five files for an
  open finding (``rectified_on`` not set); one submission awaits review at a time (409 otherwise). The files
  go through ``core.uploads`` (sniffed, images rebuilt without their metadata, stored privately) and are all
  or nothing with the submission: a refused file stores nothing (decision 0019).
* ``evidence_accept``: an inspector or regulator in scope accepts it and, in the same transaction, records the
  rectification with ``complaints.services.finding_rectify`` on the date the reviewer gives (default today);
  the finding's entity is then re-scored, so the score's 按期整改 / 逾期未整改 rules read that date.
* ``evidence_return``: the same staff return it with a reason the business reads on its page.

Each step locks the row, follows ``complaints.rectification.TRANSITIONS`` and writes a history row.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import services
from complaints.attachment_services import attachments_prepare
from complaints.models import Finding
from complaints.rectification import (
    ACTION_LABELS,
    MAX_NOTE,
    TRANSITIONS,
    EvidenceStatus,
    RectificationEvidence,
    RectificationEvidenceEvent,
    RectificationEvidenceFile,
)
from config.api.exceptions import ConflictError
from core import uploads
from core.transitions import record_transition, transition_run
from entities.selectors import entity_scope_q

EVIDENCE_FOLDER = "rectification"


def _scoped(queryset, user, prefix: str):
    scope = entity_scope_q(user, prefix)
    return queryset if scope is None else queryset.filter(scope)


def _is_staff(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False) and (actor.is_inspector or actor.is_regulator))


def evidence_submit(*, finding_id: int, actor, note: str = "", files: Sequence[Any] = ()) -> RectificationEvidence:
    """提交整改材料 for an open finding of one of the actor's entities; refusals name ``note`` or ``files``."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_business):
        raise PermissionDenied(_("整改材料由被检查的经营主体提交。"))
    note = (note or "").strip()
    files = list(files)
    prepared, file_errors = attachments_prepare(files)
    errors: dict[str, list[str]] = {}
    if file_errors:
        errors["files"] = file_errors
    if len(note) > MAX_NOTE:
        errors["note"] = [_("整改说明不超过 %(count)s 字。") % {"count": MAX_NOTE}]
    elif not note and not files:
        errors["note"] = [_("请填写整改说明或上传至少一个文件。")]
    with uploads.discarding_on_error() as written, transaction.atomic():
        # Locking the finding serialises two submissions for it (the partial unique index backs the rule).
        finding = _scoped(Finding.objects.select_for_update(of=("self",)), actor, "inspection__entity__").get(
            pk=finding_id)
        if finding.rectified_on is not None:
            raise ConflictError(_("该问题已于 %(date)s 整改完成，无需再提交整改材料。") % {"date": finding.rectified_on},
                                code="already_rectified")
        if finding.rectification_evidence.filter(status=EvidenceStatus.SUBMITTED).exists():
            raise ConflictError(_("已有一份整改材料等待审核，审核后才能再次提交。"), code="evidence_pending")
        if errors:
            raise ValidationError(errors)
        evidence = RectificationEvidence(finding=finding, submitted_by=actor, note=note)
        evidence.full_clean()
        evidence.save()
        for position, upload in enumerate(prepared, start=1):
            name = uploads.store(upload, folder=EVIDENCE_FOLDER)
            written.append(name)
            stored = RectificationEvidenceFile(
                evidence=evidence, position=position, kind=upload.kind.name, size=upload.size, sha256=upload.sha256,
                stored_name=name, original_name=upload.original_name)
            stored.full_clean(exclude=["evidence"])
            stored.save()
        record_transition(RectificationEvidenceEvent, subject=evidence, action="submit", from_status="",
                          actor=actor)
    return evidence


def _review(*, evidence_id: int, actor, action: str, review_note: str, rectified_on: datetime.date | None = None,
            day: datetime.date) -> RectificationEvidence:
    if not _is_staff(actor):
        raise PermissionDenied(_("整改材料由执法检查人员审核。"))
    queryset = _scoped(RectificationEvidence.objects.all(), actor, "finding__inspection__entity__")

    def change(evidence: RectificationEvidence) -> None:
        evidence.reviewer, evidence.reviewed_at, evidence.review_note = actor, timezone.now(), review_note
        evidence.rectified_on = rectified_on

    evidence, _from = transition_run(
        queryset=queryset, pk=evidence_id, action=action, table=TRANSITIONS, history=RectificationEvidenceEvent,
        day=day, actor=actor, reason=review_note, change=change, labels=ACTION_LABELS)
    return evidence


def evidence_accept(*, evidence_id: int, actor, rectified_on: datetime.date | None = None, review_note: str = "",
                    today: datetime.date | None = None) -> RectificationEvidence:
    """认可整改材料: the rectification is recorded (finding_rectify) on ``rectified_on`` (default today)."""
    day = today or timezone.localdate()
    rectified_on = rectified_on or day
    review_note = (review_note or "").strip()
    if len(review_note) > MAX_NOTE:
        raise ValidationError({"review_note": _("审核意见不超过 %(count)s 字。") % {"count": MAX_NOTE}})
    with transaction.atomic():
        if _is_staff(actor):
            # The finding is locked first, as a submission locks it, so the two never wait on each other in turn.
            in_scope = _scoped(RectificationEvidence.objects.filter(pk=evidence_id), actor,
                               "finding__inspection__entity__").values("finding_id")
            list(Finding.objects.select_for_update().filter(pk__in=in_scope).values_list("pk", flat=True))
        evidence = _review(evidence_id=evidence_id, actor=actor, action="accept", review_note=review_note,
                           rectified_on=rectified_on, day=day)
        services.finding_rectify(finding_id=evidence.finding_id, actor=actor, rectified_on=rectified_on, today=day)
    return evidence


def evidence_return(*, evidence_id: int, actor, reason: str, today: datetime.date | None = None) -> RectificationEvidence:
    """退回整改材料 with the reason the business reads; it may then submit new material."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回理由，经营者将看到该理由。")})
    if len(reason) > MAX_NOTE:
        raise ValidationError({"reason": _("退回理由不超过 %(count)s 字。") % {"count": MAX_NOTE}})
    return _review(evidence_id=evidence_id, actor=actor, action="return", review_note=reason,
                   day=today or timezone.localdate())
