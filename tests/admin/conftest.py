"""Fixtures of the admin tests: staff accounts per role, a logged-in client, and a row in every admin table."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints import attachment_services, campaign_services, planning, rectification_services, satisfaction
from complaints import services as complaint_services
from complaints.models import Finding, InspectionPlan, InspectionPlanItem, ViolationType
from core import audit, clients, jobs
from core.models import CalendarDay, DepartmentClient, UserRole
from entities import retraining_services, review_services, worker_services
from ratings import hooks
from ratings import services as rating_services
from ratings.models import CreditScore
from regulator.disclosure import feed_services, publicity_services
from regulator.disclosure.feeds import FeedDelivery, FeedEvent
from regulator.disclosure.models import PublicStatement
from regulator.lists import award_services, import_source_services
from regulator.lists import services as listings
from regulator.lists.import_sources import ImportRun
from tests.entities.worker_fixtures import firm, ready_worker
from tests.support import DECISION, complaint_in, page_client, today
from tests.support.factories import (
    EntityFactory,
    LicenceFactory,
    PersonFactory,
    PersonRoleFactory,
    UserFactory,
)
from tests.support.states import served
from tests.support.upload_files import png_bytes, upload

APPS = ("core", "entities", "complaints", "ratings", "regulator")


def admin_url(model, view: str = "changelist", *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def admin_models() -> list[type]:
    """Every concrete model of the project's apps (what the admin must cover)."""
    return [model for label in APPS for model in apps.get_app_config(label).get_models()]


def results(response) -> list:
    """The rows a changelist shows."""
    return list(response.context["cl"].result_list)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def staff_regulator(db):
    return UserFactory(username="admin_regulator", role=UserRole.REGULATOR, is_staff=True)


@pytest.fixture
def admin_client(staff_regulator) -> Client:
    return page_client(staff_regulator)


@pytest.fixture
def entity(db):
    return EntityFactory(name="盐湖区丙旅行社有限公司")


#: 统一社会信用代码 of the client department (a valid one, as the model checks)
AUTHORITY_CODE = "11120000MB1529459B"


