"""北京时间 on the pages: every time a page prints goes through these filters, whatever it was stored as.

Times are stored in UTC; some reach a template as ISO strings already (a receipt's ``checked_at``, the open-data
manifest's ``generated_at``), which Django's ``date`` filter does not localise. ``beijing`` turns either into
``<time datetime="2026-03-01T14:03:00+08:00">2026-03-01 14:03</time>`` in Asia/Shanghai; the page says once
(the site footer) that its times are Beijing time, so no time carries the words again.
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def to_beijing(value: Any) -> datetime.datetime | None:
    """An aware datetime in Asia/Shanghai from a datetime (naive ones are taken as UTC) or an ISO 8601 string."""
    if isinstance(value, str):
        try:
            value = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime.datetime):
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(BEIJING)


@register.filter
def beijing(value: Any, precision: str = "minutes") -> str:
    """``<time>`` of a moment in Beijing time: ``2026-03-01 14:03`` (``"seconds"``: with seconds)."""
    moment = to_beijing(value)
    if moment is None:
        return "—" if value in (None, "") else str(value)
    shown = moment.strftime("%Y-%m-%d %H:%M:%S" if precision == "seconds" else "%Y-%m-%d %H:%M")
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(timespec="seconds"), shown)


@register.filter
def beijing_date(value: Any) -> str:
    """``<time>`` of the day a moment falls on in Beijing (a date is printed as it is)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), value.isoformat())
    moment = to_beijing(value)
    if moment is None:
        return "—" if value in (None, "") else str(value)
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(timespec="seconds"),
                       moment.date().isoformat())
