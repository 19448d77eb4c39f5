"""Services of the 诚信评选 (awards): open a round, apply or nominate, check, review, notice, object, grant, revoke.

One function per step over ``core.transitions.transition_run`` and the table of
``regulator.lists.award_transitions``. The criteria are the rule set's (``awards.criteria``) plus the round's
conditions, checked by the pure ``award_rules.evaluate`` against ``award_selectors.entity_facts``; every result is
stored in words. The decision is a served document (``award_decision``) whose number is the award's. A grant
and a revocation are credit evidence (the ``award`` scoring rule, +50 by default): ``evidence_changed`` inside
the transaction. A title whose rule set says ``red_list`` proposes a red listing through the lists' services.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from core import documents as served_documents
from core import evidence
from core.models import DocumentKind
from core.scope import Sector, validate_region_code
from core.transitions import record_transition, transition_run
from core.workdays import add_working_days
from entities.models import Entity
from entities.selectors import entities_for
from regulator.lists import award_rules, award_selectors
from regulator.lists import services as listings
from regulator.lists.award_transitions import ACTION_LABELS, TRANSITIONS
from regulator.lists.awards import (
    AwardApplication,
    AwardChannel,
    AwardEvent,
    AwardKind,
    AwardObjection,
    AwardRound,
    AwardRoundStatus,
    AwardStatus,
)
from regulator.lists.models import ListingStatus, ListType, SubjectType
from regulator.lists.selectors import rule_set_on

ABOUT = "award"
MAX_TEXT = 5000

served_documents.register(ABOUT, visible=lambda user: award_selectors.applications_for(user).values("pk"))


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _regulator(actor) -> None:
    if not getattr(actor, "is_regulator", False):
        raise PermissionDenied


def _text(value: Any, field: str, *, required: bool, limit: int = MAX_TEXT) -> str:
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str) or len(text) > limit or (required and not text):
        raise ValidationError({field: [_("须填写不超过 %(n)s 字的文字。") % {"n": limit}
                                       if required else _("应为不超过 %(n)s 字的文字。") % {"n": limit}]})
    return text


def _kind_rules(document: dict[str, Any], kind: str) -> dict[str, Any]:
    try:
        return award_rules.kind_rules(document, kind)
    except award_rules.AwardRulesMissing as exc:
        raise ConflictError(_("施行中的规则集没有该称号的评选规则（awards）。"), code="award_rules_missing") from exc


def _step(*, application_id: int, action: str, day: datetime.date, actor=None, reason: str = "", change=None,
          anonymous_name: str | None = None) -> AwardApplication:
    application, _from = transition_run(
        queryset=AwardApplication.objects.select_related("round", "entity"), pk=application_id, action=action,
        table=TRANSITIONS, history=AwardEvent, day=day, actor=actor, reason=reason, change=change,
        labels=ACTION_LABELS, anonymous_name=anonymous_name)
    return application


# ------------------------------------------------------------------ rounds

@transaction.atomic
def award_round_open(*, kind: str, name: str, region_code: str, opens_on: datetime.date, closes_on: datetime.date,
                     sectors: list[str] | None = None, conditions: list[dict[str, Any]] | None = None, actor,
                     today: datetime.date | None = None) -> AwardRound:
    """开展评选: a round of one title for a region (and sectors), with its own conditions; judged by today's set."""
    _regulator(actor)
    day = _today(today)
    errors: dict[str, list[str]] = {}
    if kind not in AwardKind.values:
        errors["kind"] = [_("未知的称号，应为 %(k)s 之一。") % {"k": "、".join(AwardKind.values)}]
    try:
        if not isinstance(region_code, str):
            raise ValidationError(_("行政区划代码应为 6 位数字。"))
        validate_region_code(region_code)
    except ValidationError as exc:
        errors["region_code"] = exc.messages
    sectors = list(sectors or [])
    if not isinstance(sectors, list) or any(s not in Sector.values for s in sectors):
        errors["sectors"] = [_("行业应为 %(s)s 中的代码。") % {"s": "、".join(Sector.values)}]
    condition_errors: list[str] = []
    award_rules.check_criteria(list(conditions or []), "conditions", condition_errors, required=False)
    if condition_errors:
        errors["conditions"] = condition_errors
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = [_("申报截止不得早于申报开始。")]
    if errors:
        raise ValidationError(errors)
    rule_set = rule_set_on(day)
    _kind_rules(rule_set.document, kind)
    award_round = AwardRound(kind=kind, name=_text(name, "name", required=True, limit=200), region_code=region_code,
                             sectors=sectors, opens_on=opens_on, closes_on=closes_on,
                             conditions=list(conditions or []), rule_set=rule_set, created_by=actor)
    award_round.full_clean()
    award_round.save()
    return award_round


