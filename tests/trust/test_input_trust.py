"""Bad input is a 4xx, never a 500, on every face of the service (issue 12, item 8).

- A NUL in a path or query string is a 400 before any view runs: a Chinese page
  on the site and in the admin, the JSON error body (naming the parameter)
  under ``/api/``.
- Every date the API takes lies between 2000-01-01 and ten years ahead
  (``config.api.serializers.date_window``): bodies, query filters, the deadline
  calculator, imported rows. Year 1 and year 9999 are 400s naming the field.
- A body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a 413; under ``/api/`` every
  error, Django's own URL-level 404 and debug pages included, is the JSON body.
- The database out of reach is a 503 (JSON under ``/api/``, a Chinese page
  elsewhere), not a 500. The outage is simulated at the connection: its
  ``ensure_connection`` raises ``OperationalError`` as a refused connection
  does. Stopping the embedded PostgreSQL would take down every other test run
  sharing it on this machine.
- Generated coverage: every page of the site and every admin changelist, with
  NUL, oversized, broken and out-of-range values in their paths, query
  strings and forms, answers below 500.
"""

from __future__ import annotations

import datetime
import decimal
import re
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib import admin
from django.db import OperationalError, connections
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone
from rest_framework import serializers as drf_serializers

from complaints import services as complaint_services
from complaints.models import Complaint, ViolationType
from config.api import serializers as api_serializers
from core.models import CalendarDay
from entities import worker_services
from entities.models import Licence
from regulator.lists import services as listings
from regulator.lists.models import Listing
from regulator.portal import urls as portal_urls
from tests.support.states import served

pytestmark = pytest.mark.django_db

#: the decision: the rule set's whole catalogue of measures for the list, its appeal routes, the series' number
DECISION: dict = {}


def today() -> datetime.date:
    return timezone.localdate()


def latest_date() -> datetime.date:
    return api_serializers.date_window()[1]


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    """Publishing writes the open-data files: into this test's directory, never the shared var/exports."""
    settings.EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def staff_regulator(regulator):
    regulator.is_staff = True
    regulator.save(update_fields=["is_staff"])
    return regulator


@pytest.fixture
def web():
    return Client()


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def publish(entity, actor, *, reason: str = "甩团，滞留旅游者") -> Listing:
    """A black listing through the whole due process (notice 60 days ago, decision 30 days ago)."""
    notified_on, decided_on = today() - datetime.timedelta(days=60), today() - datetime.timedelta(days=30)
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity, reason=reason,
                                       actor=actor, today=notified_on)
    listings.listing_notify(listing_id=listing.pk, actor=actor, today=notified_on, delivery=served(notified_on))
    listings.listing_decide(listing_id=listing.pk, actor=actor, today=decided_on, **DECISION)
    return listings.listing_publish(listing_id=listing.pk, actor=actor, today=decided_on)


def file_complaint(entity) -> Complaint:
    return complaint_services.complaint_file(
        entity=entity, category="forced_shopping", description="导游强迫购物", incident_date=today(),
        complainant_name="李四", complainant_phone="13800000000")


def assert_chinese_page(response, status: int) -> str:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'lang="zh-Hans"' in html
    return html


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body["code"], body
    return body


# --- NUL in paths and query strings -------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["/", "/report/", "/report.pdf"])
def test_nul_in_an_operator_path_is_a_chinese_400_page_and_the_plain_path_still_answers(web, entity_a, suffix):
    assert web.get(f"/operators/{entity_a.credit_code}{suffix}").status_code == 200
    html = assert_chinese_page(web.get(f"/operators/{entity_a.credit_code}%00{suffix}"), 400)
    assert "空字符" in html


def test_nul_in_a_complaint_tracking_path_is_a_400_page_and_a_real_code_still_answers(web, entity_a):
    complaint = file_complaint(entity_a)
    assert web.get(f"/complaints/track/{complaint.tracking_code}/").status_code == 200
    assert_chinese_page(web.get("/complaints/track/%00/"), 400)
    assert_chinese_page(web.get(f"/complaints/track/{complaint.tracking_code}%00/"), 400)


