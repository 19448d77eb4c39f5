"""Writes to the household workers' credit files (家政服务员信用档案) and their 居家上门服务证.

Each runs in one transaction and validates before saving. A firm writes through its business account for its own
household-service firms only; a regulator for any. A worker is a Person found by the keyed hash of the ID number
(the same number is always the same person, whichever firm registers them), so a worker moving between firms keeps
one file. A card is issued per employment; its validity is computed on the day asked (entities.worker_selectors).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from entities import services
from entities.models import Entity, Person
from entities.worker_selectors import health_check_on, writable_firms
from entities.workers import (
    Employment,
    HealthCheck,
    IdentityVerification,
    ServiceCard,
    SkillCertificate,
    TrainingRecord,
    new_card_code,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _firm(actor, entity: Entity | None, *, required: bool) -> Entity | None:
    """The household-service firm the write is for, if the actor may write for it (else a 400 naming ``entity``)."""
    if entity is None:
        if required or not getattr(actor, "is_regulator", False):
            raise ValidationError({"entity": [_("请指定用工的家政服务企业。")]})
        return None
    if not writable_firms(actor).filter(pk=entity.pk).exists():
        raise ValidationError({"entity": [_("该主体不存在，或不是您可以登记从业人员的家政服务企业。")]})
    return entity


def _employed_by(person: Person, entity: Entity | None) -> None:
    if entity is not None and not Employment.objects.filter(person=person, entity=entity).exists():
        raise ValidationError({"person": [_("该人员未在该企业登记从业。")]})


def _not_future(field: str, day: datetime.date | None, today: datetime.date) -> None:
    if day is not None and day > today:
        raise ValidationError({field: [_("日期不能晚于今天。")]})


def _recorded(actor, entity: Entity | None) -> dict[str, Any]:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return {"recorded_by": user, "recorded_by_entity": entity}


def _overlap_check(employment: Employment) -> None:
    """One firm employs a worker in one period at a time (two firms may employ them side by side)."""
    others = Employment.objects.filter(entity_id=employment.entity_id, person_id=employment.person_id)
    if employment.pk:
        others = others.exclude(pk=employment.pk)
    if employment.ended_on is not None:
        others = others.filter(started_on__lte=employment.ended_on)
    if others.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=employment.started_on)).exists():
        raise ValidationError({"started_on": [_("与该人员在本企业的另一段从业登记时间重叠。")]})


@transaction.atomic
def worker_register(*, actor, entity: Entity, name: str, id_number: str, started_on: datetime.date,
                    ended_on: datetime.date | None = None, position: str = "",
                    today: datetime.date | None = None) -> tuple[Employment, str]:
    """Register a worker's employment by a firm: the person by ID hash (created if new), then the employment.

    Idempotent on (firm, ID hash, first day): the same again is ``unchanged``; a new ``ended_on`` or position on it
    is ``updated``; otherwise ``created``. The name on file is never changed by a firm's registration.
    """
    day = _today(today)
    _firm(actor, entity, required=True)
    _not_future("started_on", started_on, day + datetime.timedelta(days=31))
    person = services.person_find(id_number=id_number)
    if person is None:
        person = services.person_create(name=name.strip(), id_number=id_number)
    employment = Employment.objects.select_for_update().filter(entity=entity, person=person,
                                                               started_on=started_on).first()
    if employment is not None:
        changed = {key: value for key, value in (("ended_on", ended_on), ("position", position.strip()))
                   if value not in (None, "") and getattr(employment, key) != value}
        if not changed:
            return employment, "unchanged"
        return employment_update(actor=actor, employment=employment, **changed), "updated"
    employment = Employment(entity=entity, person=person, started_on=started_on, ended_on=ended_on,
                            position=position.strip(), **_recorded(actor, entity))
    employment.full_clean()
    _overlap_check(employment)
    employment.save()
    return employment, "created"


_UNSET: Any = object()


@transaction.atomic
def employment_update(*, actor, employment: Employment, ended_on: datetime.date | None = _UNSET,
                      position: str = _UNSET) -> Employment:
    """End an employment (离职) or correct its position; the firm and the person never change."""
    employment = Employment.objects.select_for_update().get(pk=employment.pk)
    _firm(actor, employment.entity, required=True)
    if ended_on is not _UNSET:
        employment.ended_on = ended_on
    if position is not _UNSET:
        employment.position = (position or "").strip()
    employment.full_clean()
    _overlap_check(employment)
    employment.save()
    return employment


@transaction.atomic
def identity_verify(*, actor, person: Person, entity: Entity | None = None, verified_on: datetime.date,
                    method: str, today: datetime.date | None = None) -> IdentityVerification:
    """身份核验: recorded with who verified (the account's name, kept as it was) and when."""
    entity = _firm(actor, entity, required=False)
    _employed_by(person, entity)
    _not_future("verified_on", verified_on, _today(today))
    name = actor.get_full_name() or actor.get_username() if getattr(actor, "is_authenticated", False) else ""
    if entity is not None:
        name = f"{name}（{entity.name}）"
    verification = IdentityVerification(person=person, verified_on=verified_on, method=method,
                                        verifier_name=name[:150] or _("监管部门"), **_recorded(actor, entity))
    verification.full_clean()
    verification.save()
    return verification


def _entry_create(model, *, actor, person: Person, entity: Entity | None, date_field: str, today, **fields):
    entity = _firm(actor, entity, required=False)
    _employed_by(person, entity)
    _not_future(date_field, fields.get(date_field), _today(today))
    entry = model(person=person, **fields, **_recorded(actor, entity))
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def health_check_record(*, actor, person: Person, entity: Entity | None = None, checked_on: datetime.date,
                        expires_on: datetime.date, institution: str, passed: bool = True,
                        certificate_number: str = "", today: datetime.date | None = None) -> HealthCheck:
    """健康体检 with its date and expiry (the card is valid through the expiry day, not after)."""
    return _entry_create(HealthCheck, actor=actor, person=person, entity=entity, date_field="checked_on", today=today,
                         checked_on=checked_on, expires_on=expires_on, institution=institution.strip(),
                         passed=passed, certificate_number=certificate_number.strip())


@transaction.atomic
def training_record(*, actor, person: Person, entity: Entity | None = None, kind: str, provider: str, hours: int,
                    completed_on: datetime.date, certificate_number: str = "",
                    today: datetime.date | None = None) -> TrainingRecord:
    """培训记录 (岗前培训, 回炉 retraining, skills): provider, hours, date, certificate number."""
    return _entry_create(TrainingRecord, actor=actor, person=person, entity=entity, date_field="completed_on",
                         today=today, kind=kind, provider=provider.strip(), hours=hours, completed_on=completed_on,
                         certificate_number=certificate_number.strip())


@transaction.atomic
def skill_certificate_record(*, actor, person: Person, entity: Entity | None = None, name: str, number: str,
                             issuer: str, issued_on: datetime.date, level: str = "",
                             expires_on: datetime.date | None = None,
                             today: datetime.date | None = None) -> SkillCertificate:
    """职业技能证书; the same certificate number twice for one person is a 409."""
    if SkillCertificate.objects.filter(person=person, number=number.strip()).exists():
        raise ConflictError(_("该人员已登记此证书编号。"))
    return _entry_create(SkillCertificate, actor=actor, person=person, entity=entity, date_field="issued_on",
                         today=today, name=name.strip(), number=number.strip(), issuer=issuer.strip(),
                         issued_on=issued_on, level=level.strip(), expires_on=expires_on)


@transaction.atomic
def entry_update(*, actor, entry, **fields):
    """Correct a file entry: a firm only the entries its own account recorded, a regulator any."""
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    if not getattr(actor, "is_regulator", False):
        if entry.recorded_by_entity_id is None or not writable_firms(actor).filter(
                pk=entry.recorded_by_entity_id).exists():
            raise ValidationError({"detail": [_("只能更正本企业录入的记录。")]})
    for name, value in fields.items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    entry.full_clean()
    entry.save()
    return entry


# ------------------------------------------------------------------ 居家上门服务证


@transaction.atomic
def card_issue(*, actor, employment: Employment, issued_on: datetime.date | None = None,
               expires_on: datetime.date | None = None, today: datetime.date | None = None) -> ServiceCard:
    """Issue a card for an employment in force, to a worker whose identity is verified and whose health check is
    valid on the day of issue (fail closed: a card never starts out showing a lapsed check). One open card per
    employment: a second is a 409 (revoke the first)."""
    day = _today(today)
    employment = Employment.objects.select_for_update().select_related("entity", "person").get(pk=employment.pk)
    _firm(actor, employment.entity, required=True)
    issued = issued_on or day
    _not_future("issued_on", issued, day)
    errors: dict[str, list[str]] = {}
    if not employment.covers(issued):
        errors["employment"] = [_("发证日该人员不在该企业在职。")]
    person = employment.person
    if not person.identity_verifications.filter(verified_on__lte=issued).exists():
        errors.setdefault("employment", []).append(_("该人员尚未完成身份核验。"))
    if health_check_on(list(person.health_checks.all()), issued) is None:
        errors.setdefault("employment", []).append(_("该人员没有在有效期内的合格健康体检。"))
    if expires_on is not None and expires_on < issued:
        errors["expires_on"] = [_("证件有效期至不得早于发证日期。")]
    if errors:
        raise ValidationError(errors)
    if employment.cards.filter(revoked_on__isnull=True).exists():
        raise ConflictError(_("该从业登记已有未注销的居家上门服务证，请先注销。"))
    user = actor if getattr(actor, "is_authenticated", False) else None
    for _attempt in range(5):  # a code collision (about 59 bits) is astronomically rare; draw again if it happens
        card = ServiceCard(code=new_card_code(), employment=employment, issued_on=issued, expires_on=expires_on,
                           issued_by=user)
        card.full_clean(exclude=["code"])
        try:
            with transaction.atomic():
                card.save()
        except IntegrityError:
            if ServiceCard.objects.filter(code=card.code).exists():
                continue
            raise
        return card
    raise ConflictError(_("未能生成证件编码，请重试。"))


@transaction.atomic
def card_revoke(*, actor, card: ServiceCard, reason: str, today: datetime.date | None = None) -> ServiceCard:
    """注销: from today on the card page says it is revoked, and why in general terms (the reason stays internal)."""
    card = ServiceCard.objects.select_for_update().select_related("employment__entity").get(pk=card.pk)
    _firm(actor, card.employment.entity, required=True)
    if card.revoked_on is not None:
        raise ConflictError(_("该证件已注销。"))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("请填写注销原因。")]})
    card.revoked_on = _today(today)
    card.revoked_reason = reason.strip()[:300]
    card.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    card.full_clean()
    card.save()
    return card
