"""双公示 records (issue 18 item 1): every published penalty and every licensing decision as a record in the
national 双公示 fields, due 7 working days after the decision (flagged late after), ended by the publicity period
and by repair; produced in the decision's transaction and by the nightly sweep.

The calendar is fixed per test (a holiday on the Monday after the Friday decision: ``CalendarDay``); decision
days are counted back from today, so the records stay inside their publicity period whenever the tests run.
"""

from __future__ import annotations

import datetime
import re

import pytest

from complaints import services as complaint_services
from complaints.models import Finding, ViolationType
from core.models import CalendarDay
from entities import services as entity_services
from regulator.disclosure import publicity_selectors, publicity_services
from regulator.disclosure.publicity_records import PublicityEndReason, PublicityKind, PublicityRecord
from regulator.lists import rules
from regulator.lists import services as listings
from regulator.lists.selectors import rule_set_on
from regulator.workbench.selectors import workqueue_for
from tests.support import page_client, today
from tests.support.factories import LicenceFactory, PersonFactory, PersonRoleFactory, UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

DAY = datetime.timedelta(days=1)


def _friday() -> datetime.date:
    """A Friday three to four weeks ago (its record's period is months long: still published today)."""
    day = today() - datetime.timedelta(days=21)
    return day - datetime.timedelta(days=(day.weekday() - 4) % 7)


@pytest.fixture
def friday():
    """The Friday decision day, and a fixed calendar: the Monday after it is a holiday."""
    day = _friday()
    CalendarDay.objects.update_or_create(date=day + 3 * DAY, defaults={"kind": "holiday", "name": "测试假日"})
    return day


def _publicity(finding: Finding, day: datetime.date | None = None) -> dict:
    return rules.penalty_publicity(rule_set_on(day or today()).document, severity=finding.severity,
                                   penalty=finding.penalty, safety_related=finding.violation_type.safety_related)


def fine(entity, decided_on: datetime.date, **kwargs) -> Finding:
    """A fine recorded straight into the database (as an import or COPY would: no service, no hook)."""
    return record_finding(entity, "obstruct_inspection", penalty="fine", severity="general",
                          inspected_on=decided_on, decided_on=decided_on, **kwargs)


# --- the 7 working days ---------------------------------------------------------------------------------------


def test_the_deadline_is_the_seventh_working_day_after_the_decision_skipping_the_holiday(friday):
    # Fri; Mon holiday; Tue..Fri (4), Mon, Tue, Wed (7): Wednesday of the second week
    assert publicity_services.due_by(friday) == friday + 12 * DAY
    CalendarDay.objects.filter(date=friday + 3 * DAY).delete()
    assert publicity_services.due_by(friday) == friday + 11 * DAY


def test_a_penalty_decided_on_a_friday_and_swept_on_its_deadline_is_on_time(entity_a, friday):
    finding = fine(entity_a, friday)
    due = friday + 12 * DAY
    assert publicity_selectors.publicity_missing(as_of=due)["findings"] == []  # not late yet
    publicity_services.publicity_sweep(today=due)
    record = PublicityRecord.objects.get(finding=finding)
    assert (record.due_by, record.late) == (due, False)


def test_a_penalty_decided_on_a_friday_is_late_the_working_day_after_its_deadline(entity_a, friday):
    finding = fine(entity_a, friday)
    after = friday + 13 * DAY
    assert publicity_selectors.publicity_missing(as_of=after)["findings"] == [finding.pk]
    publicity_services.publicity_sweep(today=after)
    record = PublicityRecord.objects.get(finding=finding)
    assert record.late and record.due_by == friday + 12 * DAY
    assert publicity_selectors.publicity_missing(as_of=after)["findings"] == []  # produced now, flagged late
    # ... and it is in the public 双公示 feed
    body = page_client().get("/api/v1/public/publicity/penalties/").json()
    assert [row["id"] for row in body["results"]] == [record.pk]
    assert body["results"][0]["decided_on"] == friday.isoformat()


def test_a_missing_record_past_its_deadline_is_in_the_regulators_work_queue_and_admin(entity_a, friday, regulator):
    finding = fine(entity_a, friday)
    items = [item for item in workqueue_for(regulator) if item.kind == "publicity_missing"]
    assert [(item.object_type, item.object_id, item.overdue) for item in items] == [("finding", finding.pk, True)]
    staff = UserFactory(username="staff_regulator", role="regulator", is_staff=True)
    page = page_client(staff).get("/admin/regulator/publicityrecord/").content.decode()
    assert "已超过 7 个工作日仍未生成双公示记录" in page


