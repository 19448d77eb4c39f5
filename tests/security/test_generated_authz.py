"""Object-level authorization, generated from the URL resolver: nobody reaches another business's objects.

Every route under /api/v1/ that takes an object id is found by walking the
resolver (not listed by hand). Each is probed with GET, PUT, PATCH, DELETE and
POST by five callers against objects outside their scope:

- business A against B's objects, business B against A's,
- the inspector of 运城市 (sees A) against B's, the inspector of 太原市 (sees B) against A's,
- the anonymous public against A's.

A probe leaks when it answers 2xx, answers 5xx, answers differently from the
same request for an id that does not exist (403 for "exists, not yours" but
404 for "no such id" tells the caller the object exists), or shows another
business's name, credit code, representative or complainant. Objects that no
business owns (catalogues, rule sets, plans, the audit log) may be read by
whoever sees them in the list of the same viewset, and written by nobody but
a regulator. Every list route is read by the same callers and must not show
the other business either.

Create routes open to a business or an inspector are probed too: a body that
references the other business's listing, finding, entity or complaint must be
refused, and refused exactly like a reference to an id that does not exist.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from rest_framework.test import APIClient

from tests.support import api_client, today

from .conftest import (
    NON_ID_KWARGS,
    NON_ID_VALUES,
    Route,
    Side,
    World,
    api_routes,
    build_world,
    list_route_for,
    reference_model,
    request_serializers,
    rolled_back,
    route_model,
    send,
    text_of,
)

# Ordered with the database tests, before a transactional test elsewhere flushes the seeded catalogues.
pytestmark = pytest.mark.django_db

KNOWN_ID_ROUTES = {
    "entity-detail", "person-detail", "role-detail", "licence-detail", "complaint-detail", "inspection-detail",
    "finding-detail", "listing-detail", "repair-application-detail", "objection-detail", "statement-detail",
    "entity-credit", "document-detail", "document-delivery", "document-html", "document-pdf",
    "listing-notice-delivery", "listing-decision-delivery", "listing-revise", "complaint-documents",
    "complaint-transfer", "complaint-business-notice", "complaint-mediation", "complaint-link",
}
METHODS = ("GET", "PUT", "PATCH", "DELETE", "POST")
SAFE = {"GET", "HEAD", "OPTIONS"}
MISSING_ID = 2_147_483_647
# One body that every detail action would accept, so a missing scope check shows up as a 2xx, not a 400.
# (A decision takes no free-text measures any more: without ``measures`` it applies the whole catalogue.)
ACTION_BODY = {
    "reason": "越权探测", "outcome": "substantiated", "statement": "越权探测", "rectified_on": str(today()),
    "answer": "越权探测", "upheld": False, "grant": False, "approve": False, "review_note": "",
    "evidence": ["越权探测"], "commitment": True, "training_record": "越权探测", "text": "越权探测",
    # 送达登记 (documents, a listing's notice and decision, a complaint's 答复通知书)
    "method": "direct", "delivered_on": str(today()), "delivery_method": "direct", "note": "越权探测",
    # 转办, 调解
    "department": "越权探测", "department_contact": "", "result": "termination",
}
# (caller, the side whose objects it must not reach)
PAIRS = [("business_a", "b"), ("business_b", "a"), ("inspector_in", "b"), ("inspector_out", "a"),
         ("anonymous", "a")]
# Create routes a non-regulator may use, and who: their reference fields are probed with the other side's objects.
CREATORS = {
    "statement-list": "business_a",
    "repair-application-list": "business_a",
    "inspection-list": "inspector_in",
    # 家政服务员信用档案: a firm records its own workers (entities/api/workers.py, scoped fields: writable_firms,
    # workers_for, employments_for); inspectors read only (403)
    "worker-list": "business_a",
    "worker-card-list": "business_a",
    "worker-health-check-list": "business_a",
    "worker-training-list": "business_a",
    "worker-skill-certificate-list": "business_a",
    "worker-identity-list": "business_a",
    "worker-upload": "business_a",
    # 家政服务订单 (entities/api/reviews.py): a firm records its own services (scoped fields: writable_firms,
    # workers_for); the customer's review comes by the link only
    "service-order-list": "business_a",
}
# Routes of the public API that take an object id: the object is published to everyone by design, so a caller out of
# any scope may read it (never write it), and an answer unlike a missing id's tells nothing that is not public.
PUBLIC_ID_ROUTES = {
    "public-campaign": "专项行动结果公开: an ended campaign's results are public (counts only, no business named); "
                       "its id is in the public list",
    "public-award-objection": "诚信评选公示: anyone may object to an application in its notice period; the "
                              "applications and awards are published by name with their ids (public-awards)",
}
# POST routes open to non-regulators that take no reference to a business's records to probe.
OPEN_CREATE = {
    "complaint-list": "anyone may complain about any business (API.md): naming B's entity is the point",
    "auth-token": "credentials, no references",
    "auth-logout": "the caller's own token, no references",
    "auth-logout-all": "the caller's own tokens, no references",
    "receipt-verify": "a signed receipt, no references",
    "licence-check": "a question about any applicant by credit code or ID number, asked by staff (API.md)",
    "licence-check-batch": "the same, many at once",
    "measures-check": "联合奖惩核查: a question about any applicant by credit code or ID number, asked by staff or a "
                      "department client with measures-check (API.md); answers and receipts, no reference to a record",
    "measures-check-batch": "the same, many at once",
}
# Detail actions open to a non-regulator whose body references another record: who, the model of the URL's id, and
# the field; probed on A's object with B's reference, which must be answered like a missing id.
# (who, the field, the URL's object, the URL's id argument, the attribute of ``Side`` the field references)
DETAIL_CREATORS = {
    "complaint-worker": ("inspector_in", "worker", lambda world: _firm_complaint(world), "complaint_id", "worker"),
    "finding-worker": ("inspector_in", "worker", lambda world: _firm_finding(world), "finding_id", "worker"),
    # 专项行动: an inspector tags an inspection of its scope (a new one of A, yesterday) to a campaign of its scope
    "inspection-campaign": ("inspector_in", "campaign", lambda world: _inspection_of_a(world), "inspection_id",
                            "campaign"),
    # 诚信评选: a business applies for one of its own entities (A's travel agency: refused by the automatic check, a
    # record of its own); another business's entity is not found
    "award-round-applications": ("business_a", "entity", lambda world: _shared_round(world), "pk", "entity"),
}


def _inspection_of_a(world):
    """A new inspection of A's travel agency yesterday (the last day of A's 专项行动)."""
    import datetime

    from complaints import services

    return services.inspection_create(actor=world.inspector_in, entity=world.a.entity,
                                      inspected_on=today() - datetime.timedelta(days=1), kind="random", findings=[])


def _shared_round(world):
    from regulator.lists.awards import AwardRound

    return world.shared[AwardRound]


def _firm_complaint(world):
    """A complaint against A's household firm about a day its worker was employed."""
    from tests.support import complaint_in

    return complaint_in("accepted", entity=world.a.firm, actor=world.regulator, category="other",
                        description="家政员服务不到位", complainant_name="投诉人", complainant_phone="13900000000")