@transaction.atomic
def award_round_close(*, round_id: int, actor) -> AwardRound:
    _regulator(actor)
    award_round = AwardRound.objects.select_for_update().get(pk=round_id)
    award_round.status = AwardRoundStatus.CLOSED
    award_round.save(update_fields=["status"])
    return award_round


# ------------------------------------------------------------------ filing and the automatic check

@transaction.atomic
def award_apply(*, round_id: int, entity_id: int, actor, statement: str = "",
                today: datetime.date | None = None) -> AwardApplication:
    """企业申报: a business for one of its own entities (another's is not found)."""
    if not getattr(actor, "is_business", False) and not getattr(actor, "is_regulator", False):
        raise PermissionDenied
    entity = entities_for(actor).filter(pk=entity_id).first()
    award_round = award_selectors.rounds_for(actor).filter(pk=round_id).first()
    if entity is None or award_round is None:
        raise Http404
    return _file(award_round, entity, channel=AwardChannel.APPLICATION, actor=actor, statement=statement,
                 day=_today(today))


@transaction.atomic
def award_nominate(*, round_id: int, entity_id: int, actor, statement: str = "",
                   today: datetime.date | None = None) -> AwardApplication:
    """监管部门推荐."""
    _regulator(actor)
    entity = Entity.objects.filter(pk=entity_id).first()
    award_round = AwardRound.objects.filter(pk=round_id).first()
    if entity is None or award_round is None:
        raise Http404
    return _file(award_round, entity, channel=AwardChannel.NOMINATION, actor=actor, statement=statement,
                 day=_today(today))


def region_prefix(code: str) -> str:
    """The prefix a region code covers: 140000 the province (14), 140800 the city (1408), 140802 the district."""
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def _file(award_round: AwardRound, entity: Entity, *, channel: str, actor, statement: str,
          day: datetime.date) -> AwardApplication:
    if award_round.status != AwardRoundStatus.OPEN or not award_round.opens_on <= day <= award_round.closes_on:
        raise ConflictError(_("该评选批次不在申报期内。"), code="round_not_open")
    if not entity.region_code.startswith(region_prefix(award_round.region_code)) or (
            award_round.sectors and entity.sector not in award_round.sectors):
        raise ValidationError({"entity": [_("该经营主体不在本批次的评选区域或行业范围内。")]})
    statement = _text(statement, "statement", required=False)
    application = AwardApplication(round=award_round, entity=entity, channel=channel, statement=statement,
                                   rule_set=rule_set_on(day), created_by=actor)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError as exc:
        raise ConflictError(_("该经营主体已参加本批次评选。"), code="duplicate_application") from exc
    action = "apply" if channel == AwardChannel.APPLICATION else "nominate"
    record_transition(AwardEvent, subject=application, action=action, from_status="", actor=actor,
                      reason=statement)
    return _check(application, day=day)


def award_criteria(application: AwardApplication) -> list[dict[str, Any]]:
    """The rule set's criteria for awards, then the round's own conditions."""
    document = application.rule_set.document
    try:
        criteria = award_rules.section(document)["criteria"]
    except award_rules.AwardRulesMissing as exc:
        raise ConflictError(_("规则集没有评选规则（awards）。"), code="award_rules_missing") from exc
    return [*criteria, *application.round.conditions]


def award_evaluate(application: AwardApplication, *, day: datetime.date) -> list[dict[str, Any]]:
    facts = award_selectors.entity_facts(application.entity_id, day=day)
    return award_rules.evaluate(award_criteria(application), facts, day=day)


def failed_words(results: list[dict[str, Any]]) -> str:
    return "；".join(f"{row['label']}：{row['detail']}" for row in results if not row["passed"])


def _check(application: AwardApplication, *, day: datetime.date) -> AwardApplication:
    """自动核验: each criterion's result stored; a failure refuses, all met goes to review."""
    results = award_evaluate(application, day=day)

    def change(row: AwardApplication) -> None:
        row.check_results, row.checked_on = results, day

    application = _step(application_id=application.pk, action="check", day=day, change=change,
                        reason="；".join(f"{r['label']}：{'符合' if r['passed'] else '不符合'}" for r in results))
    failed = failed_words(results)
    if failed:
        return _step(application_id=application.pk, action="refuse", day=day, reason=_("不符合评选条件：") + failed)
    return _step(application_id=application.pk, action="submit_review", day=day, reason=_("评选条件均符合"))


# ------------------------------------------------------------------ review, notice, objections

