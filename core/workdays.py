"""Working-day arithmetic (pure functions) and the calendar the whole service shares.

Working days skip weekends and the holidays of the regulator's calendar, and
count the make-up workdays (调休) that fall on weekends. A deadline of N
working days from a date is the N-th working day *after* that date
(旅游投诉处理办法: "5 个工作日内").
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.models import CalendarDay

# Horizon a deadline may reach: 60 working days is about three months.
_MAX_SCAN_DAYS = 3660


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[datetime.date] = field(default_factory=frozenset)
    workdays: frozenset[datetime.date] = field(default_factory=frozenset)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: datetime.date, count: int) -> datetime.date:
        """The ``count``-th working day after ``start`` (``count`` >= 0; 0 gives ``start``).

        ValueError when that day is beyond the horizon (``_MAX_SCAN_DAYS``) or past the last date Python has.
        """
        if count < 0:
            raise ValueError("count must be >= 0")
        day = start
        remaining = count
        for _ in range(_MAX_SCAN_DAYS):
            if remaining == 0:
                return day
            if day == datetime.date.max:  # 9999-12-31 has no next day: a ValueError, like any other horizon
                break
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        raise ValueError("deadline beyond the calendar horizon")

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days in (start, end]: how many have passed since ``start`` by ``end``."""
        days = 0
        day = start
        while day < end:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                days += 1
        return days


def build_calendar(rows: Iterable[tuple[datetime.date, str]]) -> WorkCalendar:
    holidays, workdays = set(), set()
    for day, kind in rows:
        (workdays if kind == "workday" else holidays).add(day)
    return WorkCalendar(frozenset(holidays), frozenset(workdays))


def current_calendar() -> WorkCalendar:
    """The calendar as stored now (read per call: a regulator's edit applies to the next deadline)."""
    return build_calendar(CalendarDay.objects.values_list("date", "kind"))


def add_working_days(start: datetime.date, count: int) -> datetime.date:
    return current_calendar().add_working_days(start, count)
