"""Complaint deadlines on the working-day calendar: weekends, holiday weeks and make-up workdays (调休).

Dates below are counted by hand on the seeded 2025/2026 arrangements:
* 2025 国庆/中秋: holidays 10-01..10-08, make-up workdays Sun 09-28 and Sat 10-11;
* 2026 春节: holidays 02-15..02-23, make-up workdays Sat 02-14 and Sat 02-28.
"""

from __future__ import annotations

import datetime

import pytest

from complaints import deadlines, services
from complaints.models import ComplaintStatus
from core.models import CalendarDay
from core.workdays import WorkCalendar, current_calendar
from tests.support import api_client, complaint_in

D = datetime.date


# --- the calendar as pure arithmetic -------------------------------------------------------------


def test_five_working_days_from_a_friday_skip_the_weekend():
    assert WorkCalendar().add_working_days(D(2026, 1, 9), 5) == D(2026, 1, 16)


def test_a_holiday_on_a_weekday_is_not_counted():
    calendar = WorkCalendar(holidays=frozenset({D(2026, 1, 13)}))
    assert calendar.add_working_days(D(2026, 1, 9), 5) == D(2026, 1, 19)


def test_a_make_up_workday_on_a_weekend_is_counted():
    calendar = WorkCalendar(workdays=frozenset({D(2026, 1, 10)}))
    assert calendar.is_working_day(D(2026, 1, 10))
    assert calendar.add_working_days(D(2026, 1, 9), 5) == D(2026, 1, 15)


def test_zero_working_days_is_the_start_and_negative_is_refused():
    assert WorkCalendar().add_working_days(D(2026, 1, 10), 0) == D(2026, 1, 10)
    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(D(2026, 1, 10), -1)


def test_working_days_between_counts_the_days_after_start_up_to_end():
    calendar = WorkCalendar(holidays=frozenset({D(2026, 1, 13)}))
    assert calendar.working_days_between(D(2026, 1, 9), D(2026, 1, 19)) == 5
    assert calendar.working_days_between(D(2026, 1, 9), D(2026, 1, 9)) == 0


def test_reply_and_resolve_deadlines_are_calendar_days():
    assert deadlines.reply_due(D(2026, 2, 13)) == D(2026, 2, 23)  # inside the holiday: calendar days
    assert deadlines.resolve_due(D(2026, 2, 13)) == D(2026, 4, 14)


# --- the seeded national calendar ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_migration_seeds_the_2025_and_2026_holiday_arrangements():
    calendar = current_calendar()
    assert {D(2026, 2, 14), D(2026, 2, 28), D(2025, 9, 28), D(2025, 10, 11)} <= calendar.workdays
    spring_festival = {D(2026, 2, 15) + datetime.timedelta(days=i) for i in range(9)}
    national_day = {D(2025, 10, 1) + datetime.timedelta(days=i) for i in range(8)}
    assert spring_festival <= calendar.holidays and national_day <= calendar.holidays


@pytest.mark.django_db
@pytest.mark.parametrize(("received_on", "due"), [
    (D(2026, 1, 9), D(2026, 1, 16)),    # Friday: the weekend is skipped
    (D(2026, 1, 10), D(2026, 1, 16)),   # received on a Saturday: counting starts Monday
    # Fri before 春节: Sat 02-14 is a make-up workday (1), 02-15..23 off, 24, 25, 26, 27 (2..5)
    (D(2026, 2, 13), D(2026, 2, 27)),
    # Tue before 国庆: 10-01..08 off, 10-09 (1), 10-10 (2), Sat 10-11 make-up (3), 10-13 (4), 10-14 (5)
    (D(2025, 9, 30), D(2025, 10, 14)),
    # Fri 09-26: Sun 09-28 make-up (1), 29 (2), 30 (3), then 10-09 (4), 10-10 (5)
    (D(2025, 9, 26), D(2025, 10, 10)),
    # received during the holiday: the first working day is 10-09
    (D(2025, 10, 3), D(2025, 10, 14)),
    # 2026 元旦 01-01..03 off, Sun 01-04 make-up: Wed 12-31 -> 01-04 (1), 05, 06, 07, 08 (2..5)
    (D(2025, 12, 31), D(2026, 1, 8)),
], ids=str)
def test_accept_due_is_five_working_days_after_receipt(received_on, due, entity_a):
    complaint = complaint_in(entity=entity_a, received_on=received_on)
    assert complaint.received_on == received_on
    assert complaint.accept_due == due


@pytest.mark.django_db
@pytest.mark.parametrize(("accepted_on", "notify", "reply", "resolve"), [
    (D(2026, 1, 9), D(2026, 1, 16), D(2026, 1, 19), D(2026, 3, 10)),
    (D(2026, 2, 13), D(2026, 2, 27), D(2026, 2, 23), D(2026, 4, 14)),
    (D(2025, 9, 30), D(2025, 10, 14), D(2025, 10, 10), D(2025, 11, 29)),
], ids=str)
def test_acceptance_sets_notify_and_resolve_deadlines_and_delivery_the_reply_deadline(
        accepted_on, notify, reply, resolve, entity_a, regulator):
    complaint = complaint_in(entity=entity_a, received_on=accepted_on - datetime.timedelta(days=1))
    complaint = services.complaint_accept(complaint_id=complaint.pk, actor=regulator, today=accepted_on)
    assert complaint.status == ComplaintStatus.ACCEPTED
    assert complaint.accepted_on == accepted_on
    assert complaint.notify_due == notify  # the business notice: 5 working days after acceptance
    assert complaint.resolve_due == resolve  # 60 days after acceptance
    assert complaint.reply_due is None  # nobody has told the business yet
    # the notice delivered the day it is issued: the business's reply is due 10 days later
    complaint = services.complaint_notify_business(complaint_id=complaint.pk, actor=regulator, today=accepted_on,
                                                   delivery_method="direct", delivered_on=accepted_on)
    assert (complaint.business_notified_on, complaint.reply_due) == (accepted_on, reply)