def _firm_finding(world):
    """A finding of an inspection of A's household firm yesterday (its worker was employed then)."""
    import datetime

    from complaints import services
    from complaints.models import ViolationType

    violation = (ViolationType.objects.filter(active=True, sector=world.a.firm.sector).order_by("id").first()
                 or ViolationType.objects.filter(active=True).order_by("id").first())
    inspection = services.inspection_create(
        actor=world.inspector_in, entity=world.a.firm, inspected_on=today() - datetime.timedelta(days=1),
        kind="random", findings=[{"violation_type": violation, "description": "未公示", "penalty": "none"}])
    return inspection.findings.get()
# What a department client (``Authorization: Api-Key``) may call, and with which scope: everything else is closed
# to every key (core.authentication_clients), whatever scopes its client holds.
CLIENT_ROUTES = {
    ("POST", "licence-check"): "licence-check",
    ("POST", "licence-check-batch"): "licence-check",
    ("POST", "measures-check"): "measures-check",
    ("POST", "measures-check-batch"): "measures-check",
    ("GET", "shared-list"): "lists:read",
    # 双公示 (regulator/disclosure/api/publicity.py): the penalty records for a receiving department's ledger
    ("GET", "penalty-feed"): "penalties:read",
    # 变更推送 (regulator/disclosure/api/feeds.py): the pull side of the push feed, for subscribers
    ("GET", "feed-changes"): "push",
}
# Reference fields whose object is not the model's usual one in the world: the attribute of ``Side`` to use
# (a worker's firm is the side's household-service firm, not its travel agency; a worker is not the legal
# representative).
REFERENCE_TARGETS = {
    ("worker-list", "entity"): "firm", ("worker-upload", "entity"): "firm",
    **{(route, "entity"): "firm" for route in ("worker-health-check-list", "worker-training-list",
                                                "worker-skill-certificate-list", "worker-identity-list")},
    **{(route, "person"): "worker" for route in ("worker-health-check-list", "worker-training-list",
                                                  "worker-skill-certificate-list", "worker-identity-list")},
    ("service-order-list", "entity"): "firm", ("service-order-list", "worker"): "worker",
    # a statement speaks to a decided or published listing (regulator/disclosure/statements.py), not a notified one;
    # the published watch listing has its pending statement already (a second would replace it): the person's
    ("statement-list", "listing"): "person_listing",
}
# Create routes that take multipart/form-data (files).
MULTIPART = {"worker-upload"}
_numbers = iter(range(1, 10_000))


