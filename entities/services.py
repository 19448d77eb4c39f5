"""Writes to the registry. Each runs in one transaction and validates the model before saving."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from entities import hooks
from entities.exceptions import DuplicatePerson
from entities.models import Entity, Licence, Person, PersonRole
from entities.validators import mask_id_number, normalize_id_number

_ID_HASH_SALT = "credit.person.id_number"


def id_number_hash(id_number: str) -> str:
    """Keyed HMAC-SHA256 of the normalised number: the same number always gives the same hash."""
    return salted_hmac(
        _ID_HASH_SALT, normalize_id_number(id_number), secret=settings.ID_HASH_KEY, algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def entity_create(**fields) -> Entity:
    entity = Entity(**fields)
    entity.full_clean()
    entity.save()
    return entity


@transaction.atomic
def entity_update(*, entity: Entity, **fields) -> Entity:
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    for name, value in fields.items():
        setattr(entity, name, value)
    entity.full_clean()
    entity.save()
    return entity


def person_find(*, id_number: str) -> Person | None:
    return Person.objects.filter(id_hash=id_number_hash(id_number)).first()


@transaction.atomic
def person_create(*, name: str, id_number: str) -> Person:
    """Create a person; a number already on file answers 409 carrying the existing id."""
    digest = id_number_hash(id_number)
    existing = Person.objects.filter(id_hash=digest).values_list("pk", flat=True).first()
    if existing is not None:
        raise DuplicatePerson(existing)
    person = Person(name=name, id_hash=digest, id_number_masked=mask_id_number(id_number))
    person.full_clean(exclude=["id_hash"])
    person.save()
    return person


@transaction.atomic
def person_update(*, person: Person, name: str) -> Person:
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.name = name
    person.full_clean(exclude=["id_hash"])
    person.save()
    return person


#: what an appointment is: a change of any of these is a new appointment, checked again
_APPOINTMENT = ("entity_id", "person_id", "role", "started_on")


@transaction.atomic
def role_save(*, person_role: PersonRole | None = None, **fields) -> PersonRole:
    """Record a role; an appointment (new, or its person, entity, role or first day changed) is checked.

    The save always succeeds; an appointment made while a restriction binds the person (or that could not
    be checked) is flagged: ``flagged``, ``flag_reasons`` (each with a ``code`` and a ``detail`` in words),
    ``flagged_at``. The caller shows them as warnings (API ``warnings``, an admin message).
    """
    # Not ``role=``: that is a field of PersonRole and arrives in ``fields``.
    role = person_role or PersonRole()
    for name, value in fields.items():
        setattr(role, name, value)
    role.full_clean()
    stored = PersonRole.objects.filter(pk=role.pk).values(*_APPOINTMENT).first() if role.pk else None
    if stored is None or any(stored[name] != getattr(role, name) for name in _APPOINTMENT):
        _appointment_check(role)
    role.save()
    return role


def _appointment_check(role: PersonRole) -> None:
    reasons = hooks.appointment_reasons(person_id=role.person_id, entity_id=role.entity_id, role=role.role,
                                        started_on=role.started_on, ended_on=role.ended_on)
    now = timezone.now()
    role.flag_reasons = reasons
    role.flagged_at = now if reasons else None
    role.flagged = bool(reasons)
    role.checked_at = now


@transaction.atomic
def licence_save(*, licence: Licence | None = None, **fields) -> Licence:
    licence = licence or Licence()
    for name, value in fields.items():
        setattr(licence, name, value)
    licence.full_clean()
    licence.save()
    hooks.licence_saved(licence)  # 双公示: the licensing decision's record, in this transaction
    return licence
