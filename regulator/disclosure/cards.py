"""居家上门服务证 as the public checks it at the door: ``GET /api/v1/public/worker-cards/<code>/`` and ``/cards/<code>/``.

The answer shows only the worker's masked name, the firm, the card's validity and four flags (identity verified,
health check valid, training done, no bad record in force): never an ID number, a phone, an address, a photo, nor
any complaint or customer. It is signed like every public answer; the receipt names the card and what it showed.

"No bad record in force" (不良记录) means, on the day asked: no published 严重失信主体名单 or 重点关注名单 listing of the
worker inside its period, and no finding naming the worker whose penalty is inside its publicity period by the rule
set in force that day (the same publicity as the firm's penalties on its public page: a warning alone, and from
2026-04-01 a 轻微 one, is not published). Complaints are not a bad record by themselves.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from complaints.models import Finding
from entities.worker_selectors import CARD_REASONS, card_by_code, card_state
from entities.workers import ServiceCard, normalize_card_code
from regulator.disclosure.redaction import mask_name
from regulator.disclosure.reviews import worker_reviews
from regulator.lists.models import Listing, ListingStatus, ListType, RepairApplication
from regulator.lists.rules import penalty_publicity
from regulator.lists.selectors import rule_set_on

STATUS_LABELS = {"valid": "有效", "expired": "已失效", "revoked": "已注销"}
FLAG_LABELS = {
    "identity_verified": ("身份已核验", "身份未核验"),
    "health_check_valid": ("健康体检在有效期内", "无有效健康体检"),
    "training_done": ("已完成岗前或回炉培训", "未登记岗前或回炉培训"),
    "no_bad_record": ("无在效不良记录", "有在效不良记录"),
}


def bad_record_in_force(person_id: int, *, as_of: datetime.date) -> bool:
    """A published black or watch listing of the person in its period, or a publicised penalty naming them."""
    listed = Listing.objects.filter(
        person_id=person_id, status=ListingStatus.PUBLISHED, list_type__in=[ListType.BLACK, ListType.WATCH],
        published_on__lte=as_of).filter(Q(expires_on__isnull=True) | Q(expires_on__gt=as_of))
    if listed.exists():
        return True
    findings = (Finding.objects.filter(worker_id=person_id).exclude(penalty="none")
                .exclude(pk__in=RepairApplication.objects.penalty_publicity_ended(as_of=as_of))
                .select_related("violation_type", "inspection")
                .only("id", "severity", "penalty", "decided_on", "inspection__inspected_on",
                      "violation_type__safety_related"))
    document = None
    for finding in findings:
        document = document or rule_set_on(as_of).document
        publicity = penalty_publicity(document, severity=finding.severity, penalty=finding.penalty,
                                      safety_related=finding.violation_type.safety_related)
        decided = finding.decided_on or finding.inspection.inspected_on
        if publicity["published"] and decided <= as_of < decided + datetime.timedelta(days=publicity["max_days"]):
            return True
    return False


def card_answer(card: ServiceCard, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    """The public answer for one card on ``as_of`` (today): what the card page and the API show, nothing more."""
    day = as_of or timezone.localdate()
    employment = card.employment
    person = employment.person
    state = card_state(card, day=day, health_checks=list(person.health_checks.all()),
                       verifications=list(person.identity_verifications.all()), trainings=list(person.trainings.all()))
    flags = {"identity_verified": state.identity_verified, "health_check_valid": state.health_check_valid,
             "training_done": state.training_done, "no_bad_record": not bad_record_in_force(person.pk, as_of=day)}
    return {
        "card_code": card.code,
        "worker_name": mask_name(person.name),
        "firm_name": employment.entity.name,
        "firm_credit_code": employment.entity.credit_code,
        "status": state.status,
        "status_text": STATUS_LABELS[state.status],
        "valid": state.valid,
        "issued_on": card.issued_on,
        "valid_until": state.valid_until,
        "revoked_on": card.revoked_on if state.status == "revoked" else None,
        "reasons": [CARD_REASONS[reason] for reason in state.reasons],
        "flags": flags,
        "health_check_valid_until": state.health_check_expires_on,
        "reviews": worker_reviews(person.pk),  # 家政服务评价: published ones only (regulator/disclosure/reviews.py)
        "as_of": day,
    }


def find_card(code: str) -> ServiceCard | None:
    """The card a typed or scanned code names (any case, with or without dashes); None when no such card."""
    return card_by_code(normalize_card_code(code))


def card_terms(answer: dict[str, Any]) -> dict[str, Any]:
    """The receipt's words: which card (code, masked worker, firm) and what it showed on the day."""
    code = answer["card_code"]
    subject = {"type": "person", "card_code": code, "firm_credit_code": answer["firm_credit_code"],
               "text": f"居家上门服务证 {code}（{answer['worker_name']}，{answer['firm_name']}）"}
    question = {"text": f"截至 {answer['as_of']} 核验居家上门服务证 {code}", "card_code": code}
    status = answer["status_text"]
    if answer["valid"] and answer["valid_until"]:
        status += f"（有效期至 {answer['valid_until']}）"
    elif answer["reasons"]:
        status += f"（{'；'.join(answer['reasons'])}）"
    flags = "；".join(FLAG_LABELS[name][0 if value else 1] for name, value in answer["flags"].items())
    return {"subject": subject, "question": question, "result_text": f"{status}。{flags}。"}