def _new_id_number() -> str:
    """A resident ID number no one in the world has (each control registers a new worker)."""
    import datetime
    import random

    from entities import codes

    return codes.id_number("140802", datetime.date(1970, 1, 1) + datetime.timedelta(days=next(_numbers)),
                           random.Random(7))


def _entry(route: str, field: str, fields: dict):
    """A file entry for A's worker by A's firm around ``field`` (the other of person and entity is A's own)."""
    def body(world, ref):
        own = {"person": world.a.worker.pk, "entity": world.a.firm.pk}
        if route == "service-order-list":  # an order names its worker ``worker``
            own = {"worker": own.pop("person"), **own}
        return {**own, field: ref, **fields}
    return body


def _csv(world) -> bytes:
    return f"name,id_number,started_on\r\n探测家政员,{_new_id_number()},{today()}\r\n".encode()


# A valid body for A around one reference field (the reference itself is filled in by the probe).
REFERENCE_BODIES = {
    ("statement-list", "listing"): lambda world, ref: {"listing": ref, "text": "我司已整改"},
    ("statement-list", "finding"): lambda world, ref: {"finding": ref, "text": "我司已整改"},
    ("repair-application-list", "listing"): lambda world, ref: {
        "listing": ref, "statement": "已整改", "evidence": ["整改报告"], "commitment": True, "training_record": "培训"},
    # A's finding is a warning, whose publicity is not published: the control is a 409 (nothing to repair)
    ("repair-application-list", "finding"): lambda world, ref: {
        "finding": ref, "statement": "已整改", "evidence": ["整改报告"], "commitment": True, "training_record": "培训"},
    ("inspection-list", "entity"): lambda world, ref: {
        "entity": ref, "inspected_on": str(today()), "kind": "random", "summary": "检查", "findings": []},
    # 专项行动: A's campaign ran until yesterday
    ("inspection-list", "campaign"): lambda world, ref: {
        "entity": world.a.entity.pk, "campaign": ref, "inspected_on": str(today() - datetime.timedelta(days=1)),
        "kind": "targeted", "summary": "专项检查", "findings": []},
    ("inspection-list", "complaint"): lambda world, ref: {
        "entity": world.a.entity.pk, "complaint": ref, "inspected_on": str(today()), "kind": "complaint",
        "summary": "投诉核查", "findings": []},
    ("worker-list", "entity"): lambda world, ref: {
        "entity": ref, "name": "探测家政员", "id_number": _new_id_number(), "started_on": str(today())},
    ("worker-upload", "entity"): lambda world, ref: {
        "entity": ref, "file": SimpleUploadedFile("workers.csv", _csv(world), content_type="text/csv")},
    # A's employment has its card already: the control is a 409 (one open card per employment), B's a 400
    ("worker-card-list", "employment"): lambda world, ref: {"employment": ref},
    **{("worker-health-check-list", field): _entry("worker-health-check-list", field, {
        "checked_on": str(today()), "expires_on": str(today()), "institution": "运城市中心医院"})
       for field in ("person", "entity")},
    **{("worker-training-list", field): _entry("worker-training-list", field, {
        "kind": "retraining", "provider": "培训学校", "hours": 8, "completed_on": str(today())})
       for field in ("person", "entity")},
    **{("worker-skill-certificate-list", field): _entry("worker-skill-certificate-list", field, {
        "name": "育婴员", "number": f"PROBE-{field}-{n}", "issuer": "人社局", "issued_on": str(today())})
       for field in ("person", "entity") for n in [0]},
    **{("worker-identity-list", field): _entry("worker-identity-list", field, {
        "verified_on": str(today()), "method": "online"}) for field in ("person", "entity")},
    **{("service-order-list", field): _entry("service-order-list", field, {
        "served_on": str(today()), "service_kind": "cleaning", "customer_phone": "13700000009"})
       for field in ("worker", "entity")},
}


