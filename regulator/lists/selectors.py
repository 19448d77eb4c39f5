"""Reads of lists, scoped to the caller: out of scope is not found; and the rule set in force on a day."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from complaints.selectors import findings_for
from entities.selectors import entities_for
from regulator.lists.models import Listing, Objection, PublicChange, RepairApplication, RuleSet
from regulator.lists.rules import RuleSetError


def listings_for(user) -> QuerySet[Listing]:
    queryset = Listing.objects.select_related("entity", "person", "related_entity", "rule_set")
    if getattr(user, "is_regulator", False):
        return queryset
    scope = entities_for(user).values("pk")
    return queryset.filter(Q(entity__in=scope) | Q(related_entity__in=scope))


def objections_for(user) -> QuerySet[Objection]:
    return Objection.objects.filter(listing__in=listings_for(user).values("pk")).select_related("listing")


def repairs_for(user) -> QuerySet[RepairApplication]:
    # a listing's repair follows the listing's scope, a penalty's the finding's
    return (RepairApplication.objects.filter(Q(listing__in=listings_for(user).values("pk"))
                                            | Q(finding__in=findings_for(user).values("pk")))
            .select_related("listing"))


def rule_set_on(day: datetime.date):
    """The rule set in force on ``day`` (the latest whose effective_from is not after it)."""
    rule_set = RuleSet.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rule_set is None:
        rule_set = RuleSet.objects.order_by("effective_from").first()
    if rule_set is None:
        raise RuleSetError(["no rule set is defined"])
    return rule_set


def data_version() -> int:
    """The id of the latest change the public can see (0 before the first publication)."""
    return PublicChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
