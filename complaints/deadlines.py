"""Complaint deadlines (旅游投诉处理办法), computed on the shared working-day calendar.

* accept, reject or transfer within 5 working days of receipt (第十五条);
* notify the business within 5 working days of acceptance, its reply due within 10 days;
* resolve within 60 days of acceptance (第二十六条);
* not accepted when filed more than 90 days after the service ended (第十条).
"""

from __future__ import annotations

import datetime

from core.workdays import WorkCalendar

ACCEPT_WORKING_DAYS = 5
NOTIFY_WORKING_DAYS = 5
REPLY_DAYS = 10
RESOLVE_DAYS = 60
LATE_FILING_DAYS = 90


def accept_due(received_on: datetime.date, calendar: WorkCalendar) -> datetime.date:
    return calendar.add_working_days(received_on, ACCEPT_WORKING_DAYS)


def notify_due(accepted_on: datetime.date, calendar: WorkCalendar) -> datetime.date:
    return calendar.add_working_days(accepted_on, NOTIFY_WORKING_DAYS)


def reply_due(notified_on: datetime.date) -> datetime.date:
    return notified_on + datetime.timedelta(days=REPLY_DAYS)


def resolve_due(accepted_on: datetime.date) -> datetime.date:
    return accepted_on + datetime.timedelta(days=RESOLVE_DAYS)


def is_late_filing(incident_date: datetime.date, received_on: datetime.date) -> bool:
    return (received_on - incident_date).days > LATE_FILING_DAYS


def is_overdue(*, status: str, accept_due_on: datetime.date | None, resolve_due_on: datetime.date | None,
               today: datetime.date) -> bool:
    """Open and past the deadline of its current step."""
    if status == "submitted":
        return accept_due_on is not None and today > accept_due_on
    if status in {"accepted", "investigating"}:
        return resolve_due_on is not None and today > resolve_due_on
    return False