@dataclass
class Matrix:
    routes: list[Route]
    id_routes: list[Route]
    probes: int = 0
    leaks: list[str] = field(default_factory=list)
    list_leaks: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    reference_leaks: list[str] = field(default_factory=list)
    reference_oracles: list[str] = field(default_factory=list)
    reference_problems: list[str] = field(default_factory=list)
    stats_leaks: list[str] = field(default_factory=list)
    client_routes: dict[tuple[str, str], str] = field(default_factory=dict)
    client_leaks: list[str] = field(default_factory=list)


def _secrets(side: Side) -> list[str]:
    """What identifies a side's business to someone who should not see it."""
    return [side.entity.name, side.entity.credit_code, side.person.name, side.licence.number,
            side.complainant_name, side.complainant_phone, side.firm.name, side.firm.credit_code, side.worker.name,
            side.card.code]


def _snapshot(world: World) -> dict[str, dict]:
    rows = {}
    for side in (world.a, world.b):
        for obj in [*side.objects().values(), *side.more_objects()]:
            model = type(obj)
            fresh = model.objects.get(pk=obj.pk)
            rows[f"{model.__name__}#{obj.pk}"] = {
                f.attname: getattr(fresh, f.attname) for f in model._meta.concrete_fields
                if f.attname not in {"last_login", "search_vector"}
            }
    return rows


def _ids_in_list(client: APIClient, list_route: Route | None) -> set | None:
    """Ids the caller sees in the viewset's list; None when the list itself is refused."""
    if list_route is None:
        return None
    response = send(client, "GET", f"{list_route.url()}?page_size=200")
    if response.status_code != 200:
        return None
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return {row.get("id") for row in rows}


