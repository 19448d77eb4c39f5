"""Helpers of the list tests: findings, complaints and listings in any state, dated as the rule needs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from complaints.models import Complaint, Finding, Inspection, ViolationType
from core.models import UserRole
from regulator.lists import services as listings
from regulator.lists.models import Listing
from regulator.lists.selectors import rule_set_on
from tests.factories import UserFactory

DECISION = {"measures": "限制新增涉旅许可；不得参评诚信企业", "appeal_routes": "六十日内申请行政复议或六个月内提起行政诉讼",
            "decision_number": "运盐文旅认〔2026〕1号"}


def today() -> datetime.date:
    """The service's "now" (Asia/Shanghai): API calls carry no date, so API tests are anchored to it."""
    return timezone.localdate()


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    """Open-data files are written per test, never into the var/exports another run may be reading."""
    settings.EXPORTS_DIR = tmp_path / "exports"


def _inspector():
    user = UserFactory(role=UserRole.INSPECTOR, region_codes=["14"], sectors=["tourism", "exhibition", "wellness",
                                                                           "household_service"])
    return user


def record_finding(entity, code: str, *, inspected_on: datetime.date, penalty: str = "none",
                   severity: str | None = None, decided_on: datetime.date | None = None,
                   decision_number: str = "运盐文旅罚〔2026〕7号") -> Finding:
    """An inspection with one finding, straight into the database (the API path has its own tests)."""
    violation = ViolationType.objects.get(code=code)
    inspection = Inspection.objects.create(entity=entity, inspector=_inspector(), inspected_on=inspected_on,
                                           kind="targeted", summary="现场检查")
    return Finding.objects.create(
        inspection=inspection, violation_type=violation, severity=severity or violation.default_severity,
        description=violation.name, penalty=penalty, fine_amount=5000 if penalty == "fine" else None,
        decision_number=decision_number if penalty != "none" else "",
        decided_on=decided_on or (inspected_on if penalty != "none" else None),
    )


def resolved_complaint(entity, resolved_on: datetime.date, *, outcome: str = "substantiated",
                       complainant_name: str = "李四", complainant_phone: str = "13800000000") -> Complaint:
    """A complaint resolved on ``resolved_on`` with ``outcome``."""
    received = resolved_on - datetime.timedelta(days=20)
    return Complaint.objects.create(
        entity=entity, category="forced_shopping", description="导游强迫购物", channel="web",
        complainant_name=complainant_name, complainant_phone=complainant_phone,
        incident_date=received - datetime.timedelta(days=2), received_on=received,
        accept_due=received + datetime.timedelta(days=7), status="resolved", outcome=outcome, resolution="查实",
        accepted_on=received, resolved_on=resolved_on, resolve_due=received + datetime.timedelta(days=60),
    )


def listing_in(status: str, *, entity=None, person=None, list_type: str = "black",
               day: datetime.date | None = None, **fields) -> Listing:
    """A listing already in ``status`` with the dates that state implies (for transition-table tests)."""
    day = day or today()
    rule_set = rule_set_on(day)
    values = {"list_type": list_type, "subject_type": "entity" if person is None else "person", "entity": entity,
              "person": person, "reason": "甩团，滞留旅游者", "legal_basis": "《旅游法》第一百条", "status": status,
              "rule_set": rule_set, "period_days": rule_set.document["periods_days"][list_type],
              "source_type": "manual"}
    past = day - datetime.timedelta(days=30)
    if status != "proposed":
        values.update(notified_on=past, objection_due=past + datetime.timedelta(days=7))
    if status in {"decided", "published", "expired", "removed", "repaired"}:
        values.update(decided_on=day, expires_on=day + datetime.timedelta(days=values["period_days"]), **DECISION)
    if status in {"published", "expired", "removed", "repaired"}:
        values.update(published_on=day)
    if status in {"expired", "removed", "repaired", "withdrawn"}:
        values.update(ended_on=day if status != "withdrawn" else None, end_reason="结束")
    values.update(fields)
    return Listing.objects.create(**values)


def publish_listing(*, entity=None, person=None, related_entity=None, person_role: str = "",
                    list_type: str = "black", decided_on: datetime.date, notified_on: datetime.date | None = None,
                    period_days: int | None = None, reason: str = "甩团，滞留旅游者", actor=None) -> Listing:
    """Walk one listing through due process with the services: propose and notify, decide and publish."""
    notified_on = notified_on or decided_on - datetime.timedelta(days=45)
    listing = listings.listing_propose(
        list_type=list_type, subject_type="entity" if person is None else "person", entity=entity, person=person,
        related_entity=related_entity, person_role=person_role, reason=reason, actor=actor, today=notified_on)
    listings.listing_notify(listing_id=listing.pk, actor=actor, today=notified_on)
    decision = {**DECISION, **({"period_days": period_days} if period_days else {})}
    listings.listing_decide(listing_id=listing.pk, actor=actor, **decision, today=decided_on)
    return listings.listing_publish(listing_id=listing.pk, actor=actor, today=decided_on)
