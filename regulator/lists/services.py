"""Services of lists and due process: propose, notify, decide, publish, end; objections; repair.

One function per step (``listing_notify``, ``listing_decide``, ...), each through
``core.transitions.transition_run``: lock the listing, look the move up in
``transitions.TRANSITIONS``, run its guard, save and write a ListingEvent in
one transaction. A change the public can see is announced through
``regulator.lists.hooks`` (disclosure records the data version) and rescores
the entity after commit.

The notice and the decision are served documents (``regulator.lists.documents``): ``listing_notify`` issues
the 告知书 and the objection window opens when its service is recorded (``listing_document_serve``, the
documents API or the admin); ``listing_decide`` issues the 认定决定书, whose number is the decision number.
Every figure (window, periods, measures, appeal routes, repair rules) comes from the rule set in force, read
through the accessors of ``regulator.lists.rules``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Finding
from config.api.exceptions import ConflictError
from core import documents as served_documents
from core import evidence
from core.transitions import authenticated, record_transition, transition_run
from core.workdays import add_working_days
from entities.models import Entity, Person
from regulator.lists import documents as listing_documents  # registers the "listing" and "repair" procedures
from regulator.lists import hooks as lists_hooks
from regulator.lists import rules
from regulator.lists.documents import subject_kind
from regulator.lists.models import (
    PROPOSAL_IN_PROCESS,
    FilingChannel,
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    Objection,
    ObjectionOutcome,
    PublicChange,
    RepairApplication,
    RepairStatus,
    SubjectType,
)
from regulator.lists.selectors import rule_set_on
from regulator.lists.transitions import ACTION_LABELS, TRANSITIONS


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _event(listing: Listing, *, action: str, from_status: str, actor=None, reason: str = "") -> None:
    record_transition(ListingEvent, subject=listing, action=action, from_status=from_status, actor=actor,
                      reason=reason)


def _rescore(listing: Listing) -> None:
    entity_id = listing.entity_id or listing.related_entity_id
    if listing.subject_type == SubjectType.ENTITY and entity_id:
        evidence.evidence_changed(entity_id)


def listing_public_changed(listing: Listing, change: str) -> None:
    """What the public sees of ``listing`` changed: a new data version, the rooms above told, a rescore."""
    PublicChange.objects.create(listing=listing, change=change)
    lists_hooks.public_changed(listing, change)
    _rescore(listing)


def subject_sector(listing: Listing) -> str | None:
    entity = listing.entity if listing.subject_type == SubjectType.ENTITY else listing.related_entity
    return entity.sector if entity is not None else None


def listing_accounts_entity_ids(listing: Listing) -> set[int]:
    """The entities whose business accounts speak for the listed subject."""
    return {pk for pk in (listing.entity_id, listing.related_entity_id) if pk}


@transaction.atomic
def listing_propose(
    *, list_type: str, subject_type: str, entity: Entity | None = None, person: Person | None = None,
    related_entity: Entity | None = None, person_role: str = "", reason: str, legal_basis: str = "",
    source_type: str = "manual", source_id: int | None = None, source_rule: str = "", actor=None,
    today: datetime.date | None = None,
) -> Listing:
    """Propose a listing (by a rule or a regulator); nothing reaches the public without the steps after."""
    day = _today(today)
    rule_set = rule_set_on(day)
    document = rule_set.document
    errors = {}
    if subject_type == SubjectType.ENTITY and (entity is None or person is not None):
        errors["entity"] = [_("主体类型为市场主体时须指定 entity，且不指定 person。")]
    if subject_type == SubjectType.PERSON and (person is None or entity is not None):
        errors["person"] = [_("主体类型为自然人时须指定 person，且不指定 entity。")]
    if not (reason or "").strip():
        errors["reason"] = [_("须说明列入事由。")]
    if errors:
        raise ValidationError(errors)
    if source_type == "manual":
        _refuse_identical_proposal(list_type=list_type, subject_type=subject_type, entity=entity, person=person,
                                   reason=reason.strip())
    kind = entity if entity is not None else related_entity
    sector, category = (kind.sector, kind.category) if kind is not None else (None, None)
    listing = Listing(
        list_type=list_type, subject_type=subject_type, entity=entity, person=person,
        related_entity=related_entity, person_role=person_role, reason=reason.strip(),
        legal_basis=(legal_basis or "").strip() or rules.legal_basis(
            document, list_type, ground=source_rule or None, sector=sector, category=category),
        source_type=source_type, source_id=source_id, source_rule=source_rule, rule_set=rule_set,
        period_days=rules.period_days(document, list_type, sector=sector, category=category),
        created_by=authenticated(actor),
    )
    # The uniqueness constraints are left to the save: a proposal racing an identical one is then a 409, not a
    # 400 from full_clean's own look-up (the subject's shape was checked above).
    listing.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        raise ConflictError(_("同一事由的名单程序已在进行中。"), code="duplicate_listing") from exc
    _event(listing, action="propose", from_status="", actor=actor, reason=reason)
    return listing


#: a manual proposal identical to one of these is a duplicate: still in due process, or on the list now
_IDENTICAL_OPEN = [*PROPOSAL_IN_PROCESS, ListingStatus.PUBLISHED]


def _refuse_identical_proposal(*, list_type: str, subject_type: str, entity: Entity | None, person: Person | None,
                               reason: str) -> None:
    """409 when the same subject is already proposed for (or on) the same list for the same reason.

    The database backs it for proposals in due process (``listing_manual_proposal_once``): two identical
    proposals racing past this check still make one listing, the other answered 409 on save.
    """
    existing = (Listing.objects.filter(list_type=list_type, subject_type=subject_type, entity=entity, person=person,
                                       reason=reason, source_type="manual", status__in=_IDENTICAL_OPEN)
                .order_by("id").first())
    if existing is not None:
        raise ConflictError(
            _("该主体已因同一事由被拟列入或列入同一名单（名单编号 %(id)s，状态：%(status)s），不重复拟列入。")
            % {"id": existing.pk, "status": existing.get_status_display()}, code="duplicate_proposal")


def _grounds(reason: str, legal_basis: str) -> dict[str, str]:
    return {"reason": (reason or "").strip(), "legal_basis": (legal_basis or "").strip()}


def _refuse_set_aside_grounds(listing: Listing, reason: str, legal_basis: str) -> None:
    """409 when an upheld objection set these grounds aside, for this listing or another of the same subject
    and list (DOMAIN.md, Due process 3: never followed by a decision on the same grounds)."""
    grounds = _grounds(reason, legal_basis)
    earlier = grounds in (listing.set_aside_grounds or []) or Listing.objects.filter(
        list_type=listing.list_type, subject_type=listing.subject_type, entity_id=listing.entity_id,
        person_id=listing.person_id, set_aside_grounds__contains=[grounds]).exclude(pk=listing.pk).exists()
    if earlier:
        raise ConflictError(_("陈述申辩已就同一事由和依据成立，不得据此告知或认定：请修改事由或法律依据。"),
                            code="same_grounds")


def _catalogue(document: dict[str, Any], list_type: str) -> list[dict[str, Any]]:
    """The measures catalogue of ``list_type``; fail closed: with none, nothing is noticed or decided."""
    catalogue = rules.measures_for(document, list_type)
    if not catalogue:
        raise ConflictError(_("适用的规则集没有该名单的信用管理措施目录，不能制作告知书或认定决定书。"),
                            code="no_measure_catalogue")
    return catalogue


def _appeal_routes(document: dict[str, Any]) -> list[dict[str, Any]]:
    routes = rules.appeal_routes(document)
    if not routes:
        raise ConflictError(_("适用的规则集没有载明救济途径（行政复议、行政诉讼），不能作出决定。"),
                            code="no_appeal_routes")
    return routes


_CODE_SEPARATORS = re.compile(r"[\s,，、;；]+")


def measure_codes_parse(measures: Any) -> list[str] | None:
    """The measure codes a decision names: a list of codes or one comma-separated string (None: not given)."""
    if measures is None:
        return None
    if isinstance(measures, str):
        items = _CODE_SEPARATORS.split(measures)
    elif isinstance(measures, (list, tuple)) and all(isinstance(item, str) for item in measures):
        items = [part for item in measures for part in _CODE_SEPARATORS.split(item)]
    else:
        raise ValidationError({"measures": [_("措施应为措施代码的列表，或以逗号分隔的措施代码。")]})
    codes = list(dict.fromkeys(item.strip() for item in items if item.strip()))
    if not codes:
        raise ValidationError({"measures": [_("认定决定须载明至少一项信用管理措施（措施目录中的代码）。")]})
    return codes


def _chosen_measures(catalogue: list[dict[str, Any]], codes: list[str] | None) -> list[dict[str, Any]]:
    by_code = {measure["code"]: measure for measure in catalogue}
    if codes is None:  # not given: every measure the catalogue attaches to the list
        return list(catalogue)
    unknown = [code for code in codes if code not in by_code]
    if unknown:
        raise ValidationError({"measures": [
            _("未知的措施代码：%(codes)s。可选：%(known)s。") % {"codes": "、".join(unknown), "known": "、".join(by_code)}]})
    return [by_code[code] for code in codes]


def _listing_step(*, listing_id: int, action: str, day: datetime.date, actor=None, reason: str = "",
                  change=None) -> Listing:
    listing, from_status = transition_run(
        queryset=Listing.objects.select_related("entity", "person", "related_entity", "rule_set"), pk=listing_id,
        action=action, table=TRANSITIONS, history=ListingEvent, day=day, actor=actor, reason=reason,
        change=change, labels=ACTION_LABELS,
    )
    if listing.status == ListingStatus.PUBLISHED or from_status == ListingStatus.PUBLISHED:
        listing_public_changed(listing, action)
    return listing


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("须说明理由。")]})
    return reason


def _serve(document_id: int, delivery: dict[str, Any], *, actor, day: datetime.date) -> None:
    """Record a document's service given with the step that issued it (e.g. handed over at the counter)."""
    try:
        served_documents.document_serve(
            document_id=document_id, method=delivery.get("method") or "", delivered_on=delivery.get("delivered_on"),
            announced_on=delivery.get("announced_on"), note=delivery.get("note") or "", actor=actor, today=day)
    except ValidationError as exc:
        # named as the body names them: delivery.delivered_on, delivery.method, ...
        if hasattr(exc, "error_dict"):
            raise ValidationError({f"delivery.{field}": messages for field, messages in exc.message_dict.items()}
                                  ) from exc
        raise ValidationError({"delivery": exc.messages}) from exc