def _run(world: World) -> Matrix:
    routes = api_routes()
    id_routes = [route for route in routes if route.id_kwargs]
    matrix = Matrix(routes=routes, id_routes=id_routes)
    sides = {"a": world.a, "b": world.b}
    users = {"business_a": world.a.account, "business_b": world.b.account, "inspector_in": world.inspector_in,
             "inspector_out": world.inspector_out, "anonymous": None}
    clients = {name: api_client(user, token=True) for name, user in users.items()}
    regulator = api_client(world.regulator, token=True)
    before = _snapshot(world)

    for route in id_routes:
        model = route_model(route)
        owned = model in world.a.objects()
        if not owned and model not in world.shared:
            matrix.unresolved.append(f"{route.name}: no object of {model.__name__} in the world")
            continue
        (kwarg,) = route.id_kwargs
        list_route = list_route_for(route, routes)
        for actor, side_label in PAIRS:
            target: models.Model = sides[side_label].target(route, model) if owned else world.shared[model]
            url, missing_url = route.url(**{kwarg: target.pk}), route.url(**{kwarg: MISSING_ID})
            body = dict(ACTION_BODY)
            if "GET" in route.methods:
                control = send(regulator, "GET", url)
                listed = _ids_in_list(regulator, list_route)
                visible_to_regulator = owned or listed is None or target.pk in listed
                if visible_to_regulator and control.status_code != 200:
                    matrix.controls.append(f"regulator GET {url} -> {control.status_code}")
                json_answer = control.get("Content-Type", "").startswith("application/json")
                if control.status_code == 200 and json_answer and isinstance(control.json(), dict):
                    body = {**body, **control.json()}
            client = clients[actor]
            visible = not owned and target.pk in (_ids_in_list(client, list_route) or set())
            forbidden = _secrets(sides[side_label]) if owned else []
            for method in METHODS:
                response = send(client, method, url, body)
                matrix.probes += 1
                status, where = response.status_code, f"{actor} {method} {url} -> {response.status_code}"
                text = text_of(response)
                if status >= 500:
                    matrix.leaks.append(f"{where}: server error")
                    continue
                shown = [secret for secret in forbidden if secret in text]
                if shown:
                    matrix.leaks.append(f"{where}: shows {shown}")
                if visible or route.name in PUBLIC_ID_ROUTES:
                    if method not in SAFE and 200 <= status < 300:
                        matrix.leaks.append(f"{where}: a non-regulator wrote a shared {model.__name__}")
                    continue
                if 200 <= status < 300:
                    matrix.leaks.append(f"{where}: answered with {model.__name__} {target.pk} of side {side_label}")
                    continue
                if status != 404:
                    missing = send(client, method, missing_url, body)
                    matrix.probes += 1
                    if missing.status_code != status:
                        matrix.leaks.append(f"{where}, but {missing.status_code} for a missing id: existence oracle")

    for route in routes:
        if route.is_public or "GET" not in route.methods or not set(route.kwargs) <= set(NON_ID_VALUES):
            continue
        urls = [route.url(**dict(zip(route.kwargs, values, strict=True)))
                for values in _combinations([NON_ID_VALUES[kw] for kw in route.kwargs])]
        for url in urls:
            for actor, side_label in PAIRS:
                response = send(clients[actor], "GET", f"{url}?page_size=200")
                matrix.probes += 1
                text = text_of(response)
                shown = [secret for secret in _secrets(sides[side_label]) if secret in text]
                if response.status_code >= 500 or shown:
                    matrix.list_leaks.append(f"{actor} GET {url} -> {response.status_code}: shows {shown}")

    _probe_references(world, routes, clients, matrix)
    _probe_detail_references(world, clients, matrix)
    _probe_stats(world, clients, regulator, matrix)
    _probe_department_clients(world, routes, matrix)
    after = _snapshot(world)
    matrix.changed = [key for key in before if before[key] != after[key]]
    return matrix


def _combinations(choices: list[tuple]) -> list[tuple]:
    import itertools

    return list(itertools.product(*choices))


def _normalised(response, ref: int) -> tuple[int, str]:
    return response.status_code, text_of(response).replace(str(ref), "<id>")