# --- the regulator maintains the calendar -----------------------------------------------------------------


@pytest.mark.django_db
def test_a_holiday_added_through_the_api_moves_the_next_deadline(entity_a, regulator_client):
    assert complaint_in(entity=entity_a, received_on=D(2026, 3, 6)).accept_due == D(2026, 3, 13)

    response = regulator_client.post("/api/v1/calendar/", {"date": "2026-03-10", "kind": "holiday",
                                                           "name": "地方临时放假"}, format="json")
    assert response.status_code == 201, response.content

    assert complaint_in(entity=entity_a, received_on=D(2026, 3, 6)).accept_due == D(2026, 3, 16)


@pytest.mark.django_db
def test_a_make_up_workday_added_through_the_api_shortens_the_next_deadline(entity_a, regulator_client):
    response = regulator_client.post("/api/v1/calendar/", {"date": "2026-03-07", "kind": "workday",
                                                           "name": "调休上班"}, format="json")
    assert response.status_code == 201, response.content
    assert complaint_in(entity=entity_a, received_on=D(2026, 3, 6)).accept_due == D(2026, 3, 12)


@pytest.mark.django_db
def test_removing_a_holiday_through_the_api_restores_the_deadline(entity_a, regulator_client):
    day = CalendarDay.objects.get(date=D(2026, 2, 17))
    assert regulator_client.delete(f"/api/v1/calendar/{day.pk}/").status_code == 204
    # 02-14 (1), 02-17 (2), 02-24 .. 02-26 (3..5)
    assert complaint_in(entity=entity_a, received_on=D(2026, 2, 13)).accept_due == D(2026, 2, 26)


@pytest.mark.django_db
def test_a_calendar_edit_does_not_rewrite_deadlines_already_set(entity_a, regulator_client):
    complaint = complaint_in(entity=entity_a, received_on=D(2026, 3, 6))
    regulator_client.post("/api/v1/calendar/", {"date": "2026-03-10", "kind": "holiday"}, format="json")
    complaint.refresh_from_db()
    assert complaint.accept_due == D(2026, 3, 13)


@pytest.mark.django_db
def test_only_a_regulator_may_edit_the_calendar(inspector_client, business_a):
    body = {"date": "2026-03-10", "kind": "holiday", "name": "x"}
    assert inspector_client.post("/api/v1/calendar/", body, format="json").status_code == 403
    assert api_client(business_a).post("/api/v1/calendar/", body, format="json").status_code == 403
    assert not CalendarDay.objects.filter(date=D(2026, 3, 10)).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "days", "due"), [
    ("2026-01-09", 5, "2026-01-16"),
    ("2026-02-13", 5, "2026-02-27"),
    ("2025-09-30", 5, "2025-10-14"),
    ("2026-02-13", 0, "2026-02-13"),
])
def test_deadline_endpoint_answers_the_working_day_due_date(start, days, due, inspector_client):
    response = inspector_client.get("/api/v1/calendar/deadline/", {"start": start, "working_days": days})
    assert response.status_code == 200, response.content
    assert response.json() == {"start": start, "working_days": days, "due": due}


@pytest.mark.django_db
def test_deadline_endpoint_follows_a_holiday_just_added(regulator_client):
    query = {"start": "2026-03-06", "working_days": 5}
    assert regulator_client.get("/api/v1/calendar/deadline/", query).json()["due"] == "2026-03-13"
    regulator_client.post("/api/v1/calendar/", {"date": "2026-03-11", "kind": "holiday"}, format="json")
    assert regulator_client.get("/api/v1/calendar/deadline/", query).json()["due"] == "2026-03-16"


@pytest.mark.django_db
@pytest.mark.parametrize("query", [{}, {"start": "2026-01-09"}, {"working_days": 5},
                                   {"start": "2026-13-01", "working_days": 5},
                                   {"start": "2026-01-09", "working_days": -1},
                                   {"start": "2026-01-09", "working_days": "five"}])
def test_deadline_endpoint_with_bad_parameters_is_400(query, regulator_client):
    response = regulator_client.get("/api/v1/calendar/deadline/", query)
    assert response.status_code == 400


@pytest.mark.django_db
def test_deadline_endpoint_needs_a_signed_in_user(anon_client):
    assert anon_client.get("/api/v1/calendar/deadline/", {"start": "2026-01-09", "working_days": 5}).status_code == 401


@pytest.mark.parametrize("days", ["5.0", " 5", "٥", "-1", "5e0", "251", ""])
def test_the_deadline_calculator_takes_working_days_as_plain_digits(days, inspector_client):
    response = inspector_client.get("/api/v1/calendar/deadline/", {"start": "2026-03-06", "working_days": days})
    assert response.status_code == 400 and "working_days" in response.json()
    assert inspector_client.get("/api/v1/calendar/deadline/",
                                {"start": "2026-03-06", "working_days": "5"}).status_code == 200
