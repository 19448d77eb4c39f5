"""The regulator app's models live in its rooms; importing them here registers them with Django."""

from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.lists.models import (
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    Objection,
    PublicChange,
    RepairApplication,
    RepairStatus,
    RuleSet,
    SubjectType,
)

__all__ = [
    "ListType", "Listing", "ListingEvent", "ListingStatus", "Objection", "PublicChange", "PublicStatement",
    "RepairApplication", "RepairStatus", "RuleSet", "StatementStatus", "SubjectType",
]
