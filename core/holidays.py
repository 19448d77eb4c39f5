"""National holiday arrangements (国务院办公厅关于部分节假日安排的通知) seeded into the calendar.

2025 and 2026 follow the published notices. 2027's notice is published late in
2026; until a regulator enters it, 2027 holds the statutory days of
《全国年节及纪念日放假办法》(2024 revision) with no make-up workdays.
"""

from __future__ import annotations

import datetime


def _span(first: str, last: str) -> list[datetime.date]:
    start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    return [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]


# (name, holiday spans, make-up workdays)
ARRANGEMENTS: list[tuple[str, list[tuple[str, str]], list[str]]] = [
    ("2025元旦", [("2025-01-01", "2025-01-01")], []),
    ("2025春节", [("2025-01-28", "2025-02-04")], ["2025-01-26", "2025-02-08"]),
    ("2025清明节", [("2025-04-04", "2025-04-06")], []),
    ("2025劳动节", [("2025-05-01", "2025-05-05")], ["2025-04-27"]),
    ("2025端午节", [("2025-05-31", "2025-06-02")], []),
    ("2025国庆节、中秋节", [("2025-10-01", "2025-10-08")], ["2025-09-28", "2025-10-11"]),
    ("2026元旦", [("2026-01-01", "2026-01-03")], ["2026-01-04"]),
    ("2026春节", [("2026-02-15", "2026-02-23")], ["2026-02-14", "2026-02-28"]),
    ("2026清明节", [("2026-04-04", "2026-04-06")], []),
    ("2026劳动节", [("2026-05-01", "2026-05-05")], ["2026-05-09"]),
    ("2026端午节", [("2026-06-19", "2026-06-21")], []),
    ("2026中秋节", [("2026-09-25", "2026-09-27")], []),
    ("2026国庆节", [("2026-10-01", "2026-10-07")], ["2026-09-20", "2026-10-10"]),
    ("2027元旦", [("2027-01-01", "2027-01-01")], []),
    ("2027春节", [("2027-02-05", "2027-02-08")], []),
    ("2027清明节", [("2027-04-05", "2027-04-05")], []),
    ("2027劳动节", [("2027-05-01", "2027-05-02")], []),
    ("2027端午节", [("2027-06-09", "2027-06-09")], []),
    ("2027中秋节", [("2027-09-15", "2027-09-15")], []),
    ("2027国庆节", [("2027-10-01", "2027-10-03")], []),
]


def calendar_rows() -> list[tuple[datetime.date, str, str]]:
    rows = []
    for name, spans, workdays in ARRANGEMENTS:
        for first, last in spans:
            rows.extend((day, "holiday", name) for day in _span(first, last))
        rows.extend((datetime.date.fromisoformat(day), "workday", f"{name}调休") for day in workdays)
    return rows
