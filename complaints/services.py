"""Writes of complaints and inspections: each in one transaction, rules checked here, not in views."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import deadlines
from complaints.models import (
    Complaint,
    ComplaintEvent,
    ComplaintOutcome,
    ComplaintStatus,
    Finding,
    Inspection,
    InspectionPlanItem,
    Penalty,
    ViolationType,
)
from complaints.tasks import notify_business_of_complaint as notify_business_task
from complaints.transitions import (
    ACTION_LABELS,
    OPEN_STATES,
    REGULATOR_ONLY_ACTIONS,
    RESPONDABLE_STATES,
    STAFF_ACTIONS,
    TRANSITIONS,
)
from config.api.exceptions import ConflictError, RuleViolation
from core import evidence
from core.transitions import record_transition, transition_run
from core.workdays import current_calendar
from entities.models import Entity
from entities.selectors import entities_for


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _event(complaint: Complaint, *, action: str, from_status: str, actor=None, reason: str = "") -> None:
    record_transition(ComplaintEvent, subject=complaint, action=action, from_status=from_status, actor=actor,
                      reason=reason, anonymous_name=_("公众"))


@transaction.atomic
def complaint_file(
    *, entity: Entity, category: str, description: str, incident_date: datetime.date, channel: str = "web",
    complainant_name: str = "", complainant_phone: str = "", complainant_count: int = 1,
    representatives: str = "", actor=None, today: datetime.date | None = None,
) -> Complaint:
    """File a complaint. One filed more than 90 days after the incident is refused with that reason."""
    received_on = _today(today)
    if incident_date > received_on:
        raise ValidationError({"incident_date": _("事发日期不能晚于今天。")})
    if complainant_count >= 4 and not representatives.strip():
        # 旅游投诉处理办法 第十一条: 4 人以上共同投诉应推选代表人。
        raise ValidationError({"representatives": _("4 人以上共同投诉应推选代表人。")})
    calendar = current_calendar()
    complaint = Complaint(
        entity=entity, category=category, description=description, channel=channel,
        complainant_name=complainant_name, complainant_phone=complainant_phone,
        complainant_count=complainant_count, representatives=representatives,
        incident_date=incident_date, received_on=received_on,
        accept_due=deadlines.accept_due(received_on, calendar),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    late = deadlines.is_late_filing(incident_date, received_on)
    if late:
        complaint.late_filing = True
        complaint.status = ComplaintStatus.REJECTED
        complaint.rejection_reason = _("投诉距服务结束已超过 90 日，依《旅游投诉处理办法》第十条不予受理。")
    complaint.full_clean()
    complaint.save()
    _event(complaint, action="file", from_status="", actor=actor)
    if late:
        record_transition(ComplaintEvent, subject=complaint, action="reject", from_status=ComplaintStatus.SUBMITTED,
                          reason=complaint.rejection_reason)  # by the system: the 90 days are a rule
    return complaint


def _check_actor(action: str, actor) -> None:
    if action in REGULATOR_ONLY_ACTIONS and not actor.is_regulator:
        raise PermissionDenied(_("只有监管人员可以作出该决定。"))
    if action in STAFF_ACTIONS and not (actor.is_regulator or actor.is_inspector):
        raise PermissionDenied(_("只有监管或执法人员可以办理投诉。"))


def _complaint_step(*, complaint_id: int, action: str, actor=None, reason: str = "",
                    today: datetime.date | None = None, change=None) -> tuple[Complaint, str]:
    """Check who may act, then move the complaint through the table; recompute the overdue flag."""
    if actor is not None and action != "withdraw":
        _check_actor(action, actor)
    day = _today(today)
    reason = (reason or "").strip()

    def apply(complaint: Complaint) -> None:
        if change is not None:
            change(complaint, day, reason)
        target = TRANSITIONS[(complaint.status, action)].target
        complaint.overdue = deadlines.is_overdue(
            status=target, accept_due_on=complaint.accept_due, resolve_due_on=complaint.resolve_due, today=day
        ) or (complaint.overdue and target in OPEN_STATES)

    complaint, from_status = transition_run(
        queryset=Complaint.objects.all(), pk=complaint_id, action=action, table=TRANSITIONS,
        history=ComplaintEvent, day=day, actor=actor, reason=reason, change=apply, labels=ACTION_LABELS,
        anonymous_name=_("公众"),
    )
    if from_status == ComplaintStatus.RESOLVED:  # a resolved complaint's outcome was evidence
        evidence.evidence_changed(complaint.entity_id)
    return complaint, from_status


@transaction.atomic
def complaint_accept(*, complaint_id: int, actor=None, reason: str = "", today: datetime.date | None = None) -> Complaint:
    """受理: within 5 working days; the business is notified at once and owes a written reply in 10 days."""

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        calendar = current_calendar()
        complaint.accepted_on = day
        complaint.notify_due = deadlines.notify_due(day, calendar)
        complaint.resolve_due = deadlines.resolve_due(day)
        complaint.business_notified_on = day
        complaint.reply_due = deadlines.reply_due(day)

    complaint, _from = _complaint_step(complaint_id=complaint_id, action="accept", actor=actor, reason=reason,
                                       today=today, change=change)
    # After commit, and never an error: the acceptance has committed whatever the broker's state.
    transaction.on_commit(lambda: evidence.send_tolerantly(lambda: notify_business_task.delay(complaint.pk),
                                                           f"notice to the business of complaint {complaint.pk}"))
    return complaint


@transaction.atomic
def complaint_reject(*, complaint_id: int, reason: str, actor=None, today: datetime.date | None = None) -> Complaint:
    """不予受理, with the reason the complainant is told."""

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        if not reason:
            raise ValidationError({"reason": _("不予受理须说明理由。")})
        complaint.rejection_reason = reason

    return _complaint_step(complaint_id=complaint_id, action="reject", actor=actor, reason=reason, today=today,
                           change=change)[0]


@transaction.atomic
def complaint_override_late_filing(*, complaint_id: int, reason: str, actor=None,
                                   today: datetime.date | None = None) -> Complaint:
    """超期决定受理: a regulator takes up a complaint refused only for the 90 days; 5 days run again."""

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        if not reason:
            raise ValidationError({"reason": _("超期受理须说明理由。")})
        complaint.late_filing_overridden = True
        complaint.rejection_reason = ""
        complaint.accept_due = deadlines.accept_due(day, current_calendar())

    return _complaint_step(complaint_id=complaint_id, action="override_late_filing", actor=actor, reason=reason,
                           today=today, change=change)[0]


@transaction.atomic
def complaint_start_investigation(*, complaint_id: int, actor=None, reason: str = "",
                                  today: datetime.date | None = None) -> Complaint:
    """调查处理 begins."""
    return _complaint_step(complaint_id=complaint_id, action="start_investigation", actor=actor, reason=reason,
                           today=today)[0]


@transaction.atomic
def complaint_resolve(*, complaint_id: int, outcome: str, reason: str, actor=None,
                      today: datetime.date | None = None) -> Complaint:
    """办结: an outcome (substantiated, unsubstantiated, mediated) and the reasons; the outcome is evidence."""

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        errors = {}
        if outcome not in ComplaintOutcome.values:
            errors["outcome"] = [_("办结须给出处理结果：substantiated、unsubstantiated 或 mediated。")]
        if not reason:
            errors["reason"] = [_("办结须说明理由。")]
        if errors:
            raise ValidationError(errors)
        complaint.outcome = outcome
        complaint.resolution = reason
        complaint.resolved_on = day

    complaint, _from = _complaint_step(complaint_id=complaint_id, action="resolve", actor=actor, reason=reason,
                                       today=today, change=change)
    evidence.evidence_changed(complaint.entity_id)
    return complaint


@transaction.atomic
def complaint_close(*, complaint_id: int, actor=None, reason: str = "", today: datetime.date | None = None) -> Complaint:
    """归档."""
    return _complaint_step(complaint_id=complaint_id, action="close", actor=actor, reason=reason, today=today)[0]


@transaction.atomic
def complaint_withdraw(*, complaint_id: int, actor=None, reason: str = "",
                       today: datetime.date | None = None) -> Complaint:
    """撤回: by the complainant (through the tracking code) or by staff on their behalf."""
    complaint, _from = _complaint_step(complaint_id=complaint_id, action="withdraw", actor=actor, reason=reason,
                                       today=today)
    evidence.evidence_changed(complaint.entity_id)
    return complaint


#: the handling steps by the name the API and admin use for them
COMPLAINT_STEPS = {
    "accept": complaint_accept, "reject": complaint_reject, "start_investigation": complaint_start_investigation,
    "resolve": complaint_resolve, "close": complaint_close, "withdraw": complaint_withdraw,
    "override_late_filing": complaint_override_late_filing,
}


@transaction.atomic
def complaint_respond(*, complaint_id: int, actor, statement: str) -> Complaint:
    """The business's written reply (经营者书面答复)."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if complaint.status not in RESPONDABLE_STATES:
        raise ConflictError(_("只有已受理或调查中的投诉可以答复。"), code="illegal_transition")
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("答复内容不能为空。")})
    complaint.business_response = statement
    complaint.business_responded_at = timezone.now()
    complaint.full_clean()
    complaint.save(update_fields=["business_response", "business_responded_at", "updated_at"])
    _event(complaint, action="respond", from_status=complaint.status, actor=actor, reason="")
    return complaint


