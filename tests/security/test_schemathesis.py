"""Property-based API tests: schemathesis generates requests for every operation of the OpenAPI schema.

Requests go through the WSGI application (config.wsgi) as a regulator
authenticated with a real ``Authorization: Token`` header, inside each test's
transaction. Every generated case, valid or deliberately invalid, must pass:

- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``: every status answered is documented (the error
  statuses come from ``config.api.schema.postprocess_error_responses``);
- ``response_schema_conformance``: bodies, error bodies included, match the
  documented schema;
- ``negative_data_rejection``: data that violates the schema (a body, a query
  parameter, a path parameter) is refused with a 4xx.

There is no list of known failures: any failure fails the test.

Random ids would almost always answer 404 and never reach the serializers,
so the security suite's two-business world (``build_world``) is built once for
the module, and a ``flatmap_case`` hook lets valid path parameters be either the
generated value or one of the world's objects of that route (ids, tracking
codes, credit codes, open-data file names). Invalid path parameters are left
as generated. Each operation runs in its own savepoint: what one operation
writes, the next does not see.

Generation is deterministic (fixed schemathesis seed, ``derandomize``, no
example database) and bounded (``MAX_EXAMPLES`` per operation; the coverage
phase, which enumerates boundary values without bound, is off and shrinking is
off, so a failure is reported as found). Nothing is excluded: every side effect
of the API stays in the database (rolled back), the open-data files go to a
temporary directory, Celery runs eagerly and on-commit work never fires inside
the test transaction. What earlier tests left in the database does not change
the verdict: an id that happens to exist and one that does not are both
documented outcomes.

The schema is generated at collection time with drf-spectacular's generator:
``from_wsgi`` would need the database while pytest collects (the audit
middleware queries it on every request), and ``schemathesis.pytest.from_fixture``
does not run under pytest 9.2 (it sets ``item._nodeid``).
``test_the_schema_under_test_is_the_one_served`` checks that the document is
exactly what ``schemathesis.openapi.from_wsgi("/api/schema/", application)`` loads.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from regulator.lists.models import Listing
from regulator.workbench.stats import METRICS
from tests.support import api_client, api_token

from .conftest import World, build_world, model_named, rolled_back

MAX_EXAMPLES = 75
SEED = 1408
CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "phases": {"coverage": {"enabled": False}},
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
})
HYPOTHESIS = settings(max_examples=MAX_EXAMPLES, derandomize=True, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck),
                      phases=[Phase.explicit, Phase.reuse, Phase.generate])
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, negative_data_rejection]
DOCUMENT = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = application
schema.location = "/api/schema/"


@dataclass
class Figures:
    """What the run measured, printed once the module is done."""

    operations: set[str] = field(default_factory=set)
    cases: int = 0
    negative: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)


FIGURES = Figures()


@pytest.fixture(scope="module", autouse=True)
def _report_figures(request):
    FIGURES.started, cases_before = time.monotonic(), FIGURES.cases
    yield
    if FIGURES.cases == cases_before:  # set up again for the module's tests without a database: nothing new
        return
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(FIGURES.statuses.items()))
    line = (f"[figure] schemathesis: {len(FIGURES.operations)} operations, {FIGURES.cases} cases "
            f"({FIGURES.negative} with invalid data; {MAX_EXAMPLES} examples per operation, seed {SEED}), "
            f"{len(FIGURES.failures)} failures, {time.monotonic() - FIGURES.started:.0f} s; statuses {statuses}")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown under -q too, like the summary
        reporter.write_line("")
        reporter.write_line(line)


# OpenAPI path -> path parameter -> values that name something in the world (filled by the `world` fixture).
KNOWN_PATH_VALUES: dict[str, dict[str, list]] = {}


def _model_of(path: str, name: str):
    if name.endswith("_id"):
        return model_named(name.removesuffix("_id"))
    view = resolve(re.sub(r"{\w+}", "1", path)).func.cls
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else view.serializer_class.Meta.model


def _known_path_values(world: World) -> dict[str, dict[str, list]]:
    pks = defaultdict(list)
    for side in (world.a, world.b):
        for model, obj in side.objects().items():
            pks[model].append(obj.pk)
        for obj in side.more_objects():  # the household firm, the worker (``/workers/{id}/`` takes a worker)
            pks[type(obj)].append(obj.pk)
        pks[Listing] += [side.published_listing.pk, side.person_listing.pk]
    for model, obj in world.shared.items():
        pks[model].append(obj.pk)
    by_name = {
        "tracking_code": [world.a.complaint.tracking_code, world.b.complaint.tracking_code],
        "credit_code": [world.a.entity.credit_code, world.b.entity.credit_code],
        "name": ["blacklist.csv", "redlist.json", "blacklist.ndjson", "manifest.json", "penalties.csv",
                 "licences.json"],
        "metric": list(METRICS),
        "card_code": [world.a.card.code, world.b.card.code],
        "list_type": ["black", "watch", "red"],
        "token": [world.a.review_token, world.b.review_token],  # the customers' unused review links
    }
    known = {}
    for path in DOCUMENT["paths"]:
        names = re.findall(r"{(\w+)}", path)
        known[path] = {name: by_name.get(name) or pks[_model_of(path, name)] for name in names}
    return known


@schema.hook
def flatmap_case(ctx, case):
    """A valid path parameter: the generated value or one of the world's (ids, codes, file names)."""
    known = KNOWN_PATH_VALUES.get(case.operation.path)
    if not known or not case.path_parameters or (case.meta and case.meta.is_negative_at(ParameterLocation.PATH)):
        return st.just(case)
    names = sorted(name for name in known if name in case.path_parameters and known[name])

    def use(values):
        case.path_parameters = {**case.path_parameters, **dict(zip(names, values, strict=True))}
        return case

    return st.tuples(*(st.sampled_from([case.path_parameters[name], *known[name]]) for name in names)).map(use)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory) -> World:
    """The two-business world, built once and rolled back after the module; each test runs in a savepoint."""
    with rolled_back(django_db_blocker, tmp_path_factory.mktemp("schemathesis")):
        built = build_world()
        KNOWN_PATH_VALUES.update(_known_path_values(built))
        yield built
        KNOWN_PATH_VALUES.clear()


