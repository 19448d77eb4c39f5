"""投诉文书: the written notices of the complaint procedure, built here and numbered by the kernel.

To the complainant: 受理通知书, 不予受理通知书 (citing the ground's article), 转办告知书; to the business:
答复通知书 (its delivery starts the 10 days of the written reply); to both: 调解书 and 终止调解书. Every legal
basis comes from the citation catalogue (``core.citations.cite``) as in force on the issue date.

A complainant's name and phone never appear in a document: the complainant is addressed as 投诉人 with the
complaint's number, so the documents can be shown to the handling inspector and the business as well as on
the public tracking page. Documents are issued by the authority of the entity's region, or of the receiving
region when the respondent is not (yet) a registered entity.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from complaints import deadlines
from complaints.models import Complaint, RejectionGround
from core import documents
from core.citations import cite
from core.document_render import date_words
from core.models import DocumentKind, ServedDocument

ABOUT = "complaint"
#: what the complainant is given (the tracking page shows these); the business notice is the business's
FOR_COMPLAINANT = (DocumentKind.COMPLAINT_ACCEPTANCE, DocumentKind.COMPLAINT_REJECTION,
                   DocumentKind.COMPLAINT_TRANSFER, DocumentKind.MEDIATION_AGREEMENT,
                   DocumentKind.MEDIATION_TERMINATION)

#: the citation key of each ground of non-acceptance (blank: the grounds in general)
GROUND_CITATIONS = {
    RejectionGround.LATE_FILING: "complaint.late_filing",
    RejectionGround.PENDING_ELSEWHERE: "complaint.pending_elsewhere",
    RejectionGround.DECIDED_BEFORE: "complaint.decided_before",
    RejectionGround.OUTSIDE_REMIT: "complaint.outside_remit",
    RejectionGround.NOT_A_COMPLAINT: "complaint.not_complaint",
    "": "complaint.reject_grounds",
}


def complainant(complaint: Complaint) -> str:
    return _("投诉人（投诉编号 %(id)s）") % {"id": complaint.pk}


def region_of(complaint: Complaint) -> str:
    return complaint.entity.region_code if complaint.entity_id is not None else complaint.region_code


def _matter(complaint: Complaint) -> dict[str, str]:
    return {"heading": _("投诉事项"), "text": _(
        "本机关于%(received)s收到的对%(respondent)s的投诉（投诉编号 %(id)s，投诉类别：%(category)s，"
        "事发日期：%(incident)s）。") % {
        "received": date_words(complaint.received_on), "respondent": complaint.respondent_name, "id": complaint.pk,
        "category": complaint.get_category_display(), "incident": date_words(complaint.incident_date)}}


def _basis(key: str, day: datetime.date) -> dict[str, str]:
    return {"heading": _("依据"), "text": cite(key, on=day)}


def _issue(complaint: Complaint, *, kind: str, recipient: str, sections: list[dict[str, str]],
           day: datetime.date, actor) -> ServedDocument:
    return documents.document_issue(kind=kind, about_type=ABOUT, about_id=complaint.pk,
                                    region_code=region_of(complaint), recipient=recipient, sections=sections,
                                    issued_on=day, actor=actor)


def issue_acceptance(complaint: Complaint, *, day: datetime.date, actor=None) -> ServedDocument:
    """受理通知书."""
    decision = _("经审查，本机关于%(day)s决定受理你的投诉，将通知被投诉人书面答复，并自受理之日起 %(days)s 日内"
                 "（%(due)s前）作出处理。") % {"day": date_words(day), "days": deadlines.RESOLVE_DAYS,
                                               "due": date_words(complaint.resolve_due)}
    return _issue(complaint, kind=DocumentKind.COMPLAINT_ACCEPTANCE, recipient=complainant(complaint),
                  sections=[_matter(complaint), {"heading": _("受理决定"), "text": decision},
                            _basis("complaint.accept_deadline", day)], day=day, actor=actor)


def issue_rejection(complaint: Complaint, *, day: datetime.date, actor=None) -> ServedDocument:
    """不予受理通知书: the ground in words, the detail, and the ground's own article."""
    ground = complaint.rejection_ground
    label = RejectionGround(ground).label if ground else ""
    detail = complaint.rejection_reason if complaint.rejection_reason != label else ""
    reason = "：".join(part for part in (str(label), detail) if part)
    text = _("经审查，你的投诉%(reason)s，本机关决定不予受理。") % {"reason": f"（{reason}）" if reason else ""}
    return _issue(complaint, kind=DocumentKind.COMPLAINT_REJECTION, recipient=complainant(complaint),
                  sections=[_matter(complaint), {"heading": _("不予受理理由"), "text": text},
                            _basis(GROUND_CITATIONS[ground], day)], day=day, actor=actor)