@transaction.atomic
def award_review(*, application_id: int, actor, approve: bool, reason: str = "",
                 today: datetime.date | None = None) -> AwardApplication:
    """审核: approved, the public notice period opens today; refused, with a reason."""
    _regulator(actor)
    day = _today(today)
    if not approve:
        reason = _text(reason, "reason", required=True)
        return _step(application_id=application_id, action="refuse", day=day, actor=actor, reason=reason)
    application = AwardApplication.objects.select_related("round").get(pk=application_id)
    days = _kind_rules(application.rule_set.document, application.round.kind)["notice_working_days"]

    def change(row: AwardApplication) -> None:
        row.notice_starts_on, row.notice_working_days = day, days
        row.notice_due = add_working_days(day, days)

    return _step(application_id=application_id, action="approve", day=day, actor=actor,
                 reason=_text(reason, "reason", required=False), change=change)


@transaction.atomic
def award_object(*, application_id: int, reason: str, name: str = "", contact: str = "",
                 today: datetime.date | None = None) -> AwardObjection:
    """公示异议: anyone, inside the notice period; name and contact optional and never published."""
    day = _today(today)
    if not AwardApplication.objects.filter(pk=application_id, status__in=["in_notice", "objected"]).exists():
        raise Http404
    reason = _text(reason, "reason", required=True)
    name = _text(name, "name", required=False, limit=100)
    contact = _text(contact, "contact", required=False, limit=100)
    application = _step(application_id=application_id, action="object", day=day, reason=_("收到公示异议"),
                        anonymous_name=_("公众"))
    return AwardObjection.objects.create(application=application, reason=reason, objector_name=name,
                                         objector_contact=contact, filed_on=day)


@transaction.atomic
def award_objection_answer(*, objection_id: int, actor, upheld: bool, answer: str,
                           today: datetime.date | None = None) -> AwardApplication:
    """异议处理: upheld ends the procedure (refused); dismissed, the notice runs to its end once none is open."""
    _regulator(actor)
    day = _today(today)
    answer = _text(answer, "answer", required=True)
    objection = AwardObjection.objects.select_for_update().filter(pk=objection_id).first()
    if objection is None:
        raise Http404
    if objection.answered_at is not None:
        raise ConflictError(_("该异议已处理。"), code="objection_answered")
    now = timezone.now()
    objection.upheld, objection.answer, objection.answered_by, objection.answered_at = upheld, answer, actor, now
    objection.save(update_fields=["upheld", "answer", "answered_by", "answered_at"])
    others = AwardObjection.objects.filter(application_id=objection.application_id, answered_at__isnull=True)
    if upheld:
        others.update(upheld=None, answer=_("因其他异议成立，评选程序已终止。"), answered_by=actor, answered_at=now)
        return _step(application_id=objection.application_id, action="uphold", day=day, actor=actor, reason=answer)
    if others.exists():
        application = AwardApplication.objects.get(pk=objection.application_id)
        record_transition(AwardEvent, subject=application, action="dismiss", from_status=application.status,
                          actor=actor, reason=answer)
        return application
    return _step(application_id=objection.application_id, action="dismiss", day=day, actor=actor, reason=answer)


# ------------------------------------------------------------------ the decision and the award's end

def _decision_sections(application: AwardApplication, kind: dict[str, Any], results: list[dict[str, Any]],
                       day: datetime.date, valid_until: datetime.date) -> list[dict[str, str]]:
    entity = application.entity
    notice = (f"{application.notice_starts_on:%Y年%m月%d日}至{application.notice_due:%Y年%m月%d日}"
              f"（{application.notice_working_days} 个工作日）")
    return [
        {"heading": _("授予对象"), "text": f"{entity.name}（统一社会信用代码 {entity.credit_code}）"},
        {"heading": _("称号"), "text": f"{kind['name']}（{application.round.name}）"},
        {"heading": _("评选条件核验"), "text": "；".join(f"{r['label']}：{r['detail']}" for r in results)},
        {"heading": _("公示"), "text": _("已于 %(notice)s 公示，公示期内异议均已处理。") % {"notice": notice}},
        {"heading": _("依据"), "text": kind["basis"]},
        {"heading": _("有效期"), "text": f"{day:%Y年%m月%d日}至{valid_until:%Y年%m月%d日}；"
                                        "期间评选条件不再符合的，称号自动撤销。"},
    ]


