"""家政服务员信用档案: one file per person across firms, a firm sees only its own workers, complaints and findings may
name a worker employed by the firm on the day."""

from __future__ import annotations

import datetime

import pytest

from complaints import worker_links
from complaints.models import Complaint
from core.models import UserRole
from entities import worker_services
from entities.models import Person
from entities.workers import Employment
from tests.support import api_client, complaint_in, today
from tests.support.factories import UserFactory

from .worker_fixtures import id_number, ready_worker

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def test_a_worker_moving_between_firms_keeps_one_file(owner_a, owner_b, firm_a, firm_b, regulator_client):
    number = id_number()
    first = ready_worker(owner_a, firm_a, number=number, started_on=today() - 300 * DAY)
    worker_services.employment_update(actor=owner_a, employment=first, ended_on=today() - 40 * DAY)
    second, status = worker_services.worker_register(actor=owner_b, entity=firm_b, name="王秀英（另写）",
                                                     id_number=number, started_on=today() - 30 * DAY)
    assert status == "created"
    assert second.person_id == first.person_id  # resolved by the ID hash
    assert Person.objects.filter(pk=first.person_id).count() == 1
    assert Person.objects.get(pk=first.person_id).name == "王秀英"  # a firm's registration never renames

    file = regulator_client.get(f"/api/v1/workers/{first.person_id}/").json()
    assert {row["entity"] for row in file["employments"]} == {firm_a.pk, firm_b.pk}
    assert len(file["health_checks"]) == 1 and len(file["trainings"]) == 1

    # firm B sees the worker's file entries (recorded by A) but only its own employment
    seen_by_b = api_client(owner_b).get(f"/api/v1/workers/{first.person_id}/").json()
    assert [row["entity"] for row in seen_by_b["employments"]] == [firm_b.pk]
    assert len(seen_by_b["health_checks"]) == 1


def test_a_firm_cannot_see_another_firms_worker(owner_a, owner_b, firm_a):
    employment = ready_worker(owner_a, firm_a)
    card = worker_services.card_issue(actor=owner_a, employment=employment)
    other = api_client(owner_b)
    assert other.get(f"/api/v1/workers/{employment.person_id}/").status_code == 404
    assert other.get(f"/api/v1/workers/cards/{card.pk}/").status_code == 404
    assert other.get(f"/api/v1/workers/employments/{employment.pk}/").status_code == 404
    assert other.get("/api/v1/workers/").json()["count"] == 0
    revoke = other.post(f"/api/v1/workers/cards/{card.pk}/revoke/", {"reason": "x"}, format="json")
    assert revoke.status_code == 404
    health = other.post("/api/v1/workers/health-checks/", {
        "person": employment.person_id, "checked_on": str(today()), "expires_on": str(today() + DAY),
        "institution": "医院"}, format="json")
    assert health.status_code == 400 and "person" in health.json()
    # nor through the pages
    from tests.support import page_client
    assert page_client(owner_b).get(f"/business/workers/{employment.person_id}/").status_code == 404
    assert page_client(owner_a).get(f"/business/workers/{employment.person_id}/").status_code == 200


def test_register_through_the_api_is_idempotent_and_never_returns_the_id_number(owner_a, firm_a):
    client = api_client(owner_a)
    number = id_number()
    body = {"entity": firm_a.pk, "name": "李娟", "id_number": number, "started_on": str(today() - 10 * DAY)}
    first = client.post("/api/v1/workers/", body, format="json")
    assert first.status_code == 201 and first.json()["status"] == "created"
    again = client.post("/api/v1/workers/", body, format="json")
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    assert Employment.objects.filter(entity=firm_a).count() == 1
    listing = client.get("/api/v1/workers/")
    assert listing.json()["count"] == 1
    assert number not in listing.content.decode() and number[6:14] not in listing.content.decode()
    assert listing.json()["results"][0]["id_number_masked"] == number[:4] + "*" * 10 + number[-4:]


def test_a_firm_registers_only_at_its_own_household_service_firms(owner_a, firm_b, entity_a):
    client = api_client(owner_a)
    for entity in (firm_b, entity_a):  # another firm; a travel agency
        answer = client.post("/api/v1/workers/", {"entity": entity.pk, "name": "李娟", "id_number": id_number(),
                                                  "started_on": str(today())}, format="json")
        assert answer.status_code == 400 and "entity" in answer.json()


def test_an_invalid_id_number_is_a_400_naming_the_field(owner_a, firm_a):
    answer = api_client(owner_a).post("/api/v1/workers/", {"entity": firm_a.pk, "name": "李娟",
                                                            "id_number": "140802199001011235",
                                                            "started_on": str(today())}, format="json")
    assert answer.status_code == 400 and "id_number" in answer.json()


