"""Reads of lists, scoped to the caller: out of scope is not found; and the rule set in force on a day."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

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


#: rule-set documents by (id, xmin): a set is never edited, and if a row were rewritten its xmin changes
_DOCUMENTS: dict[tuple[int, str], dict] = {}


def rule_sets() -> list[RuleSet]:
    """Every rule set, oldest first, its document from this process's memory (one small query, no documents
    read but those not seen yet: a set's 2 KB document rode along in every listing row before)."""
    rows = list(RuleSet.objects.defer("document").annotate(row_version=RawSQL("xmin::text", ()))
                .order_by("effective_from"))
    missing = [row.pk for row in rows if (row.pk, row.row_version) not in _DOCUMENTS]
    if missing:
        for pk, row_version, document in (RuleSet.objects.filter(pk__in=missing)
                                          .annotate(row_version=RawSQL("xmin::text", ()))
                                          .values_list("pk", "row_version", "document")):
            _DOCUMENTS[(pk, row_version)] = document
    for row in rows:
        row.document = _DOCUMENTS.get((row.pk, row.row_version))
    return [row for row in rows if row.document is not None]  # one rewritten between the two reads: next time


def rule_set_in_force(sets: list[RuleSet], day: datetime.date) -> RuleSet:
    """Of ``sets`` (oldest first), the one in force on ``day``: the latest not after it, else the earliest."""
    if not sets:
        raise RuleSetError(["no rule set is defined"])
    in_force = [rule_set for rule_set in sets if rule_set.effective_from <= day]
    return in_force[-1] if in_force else sets[0]


def rule_set_on(day: datetime.date):
    """The rule set in force on ``day`` (the latest whose effective_from is not after it)."""
    return rule_set_in_force(rule_sets(), day)


def data_version() -> int:
    """The id of the latest change the public can see (0 before the first publication)."""
    return PublicChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
