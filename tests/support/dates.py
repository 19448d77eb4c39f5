"""The service's "today": the local date in Asia/Shanghai (TIME_ZONE), not the machine's UTC date."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    """What the services use when called without a date: API and page tests are anchored to it."""
    return timezone.localdate()
