"""Services of lists and due process: propose, notify, decide, publish, end; objections; repair; import.

Each write locks the listing, checks the transition table and its guard,
saves, and writes a ListingEvent in the same transaction. Changes the public
can see are recorded as PublicChange rows (their ids are data versions) and
rescore the entity after commit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from entities.models import Entity, Person
from ratings import hooks

from regulator.models import (
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
from regulator.rules import rule_set_on
from regulator.transitions import TRANSITIONS, WINDOW_GUARDED
from regulator.workdays import add_working_days


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _actor(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _event(listing: Listing, *, action: str, from_status: str, actor=None, reason: str = "") -> None:
    user = _actor(actor)
    ListingEvent.objects.create(listing=listing, action=action, from_status=from_status, to_status=listing.status,
                                actor=user, actor_name=user.get_username() if user else _("系统"), reason=reason)


def _public_change(listing: Listing, change: str) -> None:
    PublicChange.objects.create(listing=listing, change=change)
    from regulator import tasks

    tasks.regenerate_exports.delay_on_commit()


def _rescore(listing: Listing) -> None:
    entity_id = listing.entity_id or listing.related_entity_id
    if listing.subject_type == SubjectType.ENTITY and entity_id:
        hooks.evidence_changed(entity_id)


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
    listing = Listing(
        list_type=list_type, subject_type=subject_type, entity=entity, person=person,
        related_entity=related_entity, person_role=person_role, reason=reason.strip(),
        legal_basis=legal_basis or document["criteria"]["legal_basis"][list_type],
        source_type=source_type, source_id=source_id, source_rule=source_rule, rule_set=rule_set,
        period_days=document["periods_days"][list_type], created_by=_actor(actor),
    )
    listing.full_clean()
    try:
        with transaction.atomic():
            listing.save()
    except IntegrityError as exc:
        raise ConflictError(_("同一事由的名单程序已在进行中。"), code="duplicate_listing") from exc
    _event(listing, action="propose", from_status="", actor=actor, reason=reason)
    return listing


def _objection_window(listing: Listing, day: datetime.date) -> int:
    """Working days to object, by the rule set in force on the day of the notice."""
    windows = rule_set_on(day).document["objection_working_days"]
    return windows.get(subject_sector(listing) or "", windows["default"])


def _window_guard(listing: Listing, day: datetime.date) -> None:
    if listing.objection_due is not None and day <= listing.objection_due:
        raise ConflictError(
            _("陈述申辩期至 %(due)s 届满前不得认定或公示。") % {"due": listing.objection_due}, code="objection_window_open"
        )
    if listing.objections.filter(answered_at__isnull=True).exists():
        raise ConflictError(_("尚有陈述申辩未答复。"), code="objection_unanswered")


@transaction.atomic
def listing_apply(
    *, listing_id: int, action: str, actor=None, reason: str = "", decision: dict[str, Any] | None = None,
    today: datetime.date | None = None,
) -> Listing:
    listing = Listing.objects.select_for_update(of=("self",)).select_related(
        "entity", "related_entity", "rule_set").get(pk=listing_id)
    target = TRANSITIONS.get((listing.status, action))
    if target is None:
        raise ConflictError(
            _("不能对状态为「%(status)s」的名单执行 %(action)s。")
            % {"status": listing.get_status_display(), "action": action},
            code="illegal_transition",
        )
    day = _today(today)
    reason = (reason or "").strip()
    from_status = listing.status
    if action in WINDOW_GUARDED:
        _window_guard(listing, day)

    if action == "notify":
        listing.notified_on = day
        listing.objection_due = add_working_days(day, _objection_window(listing, day))
    elif action == "decide":
        decision = decision or {}
        errors = {}
        for field in ("measures", "appeal_routes"):
            if not (decision.get(field) or "").strip():
                errors[field] = [_("认定决定须载明惩戒措施与救济途径。")]
        if errors:
            raise ValidationError(errors)
        rule_set = rule_set_on(day)  # the decision is judged by the rules in force on its date
        listing.rule_set = rule_set
        max_days = rule_set.document["periods_days"][listing.list_type]
        period = decision.get("period_days") or max_days
        if period > max_days:
            raise ValidationError({"period_days": [_("期限不得超过规则集规定的 %(days)s 天。") % {"days": max_days}]})
        listing.period_days = period
        listing.decided_on = day
        listing.expires_on = day + datetime.timedelta(days=period)
        listing.decision_number = (decision.get("decision_number") or "").strip()
        listing.measures = decision["measures"].strip()
        listing.appeal_routes = decision["appeal_routes"].strip()
        if decision.get("reason"):
            listing.reason = decision["reason"].strip()
        if decision.get("legal_basis"):
            listing.legal_basis = decision["legal_basis"].strip()
    elif action == "publish":
        listing.published_on = day
    elif action in {"remove", "withdraw"}:
        if not reason:
            raise ValidationError({"reason": [_("须说明理由。")]})
        listing.ended_on = day if action == "remove" else None
        listing.end_reason = reason
    elif action == "expire":
        listing.ended_on = listing.expires_on
        listing.end_reason = _("期满自动移出。")
    elif action == "repair":
        listing.ended_on = day
        listing.end_reason = reason or _("准予信用修复。")

    listing.status = target
    listing.full_clean()
    listing.save()
    _event(listing, action=action, from_status=from_status, actor=actor, reason=reason)
    if target == ListingStatus.PUBLISHED or from_status == ListingStatus.PUBLISHED:
        _public_change(listing, action)
        _rescore(listing)
    return listing


def expire_due(*, today: datetime.date | None = None) -> list[int]:
    """Nightly: published listings whose period is over leave public view (automatic)."""
    day = _today(today)
    ids = list(Listing.objects.filter(status=ListingStatus.PUBLISHED, expires_on__lte=day).values_list("id", flat=True))
    for listing_id in ids:
        listing_apply(listing_id=listing_id, action="expire", today=day)
    return ids


# ------------------------------------------------------------------ objections

@transaction.atomic
def objection_file(*, listing_id: int, actor, statement: str, today: datetime.date | None = None) -> Objection:
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
    objection = Objection.objects.create(listing=listing, filed_by=actor, statement=statement.strip())
    _event(listing, action="objection", from_status=listing.status, actor=actor, reason=statement.strip()[:500])
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
def repair_apply(*, listing_id: int, actor, statement: str, evidence: list[str], commitment: bool,
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
def repair_decide(*, application_id: int, actor, grant: bool, reason: str,
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
        listing_apply(listing_id=application.listing_id, action="repair", actor=actor, reason=reason, today=day)
    return application
