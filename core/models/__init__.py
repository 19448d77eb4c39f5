"""Models of the shared kernel: accounts, the working calendar, the audit trail, the transition-history base,
background jobs."""

from core.models.accounts import User, UserRole
from core.models.audit import AuditCheckpoint, AuditEntry
from core.models.calendar import CalendarDay, CalendarDayKind
from core.models.clients import ClientKey, ClientQuery, ClientScope, DepartmentClient
from core.models.documents import (
           Authority,
           DeliveryMethod,
           DocumentKind,
           DocumentSeries,
           LegalCitation,
           ServedDocument,
)
from core.models.history import TransitionRecord
from core.models.jobs import FINISHED_STATES, Job, JobInput, JobState

__all__ = ["FINISHED_STATES", "AuditCheckpoint", "AuditEntry", "Authority", "CalendarDay", "CalendarDayKind", "DeliveryMethod",
           "ClientKey", "ClientQuery", "ClientScope", "DepartmentClient",
           "DocumentKind", "DocumentSeries", "Job", "JobInput", "JobState", "LegalCitation", "ServedDocument",
           "TransitionRecord", "User", "UserRole"]
