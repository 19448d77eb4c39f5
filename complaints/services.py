"""Writes of complaints and inspections: each in one transaction, rules checked here, not in views."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError, RuleViolation
from entities.models import Entity
from entities.selectors import entities_for
from regulator.workdays import current_calendar

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
from complaints.transitions import OPEN_STATES, REGULATOR_ONLY_ACTIONS, RESPONDABLE_STATES, STAFF_ACTIONS, TRANSITIONS


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _actor_name(actor) -> str:
    return actor.get_username() if actor is not None and actor.is_authenticated else _("公众")


def _event(complaint: Complaint, *, action: str, from_status: str, actor=None, reason: str = "") -> None:
    ComplaintEvent.objects.create(
        complaint=complaint, action=action, from_status=from_status, to_status=complaint.status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=_actor_name(actor), reason=reason,
    )


def _schedule_rescore(entity_id: int) -> None:
    from ratings import hooks

    hooks.evidence_changed(entity_id)


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
        ComplaintEvent.objects.create(
            complaint=complaint, action="reject", from_status=ComplaintStatus.SUBMITTED,
            to_status=ComplaintStatus.REJECTED, actor_name=_("系统"), reason=complaint.rejection_reason,
        )
    return complaint


def _check_actor(complaint: Complaint, action: str, actor) -> None:
    if action in REGULATOR_ONLY_ACTIONS and not actor.is_regulator:
        raise PermissionDenied(_("只有监管人员可以作出该决定。"))
    if action in STAFF_ACTIONS and not (actor.is_regulator or actor.is_inspector):
        raise PermissionDenied(_("只有监管或执法人员可以办理投诉。"))


@transaction.atomic
def complaint_apply(
    *, complaint_id: int, action: str, actor=None, reason: str = "", outcome: str = "",
    today: datetime.date | None = None,
) -> Complaint:
    """Apply one lifecycle action: lock the row, check the table and the guard, save, write history."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    target = TRANSITIONS.get((complaint.status, action))
    if target is None:
        raise ConflictError(
            _("不能对状态为「%(status)s」的投诉执行 %(action)s。")
            % {"status": complaint.get_status_display(), "action": action},
            code="illegal_transition",
        )
    if actor is not None and action != "withdraw":
        _check_actor(complaint, action, actor)
    day = _today(today)
    reason = (reason or "").strip()
    from_status = complaint.status

    if action == "reject":
        if not reason:
            raise ValidationError({"reason": _("不予受理须说明理由。")})
        complaint.rejection_reason = reason
    elif action == "override_late_filing":
        if not complaint.late_filing or complaint.late_filing_overridden:
            raise ConflictError(_("只有因超过 90 日被拒的投诉可以决定受理。"), code="illegal_transition")
        if not reason:
            raise ValidationError({"reason": _("超期受理须说明理由。")})
        complaint.late_filing_overridden = True
        complaint.rejection_reason = ""
        # The 5 working days to accept start again from the regulator's decision.
        complaint.accept_due = deadlines.accept_due(day, current_calendar())
    elif action == "accept":
        calendar = current_calendar()
        complaint.accepted_on = day
        complaint.notify_due = deadlines.notify_due(day, calendar)
        complaint.resolve_due = deadlines.resolve_due(day)
        # The business is notified as the complaint is accepted; its written reply is due 10 days later.
        complaint.business_notified_on = day
        complaint.reply_due = deadlines.reply_due(day)
    elif action == "resolve":
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

    complaint.status = target
    complaint.overdue = deadlines.is_overdue(
        status=target, accept_due_on=complaint.accept_due, resolve_due_on=complaint.resolve_due, today=day
    ) or (complaint.overdue and target in OPEN_STATES)
    complaint.full_clean()
    complaint.save()
    _event(complaint, action=action, from_status=from_status, actor=actor, reason=reason)

    if action == "accept":
        from complaints.tasks import notify_business_of_complaint

        notify_business_of_complaint.delay_on_commit(complaint.pk)
    if action in {"resolve", "withdraw"} or from_status == ComplaintStatus.RESOLVED:
        _schedule_rescore(complaint.entity_id)
    return complaint


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


def mark_overdue(*, today: datetime.date | None = None) -> list[int]:
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
    _schedule_rescore(entity.pk)
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
    _schedule_rescore(finding.inspection.entity_id)
    return finding
