"""Mass assignment: a field the request serializer does not offer is never taken from the body.

Every POST, PUT and PATCH under /api/v1/ is discovered from the URL resolver,
and its request serializer is the one drf-spectacular documents for it. For
each, a valid request is sent twice: once plain (the control) and once with
every other concrete field of the model it writes added with a hostile value
(status, ids of foreign objects, dates, flags such as ``is_superuser``, the
ID-number hash...). The value stored after the hostile request must not be the
hostile one. Hostile values are picked to differ from what the control stored,
so "not taken from input" is observable.

The only hand-written part is one valid request per operation (``RECIPES``):
an operation without one, or a recipe for an operation that no longer exists,
fails ``test_every_write_operation_has_a_recipe``. Two checks complete it: no
request serializer offers a field only a service may set (``SERVICE_ONLY``,
with the exceptions API.md grants), and an update never replaces a person's
ID number (the serializer only makes it read-only once bound to a record).
"""

from __future__ import annotations

import copy
import datetime
import decimal
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from rest_framework import serializers

from complaints import campaign_services, planning, rectification_services
from complaints import services as complaint_services
from complaints.campaigns import Campaign
from complaints.models import Complaint, Finding, Inspection, ViolationType
from complaints.rectification import RectificationEvidence
from complaints.satisfaction_ratings import ComplaintSatisfaction
from core.models import CalendarDay, ServedDocument, UserRole
from entities import codes, review_services, worker_services
from entities import services as entity_services
from entities.models import Entity, Licence, Person, PersonRole
from entities.reviews import ServiceOrder, ServiceReview
from entities.workers import Employment, HealthCheck, SkillCertificate, TrainingRecord
from ratings.models import CreditScore, ScoringModel
from ratings.services import scoring_model_create
from regulator.disclosure.models import PublicStatement
from regulator.lists import award_services, import_source_services
from regulator.lists import services as listings
from regulator.lists.awards import AwardApplication, AwardObjection, AwardRound
from regulator.lists.import_sources import ImportRun
from regulator.lists.models import Listing, Objection, RepairApplication
from regulator.lists.rules import DEFAULT_DOCUMENT
from tests.entities.worker_fixtures import ready_worker
from tests.support import DECISION, api_client, complaint_in, listing_in, today
from tests.support.factories import UserFactory
from tests.support.upload_files import upload

from .conftest import Route, World, api_routes, build_world, request_serializers, rolled_back, send

pytestmark = pytest.mark.django_db

WRITE_METHODS = ("POST", "PUT", "PATCH")
# Operations that store nothing a caller could forge a field of.
NOT_STORED = {
    ("POST", "auth-logout"): "revokes the caller's own token; no body",
    ("POST", "auth-logout-all"): "revokes every token of the caller's own account; no body",
    ("POST", "auth-token"): "exchanges credentials for the caller's token; no field of a record is taken",
    ("POST", "licence-check"): "answers a question (with a signed receipt); writes no record",
    ("POST", "licence-check-batch"): "answers questions (with signed receipts); writes no record",
    ("POST", "receipt-verify"): "checks a signature; writes no record",
    ("POST", "measures-check"): "answers a question (with a signed receipt); writes no record (a department client's "
                                "query log row is written by the gate from the request, not from a body field)",
    ("POST", "measures-check-batch"): "answers questions (with signed receipts); writes no record (the same log)",
}
# Operations whose view names no model, or another one than the record they write: the record, read off the view.
RECORD_OF: dict[tuple[str, str], type[models.Model]] = {
    ("POST", "worker-list"): Employment,  # registers an employment (and the person, found by ID hash)
    ("POST", "worker-upload"): Employment,  # the same, row by row
    ("POST", "complaint-worker"): Complaint,  # sets Complaint.worker
    ("POST", "finding-worker"): Finding,  # sets Finding.worker
    ("POST", "finding-evidence"): RectificationEvidence,  # 整改材料 submitted
    ("POST", "rectification-evidence-accept"): RectificationEvidence,
    ("POST", "rectification-evidence-return"): RectificationEvidence,
    ("POST", "award-round-applications"): AwardApplication,  # files an application in the round
    ("POST", "public-award-objection"): AwardObjection,
    ("POST", "inspection-campaign"): Inspection,  # sets Inspection.campaign
    ("POST", "complaint-satisfaction"): ComplaintSatisfaction,
    ("POST", "public-review-link"): ServiceReview,  # the customer's review through the link
    ("POST", "import-source-run"): ImportRun,  # queues a run of the source
}
# Fields only a service may set: no request serializer may offer them (API.md, DOMAIN.md).
SERVICE_ONLY = {
    "status", "created_by", "id_hash", "id_number_masked", "tracking_code", "is_superuser", "is_staff", "overdue",
    "rule_set", "inspector", "filed_by", "submitted_by", "applicant", "decided_by", "reviewed_by", "answered_by",
    "published_on", "decided_on", "created_at", "updated_at", "score", "grade", "is_active", "activated_at",
}
# ... except where the API says the caller states them.
SERVICE_ONLY_EXCEPTIONS = {
    (("POST", "entity-list"), "status"): "regulators register an entity's status (API.md: Registry)",
    (("PUT", "entity-detail"), "status"): "regulators record suspension and deregistration",
    (("PATCH", "entity-detail"), "status"): "regulators record suspension and deregistration",
    (("POST", "licence-list"), "status"): "regulators record a licence's status",
    (("PUT", "licence-detail"), "status"): "regulators record suspension, revocation, expiry",
    (("PATCH", "licence-detail"), "status"): "regulators record suspension, revocation, expiry",
    (("POST", "inspection-list"), "decided_on"): "the date of the penalty decision on a finding",
    (("POST", "listing-import-listings"), "decided_on"): "decided by another authority (API.md: import)",
    (("POST", "listing-import-listings"), "published_on"): "published by another authority (API.md: import)",
    (("POST", "user-list"), "is_active"): "regulators deactivate accounts instead of deleting them",
    (("PUT", "user-detail"), "is_active"): "regulators deactivate accounts instead of deleting them",
    (("PATCH", "user-detail"), "is_active"): "regulators deactivate accounts instead of deleting them",
}
# Field types without a meaningful hostile value; a new type must be added here or to ``_hostile``.
UNCOMPARABLE = (SearchVectorField,)
_rng = random.Random(90210)


# ----------------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Operation:
    method: str
    route: Route
    model: type[models.Model]
    writable: frozenset[str]

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.route.name

    def __str__(self) -> str:
        return f"{self.method} {self.route.name}"