@transaction.atomic
def listing_notify(*, listing_id: int, actor=None, today: datetime.date | None = None,
                   delivery: dict[str, Any] | None = None) -> Listing:
    """制发告知书: the notice is numbered and frozen; the objection window opens when it is served.

    The window (working days, by the rule set in force on the day of the notice and the subject's sector and
    category) is stated in the notice and runs from its delivery date. ``delivery`` (method, delivered_on,
    announced_on, note) records the service at once, e.g. a notice handed over the day it is issued.
    """
    day = _today(today)

    def change(listing: Listing) -> None:
        _refuse_set_aside_grounds(listing, listing.reason, listing.legal_basis)
        document = rule_set_on(day).document
        sector, category = subject_kind(listing)
        measures = _catalogue(document, listing.list_type)
        days = rules.objection_working_days(document, sector=sector, category=category)
        listing.objection_days = days
        listing.notified_on = None
        listing.objection_due = None
        listing.notice_document = listing_documents.notice_issue(
            listing, rule_document=document, measures=measures, objection_days=days,
            period_days=rules.period_days(document, listing.list_type, sector=sector, category=category),
            day=day, actor=actor)

    listing = _listing_step(listing_id=listing_id, action="notify", day=day, actor=actor, change=change)
    if delivery:
        _serve(listing.notice_document_id, delivery, actor=actor, day=day)
        listing.refresh_from_db()
    return listing


