"""Services of lists and due process: propose, notify, decide, publish, end; objections; repair.

One function per step (``listing_notify``, ``listing_decide``, ...), each through
``core.transitions.transition_run``: lock the listing, look the move up in
``transitions.TRANSITIONS``, run its guard, save and write a ListingEvent in
one transaction. A change the public can see is announced through
``regulator.lists.hooks`` (disclosure records the data version) and rescores
the entity after commit.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from core import evidence
from core.transitions import authenticated, record_transition, transition_run
from core.workdays import add_working_days
from entities.models import Entity, Person
from regulator.lists import hooks as lists_hooks
from regulator.lists.models import (
    PROPOSAL_IN_PROCESS,
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    Objection,
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
    listing = Listing(
        list_type=list_type, subject_type=subject_type, entity=entity, person=person,
        related_entity=related_entity, person_role=person_role, reason=reason.strip(),
        legal_basis=legal_basis or document["criteria"]["legal_basis"][list_type],
        source_type=source_type, source_id=source_id, source_rule=source_rule, rule_set=rule_set,
        period_days=document["periods_days"][list_type], created_by=authenticated(actor),
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


def _objection_window(listing: Listing, day: datetime.date) -> int:
    """Working days to object, by the rule set in force on the day of the notice."""
    windows = rule_set_on(day).document["objection_working_days"]
    return windows.get(subject_sector(listing) or "", windows["default"])


def _listing_step(*, listing_id: int, action: str, day: datetime.date, actor=None, reason: str = "",
                  change=None) -> Listing:
    listing, from_status = transition_run(
        queryset=Listing.objects.select_related("entity", "related_entity", "rule_set"), pk=listing_id,
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


@transaction.atomic
def listing_notify(*, listing_id: int, actor=None, today: datetime.date | None = None) -> Listing:
    """送达告知书: the objection window runs from the notice, in working days of the rule set then in force."""
    day = _today(today)

    def change(listing: Listing) -> None:
        listing.notified_on = day
        listing.objection_due = add_working_days(day, _objection_window(listing, day))

    return _listing_step(listing_id=listing_id, action="notify", day=day, actor=actor, change=change)


@transaction.atomic
def listing_decide(
    *, listing_id: int, measures: str, appeal_routes: str, actor=None, period_days: int | None = None,
    decision_number: str = "", reason: str = "", legal_basis: str = "", today: datetime.date | None = None,
) -> Listing:
    """认定决定: judged by the rules in force on its date; the period runs from the decision."""
    day = _today(today)
    errors = {}
    for field, value in (("measures", measures), ("appeal_routes", appeal_routes)):
        if not (value or "").strip():
            errors[field] = [_("认定决定须载明惩戒措施与救济途径。")]
    if errors:
        raise ValidationError(errors)

    def change(listing: Listing) -> None:
        rule_set = rule_set_on(day)
        listing.rule_set = rule_set
        max_days = rule_set.document["periods_days"][listing.list_type]
        period = period_days or max_days
        if period > max_days:
            raise ValidationError({"period_days": [_("期限不得超过规则集规定的 %(days)s 天。") % {"days": max_days}]})
        listing.period_days = period
        listing.decided_on = day
        listing.expires_on = day + datetime.timedelta(days=period)
        listing.decision_number = (decision_number or "").strip()
        listing.measures = measures.strip()
        listing.appeal_routes = appeal_routes.strip()
        if (reason or "").strip():
            listing.reason = reason.strip()
        if (legal_basis or "").strip():
            listing.legal_basis = legal_basis.strip()

    return _listing_step(listing_id=listing_id, action="decide", day=day, actor=actor,
                         reason=(reason or "").strip(), change=change)


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
    "notify": listing_notify, "decide": listing_decide, "publish": listing_publish,
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

@transaction.atomic
def objection_file(*, listing_id: int, actor, statement: str, today: datetime.date | None = None) -> Objection:
    """陈述申辩 by the listed subject inside the window; one open objection per listing.

    While the subject's objection is unanswered, filing again amends it: the statement is replaced, the
    listing's history records the amendment (``objection_amend``), and the returned objection has
    ``amended = True``. Once answered, a new objection may be filed (still inside the window).
    """
    listing = Listing.objects.select_for_update().get(pk=listing_id)
    if not (actor.is_business and set(actor.entities.values_list("pk", flat=True)) & listing_accounts_entity_ids(listing)):
        raise PermissionDenied(_("只有被列入的主体可以陈述申辩。"))
    day = _today(today)
    if listing.status != ListingStatus.NOTIFIED or listing.objection_due is None:
        raise ConflictError(_("只有已告知、在陈述申辩期内的名单可以申辩。"), code="not_in_objection_window")
    if day > listing.objection_due:
        raise ConflictError(_("陈述申辩期已于 %(due)s 届满。") % {"due": listing.objection_due},
                            code="objection_window_closed")
    if not (statement or "").strip():
        raise ValidationError({"statement": [_("申辩内容不能为空。")]})
    statement = statement.strip()
    # The listing row is locked above: filings of one listing queue here, and the second finds the first.
    open_objection = listing.objections.filter(answered_at__isnull=True).order_by("id").first()
    if open_objection is not None:
        open_objection.statement = statement
        open_objection.full_clean()
        open_objection.save(update_fields=["statement"])
        _event(listing, action="objection_amend", from_status=listing.status, actor=actor, reason=statement[:500])
        open_objection.amended = True
        return open_objection
    objection = Objection(listing=listing, filed_by=actor, statement=statement)
    objection.full_clean()
    objection.save()
    _event(listing, action="objection", from_status=listing.status, actor=actor, reason=statement[:500])
    objection.amended = False
    return objection


@transaction.atomic
def objection_answer(*, objection_id: int, actor, answer: str, upheld: bool) -> Objection:
    objection = Objection.objects.select_for_update().select_related("listing").get(pk=objection_id)
    if objection.answered_at is not None:
        raise ConflictError(_("该申辩已答复。"), code="already_answered")
    if not (answer or "").strip():
        raise ValidationError({"answer": [_("答复不能为空。")]})
    objection.answer = answer.strip()
    objection.upheld = upheld
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save()
    _event(objection.listing, action="objection_answer", from_status=objection.listing.status, actor=actor,
           reason=objection.answer[:500])
    return objection


# ------------------------------------------------------------------ credit repair

@transaction.atomic
def repair_application_file(*, listing_id: int, actor, statement: str, evidence: list[str], commitment: bool,
                 training_record: str = "", today: datetime.date | None = None) -> RepairApplication:
    """信用修复申请, checked against the rule set in force on the day of application."""
    listing = Listing.objects.select_for_update().get(pk=listing_id)
    if not (actor.is_business and set(actor.entities.values_list("pk", flat=True)) & listing_accounts_entity_ids(listing)):
        raise PermissionDenied(_("只有被列入的主体可以申请信用修复。"))
    if listing.status != ListingStatus.PUBLISHED or listing.list_type == ListType.RED:
        raise ConflictError(_("只有公示中的失信名单可以申请修复。"), code="not_repairable")
    day = _today(today)
    rule_set = rule_set_on(day)
    repair = rule_set.document["repair"]
    errors: dict[str, list[str]] = {}
    if listing.list_type == ListType.BLACK:
        earliest = listing.decided_on + datetime.timedelta(days=repair["black_min_days"])
        if day < earliest:
            raise ConflictError(_("严重失信主体自认定之日起满 %(days)s 天后方可申请修复（最早 %(date)s）。")
                                % {"days": repair["black_min_days"], "date": earliest}, code="repair_too_early")
        if commitment and not repair.get("commitment_for_black", False):
            errors["commitment"] = [_("信用承诺不适用于严重失信主体，请提交履行义务与纠正失信行为的证明。")]
    elif not commitment:
        errors["commitment"] = [_("须提交信用承诺书。")]
    clean_evidence = [str(item).strip() for item in evidence if str(item).strip()]
    if not clean_evidence:
        errors["evidence"] = [_("须提交履行法定义务、纠正失信行为的证明材料。")]
    if repair.get("requires_training", False) and not (training_record or "").strip():
        errors["training_record"] = [_("须提交信用修复培训记录。")]
    if not (statement or "").strip():
        errors["statement"] = [_("申请说明不能为空。")]
    if errors:
        raise ValidationError(errors)
    if listing.repair_applications.filter(status=RepairStatus.SUBMITTED).exists():
        raise ConflictError(_("已有待决定的修复申请。"), code="repair_pending")
    application = RepairApplication.objects.create(
        listing=listing, applicant=actor, statement=statement.strip(), evidence=clean_evidence,
        commitment=commitment, training_record=(training_record or "").strip(), filed_on=day,
        decision_due=add_working_days(day, repair["decision_working_days"]), rule_set=rule_set,
    )
    _event(listing, action="repair_apply", from_status=listing.status, actor=actor, reason=statement.strip()[:500])
    return application


@transaction.atomic
def repair_application_decide(*, application_id: int, actor, grant: bool, reason: str,
                  today: datetime.date | None = None) -> RepairApplication:
    application = RepairApplication.objects.select_for_update().get(pk=application_id)
    if application.status != RepairStatus.SUBMITTED:
        raise ConflictError(_("该申请已作出决定。"), code="already_decided")
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("决定须说明理由。")]})
    day = _today(today)
    application.status = RepairStatus.GRANTED if grant else RepairStatus.REFUSED
    application.decided_on = day
    application.decision_reason = reason.strip()
    application.decided_by = actor
    application.save()
    if grant:
        listing_repair(listing_id=application.listing_id, actor=actor, reason=reason, today=day)
    return application
