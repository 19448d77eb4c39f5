"""Celery tasks of the complainant's status updates: thin and idempotent, each calling a service.

Registered with the worker through ``complaints.status_update_services`` (imported when the app is ready).
"""

from __future__ import annotations

import datetime

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_status_update(event_id: int) -> int:
    """Send the updates of one history event (at most once per event and channel)."""
    # the services import this module at their top, so the task imports them here
    from complaints.status_update_services import notification_send

    return notification_send(event_id=event_id)


@shared_task(acks_late=True)
def erase_expired_contacts(today: str | None = None) -> int:
    """Daily: erase the update contacts of complaints that ended more than the retention period ago."""
    from complaints.status_update_services import contacts_erase_expired

    return contacts_erase_expired(today=datetime.date.fromisoformat(today) if today else None)