def test_inspectors_read_but_do_not_write(firm_a, owner_a):
    ready_worker(owner_a, firm_a)
    inspector = UserFactory(username="hs_inspector", role=UserRole.INSPECTOR, region_codes=["1408"],
                            sectors=["household_service"])
    client = api_client(inspector)
    assert client.get("/api/v1/workers/").json()["count"] == 1
    answer = client.post("/api/v1/workers/", {"entity": firm_a.pk, "name": "李娟", "id_number": id_number(),
                                              "started_on": str(today())}, format="json")
    assert answer.status_code == 403


def test_overlapping_employments_at_one_firm_are_refused(owner_a, firm_a):
    from django.core.exceptions import ValidationError

    number = id_number()
    employment = ready_worker(owner_a, firm_a, number=number, started_on=today() - 100 * DAY)
    with pytest.raises(ValidationError) as overlap:
        worker_services.worker_register(actor=owner_a, entity=firm_a, name="王秀英", id_number=number,
                                        started_on=today() - 50 * DAY)
    assert "started_on" in overlap.value.message_dict
    worker_services.employment_update(actor=owner_a, employment=employment, ended_on=today() - 50 * DAY)
    with pytest.raises(ValidationError):  # the last day of the first period is still inside it
        worker_services.worker_register(actor=owner_a, entity=firm_a, name="王秀英", id_number=number,
                                        started_on=today() - 50 * DAY)
    again, status = worker_services.worker_register(actor=owner_a, entity=firm_a, name="王秀英", id_number=number,
                                                    started_on=today() - 49 * DAY)
    assert status == "created" and again.person_id == employment.person_id
    with pytest.raises(ValidationError) as backwards:
        worker_services.employment_update(actor=owner_a, employment=again, ended_on=again.started_on - DAY)
    assert "ended_on" in backwards.value.message_dict


def test_a_health_check_expiring_before_it_was_taken_is_a_400(owner_a, firm_a):
    employment = ready_worker(owner_a, firm_a)
    answer = api_client(owner_a).post("/api/v1/workers/health-checks/", {
        "person": employment.person_id, "entity": firm_a.pk, "checked_on": str(today()),
        "expires_on": str(today() - DAY), "institution": "运城市中心医院"}, format="json")
    assert answer.status_code == 400 and "expires_on" in answer.json()


def test_a_card_needs_identity_and_a_valid_health_check_and_one_open_card_per_employment(owner_a, firm_a):
    employment, _ = worker_services.worker_register(actor=owner_a, entity=firm_a, name="赵敏", id_number=id_number(),
                                                    started_on=today() - 5 * DAY)
    client = api_client(owner_a)
    refused = client.post("/api/v1/workers/cards/", {"employment": employment.pk}, format="json")
    assert refused.status_code == 400 and "employment" in refused.json()
    ready = ready_worker(owner_a, firm_a)
    issued = client.post("/api/v1/workers/cards/", {"employment": ready.pk}, format="json")
    assert issued.status_code == 201
    assert client.post("/api/v1/workers/cards/", {"employment": ready.pk}, format="json").status_code == 409
    card_id = issued.json()["id"]
    assert client.post(f"/api/v1/workers/cards/{card_id}/revoke/", {"reason": "离职"}, format="json").status_code == 200
    assert client.post(f"/api/v1/workers/cards/{card_id}/revoke/", {"reason": "离职"}, format="json").status_code == 409
    assert client.post("/api/v1/workers/cards/", {"employment": ready.pk}, format="json").status_code == 201


def test_the_worker_list_makes_a_fixed_number_of_queries(owner_a, firm_a, regulator_client,
                                                          django_assert_max_num_queries):
    for _ in range(3):
        worker_services.card_issue(actor=owner_a, employment=ready_worker(owner_a, firm_a))
    with django_assert_max_num_queries(12):
        few = regulator_client.get("/api/v1/workers/")
    for _ in range(5):
        worker_services.card_issue(actor=owner_a, employment=ready_worker(owner_a, firm_a))
    with django_assert_max_num_queries(12):
        many = regulator_client.get("/api/v1/workers/")
    assert few.json()["count"] == 3 and many.json()["count"] == 8


# ------------------------------------------------------------------ complaints and findings naming a worker


def _complaint(entity, incident_date):
    return complaint_in(entity=entity, category="service_quality", description="服务员迟到早退", incident_date=incident_date)