def test_nul_in_an_admin_changelist_filter_is_a_400_page_and_a_real_value_still_filters(staff_regulator, entity_a):
    listings.listing_propose(list_type="watch", subject_type="entity", entity=entity_a, reason="拒绝检查",
                             actor=staff_regulator)
    client = logged_in(staff_regulator)
    assert client.get("/admin/regulator/listing/?status=proposed").status_code == 200
    assert_chinese_page(client.get("/admin/regulator/listing/?status=%00"), 400)
    assert_chinese_page(client.get("/admin/regulator/listing/?q=%00"), 400)


def test_nul_in_an_api_query_is_a_json_400_naming_the_parameter(regulator_client):
    assert regulator_client.get("/api/v1/listings/?status=proposed").status_code == 200
    body = assert_json_error(regulator_client.get("/api/v1/listings/?status=%00&list_type=black"), 400)
    assert set(body) == {"status", "code"} and body["code"] == "nul_character"


def test_nul_in_an_api_path_is_a_json_400(anon_client):
    body = assert_json_error(anon_client.get("/api/v1/complaints/track/ABCDEFGH%00/"), 400)
    assert {"detail", "code"} <= set(body)


# --- the date window ----------------------------------------------------------------------------------------


def _inspection(inspected_on: str, entity) -> dict:
    return {"entity": entity.pk, "inspected_on": inspected_on, "kind": "random", "summary": "例行检查", "findings": []}


@pytest.mark.parametrize("inspected_on", ["0001-01-01", "1999-12-31"])
def test_an_inspection_dated_before_2000_is_400_naming_inspected_on_and_stores_nothing(
        inspector_client, entity_a, inspected_on):
    response = inspector_client.post("/api/v1/inspections/", _inspection(inspected_on, entity_a), format="json")
    body = assert_json_error(response, 400)
    assert "inspected_on" in body
    assert not entity_a.inspections.exists()


def test_an_inspection_dated_2000_01_01_is_accepted(inspector_client, entity_a):
    response = inspector_client.post("/api/v1/inspections/", _inspection("2000-01-01", entity_a), format="json")
    assert response.status_code == 201, response.content


def _licence(entity, expires_on: datetime.date) -> dict:
    return {"entity": entity.pk, "licence_type": "tour_guide", "number": f"D-{expires_on:%Y%m%d}",
            "issued_on": "2024-01-01", "expires_on": expires_on.isoformat()}


def test_a_date_ten_years_ahead_is_accepted_and_the_day_after_is_400_naming_the_field(regulator_client, entity_a):
    last = latest_date()
    assert last == today().replace(year=today().year + 10) or (today().month, today().day) == (2, 29)
    refused = regulator_client.post("/api/v1/licences/", _licence(entity_a, last + datetime.timedelta(days=1)),
                                    format="json")
    assert "expires_on" in assert_json_error(refused, 400)
    accepted = regulator_client.post("/api/v1/licences/", _licence(entity_a, last), format="json")
    assert accepted.status_code == 201, accepted.content
    assert Licence.objects.filter(entity=entity_a).count() == 1


def test_the_deadline_calculator_refuses_year_9999_naming_start(regulator_client):
    body = assert_json_error(regulator_client.get("/api/v1/calendar/deadline/?start=9999-12-31&working_days=5"), 400)
    assert "start" in body
    assert "start" in assert_json_error(
        regulator_client.get("/api/v1/calendar/deadline/?start=1999-12-31&working_days=5"), 400)
    answer = regulator_client.get("/api/v1/calendar/deadline/?start=2000-01-03&working_days=5")
    assert answer.status_code == 200, answer.content
    assert answer.json()["due"] == "2000-01-10"


def test_working_days_past_the_last_date_python_has_are_a_value_error_not_an_overflow():
    from core.workdays import WorkCalendar

    with pytest.raises(ValueError):
        WorkCalendar().add_working_days(datetime.date(9999, 12, 30), 5)


