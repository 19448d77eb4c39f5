"""回炉培训行动: batches and phases with target firms and workers; progress counts 回炉 training inside the phase's
window; a firm that misses a deadline is flagged the day after it (not on it), once, and the regulators alerted."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import UserRole
from entities import retraining_selectors, retraining_services, worker_services
from entities.retraining import RetrainingPhaseFirm, RetrainingTarget
from regulator.workbench.alerts import due_alerts
from regulator.workbench.selectors import workqueue_for
from tests.support import api_client, today
from tests.support.factories import EntityFactory, UserFactory

from .worker_fixtures import firm, ready_worker

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _retrain(owner, company, employment, day):
    worker_services.training_record(actor=owner, person=employment.person, entity=company, kind="retraining",
                                    provider="运城市家政培训学校", hours=16, completed_on=day)


@pytest.fixture
def campaign(regulator, owner_a, owner_b, firm_a, firm_b):
    """Phase 1 (A and B, window: 20 days ago to 5 days ago) and phase 2 (A only, to 10 days ahead)."""
    workers = {"a1": ready_worker(owner_a, firm_a, name="甲一"), "a2": ready_worker(owner_a, firm_a, name="甲二"),
               "b1": ready_worker(owner_b, firm_b, name="乙一")}
    created = retraining_services.campaign_create(
        actor=regulator, name="2026 年盐湖区家政服务员回炉培训", region_code="1408",
        starts_on=today() - 30 * DAY, ends_on=today() + 60 * DAY, phases=[
            {"name": "第一批", "starts_on": today() - 20 * DAY, "deadline": today() - 5 * DAY,
             "firms": [firm_a, firm_b]},
            {"name": "第二批", "starts_on": today() - 4 * DAY, "deadline": today() + 10 * DAY, "firms": [firm_a],
             "workers": [workers["a2"].person]},
        ])
    return created, workers


def test_a_campaign_freezes_its_targets_per_phase(campaign, firm_a, firm_b):
    created, workers = campaign
    first, second = created.phases.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert set(RetrainingTarget.objects.filter(phase_firm__phase=first).values_list("person_id", flat=True)) == {
        workers["a1"].person_id, workers["a2"].person_id, workers["b1"].person_id}
    assert list(RetrainingTarget.objects.filter(phase_firm__phase=second).values_list("person_id", flat=True)) == [
        workers["a2"].person_id]


def test_progress_counts_retraining_inside_the_window_only(campaign, owner_a, firm_a, regulator):
    created, workers = campaign
    first = created.phases.get(number=1)
    _retrain(owner_a, firm_a, workers["a1"], first.starts_on)  # the first day counts
    _retrain(owner_a, firm_a, workers["a2"], first.starts_on - DAY)  # the day before does not
    rows = retraining_selectors.progress(regulator, campaign_ids=[created.pk]).rows
    a_first = next(r for r in rows if r["phase_number"] == 1 and r["entity_id"] == firm_a.pk)
    assert (a_first["targets"], a_first["done"], a_first["share"]) == (2, 1, 0.5)
    _retrain(owner_a, firm_a, workers["a2"], first.deadline)  # the deadline counts
    rows = retraining_selectors.progress(regulator, campaign_ids=[created.pk]).rows
    a_first = next(r for r in rows if r["phase_number"] == 1 and r["entity_id"] == firm_a.pk)
    assert (a_first["done"], a_first["missed"]) == (2, False)


def test_a_firm_is_flagged_the_day_after_a_missed_deadline_not_on_it(campaign, owner_a, firm_a, firm_b, regulator):
    created, workers = campaign
    first = created.phases.get(number=1)
    for key in ("a1", "a2"):
        _retrain(owner_a, firm_a, workers[key], first.starts_on + DAY)
    on_deadline = retraining_selectors.progress(regulator, campaign_ids=[created.pk], day=first.deadline).rows
    b_row = next(r for r in on_deadline if r["phase_number"] == 1 and r["entity_id"] == firm_b.pk)
    assert b_row["missed"] is False and b_row["days_left"] == 0
    assert retraining_services.phases_flag_missed(today=first.deadline) == []

    after = retraining_selectors.progress(regulator, campaign_ids=[created.pk], day=first.deadline + DAY).rows
    missed = {(r["phase_number"], r["entity_id"]) for r in after if r["missed"]}
    assert missed == {(1, firm_b.pk)}  # A retrained everyone in time; phase 2 is still open
    flagged = retraining_services.phases_flag_missed(today=first.deadline + DAY)
    row = RetrainingPhaseFirm.objects.get(phase=first, entity=firm_b)
    assert flagged == [row.pk]
    assert (row.flagged_on, row.flagged_targets, row.flagged_done) == (first.deadline + DAY, 1, 0)
    assert retraining_services.phases_flag_missed(today=first.deadline + 2 * DAY) == []  # once per phase

    alerts = [a for a in due_alerts(today=first.deadline + DAY) if a.kind == "retraining_missed"]
    assert [(a.object_id, a.region_code) for a in alerts] == [(row.pk, firm_b.region_code)]
    assert "乙家政" in alerts[0].body and "第 1 批" in alerts[0].body
    queue = [(item.kind, item.object_id) for item in workqueue_for(regulator)]
    assert ("retraining_missed", row.pk) in queue
    taiyuan = UserFactory(username="taiyuan_reg", role=UserRole.REGULATOR, region_codes=["1401"])
    assert "retraining_missed" not in {item.kind for item in workqueue_for(taiyuan)}


def test_the_api_deploys_and_reads_a_campaign(regulator_client, owner_a, firm_a, firm_b):
    worker = ready_worker(owner_a, firm_a)
    body = {"name": "回炉培训", "sector": "household_service", "region_code": "140802",
            "starts_on": str(today()), "ends_on": str(today() + 90 * DAY),
            "phases": [{"name": "第一批", "starts_on": str(today()), "deadline": str(today() + 30 * DAY),
                        "firms": [firm_a.pk, firm_b.pk]}]}
    created = regulator_client.post("/api/v1/retraining-campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert data["phases"][0]["number"] == 1 and data["phases"][0]["firm_count"] == 2
    progress = regulator_client.get(f"/api/v1/retraining-campaigns/{data['id']}/progress/").json()
    assert progress["count"] == 2
    row = next(r for r in progress["results"] if r["entity_id"] == firm_a.pk)
    assert (row["targets"], row["done"], row["missed"], row["campaign_name"]) == (1, 0, False, "回炉培训")
    _retrain(owner_a, firm_a, worker, today())
    row = next(r for r in regulator_client.get(f"/api/v1/retraining-campaigns/{data['id']}/progress/").json()[
        "results"] if r["entity_id"] == firm_a.pk)
    assert row["done"] == 1 and row["share"] == 1.0
    assert regulator_client.get("/api/v1/retraining-campaigns/").json()["count"] == 1


@pytest.mark.parametrize("change, field", [
    ({"phases": []}, "phases"),
    ({"phases": [{"name": "第一批", "starts_on": "2026-01-01", "deadline": "2027-12-31", "firms": []}]}, "phases"),
    ({"region_code": "9999"}, "region_code"),
    ({"sector": "fishing"}, "sector"),
    ({"ends_on": "2000-01-01"}, "ends_on"),
])
def test_a_bad_campaign_is_a_400_naming_the_field(regulator_client, firm_a, change, field):
    body = {"name": "回炉培训", "sector": "household_service", "region_code": "1408", "starts_on": str(today()),
            "ends_on": str(today() + 90 * DAY),
            "phases": [{"name": "第一批", "starts_on": str(today()), "deadline": str(today() + 30 * DAY),
                        "firms": [firm_a.pk]}], **change}
    answer = regulator_client.post("/api/v1/retraining-campaigns/", body, format="json")
    assert answer.status_code == 400 and field in answer.json(), answer.json()


def test_phases_must_lie_in_the_period_in_order_and_target_the_campaigns_firms(regulator, firm_a):
    travel = EntityFactory(name="盐湖区某旅行社")
    base = {"actor": regulator, "name": "回炉", "region_code": "1408", "starts_on": today(),
            "ends_on": today() + 60 * DAY}
    cases = [
        [{"name": "一", "starts_on": today() - DAY, "deadline": today() + DAY, "firms": [firm_a]}],  # before the period
        [{"name": "一", "starts_on": today(), "deadline": today() + 61 * DAY, "firms": [firm_a]}],  # after it
        [{"name": "一", "starts_on": today() + 10 * DAY, "deadline": today() + 20 * DAY, "firms": [firm_a]},
         {"name": "二", "starts_on": today(), "deadline": today() + 5 * DAY, "firms": [firm_a]}],  # out of order
        [{"name": "一", "starts_on": today(), "deadline": today() + DAY, "firms": [travel]}],  # another sector
    ]
    from django.core.exceptions import ValidationError

    for phases in cases:
        with pytest.raises(ValidationError) as caught:
            retraining_services.campaign_create(**base, phases=phases)
        assert "phases" in caught.value.message_dict
    taiyuan = firm("太原市某家政服务有限公司")
    taiyuan.region_code = "140105"
    taiyuan.save(update_fields=["region_code"])
    with pytest.raises(ValidationError):
        retraining_services.campaign_create(**base, phases=[{"name": "一", "starts_on": today(),
                                                             "deadline": today() + DAY, "firms": [taiyuan]}])


def test_only_regulators_deploy_and_each_side_sees_its_own(campaign, owner_a, firm_a, inspector_client):
    created, _workers = campaign
    body = {"name": "x", "region_code": "1408", "starts_on": str(today()), "ends_on": str(today()), "phases": []}
    assert inspector_client.post("/api/v1/retraining-campaigns/", body, format="json").status_code == 403
    assert api_client(owner_a).post("/api/v1/retraining-campaigns/", body, format="json").status_code == 403
    assert api_client(owner_a).get(f"/api/v1/retraining-campaigns/{created.pk}/").status_code == 200
    outsider = UserFactory(username="other_firm", role=UserRole.BUSINESS, entities=[firm("盐湖区丁家政服务有限公司")])
    assert api_client(outsider).get(f"/api/v1/retraining-campaigns/{created.pk}/").status_code == 404
    taiyuan = api_client(UserFactory(username="taiyuan_reg", role=UserRole.REGULATOR, region_codes=["1401"]))
    assert taiyuan.get("/api/v1/retraining-campaigns/").json()["count"] == 0
    assert taiyuan.get(f"/api/v1/retraining-campaigns/{created.pk}/progress/").status_code == 404
    own = api_client(owner_a).get(f"/api/v1/retraining-campaigns/{created.pk}/progress/").json()
    assert {row["entity_id"] for row in own["results"]} == {firm_a.pk}  # not firm B's rows
    mine = api_client(owner_a).get("/api/v1/me/coverage/").json()
    assert {(row["phase_number"], row["entity_id"]) for row in mine["retraining"]} == {(1, firm_a.pk), (2, firm_a.pk)}


def test_progress_is_one_statement_whatever_the_number_of_firms(campaign, regulator_client):
    created, _workers = campaign
    with CaptureQueriesContext(connection) as small:
        regulator_client.get(f"/api/v1/retraining-campaigns/{created.pk}/progress/")
    regulator = UserFactory(username="reg_many", role=UserRole.REGULATOR)
    firms = []
    for n in range(6):
        company = firm(f"盐湖区{n}号家政服务有限公司")
        ready_worker(UserFactory(username=f"o{n}", role=UserRole.BUSINESS, entities=[company]), company)
        firms.append(company)
    bigger = retraining_services.campaign_create(
        actor=regulator, name="大批", region_code="1408", starts_on=today(), ends_on=today() + 30 * DAY,
        phases=[{"name": "一", "starts_on": today(), "deadline": today() + 10 * DAY, "firms": firms}])
    with CaptureQueriesContext(connection) as large:
        assert regulator_client.get(f"/api/v1/retraining-campaigns/{bigger.pk}/progress/").json()["count"] == 6
    assert len(large) == len(small)


def test_the_admin_shows_coverage_and_campaigns_in_words(campaign, client, firm_a):
    created, _workers = campaign
    admin = UserFactory(username="admin_reg", role=UserRole.REGULATOR, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/entities/retrainingcampaign/coverage/?city=1408")
    assert page.status_code == 200
    text = page.content.decode()
    assert "盐湖区" in text and "家政全覆盖统计" in text and "140802" not in text
    assert client.get("/admin/").content.decode().count("/admin/entities/retrainingcampaign/coverage/") == 1
    change = client.get(f"/admin/entities/retrainingcampaign/{created.pk}/change/")
    assert change.status_code == 200 and "第一批" in change.content.decode() and "运城市" in change.content.decode()
    progress = client.get(f"/admin/entities/retrainingphasefirm/?phase__campaign__id__exact={created.pk}")
    assert progress.status_code == 200 and "0 / 2" in progress.content.decode()
