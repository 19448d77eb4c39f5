"""Writes of complaints and inspections: each in one transaction, rules checked here, not in views.

The complaint procedure (旅游投诉处理办法): filing (the received date given by staff for letters and hotline
work orders), acceptance review with three outcomes (accept, reject on a ground, transfer), the business
notice and its delivery, the business's written reply, mediation (调解书 or 终止调解书), resolution, and the
link of an unregistered respondent to the registry. Each step writes a history row; each decision that the
law says is notified in writing issues its document (complaints.documents).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints import campaign_services, deadlines
from complaints import documents as complaint_documents
from complaints.models import (
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintOutcome,
    ComplaintStatus,
    Finding,
    Inspection,
    InspectionPlanItem,
    MediationResult,
    Penalty,
    PractitionerKind,
    RejectionGround,
    RespondentKind,
    ViolationType,
)
from complaints.tasks import notify_business_of_complaint as notify_business_task
from complaints.transitions import (
    ACTION_LABELS,
    HANDLING_STATES,
    OPEN_STATES,
    REGULATOR_ONLY_ACTIONS,
    RESPONDABLE_STATES,
    STAFF_ACTIONS,
    TRANSITIONS,
)
from config.api.exceptions import ConflictError, RuleViolation
from core import documents as served_documents
from core import evidence
from core.models import DocumentKind, ServedDocument
from core.scope import Sector, validate_region_code
from core.transitions import record_transition, transition_run
from core.workdays import current_calendar
from entities.models import Entity, Person
from entities.selectors import entities_for, persons_for

#: channels whose complaints arrive before anyone types them in: staff give the received date
STAFF_CHANNELS = {ComplaintChannel.LETTER, ComplaintChannel.HOTLINE_12345, ComplaintChannel.HOTLINE_12301}
_NAME_SEPARATORS = re.compile(r"[、,，;；\n]+")
#: the sector a person's complaint is handled in, by what the person does
_PERSON_SECTORS = {PractitionerKind.GUIDE: Sector.TOURISM, PractitionerKind.HOUSEHOLD_WORKER: Sector.HOUSEHOLD_SERVICE}


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _event(complaint: Complaint, *, action: str, from_status: str, actor=None, reason: str = "") -> None:
    record_transition(ComplaintEvent, subject=complaint, action=action, from_status=from_status, actor=actor,
                      reason=reason, anonymous_name=_("公众"))


def _is_staff(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False)
                and (actor.is_regulator or actor.is_inspector))


def _evidence_of(complaint: Complaint) -> None:
    """A complaint's outcome is evidence about its entity; a complaint with no entity is evidence about nobody."""
    if complaint.entity_id is not None:
        evidence.evidence_changed(complaint.entity_id)


