"""Reads of lists, scoped to the caller: out of scope is not found."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from entities.selectors import entities_for

from regulator.models import Listing, Objection, PublicStatement, RepairApplication


def listings_for(user) -> QuerySet[Listing]:
    queryset = Listing.objects.select_related("entity", "person", "related_entity", "rule_set")
    if getattr(user, "is_regulator", False):
        return queryset
    scope = entities_for(user).values("pk")
    return queryset.filter(Q(entity__in=scope) | Q(related_entity__in=scope))


def objections_for(user) -> QuerySet[Objection]:
    return Objection.objects.filter(listing__in=listings_for(user).values("pk")).select_related("listing")


def repairs_for(user) -> QuerySet[RepairApplication]:
    return RepairApplication.objects.filter(listing__in=listings_for(user).values("pk")).select_related("listing")


def statements_for(user) -> QuerySet[PublicStatement]:
    queryset = PublicStatement.objects.select_related("entity")
    if getattr(user, "is_regulator", False):
        return queryset
    return queryset.filter(entity__in=entities_for(user).values("pk"))
