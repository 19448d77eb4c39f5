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
from rest_framework.test import APIClient

from complaints import planning
from complaints import services as complaint_services
from complaints.models import Complaint, Finding, Inspection, InspectionPlan, ViolationType
from core import jobs
from core.models import (
    AuditEntry,
    CalendarDay,
    Job,
    ServedDocument,
    User,
    UserRole,
)
from entities import codes
from entities import services as entity_services
from entities.models import Entity, Licence, Person, PersonRole, Sector
from ratings.models import ScoringModel
from ratings.services import entity_rescore
from regulator.disclosure.models import PublicStatement
from regulator.lists import services as listings
from regulator.lists.models import (
    Listing,
    Objection,
    RepairApplication,
    RuleSet,
)
from tests.support import complaint_in, listing_in, today
from tests.support.factories import UserFactory

API_PREFIX = "api/v1/"
PROJECT_APPS = ("core", "entities", "complaints", "ratings", "regulator")
# URL kwargs that are not object ids: each names a lookup that is public by design.
NON_ID_KWARGS = {
    "tracking_code": "the complainant's bearer secret: anyone holding it may follow the complaint (API.md)",
    "credit_code": "统一社会信用代码 are public registry data; the public page shows published facts only",
    "name": "open-data file name (blacklist.csv, ...)",
    "metric": "a statistic's code (public metrics for everyone, the others for staff; aggregates, no records)",
}
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
        if self.actions:
            return {method.upper() for method in self.actions}
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


def list_route_for(route: Route, routes: list[Route]) -> Route | None:
    """The list route of the same viewset (``<basename>-list``), if it has one."""
    for other in routes:
        if other.view_class is route.view_class and other.name.endswith("-list") and not other.kwargs:
            return other
    return None


# --------------------------------------------------------------------------------------- requests


def send(client: APIClient, method: str, url: str, body: dict | None = None):
    """One request with the throttle counters reset (throttling has its own tests)."""
    cache.clear()
    if method == "GET":
        return client.get(url)
    return getattr(client, method.lower())(url, body if body is not None else {}, format="json")


@contextlib.contextmanager
def rolled_back(django_db_blocker, tmp_path) -> Iterator[None]:
    """Database access for a module-scoped fixture, everything undone at the end; exports in ``tmp_path``."""
    with django_db_blocker.unblock(), override_settings(EXPORTS_DIR=tmp_path / "exports"), transaction.atomic():
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

    def objects(self) -> dict[type[models.Model], models.Model]:
        return {
            Entity: self.entity, User: self.account, Person: self.person, PersonRole: self.role,
            Licence: self.licence, Complaint: self.complaint, Inspection: self.inspection, Finding: self.finding,
            Listing: self.listing, Objection: self.objection, RepairApplication: self.repair,
            PublicStatement: self.statement, ServedDocument: self.document,
        }


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
        return [self.a.person_id_number, self.b.person_id_number]

    @property
    def phones(self) -> list[str]:
        return [self.a.complainant_phone, self.b.complainant_phone]

    @property
    def complainant_names(self) -> list[str]:
        return [self.a.complainant_name, self.b.complainant_name]


def _side(label: str, *, region_code: str, entity_name: str, person_name: str, complainant_name: str,
          complainant_phone: str, birth: datetime.date, regulator: User, inspector: User) -> Side:
    entity = Entity.objects.create(
        credit_code=codes.credit_code(region_code, _rng), name=entity_name, sector=Sector.TOURISM,
        category="travel_agency", region_code=region_code, address=f"{entity_name}营业场所")
    account = UserFactory(username=f"gen_business_{label}", role=UserRole.BUSINESS, entities=[entity])
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
    return Side(label=label, entity=entity, account=account, person=person, person_id_number=id_number, role=role,
                licence=licence, complaint=complaint, complainant_name=complainant_name,
                complainant_phone=complainant_phone, inspection=inspection, finding=finding,
                listing=notified, objection=objection, published_listing=published, repair=repair,
                statement=statement, person_listing=person_listing, document=document)


def build_world() -> World:
    """Two businesses with one of everything each, staff of three scopes, and the shared catalogues."""
    regulator = UserFactory(username="gen_regulator", role=UserRole.REGULATOR)
    inspector_in = UserFactory(username="gen_inspector_in", role=UserRole.INSPECTOR, region_codes=["1408"],
                               sectors=[Sector.TOURISM])
    inspector_out = UserFactory(username="gen_inspector_out", role=UserRole.INSPECTOR, region_codes=["1401"],
                                sectors=[Sector.TOURISM])
    a = _side("a", region_code="140802", entity_name="盐湖区甲辰旅行社有限公司", person_name="欧阳甲辰",
              complainant_name="投诉人司马秋月", complainant_phone="13912340001", birth=datetime.date(1981, 3, 4),
              regulator=regulator, inspector=inspector_in)
    b = _side("b", region_code="140105", entity_name="小店区乙巳旅行社有限公司", person_name="诸葛乙巳",
              complainant_name="投诉人上官春花", complainant_phone="13912340002", birth=datetime.date(1979, 11, 23),
              regulator=regulator, inspector=inspector_out)
    plan = planning.plan_draw(month=today().replace(day=1) + datetime.timedelta(days=400), region_prefix="14")
    shared = {
        ViolationType: ViolationType.objects.order_by("id").first(),
        CalendarDay: CalendarDay.objects.order_by("id").first(),
        RuleSet: RuleSet.objects.order_by("id").first(),
        ScoringModel: ScoringModel.objects.order_by("id").first(),
        InspectionPlan: plan,  # drawn, not published
        AuditEntry: AuditEntry.objects.order_by("-id").first(),
        Job: jobs.job_submit(kind="listings_import", data=[], items=0, total=0, actor=regulator),
    }
    return World(a=a, b=b, regulator=regulator, inspector_in=inspector_in, inspector_out=inspector_out,
                 shared=shared)