def _probe_references(world: World, routes: list[Route], clients: dict[str, APIClient], matrix: Matrix) -> None:
    """Create routes: a body that references the other side's object is refused exactly like a missing id."""
    for route in routes:
        if route.kwargs or "POST" not in route.methods or route.name in OPEN_CREATE:
            continue
        open_to = [actor for actor, _ in PAIRS if send(clients[actor], "POST", route.url(), {}).status_code
                   not in (401, 403, 405)]
        matrix.probes += len(PAIRS)
        if not open_to:
            continue
        actor = CREATORS.get(route.name)
        if actor is None or set(open_to) - {"business_a", "business_b", "inspector_in", "inspector_out"}:
            matrix.reference_problems.append(f"{route.name}: open to {open_to}, not reviewed in CREATORS")
            continue
        fields = {name: item for serializer in request_serializers(route, "POST")
                  for name, item in serializer.fields.items()}
        body_format = "multipart" if route.name in MULTIPART else "json"
        for name, item in fields.items():
            model = reference_model(item)
            if item.read_only or model not in world.a.objects():
                continue
            body_for = REFERENCE_BODIES.get((route.name, name))
            if body_for is None:
                matrix.reference_problems.append(f"{route.name}.{name}: no body in REFERENCE_BODIES")
                continue
            attribute = REFERENCE_TARGETS.get((route.name, name))
            own, foreign = ((getattr(world.a, attribute).pk, getattr(world.b, attribute).pk) if attribute
                            else (world.a.objects()[model].pk, world.b.objects()[model].pk))
            client = clients[actor]
            control = send(client, "POST", route.url(), body_for(world, own), format=body_format)
            answers = {ref: send(client, "POST", route.url(), body_for(world, ref), format=body_format)
                       for ref in (foreign, MISSING_ID)}
            matrix.probes += 3
            where = f"{actor} POST {route.url()} {name}=<B's {model.__name__}>"
            if control.status_code not in (200, 201, 409):  # 200: an upload's report
                matrix.reference_problems.append(f"{where}: control with A's own -> {control.status_code}")
            if 200 <= answers[foreign].status_code < 300 or answers[foreign].status_code >= 500:
                matrix.reference_leaks.append(f"{where} -> {answers[foreign].status_code}")
            elif _normalised(answers[foreign], foreign) != _normalised(answers[MISSING_ID], MISSING_ID):
                matrix.reference_oracles.append(
                    f"{where} -> {answers[foreign].status_code} {answers[foreign].content.decode()}, "
                    f"missing id -> {answers[MISSING_ID].status_code} {answers[MISSING_ID].content.decode()}")


def _probe_detail_references(world: World, clients: dict[str, APIClient], matrix: Matrix) -> None:
    """Detail actions naming another record (a complaint's or a finding's worker): B's is answered like a missing id,
    and A's own is accepted (the control)."""
    from django.urls import reverse

    for name, (actor, field_name, target, kwarg, attribute) in DETAIL_CREATORS.items():
        obj = target(world)
        url = reverse(name, kwargs={kwarg: obj.pk})
        own, foreign = getattr(world.a, attribute).pk, getattr(world.b, attribute).pk
        control = send(clients[actor], "POST", url, {field_name: own})
        answers = {ref: send(clients[actor], "POST", url, {field_name: ref}) for ref in (foreign, MISSING_ID)}
        matrix.probes += 3
        where = f"{actor} POST {url} {field_name}=<B's {attribute}>"
        if control.status_code not in (200, 201):  # 201: an award application filed (and refused by its check)
            matrix.reference_problems.append(f"{where}: control with A's own -> {control.status_code}")
        if 200 <= answers[foreign].status_code < 300 or answers[foreign].status_code >= 500:
            matrix.reference_leaks.append(f"{where} -> {answers[foreign].status_code}")
        elif _normalised(answers[foreign], foreign) != _normalised(answers[MISSING_ID], MISSING_ID):
            matrix.reference_oracles.append(f"{where} -> {answers[foreign].content.decode()}, "
                                            f"missing id -> {answers[MISSING_ID].content.decode()}")


def _client_url(route: Route, world: World) -> str:
    """``route`` filled with A's objects (ids) or the world's public codes."""
    from regulator.workbench.stats import METRICS

    values = {"tracking_code": world.a.complaint.tracking_code, "credit_code": world.a.entity.credit_code,
              "card_code": world.a.card.code, "name": "blacklist.csv", "metric": next(iter(METRICS)),
              "list_type": "watch", "token": world.a.review_token}
    kwargs = {}
    for kwarg in route.kwargs:
        if kwarg in values:
            kwargs[kwarg] = values[kwarg]
        else:
            model = route_model(route)
            kwargs[kwarg] = (world.a.target(route, model) if model in world.a.objects() else world.shared[model]).pk
    return route.url(**kwargs)