def _writable_names(serializer) -> set[str]:
    """Names the request serializer (and any serializer nested in it) accepts, by field name and source."""
    names: set[str] = set()
    if serializer is None:
        return names
    for name, item in serializer.fields.items():
        if item.read_only:
            continue
        names.add(name)
        if item.source and item.source != "*":
            names.add(item.source.split(".")[0])
        child = getattr(item, "child", None)
        if isinstance(item, serializers.BaseSerializer):
            names |= _writable_names(child if isinstance(child, serializers.BaseSerializer) else item)
    return names


def _answer_model(view) -> type[models.Model] | None:
    """The model of the view's own serializer (an action on a record whose body is a plain serializer, such as
    a document's delivery, writes that record)."""
    serializer_class = getattr(view, "serializer_class", None)
    return getattr(getattr(serializer_class, "Meta", None), "model", None)


def discover() -> list[Operation]:
    """Every write operation of the API with the serializer drf-spectacular says it reads."""
    operations = []
    for route in api_routes():
        for method in sorted(route.methods & set(WRITE_METHODS)):
            bodies = request_serializers(route, method)
            meta_model = next((model for serializer in bodies
                               if (model := getattr(getattr(serializer, "Meta", None), "model", None))), None)
            queryset = getattr(route.view_class, "queryset", None)
            model = (RECORD_OF.get((method, route.name)) or meta_model
                     or (queryset.model if queryset is not None else None) or _answer_model(route.view_class))
            writable = set().union(*(_writable_names(serializer) for serializer in bodies))
            operations.append(Operation(method, route, model, frozenset(writable)))
    return operations


OPERATIONS = discover()


# ----------------------------------------------------------------------------------- recipes


@dataclass
class Call:
    """One valid request: who sends it where, with which body, and how to find what it stored."""

    actor: Any
    url: str
    body: dict
    inject: Callable[[dict, dict], None] | None = None  # where hostile fields go (default: the top level)
    locate: Callable[[Any], models.Model] | None = None  # the stored record (default: the answer's "id")
    format: str = "json"  # "multipart" for the routes that take files


class Kit:
    """Fresh objects in the states the recipes need, built with the services."""

    def __init__(self, world: World):
        self.world = world
        self.regulator = world.regulator
        self.entity = world.a.entity
        self.counter = 0

    def n(self) -> int:
        self.counter += 1
        return self.counter

    def complaint(self, status: str = "submitted", *, late: bool = False) -> Complaint:
        """A complaint against A handled into ``status``; ``late``: refused on filing for the 90 days."""
        return complaint_in("rejected" if late else status, entity=self.entity, late=late, outcome="mediated",
                            actor=self.regulator, description="导游强迫购物", complainant_name="投诉人",
                            complainant_phone="13900000000")

    def finding(self) -> Finding:
        inspection = complaint_services.inspection_create(
            actor=self.world.inspector_in, entity=self.entity, inspected_on=today() - datetime.timedelta(days=1),
            kind="random", findings=[{"violation_type": self.violation(), "description": "未公示", "penalty": "none"}])
        return inspection.findings.get()

    def violation(self) -> ViolationType:
        return ViolationType.objects.filter(active=True, sector="tourism").order_by("id").first()

    def listing(self, status: str, list_type: str = "black") -> Listing:
        """A listing of A in ``status``: noticed 40 days ago and decided 20 days ago (the decision not served),
        ``notified_now`` (its objection window open) or ``notice_unserved`` (the 告知书 issued today, not served).
        Each is a matter of its own: a reason repeated would be a duplicate."""
        reason = f"甩团（第{self.n()}起）"
        if status == "notice_unserved":
            proposed = listing_in("proposed", entity=self.entity, list_type=list_type, reason=reason,
                                  actor=self.regulator)
            return listings.listing_notify(listing_id=proposed.pk, actor=self.regulator)
        if status == "notified_now":
            return listing_in("notified", entity=self.entity, list_type=list_type, reason=reason,
                              notified_on=today(), actor=self.regulator)
        if status == "proposed":
            return listing_in("proposed", entity=self.entity, list_type=list_type, reason=reason,
                              day=today() - datetime.timedelta(days=40), actor=self.regulator)
        return listing_in(status, entity=self.entity, list_type=list_type, reason=reason, actor=self.regulator,
                          notified_on=today() - datetime.timedelta(days=40),
                          **({} if status == "notified" else {"decided_on": today() - datetime.timedelta(days=20)}))

    def unserved_document(self) -> ServedDocument:
        """A 告知书 issued today and not yet served."""
        return self.listing("notice_unserved").notice_document

    def unlinked_complaint(self) -> Complaint:
        """A complaint about an operator the complainant described (no registered entity yet), accepted."""
        complaint = complaint_services.complaint_file(
            category="price", description="无证经营的农家乐价格欺诈", incident_date=today() - datetime.timedelta(days=2),
            respondent_kind="operator", operator_name=f"盐湖区某农家乐{self.n()}", operator_address="盐湖区某村",
            region_code="140802", sector="tourism", complainant_name="投诉人", complainant_phone="13900000000")
        return complaint_services.complaint_accept(complaint_id=complaint.pk, actor=self.regulator)

    def objection(self) -> Objection:
        listing = self.listing("notified_now")
        return listings.objection_file(listing_id=listing.pk, actor=self.world.a.account, statement="申辩")

    def repair(self) -> RepairApplication:
        listing = self.listing("published", "watch")
        return listings.repair_application_file(listing_id=listing.pk, actor=self.world.a.account, statement="已整改",
                                     evidence=["整改报告"], commitment=True, training_record="培训")

    def person(self) -> Person:
        birth = datetime.date(1990, 1, 1) + datetime.timedelta(days=self.n())
        return entity_services.person_create(name="测试人", id_number=codes.id_number("140802", birth, _rng))

    def new_entity(self) -> Entity:
        return entity_services.entity_create(credit_code=codes.credit_code("140802", _rng), name=f"新主体{self.n()}号",
                                             sector="tourism", category="hotel", region_code="140802")

    def id_number(self) -> str:
        birth = datetime.date(1975, 1, 1) + datetime.timedelta(days=self.n())
        return codes.id_number("140802", birth, _rng)

    def employment(self) -> Employment:
        """A new worker of A's household firm, with identity, health check and training (a card may be issued)."""
        return ready_worker(self.world.a.account, self.world.a.firm, name=f"家政员{self.n()}", number=self.id_number())

    def entry(self, model: type[models.Model], person: Person) -> models.Model:
        """The worker's latest entry of ``model`` recorded by A's firm (a skill certificate recorded if none)."""
        entry = model.objects.filter(person=person).order_by("-id").first()
        if entry is None:
            entry = worker_services.skill_certificate_record(
                actor=self.world.a.account, person=person, entity=self.world.a.firm, name="育婴员",
                number=f"CERT-{self.n()}", issuer="运城市人社局", issued_on=today())
        return entry

    def firm_finding(self) -> Finding:
        """A finding of an inspection of A's household firm, yesterday (its workers were employed then)."""
        firm = self.world.a.firm
        violation = (ViolationType.objects.filter(active=True, sector=firm.sector).order_by("id").first()
                     or self.violation())
        inspection = complaint_services.inspection_create(
            actor=self.world.inspector_in, entity=firm, inspected_on=today() - datetime.timedelta(days=1),
            kind="random", findings=[{"violation_type": violation, "description": "未公示", "penalty": "none"}])
        return inspection.findings.get()

    def evidence(self) -> RectificationEvidence:
        """整改材料 of A for a new open finding, awaiting review."""
        return rectification_services.evidence_submit(finding_id=self.finding().pk, actor=self.world.a.account,
                                                      note="已整改")

    def scoring_model(self, effective_from: datetime.date) -> ScoringModel:
        active = ScoringModel.objects.get(is_active=True)
        return scoring_model_create(actor=self.regulator, version=500 + self.n(), name="测试模型",
                                    effective_from=effective_from, rules=copy.deepcopy(active.rules))


