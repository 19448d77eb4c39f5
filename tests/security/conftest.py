"""Shared setup of the generated security tests: the two-business world, route discovery, token clients.

The world is built once per module inside a transaction that is rolled back
afterwards (``rolled_back``), so a module can send a few thousand requests
against one world and keep only what it recorded.
"""

from __future__ import annotations

import contextlib
import datetime
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import campaign_services, planning, rectification_services
from complaints import services as complaint_services
from complaints.attachments import ComplaintAttachment
from complaints.campaigns import Campaign
from complaints.models import Complaint, Finding, Inspection, InspectionPlan, ViolationType
from complaints.rectification import RectificationEvidence, RectificationEvidenceFile
from core import clients as department_clients
from core import jobs
from core.models import (
    AuditEntry,
    CalendarDay,
    ClientScope,
    DepartmentClient,
    Job,
    ServedDocument,
    User,
    UserRole,
)
from entities import codes, retraining_services, review_services, worker_services
from entities import services as entity_services
from entities.models import Category, Entity, Licence, Person, PersonRole, Sector
from entities.retraining import RetrainingCampaign
from entities.reviews import ServiceOrder, ServiceReview
from entities.workers import (
    Employment,
    HealthCheck,
    IdentityVerification,
    ServiceCard,
    SkillCertificate,
    TrainingRecord,
)
from ratings.models import CreditScore, ScoringModel
from ratings.services import entity_rescore
from regulator.disclosure import feed_services, publicity_services
from regulator.disclosure.feeds import FeedKind, FeedSubscription
from regulator.disclosure.models import PublicStatement
from regulator.disclosure.publicity_records import PublicityKind, PublicityRecord
from regulator.lists import award_services, import_source_services
from regulator.lists import services as listings
from regulator.lists.awards import AwardApplication, AwardObjection, AwardRound
from regulator.lists.import_sources import ImportRun, ImportSource
from regulator.lists.models import (
    Listing,
    Objection,
    RepairApplication,
    RuleSet,
)
from tests.entities.worker_fixtures import ready_worker
from tests.support import complaint_in, listing_in, today
from tests.support.factories import UserFactory
from tests.support.upload_files import attachment_for, png_bytes, upload

API_PREFIX = "api/v1/"
PROJECT_APPS = ("core", "entities", "complaints", "ratings", "regulator")
# URL kwargs that are not object ids: each names a lookup that is public by design.
NON_ID_KWARGS = {
    "tracking_code": "the complainant's bearer secret: anyone holding it may follow the complaint (API.md)",
    "credit_code": "统一社会信用代码 are public registry data; the public page shows published facts only",
    "name": "open-data file name (blacklist.csv, ...)",
    "metric": "a statistic's code (public metrics for everyone, the others for staff; aggregates, no records)",
    "card_code": "居家上门服务证 code: the family's bearer secret at the door (API.md: public worker cards, masked name "
                 "and flags only); unguessable (about 59 bits), a malformed code answers like a missing one",
    "list_type": "black | watch | red (a fixed choice in the URL): the shared lists, regulators and department "
                 "clients with lists:read only",
    "token": "the customer's one-time review link (家政服务评价): a bearer secret of about 192 bits sent to the "
             "customer only, stored as a keyed hash; an unknown token answers like a missing one (404)",
}
# Values of the non-id kwargs that name something (the generated tests send them to the routes that take them).
NON_ID_VALUES = {"list_type": ("black", "watch", "red")}
# Detail routes whose id is not the model's usual object in the world: the attribute of ``Side`` they take.
ROUTE_TARGETS = {"worker-detail": "worker"}
_rng = random.Random(14080214)


# --------------------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Route:
    """One URL pattern of the API, as the resolver knows it."""

    pattern: str
    name: str
    kwargs: tuple[str, ...]
    callback: Any = field(compare=False, repr=False)

    @property
    def view_class(self):
        return self.callback.cls

    @property
    def actions(self) -> dict[str, str]:
        """method -> viewset action (empty for a plain APIView)."""
        return dict(getattr(self.callback, "actions", None) or {})

    @property
    def methods(self) -> set[str]:
        """The HTTP methods the route answers (as drf-spectacular enumerates them)."""
        if self.actions:  # as DRF's and drf-spectacular's enumerators do: the router's map within http_method_names
            allowed = set(getattr(self.view_class, "http_method_names", ()))
            return {method.upper() for method in self.actions if method in allowed}
        view = self.view_class()
        return {method for method in view.allowed_methods if method not in {"OPTIONS", "HEAD"}}

    @property
    def id_kwargs(self) -> tuple[str, ...]:
        return tuple(kw for kw in self.kwargs if kw == "pk" or kw.endswith("_id"))

    @property
    def is_public(self) -> bool:
        """Open to the anonymous public by design (API.md: Public; the complaint tracking view)."""
        return self.pattern.startswith((f"{API_PREFIX}public/", f"{API_PREFIX}complaints/track/"))

    def url(self, **kwargs: Any) -> str:
        return reverse(self.name, kwargs=kwargs)