def complaints_mark_overdue(*, today: datetime.date | None = None) -> list[int]:
    """Flag open complaints past their step's deadline; return the ids newly flagged."""
    day = _today(today)
    newly: list[int] = []
    with transaction.atomic():
        candidates = (
            Complaint.objects.select_for_update(skip_locked=True)
            .filter(status__in=OPEN_STATES, overdue=False)
            .only("id", "status", "accept_due", "resolve_due")
        )
        for complaint in candidates.filter(accept_due__lt=day) | candidates.filter(resolve_due__lt=day):
            if deadlines.is_overdue(status=complaint.status, accept_due_on=complaint.accept_due,
                                    resolve_due_on=complaint.resolve_due, today=day):
                newly.append(complaint.pk)
        Complaint.objects.filter(pk__in=newly).update(overdue=True, overdue_notified_on=day)
    return newly


# ---------------------------------------------------------------- inspections

def _finding_errors(data: dict[str, Any], inspected_on: datetime.date,
                    today: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    penalty = data.get("penalty", Penalty.NONE)
    amount = data.get("fine_amount")
    if penalty == Penalty.FINE and (amount is None or amount <= 0):
        errors["fine_amount"] = [_("罚款处罚须填写大于 0 的罚款金额。")]
    if penalty != Penalty.FINE and amount not in (None, 0):
        errors["fine_amount"] = [_("只有罚款处罚才填写罚款金额。")]
    if penalty != Penalty.NONE and not (data.get("decision_number") or "").strip():
        errors["decision_number"] = [_("作出行政处罚须填写行政处罚决定书文号。")]
    rectify_by = data.get("rectify_by")
    if rectify_by is not None and rectify_by < inspected_on:
        errors["rectify_by"] = [_("整改期限不得早于检查日期。")]
    rectified_on = data.get("rectified_on")
    if rectified_on is not None and rectified_on < inspected_on:
        errors["rectified_on"] = [_("整改完成日期不得早于检查日期。")]
    elif rectified_on is not None and rectified_on > today:
        errors["rectified_on"] = [_("整改完成日期不能晚于今天。")]
    return errors


@transaction.atomic
def inspection_create(
    *, actor, entity: Entity, inspected_on: datetime.date, kind: str, findings: list[dict[str, Any]],
    summary: str = "", complaint: Complaint | None = None, plan_item: InspectionPlanItem | None = None,
    today: datetime.date | None = None,
) -> Inspection:
    """Record an inspection and all its findings at once: one bad finding rejects the whole inspection."""
    day = _today(today)
    errors: dict[str, Any] = {}
    if not entities_for(actor).filter(pk=entity.pk).exists():
        errors["entity"] = [_("该主体不在您的检查范围内。")]
    if inspected_on > day:
        errors["inspected_on"] = [_("检查日期不能晚于今天。")]
    if complaint is not None and complaint.entity_id != entity.pk:
        errors["complaint"] = [_("关联投诉不是针对该主体的。")]
    if kind == "complaint" and complaint is None:
        errors["complaint"] = [_("投诉核查须关联投诉。")]
    if plan_item is not None and plan_item.entity_id != entity.pk:
        errors["plan_item"] = [_("抽查计划条目不是该主体的。")]
    # Keyed by index, the shape DRF gives the serializer's own errors of the same list.
    finding_errors = {index: found for index, item in enumerate(findings)
                      if (found := _finding_errors(item, inspected_on, day))}
    if finding_errors:
        errors["findings"] = finding_errors
    if errors:
        raise RuleViolation(errors)

    inspection = Inspection(entity=entity, inspector=actor, inspected_on=inspected_on, kind=kind,
                            complaint=complaint, plan_item=plan_item, summary=summary)
    inspection.full_clean()
    inspection.save()
    for item in findings:
        violation: ViolationType = item["violation_type"]
        finding = Finding(
            inspection=inspection,
            violation_type=violation,
            severity=item.get("severity") or violation.default_severity,
            description=item["description"],
            penalty=item.get("penalty", Penalty.NONE),
            fine_amount=item.get("fine_amount"),
            decision_number=item.get("decision_number", ""),
            decided_on=item.get("decided_on") or (inspected_on if item.get("penalty", "none") != "none" else None),
            rectify_by=item.get("rectify_by"),
            rectified_on=item.get("rectified_on"),
        )
        finding.full_clean(exclude=["inspection"])
        finding.save()
    evidence.evidence_changed(entity.pk)
    return inspection


@transaction.atomic
def finding_rectify(*, finding_id: int, actor, rectified_on: datetime.date, today: datetime.date | None = None) -> Finding:
    finding = Finding.objects.select_for_update().select_related("inspection").get(pk=finding_id)
    if finding.rectified_on is not None:
        raise ConflictError(_("该问题已于 %(date)s 整改完成。") % {"date": finding.rectified_on}, code="already_rectified")
    if rectified_on > _today(today):
        raise ValidationError({"rectified_on": _("整改完成日期不能晚于今天。")})
    if rectified_on < finding.inspection.inspected_on:
        raise ValidationError({"rectified_on": _("整改完成日期不得早于检查日期。")})
    finding.rectified_on = rectified_on
    finding.save(update_fields=["rectified_on", "updated_at"])
    evidence.evidence_changed(finding.inspection.entity_id)
    return finding