def _probe_department_clients(world: World, routes: list[Route], matrix: Matrix) -> None:
    """Every route and method, called with a department client's key: A's client holds every scope, B's only
    licence-check. Only the reviewed ``CLIENT_ROUTES`` answer a client, and only with the scope; every other route
    is 403 at the gate, or (a view that authenticates nobody) the public's own answer; never another business's
    records outside them, never a 5xx; every request that reached the gate is in the client's query log."""
    from core.authentication_clients import required_scope
    from core.models import ClientQuery

    body = {**ACTION_BODY, "measure": "public_procurement", "licence_type": "travel_agency_business",
            "applicant_credit_code": world.a.entity.credit_code}
    body["checks"] = [{key: body[key] for key in ("measure", "licence_type", "applicant_credit_code")}]
    keys = {"client_a": world.a, "client_b": world.b}
    apis = {}
    for name, side in keys.items():
        api = APIClient(REMOTE_ADDR="127.0.0.1")
        api.credentials(HTTP_AUTHORIZATION=f"Api-Key {side.client_key}")
        apis[name] = api
    anonymous = APIClient(REMOTE_ADDR="127.0.0.1")
    logged_before = {name: ClientQuery.objects.filter(client=side.client).count() for name, side in keys.items()}
    gated = dict.fromkeys(keys, 0)
    for route in routes:
        url = _client_url(route, world)
        for method in sorted(route.methods):
            scope = required_scope(route.view_class(), method)
            if scope is not None:
                matrix.client_routes[(method, route.name)] = scope
            public = getattr(route.view_class, "authentication_classes", None) == []
            if public and method not in SAFE and route.kwargs:
                continue  # a public write on A's own record (withdrawing by tracking code) would change the world
            for name, side in keys.items():
                response = send(apis[name], method, url, body)
                matrix.probes += 1
                status, where = response.status_code, f"{name} {method} {url} -> {response.status_code}"
                if status >= 500:
                    matrix.client_leaks.append(f"{where}: server error")
                    continue
                if public:
                    public_answer = send(anonymous, method, url, body)
                    if status != public_answer.status_code:
                        matrix.client_leaks.append(f"{where}, the public gets {public_answer.status_code}")
                    continue
                gated[name] += 1
                if scope is None or scope not in side.client.scopes:
                    if status != 403:
                        matrix.client_leaks.append(f"{where}: a route outside the client's scopes")
                    continue
                if status != 200:
                    matrix.client_leaks.append(f"{where}: refused with the scope {scope}")
                if scope == "lists:read":
                    continue  # the shared lists name every listed subject to a client holding lists:read: the point
                if scope == "push":
                    # the change feed names every subject whose published listing, penalty or licence changed, to
                    # every subscriber (decision 0027), by design; the watch list and persons' names only with
                    # lists:read (tests/core/test_department_clients)
                    continue
                if scope == "penalties:read":
                    # the penalty feed names every penalised business and its legal representative to a receiving
                    # department by design (双公示); no watch list and no ID number: tests/core/test_department_clients
                    continue
                # the checks ask about A by credit code: nothing of B (not asked about) may come back
                shown = [secret for secret in _secrets(world.b) if secret in text_of(response)]
                if shown:
                    matrix.client_leaks.append(f"{where}: shows {shown}")
    for name, side in keys.items():
        logged = ClientQuery.objects.filter(client=side.client).count() - logged_before[name]
        if logged != gated[name]:
            matrix.client_leaks.append(f"{name}: {gated[name]} requests reached the gate, {logged} in its query log")


STAFF = {"inspector_in", "inspector_out"}