@pytest.fixture
def regulator_token(world, db, settings, tmp_path) -> str:
    """The world's regulator's token, which the WSGI requests share through the test's transaction."""
    settings.EXPORTS_DIR = tmp_path / "exports"
    return api_token(world.regulator)


@pytest.fixture(autouse=True)
def _requests_share_the_test_connection():
    """Django's test client does this; the raw WSGI app would otherwise close the test's connection per request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@HYPOTHESIS
def test_api_conforms_to_its_schema(case, regulator_token):
    cache.clear()  # throttles have their own tests; here they would only turn answers into 429
    label = f"{case.operation.method.upper()} {case.operation.path}"
    response = case.call(headers={"Authorization": f"Token {regulator_token}"})
    FIGURES.operations.add(label)
    FIGURES.cases += 1
    FIGURES.negative += bool(case.meta and case.meta.generation.mode.is_negative)
    FIGURES.statuses[response.status_code] = FIGURES.statuses.get(response.status_code, 0) + 1
    try:
        case.validate_response(response, checks=CHECKS)
    except FailureGroup:
        FIGURES.failures.append(label)
        raise


def test_the_schema_under_test_is_the_one_served(db):
    served = schemathesis.openapi.from_wsgi("/api/schema/", application)
    assert served.raw_schema == DOCUMENT
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 100


def test_every_operation_documents_its_errors():
    """The postprocessing hook's work, checked on the document itself (schemathesis only sees what it hits)."""
    missing = []
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            errors = {status for status in responses if status.startswith("4")}
            if not errors:
                missing.append(f"{method.upper()} {path}: no error status")
            for status in errors:
                content = responses[status].get("content", {}).get("application/json", {})
                if "$ref" not in content.get("schema", {}):
                    missing.append(f"{method.upper()} {path} {status}: no error body schema")
            if "{" in path and "404" not in responses:
                missing.append(f"{method.upper()} {path}: no 404")
    assert missing == [], "\n".join(missing)


# ------------------------------------------------------------------ what the fuzzer found, pinned down


def test_a_repair_application_without_commitment_is_not_a_server_error(world, regulator_token):
    """``commitment`` is optional in the body (the model's default); it was read as required: KeyError, 500."""
    client = api_client(world.a.account, token=True)
    response = client.post("/api/v1/repair-applications/", {
        "listing": world.a.published_listing.pk, "statement": "已整改", "evidence": ["整改报告"]}, format="json")
    assert response.status_code in (400, 409), (response.status_code, response.content)


