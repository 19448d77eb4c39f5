"""Reads of the registry, scoped to the caller: what is out of scope simply is not found."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from entities import searchkeys
from entities.models import Entity, Licence, Person, PersonRole
from entities.services import id_number_hash
from entities.validators import (
    credit_code_is_valid,
    normalize_credit_code,
    normalize_id_number,
    validate_id_number,
)


def entity_scope_q(user, prefix: str = "") -> Q | None:
    """The Q that limits entities to the caller's scope (``prefix`` for a related path), None for all."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if user.is_regulator:
        return None
    if user.is_inspector:
        if not user.region_codes or not user.sectors:
            return Q(pk__in=[])
        regions = reduce(or_, (Q(**{f"{prefix}region_code__startswith": code}) for code in user.region_codes))
        return regions & Q(**{f"{prefix}sector__in": user.sectors})
    if user.is_business:
        return Q(**{f"{prefix}pk__in": user.entities.values("pk")})
    return Q(pk__in=[])


def entities_for(user) -> QuerySet[Entity]:
    scope = entity_scope_q(user)
    queryset = Entity.objects.all()
    return queryset if scope is None else queryset.filter(scope)


def persons_for(user) -> QuerySet[Person]:
    """Regulators see every person; others the persons with a role at an entity in their scope."""
    if getattr(user, "is_regulator", False):
        return Person.objects.all()
    return Person.objects.filter(roles__entity__in=entities_for(user)).distinct()


def roles_for(user) -> QuerySet[PersonRole]:
    queryset = PersonRole.objects.select_related("entity", "person")
    scope = entity_scope_q(user, "entity__")
    return queryset if scope is None else queryset.filter(scope)


def licences_for(user) -> QuerySet[Licence]:
    queryset = Licence.objects.select_related("entity")
    scope = entity_scope_q(user, "entity__")
    return queryset if scope is None else queryset.filter(scope)


# ------------------------------------------------------------------ the registry's name keys

def search_names(queryset, value: str, *, code_field: str | None = None):
    """Filter by the name search keys (bigrams, pinyin, initials); a credit code matches exactly."""
    value = (value or "").strip()
    if not value:
        return queryset
    condition = Q(pk__in=[])
    if code_field:
        code = normalize_credit_code(value)
        if len(code) == 18 and credit_code_is_valid(code):
            return queryset.filter(**{code_field: code})  # a valid code is a code: its unique index answers
        if len(code) == 18:
            condition |= Q(**{code_field: code})
        elif code.isalnum() and len(code) >= 6:
            condition |= Q(**{f"{code_field}__startswith": code})
    tsquery = searchkeys.query_tsquery(value)
    if tsquery is not None:
        condition |= Q(search_vector__tsmatch=tsquery)
    return queryset.filter(condition)


def entity_ids_matching(term: str):
    """Entities by name keys (the GIN index the API searches too) or by credit code."""
    return search_names(Entity.objects.all(), term, code_field="credit_code").values("pk")


def person_ids_matching(term: str):
    """Persons by name keys, or by the whole ID number, matched through its keyed hash (never displayed)."""
    number = normalize_id_number(term)
    if len(number) == 18:
        try:
            validate_id_number(number)
        except ValidationError:
            pass
        else:
            return Person.objects.filter(id_hash=id_number_hash(number)).values("pk")
    return search_names(Person.objects.all(), term).values("pk")