def test_a_complaint_names_a_worker_employed_on_the_incident_date(owner_a, firm_a, regulator, regulator_client):
    employment = ready_worker(owner_a, firm_a, started_on=today() - 60 * DAY)
    worker_services.employment_update(actor=owner_a, employment=employment, ended_on=today() - 10 * DAY)
    last_day = _complaint(firm_a, today() - 10 * DAY)
    answer = regulator_client.post(f"/api/v1/complaints/{last_day.pk}/worker/", {"worker": employment.person_id},
                                   format="json")
    assert answer.status_code == 200 and answer.json()["worker"] == employment.person_id
    assert Complaint.objects.get(pk=last_day.pk).worker_id == employment.person_id

    day_after = _complaint(firm_a, today() - 9 * DAY)
    refused = regulator_client.post(f"/api/v1/complaints/{day_after.pk}/worker/", {"worker": employment.person_id},
                                    format="json")
    assert refused.status_code == 400 and "worker" in refused.json()
    before = _complaint(firm_a, today() - 61 * DAY)
    assert regulator_client.post(f"/api/v1/complaints/{before.pk}/worker/", {"worker": employment.person_id},
                                 format="json").status_code == 400


def test_a_complaint_cannot_name_another_firms_worker(owner_a, owner_b, firm_a, firm_b, regulator):
    employment = ready_worker(owner_b, firm_b)
    complaint = _complaint(firm_a, today())
    errors = worker_links.worker_errors(worker=employment.person, entity_id=firm_a.pk, day=today())
    assert "worker" in errors
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        worker_links.complaint_worker_set(complaint_id=complaint.pk, worker=employment.person, actor=regulator)


def test_a_business_cannot_name_workers(owner_a, firm_a):
    employment = ready_worker(owner_a, firm_a)
    complaint = _complaint(firm_a, today())
    answer = api_client(owner_a).post(f"/api/v1/complaints/{complaint.pk}/worker/",
                                      {"worker": employment.person_id}, format="json")
    assert answer.status_code == 403


def test_a_finding_names_a_worker_employed_on_the_inspection_date(owner_a, firm_a, regulator, regulator_client):
    from complaints import services as complaint_services
    from complaints.models import ViolationType

    employment = ready_worker(owner_a, firm_a, started_on=today() - 60 * DAY)
    violation = ViolationType.objects.filter(active=True).first()
    inspection = complaint_services.inspection_create(
        actor=regulator, entity=firm_a, inspected_on=today() - 61 * DAY, kind="targeted",
        findings=[{"violation_type": violation, "description": "未持证上岗"}])
    finding = inspection.findings.get()
    refused = regulator_client.post(f"/api/v1/findings/{finding.pk}/worker/", {"worker": employment.person_id},
                                    format="json")
    assert refused.status_code == 400 and "worker" in refused.json()
    inspection = complaint_services.inspection_create(
        actor=regulator, entity=firm_a, inspected_on=today() - 60 * DAY, kind="targeted",
        findings=[{"violation_type": violation, "description": "未持证上岗"}])
    finding = inspection.findings.get()
    answer = regulator_client.post(f"/api/v1/findings/{finding.pk}/worker/", {"worker": employment.person_id},
                                   format="json")
    assert answer.status_code == 200 and answer.json()["worker"] == employment.person_id
    assert regulator_client.get(f"/api/v1/findings/{finding.pk}/").json()["worker"] == employment.person_id


# ------------------------------------------------------------------ the regulators' admin


def test_the_admin_lists_every_worker_model_read_only_and_revokes_a_card(owner_a, firm_a):
    from django.urls import reverse

    from entities.workers import (
        HealthCheck,
        IdentityVerification,
        ServiceCard,
        SkillCertificate,
        TrainingRecord,
    )
    from tests.support import page_client

    employment = ready_worker(owner_a, firm_a)
    card = worker_services.card_issue(actor=owner_a, employment=employment)
    worker_services.skill_certificate_record(actor=owner_a, person=employment.person, entity=firm_a, name="育婴员",
                                             number="ZS-1", issuer="运城市人社局", issued_on=today())
    staff = UserFactory(username="hs_regulator", role=UserRole.REGULATOR, is_staff=True)
    client = page_client(staff)
    for model in (Employment, IdentityVerification, HealthCheck, TrainingRecord, SkillCertificate, ServiceCard):
        opts = model._meta
        row = model.objects.first()
        changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert changelist.status_code == 200 and changelist.context["cl"].result_count >= 1, model.__name__
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])).status_code == 200
        assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    found = client.get(reverse("admin:entities_servicecard_changelist"), {"q": card.code.lower()})
    assert found.context["cl"].result_count == 1
    body = client.get(reverse("admin:entities_employment_changelist")).content.decode()
    assert employment.person.id_number_masked in body or employment.person.name in body
    revoke = client.post(reverse("admin:entities_servicecard_changelist"), {
        "action": "card_revoke", "_selected_action": [card.pk], "_confirm": "1", "reason": "监管部门核查后注销"})
    assert revoke.status_code in (200, 302)
    card.refresh_from_db()
    assert card.revoked_on == today() and card.revoked_reason == "监管部门核查后注销"
