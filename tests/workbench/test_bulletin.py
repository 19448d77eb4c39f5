"""监测信息快报: numbered, from the month-end snapshot, identical when regenerated after later changes."""

from __future__ import annotations

import datetime

import pytest

from complaints import services as complaint_services
from complaints.models import ViolationType
from config.api.exceptions import ConflictError
from core.models import UserRole
from regulator.workbench import bulletin as bulletins
from regulator.workbench import stats
from regulator.workbench.models import Bulletin
from tests.support.clients import page_client
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

NOV_30 = datetime.date(2026, 11, 30)
DEC_1 = datetime.date(2026, 12, 1)


def _inspect(entity, day, severity="general"):
    complaint_services.inspection_create(
        actor=UserFactory(role=UserRole.REGULATOR), entity=entity, inspected_on=day, kind="targeted", today=day,
        findings=[{"violation_type": ViolationType.objects.get(code="price_fraud"), "severity": severity,
                   "description": "未明码标价"}])


@pytest.fixture
def november():
    entity = EntityFactory(region_code="140802")
    _inspect(entity, datetime.date(2026, 11, 10))
    _inspect(entity, datetime.date(2026, 11, 20), severity="serious")
    stats.snapshot_take(today=NOV_30)
    return entity


def test_an_issue_reads_the_month_from_the_month_end_snapshot(november):
    issue = bulletins.bulletin_generate(datetime.date(2026, 11, 1))
    assert (issue.issue, issue.month, issue.snapshot_on) == (1, datetime.date(2026, 11, 1), NOV_30)
    assert "第1期" in issue.html and "2026年11月" in issue.html
    findings = next(s for s in bulletins.bulletin_content(issue.month, NOV_30)["sections"]
                    if s["title"].startswith("检查发现问题"))
    assert findings["total"] == 2 and dict(findings["rows"]) == {"一般": 1, "严重": 1}
    assert dict(findings["cities"])["运城"] == 2


def test_regenerated_after_later_changes_it_is_byte_for_byte_the_same(november):
    first = bulletins.bulletin_generate(datetime.date(2026, 11, 1))
    html, digest = first.html, first.sha256
    _inspect(november, datetime.date(2026, 11, 25))   # entered late, about November
    stats.snapshot_take(today=DEC_1)
    again = bulletins.bulletin_generate(datetime.date(2026, 11, 1))
    assert (again.issue, again.html, again.sha256) == (1, html, digest)
    # the December snapshot did see the late entry
    assert stats.figures("findings_by_month", level="province", taken_on=DEC_1,
                         month_from=datetime.date(2026, 11, 1))["results"]


def test_no_month_end_snapshot_no_issue():
    with pytest.raises(ConflictError):
        bulletins.bulletin_generate(datetime.date(2026, 11, 1))


def test_due_on_the_first_working_day_of_the_month():
    assert bulletins.first_working_day(datetime.date(2026, 8, 1)) == datetime.date(2026, 8, 3)  # Sat 1 Aug
    assert bulletins.bulletin_due(today=datetime.date(2026, 8, 1)) is None
    stats.snapshot_take(today=datetime.date(2026, 7, 31))
    issue = bulletins.bulletin_due(today=datetime.date(2026, 8, 3))
    assert issue is not None and issue.month == datetime.date(2026, 7, 1)
    assert bulletins.bulletin_due(today=datetime.date(2026, 8, 4)) is None   # once


def test_archive_lists_issues_with_their_digest(november):
    issue = bulletins.bulletin_generate(datetime.date(2026, 11, 1))
    client = page_client()
    archive = client.get("/bulletins/").content.decode()
    assert "第1期" in archive and issue.sha256 in archive
    page = client.get("/bulletins/1/")
    assert page.status_code == 200 and page.content.decode() == issue.html
    import hashlib
    assert hashlib.sha256(page.content).hexdigest() == issue.sha256
    pdf = client.get("/bulletins/1.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get("/bulletins/9/").status_code == 404
    assert Bulletin.objects.count() == 1