@transaction.atomic
def listing_document_serve(*, listing_id: int, document: str = "notice", method: str,
                           delivered_on: datetime.date | None = None, announced_on: datetime.date | None = None,
                           note: str = "", actor=None, today: datetime.date | None = None) -> Listing:
    """送达登记 of a listing's 告知书 (``document="notice"``) or 认定决定书 (``"decision"``): the kernel records
    it once; serving the notice opens the objection window from the delivery date."""
    listing = Listing.objects.get(pk=listing_id)
    document_id = {"notice": listing.notice_document_id, "decision": listing.decision_document_id}.get(document)
    if document_id is None:
        raise ConflictError(_("该名单尚无此文书。"), code="no_document")
    served_documents.document_serve(document_id=document_id, method=method, delivered_on=delivered_on,
                                    announced_on=announced_on, note=note, actor=actor, today=_today(today))
    listing.refresh_from_db()
    return listing


@transaction.atomic
def listing_revise(*, listing_id: int, reason: str = "", legal_basis: str = "", actor=None,
                   today: datetime.date | None = None) -> Listing:
    """修改拟列入事由: a proposal sent back by an upheld objection gets corrected grounds before a new notice."""
    reason, legal_basis = (reason or "").strip(), (legal_basis or "").strip()
    if not reason and not legal_basis:
        raise ValidationError({"reason": [_("须给出修改后的事由或法律依据。")]})

    def change(listing: Listing) -> None:
        new_reason, new_basis = reason or listing.reason, legal_basis or listing.legal_basis
        if (new_reason, new_basis) == (listing.reason, listing.legal_basis):
            raise ValidationError({"reason": [_("事由与法律依据均未修改。")]})
        _refuse_set_aside_grounds(listing, new_reason, new_basis)
        listing.reason, listing.legal_basis = new_reason, new_basis

    try:
        return _listing_step(listing_id=listing_id, action="revise", day=_today(today), actor=actor,
                             reason=reason or legal_basis, change=change)
    except IntegrityError as exc:
        raise ConflictError(_("同一事由的名单程序已在进行中。"), code="duplicate_listing") from exc


