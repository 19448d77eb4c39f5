"""Helpers of the list tests: exports kept per test, and findings dated as the rule needs.

Listings and complaints in any state come from ``tests.support`` (``listing_in``, ``complaint_in``).
"""

from __future__ import annotations

import datetime

import pytest

from complaints.models import Finding, Inspection, ViolationType
from core.models import UserRole
from tests.support.factories import UserFactory


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
