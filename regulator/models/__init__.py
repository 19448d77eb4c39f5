"""Models of the regulator app: accounts, the working calendar, and lists with due process."""

from regulator.models.accounts import User, UserRole
from regulator.models.audit import AuditCheckpoint, AuditEntry
from regulator.models.calendar import CalendarDay, CalendarDayKind
from regulator.models.listings import (
    Listing,
    ListingEvent,
    ListingStatus,
    ListType,
    Objection,
    PublicChange,
    PublicStatement,
    RepairApplication,
    RepairStatus,
    RuleSet,
    StatementStatus,
    SubjectType,
)

__all__ = [
    "AuditCheckpoint", "AuditEntry", "CalendarDay", "CalendarDayKind", "ListType", "Listing", "ListingEvent", "ListingStatus", "Objection",
    "PublicChange", "PublicStatement", "RepairApplication", "RepairStatus", "RuleSet", "StatementStatus",
    "SubjectType", "User", "UserRole",
]