@transaction.atomic
def listing_decide(
    *, listing_id: int, measures: Any = None, actor=None, period_days: int | None = None,
    reason: str = "", legal_basis: str = "", today: datetime.date | None = None,
    delivery: dict[str, Any] | None = None, decision_number: str = "", appeal_routes: Any = None,
) -> Listing:
    """认定决定: judged by the rules in force on its date; the period runs from the decision.

    ``measures`` are codes of the rule set's catalogue for the list (a list, or a comma-separated string; not
    given: every measure of the catalogue); the appeal routes are the rule set's. The 认定决定书 is issued
    and its number is the decision number (``decision_number`` and ``appeal_routes`` of old callers are not
    used: the series numbers the decision, the rule set names the remedies). ``delivery`` records its service.
    """
    day = _today(today)
    codes = measure_codes_parse(measures)

    def change(listing: Listing) -> None:
        rule_set = rule_set_on(day)
        document = rule_set.document
        sector, category = subject_kind(listing)
        chosen = _chosen_measures(_catalogue(document, listing.list_type), codes)
        routes = _appeal_routes(document)
        max_days = rules.period_days(document, listing.list_type, sector=sector, category=category)
        period = period_days or max_days
        if period > max_days:
            raise ValidationError({"period_days": [_("期限不得超过规则集规定的 %(days)s 天。") % {"days": max_days}]})
        new_reason = (reason or "").strip() or listing.reason
        new_basis = (legal_basis or "").strip() or listing.legal_basis
        _refuse_set_aside_grounds(listing, new_reason, new_basis)
        listing.reason, listing.legal_basis = new_reason, new_basis
        listing.rule_set = rule_set
        listing.period_days = period
        listing.decided_on = day
        listing.expires_on = day + datetime.timedelta(days=period)
        listing.measure_codes = [measure["code"] for measure in chosen]
        listing.measures = "；".join(str(measure.get("label") or measure["code"]) for measure in chosen)
        listing.appeal_routes = listing_documents.routes_text(routes)
        listing.decision_document = listing_documents.decision_issue(listing, measures=chosen, routes=routes,
                                                                     day=day, actor=actor)
        listing.decision_number = listing.decision_document.number

    listing = _listing_step(listing_id=listing_id, action="decide", day=day, actor=actor,
                            reason=(reason or "").strip(), change=change)
    if delivery:
        _serve(listing.decision_document_id, delivery, actor=actor, day=day)
        listing.refresh_from_db()
    return listing


@transaction.atomic
def listing_publish(*, listing_id: int, actor=None, today: datetime.date | None = None) -> Listing:
    """公示: the decided listing reaches the public (after the objection window)."""
    day = _today(today)

    def change(listing: Listing) -> None:
        listing.published_on = day

    return _listing_step(listing_id=listing_id, action="publish", day=day, actor=actor, change=change)


