"""Follow-ups of the list review: stale exports, the notice's rule set, imported persons, backdated runs."""

from __future__ import annotations

import datetime
import json

import pytest

from regulator.disclosure import exports
from regulator.lists import imports, licence_checks, proposals
from regulator.lists import services as listings
from regulator.lists.models import RuleSet
from regulator.lists.rules import DEFAULT_DOCUMENT
from tests.support import listing_in
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import record_finding

pytestmark = pytest.mark.usefixtures("catalogue_until_seeded")


def test_an_export_behind_the_published_data_is_regenerated_on_read(db):
    first = EntityFactory()
    listing_in("published", entity=first, list_type="black")
    assert first.credit_code in exports.read("blacklist.csv").decode()
    second = EntityFactory()
    listing_in("published", entity=second, list_type="black")  # files on disk are now one version behind
    body = exports.read("blacklist.csv").decode()
    assert first.credit_code in body and second.credit_code in body
    manifest = json.loads(exports.read("manifest.json"))
    assert manifest["files"]["blacklist.csv"]["records"] == 2


def test_the_objection_window_follows_the_rule_set_in_force_on_the_notice_date(db):
    entity = EntityFactory()
    listing = listings.listing_propose(list_type="watch", subject_type="entity", entity=entity, reason="罚款",
                                       today=datetime.date(2026, 5, 6))
    document = {**DEFAULT_DOCUMENT, "objection_working_days": {"default": 8, "wellness": 12}}
    RuleSet.objects.create(version=9, name="新规", effective_from=datetime.date(2026, 6, 1), document=document)
    notified = listings.listing_notify(listing_id=listing.pk, today=datetime.date(2026, 6, 1))
    assert notified.objection_days == 8  # the window the notice states
    # Served on 3 June under the same set: Wednesday 2026-06-03 + 8 working days = Monday 2026-06-15.
    served = listings.listing_document_serve(listing_id=listing.pk, method="direct",
                                             delivered_on=datetime.date(2026, 6, 3), today=datetime.date(2026, 6, 3))
    assert served.objection_due == datetime.date(2026, 6, 15)


def test_a_person_black_listed_by_another_authority_is_blocked_in_every_sector(db):
    person_number = "11010519491231002X"
    imports.listings_import([{
        "id_number": person_number, "name": "王五", "list_type": "black", "reason": "失信被执行人",
        "legal_basis": "最高人民法院关于公布失信被执行人名单信息的若干规定", "decided_on": "2026-01-05",
        "source_authority": "运城市中级人民法院", "source_reference": "(2026)晋08执1号"}])
    for licence_type in ("elderly_care_filing", "exhibition_filing", "travel_agency_business"):
        answer = licence_checks.licence_check(licence_type=licence_type, person_id_numbers=[person_number])
        assert answer["allowed"] is False, licence_type


def test_a_backdated_proposal_run_ignores_what_happened_after_its_date(db):
    entity = EntityFactory()
    PersonRoleFactory(entity=entity, person=PersonFactory(), started_on=datetime.date(2020, 1, 1))
    record_finding(entity, "forced_shopping", inspected_on=datetime.date(2026, 3, 10), penalty="revocation",
                   severity="grave")
    assert proposals.listings_propose_for_entity(entity_id=entity.pk, today=datetime.date(2026, 3, 1)) == []
    assert proposals.listings_propose_for_entity(entity_id=entity.pk, today=datetime.date(2026, 3, 11))
