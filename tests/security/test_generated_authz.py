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

import json
from dataclasses import dataclass, field

import pytest
from django.db import models
from rest_framework.test import APIClient

from tests.support import api_client, today

from .conftest import (
    NON_ID_KWARGS,
    Route,
    Side,
    World,
    api_routes,
    build_world,
    list_route_for,
    rolled_back,
    route_model,
    send,
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
}
# A valid body for A around one reference field (the reference itself is filled in by the probe).
REFERENCE_BODIES = {
    ("statement-list", "listing"): lambda world, ref: {"listing": ref, "text": "我司已整改"},
    ("statement-list", "finding"): lambda world, ref: {"finding": ref, "text": "我司已整改"},
    ("repair-application-list", "listing"): lambda world, ref: {
        "listing": ref, "statement": "已整改", "evidence": ["整改报告"], "commitment": True, "training_record": "培训"},
    ("inspection-list", "entity"): lambda world, ref: {
        "entity": ref, "inspected_on": str(today()), "kind": "random", "summary": "检查", "findings": []},
    ("inspection-list", "complaint"): lambda world, ref: {
        "entity": world.a.entity.pk, "complaint": ref, "inspected_on": str(today()), "kind": "complaint",
        "summary": "投诉核查", "findings": []},
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


def _secrets(side: Side) -> list[str]:
    """What identifies a side's business to someone who should not see it."""
    return [side.entity.name, side.entity.credit_code, side.person.name, side.licence.number,
            side.complainant_name, side.complainant_phone]


def _snapshot(world: World) -> dict[str, dict]:
    rows = {}
    for side in (world.a, world.b):
        for model, obj in side.objects().items():
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
            target: models.Model = sides[side_label].objects()[model] if owned else world.shared[model]
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
                text = response.content.decode("utf-8", "replace")
                if status >= 500:
                    matrix.leaks.append(f"{where}: server error")
                    continue
                shown = [secret for secret in forbidden if secret in text]
                if shown:
                    matrix.leaks.append(f"{where}: shows {shown}")
                if visible:
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
        if route.kwargs or route.is_public or "GET" not in route.methods:
            continue
        for actor, side_label in PAIRS:
            response = send(clients[actor], "GET", f"{route.url()}?page_size=200")
            matrix.probes += 1
            text = response.content.decode("utf-8", "replace")
            shown = [secret for secret in _secrets(sides[side_label]) if secret in text]
            if response.status_code >= 500 or shown:
                matrix.list_leaks.append(f"{actor} GET {route.url()} -> {response.status_code}: shows {shown}")

    _probe_references(world, routes, clients, matrix)
    _probe_stats(world, clients, regulator, matrix)
    after = _snapshot(world)
    matrix.changed = [key for key in before if before[key] != after[key]]
    return matrix


def _normalised(response, ref: int) -> tuple[int, str]:
    return response.status_code, response.content.decode("utf-8", "replace").replace(str(ref), "<id>")


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
        serializer = route.view_class.serializer_class()
        for name, item in serializer.fields.items():
            model = getattr(getattr(item, "queryset", None), "model", None)
            if item.read_only or model not in world.a.objects():
                continue
            body_for = REFERENCE_BODIES.get((route.name, name))
            if body_for is None:
                matrix.reference_problems.append(f"{route.name}.{name}: no body in REFERENCE_BODIES")
                continue
            client, own, foreign = clients[actor], world.a.objects()[model].pk, world.b.objects()[model].pk
            control = send(client, "POST", route.url(), body_for(world, own))
            answers = {ref: send(client, "POST", route.url(), body_for(world, ref)) for ref in (foreign, MISSING_ID)}
            matrix.probes += 3
            where = f"{actor} POST {route.url()} {name}=<B's {model.__name__}>"
            if control.status_code not in (201, 409):
                matrix.reference_problems.append(f"{where}: control with A's own -> {control.status_code}")
            if 200 <= answers[foreign].status_code < 300 or answers[foreign].status_code >= 500:
                matrix.reference_leaks.append(f"{where} -> {answers[foreign].status_code}")
            elif _normalised(answers[foreign], foreign) != _normalised(answers[MISSING_ID], MISSING_ID):
                matrix.reference_oracles.append(
                    f"{where} -> {answers[foreign].status_code} {answers[foreign].content.decode()}, "
                    f"missing id -> {answers[MISSING_ID].status_code} {answers[MISSING_ID].content.decode()}")


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
                text = response.content.decode("utf-8", "replace")
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
    assert matrix.reference_problems == []


def test_no_create_accepts_a_reference_to_another_business(matrix):
    assert matrix.reference_leaks == []


def test_statistics_show_figures_only_and_staff_metrics_only_to_staff(matrix):
    assert matrix.stats_leaks == [], json.dumps(matrix.stats_leaks, ensure_ascii=False, indent=1)


def test_a_reference_to_another_business_is_answered_like_a_missing_id(matrix):
    assert matrix.reference_oracles == [], json.dumps(matrix.reference_oracles, ensure_ascii=False, indent=1)
