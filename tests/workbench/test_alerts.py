"""到期提醒: overdue repair decisions, objection windows closing, documents not served, once per deadline."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from core import documents
from core.models import UserRole
from core.workdays import current_calendar
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingStatus, RepairApplication
from regulator.lists.selectors import rule_set_on
from regulator.workbench import alerts
from regulator.workbench.selectors import workqueue_for
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 6, 1)


@pytest.fixture
def yuncheng_regulator():
    return UserFactory(role=UserRole.REGULATOR, email="yc@example.gov.cn", region_codes=["1408"])


@pytest.fixture
def taiyuan_regulator():
    return UserFactory(role=UserRole.REGULATOR, email="ty@example.gov.cn", region_codes=["1401"])


@pytest.fixture
def procedure():
    documents.register("alert_test", visible=lambda user: [])
    yield
    documents._PROCEDURES.pop("alert_test", None)


def _notified_listing(objection_due: datetime.date) -> Listing:
    listing = listings.listing_propose(list_type="watch", subject_type="entity", entity=EntityFactory(),
                                       reason="一年内两次罚款", today=MONDAY - datetime.timedelta(days=14))
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.NOTIFIED, notified_on=MONDAY,
                                                 objection_due=objection_due)
    return listing


def _kinds(sent):
    return {(alert.kind, alert.object_id) for alert in sent}


def test_objection_window_closing_within_a_working_day(yuncheng_regulator, taiyuan_regulator):
    calendar = current_calendar()
    closing = _notified_listing(calendar.add_working_days(MONDAY, 1))
    later = _notified_listing(calendar.add_working_days(MONDAY, 2))
    past = _notified_listing(MONDAY - datetime.timedelta(days=1))
    sent = _kinds(alerts.alerts_send(today=MONDAY))
    assert ("objection_closing", closing.pk) in sent
    assert ("objection_closing", later.pk) not in sent
    assert ("objection_closing", past.pk) not in sent
    assert [m.to for m in mail.outbox] == [["yc@example.gov.cn"]]  # Yuncheng's, not Taiyuan's
    assert "陈述申辩期" in mail.outbox[0].subject
    # told once per deadline: the next hour sends nothing
    assert alerts.alerts_send(today=MONDAY) == []


def test_repair_decision_overdue_the_day_after_its_due_date(yuncheng_regulator):
    listing = _notified_listing(MONDAY)
    repair = RepairApplication.objects.create(
        listing=listing, statement="已整改", evidence=["整改报告"], commitment=True, filed_on=MONDAY,
        decision_due=MONDAY + datetime.timedelta(days=14), rule_set=rule_set_on(MONDAY))
    assert ("repair_overdue", repair.pk) not in _kinds(alerts.alerts_send(today=repair.decision_due))
    assert ("repair_overdue", repair.pk) in _kinds(
        alerts.alerts_send(today=repair.decision_due + datetime.timedelta(days=1)))


def test_document_unserved_after_three_working_days(procedure, yuncheng_regulator):
    document = documents.document_issue(kind="listing_notice", about_type="alert_test", about_id=1,
                                        region_code="140802", recipient="某旅行社", sections=[], issued_on=MONDAY)
    third = current_calendar().add_working_days(MONDAY, 3)
    assert alerts.alerts_send(today=third) == []
    sent = alerts.alerts_send(today=third + datetime.timedelta(days=1))
    assert _kinds(sent) == {("document_unserved", document.pk)}
    assert mail.outbox[-1].to == ["yc@example.gov.cn"] and document.number in mail.outbox[-1].subject
    documents.document_serve(document_id=document.pk, method="direct", delivered_on=third, today=third)
    assert ("document_unserved", document.pk) not in _kinds(alerts.due_alerts(today=third + datetime.timedelta(days=9)))


def test_the_work_queue_lists_unserved_documents(procedure, yuncheng_regulator):
    document = documents.document_issue(kind="listing_notice", about_type="alert_test", about_id=1,
                                        region_code="140802", recipient="某旅行社", sections=[], issued_on=MONDAY)
    rows = [(item.kind, item.object_id) for item in workqueue_for(yuncheng_regulator, today=MONDAY)]
    assert ("document_serve", document.pk) in rows
    business = UserFactory(role=UserRole.BUSINESS)
    assert ("document_serve", document.pk) not in [(i.kind, i.object_id) for i in workqueue_for(business, today=MONDAY)]