def test_a_late_record_is_listed_for_regulators_by_the_late_filter(entity_a, entity_b, friday):
    late = fine(entity_a, friday)
    publicity_services.publicity_sweep(today=friday + 13 * DAY)
    on_time = fine(entity_b, today(), decision_number="运盐文旅罚〔2026〕8号")
    publicity_services.publicity_sweep()
    staff = UserFactory(username="staff_regulator", role="regulator", is_staff=True)
    page = page_client(staff).get("/admin/regulator/publicityrecord/?late=yes").content.decode()
    assert late.decision_number in page and on_time.decision_number not in page
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2}", page)  # produced at, in Beijing time


# --- what is published ---------------------------------------------------------------------------------------


def test_an_inspection_with_a_fine_records_it_in_the_same_transaction(entity_a, inspector):
    violation = ViolationType.objects.get(code="obstruct_inspection")
    inspection = complaint_services.inspection_create(
        actor=inspector, entity=entity_a, inspected_on=today(), kind="targeted", findings=[{
            "violation_type": violation, "severity": "general", "description": "拒绝检查", "penalty": "fine",
            "fine_amount": 3000, "decision_number": "运盐文旅罚〔2026〕21号"}])
    record = PublicityRecord.objects.get(finding=inspection.findings.get())
    assert record.kind == PublicityKind.PENALTY and not record.late and not record.ended
    assert (record.subject_name, record.credit_code) == (entity_a.name, entity_a.credit_code)
    assert (record.decision_number, record.category, record.decided_on) == ("运盐文旅罚〔2026〕21号", "fine", today())
    assert record.fine_amount == 3000 and "罚款人民币 3000" in record.content and violation.name in record.content
    assert record.authority_name and record.source_unit == record.authority_name
    assert record.publicity_until == today() + datetime.timedelta(days=_publicity(inspection.findings.get())["max_days"])


def test_a_warning_alone_is_not_published_and_gives_no_record(entity_a):
    warning = record_finding(entity_a, "obstruct_inspection", penalty="warning", severity="general",
                             inspected_on=today())
    assert _publicity(warning)["published"] is False  # the rule (DOMAIN.md: a warning alone is not published)
    publicity_services.publicity_sweep()
    assert not PublicityRecord.objects.filter(finding=warning).exists()
    fined = fine(entity_a, today(), decision_number="运盐文旅罚〔2026〕9号")
    publicity_services.publicity_sweep()
    assert PublicityRecord.objects.filter(finding=fined).exists()


def test_the_legal_representative_on_the_decision_day_is_named_never_an_id_number(entity_a):
    person = PersonFactory(name="王五")
    PersonRoleFactory(entity=entity_a, person=person, started_on=today() - 400 * DAY)
    finding = fine(entity_a, today())
    publicity_services.publicity_sweep()
    record = PublicityRecord.objects.get(finding=finding)
    assert record.legal_representative == "王五"
    stored = " ".join(str(getattr(record, field.attname)) for field in PublicityRecord._meta.concrete_fields)
    assert person.id_number_masked not in stored and person.id_number_masked[:4] + "*" not in stored


def test_the_sweep_is_idempotent(entity_a):
    fine(entity_a, today())
    assert publicity_services.publicity_sweep()["created"] == 1
    version = publicity_selectors.publicity_version()
    assert publicity_services.publicity_sweep() == {"created": 0, "updated": 0, "removed": 0}
    assert publicity_selectors.publicity_version() == version


# --- publication ends ----------------------------------------------------------------------------------------


def test_a_record_ends_on_the_day_its_publicity_period_ends_and_not_the_day_before(entity_a, entity_b):
    probe = fine(entity_a, today())
    days = _publicity(probe)["max_days"]
    probe.delete()
    ending = fine(entity_a, today() - datetime.timedelta(days=days))
    running = fine(entity_b, today() - datetime.timedelta(days=days - 1), decision_number="运盐文旅罚〔2026〕10号")
    publicity_services.publicity_sweep()
    ended, kept = PublicityRecord.objects.get(finding=ending), PublicityRecord.objects.get(finding=running)
    assert (ended.ended, ended.end_reason, ended.publication_ends_on) == (True, PublicityEndReason.PERIOD_END,
                                                                         today())
    assert not kept.ended and kept.publication_ends_on == today() + DAY
    public = [row["id"] for row in page_client().get("/api/v1/public/publicity/penalties/").json()["results"]]
    assert public == [kept.pk]