@transaction.atomic
def listing_remove(*, listing_id: int, reason: str, actor=None, today: datetime.date | None = None) -> Listing:
    """移出: the basis was revoked or changed; the listing never counted."""
    day = _today(today)
    reason = _reason_required(reason)

    def change(listing: Listing) -> None:
        listing.ended_on = day
        listing.end_reason = reason

    return _listing_step(listing_id=listing_id, action="remove", day=day, actor=actor, reason=reason,
                         change=change)


@transaction.atomic
def listing_withdraw(*, listing_id: int, reason: str, actor=None, today: datetime.date | None = None) -> Listing:
    """撤回: a proposal, notice or decision withdrawn before it was published."""
    day = _today(today)
    reason = _reason_required(reason)

    def change(listing: Listing) -> None:
        listing.ended_on = None
        listing.end_reason = reason

    return _listing_step(listing_id=listing_id, action="withdraw", day=day, actor=actor, reason=reason,
                         change=change)


@transaction.atomic
def listing_expire(*, listing_id: int, today: datetime.date | None = None) -> Listing:
    """期满移出: automatic, on the day the period ends."""

    def change(listing: Listing) -> None:
        listing.ended_on = listing.expires_on
        listing.end_reason = _("期满自动移出。")

    return _listing_step(listing_id=listing_id, action="expire", day=_today(today), change=change)


@transaction.atomic
def listing_repair(*, listing_id: int, actor=None, reason: str = "", today: datetime.date | None = None) -> Listing:
    """信用修复移出: follows a granted repair application."""
    day = _today(today)
    reason = (reason or "").strip()

    def change(listing: Listing) -> None:
        listing.ended_on = day
        listing.end_reason = reason or _("准予信用修复。")

    return _listing_step(listing_id=listing_id, action="repair", day=day, actor=actor, reason=reason,
                         change=change)


#: the regulator's steps by the name the API and admin use for them
LISTING_STEPS = {
    "notify": listing_notify, "revise": listing_revise, "decide": listing_decide, "publish": listing_publish,
    "remove": listing_remove, "withdraw": listing_withdraw,
}


def listings_expire_due(*, today: datetime.date | None = None) -> list[int]:
    """Nightly: published listings whose period is over leave public view (automatic)."""
    day = _today(today)
    ids = list(Listing.objects.filter(status=ListingStatus.PUBLISHED, expires_on__lte=day).values_list("id", flat=True))
    for listing_id in ids:
        listing_expire(listing_id=listing_id, today=day)
    return ids


# ------------------------------------------------------------------ objections


def _speaks_for(actor, entity_ids: set[int]) -> bool:
    """A business account linked to one of ``entity_ids``."""
    return bool(getattr(actor, "is_business", False)
                and set(actor.entities.values_list("pk", flat=True)) & entity_ids)


def _paper_date(value: datetime.date | None, field: str, day: datetime.date) -> datetime.date:
    """The date a regulator says a paper filing was received: required, and not in the future."""
    if value is None:
        raise ValidationError({field: [_("登记书面材料须填写机关收到之日。")]})
    if value > day:
        raise ValidationError({field: [_("收到日期不得晚于今天。")]})
    return value