def issue_transfer(complaint: Complaint, *, day: datetime.date, actor=None, reason: str = "") -> ServedDocument:
    """转办告知书: to which department, and how to reach it."""
    text = _("经审查，你的投诉由%(department)s依法处理，本机关已于%(day)s将投诉转交该部门办理。") % {
        "department": complaint.transferred_to, "day": date_words(day)}
    if complaint.transferred_contact:
        text += _("联系方式：%(contact)s。") % {"contact": complaint.transferred_contact}
    sections = [_matter(complaint), {"heading": _("转办"), "text": text}]
    if reason:
        sections.append({"heading": _("说明"), "text": reason})
    sections.append(_basis("complaint.transfer", day))
    return _issue(complaint, kind=DocumentKind.COMPLAINT_TRANSFER, recipient=complainant(complaint),
                  sections=sections, day=day, actor=actor)


def issue_business_notice(complaint: Complaint, *, day: datetime.date, actor=None) -> ServedDocument:
    """答复通知书: what was complained about, and the written reply due 10 days after delivery."""
    matter = _("本机关于%(accepted)s受理了对你方的投诉（投诉编号 %(id)s，投诉类别：%(category)s）。投诉内容：%(text)s") % {
        "accepted": date_words(complaint.accepted_on), "id": complaint.pk,
        "category": complaint.get_category_display(), "text": complaint.description}
    reply = _("请自收到本通知书之日起 %(days)s 日内，向本机关提交书面答复，说明事实、理由并提供相关证据。") % {
        "days": deadlines.REPLY_DAYS}
    return _issue(complaint, kind=DocumentKind.COMPLAINT_BUSINESS_NOTICE, recipient=complaint.respondent_name,
                  sections=[{"heading": _("投诉事项"), "text": matter}, {"heading": _("答复要求"), "text": reply},
                            _basis("complaint.business_notice", day)], day=day, actor=actor)


def _parties(complaint: Complaint) -> dict[str, str]:
    return {"heading": _("当事人"), "text": _("投诉人：%(complainant)s；被投诉人：%(respondent)s。") % {
        "complainant": complainant(complaint), "respondent": complaint.respondent_name}}


def issue_mediation_agreement(complaint: Complaint, *, day: datetime.date, actor=None) -> ServedDocument:
    """调解书: what both sides agreed, and the day each signed."""
    signed = _("投诉人于%(complainant)s签署同意，被投诉人于%(respondent)s签署同意。") % {
        "complainant": date_words(complaint.mediation_complainant_signed_on),
        "respondent": date_words(complaint.mediation_respondent_signed_on)}
    return _issue(complaint, kind=DocumentKind.MEDIATION_AGREEMENT,
                  recipient=_("%(complainant)s、%(respondent)s") % {"complainant": complainant(complaint),
                                                                   "respondent": complaint.respondent_name},
                  sections=[_parties(complaint), {"heading": _("调解协议"), "text": complaint.mediation_terms},
                            {"heading": _("双方签署"), "text": signed}, _basis("complaint.mediation", day)],
                  day=day, actor=actor)


def issue_mediation_termination(complaint: Complaint, *, day: datetime.date, actor=None) -> ServedDocument:
    """终止调解书: why mediation ended without agreement."""
    text = _("%(reason)s本机关决定终止调解，并依法继续处理。") % {
        "reason": complaint.mediation_termination_reason.rstrip("。") + "，"}
    return _issue(complaint, kind=DocumentKind.MEDIATION_TERMINATION,
                  recipient=_("%(complainant)s、%(respondent)s") % {"complainant": complainant(complaint),
                                                                   "respondent": complaint.respondent_name},
                  sections=[_parties(complaint), {"heading": _("终止调解理由"), "text": text},
                            _basis("complaint.mediation", day)], day=day, actor=actor)


def complaint_documents(complaint_id: int, *, for_complainant: bool = False):
    """The documents of a complaint in issue order; ``for_complainant``: only those addressed to the complainant."""
    queryset = documents.documents_about(ABOUT, complaint_id).select_related("authority")
    if for_complainant:
        queryset = queryset.filter(kind__in=FOR_COMPLAINANT)
    return queryset


# ---------------------------------------------------------------- the procedure, registered with the kernel


def _visible(user):
    from complaints.selectors import complaints_for

    return complaints_for(user).values("pk")


def _served(document: ServedDocument, today: datetime.date) -> None:
    # services import this module at top, so the hook imports services here
    from complaints.services import complaint_document_served

    complaint_document_served(document=document, today=today)


documents.register(ABOUT, visible=_visible, served=_served)