def _import_row(entity, decided_on: str) -> dict:
    return {"credit_code": entity.credit_code, "name": entity.name, "list_type": "black", "reason": "拒不履行判决",
            "legal_basis": "《失信被执行人名单管理规定》", "decided_on": decided_on,
            "source_authority": "运城市中级人民法院", "source_reference": f"（2026）晋08执{decided_on}号"}


@pytest.mark.parametrize("decided_on", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_an_import_row_outside_the_window_is_400_naming_decided_on_and_imports_nothing(
        regulator_client, entity_a, decided_on):
    response = regulator_client.post("/api/v1/listings/import/", {"rows": [_import_row(entity_a, decided_on)]},
                                     format="json")
    body = assert_json_error(response, 400)
    assert "decided_on" in str(body["rows"]), body
    assert not Listing.objects.exists()


def test_an_import_row_decided_on_2000_01_01_is_imported(regulator_client, entity_a):
    response = regulator_client.post("/api/v1/listings/import/", {"rows": [_import_row(entity_a, "2000-01-01")]},
                                     format="json")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1


def test_the_import_service_holds_rows_to_the_window_without_a_serializer(regulator, entity_a):
    """The command line hands the service raw strings: the same window, the same error, no OverflowError."""
    from config.api.exceptions import RuleViolation
    from regulator.lists.imports import listings_import

    with pytest.raises(RuleViolation) as refused:
        listings_import([_import_row(entity_a, "9999-12-31")], actor=regulator)
    assert "decided_on" in refused.value.detail["rows"]["0"]
    assert not Listing.objects.exists()


@pytest.mark.parametrize("url,parameter", [
    ("/api/v1/listings/?decided_after={}", "decided_after"),
    ("/api/v1/inspections/?inspected_before={}", "inspected_before"),
    ("/api/v1/audit-log/?after={}", "after"),
    ("/api/v1/entities/?created_after={}", "created_after"),
])
def test_date_filters_hold_to_the_window(regulator_client, url, parameter):
    assert parameter in assert_json_error(regulator_client.get(url.format("1999-12-31")), 400)
    assert parameter in assert_json_error(regulator_client.get(url.format("9999-12-31")), 400)
    assert regulator_client.get(url.format("2000-01-01")).status_code == 200


def _project_serializers() -> list[type]:
    """Every serializer class of the project's apps (imported by the URL map)."""
    import config.urls  # noqa: F401 - loads every view, and so every serializer module

    found, stack = [], [drf_serializers.BaseSerializer]
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        module = cls.__module__.split(".")[0]
        if module in {"core", "entities", "complaints", "ratings", "regulator"} and "tests" not in cls.__module__:
            found.append(cls)
    return found


def _writable_dates(serializer, path: str = ""):
    for name, field in serializer.fields.items():
        child = getattr(field, "child", field)
        if isinstance(child, drf_serializers.BaseSerializer) and not field.read_only:
            yield from _writable_dates(child, f"{path}{name}.")
        elif isinstance(field, drf_serializers.DateField) and not field.read_only:
            yield f"{path}{name}", field


def test_every_writable_date_field_of_every_api_serializer_holds_to_the_window():
    """Every serializer that can take input, that is all but those documented only as answers (a licence check's
    result, a public profile: drf-spectacular's document of every operation says which shape a request body and
    which an answer); a serializer documented nowhere is checked too."""
    from tests.support.documented_serializers import documented_serializers

    requests, responses = documented_serializers()
    answers_only = responses - requests

    def answer_shape(cls) -> bool:
        """Documented only as an answer, or a base class of such answers alone (``_Stamped``)."""
        if cls in answers_only:
            return True
        subclasses = cls.__subclasses__()
        return cls not in requests and bool(subclasses) and all(answer_shape(sub) for sub in subclasses)

    checked, missing = 0, []
    for cls in _project_serializers():
        if answer_shape(cls):
            continue
        try:
            fields = list(_writable_dates(cls()))
        except Exception:  # noqa: BLE001 - a serializer that needs arguments to exist cannot take input either
            fields = []
        for name, field in fields:
            checked += 1
            if api_serializers.validate_date_in_window not in field.validators:
                missing.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert checked >= 10
    assert missing == []
    # the request bodies that take dates are among those checked (the exclusion above is of answers only)
    from complaints.api.attachments import ComplaintFilingSerializer
    from entities.api.workers import HealthCheckSerializer, WorkerRegisterSerializer

    assert {ComplaintFilingSerializer, HealthCheckSerializer, WorkerRegisterSerializer} <= requests - answers_only


# --- body size, URL-level 404 and debug pages under /api/ -------------------------------------------------


def test_a_10_mb_body_under_the_api_is_a_json_413_and_stores_nothing(regulator_client):
    body = b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = regulator_client.generic("POST", "/api/v1/entities/", body, content_type="application/json")
    assert assert_json_error(response, 413)["code"] == "request_too_large"


def test_the_size_limit_is_inclusive(regulator_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    at_limit = b'{"name": "' + b"x" * (64 - 12) + b'"}'
    assert len(at_limit) == 64
    assert regulator_client.generic("POST", "/api/v1/entities/", at_limit,
                                    content_type="application/json").status_code == 400  # missing fields
    over = b'{"name": "' + b"x" * (65 - 12) + b'"}'
    assert regulator_client.generic("POST", "/api/v1/entities/", over,
                                    content_type="application/json").status_code == 413


def test_a_10_mb_form_post_to_a_page_is_a_chinese_413_page(web):
    response = web.post("/complaints/new/", {"description": "x" * (10 * 1024 * 1024)})
    assert "请求内容过大" in assert_chinese_page(response, 413)
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/api/v1/entities/-1/", "/api/v1/no-such-list/", "/api/v1/entities/abc/"])
def test_a_url_level_404_under_the_api_is_the_json_error_body(regulator_client, settings, debug, url):
    settings.DEBUG = debug
    assert assert_json_error(regulator_client.get(url), 404)["code"] == "not_found"


def test_a_404_outside_the_api_stays_a_chinese_page(web):
    assert "未找到" in assert_chinese_page(web.get("/no-such-page/"), 404)


def test_a_body_too_large_under_debug_is_json_413_not_the_debug_page(regulator_client, settings):
    settings.DEBUG = True
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 64
    response = regulator_client.generic("POST", "/api/v1/entities/", b"{" + b" " * 100 + b"}",
                                        content_type="application/json")
    assert_json_error(response, 413)


# --- the database out of reach ------------------------------------------------------------------------------


def database_down():
    """The default connection refuses, as PostgreSQL stopped does (simulated: the server is shared)."""
    refused = OperationalError('connection to server on socket "/tmp/.s.PGSQL.5432" failed: Connection refused')
    return mock.patch.object(connections["default"], "ensure_connection", side_effect=refused)


@pytest.mark.parametrize("debug", [False, True])
def test_the_api_answers_503_in_json_with_retry_after_when_the_database_is_down(regulator_client, settings, debug):
    settings.DEBUG = debug
    assert regulator_client.get("/api/v1/entities/").status_code == 200
    with database_down():
        response = regulator_client.get("/api/v1/entities/")
    assert assert_json_error(response, 503)["code"] == "service_unavailable"
    assert int(response["Retry-After"]) > 0


def test_a_token_login_answers_503_when_the_database_is_down(anon_client):
    with database_down():
        response = anon_client.post("/api/v1/auth/token/", {"username": "a", "password": "b"}, format="json")
    assert_json_error(response, 503)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/search/?q=运城", "/complaints/track/ABCDEFGH/"])
def test_a_page_answers_a_chinese_503_page_when_the_database_is_down(web, settings, debug, url):
    settings.DEBUG = debug
    assert web.get(url).status_code in (200, 404)
    with database_down():
        response = web.get(url)
    html = assert_chinese_page(response, 503)
    assert "服务暂时不可用" in html and "稍后" in html
    assert int(response["Retry-After"]) > 0


def test_the_admin_answers_503_when_the_database_is_down(staff_regulator):
    client = logged_in(staff_regulator)
    with database_down():
        response = client.get("/admin/")
    assert_chinese_page(response, 503)


# --- generated: every page of the site ----------------------------------------------------------------------

JUNK_VALUES = {
    "nul": "%00",
    "long": "旅" * 3000,
    "broken-utf8": "%ff%fe",
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "huge-number": "9" * 40,
    "negative": "-1",
    "markup": "<script>alert(1)</script>",
}
PAGE_QUERY_PARAMETERS = ["q", "list", "page", "code", "payload", "signature", "entity", "which", "next"]


@pytest.fixture
def site(entity_a, business_a, regulator, settings, tmp_path):
    """A published listing of entity_a (its 告知书 a document the business reads), a complaint against it, a fined
    finding of an inspection of it (its penalty statement and rectification pages), and its business account,
    which also speaks for a household firm with a worker (file, employment, 居家上门服务证)."""
    from entities.models import Category, Sector
    from tests.entities.worker_fixtures import ready_worker
    from tests.support.factories import EntityFactory

    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    listing = publish(entity_a, regulator)
    complaint = file_complaint(entity_a)
    violation = ViolationType.objects.filter(active=True, sector=entity_a.sector).order_by("id").first()
    inspection = complaint_services.inspection_create(
        actor=regulator, entity=entity_a, inspected_on=today() - datetime.timedelta(days=3), kind="targeted",
        summary="现场检查", findings=[{"violation_type": violation, "description": violation.name, "penalty": "fine",
                                      "fine_amount": decimal.Decimal("5000"), "decision_number": "运盐文旅罚〔2026〕9号",
                                      "rectify_by": today() + datetime.timedelta(days=30)}])
    firm = EntityFactory(name="盐湖区甲家政服务有限公司", sector=Sector.HOUSEHOLD_SERVICE,
                         category=Category.HOUSEHOLD_SERVICE_COMPANY)
    business_a.entities.add(firm)
    employment = ready_worker(business_a, firm)
    card = worker_services.card_issue(actor=business_a, employment=employment)
    return {"credit_code": entity_a.credit_code, "code": complaint.tracking_code, "entity_id": entity_a.pk,
            "complaint_id": complaint.pk, "listing_id": listing.pk, "document_id": listing.notice_document_id,
            "finding_id": inspection.findings.get().pk, "person_id": employment.person_id,
            "employment_id": employment.pk, "card_id": card.pk, "card_code": card.code, "business": business_a,
            **_later_site(entity_a, firm, employment, inspection, business_a, regulator)}


def _later_site(entity, firm, employment, inspection, business, regulator) -> dict:
    """The later pages' arguments: an ended 专项行动 with the inspection tagged, a reviewed service order of the firm
    and the unused link of another, an award round and an application in its notice (objections open)."""
    from django.utils import timezone as tz

    from complaints import campaign_services
    from entities import review_services
    from ratings.models import CreditScore
    from regulator.lists import award_services

    day = today()
    campaign = campaign_services.campaign_create(
        actor=regulator, name="文明经商专项行动", kind="civility", sectors=[entity.sector],
        region_prefix=entity.region_code[:4], starts_on=day - datetime.timedelta(days=10),
        ends_on=day - datetime.timedelta(days=1))
    campaign_services.inspection_campaign_set(inspection_id=inspection.pk, campaign=campaign, actor=regulator)

    def order():
        return review_services.service_order_create(
            actor=business, entity=firm, worker=employment.person, served_on=day - datetime.timedelta(days=1),
            service_kind="cleaning", customer_phone="13700000001")

    review = review_services.review_submit(token=order().link_token, rating=4, comment="准时")
    award_round = award_services.award_round_open(
        kind="honest_enterprise", name="诚信企业评选", region_code="140000",
        opens_on=day - datetime.timedelta(days=30), closes_on=day + datetime.timedelta(days=30), actor=regulator)
    CreditScore.objects.update_or_create(entity=firm, defaults={
        "score": 900, "grade": "A", "model_version": 1, "as_of": day, "breakdown": [], "computed_at": tz.now()})
    application = award_services.award_nominate(round_id=award_round.pk, entity_id=firm.pk, actor=regulator)
    award_services.award_review(application_id=application.pk, actor=regulator, approve=True)
    return {"campaign_id": campaign.pk, "token": order().link_token, "review_id": review.pk,
            "application_id": application.pk, "round_id": award_round.pk}


def _page_patterns() -> list[URLPattern]:
    return [pattern for pattern in portal_urls.urlpatterns if isinstance(pattern, URLPattern)]


#: pages whose path argument names another of the site's values than its own name: (page, argument) -> key of site
PAGE_ARGUMENTS = {("card", "code"): "card_code"}  # /cards/<code>/ takes a 居家上门服务证 code, not a tracking code


def _page_url(pattern: URLPattern, site: dict, **override) -> str:
    arguments = {name: override.get(name, site[PAGE_ARGUMENTS.get((pattern.name, name), name)])
                 for name in pattern.pattern.converters}
    return reverse(f"web:{pattern.name}", kwargs=arguments)


#: cases this suite found that another owner's file must fix (not xfail-strict: they pass once fixed)
KNOWN_FAILURES: dict[str, str] = {}


def _known(case_id: str) -> list:
    reason = KNOWN_FAILURES.get(case_id)
    return [pytest.mark.xfail(reason=reason, strict=False)] if reason else []


def _page_cases() -> list:
    cases = []
    for pattern in _page_patterns():
        for junk in JUNK_VALUES:
            case_id = f"{pattern.name}-query-{junk}"
            cases.append(pytest.param(pattern.name, "query", junk, id=case_id, marks=_known(case_id)))
            if pattern.pattern.converters:
                cases.append(pytest.param(pattern.name, "path", junk, id=f"{pattern.name}-path-{junk}"))
    return cases


def _spliced(url: str, value: str) -> str:
    """``url`` with ``value`` appended to its last path argument (before the trailing ``/`` or ``.pdf``)."""
    match = re.match(r"^(.*?)(/|/report/|/report\.pdf|/objection/|/reply/|/repair/|/pdf/|/statement/|/evidence/"
                     r"|/health-checks/|/trainings/|/identity/|/end/|/card/|/revoke/|/apply/|/satisfaction/)$", url)
    head, tail = match.groups() if match else (url, "")
    return f"{head}{value}{tail}"


@pytest.mark.parametrize("name,where,junk", _page_cases())
@pytest.mark.parametrize("who", ["anonymous", "business"])
def test_every_page_answers_junk_in_its_path_and_query_below_500(site, name, where, junk, who):
    pattern = next(p for p in _page_patterns() if p.name == name)
    client = logged_in(site["business"]) if who == "business" else Client()
    value = JUNK_VALUES[junk]
    url = _page_url(pattern, site)
    if where == "path":
        url = _spliced(url, value)
    else:
        url += "?" + "&".join(f"{parameter}={value}" for parameter in PAGE_QUERY_PARAMETERS)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code < 500, (method, url, response.content[:300])
        if junk == "nul":
            assert_chinese_page(response, 400)


FORM_JUNK = {
    "nul": "运城\x00旅行社",
    "100kb": "旅" * 34_000,
    "year-1": "0001-01-01",
    "year-9999": "9999-12-31",
    "before-2000": "1999-12-31",
    "not-a-date": "2025-13-45",
    "list": ["a", "b"],
}
FORMS = {
    "complaint-new": ["entity_credit_code", "category", "incident_date", "description", "complainant_name",
                      "complainant_phone", "complainant_count", "representatives"],
    "complaint-track": ["code"],
    "verify": ["payload", "signature"],
    "login": ["username", "password"],
    "search": ["q", "list"],
}


def _valid_form(name: str, site: dict) -> dict:
    if name == "complaint-new":
        return {"entity_credit_code": site["credit_code"], "category": "forced_shopping",
                "incident_date": today().isoformat(), "description": "导游强迫购物", "complainant_name": "李四",
                "complainant_phone": "13800000000", "complainant_count": "1", "representatives": ""}
    if name == "verify":
        return {"payload": '{"kind": "credit_report"}', "signature": "AAAA"}
    if name == "login":
        return {"username": "business_a", "password": "wrong-password"}
    return {"code": site["code"], "q": "运城", "list": "black"}


@pytest.mark.parametrize("form,junk", [
    pytest.param(form, junk, id=f"{junk}-{form}", marks=_known(f"{junk}-{form}"))
    for form in FORMS for junk in FORM_JUNK])
def test_every_public_form_answers_junk_in_each_field_below_500(site, form, junk):
    for field in FORMS[form]:
        before = Complaint.objects.count()
        data = {**_valid_form(form, site), field: FORM_JUNK[junk]}
        response = Client().post(reverse(f"web:{form}"), data)
        assert response.status_code < 500, (form, field, response.content[:300])
        if form == "complaint-new" and (field == "incident_date" or junk == "nul"):
            assert Complaint.objects.count() == before, f"a complaint with {junk} in {field} was filed"


def test_a_complaint_page_dated_before_2000_is_refused_and_2000_01_01_is_in_the_window(site):
    data = _valid_form("complaint-new", site)
    refused = Client().post(reverse("web:complaint-new"), {**data, "incident_date": "1999-12-31"})
    assert refused.status_code == 400
    assert "2000-01-01" in refused.content.decode()
    assert Complaint.objects.count() == 1  # the site fixture's


# --- generated: every admin changelist --------------------------------------------------------------------

ADMIN_JUNK = ["%00", "x" * 5000, "%ff", "-1", "9" * 40, "0001-01-01", "9999-12-31", "2025-13-45", "1.5", "[]"]
ADMIN_PARAMETERS = ["q", "o", "p", "all", "e", "_to_field", "_popup"]


@pytest.fixture
def admin_world(staff_regulator, entity_a, business_a, inspector):
    """A row or two in the main tables, made by the services, so filters have choices to offer."""
    publish(entity_a, staff_regulator)
    complaint = file_complaint(entity_a)
    violation = ViolationType.objects.filter(active=True).first()
    complaint_services.inspection_create(
        actor=inspector, entity=entity_a, inspected_on=today(), kind="complaint", complaint=complaint,
        summary="现场核查", findings=[{"violation_type": violation, "description": violation.name, "penalty": "warning",
                                      "decision_number": "运盐文旅罚〔2026〕1号"}])
    CalendarDay.objects.get_or_create(date=datetime.date(2031, 1, 1), defaults={"kind": "holiday", "name": "元旦"})
    return logged_in(staff_regulator)


def _changelists() -> list:
    return [pytest.param(model, id=f"{model._meta.app_label}.{model._meta.model_name}")
            for model in admin.site._registry]


def _filter_parameters(html: str) -> set[str]:
    """The query parameters the changelist's filter links use (list_filter, date hierarchy, ordering)."""
    names = set()
    for href in re.findall(r'href="(\?[^"]*)"', html):
        names.update(name for name, _ in parse_qsl(urlsplit(href.replace("&amp;", "&")).query,
                                                    keep_blank_values=True))
    return names


@pytest.mark.parametrize("model", _changelists())
def test_every_admin_changelist_answers_junk_filters_below_500(admin_world, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    page = admin_world.get(url)
    assert page.status_code == 200, page.content[:300]
    parameters = _filter_parameters(page.content.decode()) | set(ADMIN_PARAMETERS)
    for parameter in sorted(parameters):
        for value in ADMIN_JUNK:
            response = admin_world.get(f"{url}?{parameter}={value}")
            assert response.status_code < 500, (parameter, value, response.content[:300])
            if value == "%00":
                assert_chinese_page(response, 400)