def _complaint_action(action: str, status: str, body: dict | None = None, *, late: bool = False):
    def recipe(kit: Kit) -> Call:
        complaint = kit.complaint(status, late=late)
        return Call(kit.regulator, f"/api/v1/complaints/{complaint.pk}/{action}/", body or {})
    return recipe


def _listing_action(action: str, status: str, body: dict | None = None):
    def recipe(kit: Kit) -> Call:
        listing = kit.listing(status)
        return Call(kit.regulator, f"/api/v1/listings/{listing.pk}/{action}/", body or {})
    return recipe


#: a document handed over today (送达登记)
_DELIVERY = {"method": "direct", "delivered_on": str(today()), "note": "当场送达"}


def _listing_revise(kit: Kit) -> Call:
    """修改拟列入事由 of a proposal; each revision a reason of its own (the same one twice is a duplicate)."""
    listing = kit.listing("proposed")
    return Call(kit.regulator, f"/api/v1/listings/{listing.pk}/revise/", {"reason": f"修改后的事由（第{kit.n()}稿）"})


def _entity_body(kit: Kit) -> dict:
    return {"credit_code": codes.credit_code("140802", _rng), "name": f"新主体{kit.n()}号", "sector": "tourism",
            "category": "hotel", "region_code": "140802", "address": "运城"}


def _violation_body(kit: Kit) -> dict:
    return {"code": f"ma_code_{kit.n()}", "name": "测试违法行为", "sector": "tourism", "default_severity": "minor",
            "legal_basis": "《旅游法》", "safety_related": False, "active": True}


def _user_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        user = UserFactory(username=f"ma_user_{kit.n()}", role=UserRole.BUSINESS)
        body = {"first_name": "改"} if partial else {"username": user.username, "role": "business",
                                                    "entities": [kit.entity.pk]}
        return Call(kit.regulator, f"/api/v1/users/{user.pk}/", body)
    return recipe


def _calendar_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        day = CalendarDay.objects.create(date=datetime.date(2035, 1, 1) + datetime.timedelta(days=kit.n()),
                                         kind="holiday", name="测试")
        body = {"name": "调休"} if partial else {"date": str(day.date), "kind": "workday", "name": "调休"}
        return Call(kit.regulator, f"/api/v1/calendar/{day.pk}/", body)
    return recipe


def _entity_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        body = {"address": "新地址"} if partial else _entity_body(kit)
        return Call(kit.regulator, f"/api/v1/entities/{kit.new_entity().pk}/", body)
    return recipe


def _licence_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        licence = Licence.objects.create(entity=kit.entity, licence_type="tour_guide", number=f"MA-P-{kit.n()}",
                                         issued_on=datetime.date(2022, 1, 1))
        body = {"expires_on": "2030-01-01"} if partial else {
            "entity": kit.entity.pk, "licence_type": "tour_guide", "number": licence.number, "issued_on": "2022-02-02"}
        return Call(kit.regulator, f"/api/v1/licences/{licence.pk}/", body)
    return recipe


def _person_update(kit: Kit) -> Call:
    return Call(kit.regulator, f"/api/v1/persons/{kit.person().pk}/", {"name": "改名"})


def _role_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        role = PersonRole.objects.create(entity=kit.entity, person=kit.person(), role="practitioner",
                                         started_on=datetime.date(2021, 1, 1))
        body = {"ended_on": "2024-01-01"} if partial else {
            "entity": kit.entity.pk, "person": role.person_id, "role": "principal", "started_on": "2021-06-01"}
        return Call(kit.regulator, f"/api/v1/roles/{role.pk}/", body)
    return recipe


def _scoring_model_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        model = kit.scoring_model(datetime.date(2035, 1, 1))
        body = {"name": "改名"} if partial else {
            "version": model.version, "name": "改名", "effective_from": "2036-01-01", "rules": model.rules}
        return Call(kit.regulator, f"/api/v1/scoring-models/{model.pk}/", body)
    return recipe


def _violation_update(partial: bool):
    def recipe(kit: Kit) -> Call:
        violation = ViolationType.objects.create(**_violation_body(kit))
        body = {"name": "改名"} if partial else _violation_body(kit)
        return Call(kit.regulator, f"/api/v1/violation-types/{violation.pk}/", body)
    return recipe