def _probe_stats(world: World, clients: dict[str, APIClient], regulator: APIClient, matrix: Matrix) -> None:
    """/api/v1/stats/{metric}/ (a code, not an id): figures only, never a business; a staff metric is answered to
    the others exactly like a metric that does not exist, and district level is for staff only."""
    from regulator.workbench import stats

    secrets = _secrets(world.a) + _secrets(world.b)
    unknown = {name: send(client, "GET", "/api/v1/stats/zz-no-such-metric/") for name, client in clients.items()}
    for code, metric in stats.METRICS.items():
        control = send(regulator, "GET", f"/api/v1/stats/{code}/?level=district")
        matrix.probes += 1
        if control.status_code != 200:
            matrix.controls.append(f"regulator GET /api/v1/stats/{code}/?level=district -> {control.status_code}")
        for actor, client in clients.items():
            for query in ("", "?level=district", "?level=province&region=140000"):
                url = f"/api/v1/stats/{code}/{query}"
                response = send(client, "GET", url)
                matrix.probes += 1
                where = f"{actor} GET {url} -> {response.status_code}"
                text = text_of(response)
                if response.status_code >= 500 or [secret for secret in secrets if secret in text]:
                    matrix.stats_leaks.append(f"{where}: server error or a business named")
                elif actor in STAFF:
                    if response.status_code != 200:
                        matrix.stats_leaks.append(f"{where}: staff refused")
                elif not metric.public:
                    if (response.status_code, response.content) != (unknown[actor].status_code,
                                                                     unknown[actor].content):
                        matrix.stats_leaks.append(f"{where}: a staff metric answered unlike an unknown one")
                elif query == "?level=district" and response.status_code != 403:
                    matrix.stats_leaks.append(f"{where}: district figures outside staff")
                elif query != "?level=district" and response.status_code != 200:
                    matrix.stats_leaks.append(f"{where}: a public metric refused")


@pytest.fixture(scope="module")
def world_and_matrix(django_db_setup, django_db_blocker, tmp_path_factory) -> tuple[World, Matrix]:
    with rolled_back(django_db_blocker, tmp_path_factory.mktemp("authz")):
        world = build_world()
        return world, _run(world)


@pytest.fixture(scope="module")
def matrix(world_and_matrix) -> Matrix:
    return world_and_matrix[1]


def test_routes_with_object_ids_are_discovered_from_the_resolver(matrix):
    names = {route.name for route in matrix.id_routes}
    assert KNOWN_ID_ROUTES <= names, f"not discovered: {sorted(KNOWN_ID_ROUTES - names)}"
    assert len(matrix.id_routes) > len(KNOWN_ID_ROUTES)  # the detail actions come along with their viewsets
    other_kwargs = {kw for route in matrix.routes for kw in route.kwargs if kw != "pk" and not kw.endswith("_id")}
    assert other_kwargs <= set(NON_ID_KWARGS), f"a route takes an unreviewed lookup: {other_kwargs - set(NON_ID_KWARGS)}"


def test_every_route_with_an_id_has_an_object_to_probe(matrix):
    assert matrix.unresolved == []


def test_regulator_reaches_every_probed_object(matrix):
    """The control: the ids probed are real, so a 404 to the others means scope, not a typo."""
    assert matrix.controls == []


def test_no_caller_reaches_objects_outside_its_scope(matrix):
    print(f"[figure] authz probes: {matrix.probes}, leaks: {len(matrix.leaks) + len(matrix.list_leaks)}")
    assert matrix.probes > 1000
    assert matrix.leaks == [], json.dumps(matrix.leaks, ensure_ascii=False, indent=1)


def test_no_list_shows_another_business(matrix):
    assert matrix.list_leaks == [], json.dumps(matrix.list_leaks, ensure_ascii=False, indent=1)


def test_the_probes_changed_nothing(matrix):
    assert matrix.changed == []


def test_create_routes_open_to_non_regulators_are_reviewed(matrix):
    assert matrix.reference_problems == [], json.dumps(matrix.reference_problems, ensure_ascii=False, indent=1)


def test_no_create_accepts_a_reference_to_another_business(matrix):
    assert matrix.reference_leaks == []


def test_statistics_show_figures_only_and_staff_metrics_only_to_staff(matrix):
    assert matrix.stats_leaks == [], json.dumps(matrix.stats_leaks, ensure_ascii=False, indent=1)


def test_department_clients_reach_only_the_reviewed_routes_with_their_scopes(matrix):
    assert matrix.client_routes == CLIENT_ROUTES
    assert matrix.client_leaks == [], json.dumps(matrix.client_leaks, ensure_ascii=False, indent=1)


def test_a_reference_to_another_business_is_answered_like_a_missing_id(matrix):
    assert matrix.reference_oracles == [], json.dumps(matrix.reference_oracles, ensure_ascii=False, indent=1)
