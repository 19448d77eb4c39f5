"""Complaint deadlines (旅游投诉处理办法), computed on the shared working-day calendar.

* accept, reject or transfer within 5 working days of receipt (the received date, not the day it was typed in);
* the business notice (答复通知书) issued within 5 working days of acceptance; the business's written reply
  due within 10 days of the notice's delivery;
* resolve within 60 days of acceptance;
* not accepted when filed more than 90 days after the service ended.

The articles are cited from the catalogue (``core.citations.cite``), never here.
"""

from __future__ import annotations

import datetime

from core.workdays import WorkCalendar

ACCEPT_WORKING_DAYS = 5
NOTIFY_WORKING_DAYS = 5
REPLY_DAYS = 10
RESOLVE_DAYS = 60
LATE_FILING_DAYS = 90
#: 4 or more complainants may elect 1 to 3 representatives
GROUP_SIZE = 4
MAX_REPRESENTATIVES = 3


def accept_due(received_on: datetime.date, calendar: WorkCalendar) -> datetime.date:
    return calendar.add_working_days(received_on, ACCEPT_WORKING_DAYS)


def notify_due(accepted_on: datetime.date, calendar: WorkCalendar) -> datetime.date:
    return calendar.add_working_days(accepted_on, NOTIFY_WORKING_DAYS)


def reply_due(delivered_on: datetime.date) -> datetime.date:
    """10 calendar days from the day the business notice reached the business."""
    return delivered_on + datetime.timedelta(days=REPLY_DAYS)


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


def is_notice_overdue(*, status: str, notify_due_on: datetime.date | None, issued_on: datetime.date | None,
                      today: datetime.date) -> bool:
    """The business notice was not issued by its due date (issued late, or still not issued after it)."""
    if notify_due_on is None or (status not in {"accepted", "investigating"} and issued_on is None):
        return False
    if issued_on is not None:
        return issued_on > notify_due_on
    return today > notify_due_on


def is_reply_overdue(*, status: str, reply_due_on: datetime.date | None, replied_on: datetime.date | None,
                     today: datetime.date) -> bool:
    """The business's written reply had not arrived by its due date."""
    if reply_due_on is None or (status not in {"accepted", "investigating"} and replied_on is None):
        return False
    if replied_on is not None:
        return replied_on > reply_due_on
    return today > reply_due_on
