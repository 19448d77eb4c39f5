"""Credit repair by the rule set (issue 13 item 3): minimum periods per list and sector or category, the credit
commitment (信用承诺) required or refused, training, paper applications of persons, a penalty's publicity repaired,
and the 信用修复决定书.

The procedure is pinned against the accessor ``rules.repair_rules`` (replaced here by a table whose figures sit on
both sides of each boundary); the sets seeded for 2022 and 2026-04-01 are then read through the same accessor, so
these tests hold whatever figures the rule-set data carries.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from config.api.exceptions import ConflictError
from core.models import ServedDocument
from core.workdays import add_working_days
from entities.models import Sector
from regulator.lists import imports, rules
from regulator.lists import services as listings
from regulator.lists.models import Listing, RepairApplication
from regulator.lists.selectors import rule_set_on
from tests.support import api_client, today
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import (
    catalogue_until_seeded,  # noqa: F401 (a fixture)
    listing_in,
)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

EVIDENCE = ["罚款缴纳凭证", "整改完成报告"]
DECIDED = datetime.date(2024, 3, 1)
ELDERLY_BLACK_DAYS, DEFAULT_BLACK_DAYS = 730, 365


@pytest.fixture
def table(monkeypatch):
    """repair_rules as a table: 养老 black waits two years, any other black one; black subjects commit or not as
    ``table["black_commitment"]`` says; training as ``table["training"]``; decisions in 10 working days."""
    asked = []
    settings = {"black_commitment": False, "training": True}

    def repair_rules(document, list_type, *, sector=None, category=None):
        asked.append((list_type, sector, category))
        black = list_type == "black"
        commitment = not black or settings["black_commitment"]
        return {"min_days": (ELDERLY_BLACK_DAYS if category == "elderly_care" else DEFAULT_BLACK_DAYS) if black else 0,
                "commitment_required": commitment, "commitment_allowed": commitment,
                "training_required": settings["training"], "decision_working_days": 10}

    monkeypatch.setattr(rules, "repair_rules", repair_rules)
    settings["asked"] = asked
    return settings


def apply(listing: Listing, actor, *, day: datetime.date, commitment: bool = False, training: str = "培训合格",
          **kwargs) -> RepairApplication:
    return listings.repair_application_file(listing_id=listing.pk, actor=actor, statement="已整改",
                                            evidence=EVIDENCE, commitment=commitment, training_record=training,
                                            today=day, **kwargs)


# --- minimum periods per list, sector and category ----------------------------------------------------------


@pytest.mark.parametrize(("category", "days"), [("elderly_care", ELDERLY_BLACK_DAYS), ("travel_agency",
                                                                                      DEFAULT_BLACK_DAYS)])
def test_a_black_subject_applies_on_the_day_its_minimum_ends_and_not_the_day_before(category, days, table, regulator):
    sector = Sector.WELLNESS if category == "elderly_care" else Sector.TOURISM
    entity = EntityFactory(sector=sector, category=category)
    listing = listing_in("published", entity=entity, decided_on=DECIDED)
    earliest = DECIDED + datetime.timedelta(days=days)
    with pytest.raises(ConflictError) as raised:
        apply(listing, regulator, day=earliest - datetime.timedelta(days=1), filed_on=earliest - datetime.timedelta(
            days=1))
    assert raised.value.get_codes() == "repair_too_early" and str(earliest) in str(raised.value.detail)
    assert apply(listing, regulator, day=earliest).status == "submitted"
    assert ("black", sector, category) in table["asked"]


def test_a_watch_subject_has_no_minimum_and_must_commit(table, entity_a, business_a):
    listing = listing_in("published", entity=entity_a, list_type="watch", decided_on=today())
    with pytest.raises(ValidationError) as raised:
        apply(listing, business_a, day=today())
    assert set(raised.value.message_dict) == {"commitment"}
    assert apply(listing, business_a, day=today(), commitment=True).decision_due == add_working_days(today(), 10)


@pytest.mark.parametrize(("black_commitment", "commitment", "error"), [
    (False, True, True),   # 2022: a black subject may not repair by commitment
    (False, False, False),
    (True, False, True),   # 2026: a black subject must make a public commitment
    (True, True, False),
])
def test_the_commitment_of_a_black_subject_follows_the_rule_set(black_commitment, commitment, error, table,
                                                                 entity_a, business_a):
    table["black_commitment"] = black_commitment
    listing = listing_in("published", entity=entity_a, decided_on=DECIDED)
    day = DECIDED + datetime.timedelta(days=DEFAULT_BLACK_DAYS)
    if error:
        with pytest.raises(ValidationError) as raised:
            apply(listing, business_a, day=day, commitment=commitment)
        assert "commitment" in raised.value.message_dict
    else:
        assert apply(listing, business_a, day=day, commitment=commitment).commitment is commitment


@pytest.mark.parametrize(("training_required", "record", "error"), [(True, "", True), (True, "培训合格", False),
                                                                    (False, "", False)])
def test_a_training_record_when_the_rule_set_requires_one(training_required, record, error, table, entity_a,
                                                          business_a):
    table["training"] = training_required
    listing = listing_in("published", entity=entity_a, list_type="watch", decided_on=today())
    if error:
        with pytest.raises(ValidationError) as raised:
            apply(listing, business_a, day=today(), commitment=True, training=record)
        assert set(raised.value.message_dict) == {"training_record"}
    else:
        assert apply(listing, business_a, day=today(), commitment=True, training=record).status == "submitted"


# --- the seeded sets, either side of 2026-04-01 --------------------------------------------------------------


@pytest.mark.parametrize("filed_on", [datetime.date(2026, 3, 31), datetime.date(2026, 4, 1)])
def test_an_application_is_judged_by_the_set_in_force_on_its_date(filed_on, entity_a, regulator):
    listing = listing_in("published", entity=entity_a, decided_on=datetime.date(2023, 1, 10))
    rule_set = rule_set_on(filed_on)
    repair = rules.repair_rules(rule_set.document, "black", sector=entity_a.sector, category=entity_a.category)

    def file(commitment: bool) -> RepairApplication:
        return listings.repair_application_file(
            listing_id=listing.pk, actor=regulator, statement="已整改", evidence=EVIDENCE, commitment=commitment,
            training_record="培训合格", filed_on=filed_on, today=filed_on)

    refused = not repair["commitment_required"]
    if refused and not repair["commitment_allowed"]:  # a commitment offered where the set refuses one
        with pytest.raises(ValidationError) as raised:
            file(True)
        assert "commitment" in raised.value.message_dict
    if repair["commitment_required"]:  # a commitment withheld where the set requires one
        with pytest.raises(ValidationError) as raised:
            file(False)
        assert "commitment" in raised.value.message_dict
    application = file(repair["commitment_required"])
    assert application.rule_set == rule_set
    assert application.decision_due == add_working_days(filed_on, repair["decision_working_days"])


# --- paper applications of persons ----------------------------------------------------------------------------


def test_a_regulator_records_the_paper_application_of_a_person_listed_by_import(regulator, business_a, table):
    from entities import codes

    number = codes.id_number("140802", datetime.date(1980, 5, 5), __import__("random").Random(5))
    imports.listings_import([{"id_number": number, "name": "钱导游", "list_type": "black", "reason": "伪造导游证",
                              "legal_basis": "《导游管理办法》", "decided_on": str(DECIDED),
                              "source_authority": "运城市文化和旅游局", "source_reference": "运文旅认〔2024〕3号"}],
                            actor=regulator)
    listing = Listing.objects.get(source_reference="运文旅认〔2024〕3号")
    assert listing.subject_type == "person" and listing.status == "published"
    day = DECIDED + datetime.timedelta(days=DEFAULT_BLACK_DAYS)
    application = apply(listing, regulator, day=day + datetime.timedelta(days=3), filed_on=day,
                        applicant_name="钱导游（来信）")
    assert (application.channel, application.filed_on, application.applicant_name) == ("paper", day, "钱导游（来信）")
    # nobody else sees a person's application through a business account
    assert api_client(business_a).get(f"/api/v1/repair-applications/{application.pk}/").status_code == 404
    decided = listings.repair_application_decide(application_id=application.pk, actor=regulator, grant=True,
                                                 reason="已履行义务", today=day + datetime.timedelta(days=5))
    document = decided.decision_document
    assert document.kind == "repair_decision" and "信修〔" in document.number
    assert number not in str(document.content) and number not in document.recipient
    assert Listing.objects.get(pk=listing.pk).status == "repaired"


def test_a_paper_application_cannot_be_dated_in_the_future(regulator, entity_a, table):
    listing = listing_in("published", entity=entity_a, list_type="watch", decided_on=today())
    with pytest.raises(ValidationError) as raised:
        apply(listing, regulator, day=today(), commitment=True, filed_on=today() + datetime.timedelta(days=1))
    assert "filed_on" in raised.value.message_dict


def test_an_application_names_a_listing_or_a_finding_not_both(regulator, entity_a):
    listing = listing_in("published", entity=entity_a, list_type="watch")
    finding = record_finding(entity_a, "obstruct_inspection", penalty="fine", inspected_on=today())
    with pytest.raises(ValidationError) as raised:
        listings.repair_application_file(listing_id=listing.pk, finding_id=finding.pk, actor=regulator,
                                         statement="x", evidence=EVIDENCE, commitment=True)
    assert "listing" in raised.value.message_dict
    with pytest.raises(ValidationError):
        listings.repair_application_file(actor=regulator, statement="x", evidence=EVIDENCE, commitment=True)


# --- decisions ---------------------------------------------------------------------------------------------------


def test_a_refusal_issues_a_decision_naming_the_remedies(entity_a, business_a, regulator_client):
    listing = listing_in("published", entity=entity_a, list_type="watch", decided_on=today())
    application = apply(listing, business_a, day=today(), commitment=True)
    response = regulator_client.post(f"/api/v1/repair-applications/{application.pk}/decide/",
                                     {"grant": False, "reason": "整改材料不足"}, format="json")
    assert response.status_code == 200, response.content
    document = ServedDocument.objects.get(pk=response.json()["decision_document"]["id"])
    body = str(document.content)
    assert "不予信用修复" in body and "整改材料不足" in body
    for route in rules.appeal_routes(rule_set_on(today()).document):
        assert route["text"] in body
    # the business reads its decision
    assert api_client(business_a).get(f"/api/v1/documents/{document.pk}/").status_code == 200


def test_no_refusal_without_appeal_routes(entity_a, business_a, regulator, monkeypatch):
    listing = listing_in("published", entity=entity_a, list_type="watch", decided_on=today())
    application = apply(listing, business_a, day=today(), commitment=True)
    monkeypatch.setattr(rules, "appeal_routes", lambda document: [])
    with pytest.raises(ConflictError) as raised:
        listings.repair_application_decide(application_id=application.pk, actor=regulator, grant=False, reason="不足")
    assert raised.value.get_codes() == "no_appeal_routes"
    assert RepairApplication.objects.get(pk=application.pk).status == "submitted"


# --- a penalty's publicity -----------------------------------------------------------------------------------------


def publicity(finding) -> dict:
    document = rule_set_on(today()).document
    if hasattr(rules, "penalty_publicity"):
        return rules.penalty_publicity(document, severity=finding.severity, penalty=finding.penalty,
                                       safety_related=finding.violation_type.safety_related)
    return {"published": True, "min_days": document["publicity"]["min_days"], "max_days": 0}


def test_a_penalty_is_repaired_after_its_minimum_publicity_and_leaves_public_view(entity_a, business_a,
                                                                                 regulator_client):
    probe = record_finding(entity_a, "obstruct_inspection", penalty="fine", severity="general",
                           inspected_on=today() - datetime.timedelta(days=1))
    minimum = publicity(probe)["min_days"]
    assert publicity(probe)["published"]
    too_young = record_finding(entity_a, "obstruct_inspection", penalty="fine", severity="general",
                               inspected_on=today() - datetime.timedelta(days=minimum - 1))
    ready = record_finding(entity_a, "obstruct_inspection", penalty="fine", severity="general",
                           inspected_on=today() - datetime.timedelta(days=minimum))
    client = api_client(business_a)
    body = {"statement": "罚款已缴纳，问题已整改", "evidence": EVIDENCE, "commitment": True, "training_record": "培训合格"}
    early = client.post("/api/v1/repair-applications/", {**body, "finding": too_young.pk}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "repair_too_early"
    created = client.post("/api/v1/repair-applications/", {**body, "finding": ready.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["finding"] == ready.pk and created.json()["listing"] is None
    assert RepairApplication.objects.penalty_publicity_ended(as_of=today()).count() == 0

    granted = regulator_client.post(f"/api/v1/repair-applications/{created.json()['id']}/decide/",
                                    {"grant": True, "reason": "已履行处罚决定并完成整改"}, format="json")
    assert granted.status_code == 200, granted.content
    assert granted.json()["publicity_ended_on"] == str(today())
    ended = list(RepairApplication.objects.penalty_publicity_ended(as_of=today()).values_list("finding_id", flat=True))
    assert ended == [ready.pk]
    assert not RepairApplication.objects.penalty_publicity_ended(as_of=today() - datetime.timedelta(days=1)).exists()
    document = ServedDocument.objects.get(pk=granted.json()["decision_document"]["id"])
    assert "停止公示该行政处罚信息" in str(document.content)
    assert client.get(f"/api/v1/repair-applications/{created.json()['id']}/").status_code == 200
    again = client.post("/api/v1/repair-applications/", {**body, "finding": ready.pk}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_repaired"


def test_an_unpublished_penalty_has_nothing_to_repair(entity_a, business_a):
    finding = record_finding(entity_a, "obstruct_inspection", penalty="none", inspected_on=DECIDED)
    with pytest.raises(ConflictError) as raised:
        listings.repair_application_file(finding_id=finding.pk, actor=business_a, statement="x", evidence=EVIDENCE,
                                         commitment=True, training_record="培训合格")
    assert raised.value.get_codes() == "not_repairable"


def test_another_business_cannot_apply_for_a_penalty(entity_a, business_b):
    finding = record_finding(entity_a, "obstruct_inspection", penalty="fine", inspected_on=DECIDED)
    response = api_client(business_b).post("/api/v1/repair-applications/", {
        "finding": finding.pk, "statement": "x", "evidence": EVIDENCE, "commitment": True}, format="json")
    assert response.status_code == 400 and "finding" in response.json()  # out of scope: not found
    assert not RepairApplication.objects.exists()


def test_the_admin_records_a_paper_penalty_application(entity_a):
    from tests.support import page_client

    admin = page_client(UserFactory(username="repair_admin", role="regulator", is_staff=True))
    probe = record_finding(entity_a, "obstruct_inspection", penalty="fine", severity="general", inspected_on=today())
    finding = record_finding(entity_a, "obstruct_inspection", penalty="fine", severity="general",
                             inspected_on=today() - datetime.timedelta(days=publicity(probe)["min_days"]))
    response = admin.post("/admin/regulator/repairapplication/add/", {
        "finding": finding.pk, "applicant_name": "甲旅行社", "filed_on": today().isoformat(),
        "statement": "书面申请", "evidence_lines": "缴款凭证\n整改报告", "commitment": "on",
        "training_record": "培训合格"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not [str(m) for m in response.wsgi_request._messages if "未保存" in str(m)]
    application = RepairApplication.objects.get(finding=finding)
    assert (application.channel, application.evidence) == ("paper", ["缴款凭证", "整改报告"])
