"""名单文书: the 告知书, 认定决定书 and 信用修复决定书 of lists, and what their service sets in motion.

The kernel (``core.documents``) numbers, freezes, renders and serves documents; this module writes their
content from the listing and the rule set in force (reason, basis, measures with their bases, periods, the
objection window, appeal routes: all data, no legal text here) and registers two procedures:

* ``listing``: the 告知书 and 认定决定书 of a listing. Serving the 告知书 opens the objection window: it runs
  for the working days the notice stated, from the delivery date (for 公告送达, the day the rule set's
  waiting period ends). A business reads the documents of the listings it speaks for.
* ``repair``: the 信用修复决定书 of a repair application (of a listing or of a penalty's publicity).

Registered at import; ``regulator.lists.services`` imports this module, so every process that can write a
listing has the procedures registered.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from core import documents as kernel
from core.document_render import date_words
from core.models import DocumentKind, ServedDocument
from core.transitions import record_transition
from core.workdays import add_working_days
from regulator.lists import rules
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    Objection,
    RepairApplication,
    RepairStatus,
    SubjectType,
)
from regulator.lists.selectors import listings_for, repairs_for, rule_set_on

LISTING = "listing"
REPAIR = "repair"
PROVINCE = "140000"


# ------------------------------------------------------------------ the subject


def subject_entity(listing: Listing):
    """The entity whose sector and region a listing follows: the listed one, or a person's entity."""
    return listing.entity if listing.subject_type == SubjectType.ENTITY else listing.related_entity


def subject_kind(listing: Listing) -> tuple[str | None, str | None]:
    """(sector, category) of the listed subject, for the sector rules of the rule set."""
    entity = subject_entity(listing)
    return (entity.sector, entity.category) if entity is not None else (None, None)


def region_of(listing: Listing) -> str:
    """The region whose authority issues a listing's documents.

    The entity's; for a person the entity they were listed through; for a person alone the prefecture of
    the masked ID number's first four digits (their household registration), else the province.
    """
    entity = subject_entity(listing)
    if entity is not None and entity.region_code:
        return entity.region_code
    masked = listing.person.id_number_masked if listing.person_id else ""
    return masked[:4] + "00" if masked[:4].isdigit() else PROVINCE


def recipient_of(listing: Listing) -> str:
    if listing.subject_type == SubjectType.ENTITY:
        return _("%(name)s（统一社会信用代码：%(code)s）") % {"name": listing.entity.name,
                                                         "code": listing.entity.credit_code}
    # Never the ID number in full: the masked form (the kernel masks any full number that slips in too).
    return _("%(name)s（公民身份号码：%(masked)s）") % {"name": listing.person.name,
                                                   "masked": listing.person.id_number_masked}


def _you(listing: Listing) -> str:
    return _("你单位") if listing.subject_type == SubjectType.ENTITY else _("你")


