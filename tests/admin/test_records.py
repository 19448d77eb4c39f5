"""Audit trail, calendar and rule sets in the admin: the audit views only read; the others write as the API does."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from core.models import AuditCheckpoint, AuditEntry, CalendarDay
from core.workdays import add_working_days
from regulator.lists.models import Listing, PublicChange, RuleSet
from regulator.lists.rules import DEFAULT_DOCUMENT
from tests.support import page_client
from tests.support.factories import UserFactory

from .conftest import admin_url, results

pytestmark = pytest.mark.django_db

READ_ONLY = [AuditEntry, AuditCheckpoint, PublicChange]


def test_audit_views_refuse_add_change_and_delete(admin_client, world):
    for model in READ_ONLY:
        row = model.objects.order_by("-pk").first()
        assert admin_client.get(admin_url(model, "add")).status_code == 403, model.__name__
        assert admin_client.post(admin_url(model, "change", row.pk), {}).status_code == 403, model.__name__
        assert admin_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403, model.__name__
        assert admin_client.post(admin_url(model), {"action": "delete_selected", "_selected_action": row.pk,
                                                    "post": "yes"}).status_code == 200, model.__name__
        assert model.objects.filter(pk=row.pk).exists(), model.__name__


def test_behind_the_admin_the_database_refuses_too(world):
    entry = AuditEntry.objects.order_by("-id").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(operation="DELETE")


def test_the_audit_page_shows_who_changed_what(admin_client, world):
    listing = world["listing"]
    entry = AuditEntry.objects.filter(table_name="regulator_listing", object_id=str(listing.pk)).latest("id")
    body = admin_client.get(admin_url(AuditEntry, "change", entry.pk)).content.decode()
    assert entry.hash in body and entry.prev_hash in body
    assert "状态：已公示" in body  # the row after the change, in words (its JSON stays in the entry)
    assert 'name="_save"' not in body


def test_audit_entries_are_filtered_by_table_object_user_operation_and_date(admin_client, staff_regulator, world):
    listing = world["listing"]
    url = admin_url(AuditEntry)
    by_object = results(admin_client.get(url, {"q": f"regulator_listing:{listing.pk}"}))
    assert by_object and {(e.table_name, e.object_id) for e in by_object} == {("regulator_listing", str(listing.pk))}
    by_table = results(admin_client.get(url, {"table": "complaints_complaint"}))
    assert by_table and {e.table_name for e in by_table} == {"complaints_complaint"}
    assert {e.operation for e in results(admin_client.get(url, {"operation": "DELETE"}))} <= {"DELETE"}

    other = UserFactory(username="someone_else", role="regulator", is_staff=True)
    page_client(other).post(admin_url(CalendarDay, "add"), {"date": "2031-05-01", "kind": "holiday", "name": "劳动节"})
    mine = results(admin_client.get(url, {"user": str(other.pk)}))
    assert mine and {e.context["user_id"] for e in mine} == {other.pk}
    # The day it added, and the admin's own history row of that addition.
    assert {e.table_name for e in mine} == {"regulator_calendarday", "django_admin_log"}
    assert results(admin_client.get(url, {"q": "someone_else"})) == mine
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    today = results(admin_client.get(url, {"created_at__gte": str(midnight),
                                           "created_at__lt": str(midnight + datetime.timedelta(days=1))}))
    assert set(mine) <= set(today)
    assert results(admin_client.get(url, {"created_at__gte": str(midnight + datetime.timedelta(days=1))})) == []


def test_the_calendar_is_maintained_in_the_admin_and_moves_deadlines(admin_client, world):
    monday = datetime.date(2031, 3, 3)
    assert add_working_days(monday - datetime.timedelta(days=3), 1) == monday
    response = admin_client.post(admin_url(CalendarDay, "add"), {"date": str(monday), "kind": "holiday", "name": "假"})
    assert response.status_code == 302
    assert add_working_days(monday - datetime.timedelta(days=3), 1) == monday + datetime.timedelta(days=1)
    day = CalendarDay.objects.get(date=monday)
    assert admin_client.post(admin_url(CalendarDay, "delete", day.pk), {"post": "yes"}).status_code == 302
    assert not CalendarDay.objects.filter(date=monday).exists()


def test_a_rule_set_is_added_validated_and_then_never_edited(admin_client, staff_regulator):
    url = admin_url(RuleSet, "add")
    broken = {**DEFAULT_DOCUMENT, "periods_days": {"black": -1}}
    response = admin_client.post(url, {"version": "90", "name": "坏规则", "effective_from": "2031-01-01",
                                       "document": json.dumps(broken)})
    assert response.status_code == 200 and "document" in response.context["adminform"].form.errors
    assert not RuleSet.objects.filter(version=90).exists()
    response = admin_client.post(url, {"version": "91", "name": "2031 年规则", "effective_from": "2031-01-01",
                                       "document": json.dumps(DEFAULT_DOCUMENT)})
    assert response.status_code == 302
    rule_set = RuleSet.objects.get(version=91)
    assert rule_set.created_by == staff_regulator
    assert admin_client.post(admin_url(RuleSet, "change", rule_set.pk), {
        "version": "91", "name": "改", "effective_from": "2031-01-01",
        "document": json.dumps(DEFAULT_DOCUMENT)}).status_code == 403
    assert admin_client.post(admin_url(RuleSet, "delete", rule_set.pk), {"post": "yes"}).status_code == 403


def test_the_rule_set_form_starts_from_the_rules_in_force(admin_client):
    form = admin_client.get(admin_url(RuleSet, "add")).context["adminform"].form
    assert form.initial["document"]["periods_days"] == DEFAULT_DOCUMENT["periods_days"]
    assert form.initial["version"] == RuleSet.objects.order_by("-version").first().version + 1


def test_public_changes_are_listed_read_only(admin_client, world):
    [change] = results(admin_client.get(admin_url(PublicChange), {"change": "publish"}))
    assert change.listing == Listing.objects.get(pk=world["listing"].pk)
