"""Reads of the registry, scoped to the caller: what is out of scope simply is not found."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from entities.models import Entity, Licence, Person, PersonRole


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