def _walk(resolver: URLResolver, prefix: str = "", kwargs: tuple[str, ...] = ()) -> Iterator[Route]:
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        names = kwargs + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, text, names)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield Route(pattern=text, name=pattern.name, kwargs=names, callback=pattern.callback)


def api_routes() -> list[Route]:
    """Every named route under /api/v1/ (format-suffix twins left out: they reach the same views)."""
    routes = [route for route in _walk(get_resolver()) if route.pattern.startswith(API_PREFIX)
              and "format" not in route.kwargs and hasattr(route.callback, "cls")]
    return sorted(set(routes), key=lambda route: (route.pattern, route.name))


def model_named(name: str) -> type[models.Model]:
    """The project model whose lower-case name is ``name`` (``entity`` -> Entity)."""
    found = [model for label in PROJECT_APPS for model in apps.get_app_config(label).get_models()
             if model._meta.model_name == name.replace("_", "")]
    assert len(found) == 1, f"no single project model named {name!r}: {found}"
    return found[0]


def route_model(route: Route) -> type[models.Model]:
    """The model whose id the route takes: ``<x>_id`` names it, ``pk`` is the viewset's own model."""
    (kwarg,) = route.id_kwargs
    if kwarg != "pk":
        return model_named(kwarg.removesuffix("_id"))
    view = route.view_class
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    return view.serializer_class.Meta.model


_generator = None


def request_serializers(route: Route, method: str) -> list:
    """The serializers drf-spectacular documents for the body of ``method`` on ``route`` (what the view reads):
    ``extend_schema(request=...)`` names one, or a dict of one per media type (``{"multipart/form-data": S}``);
    each a class or an instance, all returned as instances (an empty list: no body)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.settings import spectacular_settings
    from rest_framework import serializers

    global _generator
    _generator = _generator or SchemaGenerator()  # kept alive: the view's schema refers to it weakly
    view = _generator.create_view(route.callback, method)
    view.request = spectacular_settings.GET_MOCK_REQUEST(method, route.pattern, view, None)
    view.schema.method = method
    documented = view.schema.get_request_serializer()
    found = list(documented.values()) if isinstance(documented, dict) else [documented]
    bodies = [item() if isinstance(item, type) else item for item in found if item is not None]
    assert all(isinstance(item, serializers.BaseSerializer) for item in bodies), f"not a serializer: {documented!r}"
    return bodies


def reference_model(item) -> type[models.Model] | None:
    """The model a serializer field references: its queryset's, or for a scoped field (``ScopedPrimaryKeyRelatedField``,
    whose choices depend on the caller) the model of its selector's answer."""
    item = getattr(item, "child_relation", item)
    queryset = getattr(item, "queryset", None)
    if queryset is None and callable(getattr(item, "scope", None)):
        from django.contrib.auth.models import AnonymousUser

        queryset = item.scope(AnonymousUser())
    return getattr(queryset, "model", None)


def list_route_for(route: Route, routes: list[Route]) -> Route | None:
    """The list route of the same viewset (``<basename>-list``), if it has one."""
    for other in routes:
        if other.view_class is route.view_class and other.name.endswith("-list") and not other.kwargs:
            return other
    return None


# --------------------------------------------------------------------------------------- requests


def send(client: APIClient, method: str, url: str, body: dict | None = None, *, format: str = "json"):
    """One request with the throttle counters reset (throttling has its own tests); ``format="multipart"`` for
    the routes that take files."""
    cache.clear()
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, body if body is not None else {}, format=format)