@transaction.atomic
def objection_file(*, listing_id: int, actor, statement: str, today: datetime.date | None = None,
                   received_on: datetime.date | None = None, objector_name: str = "") -> Objection:
    """陈述申辩 inside the window: filed online by the listed business, or recorded by a regulator on paper.

    A regulator records the objection of any subject (an entity, a natural person, a person listed by import)
    as received on paper, on ``received_on``: that date, not the day it is typed in, must fall inside the
    window counted from the notice's delivery. An objection may come before the service is recorded (the
    subject has the notice): only its end is a limit.

    One open objection per listing: while it is unanswered, the business filing again amends it (the
    statement is replaced; ``objection_amend`` in the history; ``amended = True``), a paper filing is added
    to it as a supplement. Once answered, a new objection may be filed (still inside the window).
    """
    listing = Listing.objects.select_for_update(of=("self",)).select_related("entity", "person").get(pk=listing_id)
    day = _today(today)
    paper = bool(getattr(actor, "is_regulator", False))
    if not paper and not _speaks_for(actor, listing_accounts_entity_ids(listing)):
        raise PermissionDenied(_("只有被列入的主体可以陈述申辩；书面申辩由监管人员登记。"))
    received = _paper_date(received_on, "received_on", day) if paper else day
    if listing.status != ListingStatus.NOTIFIED:
        raise ConflictError(_("只有已告知、在陈述申辩期内的名单可以申辩。"), code="not_in_objection_window")
    notice = listing.notice_document
    if paper and notice is not None and received < notice.issued_on:
        raise ValidationError({"received_on": [_("收到日期不得早于告知书签发日期 %(date)s。") % {"date": notice.issued_on}]})
    if listing.objection_due is not None and received > listing.objection_due:
        raise ConflictError(_("陈述申辩期已于 %(due)s 届满。") % {"due": listing.objection_due},
                            code="objection_window_closed")
    if not (statement or "").strip():
        raise ValidationError({"statement": [_("申辩内容不能为空。")]})
    statement = statement.strip()
    channel = FilingChannel.PAPER if paper else FilingChannel.ONLINE
    # The listing row is locked above: filings of one listing queue here, and the second finds the first.
    open_objection = listing.objections.filter(answered_at__isnull=True).order_by("id").first()
    if open_objection is not None:
        if paper:
            open_objection.statement = (_("%(old)s\n\n〔%(date)s 收到书面补充〕%(new)s")
                                        % {"old": open_objection.statement, "date": received, "new": statement})
        else:
            open_objection.statement = statement
        open_objection.full_clean()
        open_objection.save(update_fields=["statement"])
        _event(listing, action="objection_paper" if paper else "objection_amend", from_status=listing.status,
               actor=actor, reason=statement[:500])
        open_objection.amended = True
        return open_objection
    objection = Objection(listing=listing, filed_by=actor, statement=statement, channel=channel,
                          objector_name=(objector_name or "").strip()[:200] or listing.subject_name,
                          received_on=received)
    objection.full_clean()
    objection.save()
    _event(listing, action="objection_paper" if paper else "objection", from_status=listing.status, actor=actor,
           reason=statement[:500])
    objection.amended = False
    return objection


@transaction.atomic
def objection_answer(*, objection_id: int, actor, answer: str, upheld: bool, outcome: str = "",
                     today: datetime.date | None = None) -> Objection:
    """答复申辩. Upheld (fully), it ends the procedure (``outcome="withdraw"``) or sends the listing back to
    ``proposed`` for corrected grounds and a new notice (``"revise"``); either way its grounds are set aside
    and no decision may rest on them."""
    objection = Objection.objects.select_for_update().select_related("listing").get(pk=objection_id)
    if objection.answered_at is not None:
        raise ConflictError(_("该申辩已答复。"), code="already_answered")
    errors: dict[str, list[str]] = {}
    if not (answer or "").strip():
        errors["answer"] = [_("答复不能为空。")]
    outcome = (outcome or "").strip()
    if upheld and outcome not in ObjectionOutcome.values:
        errors["outcome"] = [_("申辩成立时须选择处理：撤回（withdraw）或退回重新拟定（revise）。")]
    if not upheld and outcome:
        errors["outcome"] = [_("只有申辩成立时才选择处理方式。")]
    if errors:
        raise ValidationError(errors)
    day = _today(today)
    objection.answer = answer.strip()
    objection.upheld = upheld
    objection.outcome = outcome
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    listing = objection.listing
    _event(listing, action="objection_answer", from_status=listing.status, actor=actor,
           reason=objection.answer[:500])
    if upheld and listing.status == ListingStatus.NOTIFIED:
        _set_aside(listing_id=listing.pk, outcome=outcome, answer=objection.answer, actor=actor, day=day)
    return objection


def _set_aside(*, listing_id: int, outcome: str, answer: str, actor, day: datetime.date) -> Listing:
    def change(listing: Listing) -> None:
        grounds = _grounds(listing.reason, listing.legal_basis)
        if grounds not in listing.set_aside_grounds:
            listing.set_aside_grounds = [*listing.set_aside_grounds, grounds]
        if outcome == ObjectionOutcome.WITHDRAW:
            listing.end_reason = answer
        else:  # back to proposed: the served notice stays on file; a new one follows the corrected proposal
            listing.notice_document = None
            listing.notified_on = None
            listing.objection_due = None
            listing.objection_days = None

    action = "withdraw" if outcome == ObjectionOutcome.WITHDRAW else "send_back"
    return _listing_step(listing_id=listing_id, action=action, day=day, actor=actor, reason=answer[:500],
                         change=change)


# ------------------------------------------------------------------ credit repair