@pytest.mark.parametrize(("method", "url", "body", "field"), [
    ("patch", "/api/v1/persons/{person}/", {"name": 64}, "name"),
    ("patch", "/api/v1/persons/{person}/", {"name": "甲" * 100 + " "}, "name"),
    ("patch", "/api/v1/roles/{role}/", {"entity": "{entity}"}, "entity"),
    ("patch", "/api/v1/roles/{role}/", {"ended_on": 20260101}, "ended_on"),
    ("post", "/api/v1/licence-checks/", {"applicant_credit_code": "x", "person_id_numbers": [1]},
     "person_id_numbers"),
    ("post", "/api/v1/inspection-plans/draw/", {"month": "2027-01-01", "region_prefix": "14", "rates": {"A": "0.1"}},
     "rates"),
    ("post", "/api/v1/objections/{objection}/answer/", {"answer": "已复核", "upheld": "false"}, "upheld"),
])
def test_a_json_value_of_another_type_is_a_400_naming_the_field(world, regulator_token, method, url, body, field):
    """DRF would coerce 64 to "64", "5" to 5, "false" to False; the schema says string, integer, boolean."""
    ids = {"person": world.a.person.pk, "role": world.a.role.pk, "entity": world.a.entity.pk,
           "objection": world.a.objection.pk}
    body = {key: value.format(**ids) if isinstance(value, str) else value for key, value in body.items()}
    client = api_client(world.regulator, token=True)
    response = getattr(client, method)(url.format(**ids), body, format="json")
    assert response.status_code == 400, (response.status_code, response.content)
    assert field in response.json(), response.json()


def test_a_form_posted_to_the_api_is_415_and_web_forms_stay_lenient(world, regulator_token):
    """The API reads JSON only; a web page handing a form's strings to the same serializer is not held to it."""
    from complaints.api.serializers import ComplaintCreateSerializer

    client = api_client(world.regulator, token=True)
    response = client.post("/api/v1/persons/", {"name": "张三", "id_number": "x"}, format="multipart")
    assert response.status_code == 415, response.status_code
    form = ComplaintCreateSerializer(data={
        "entity_credit_code": world.a.entity.credit_code, "category": "other", "description": "表单", "channel": "web",
        "complainant_count": "2", "incident_date": "2026-01-02"})
    assert form.is_valid(), form.errors


def test_a_reference_or_filter_by_another_business_is_answered_like_a_missing_id(world, regulator_token):
    """Bodies and filters alike: out of scope is not found (STYLE.md), never a different answer."""
    client = api_client(world.a.account, token=True)
    missing = 2_147_483_647

    def answers(make):
        return [(r.status_code, r.content.decode().replace(str(ref), "<id>"))
                for ref in (world.b.published_listing.pk, missing) for r in [make(ref)]]

    foreign, absent = answers(lambda ref: client.post("/api/v1/statements/", {"listing": ref, "text": "已整改"},
                                                      format="json"))
    assert foreign == absent and foreign[0] == 400
    foreign, absent = answers(lambda ref: client.get("/api/v1/listings/", {"entity": ref}))
    assert foreign == absent and foreign[0] == 200


def test_audit_log_filtered_by_user_is_not_a_server_error(regulator_token):
    from rest_framework.test import APIClient

    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {regulator_token}")
    response = client.get("/api/v1/audit-log/", {"user": "1"})
    assert response.status_code == 200, response.status_code


@pytest.mark.parametrize(("url", "parameter"), [
    ("/api/v1/users/?is_active=maybe", "is_active"),
    ("/api/v1/findings/?open=perhaps", "open"),
    ("/api/v1/complaints/?overdue=2", "overdue"),
    ("/api/v1/entities/?page_size=abc", "page_size"),
    ("/api/v1/entities/?page_size=0", "page_size"),
    ("/api/v1/entities/?page_size=5&page_size=6", "page_size"),
    ("/api/v1/entities/?page=abc", "page"),
    ("/api/v1/entities/?page=-1", "page"),
    ("/api/v1/violation-types/?default_severity=fatal", "default_severity"),
    ("/api/v1/users/?role=god", "role"),
    ("/api/v1/listings/?subject_type=entity&subject_type=person", "subject_type"),
    ("/api/v1/roles/?started_after=2024-13-01", "started_after"),
])
def test_a_malformed_query_parameter_is_a_400_naming_it(regulator_token, url, parameter):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {regulator_token}")
    response = client.get(url)
    assert response.status_code == 400, (response.status_code, response.content)
    assert parameter in response.json(), response.json()


@pytest.mark.parametrize("url", [
    "/api/v1/users/?is_active=true", "/api/v1/users/?is_active=False", "/api/v1/users/?is_active=0",
    "/api/v1/users/?is_active=", "/api/v1/entities/?page=last", "/api/v1/entities/?page_size=500",
    "/api/v1/entities/?sector=tourism&sector=wellness",
])
def test_well_formed_query_parameters_are_still_accepted(regulator_token, url):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {regulator_token}")
    assert client.get(url).status_code == 200