def representative_names(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Representatives as a list of names, from a list or from one string separated by 、，; or new lines."""
    if not value:
        return []
    items = _NAME_SEPARATORS.split(value) if isinstance(value, str) else value
    return [str(item).strip() for item in items if str(item).strip()]


def _has_authority(region_code: str) -> bool:
    try:
        served_documents.authority_for(region_code)
    except ConflictError:
        return False
    return True


def _received_on_errors(*, received_on: datetime.date | None, incident_date: datetime.date, channel: str,
                        actor, day: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if incident_date > day:
        errors["incident_date"] = [_("事发日期不能晚于今天。")]
    if received_on is not None and received_on != day:
        if received_on > day:
            errors["received_on"] = [_("收到日期不能晚于今天。")]
        elif channel not in STAFF_CHANNELS:
            errors["received_on"] = [_("网站投诉以提交之日为收到日期；信函和热线工单才填写收到日期。")]
        elif not _is_staff(actor):
            errors["received_on"] = [_("收到日期由工作人员录入信函或热线工单时填写。")]
    received = received_on or day
    if not errors and incident_date > received:
        errors["received_on"] = [_("收到日期不得早于事发日期。")]
    return errors


def _respondent(*, entity: Entity | None, respondent_kind: str, operator: dict[str, str], person: dict[str, str],
                region_code: str, sector: str) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The respondent's fields and the errors: exactly one of a registered entity, an operator, a person."""
    has_operator, has_person = bool(operator["operator_name"]), bool(person["person_name"])
    kind = respondent_kind or (RespondentKind.ENTITY if entity is not None else RespondentKind.OPERATOR
                               if has_operator else RespondentKind.PERSON if has_person else "")
    errors: dict[str, list[str]] = {}
    if kind not in RespondentKind.values:
        errors["entity"] = [_("请指定被投诉主体（entity 或 entity_credit_code）。")]
        return {}, errors
    if kind == RespondentKind.ENTITY and entity is None:
        errors["entity"] = [_("请指定被投诉主体（entity 或 entity_credit_code）。")]
    if kind != RespondentKind.ENTITY and entity is not None:
        errors["entity"] = [_("投诉未登记经营者或从业人员个人时，不再指定登记主体。")]
    if kind == RespondentKind.OPERATOR and not has_operator:
        errors["operator_name"] = [_("请填写被投诉经营者的名称。")]
    if kind != RespondentKind.OPERATOR and has_operator:
        errors["operator_name"] = [_("一件投诉只针对一个被投诉人：已指定登记主体或个人时不填写经营者名称。")]
    if kind == RespondentKind.PERSON and not has_person:
        errors["person_name"] = [_("请填写被投诉人员的姓名。")]
    if kind != RespondentKind.PERSON and has_person:
        errors["person_name"] = [_("一件投诉只针对一个被投诉人：已指定登记主体或经营者时不填写个人姓名。")]
    if person["person_role"] and person["person_role"] not in PractitionerKind.values:
        errors["person_role"] = [_("人员身份应为：%(v)s。") % {"v": "、".join(PractitionerKind.values)}]
    fields: dict[str, Any] = {"respondent_kind": kind, "entity": entity}
    if kind == RespondentKind.OPERATOR:
        fields.update(operator)
    if kind == RespondentKind.PERSON:
        fields.update(person)
    if kind == RespondentKind.ENTITY:
        if entity is not None:
            fields.update(region_code=entity.region_code, sector=entity.sector)
        return fields, errors
    # Not a registered entity: the receiving region and sector decide who handles it.
    if not region_code:
        errors["region_code"] = [_("被投诉人未登记时，请选择受理地（行政区划代码）。")]
    else:
        try:
            validate_region_code(region_code)
        except ValidationError as exc:
            errors["region_code"] = exc.messages
        else:
            if not _has_authority(region_code):
                errors["region_code"] = [_("该地区没有登记受理投诉的机关。")]
    sector = sector or _PERSON_SECTORS.get(person["person_role"], Sector.TOURISM)
    if sector not in Sector.values:
        errors["sector"] = [_("行业应为：%(v)s。") % {"v": "、".join(Sector.values)}]
    fields.update(region_code=region_code, sector=sector)
    return fields, errors


def _representative_errors(names: list[str], complainant_count: int) -> dict[str, list[str]]:
    if not names:
        return {}  # representatives are optional, whatever the number of complainants
    if complainant_count < deadlines.GROUP_SIZE:
        return {"representatives": [_("4 人以上共同投诉的，才推选代表人。")]}
    if len(names) > deadlines.MAX_REPRESENTATIVES:
        return {"representatives": [_("4 人以上共同投诉的，可以推选 1 至 3 名代表人。")]}
    if any(len(name) > 50 for name in names):
        return {"representatives": [_("代表人姓名不超过 50 个字。")]}
    return {}


@transaction.atomic
def complaint_file(
    *, category: str, description: str, incident_date: datetime.date, entity: Entity | None = None,
    channel: str = "web", complainant_name: str = "", complainant_phone: str = "", complainant_count: int = 1,
    representatives: str | list[str] = "", actor=None, today: datetime.date | None = None,
    received_on: datetime.date | None = None, respondent_kind: str = "", operator_name: str = "",
    operator_address: str = "", operator_phone: str = "", operator_details: str = "", person_name: str = "",
    person_role: str = "", person_card_number: str = "", region_code: str = "", sector: str = "",
) -> Complaint:
    """File a complaint. One received more than 90 days after the incident is refused with that ground.

    ``received_on`` is the day a letter or hotline work order arrived (staff give it; the web's is today):
    every deadline runs from it.
    """
    day = _today(today)
    errors = _received_on_errors(received_on=received_on, incident_date=incident_date, channel=channel, actor=actor,
                                 day=day)
    received = received_on or day
    operator = {"operator_name": operator_name.strip(), "operator_address": operator_address.strip(),
                "operator_phone": operator_phone.strip(), "operator_details": operator_details.strip()}
    person = {"person_name": person_name.strip(), "person_role": person_role or "",
              "person_card_number": person_card_number.strip()}
    respondent, respondent_errors = _respondent(entity=entity, respondent_kind=respondent_kind, operator=operator,
                                                person=person, region_code=(region_code or "").strip(),
                                                sector=sector or "")
    names = representative_names(representatives)
    errors.update(respondent_errors)
    errors.update(_representative_errors(names, complainant_count))
    if errors:
        raise ValidationError(errors)

    complaint = Complaint(
        **respondent, category=category, description=description, channel=channel,
        complainant_name=complainant_name, complainant_phone=complainant_phone,
        complainant_count=complainant_count, representatives=names,
        incident_date=incident_date, received_on=received,
        accept_due=deadlines.accept_due(received, current_calendar()),
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    late = deadlines.is_late_filing(incident_date, received)
    if late:
        complaint.late_filing = True
        complaint.status = ComplaintStatus.REJECTED
        complaint.rejection_ground = RejectionGround.LATE_FILING
        complaint.rejection_reason = _("投诉距服务结束已超过 90 日，不予受理。")
    complaint.full_clean()
    complaint.save()
    _event(complaint, action="file", from_status="", actor=actor)
    if late:
        record_transition(ComplaintEvent, subject=complaint, action="reject", from_status=ComplaintStatus.SUBMITTED,
                          reason=complaint.rejection_reason)  # by the system: the 90 days are a rule
        if _has_authority(complaint_documents.region_of(complaint)):
            complaint_documents.issue_rejection(complaint, day=day)
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
        queryset=Complaint.objects.select_related("entity"), pk=complaint_id, action=action, table=TRANSITIONS,
        history=ComplaintEvent, day=day, actor=actor, reason=reason, change=apply, labels=ACTION_LABELS,
        anonymous_name=_("公众"),
    )
    if from_status == ComplaintStatus.RESOLVED:  # a resolved complaint's outcome was evidence
        _evidence_of(complaint)
    return complaint, from_status


@transaction.atomic
def complaint_accept(*, complaint_id: int, actor=None, reason: str = "", today: datetime.date | None = None) -> Complaint:
    """受理: within 5 working days of receipt; the 受理通知书 goes to the complainant. The business is notified
    by its own document (complaint_notify_business), due 5 working days from today."""

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        complaint.accepted_on = day
        complaint.notify_due = deadlines.notify_due(day, current_calendar())
        complaint.resolve_due = deadlines.resolve_due(day)

    complaint, _from = _complaint_step(complaint_id=complaint_id, action="accept", actor=actor, reason=reason,
                                       today=today, change=change)
    complaint_documents.issue_acceptance(complaint, day=_today(today), actor=actor)
    return complaint


@transaction.atomic
def complaint_reject(*, complaint_id: int, reason: str = "", ground: str = "", actor=None,
                     today: datetime.date | None = None) -> Complaint:
    """不予受理: on a ground (RejectionGround) with its detail, told to the complainant in a 不予受理通知书.

    ``reason`` alone (no ground) is still accepted; the notice then cites the grounds of non-acceptance in general.
    """
    ground = (ground or "").strip()

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        if ground and ground not in RejectionGround.values:
            raise ValidationError({"ground": [_("不予受理情形应为：%(v)s。") % {"v": "、".join(RejectionGround.values)}]})
        if not ground and not reason:
            raise ValidationError({"reason": [_("不予受理须说明理由（不予受理情形 ground 或理由 reason）。")]})
        complaint.rejection_ground = ground
        complaint.rejection_reason = reason or str(RejectionGround(ground).label)
        if ground == RejectionGround.LATE_FILING:
            complaint.late_filing = True

    complaint, _from = _complaint_step(complaint_id=complaint_id, action="reject", actor=actor, reason=reason,
                                       today=today, change=change)
    complaint_documents.issue_rejection(complaint, day=_today(today), actor=actor)
    return complaint


@transaction.atomic
def complaint_transfer(*, complaint_id: int, department: str, contact: str = "", reason: str = "", actor=None,
                       today: datetime.date | None = None) -> Complaint:
    """转办: to the department competent for it, named in the 转办告知书 the complainant gets."""
    department, contact, reason = (department or "").strip(), (contact or "").strip(), (reason or "").strip()
    if not department:
        raise ValidationError({"department": [_("转办须写明承办部门。")]})
    if len(department) > 200 or len(contact) > 200:
        raise ValidationError({"department" if len(department) > 200 else "contact": [_("不超过 200 个字。")]})

    def change(complaint: Complaint, day: datetime.date, _reason: str) -> None:
        complaint.transferred_to = department
        complaint.transferred_contact = contact
        complaint.transferred_on = day

    said = _("转%(department)s办理") % {"department": department} + (f"：{reason}" if reason else "")
    complaint, _from = _complaint_step(complaint_id=complaint_id, action="transfer", actor=actor, reason=said,
                                       today=today, change=change)
    complaint_documents.issue_transfer(complaint, day=_today(today), actor=actor, reason=reason)
    return complaint


@transaction.atomic
def complaint_override_late_filing(*, complaint_id: int, reason: str, actor=None,
                                   today: datetime.date | None = None) -> Complaint:
    """超期决定受理: a regulator takes up a complaint refused only for the 90 days; 5 days run again."""

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        if not reason:
            raise ValidationError({"reason": _("超期受理须说明理由。")})
        complaint.late_filing_overridden = True
        complaint.rejection_reason = ""
        complaint.rejection_ground = ""
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
    """办结: an outcome (substantiated, unsubstantiated, mediated) and the reasons; the outcome is evidence.

    ``mediated`` needs the 调解书 signed by both sides (complaint_mediation_agree) first.
    """

    def change(complaint: Complaint, day: datetime.date, reason: str) -> None:
        errors = {}
        if outcome not in ComplaintOutcome.values:
            errors["outcome"] = [_("办结须给出处理结果：substantiated、unsubstantiated 或 mediated。")]
        elif outcome == ComplaintOutcome.MEDIATED and complaint.mediation_result != MediationResult.AGREEMENT:
            errors["outcome"] = [_("以调解结案须先登记双方签署的调解书。")]
        if not reason:
            errors["reason"] = [_("办结须说明理由。")]
        if errors:
            raise ValidationError(errors)
        complaint.outcome = outcome
        complaint.resolution = reason
        complaint.resolved_on = day

    complaint, _from = _complaint_step(complaint_id=complaint_id, action="resolve", actor=actor, reason=reason,
                                       today=today, change=change)
    _evidence_of(complaint)
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
    _evidence_of(complaint)
    return complaint


#: the handling steps by the name the API and admin use for them
COMPLAINT_STEPS = {
    "accept": complaint_accept, "reject": complaint_reject, "transfer": complaint_transfer,
    "start_investigation": complaint_start_investigation, "resolve": complaint_resolve, "close": complaint_close,
    "withdraw": complaint_withdraw, "override_late_filing": complaint_override_late_filing,
}


def _locked_in_handling(complaint_id: int, *, action: str, actor) -> Complaint:
    """The complaint locked for a step that keeps its state; only while accepted or under investigation."""
    if actor is not None:
        _check_actor(action, actor)
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("entity").get(pk=complaint_id)
    if complaint.status not in HANDLING_STATES:
        raise ConflictError(_("不能对状态为「%(status)s」的投诉执行「%(action)s」。")
                            % {"status": complaint.get_status_display(), "action": ACTION_LABELS[action]},
                            code="illegal_transition")
    return complaint


def _document_said(document: ServedDocument) -> str:
    return f"《{document.title}》{document.number}"


@transaction.atomic
def complaint_notify_business(*, complaint_id: int, actor=None, today: datetime.date | None = None,
                              delivery_method: str = "", delivered_on: datetime.date | None = None,
                              note: str = "") -> Complaint:
    """答复通知书: issued once, within 5 working days of acceptance; its delivery date starts the business's
    10 days. ``delivery_method`` (and ``delivered_on``) record the service at once; otherwise it is recorded
    later on the document (POST /api/v1/documents/<id>/delivery/)."""
    day = _today(today)
    complaint = _locked_in_handling(complaint_id, action="business_notice", actor=actor)
    if complaint.business_notice_id is not None:
        raise ConflictError(_("答复通知书已于 %(date)s 发出，不重复发出。") % {"date": complaint.notice_issued_on},
                            code="already_notified")
    document = complaint_documents.issue_business_notice(complaint, day=day, actor=actor)
    complaint.business_notice = document
    complaint.notice_issued_on = day
    complaint.notice_overdue = complaint.notice_overdue or deadlines.is_notice_overdue(
        status=complaint.status, notify_due_on=complaint.notify_due, issued_on=day, today=day)
    complaint.full_clean()
    complaint.save(update_fields=["business_notice", "notice_issued_on", "notice_overdue", "updated_at"])
    _event(complaint, action="business_notice", from_status=complaint.status, actor=actor,
           reason=_document_said(document))
    if complaint.entity_id is not None:
        # After commit, and never an error: the notice stands whatever the broker's state.
        transaction.on_commit(lambda: evidence.send_tolerantly(
            lambda: notify_business_task.delay(complaint.pk), f"notice to the business of complaint {complaint.pk}"))
    if delivery_method:
        try:
            served_documents.document_serve(document_id=document.pk, method=delivery_method, delivered_on=delivered_on,
                                            note=note, actor=actor, today=day)
        except ValidationError as exc:
            names = {"method": "delivery_method"}
            raise ValidationError({names.get(field, field): messages
                                   for field, messages in exc.message_dict.items()}) from exc
    return Complaint.objects.select_related("entity").get(pk=complaint.pk)


def complaint_document_served(*, document: ServedDocument, today: datetime.date) -> None:
    """The kernel recorded a document's service (inside its transaction): the business notice's delivery sets
    the reply deadline; every service is written in the history."""
    complaint = Complaint.objects.select_for_update().get(pk=document.about_id)
    action = "document_served"
    if document.kind == DocumentKind.COMPLAINT_BUSINESS_NOTICE and complaint.business_notice_id == document.pk:
        complaint.business_notified_on = document.delivered_on
        complaint.reply_due = deadlines.reply_due(document.delivered_on)
        complaint.full_clean()
        complaint.save(update_fields=["business_notified_on", "reply_due", "updated_at"])
        action = "business_notice_served"
    said = _("%(document)s于 %(date)s %(method)s") % {
        "document": _document_said(document), "date": document.delivered_on,
        "method": document.get_delivery_method_display()}
    _event(complaint, action=action, from_status=complaint.status, actor=document.delivery_recorded_by,
           reason=said)


@transaction.atomic
def complaint_respond(*, complaint_id: int, actor, statement: str) -> Complaint:
    """The business's written reply (经营者书面答复); one after its due date is recorded as late."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if complaint.status not in RESPONDABLE_STATES:
        raise ConflictError(_("只有已受理或调查中的投诉可以答复。"), code="illegal_transition")
    statement = (statement or "").strip()
    if not statement:
        raise ValidationError({"statement": _("答复内容不能为空。")})
    complaint.business_response = statement
    complaint.business_responded_at = timezone.now()
    day = timezone.localdate(complaint.business_responded_at)
    complaint.reply_overdue = complaint.reply_overdue or deadlines.is_reply_overdue(
        status=complaint.status, reply_due_on=complaint.reply_due, replied_on=day, today=day)
    complaint.full_clean()
    complaint.save(update_fields=["business_response", "business_responded_at", "reply_overdue", "updated_at"])
    _event(complaint, action="respond", from_status=complaint.status, actor=actor, reason="")
    return complaint


def _mediation_open(complaint: Complaint) -> None:
    if complaint.mediation_result:
        raise ConflictError(_("该投诉的调解已于此前结束（%(result)s），不重复登记。")
                            % {"result": complaint.get_mediation_result_display()}, code="mediation_ended")


@transaction.atomic
def complaint_mediation_agree(*, complaint_id: int, terms: str, complainant_signed_on: datetime.date | None,
                              respondent_signed_on: datetime.date | None, actor=None,
                              today: datetime.date | None = None) -> Complaint:
    """调解书: what both sides agreed and the day each signed; the complaint may then be resolved as mediated."""
    day = _today(today)
    complaint = _locked_in_handling(complaint_id, action="mediation_agreement", actor=actor)
    _mediation_open(complaint)
    terms = (terms or "").strip()
    errors: dict[str, list[str]] = {}
    if not terms:
        errors["terms"] = [_("请写明双方达成的调解协议内容。")]
    for field, signed in (("complainant_signed_on", complainant_signed_on),
                          ("respondent_signed_on", respondent_signed_on)):
        if signed is None:
            errors[field] = [_("调解书须由双方签署：请填写签署日期。")]
        elif signed > day:
            errors[field] = [_("签署日期不能晚于今天。")]
        elif complaint.accepted_on and signed < complaint.accepted_on:
            errors[field] = [_("签署日期不得早于受理日期 %(date)s。") % {"date": complaint.accepted_on}]
    if errors:
        raise ValidationError(errors)
    complaint.mediation_result = MediationResult.AGREEMENT
    complaint.mediation_terms = terms
    complaint.mediation_complainant_signed_on = complainant_signed_on
    complaint.mediation_respondent_signed_on = respondent_signed_on
    return _mediation_document(complaint, complaint_documents.issue_mediation_agreement, "mediation_agreement",
                               day=day, actor=actor)


@transaction.atomic
def complaint_mediation_terminate(*, complaint_id: int, reason: str, actor=None,
                                  today: datetime.date | None = None) -> Complaint:
    """终止调解: mediation ends without agreement, for the reason the 终止调解书 gives; handling goes on."""
    day = _today(today)
    complaint = _locked_in_handling(complaint_id, action="mediation_termination", actor=actor)
    _mediation_open(complaint)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("终止调解须说明理由。")]})
    complaint.mediation_result = MediationResult.TERMINATION
    complaint.mediation_termination_reason = reason
    return _mediation_document(complaint, complaint_documents.issue_mediation_termination, "mediation_termination",
                               day=day, actor=actor)


def _mediation_document(complaint: Complaint, issue, action: str, *, day: datetime.date, actor) -> Complaint:
    complaint.full_clean()
    complaint.save()
    document = issue(complaint, day=day, actor=actor)
    complaint.mediation_document = document
    complaint.save(update_fields=["mediation_document", "updated_at"])
    _event(complaint, action=action, from_status=complaint.status, actor=actor, reason=_document_said(document))
    return complaint


@transaction.atomic
def complaint_link_respondent(*, complaint_id: int, actor, entity: Entity | None = None, person: Person | None = None,
                              reason: str = "", today: datetime.date | None = None) -> Complaint:
    """关联: the respondent a complainant described, found in the registry (an entity, or the person complained
    about). Recorded in the history; a linked entity's resolved complaints become its evidence."""
    _check_actor("link_respondent", actor)
    if (entity is None) == (person is None):
        raise ValidationError({"entity": [_("请指定要关联的登记主体（entity）或自然人（person）之一。")]})
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("entity").get(pk=complaint_id)
    if complaint.entity_id is not None:
        raise ConflictError(_("该投诉已关联登记主体 %(name)s。") % {"name": complaint.entity.name},
                            code="already_linked")
    if entity is not None:
        if not entities_for(actor).filter(pk=entity.pk).exists():
            raise ValidationError({"entity": [_("该主体不在您的办理范围内。")]})
        complaint.entity = entity
        complaint.respondent_kind = RespondentKind.ENTITY
        complaint.person = None
        said = _("关联登记主体：%(name)s（%(code)s）") % {"name": entity.name, "code": entity.credit_code}
    else:
        if complaint.respondent_kind != RespondentKind.PERSON:
            raise ConflictError(_("只有投诉从业人员个人的投诉可以关联自然人。"), code="illegal_transition")
        if complaint.person_id is not None:
            raise ConflictError(_("该投诉已关联登记的自然人。"), code="already_linked")
        if not persons_for(actor).filter(pk=person.pk).exists():
            raise ValidationError({"person": [_("该自然人不在您的办理范围内。")]})
        complaint.person = person
        said = _("关联登记自然人：%(name)s（编号 %(id)s）") % {"name": person.name, "id": person.pk}
    reason = (reason or "").strip()
    complaint.full_clean()
    complaint.save()
    _event(complaint, action="link_respondent", from_status=complaint.status, actor=actor,
           reason=said + (f"；{reason}" if reason else ""))
    if complaint.outcome:
        _evidence_of(complaint)
    return complaint


def complaints_flag_overdue(*, today: datetime.date | None = None) -> dict[int, list[str]]:
    """Flag what passed its deadline today: the step (accept, resolve), the business notice not issued, the
    business's reply not received. Each flag is set once; returns {complaint id: flags newly set}."""
    day = _today(today)
    flagged: dict[int, list[str]] = {}
    with transaction.atomic():
        locked = Complaint.objects.select_for_update(skip_locked=True)
        steps = (locked.filter(status__in=OPEN_STATES, overdue=False)
                 .filter(Q(accept_due__lt=day) | Q(resolve_due__lt=day))
                 .only("id", "status", "accept_due", "resolve_due"))
        late_steps = [complaint.pk for complaint in steps
                      if deadlines.is_overdue(status=complaint.status, accept_due_on=complaint.accept_due,
                                              resolve_due_on=complaint.resolve_due, today=day)]
        Complaint.objects.filter(pk__in=late_steps).update(overdue=True, overdue_notified_on=day)
        for pk in late_steps:
            flagged.setdefault(pk, []).append("overdue")
        late_notices = list(locked.filter(status__in=HANDLING_STATES, notice_overdue=False,
                                          notice_issued_on__isnull=True, notify_due__lt=day).only("id", "status"))
        late_replies = list(locked.filter(status__in=HANDLING_STATES, reply_overdue=False,
                                          business_responded_at__isnull=True, reply_due__lt=day).only("id", "status"))
        for flag, complaints in (("notice_overdue", late_notices), ("reply_overdue", late_replies)):
            Complaint.objects.filter(pk__in=[c.pk for c in complaints]).update(**{flag: True})
            for complaint in complaints:
                _event(complaint, action=flag, from_status=complaint.status)
                flagged.setdefault(complaint.pk, []).append(flag)
    return flagged


def complaints_mark_overdue(*, today: datetime.date | None = None) -> list[int]:
    """Flag open complaints past a deadline; return the ids newly flagged."""
    return sorted(complaints_flag_overdue(today=today))


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
    today: datetime.date | None = None, campaign=None,
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
    # 专项行动: an inspection of a campaign's draw carries its campaign; tagging rules in campaign_services
    campaign = campaign or campaign_services.plan_item_campaign(plan_item)
    errors.update(campaign_services.campaign_tag_errors(campaign=campaign, region_code=entity.region_code,
                                                        sector=entity.sector, inspected_on=inspected_on,
                                                        plan_item=plan_item))
    # Keyed by index, the shape DRF gives the serializer's own errors of the same list.
    finding_errors = {index: found for index, item in enumerate(findings)
                      if (found := _finding_errors(item, inspected_on, day))}
    if finding_errors:
        errors["findings"] = finding_errors
    if errors:
        raise RuleViolation(errors)

    inspection = Inspection(entity=entity, inspector=actor, inspected_on=inspected_on, kind=kind,
                            complaint=complaint, plan_item=plan_item, summary=summary, campaign=campaign)
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