def _penalty_publicity(document: dict[str, Any], finding: Finding) -> tuple[bool, int, int]:
    """(published at all, minimum days, maximum days (0: unknown)) of a penalty's publicity, by the rule set."""
    safety = bool(finding.violation_type.safety_related)
    accessor = getattr(rules, "penalty_publicity", None)
    if accessor is not None:
        answer = accessor(document, severity=finding.severity, penalty=finding.penalty, safety_related=safety)
        return bool(answer["published"]), int(answer["min_days"]), int(answer.get("max_days") or 0)
    publicity = document["publicity"]
    published = finding.penalty != "none" and (finding.penalty != "warning" or publicity.get("warning_published"))
    minimum = publicity.get("safety_min_days", publicity["min_days"]) if safety else publicity["min_days"]
    return bool(published), int(minimum), 0


def _repair_requirements(*, repair: dict[str, Any], statement: str, evidence: list[str], commitment: bool,
                         training_record: str) -> list[str]:
    errors: dict[str, list[str]] = {}
    if repair["commitment_required"] and not commitment:
        errors["commitment"] = [_("须作出信用承诺（提交信用承诺书）。")]
    elif commitment and not repair["commitment_allowed"]:
        errors["commitment"] = [_("按申请之日施行的规则，该主体不适用信用承诺，请提交履行义务与纠正失信行为的证明。")]
    clean_evidence = [str(item).strip() for item in evidence if str(item).strip()]
    if not clean_evidence:
        errors["evidence"] = [_("须提交履行法定义务、纠正失信行为的证明材料。")]
    if repair["training_required"] and not (training_record or "").strip():
        errors["training_record"] = [_("须提交信用修复培训记录。")]
    if not (statement or "").strip():
        errors["statement"] = [_("申请说明不能为空。")]
    if errors:
        raise ValidationError(errors)
    return clean_evidence


def _too_early(earliest: datetime.date, filed: datetime.date, message: str, days: int) -> None:
    if filed < earliest:
        raise ConflictError(message % {"days": days, "date": earliest}, code="repair_too_early")