def _plan_month(kit: Kit) -> datetime.date:
    # inside the accepted date window (config/settings/inputs.py): months from 2027 on
    n = kit.n()
    return datetime.date(2027 + n // 12, 1 + n % 12, 1)


def _plan_publish(kit: Kit) -> Call:
    plan = planning.plan_draw(month=_plan_month(kit), region_prefix="1408")
    return Call(kit.regulator, f"/api/v1/inspection-plans/{plan.pk}/publish/", {})


def _statement_review(kit: Kit) -> Call:
    statement = PublicStatement.objects.create(entity=kit.entity, listing=kit.world.a.published_listing,
                                               text="我司已整改", submitted_by=kit.world.a.account)
    return Call(kit.regulator, f"/api/v1/statements/{statement.pk}/review/", {"approve": True, "review_note": "同意"})


def _import(kit: Kit) -> Call:
    row = {"credit_code": codes.credit_code("140802", _rng), "name": "外省失信主体", "list_type": "black",
           "reason": "外部门认定", "legal_basis": "《旅游法》", "decided_on": str(today() - datetime.timedelta(days=10)),
           "source_authority": "某省文旅厅", "source_reference": f"MA-IMPORT-{kit.n()}", "category": "travel_agency",
           "region_code": "140802"}
    return Call(kit.regulator, "/api/v1/listings/import/", {"rows": [row]},
                inject=lambda body, extras: body["rows"][0].update(extras),
                locate=lambda response: Listing.objects.get(pk=response.json()["results"][0]["listing_id"]))


def _track_withdraw(kit: Kit) -> Call:
    complaint = kit.complaint()
    return Call(None, f"/api/v1/complaints/track/{complaint.tracking_code}/withdraw/", {"reason": "已协商解决"},
                locate=lambda response: Complaint.objects.get(tracking_code=complaint.tracking_code))


def _worker_register(kit: Kit) -> Call:
    return Call(kit.world.a.account, "/api/v1/workers/", {
        "entity": kit.world.a.firm.pk, "name": "新登记家政员", "id_number": kit.id_number(),
        "started_on": str(today() - datetime.timedelta(days=10)), "position": "保洁"},
        locate=lambda response: Employment.objects.get(pk=response.json()["employment"]["id"]))


def _worker_upload(kit: Kit) -> Call:
    """A one-row CSV (UTF-8, English headers) for A's household firm."""
    text = f"name,id_number,started_on\r\n批量家政员,{kit.id_number()},{today() - datetime.timedelta(days=10)}\r\n"
    return Call(kit.world.a.account, "/api/v1/workers/upload/", {
        "entity": kit.world.a.firm.pk, "file": upload(text.encode(), "workers.csv", "text/csv")}, format="multipart",
        locate=lambda response: Employment.objects.get(pk=response.json()["rows"][0]["employment_id"]))


def _entry(path: str, body: Callable[[Kit], dict], model: type[models.Model] | None = None):
    """A file entry of A's new worker: created (``model`` None) or corrected (PATCH of an entry A recorded)."""
    def recipe(kit: Kit) -> Call:
        employment = kit.employment()
        person, firm = employment.person, kit.world.a.firm
        if model is None:
            return Call(kit.world.a.account, f"/api/v1/workers/{path}/",
                        {"person": person.pk, "entity": firm.pk, **body(kit)})
        return Call(kit.world.a.account, f"/api/v1/workers/{path}/{kit.entry(model, person).pk}/", body(kit))
    return recipe


def _card_revoke(kit: Kit) -> Call:
    card = worker_services.card_issue(actor=kit.world.a.account, employment=kit.employment())
    return Call(kit.world.a.account, f"/api/v1/workers/cards/{card.pk}/revoke/", {"reason": "已离职"})


def _complaint_worker(kit: Kit) -> Call:
    employment = kit.employment()
    complaint = complaint_in("accepted", entity=kit.world.a.firm, actor=kit.regulator, category="other",
                             description="家政员服务不到位", complainant_name="投诉人", complainant_phone="13900000000")
    return Call(kit.regulator, f"/api/v1/complaints/{complaint.pk}/worker/", {"worker": employment.person_id})


def _finding_worker(kit: Kit) -> Call:
    employment = kit.employment()
    return Call(kit.world.inspector_in, f"/api/v1/findings/{kit.firm_finding().pk}/worker/",
                {"worker": employment.person_id})


# ---- the later features (专项行动, 回炉, 诚信评选, 家政服务评价, 投诉满意度, 定时导入), each object made by its services


def _award_application(kit: Kit, state: str) -> AwardApplication:
    """A new entity of A's city graded A, nominated to the world's open round 20 days ago, then brought to
    ``state``: under_review, in_notice (its notice elapsed), in_notice_now (its notice running from today),
    objected (an objection open, in a notice from today) or granted."""
    entity = kit.new_entity()
    CreditScore.objects.update_or_create(entity=entity, defaults={
        "score": 900, "grade": "A", "model_version": 1, "as_of": today(), "breakdown": [],
        "computed_at": timezone.now()})
    filed_on = today() - datetime.timedelta(days=20)
    application = award_services.award_nominate(round_id=kit.world.shared[AwardRound].pk, entity_id=entity.pk,
                                                actor=kit.regulator, today=filed_on)
    if state != "under_review":
        application = award_services.award_review(application_id=application.pk, actor=kit.regulator, approve=True,
                                                  today=today() if state in ("objected", "in_notice_now") else filed_on)
    if state == "objected":
        award_services.award_object(application_id=application.pk, reason="异议", today=today())
    if state == "granted":
        application = award_services.award_decide(application_id=application.pk, actor=kit.regulator)
    return application


def _award_step(action: str, state: str, body: dict | None = None):
    def recipe(kit: Kit) -> Call:
        application = _award_application(kit, state)
        answer = dict(body or {})
        if action in ("uphold", "dismiss"):
            answer["objection"] = application.objections.get().pk
        return Call(kit.regulator, f"/api/v1/award-applications/{application.pk}/{action}/", answer)
    return recipe


def _campaign(kit: Kit) -> Campaign:
    return campaign_services.campaign_create(
        actor=kit.regulator, name=f"价格诚信专项行动{kit.n()}", kind="price", sectors=["tourism"], region_prefix="1408",
        starts_on=today() - datetime.timedelta(days=5), ends_on=today() + datetime.timedelta(days=20))


def _campaign_body(kit: Kit) -> dict:
    return {"name": f"质量诚信专项行动{kit.n()}", "kind": "quality", "sectors": ["tourism"], "region_prefix": "1408",
            "starts_on": str(today()), "ends_on": str(today() + datetime.timedelta(days=30)), "description": "说明"}


def _inspection_campaign(kit: Kit) -> Call:
    """Tag a new inspection of A (yesterday) to a running campaign of A's city."""
    inspection = kit.finding().inspection
    return Call(kit.world.inspector_in, f"/api/v1/inspections/{inspection.pk}/campaign/",
                {"campaign": _campaign(kit).pk}, locate=lambda response: Inspection.objects.get(pk=inspection.pk))


def _satisfaction(kit: Kit) -> Call:
    complaint = kit.complaint("closed")
    return Call(None, f"/api/v1/complaints/track/{complaint.tracking_code}/satisfaction/", {"rating": 4},
                locate=lambda response: ComplaintSatisfaction.objects.get(complaint=complaint))


def _order(kit: Kit) -> ServiceOrder:
    return review_services.service_order_create(
        actor=kit.world.a.account, entity=kit.world.a.firm, worker=kit.world.a.worker,
        served_on=today() - datetime.timedelta(days=1), service_kind="cleaning", customer_phone="13700000003")


def _review_link(kit: Kit) -> Call:
    order = _order(kit)
    return Call(None, f"/api/v1/public/reviews/{order.link_token}/", {"rating": 4, "comment": "准时"},
                locate=lambda response: ServiceReview.objects.get(order=order))


def _review_action(action: str, body: dict, *, by_firm: bool = False):
    def recipe(kit: Kit) -> Call:
        review = review_services.review_submit(token=_order(kit).link_token, rating=3, comment="一般")
        return Call(kit.world.a.account if by_firm else kit.regulator, f"/api/v1/reviews/{review.pk}/{action}/", body)
    return recipe


def _source_body(kit: Kit) -> dict:
    n = kit.n()  # name and authority are each unique
    return {"name": f"法院失信被执行人{n}", "source_authority": f"第{n}中级人民法院", "kind": "drop_dir",
            "location": "court", "format": "csv", "column_mapping": {
                "credit_code": "统一社会信用代码", "name": "被执行人名称", "reason": "失信情形", "decided_on": "发布日期",
                "source_reference": "案号"},
            "defaults": {"list_type": "black", "legal_basis": "测试依据"}, "mode": "delta", "interval_minutes": 60}


def _source_run(kit: Kit) -> Call:
    source = import_source_services.import_source_create(actor=kit.regulator, **_source_body(kit))
    return Call(kit.regulator, f"/api/v1/import-sources/{source.pk}/run/", {},
                locate=lambda response: ImportRun.objects.get(pk=response.json()["run"]["id"]))


LATER_RECIPES: dict[tuple[str, str], Callable[[Kit], Call]] = {
    ("POST", "award-round-list"): lambda kit: Call(kit.regulator, "/api/v1/award-rounds/", {
        "kind": "honest_enterprise", "name": f"诚信企业评选{kit.n()}", "region_code": "140800",
        "opens_on": str(today()), "closes_on": str(today() + datetime.timedelta(days=30))}),
    ("POST", "award-round-applications"): lambda kit: Call(
        kit.regulator, f"/api/v1/award-rounds/{kit.world.shared[AwardRound].pk}/applications/",
        {"entity": kit.new_entity().pk, "statement": "推荐"}),
    ("POST", "award-application-approve"): _award_step("approve", "under_review", {"reason": "符合条件"}),
    ("POST", "award-application-refuse"): _award_step("refuse", "under_review", {"reason": "材料不全"}),
    ("POST", "award-application-grant"): _award_step("grant", "in_notice"),
    ("POST", "award-application-revoke"): _award_step("revoke", "granted", {"reason": "条件不再符合"}),
    ("POST", "award-application-uphold"): _award_step("uphold", "objected", {"answer": "异议属实"}),
    ("POST", "award-application-dismiss"): _award_step("dismiss", "objected", {"answer": "异议不属实"}),
    ("POST", "public-award-objection"): lambda kit: Call(
        None, f"/api/v1/public/awards/{_award_application(kit, 'in_notice_now').pk}/objections/",
        {"reason": "该企业曾强迫购物"}),
    ("POST", "campaign-list"): lambda kit: Call(kit.regulator, "/api/v1/campaigns/", _campaign_body(kit)),
    ("PATCH", "campaign-detail"): lambda kit: Call(kit.regulator, f"/api/v1/campaigns/{_campaign(kit).pk}/",
                                                   {"description": "补充说明"}),
    ("POST", "inspection-campaign"): _inspection_campaign,
    ("POST", "complaint-satisfaction"): _satisfaction,
    ("POST", "retraining-campaign-list"): lambda kit: Call(kit.regulator, "/api/v1/retraining-campaigns/", {
        "name": f"回炉培训{kit.n()}", "sector": "household_service", "region_code": "1408", "starts_on": str(today()),
        "ends_on": str(today() + datetime.timedelta(days=60)), "phases": [{
            "name": "第一批", "starts_on": str(today()), "deadline": str(today() + datetime.timedelta(days=30)),
            "firms": [kit.world.a.firm.pk]}]}),
    ("POST", "service-order-list"): lambda kit: Call(kit.world.a.account, "/api/v1/service-orders/", {
        "entity": kit.world.a.firm.pk, "worker": kit.world.a.worker.pk, "served_on": str(today()),
        "service_kind": "cleaning", "customer_phone": "13700000004"}),
    ("POST", "public-review-link"): _review_link,
    ("POST", "service-review-approve"): _review_action("approve", {"target": "review"}),
    ("POST", "service-review-reject"): _review_action("reject", {"target": "review", "reason": "含不实内容"}),
    ("POST", "service-review-reply"): _review_action("reply", {"text": "感谢您的评价"}, by_firm=True),
    ("POST", "import-source-list"): lambda kit: Call(kit.regulator, "/api/v1/import-sources/", _source_body(kit)),
    ("POST", "import-source-run"): _source_run,
}


RECIPES: dict[tuple[str, str], Callable[[Kit], Call]] = {
    **LATER_RECIPES,
    ("POST", "user-list"): lambda kit: Call(kit.regulator, "/api/v1/users/", {
        "username": f"ma_new_{kit.n()}", "password": "correct-horse-9", "role": "business",
        "entities": [kit.entity.pk]}),
    ("PUT", "user-detail"): _user_update(partial=False),
    ("PATCH", "user-detail"): _user_update(partial=True),
    ("POST", "calendar-day-list"): lambda kit: Call(kit.regulator, "/api/v1/calendar/", {
        "date": str(datetime.date(2036, 1, 1) + datetime.timedelta(days=kit.n())), "kind": "holiday", "name": "假"}),
    ("PUT", "calendar-day-detail"): _calendar_update(partial=False),
    ("PATCH", "calendar-day-detail"): _calendar_update(partial=True),
    ("POST", "complaint-list"): lambda kit: Call(None, "/api/v1/complaints/", {
        "entity": kit.entity.pk, "category": "price", "description": "价格欺诈", "channel": "web",
        "incident_date": str(today() - datetime.timedelta(days=2)), "complainant_name": "王五",
        "complainant_phone": "13700000000"}),
    ("POST", "complaint-accept"): _complaint_action("accept", "submitted"),
    ("POST", "complaint-reject"): _complaint_action("reject", "submitted", {"reason": "不属于受理范围"}),
    ("POST", "complaint-start-investigation"): _complaint_action("start_investigation", "accepted"),
    ("POST", "complaint-resolve"): _complaint_action("resolve", "investigating",
                                                     {"reason": "查实", "outcome": "substantiated"}),
    ("POST", "complaint-close"): _complaint_action("close", "resolved"),
    ("POST", "complaint-withdraw"): _complaint_action("withdraw", "submitted", {"reason": "投诉人撤回"}),
    ("POST", "complaint-transfer"): _complaint_action("transfer", "submitted", {
        "department": "运城市市场监督管理局", "department_contact": "0359-12315", "reason": "不属于文旅部门职责"}),
    ("POST", "complaint-business-notice"): _complaint_action("business_notice", "accepted", {
        "delivery_method": "direct", "delivered_on": str(today()), "note": "当场送达"}),
    ("POST", "complaint-mediation"): _complaint_action("mediation", "investigating", {
        "result": "agreement", "terms": "退还购物款 500 元", "complainant_signed_on": str(today()),
        "respondent_signed_on": str(today())}),
    ("POST", "complaint-link"): lambda kit: Call(
        kit.regulator, f"/api/v1/complaints/{kit.unlinked_complaint().pk}/link/", {
            "entity": kit.new_entity().pk, "reason": "经核查即该登记主体"}),
    ("POST", "complaint-override-late-filing"): _complaint_action("override_late_filing", "submitted",
                                                                  {"reason": "因疫情延误"}, late=True),
    ("POST", "complaint-respond"): lambda kit: Call(
        kit.world.a.account, f"/api/v1/complaints/{kit.complaint('accepted').pk}/respond/", {"statement": "已退款"}),
    ("POST", "complaint-track-withdraw"): _track_withdraw,
    ("POST", "entity-list"): lambda kit: Call(kit.regulator, "/api/v1/entities/", _entity_body(kit)),
    ("PUT", "entity-detail"): _entity_update(partial=False),
    ("PATCH", "entity-detail"): _entity_update(partial=True),
    ("POST", "finding-rectify"): lambda kit: Call(
        kit.world.inspector_in, f"/api/v1/findings/{kit.finding().pk}/rectify/", {"rectified_on": str(today())}),
    ("POST", "inspection-plan-publish"): _plan_publish,
    ("POST", "inspection-plan-draw"): lambda kit: Call(
        kit.regulator, "/api/v1/inspection-plans/draw/", {"month": str(_plan_month(kit)), "region_prefix": "1408"}),
    ("POST", "inspection-list"): lambda kit: Call(kit.world.inspector_in, "/api/v1/inspections/", {
        "entity": kit.entity.pk, "inspected_on": str(today() - datetime.timedelta(days=1)), "kind": "random",
        "summary": "例行检查", "findings": [{"violation_code": kit.violation().code, "description": "未公示",
                                         "penalty": "none"}]}),
    ("POST", "licence-list"): lambda kit: Call(kit.regulator, "/api/v1/licences/", {
        "entity": kit.entity.pk, "licence_type": "tour_guide", "number": f"MA-L-{kit.n()}",
        "issued_on": "2022-01-01"}),
    ("PUT", "licence-detail"): _licence_update(partial=False),
    ("PATCH", "licence-detail"): _licence_update(partial=True),
    ("POST", "listing-list"): lambda kit: Call(kit.regulator, "/api/v1/listings/", {
        "list_type": "watch", "subject_type": "entity", "entity": kit.new_entity().pk, "reason": "多次被投诉"}),
    ("POST", "listing-notify"): _listing_action("notify", "proposed"),
    ("POST", "listing-revise"): _listing_revise,
    ("POST", "listing-notice-delivery"): _listing_action("notice-delivery", "notice_unserved", _DELIVERY),
    ("POST", "listing-decide"): _listing_action("decide", "notified", DECISION),
    ("POST", "listing-decision-delivery"): _listing_action("decision-delivery", "decided", _DELIVERY),
    ("POST", "document-delivery"): lambda kit: Call(
        kit.regulator, f"/api/v1/documents/{kit.unserved_document().pk}/delivery/", _DELIVERY),
    ("POST", "listing-publish"): _listing_action("publish", "decided"),
    ("POST", "listing-remove"): _listing_action("remove", "published", {"reason": "依据被撤销"}),
    ("POST", "listing-withdraw"): _listing_action("withdraw", "proposed", {"reason": "证据不足"}),
    ("POST", "listing-objections"): lambda kit: Call(
        kit.world.a.account, f"/api/v1/listings/{kit.listing('notified_now').pk}/objections/", {"statement": "事实不清"}),
    ("POST", "listing-import-listings"): _import,
    ("POST", "objection-answer"): lambda kit: Call(
        kit.regulator, f"/api/v1/objections/{kit.objection().pk}/answer/", {"answer": "申辩不成立", "upheld": False}),
    ("POST", "person-list"): lambda kit: Call(kit.regulator, "/api/v1/persons/", {
        "name": "新登记人", "id_number": codes.id_number(
            "140802", datetime.date(1985, 1, 1) + datetime.timedelta(days=kit.n()), _rng)}),
    ("PUT", "person-detail"): _person_update,
    ("PATCH", "person-detail"): _person_update,
    ("POST", "repair-application-list"): lambda kit: Call(kit.world.a.account, "/api/v1/repair-applications/", {
        "listing": kit.listing("published", "watch").pk, "statement": "已整改", "evidence": ["整改报告"],
        "commitment": True, "training_record": "培训结业"}),
    ("POST", "repair-application-decide"): lambda kit: Call(
        kit.regulator, f"/api/v1/repair-applications/{kit.repair().pk}/decide/", {"grant": False, "reason": "材料不足"}),
    ("POST", "role-list"): lambda kit: Call(kit.regulator, "/api/v1/roles/", {
        "entity": kit.entity.pk, "person": kit.person().pk, "role": "principal", "started_on": "2021-01-01"}),
    ("PUT", "role-detail"): _role_update(partial=False),
    ("PATCH", "role-detail"): _role_update(partial=True),
    ("POST", "rule-set-list"): lambda kit: Call(kit.regulator, "/api/v1/rule-sets/", {
        "version": 900 + kit.n(), "name": "测试规则集",
        "effective_from": str(datetime.date(2035, 1, 1) + datetime.timedelta(days=kit.counter)),
        "document": DEFAULT_DOCUMENT}),
    ("POST", "scoring-model-list"): lambda kit: Call(kit.regulator, "/api/v1/scoring-models/", {
        "version": 700 + kit.n(), "name": "测试模型", "effective_from": "2035-01-01",
        "rules": ScoringModel.objects.get(is_active=True).rules}),
    ("PUT", "scoring-model-detail"): _scoring_model_update(partial=False),
    ("PATCH", "scoring-model-detail"): _scoring_model_update(partial=True),
    ("POST", "scoring-model-activate"): lambda kit: Call(
        kit.regulator, f"/api/v1/scoring-models/{kit.scoring_model(today()).pk}/activate/", {}),
    ("POST", "statement-list"): lambda kit: Call(kit.world.a.account, "/api/v1/statements/", {
        "listing": kit.world.a.published_listing.pk, "text": f"我司已整改（{kit.n()}）"}),
    ("POST", "statement-review"): _statement_review,
    ("POST", "violation-type-list"): lambda kit: Call(kit.regulator, "/api/v1/violation-types/", _violation_body(kit)),
    ("PUT", "violation-type-detail"): _violation_update(partial=False),
    ("PATCH", "violation-type-detail"): _violation_update(partial=True),
    # 家政服务员信用档案 (entities/api/workers.py): written by the firm's own account
    ("POST", "worker-list"): _worker_register,
    ("POST", "worker-upload"): _worker_upload,
    ("PATCH", "worker-employment-detail"): lambda kit: Call(
        kit.world.a.account, f"/api/v1/workers/employments/{kit.employment().pk}/", {"position": "育婴员"}),
    ("POST", "worker-identity-list"): _entry("identity-verifications", lambda kit: {
        "verified_on": str(today()), "method": "online"}),
    ("POST", "worker-health-check-list"): _entry("health-checks", lambda kit: {
        "checked_on": str(today()), "expires_on": str(today() + datetime.timedelta(days=365)),
        "institution": "运城市中心医院"}),
    ("PATCH", "worker-health-check-detail"): _entry("health-checks", lambda kit: {"certificate_number": "JK-2"},
                                                    HealthCheck),
    ("POST", "worker-training-list"): _entry("trainings", lambda kit: {
        "kind": "retraining", "provider": "运城市家政培训学校", "hours": 16, "completed_on": str(today())}),
    ("PATCH", "worker-training-detail"): _entry("trainings", lambda kit: {"hours": 24}, TrainingRecord),
    ("POST", "worker-skill-certificate-list"): _entry("skill-certificates", lambda kit: {
        "name": "育婴员", "number": f"YY-{kit.n()}", "issuer": "运城市人社局", "issued_on": str(today())}),
    ("PATCH", "worker-skill-certificate-detail"): _entry("skill-certificates", lambda kit: {"level": "三级"},
                                                         SkillCertificate),
    ("POST", "worker-card-list"): lambda kit: Call(kit.world.a.account, "/api/v1/workers/cards/", {
        "employment": kit.employment().pk}),
    ("POST", "worker-card-revoke"): _card_revoke,
    # naming the worker of a complaint or a finding (complaints/api/worker_links.py): handling staff
    ("POST", "complaint-worker"): _complaint_worker,
    ("POST", "finding-worker"): _finding_worker,
    # 整改材料 (complaints/api/rectification.py): the business submits, staff in scope review
    ("POST", "finding-evidence"): lambda kit: Call(
        kit.world.a.account, f"/api/v1/findings/{kit.finding().pk}/evidence/", {"note": "已重新公示许可证"}),
    ("POST", "rectification-evidence-accept"): lambda kit: Call(
        kit.world.inspector_in, f"/api/v1/rectification-evidence/{kit.evidence().pk}/accept/",
        {"rectified_on": str(today())}),
    ("POST", "rectification-evidence-return"): lambda kit: Call(
        kit.world.inspector_in, f"/api/v1/rectification-evidence/{kit.evidence().pk}/return/",
        {"reason": "照片不清晰"}),
}


# ----------------------------------------------------------------------------------- hostile values


def _hostile(model_field: models.Field, control: Any, foreign: dict[type[models.Model], models.Model]) -> Any:
    """A value for ``model_field`` that differs from what the control request stored (None: no such value).

    A reference points at the other business's object where there is one (the attack that matters), else
    at the oldest other row, never at the rows the recipe has just made for the request itself.
    """
    if isinstance(model_field, UNCOMPARABLE):
        return None
    if model_field.is_relation:
        target = foreign.get(model_field.related_model)
        if target is not None and target.pk != control:
            return target.pk
        other = model_field.related_model.objects.exclude(pk=control).order_by("pk").first()
        return other.pk if other is not None else None
    if model_field.choices:
        return next((value for value, _label in model_field.flatchoices if value != control and value != ""), None)
    if isinstance(model_field, models.BooleanField):
        return not control if control is not None else True
    if isinstance(model_field, models.DateTimeField):
        return "2001-02-03T04:05:06+08:00"
    if isinstance(model_field, models.DateField):
        return "2001-02-03"
    if isinstance(model_field, models.DecimalField):
        return "777.77"
    if isinstance(model_field, (models.IntegerField, models.AutoField)):
        return (control or 0) + 987_654
    if isinstance(model_field, models.JSONField):
        return {"hostile": True} if control != {"hostile": True} else ["hostile"]
    if isinstance(model_field, (models.CharField, models.TextField)):
        if isinstance(control, str) and re.fullmatch(r"[0-9a-f]{64}", control):
            return "0" * 64 if control != "0" * 64 else "1" * 64
        return "HOSTILE"[: model_field.max_length or 7]
    raise AssertionError(f"no hostile value for {model_field!r}: add one or list the type in UNCOMPARABLE")


def _stored(instance: models.Model, model_field: models.Field) -> Any:
    return getattr(instance, model_field.attname)


def _equal(model_field: models.Field, stored: Any, hostile: Any) -> bool:
    if model_field.is_relation:
        return stored == hostile
    try:
        value = model_field.to_python(hostile)
    except Exception:  # noqa: BLE001 - a value the field cannot even parse was certainly not stored
        return False
    if isinstance(value, decimal.Decimal) and stored is not None:
        return decimal.Decimal(stored) == value
    return stored == value


# ----------------------------------------------------------------------------------- the run


@dataclass
class Outcome:
    attacked: dict[str, Any] = field(default_factory=dict)  # field -> hostile value sent
    taken: list[str] = field(default_factory=list)  # fields whose stored value is the hostile one
    problems: list[str] = field(default_factory=list)  # the recipe itself failed


def _locate(call: Call, operation: Operation, response) -> models.Model:
    if call.locate is not None:
        return call.locate(response)
    return operation.model.objects.get(pk=response.json()["id"])


def _attack(kit: Kit, operation: Operation) -> Outcome:
    outcome = Outcome()
    recipe = RECIPES[operation.key]
    control_call = recipe(kit)
    response = send(api_client(control_call.actor, token=True), operation.method, control_call.url, control_call.body,
                    format=control_call.format)
    if not 200 <= response.status_code < 300:
        outcome.problems.append(f"control {control_call.url} -> {response.status_code} {response.content[:300]!r}")
        return outcome
    control = _locate(control_call, operation, response)

    attack_call = recipe(kit)
    extras: dict[str, Any] = {}
    targets: dict[str, tuple[models.Field, Any]] = {}
    for model_field in operation.model._meta.concrete_fields:
        if {model_field.name, model_field.attname} & (operation.writable | set(attack_call.body)):
            continue
        hostile = _hostile(model_field, _stored(control, model_field), kit.world.b.objects())
        if hostile is None:
            continue
        targets[model_field.name] = (model_field, hostile)
        extras[model_field.name] = hostile
        if model_field.attname != model_field.name:
            extras[model_field.attname] = hostile
    body = {key: value if hasattr(value, "read") else copy.deepcopy(value) for key, value in attack_call.body.items()}
    if attack_call.inject is not None:
        attack_call.inject(body, extras)
    else:
        body.update(extras)
    outcome.attacked = {name: hostile for name, (_f, hostile) in targets.items()}
    response = send(api_client(attack_call.actor, token=True), operation.method, attack_call.url, body,
                    format=attack_call.format)
    if not 200 <= response.status_code < 300:
        # Refusing the whole request is safe, but then the recipe proves nothing: say so.
        outcome.problems.append(f"hostile request {attack_call.url} -> {response.status_code} {response.content[:300]!r}")
        return outcome
    stored = _locate(attack_call, operation, response)
    stored.refresh_from_db()
    outcome.taken = [name for name, (model_field, hostile) in targets.items()
                     if _equal(model_field, _stored(stored, model_field), hostile)]
    return outcome


def _person_update_with_another_id_number(kit: Kit) -> list[str]:
    """The ID number identifies the person: an update that sends a new one leaves hash and mask alone."""
    problems = []
    person = kit.person()
    other = codes.id_number("140802", datetime.date(1970, 7, 7), _rng)
    for method in ("PUT", "PATCH"):
        response = send(api_client(kit.regulator, token=True), method, f"/api/v1/persons/{person.pk}/",
                        {"name": "改名", "id_number": other})
        fresh = Person.objects.get(pk=person.pk)
        if response.status_code >= 300 and response.status_code != 400:
            problems.append(f"{method} -> {response.status_code}")
        if (fresh.id_hash, fresh.id_number_masked) != (person.id_hash, person.id_number_masked):
            problems.append(f"{method} replaced the ID number of person {person.pk}")
    return problems


def _entry_update_keeps_its_worker_and_firm(kit: Kit) -> list[str]:
    """A file entry stays the person's and the recording firm's: a correction naming another worker (B's, or A's
    other one) or another firm is either refused or leaves both alone (the serializer makes them read-only once
    bound to a record, which the discovery above cannot see)."""
    problems = []
    other = kit.employment().person
    for path, model in (("health-checks", HealthCheck), ("trainings", TrainingRecord),
                        ("skill-certificates", SkillCertificate)):
        person = kit.employment().person
        entry = kit.entry(model, person)
        for hostile_person, hostile_firm in ((kit.world.b.worker.pk, kit.world.b.firm.pk),
                                             (other.pk, kit.world.a.entity.pk)):
            response = send(api_client(kit.world.a.account, token=True), "PATCH", f"/api/v1/workers/{path}/{entry.pk}/",
                            {"person": hostile_person, "entity": hostile_firm, "recorded_by_entity": hostile_firm})
            fresh = model.objects.get(pk=entry.pk)
            if response.status_code >= 300 and response.status_code != 400:
                problems.append(f"PATCH {path} -> {response.status_code}")
            if (fresh.person_id, fresh.recorded_by_entity_id) != (person.pk, kit.world.a.firm.pk):
                problems.append(f"PATCH {path} moved entry {entry.pk} to person {fresh.person_id}, "
                                f"firm {fresh.recorded_by_entity_id}")
    return problems


@dataclass
class Run:
    outcomes: dict[tuple[str, str], Outcome]
    person_update: list[str]
    entry_update: list[str]


@pytest.fixture(scope="module")
def run(django_db_setup, django_db_blocker, tmp_path_factory) -> Run:
    with rolled_back(django_db_blocker, tmp_path_factory.mktemp("mass")):
        kit = Kit(build_world())
        outcomes = {op.key: _attack(kit, op) for op in OPERATIONS if op.key in RECIPES}
        return Run(outcomes=outcomes, person_update=_person_update_with_another_id_number(kit),
                   entry_update=_entry_update_keeps_its_worker_and_firm(kit))


@pytest.fixture(scope="module")
def outcomes(run) -> dict[tuple[str, str], Outcome]:
    return run.outcomes


def test_every_viewset_of_the_routers_that_writes_is_discovered():
    from rest_framework import mixins

    from config.api_router import router

    writers = {viewset for _prefix, viewset, _basename in router.registry
               if issubclass(viewset, (mixins.CreateModelMixin, mixins.UpdateModelMixin))}
    discovered = {op.route.view_class for op in OPERATIONS}
    assert len(writers) >= 14
    assert writers <= discovered, sorted(viewset.__name__ for viewset in writers - discovered)


def test_every_write_operation_has_a_recipe():
    discovered = {op.key for op in OPERATIONS}
    assert {("POST", "user-list"), ("PATCH", "user-detail"), ("POST", "complaint-list"),
            ("POST", "statement-list")} <= discovered
    assert discovered - set(RECIPES) - set(NOT_STORED) == set(), "write operations without a recipe"
    assert set(RECIPES) | set(NOT_STORED) <= discovered, "recipes for operations that no longer exist"
    assert all(op.model is not None for op in OPERATIONS if op.key in RECIPES)


@pytest.mark.parametrize("operation", [op for op in OPERATIONS if op.key in RECIPES], ids=str)
def test_fields_the_serializer_does_not_offer_are_not_taken_from_the_body(outcomes, operation):
    outcome = outcomes[operation.key]
    assert outcome.problems == []
    assert outcome.attacked, "nothing to attack: every field is writable?"
    assert outcome.taken == [], f"stored from the body: { {name: outcome.attacked[name] for name in outcome.taken} }"


def test_the_attack_covers_the_fields_that_matter(outcomes):
    """The fields the issue names are among those attacked somewhere (and therefore not taken)."""
    attacked = {name for outcome in outcomes.values() for name in outcome.attacked}
    named = {"status", "score", "grade", "created_by", "inspector", "tracking_code", "id_hash", "id_number_masked",
             "overdue", "published_on", "decided_on", "rule_set", "is_superuser", "is_staff", "entity"}
    missing = named - attacked
    # score and grade live on CreditScore, which no endpoint writes: nothing to attack.
    total = sum(len(outcome.attacked) for outcome in outcomes.values())
    print(f"[figure] mass assignment: {len(outcomes)} operations, {total} hostile fields, "
          f"{sum(len(o.taken) for o in outcomes.values())} taken")
    assert missing <= {"score", "grade"}, missing


def test_no_request_serializer_offers_a_field_only_a_service_sets():
    offered = {(op.key, name): str(op) for op in OPERATIONS for name in op.writable & SERVICE_ONLY}
    unexpected = sorted(f"{label}: {name}" for (key, name), label in offered.items()
                        if (key, name) not in SERVICE_ONLY_EXCEPTIONS)
    assert unexpected == []
    stale = set(SERVICE_ONLY_EXCEPTIONS) - set(offered)
    assert stale == set(), "exceptions for fields no serializer offers any more"


def test_an_update_never_replaces_a_persons_id_number(run):
    assert run.person_update == []


def test_a_correction_never_moves_a_workers_file_entry(run):
    assert run.entry_update == []
