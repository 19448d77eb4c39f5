"""Listings as credit events: the ledger rows a listing of an entity contributes to its score."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from ratings.ledger import Derived
from regulator.lists.models import Listing, ListingStatus, SubjectType

# A removed listing's basis was revoked: it never counted. The others count from the decision to their end.
_COUNTED = [ListingStatus.PUBLISHED, ListingStatus.EXPIRED, ListingStatus.REPAIRED]


def listing_events(entity_id: int, as_of: datetime.date) -> Iterable[Derived]:
    rows = Listing.objects.filter(entity_id=entity_id, subject_type=SubjectType.ENTITY, status__in=_COUNTED,
                                  decided_on__isnull=False, decided_on__lte=as_of)
    for listing in rows:
        end = listing.ended_on or listing.expires_on
        yield Derived("listing", listing.pk, f"listing_{listing.list_type}", listing.decided_on, "general", end,
                      listing.reason[:200])