def text_of(response) -> str:
    """The body as text, a streamed file (an attachment's download) included."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@contextlib.contextmanager
def rolled_back(django_db_blocker, tmp_path) -> Iterator[None]:
    """Database access for a module-scoped fixture, everything undone at the end; exports and uploaded files
    (complaint attachments, rectification evidence) in ``tmp_path``."""
    with django_db_blocker.unblock(), override_settings(EXPORTS_DIR=tmp_path / "exports",
                                                       PRIVATE_MEDIA_ROOT=tmp_path / "private"), \
            transaction.atomic():
        yield
        transaction.set_rollback(True)


# --------------------------------------------------------------------------------------- the world


@dataclass
class Side:
    """Everything tied to one business: its entity, people, licence, complaint, inspection, lists..."""

    label: str
    entity: Entity
    account: User
    person: Person
    person_id_number: str
    role: PersonRole
    licence: Licence
    complaint: Complaint
    complainant_name: str
    complainant_phone: str
    inspection: Inspection
    finding: Finding
    listing: Listing  # black, notified, with an objection
    objection: Objection
    published_listing: Listing  # watch, published, with a repair application and a statement
    repair: RepairApplication
    statement: PublicStatement
    person_listing: Listing  # black, published, on the legal representative (public, masked)
    document: ServedDocument  # the 认定决定书 of ``published_listing``, issued, not yet served
    firm: Entity  # a household-service firm of the same business account (家政服务企业)
    worker: Person  # employed by ``firm``, with a complete credit file
    worker_id_number: str
    employment: Employment
    identity: IdentityVerification
    health_check: HealthCheck
    training: TrainingRecord
    skill_certificate: SkillCertificate
    card: ServiceCard  # 居家上门服务证 of ``employment``, valid
    attachment: ComplaintAttachment  # a photo of ``complaint``
    evidence: RectificationEvidence  # 整改材料 for ``finding``, awaiting review, with one file
    evidence_file: RectificationEvidenceFile
    client: DepartmentClient  # a department's system (部门客户端): A's holds every scope, B's licence-check only
    client_key: str  # its API key (the raw key, shown once when issued)
    # set by ``_side_more`` (the features added after the first world: each through its services)
    campaign: Campaign | None = None  # 专项行动 of the side's city, ended yesterday, ``inspection`` tagged to it
    retraining: RetrainingCampaign | None = None  # 回炉 campaign whose first batch is ``firm``
    award: AwardApplication | None = None  # 诚信评选: ``firm`` nominated, objected, cleared and granted
    award_objection: AwardObjection | None = None  # the (answered, not upheld) objection to ``award``
    order: ServiceOrder | None = None  # a service of ``worker`` for ``firm``, reviewed by the customer's link
    review: ServiceReview | None = None  # the review of ``order``, approved (public)
    review_token: str = ""  # the unused link of another order of ``firm`` (the customer's bearer secret)
    publicity: PublicityRecord | None = None  # 双公示 of ``licence`` (publicity_sweep)
    subscription: FeedSubscription | None = None  # A's client only (B's does not hold ``push``)

    def objects(self) -> dict[type[models.Model], models.Model]:
        return {
            Entity: self.entity, User: self.account, Person: self.person, PersonRole: self.role,
            Licence: self.licence, Complaint: self.complaint, Inspection: self.inspection, Finding: self.finding,
            Listing: self.listing, Objection: self.objection, RepairApplication: self.repair,
            PublicStatement: self.statement, ServedDocument: self.document,
            Employment: self.employment, IdentityVerification: self.identity, HealthCheck: self.health_check,
            TrainingRecord: self.training, SkillCertificate: self.skill_certificate, ServiceCard: self.card,
            ComplaintAttachment: self.attachment, RectificationEvidence: self.evidence,
            RectificationEvidenceFile: self.evidence_file,
            Campaign: self.campaign, RetrainingCampaign: self.retraining, AwardApplication: self.award,
            ServiceOrder: self.order, ServiceReview: self.review, PublicityRecord: self.publicity,
        }

    def more_objects(self) -> list[models.Model]:
        """Objects of a model ``objects`` already names for another role (the firm, the worker)."""
        return [self.firm, self.worker]

    def target(self, route: Route, model: type[models.Model]) -> models.Model:
        """The side's object that ``route`` takes (``ROUTE_TARGETS``, else the model's object)."""
        name = ROUTE_TARGETS.get(route.name)
        return getattr(self, name) if name else self.objects()[model]


@dataclass
class World:
    a: Side
    b: Side
    regulator: User
    inspector_in: User  # 运城市 (1408) tourism: sees A, not B
    inspector_out: User  # 太原市 (1401) tourism: sees B, not A
    shared: dict[type[models.Model], models.Model]  # objects no business owns

    @property
    def id_numbers(self) -> list[str]:
        return [self.a.person_id_number, self.b.person_id_number, self.a.worker_id_number, self.b.worker_id_number]

    @property
    def phones(self) -> list[str]:
        return [self.a.complainant_phone, self.b.complainant_phone]

    @property
    def complainant_names(self) -> list[str]:
        return [self.a.complainant_name, self.b.complainant_name]


def _side(label: str, *, region_code: str, entity_name: str, person_name: str, complainant_name: str,
          complainant_phone: str, birth: datetime.date, regulator: User, inspector: User, firm_name: str,
          worker_name: str, client_scopes: list[str]) -> Side:
    entity = Entity.objects.create(
        credit_code=codes.credit_code(region_code, _rng), name=entity_name, sector=Sector.TOURISM,
        category="travel_agency", region_code=region_code, address=f"{entity_name}营业场所")
    firm = Entity.objects.create(
        credit_code=codes.credit_code(region_code, _rng), name=firm_name, sector=Sector.HOUSEHOLD_SERVICE,
        category=Category.HOUSEHOLD_SERVICE_COMPANY, region_code=region_code, address=f"{firm_name}营业场所")
    account = UserFactory(username=f"gen_business_{label}", role=UserRole.BUSINESS, entities=[entity, firm])
    id_number = codes.id_number(region_code, birth, _rng)
    person = entity_services.person_create(name=person_name, id_number=id_number)
    role = PersonRole.objects.create(entity=entity, person=person, role="legal_representative",
                                     started_on=datetime.date(2020, 1, 1))
    licence = Licence.objects.create(entity=entity, licence_type="travel_agency_business",
                                     number=f"L-GEN-{label}", issued_on=datetime.date(2021, 1, 1))
    complaint = complaint_in(entity=entity, description=f"{entity_name}导游强迫购物", complainant_name=complainant_name,
                             complainant_phone=complainant_phone)
    inspection = complaint_services.inspection_create(
        actor=inspector, entity=entity, inspected_on=today() - datetime.timedelta(days=2), kind="targeted",
        summary="现场检查", findings=[{
            "violation_type": ViolationType.objects.filter(active=True, sector=Sector.TOURISM).order_by("id").first(),
            "description": "未按规定公示许可证", "penalty": "warning", "decision_number": f"运文旅罚〔2026〕{label}号",
            "rectify_by": today() + datetime.timedelta(days=30)}])
    finding = inspection.findings.get()

    notified = listing_in("notified", entity=entity, notified_on=today(), actor=regulator)
    objection = listings.objection_file(listing_id=notified.pk, actor=account, statement="事实不清，申请复核")

    # Proposed and noticed 40 days ago, decided and published 20 days ago: past the objection window.
    published = listing_in("published", entity=entity, list_type="watch", reason="一年内两次罚款", actor=regulator,
                           notified_on=today() - datetime.timedelta(days=40),
                           decided_on=today() - datetime.timedelta(days=20))
    repair = listings.repair_application_file(listing_id=published.pk, actor=account, statement="已整改完毕",
                                   evidence=["整改报告"], commitment=True, training_record="信用修复培训结业")
    statement = PublicStatement.objects.create(entity=entity, listing=published, text="我司已全面整改",
                                               submitted_by=account)
    person_listing = listing_in("published", person=person, related_entity=entity, person_role="legal_representative",
                                reason="作为法定代表人对甩团负责", actor=regulator,
                                notified_on=today() - datetime.timedelta(days=40),
                                decided_on=today() - datetime.timedelta(days=20))
    # The decision was issued through ``listing_decide`` and not served yet: a delivery posted by someone out of
    # scope would change it (the notices of ``listing_in`` are served the day they are issued).
    document = published.decision_document
    assert document is not None and not document.served
    entity_rescore(entity_id=entity.pk)

    # The household firm's worker, registered by the firm's own account, with a complete file and a card.
    worker_id_number = codes.id_number(region_code, birth + datetime.timedelta(days=4000), _rng)
    employment = ready_worker(account, firm, name=worker_name, number=worker_id_number)
    worker = employment.person
    skill_certificate = worker_services.skill_certificate_record(
        actor=account, person=worker, entity=firm, name="家政服务员", level="四级", number=f"JZ-GEN-{label}",
        issuer="运城市人力资源和社会保障局", issued_on=today() - datetime.timedelta(days=50))
    card = worker_services.card_issue(actor=account, employment=employment)

    attachment = attachment_for(complaint, name=f"{complainant_name}的收据.png")
    evidence = rectification_services.evidence_submit(
        finding_id=finding.pk, actor=account, note="已公示许可证",
        files=[upload(png_bytes(), f"{entity_name}整改照片.png", "image/png")])

    client = DepartmentClient.objects.create(
        name=f"gen_client_{label}", authority_credit_code="11120000MB1529459B", contact_name="联系人",
        scopes=client_scopes, rate="100000/min", ip_allowlist=["127.0.0.1/32"])
    client_key = department_clients.client_key_issue(client_id=client.pk, actor=regulator).key
    return Side(label=label, entity=entity, account=account, person=person, person_id_number=id_number, role=role,
                licence=licence, complaint=complaint, complainant_name=complainant_name,
                complainant_phone=complainant_phone, inspection=inspection, finding=finding,
                listing=notified, objection=objection, published_listing=published, repair=repair,
                statement=statement, person_listing=person_listing, document=document, firm=firm, worker=worker,
                worker_id_number=worker_id_number, employment=employment,
                identity=worker.identity_verifications.get(), health_check=worker.health_checks.get(),
                training=worker.trainings.get(), skill_certificate=skill_certificate, card=card,
                attachment=attachment, evidence=evidence, evidence_file=evidence.files.get(), client=client,
                client_key=client_key)


def _side_more(side: Side, *, regulator: User, inspector: User, award_round: AwardRound) -> None:
    """The objects of the later features for ``side``, each made through its services (its own city's 专项行动,
    a 回炉 campaign, an award, a reviewed service order, A's feed subscription)."""
    region_code, day = side.entity.region_code, today()
    side.campaign = campaign_services.campaign_create(
        actor=regulator, name=f"{side.entity.region_code[:4]}文明经商专项行动（{side.label}）", kind="civility",
        sectors=[Sector.TOURISM, Sector.HOUSEHOLD_SERVICE], region_prefix=region_code[:4],
        starts_on=day - datetime.timedelta(days=10), ends_on=day - datetime.timedelta(days=1),
        description="规范经营秩序")
    side.inspection = campaign_services.inspection_campaign_set(inspection_id=side.inspection.pk,
                                                                campaign=side.campaign, actor=inspector)
    side.retraining = retraining_services.campaign_create(
        actor=regulator, name=f"家政服务员回炉培训（{side.label}）", region_code=region_code[:4], starts_on=day,
        ends_on=day + datetime.timedelta(days=60),
        phases=[{"name": "第一批", "starts_on": day, "deadline": day + datetime.timedelta(days=30),
                 "firms": [side.firm]}])
    # 诚信评选: the firm graded A, nominated 20 days ago, objected to and cleared in its notice, granted today
    CreditScore.objects.update_or_create(entity=side.firm, defaults={
        "score": 900, "grade": "A", "model_version": 1, "as_of": day, "breakdown": [],
        "computed_at": timezone.now()})
    filed_on = day - datetime.timedelta(days=20)
    nominated = award_services.award_nominate(round_id=award_round.pk, entity_id=side.firm.pk, actor=regulator,
                                              today=filed_on)
    award_services.award_review(application_id=nominated.pk, actor=regulator, approve=True, today=filed_on)
    side.award_objection = award_services.award_object(
        application_id=nominated.pk, reason="听说该企业服务不规范", name=f"异议人{side.label}",
        contact="13800000000", today=filed_on)
    award_services.award_objection_answer(objection_id=side.award_objection.pk, actor=regulator, upheld=False,
                                          answer="经核查，异议不属实", today=filed_on)
    side.award = award_services.award_decide(application_id=nominated.pk, actor=regulator, today=day)
    # 家政服务评价: an order reviewed through its link (approved), and another order whose link is still unused
    side.order = review_services.service_order_create(
        actor=side.account, entity=side.firm, worker=side.worker, served_on=day - datetime.timedelta(days=1),
        service_kind="cleaning", customer_phone="13700000001", reference=f"ORDER-{side.label}-1")
    side.review = review_services.review_approve(actor=regulator, review=review_services.review_submit(
        token=side.order.link_token, rating=5, comment="服务认真细致"))
    side.review_token = review_services.service_order_create(
        actor=side.account, entity=side.firm, worker=side.worker, served_on=day - datetime.timedelta(days=2),
        service_kind="cleaning", customer_phone="13700000002", reference=f"ORDER-{side.label}-2").link_token
    if ClientScope.PUSH.value in side.client.scopes:
        side.subscription = feed_services.subscription_create(
            client_id=side.client.pk, url=f"https://push-{side.label}.example.gov.cn/hook",
            kinds=list(FeedKind.values), actor=regulator).subscription


def build_world() -> World:
    """Two businesses with one of everything each, staff of three scopes, and the shared catalogues.

    Each business account speaks for a travel agency and a household-service firm; the inspectors' scope is
    both sectors in their city, so each sees its side's worker files and not the other's."""
    regulator = UserFactory(username="gen_regulator", role=UserRole.REGULATOR)
    sectors = [Sector.TOURISM, Sector.HOUSEHOLD_SERVICE]
    inspector_in = UserFactory(username="gen_inspector_in", role=UserRole.INSPECTOR, region_codes=["1408"],
                               sectors=sectors)
    inspector_out = UserFactory(username="gen_inspector_out", role=UserRole.INSPECTOR, region_codes=["1401"],
                                sectors=sectors)
    a = _side("a", region_code="140802", entity_name="盐湖区甲辰旅行社有限公司", person_name="欧阳甲辰",
              complainant_name="投诉人司马秋月", complainant_phone="13912340001", birth=datetime.date(1981, 3, 4),
              regulator=regulator, inspector=inspector_in, firm_name="盐湖区甲辰家政服务有限公司",
              worker_name="慕容甲英", client_scopes=list(ClientScope.values))
    b = _side("b", region_code="140105", entity_name="小店区乙巳旅行社有限公司", person_name="诸葛乙巳",
              complainant_name="投诉人上官春花", complainant_phone="13912340002", birth=datetime.date(1979, 11, 23),
              regulator=regulator, inspector=inspector_out, firm_name="小店区乙巳家政服务有限公司",
              worker_name="皇甫乙兰", client_scopes=[ClientScope.LICENCE_CHECK.value])
    award_round = award_services.award_round_open(
        kind="honest_enterprise", name="全省诚信企业评选", region_code="140000",
        opens_on=today() - datetime.timedelta(days=30), closes_on=today() + datetime.timedelta(days=30),
        actor=regulator)
    for side, inspector in ((a, inspector_in), (b, inspector_out)):
        _side_more(side, regulator=regulator, inspector=inspector, award_round=award_round)
    # 双公示: the nightly sweep makes the records of the licences (and penalties) of both sides
    publicity_services.publicity_sweep()
    for side in (a, b):
        side.publicity = PublicityRecord.objects.get(kind=PublicityKind.LICENCE, licence=side.licence)
    import_source = import_source_services.import_source_create(
        actor=regulator, name="法院失信被执行人", source_authority="运城市中级人民法院", kind="drop_dir",
        location="court", format="csv", column_mapping={
            "credit_code": "统一社会信用代码", "name": "被执行人名称", "reason": "失信情形", "decided_on": "发布日期",
            "source_reference": "案号"},
        defaults={"list_type": "black", "legal_basis": "测试依据（来源机关的认定决定）"}, mode="delta",
        interval_minutes=60)
    plan = planning.plan_draw(month=today().replace(day=1) + datetime.timedelta(days=400), region_prefix="14")
    shared = {
        ViolationType: ViolationType.objects.order_by("id").first(),
        CalendarDay: CalendarDay.objects.order_by("id").first(),
        RuleSet: RuleSet.objects.order_by("id").first(),
        ScoringModel: ScoringModel.objects.order_by("id").first(),
        InspectionPlan: plan,  # drawn, not published
        AuditEntry: AuditEntry.objects.order_by("-id").first(),
        Job: jobs.job_submit(kind="listings_import", data=[], items=0, total=0, actor=regulator),
        AwardRound: award_round,  # open to applications: every business sees it (award_selectors.rounds_for)
        ImportSource: import_source,  # 定时导入 (regulators only)
        ImportRun: import_source_services.import_source_queue(source=import_source, actor=regulator),
    }
    return World(a=a, b=b, regulator=regulator, inspector_in=inspector_in, inspector_out=inspector_out,
                 shared=shared)