def test_a_granted_repair_ends_the_penalty_record_that_day(entity_a, business_a, regulator):
    probe = fine(entity_a, today())
    minimum = _publicity(probe)["min_days"]
    probe.delete()
    finding = fine(entity_a, today() - datetime.timedelta(days=minimum))
    publicity_services.publicity_sweep()
    before = PublicityRecord.objects.get(finding=finding)
    assert not before.ended
    application = listings.repair_application_file(
        finding_id=finding.pk, actor=business_a, statement="罚款已缴纳", evidence=["罚款缴纳凭证"], commitment=True,
        training_record="培训合格")
    listings.repair_application_decide(application_id=application.pk, actor=regulator, grant=True, reason="已整改")
    record = PublicityRecord.objects.get(finding=finding)  # ended in the decision's transaction
    assert (record.ended, record.end_reason, record.publication_ends_on) == (True, PublicityEndReason.REPAIRED,
                                                                             today())
    assert record.version > before.version


# --- licences -----------------------------------------------------------------------------------------------


def test_a_licence_saved_through_the_service_is_a_licensing_record_at_once(entity_a):
    PersonRoleFactory(entity=entity_a, person=PersonFactory(name="赵六"))
    licence = entity_services.licence_save(entity=entity_a, licence_type="travel_agency_business",
                                           number="L-14999001", issued_on=today() - 2 * DAY,
                                           expires_on=today() + 365 * DAY)
    record = PublicityRecord.objects.get(licence=licence)
    assert record.kind == PublicityKind.LICENCE and record.finding_id is None
    assert (record.decision_number, record.category, record.decided_on) == ("L-14999001", "travel_agency_business",
                                                                           today() - 2 * DAY)
    assert record.legal_representative == "赵六" and record.publicity_until == today() + 365 * DAY
    assert not record.late and record.content == f"准予旅行社业务经营许可证，证号 L-14999001，有效期至 {today() + 365 * DAY:%Y-%m-%d}"


def test_a_licence_imported_past_the_service_is_produced_by_the_sweep_and_ends_when_revoked(entity_a):
    licence = LicenceFactory(entity=entity_a, issued_on=today() - 30 * DAY)  # straight into the table
    assert not PublicityRecord.objects.filter(licence=licence).exists()
    assert licence.pk in publicity_selectors.publicity_missing()["licences"]
    publicity_services.publicity_sweep()
    record = PublicityRecord.objects.get(licence=licence)
    assert record.late and not record.ended
    entity_services.licence_save(licence=licence, status="revoked")
    record.refresh_from_db()
    assert (record.ended, record.end_reason, record.publication_ends_on) == (True, PublicityEndReason.LICENCE_ENDED,
                                                                             today())


# --- the push feed -------------------------------------------------------------------------------------------


def test_a_penalty_published_and_ended_is_each_one_change_event_of_the_push_feed(entity_a):
    """The feed's trigger on the records' table (migration 0010) writes the events: once per change, not twice."""
    from regulator.disclosure.feeds import FeedEvent

    probe = fine(entity_a, today())
    days = _publicity(probe)["max_days"]
    publicity_services.publicity_sweep()
    record = PublicityRecord.objects.get(finding=probe)
    [published] = FeedEvent.objects.filter(kind="penalty_published", source_id=record.pk,
                                         source_table="regulator_publicityrecord")
    assert published.subject == {"subject_type": "entity", "credit_code": entity_a.credit_code, "name": entity_a.name}
    assert published.payload["decision_number"] == probe.decision_number and published.payload["record_id"] == record.pk
    publicity_services.publicity_sweep()  # nothing changed: no new event
    assert FeedEvent.objects.filter(source_id=record.pk, source_table="regulator_publicityrecord").count() == 1
    publicity_services.publicity_sweep(today=today() + datetime.timedelta(days=days))
    [ended] = FeedEvent.objects.filter(kind="penalty_ended", source_id=record.pk, source_table="regulator_publicityrecord")
    assert ended.payload["end_reason"] == "period_end"