def period_words(days: int) -> str:
    """A period as the decision states it: whole years as years, otherwise days."""
    if days % 365 == 0:
        return _("%(years)s年") % {"years": days // 365}
    return _("%(days)s日") % {"days": days}


def _list_label(listing: Listing) -> str:
    return str(ListType(listing.list_type).label)


def measure_lines(measures: list[dict[str, Any]]) -> str:
    lines = []
    for index, measure in enumerate(measures, start=1):
        basis = (measure.get("basis") or "").strip()
        lines.append(f"{index}. {measure.get('label') or measure['code']}"
                     + (_("（依据：%(basis)s）") % {"basis": basis} if basis else ""))
    return "\n".join(lines)


def route_lines(routes: list[dict[str, Any]]) -> str:
    return "\n".join(f"{index}. {route.get('text') or route.get('label') or route.get('route')}"
                     for index, route in enumerate(routes, start=1))


def routes_text(routes: list[dict[str, Any]]) -> str:
    """The appeal routes in one line (the listing's ``appeal_routes`` text, as the API has always shown it)."""
    return "；".join(str(route.get("text") or route.get("label") or route.get("route")) for route in routes)


def _contact(region_code: str) -> str:
    authority = kernel.authority_for(region_code)
    parts = [authority.name]
    if authority.address:
        parts.append(_("地址：%(address)s") % {"address": authority.address})
    if authority.phone:
        parts.append(_("电话：%(phone)s") % {"phone": authority.phone})
    return "；".join(parts)


# ------------------------------------------------------------------ 告知书


def notice_issue(listing: Listing, *, rule_document: dict[str, Any], measures: list[dict[str, Any]],
                 objection_days: int, period_days: int, day: datetime.date, actor=None) -> ServedDocument:
    """信用管理措施告知书: reason, basis, the list and period proposed, the measures, the right to object."""
    you = _you(listing)
    region = region_of(listing)
    sections = [
        {"heading": _("一、拟列入事由"), "text": listing.reason},
        {"heading": _("二、法律依据"), "text": listing.legal_basis},
        {"heading": _("三、拟列入名单及期限"),
         "text": _("本机关拟将%(you)s列入%(list)s，期限%(period)s，自认定决定作出之日起算。")
         % {"you": you, "list": _list_label(listing), "period": period_words(period_days)}},
        {"heading": _("四、拟采取的守信激励措施") if listing.list_type == ListType.RED else _("四、拟采取的信用管理措施"),
         "text": measure_lines(measures)},
        {"heading": _("五、陈述、申辩的权利"),
         "text": _("%(you)s有权自收到本告知书之日起%(days)s个工作日内，向本机关提出陈述、申辩，并提交相关证据材料。"
                   "逾期未提出的，视为放弃陈述、申辩的权利。本机关将对%(you)s提出的事实、理由和证据进行复核；"
                   "陈述、申辩成立的，本机关将予以采纳。")
         % {"you": you, "days": objection_days}},
        {"heading": _("六、提出方式"),
         "text": _("可通过信用监管平台企业服务页面在线提交，或将书面陈述、申辩材料直接递交、邮寄至本机关。")},
        {"heading": _("七、联系方式"), "text": _contact(region)},
    ]
    return kernel.document_issue(kind=DocumentKind.LISTING_NOTICE, about_type=LISTING, about_id=listing.pk,
                                 region_code=region, recipient=recipient_of(listing), sections=sections,
                                 issued_on=day, actor=actor)


# ------------------------------------------------------------------ 认定决定书


def _procedure_text(listing: Listing) -> str:
    notice = listing.notice_document
    you = _you(listing)
    lines = []
    if notice is not None:
        lines.append(_("本机关于%(issued)s制发《%(title)s》（%(number)s），于%(delivered)s以%(method)s方式送达%(you)s，"
                       "告知%(you)s拟作出本决定的事由、依据和%(you)s依法享有的陈述、申辩权利。")
                     % {"issued": date_words(notice.issued_on), "title": notice.title, "number": notice.number,
                        "delivered": date_words(notice.delivered_on),
                        "method": notice.get_delivery_method_display(), "you": you})
    objections = list(Objection.objects.filter(listing=listing).order_by("id"))
    if not objections:
        lines.append(_("%(you)s在规定期限内未提出陈述、申辩。") % {"you": you})
    for objection in objections:
        verdict = _("申辩理由成立") if objection.upheld else _("申辩理由不成立")
        lines.append(_("%(you)s于%(received)s提出陈述、申辩。经复核，%(verdict)s：%(answer)s")
                     % {"you": you, "received": date_words(objection.received_on), "verdict": verdict,
                        "answer": objection.answer})
    return "\n".join(lines)


def decision_issue(listing: Listing, *, measures: list[dict[str, Any]], routes: list[dict[str, Any]],
                   day: datetime.date, actor=None) -> ServedDocument:
    """认定决定书: reason, basis, the procedure followed, the list and its period (from-to), measures with
    their bases, and the appeal routes of the rule set in force on the decision date."""
    you = _you(listing)
    sections = [
        {"heading": _("一、认定事由"), "text": listing.reason},
        {"heading": _("二、法律依据"), "text": listing.legal_basis},
        {"heading": _("三、告知与陈述申辩"), "text": _procedure_text(listing)},
        {"heading": _("四、认定结论"),
         "text": _("本机关决定将%(you)s列入%(list)s，期限%(period)s，自%(start)s起，至%(end)s期满。")
         % {"you": you, "list": _list_label(listing), "period": period_words(listing.period_days),
            "start": date_words(listing.decided_on), "end": date_words(listing.expires_on)}},
        {"heading": _("五、守信激励措施") if listing.list_type == ListType.RED else _("五、信用管理措施"),
         "text": measure_lines(measures)},
        {"heading": _("六、救济途径"),
         "text": _("%(you)s如不服本决定，可以：\n%(routes)s") % {"you": you, "routes": route_lines(routes)}},
    ]
    # 守信激励 is no 失信 finding: its decision says what it is (the kind's label names the 失信 decisions).
    title = _("守信激励对象认定决定书") if listing.list_type == ListType.RED else ""
    return kernel.document_issue(kind=DocumentKind.LISTING_DECISION, about_type=LISTING, about_id=listing.pk,
                                 region_code=region_of(listing), recipient=recipient_of(listing),
                                 sections=sections, issued_on=day, actor=actor, title=title)


# ------------------------------------------------------------------ 信用修复决定书


def _repair_target(application: RepairApplication) -> tuple[str, str, str]:
    """(what is repaired, the region of its authority, the recipient) of a repair application."""
    if application.listing_id:
        listing = application.listing
        what = _("%(list)s（%(number)s）") % {"list": _list_label(listing),
                                             "number": listing.decision_number or listing.source_reference or "—"}
        return what, region_of(listing), recipient_of(listing)
    finding = application.finding
    entity = finding.inspection.entity
    what = _("行政处罚信息（%(number)s，%(penalty)s）的公示") % {
        "number": finding.decision_number or "—", "penalty": finding.get_penalty_display()}
    recipient = _("%(name)s（统一社会信用代码：%(code)s）") % {"name": entity.name, "code": entity.credit_code}
    return what, entity.region_code or PROVINCE, recipient


def repair_decision_issue(application: RepairApplication, *, grant: bool, routes: list[dict[str, Any]],
                          rule_set, day: datetime.date, actor=None) -> ServedDocument:
    """信用修复决定书: the application, the review, the decision (准予 / 不予) and, for a refusal, the remedies."""
    what, region, recipient = _repair_target(application)
    applicant = application.applicant_name or recipient
    if grant and application.listing_id:
        verdict = _("准予信用修复。自%(day)s起移出%(list)s，停止公示。") % {
            "day": date_words(day), "list": _list_label(application.listing)}
    elif grant:
        verdict = _("准予信用修复。自%(day)s起停止公示该行政处罚信息。") % {"day": date_words(day)}
    else:
        verdict = _("不予信用修复。")
    sections = [
        {"heading": _("一、申请事项"),
         "text": _("%(applicant)s于%(filed)s申请对%(what)s进行信用修复。")
         % {"applicant": applicant, "filed": date_words(application.filed_on), "what": what}},
        {"heading": _("二、审查意见"), "text": application.decision_reason},
        {"heading": _("三、决定"), "text": verdict},
        {"heading": _("四、适用规则"), "text": _("%(name)s（第%(version)s版，%(date)s起施行）") % {
            "name": rule_set.name, "version": rule_set.version, "date": date_words(rule_set.effective_from)}},
    ]
    if routes and not grant:
        sections.append({"heading": _("五、救济途径"),
                         "text": _("如不服本决定，可以：\n%(routes)s") % {"routes": route_lines(routes)}})
    return kernel.document_issue(kind=DocumentKind.REPAIR_DECISION, about_type=REPAIR, about_id=application.pk,
                                 region_code=region, recipient=recipient, sections=sections, issued_on=day,
                                 actor=actor)


# ------------------------------------------------------------------ the procedures


def _wait_days(document: ServedDocument) -> int:
    return rules.announcement_wait_days(rule_set_on(document.issued_on).document)


def _listing_served(document: ServedDocument, today: datetime.date) -> None:
    """The 告知书 served: the objection window opens, counted from the delivery date; a history row either way."""
    listing = Listing.objects.select_for_update(of=("self",)).get(pk=document.about_id)
    action = {DocumentKind.LISTING_NOTICE: "notice_served", DocumentKind.LISTING_DECISION: "decision_served"}.get(
        document.kind)
    if (document.kind == DocumentKind.LISTING_NOTICE and listing.notice_document_id == document.pk
            and listing.status == ListingStatus.NOTIFIED):
        days = listing.objection_days
        if not days:
            sector, category = subject_kind(listing)
            days = rules.objection_working_days(rule_set_on(document.issued_on).document, sector=sector,
                                                category=category)
        listing.objection_days = days
        listing.notified_on = document.delivered_on
        listing.objection_due = add_working_days(document.delivered_on, days)
        listing.save(update_fields=["objection_days", "notified_on", "objection_due", "updated_at"])
    if action is not None:
        record_transition(ListingEvent, subject=listing, action=action, from_status=listing.status,
                          actor=document.delivery_recorded_by,
                          reason=f"{document.number}：{document.get_delivery_method_display()}，"
                                 f"{document.delivered_on:%Y-%m-%d}")


def _repair_served(document: ServedDocument, today: datetime.date) -> None:
    application = RepairApplication.objects.filter(pk=document.about_id, status__in=[
        RepairStatus.GRANTED, RepairStatus.REFUSED]).select_related("listing").first()
    if application is not None and application.listing_id:
        record_transition(ListingEvent, subject=application.listing, action="repair_decision_served",
                          from_status=application.listing.status, actor=document.delivery_recorded_by,
                          reason=f"{document.number}：{document.delivered_on:%Y-%m-%d}")


kernel.register(LISTING, visible=lambda user: listings_for(user).values("pk"), served=_listing_served,
                announcement_wait_days=_wait_days)
kernel.register(REPAIR, visible=lambda user: repairs_for(user).values("pk"), served=_repair_served,
                announcement_wait_days=_wait_days)