@transaction.atomic
def repair_application_file(*, listing_id: int | None = None, finding_id: int | None = None, actor,
                            statement: str, evidence: list[str], commitment: bool, training_record: str = "",
                            today: datetime.date | None = None, filed_on: datetime.date | None = None,
                            applicant_name: str = "") -> RepairApplication:
    """信用修复申请 of a listing or of a penalty's publicity, by the rule set in force on the application date.

    The listed business applies online; a regulator records a paper application of any subject (a natural
    person, a person listed by import) received on ``filed_on``. A listing: published, not red, and no
    earlier than the rule set's minimum after the decision (per list, sector and category). A penalty: one
    that is published, no earlier than its minimum publicity. Commitment (信用承诺), evidence and training as
    the rule set requires; the decision is due ``decision_working_days`` working days after the application.
    """
    if (listing_id is None) == (finding_id is None):
        raise ValidationError({"listing": [_("须指定名单记录（listing）或行政处罚（finding）之一。")]})
    day = _today(today)
    paper = bool(getattr(actor, "is_regulator", False))
    filed = _paper_date(filed_on or day, "filed_on", day) if paper else day
    rule_set = rule_set_on(filed)
    document = rule_set.document
    listing = finding = None
    if listing_id is not None:
        listing = Listing.objects.select_for_update(of=("self",)).select_related(
            "entity", "person", "related_entity").get(pk=listing_id)
        if not paper and not _speaks_for(actor, listing_accounts_entity_ids(listing)):
            raise PermissionDenied(_("只有被列入的主体可以申请信用修复；书面申请由监管人员登记。"))
        if listing.status != ListingStatus.PUBLISHED or listing.list_type == ListType.RED:
            raise ConflictError(_("只有公示中的失信名单可以申请修复。"), code="not_repairable")
        sector, category = subject_kind(listing)
        repair = rules.repair_rules(document, listing.list_type, sector=sector, category=category)
        if listing.decided_on is not None:
            _too_early(listing.decided_on + datetime.timedelta(days=repair["min_days"]), filed,
                       _("自认定之日起满 %(days)s 天后方可申请修复（最早 %(date)s）。"), repair["min_days"])
        subject, pending = listing.subject_name, listing.repair_applications
    else:
        finding = Finding.objects.select_for_update(of=("self",)).select_related(
            "inspection__entity", "violation_type").get(pk=finding_id)
        entity = finding.inspection.entity
        if not paper and not _speaks_for(actor, {entity.pk}):
            raise PermissionDenied(_("只有受处罚的主体可以申请信用修复；书面申请由监管人员登记。"))
        published, minimum, maximum = _penalty_publicity(document, finding)
        decided = finding.decided_on or finding.inspection.inspected_on
        if not published or (maximum and filed >= decided + datetime.timedelta(days=maximum)):
            raise ConflictError(_("该行政处罚信息不予公示或公示期已满，无需修复。"), code="not_repairable")
        if finding.publicity_repairs.filter(status=RepairStatus.GRANTED).exists():
            raise ConflictError(_("该行政处罚信息已准予修复。"), code="already_repaired")
        _too_early(decided + datetime.timedelta(days=minimum), filed,
                   _("行政处罚信息自处罚决定之日起最短公示 %(days)s 天，期满后方可申请修复（最早 %(date)s）。"), minimum)
        # A penalty's publicity is repaired on the terms of a listing that is not 严重失信 (a commitment is
        # required wherever the rule set requires one outside the black list).
        repair = rules.repair_rules(document, ListType.WATCH, sector=entity.sector, category=entity.category)
        subject, pending = entity.name, finding.publicity_repairs
    clean_evidence = _repair_requirements(repair=repair, statement=statement, evidence=evidence,
                                          commitment=commitment, training_record=training_record)
    if pending.filter(status=RepairStatus.SUBMITTED).exists():
        raise ConflictError(_("已有待决定的修复申请。"), code="repair_pending")
    application = RepairApplication.objects.create(
        listing=listing, finding=finding, applicant=actor,
        channel=FilingChannel.PAPER if paper else FilingChannel.ONLINE,
        applicant_name=(applicant_name or "").strip()[:200] or subject, statement=statement.strip(),
        evidence=clean_evidence, commitment=commitment, training_record=(training_record or "").strip(),
        filed_on=filed, decision_due=add_working_days(filed, repair["decision_working_days"]), rule_set=rule_set,
    )
    if listing is not None:
        _event(listing, action="repair_apply", from_status=listing.status, actor=actor,
               reason=statement.strip()[:500])
    return application


@transaction.atomic
def repair_application_decide(*, application_id: int, actor, grant: bool, reason: str,
                              today: datetime.date | None = None,
                              delivery: dict[str, Any] | None = None) -> RepairApplication:
    """准予 or 不予修复, with a 信用修复决定书. Granted: the listing ends as repaired, or the penalty's publicity
    ends that day (``publicity_ended_on``, which the public answer filters on)."""
    application = (RepairApplication.objects.select_for_update(of=("self",))
                   .select_related("listing", "finding__inspection__entity").get(pk=application_id))
    if application.status != RepairStatus.SUBMITTED:
        raise ConflictError(_("该申请已作出决定。"), code="already_decided")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("决定须说明理由。")]})
    day = _today(today)
    rule_set = rule_set_on(day)
    routes = rules.appeal_routes(rule_set.document)
    if not grant:
        routes = _appeal_routes(rule_set.document)  # a refusal names the remedies, or is not made
    application.status = RepairStatus.GRANTED if grant else RepairStatus.REFUSED
    application.decided_on = day
    application.decision_reason = reason.strip()
    application.decided_by = actor
    if grant and application.finding_id:
        application.publicity_ended_on = day
    application.decision_document = listing_documents.repair_decision_issue(
        application, grant=grant, routes=routes, rule_set=rule_set, day=day, actor=actor)
    application.full_clean()
    application.save()
    if application.listing_id and grant:
        listing_repair(listing_id=application.listing_id, actor=actor, reason=reason, today=day)
    elif application.listing_id:
        _event(application.listing, action="repair_refuse", from_status=application.listing.status, actor=actor,
               reason=reason.strip()[:500])
    elif grant:
        # What the public sees of the entity changed (a penalty left its publicity): a new data version.
        PublicChange.objects.create(listing=None, change="penalty_repair")
        evidence.evidence_changed(application.finding.inspection.entity_id)
    if delivery:
        _serve(application.decision_document_id, delivery, actor=actor, day=day)
    return application