@pytest.fixture
def private_media(settings, tmp_path):
    """Uploads stored under the test's own folder, never the project's var/."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def world(db, staff_regulator, entity, django_capture_on_commit_callbacks, private_media, settings, tmp_path):
    """At least one row in every table the admin shows, made the way the service makes them."""
    person = PersonFactory(name="王五")
    PersonRoleFactory(entity=entity, person=person)
    LicenceFactory(entity=entity)
    business = UserFactory(username="business_c", role=UserRole.BUSINESS, entities=[entity])
    inspector = UserFactory(username="inspector_c", role=UserRole.INSPECTOR, region_codes=["14"],
                            sectors=["tourism"])

    day = today()
    notified_on = day - datetime.timedelta(days=60)
    listing = listings.listing_propose(list_type="watch", subject_type="entity", entity=entity, reason="拒绝检查",
                                       actor=staff_regulator, today=notified_on)
    listings.listing_notify(listing_id=listing.pk, actor=staff_regulator, today=notified_on,
                            delivery=served(notified_on))
    listings.objection_file(listing_id=listing.pk, actor=business, statement="我们没有拒绝检查",
                            today=notified_on + datetime.timedelta(days=1))
    objection = listing.objections.get()
    listings.objection_answer(objection_id=objection.pk, actor=staff_regulator, answer="经核查，申辩不成立",
                              upheld=False)
    listings.listing_decide(listing_id=listing.pk, actor=staff_regulator, **DECISION, today=day - datetime.timedelta(days=30))
    listings.listing_publish(listing_id=listing.pk, actor=staff_regulator, today=day - datetime.timedelta(days=30))
    repair = listings.repair_application_file(listing_id=listing.pk, actor=business, statement="已整改", evidence=["整改报告"],
                                   commitment=True, training_record="2026 年信用修复培训")
    statement = PublicStatement.objects.create(entity=entity, listing=listing, text="我们已整改到位",
                                               submitted_by=business)

    complaint = complaint_in(entity=entity, description="导游强迫购物", incident_date=day)
    violation = ViolationType.objects.filter(active=True).first()
    # 专项行动: the world's inspection is tagged to it
    campaign = campaign_services.campaign_create(
        actor=staff_regulator, name="价格诚信专项行动", kind="price", sectors=[entity.sector], region_prefix="14",
        starts_on=day - datetime.timedelta(days=30), ends_on=day, violation_types=[violation])
    inspection = complaint_services.inspection_create(
        actor=inspector, entity=entity, inspected_on=day, kind="targeted", summary="现场检查", campaign=campaign,
        findings=[{"violation_type": violation, "description": violation.name, "penalty": "warning",
                   "decision_number": "运盐文旅罚〔2026〕1号", "rectify_by": day + datetime.timedelta(days=10)}])
    plan = planning.plan_draw(month=day.replace(day=1), region_prefix="1408", seed="admin-tests")
    # One entity rarely falls in a month's sample: an item on a plan of its own, so the list is never empty.
    other_plan = InspectionPlan.objects.create(month=plan.month, region_prefix="1401", seed="x", rates={},
                                               population=[], population_size=0, sample_size=1)
    InspectionPlanItem.objects.create(plan=other_plan, entity=entity, grade="B", inspector=inspector)

    rating_services.entity_rescore(entity_id=entity.pk)
    hooks.evidence_changed(entity.pk)
    run = rating_services.recompute_plan(reason="admin tests")
    CalendarDay.objects.get_or_create(date=datetime.date(2031, 1, 1), defaults={"kind": "holiday", "name": "元旦"})
    checkpoint = audit.checkpoint(day=day)
    job = jobs.job_submit(kind="listings_import", data=[{"name": "示例"}], items=1, total=2, actor=staff_regulator)

    # 部门客户端: a client, its key, one logged query
    client = DepartmentClient.objects.create(name="运城市发展和改革委员会", authority_credit_code=AUTHORITY_CODE,
                                             contact_name="张科长", scopes=["licence-check"])
    issued = clients.client_key_issue(client_id=client.pk, actor=staff_regulator)
    clients.client_query_record(client_id=client.pk, key_prefix=issued.record.prefix, method="POST",
                                endpoint="/api/v1/licence-checks/", status_code=200, client_ip="127.0.0.1",
                                request_summary={"licence_type": "travel_agency_business"},
                                answer_summary={"allowed": True}, receipt_ids=["r-1"], items=1)

    # 家政服务员信用档案 and its card, at a household-service firm
    household = firm("盐湖区丁家政服务有限公司")
    employment = ready_worker(staff_regulator, household)
    worker_services.skill_certificate_record(actor=staff_regulator, person=employment.person, entity=household,
                                             name="家政服务员", number="JZ-2026-0001", issuer="运城市人社局",
                                             issued_on=day - datetime.timedelta(days=90))
    worker_services.card_issue(actor=staff_regulator, employment=employment)
    # 家政服务评价: an order, its customer's review by the one-time link (approved), the firm's reply
    with django_capture_on_commit_callbacks(execute=True):
        order = review_services.service_order_create(
            actor=staff_regulator, entity=household, worker=employment.person, served_on=day - datetime.timedelta(days=3),
            service_kind="cleaning", customer_phone="13800001111", reference="DD-2026-0001")
    review = review_services.review_submit(token=order.link_token, rating=5, comment="服务细致，准时到达")
    review_services.review_approve(actor=staff_regulator, review=review)

    # 回炉培训: a campaign with one phase whose batch is the firm and its worker
    retraining_services.campaign_create(
        actor=staff_regulator, name="家政服务员回炉培训", region_code="1408", starts_on=day,
        ends_on=day + datetime.timedelta(days=60),
        phases=[{"name": "第一批", "starts_on": day, "deadline": day + datetime.timedelta(days=30), "firms": [household]}])

    # 诚信企业评选: a grade-A firm nominated, objected to in its notice period, the objection dismissed, granted
    awarded = EntityFactory(name="盐湖区诚信旅行社有限公司")
    CreditScore.objects.update_or_create(entity=awarded, defaults={
        "score": 920, "grade": "A", "model_version": 1, "as_of": day, "breakdown": [], "computed_at": timezone.now()})
    award_round = award_services.award_round_open(
        kind="honest_enterprise", name="运城市诚信企业评选", region_code=awarded.region_code[:4] + "00",
        opens_on=day - datetime.timedelta(days=60), closes_on=day + datetime.timedelta(days=30),
        actor=staff_regulator, today=day - datetime.timedelta(days=60))
    nominated = award_services.award_nominate(round_id=award_round.pk, entity_id=awarded.pk, actor=staff_regulator,
                                              today=day - datetime.timedelta(days=40))
    award_services.award_review(application_id=nominated.pk, actor=staff_regulator, approve=True,
                                today=day - datetime.timedelta(days=40))
    award_objection = award_services.award_object(application_id=nominated.pk, reason="该企业曾强迫游客购物",
                                                  today=day - datetime.timedelta(days=39))
    award_services.award_objection_answer(objection_id=award_objection.pk, actor=staff_regulator, upheld=False,
                                          answer="经核查不属实", today=day - datetime.timedelta(days=38))
    award_services.award_decide(application_id=nominated.pk, actor=staff_regulator,
                                today=day - datetime.timedelta(days=20))

    # 定时导入: a drop-directory source and one finished run
    settings.IMPORT_DROP_ROOT = tmp_path / "drop"
    (settings.IMPORT_DROP_ROOT / "court").mkdir(parents=True)
    source = import_source_services.import_source_create(
        actor=None, name="法院失信被执行人", source_authority="运城市中级人民法院", kind="drop_dir", location="court",
        format="csv", column_mapping={"credit_code": "统一社会信用代码", "name": "被执行人名称", "reason": "失信情形",
                                      "decided_on": "发布日期", "source_reference": "案号"},
        defaults={"list_type": "black", "legal_basis": "来源机关的认定决定"}, mode="delta", interval_minutes=60)
    ImportRun.objects.create(source=source, state="done", file_name="court_list.csv")

    # 双公示: the records of the licences and penalties recorded so far
    publicity_services.publicity_sweep(today=day)

    # 整改材料 on the open finding: one returned with its reason, one awaiting review (every state, every event)
    open_finding = Finding.objects.get(inspection=inspection)
    returned = rectification_services.evidence_submit(finding_id=open_finding.pk, actor=business, note="已整改",
                                                       files=[upload(png_bytes(), "a.png", "image/png")])
    rectification_services.evidence_return(evidence_id=returned.pk, actor=inspector, reason="照片看不清整改部位")
    rectification_services.evidence_submit(finding_id=open_finding.pk, actor=business, note="补充整改照片",
                                           files=[upload(png_bytes(), "b.png", "image/png")])

    # 满意在山西: a closed complaint rated by its complainant
    closed = complaint_in("closed", entity=entity, description="行程缩水", resolved_on=day - datetime.timedelta(days=2))
    satisfaction.satisfaction_rate(complaint=closed, rating=4, comment="处理及时")

    # 变更推送: a client holding push, its subscription, one event delivered and one dead-lettered
    push_client = DepartmentClient.objects.create(name="山西省发展和改革委员会", authority_credit_code=AUTHORITY_CODE,
                                                  contact_name="李科长", scopes=["push", "lists:read"])
    subscription = feed_services.subscription_create(client_id=push_client.pk, url="https://push.example.gov.cn/hook",
                                                     kinds=["listing_published", "listing_ended"]).subscription
    feed_services.feed_sequence()
    delivered, dead = FeedEvent.objects.order_by("id")[:2]
    FeedDelivery.objects.create(subscription=subscription, event=delivered, state="delivered", attempts=1,
                                last_status_code=200, delivered_at=timezone.now())
    FeedDelivery.objects.create(subscription=subscription, event=dead, state="dead", attempts=8,
                                last_status_code=500, last_error="HTTP 500", dead_at=timezone.now())

    # a complaint filed with a photo and SMS updates (its notification sent after commit)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_services.complaint_submit(
            entity=entity, category="price", description="价格欺诈", incident_date=day,
            complainant_phone="13912345678", notify_sms=True, attachments=[upload(png_bytes(), "a.png", "image/png")])

    return {
        "entity": entity, "person": person, "business": business, "inspector": inspector, "listing": listing,
        "objection": objection, "repair": repair, "statement": statement, "complaint": complaint,
        "inspection": inspection, "finding": Finding.objects.get(inspection=inspection), "plan": plan,
        "run": run, "checkpoint": checkpoint, "job": job,
    }


@pytest.fixture
def every_row(world) -> dict[type, object]:
    """One instance of each registered model of the four apps."""
    rows = {}
    for model in admin_models():
        instance = model._default_manager.order_by("-pk").first()
        assert instance is not None, f"the world has no {model.__name__}"
        rows[model] = instance
    return rows


def act(client: Client, model, action: str, objects, data: dict | None = None, **extra):
    """Run an admin action on ``objects``; ``data`` answers its intermediate page (``_confirm``)."""
    body = {"action": action, "_selected_action": [obj.pk for obj in objects], **extra}
    if data is not None:
        body.update(data, _confirm="1")
    return client.post(admin_url(model), body, follow=True)