@transaction.atomic
def award_decide(*, application_id: int, actor, today: datetime.date | None = None) -> AwardApplication:
    """授予决定: after the notice period with every objection handled, and the criteria still met."""
    _regulator(actor)
    day = _today(today)
    application = AwardApplication.objects.select_related("round", "entity", "rule_set").get(pk=application_id)
    kind = _kind_rules(application.rule_set.document, application.round.kind)
    results = award_evaluate(application, day=day)
    failed = failed_words(results)
    if application.status == AwardStatus.IN_NOTICE and failed:
        raise ConflictError(_("评选条件已不再符合：%(failed)s") % {"failed": failed}, code="criteria_not_met")
    valid_until = day + datetime.timedelta(days=kind["validity_days"])

    def change(row: AwardApplication) -> None:
        document = served_documents.document_issue(
            kind=DocumentKind.AWARD_DECISION, about_type=ABOUT, about_id=row.pk, region_code=row.round.region_code,
            recipient=row.entity.name, sections=_decision_sections(row, kind, results, day, valid_until),
            issued_on=day, actor=actor, title=f"{kind['name']}授予决定书")
        row.decision_document, row.decision_number = document, document.number
        row.decided_on, row.valid_until, row.legal_basis = day, valid_until, kind["basis"][:500]
        row.check_results = results

    application = _step(application_id=application_id, action="grant", day=day, actor=actor, change=change)
    if kind["red_list"]:
        listing = listings.listing_propose(
            list_type=ListType.RED, subject_type=SubjectType.ENTITY, entity=application.entity,
            reason=_("获评%(name)s（%(number)s）") % {"name": kind["name"], "number": application.decision_number},
            source_type=ABOUT, source_id=application.pk, source_rule="award", actor=actor, today=day)
        AwardApplication.objects.filter(pk=application.pk).update(red_listing=listing)
        application.red_listing = listing
    evidence.evidence_changed(application.entity_id)
    return application


_RED_IN_PROCESS = {ListingStatus.PROPOSED, ListingStatus.NOTIFIED, ListingStatus.DECIDED}


@transaction.atomic
def award_revoke(*, application_id: int, reason: str, actor=None, automatic: bool = False,
                 today: datetime.date | None = None) -> AwardApplication:
    """撤销: a criterion broke (automatic, the system) or a regulator's reason; the red listing it led to ends too."""
    if not automatic:
        _regulator(actor)
    day = _today(today)
    reason = _text(reason, "reason", required=True)

    def change(row: AwardApplication) -> None:
        row.ended_on, row.end_reason, row.revoked_automatically = day, reason, automatic

    application = _step(application_id=application_id, action="revoke", day=day, actor=actor, reason=reason,
                        change=change)
    red = application.red_listing
    if red is not None:
        why = _("所依据的%(kind)s称号已撤销：%(reason)s") % {"kind": application.round.get_kind_display(),
                                                          "reason": reason}
        if red.status in _RED_IN_PROCESS:
            listings.listing_withdraw(listing_id=red.pk, reason=why, actor=actor, today=day)
        elif red.status == ListingStatus.PUBLISHED:
            listings.listing_remove(listing_id=red.pk, reason=why, actor=actor, today=day)
    evidence.evidence_changed(application.entity_id)
    return application


@transaction.atomic
def award_expire(*, application_id: int, today: datetime.date | None = None) -> AwardApplication:
    day = _today(today)

    def change(row: AwardApplication) -> None:
        if row.valid_until is None or row.valid_until >= day:
            raise ConflictError(_("称号尚在有效期内。"), code="award_in_force")
        row.ended_on = day

    application = _step(application_id=application_id, action="expire", day=day, change=change)
    evidence.evidence_changed(application.entity_id)
    return application


def awards_recheck(*, entity_ids: list[int] | None = None, today: datetime.date | None = None) -> list[int]:
    """Recheck the awards in force (of ``entity_ids``, or all): a criterion that broke revokes, automatically."""
    day = _today(today)
    granted = AwardApplication.objects.filter(status=AwardStatus.GRANTED).select_related("round", "rule_set")
    if entity_ids is not None:
        granted = granted.filter(entity_id__in=list(entity_ids))
    revoked = []
    for application in granted:
        failed = failed_words(award_evaluate(application, day=day))
        if failed:
            award_revoke(application_id=application.pk, reason=_("评选条件不再符合：") + failed, automatic=True,
                         today=day)
            revoked.append(application.pk)
    return revoked


def awards_expire_due(*, today: datetime.date | None = None) -> list[int]:
    day = _today(today)
    due = list(AwardApplication.objects.filter(status=AwardStatus.GRANTED, valid_until__lt=day)
               .values_list("pk", flat=True))
    for pk in due:
        award_expire(application_id=pk, today=day)
    return due


AWARD_STEPS = {"approve", "refuse", "grant", "revoke", "uphold", "dismiss"}
