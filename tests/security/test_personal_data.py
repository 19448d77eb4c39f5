"""Personal data: whole ID numbers never leave the service, complainants are known to the regulator only.

One module-scoped run sends every GET route of the API (found by the URL
resolver) as each role -- regulator, both inspectors, both businesses and the
anonymous public -- for every object of the two-business world, plus the
writes that take personal data in (filing a complaint, registering a person,
licence checks by ID number, importing a listed person). Every answer body
and every log line of the run is kept and scanned:

- no whole 18-digit resident ID number created here appears in any answer,
  in any log line, or in any SQL the service sends;
- complainants' names and phones appear only in answers to the regulator;
- the public sees listed persons by masked name only;
- the public endpoints and the complaint views of businesses and inspectors
  answer no key outside their allowlist.
"""

from __future__ import annotations

import datetime
import json
import logging
import random
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.models import InspectionPlan
from entities import codes
from regulator.disclosure.exports import FORMATS
from regulator.disclosure.selectors import mask_name
from tests.support import api_client
from tests.support.upload_files import upload

from .conftest import API_PREFIX, World, api_routes, build_world, rolled_back, route_model, send, text_of

pytestmark = pytest.mark.django_db

# client_a: A's department client (Authorization: Api-Key), holding every scope
ROLES = ("regulator", "inspector_in", "inspector_out", "business_a", "business_b", "anonymous", "client_a")
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")  # r"\b\d{17}[\dXx]\b" without \b's CJK blind spot
FORBIDDEN_KEYS = {"complainant_name", "complainant_phone", "tracking_code", "id_number", "id_hash",
                  "complainant_count", "representatives",
                  # a service order's customer (家政服务评价) and an award objector: known to the regulator only
                  "customer_phone", "customer_email", "customer_phone_hash", "link_digest", "contact"}
_rng = random.Random(20260301)

# Every key (at any depth) each role may receive from each endpoint: the spec, written out. A key outside
# it is either a leak or a new field to review here.
_RECEIPT = {"receipt", "payload", "signature", "algorithm", "key_id", "public_key", "kind", "query_sha256",
            "result_sha256", "checked_at", "as_of", "data_version",
            # receipts name what they prove (decision 0010): subject, question, result in words, the JWS form
            "jws", "receipt_format", "subject", "question", "result", "type", "text", "name", "credit_code",
            "list_type", "q", "page", "since"}
_PUBLIC_LISTING = {"id", "list_type", "subject_type", "name", "credit_code", "related_entity_name", "person_role",
                   "sector", "region_code", "reason", "legal_basis", "decision_number", "decided_on", "published_on",
                   "expires_on", "measures", "source_authority", "statements", "text", "published_at"}
_PAGE = {"count", "next", "previous", "results"}
_COMPLAINT = {"id", "entity", "entity_name", "entity_credit_code", "category", "description", "channel",
              "incident_date", "received_on", "status", "outcome", "resolution", "rejection_reason", "late_filing",
              "accept_due", "notify_due", "business_notified_on", "reply_due", "resolve_due", "accepted_on",
              "resolved_on", "overdue", "business_response", "business_responded_at", "created_at", "updated_at",
              # the respondent as the complainant described it (an operator or a practitioner, not the complainant)
              "respondent_kind", "respondent_name", "operator_name", "operator_address", "operator_phone",
              "operator_details", "person", "person_name", "person_role", "person_card_number", "region_code",
              "sector",
              # the procedure: ground of refusal, transfer, 答复通知书, mediation (调解书 / 终止调解书)
              "rejection_ground", "transferred_to", "transferred_contact", "transferred_on", "business_notice",
              "business_notice_number", "notice_issued_on", "notice_overdue", "reply_overdue", "mediation_result",
              "mediation_terms", "mediation_complainant_signed_on", "mediation_respondent_signed_on",
              "mediation_termination_reason", "mediation_document",
              # the household worker the complaint is about: an id (the firm's own employee), no name
              "worker"}
_HISTORY = {"action", "from_status", "to_status", "actor_name", "reason", "created_at"}
# The notices addressed to the complainant, as the tracking page prints them (the recipient is "投诉人（投诉编号 N）")
_TRACK_DOCUMENT = {"id", "kind", "number", "title", "authority", "recipient", "content", "heading", "text",
                   "issued_on", "delivery_method", "delivered_on"}
_TRACK = {"tracking_code", "entity_name", "category", "status", "outcome", "received_on", "accept_due", "resolve_due",
          "overdue", "rejection_reason", "updated_at", "history", "action", "to_status", "created_at",
          "respondent_name", "rejection_ground", "transferred_to", "transferred_contact", "documents",
          *_TRACK_DOCUMENT}
_PLAN = {"id", "month", "region_prefix", "seed", "rates", "population_size", "sample_size", "excluded", "published_at",
         "items", "entity_name", "credit_code", "inspected_on", "findings", "A", "B", "C", "D"}  # rates per grade
_ENTITY = {"id", "credit_code", "name", "sector", "category", "region_code", "address", "status", "created_at",
           "updated_at"}
_CREDIT = {"entity", "score", "grade", "model_version", "computed_at", "as_of", "base", "breakdown", "source_type",
           "source_id", "rule", "base_points", "weight", "points", "occurred_on", "expires_on"}
_LISTING = {"id", "list_type", "subject_type", "entity", "person", "subject_name", "related_entity", "person_role",
            "reason", "legal_basis", "source", "source_type", "source_id", "source_rule", "status", "rule_set_version",
            "period_days", "notified_on", "objection_due", "decided_on", "decision_number", "measures",
            "appeal_routes", "published_on", "expires_on", "ended_on", "end_reason", "source_authority",
            "source_reference", "restrictions", "created_at", "updated_at", "type", "rule", "authority",
            "licence_types", "effect", "basis", "until",
            # due process: the window the notice gave, the measures' codes, the 告知书 and 认定决定书 in brief
            "objection_working_days", "measure_codes", "notice_document", "decision_document", "kind", "number",
            "title", "issued_on", "delivery_method", "announced_on", "delivered_on", "served"}
_FINDING = {"id", "inspection", "entity", "violation_code", "violation_name", "severity", "description", "penalty",
            "fine_amount", "decision_number", "decided_on", "rectify_by", "rectified_on", "worker"}
_EXPORT = _PUBLIC_LISTING | {"files", "bytes", "sha256", "records", "generated_at", "data_version",
                             # the codes' Chinese labels beside them (open-data dictionary), and the manifest's
                             # open licence, title, file paths and the data package and dictionary addresses
                             "list_type_label", "subject_type_label", "person_role_label", "sector_label",
                             "region_code_label", "licence", "title", "path", "datapackage", "dictionary",
                             # the signed audit checkpoint published beside the open data (decision 0012)
                             "audit_checkpoint", "payload", "signature", "algorithm", "key_id", "public_key",
                             "kind", "chain", "day", "entry_count", "head_id", "head_hash", "taken_at",
                             *(f"{kind}list.{fmt}" for kind in ("black", "red") for fmt in FORMATS),
                             # the 双公示 files beside the lists (decision 0026), their dictionary and version
                             *(f"{kind}.{fmt}" for kind in ("penalties", "licences") for fmt in FORMATS),
                             "publicity_dictionary", "publicity_version"}
# The registry search (regulator/disclosure/registry.py): registry data (the address with phones and ID numbers
# redacted, as the operator page prints it), city and district, and the published listings in force, persons masked
_REGISTRY = {"id", "credit_code", "name", "sector", "category", "region_code", "region_name", "address", "status",
             "city", "city_name", "district", "district_name", "listed", "listings", "record_text", "url",
             "list_type", "list_label", "subject_type", "person_name", "person_role", "published_on", "expires_on",
             # the awards in force (诚信评选 badges: title, round, decision, validity, basis)
             "awards", "kind_label", "round_name", "decision_number", "decided_on", "valid_until", "legal_basis"}
# the published reviews' summary of a firm or a worker (家政服务评价: count and average, no customer)
_REVIEW_SUMMARY = {"reviews", "count", "average"}
# 居家上门服务证 as the public checks it: masked name, firm, validity and flags, never an ID number, phone or address
_CARD = {"card_code", "worker_name", "firm_name", "firm_credit_code", "status", "status_text", "valid", "issued_on",
         "valid_until", "revoked_on", "reasons", "flags", "identity_verified", "health_check_valid", "training_done",
         "no_bad_record", "health_check_valid_until", "as_of", "data_version"}
# 家政服务员信用档案 as its firm reads it: the masked ID number only; the firm's own employments and cards
_WORKER_EMPLOYMENT = {"id", "entity", "entity_name", "person", "started_on", "ended_on", "position", "created_at",
                      "updated_at"}
_WORKER_CARD = {"id", "code", "employment", "entity", "person", "issued_on", "expires_on", "revoked_on",
                "revoked_reason", "created_at", "updated_at"}
_WORKER_ENTRIES = {"id", "person", "entity", "verified_on", "method", "verifier_name", "checked_on", "expires_on",
                   "passed", "institution", "certificate_number", "kind", "provider", "hours", "completed_on", "name",
                   "level", "number", "issuer", "issued_on", "created_at", "updated_at"}
_WORKER_FILE = {"id", "name", "id_number_masked", "employments", "cards", "identity_verifications", "health_checks",
                "trainings", "skill_certificates", "created_at", "updated_at"} | _WORKER_EMPLOYMENT | _WORKER_CARD \
    | _WORKER_ENTRIES
# a complaint's attachments as the business complained about sees them: no file name from the complainant's device
_ATTACHMENT = {"id", "position", "kind", "size", "sha256", "created_at", "url"}
# 整改材料 as the business that sent it reads it (its own file names; not the reviewer's account)
_EVIDENCE = {"id", "finding", "status", "note", "files", "review_note", "reviewed_at", "rectified_on", "created_at",
             "position", "kind", "size", "sha256", "original_name", "url"}
# the shared lists (lists:read): subjects named, a person's ID number masked only
_SHARED_LISTING = {"id", "list_type", "subject_type", "credit_code", "entity_name", "person_name", "id_number_masked",
                   "person_role", "related_credit_code", "reason", "legal_basis", "decided_on", "decision_number",
                   "published_on", "expires_on", "source_authority"}
# 双公示 records (regulator/disclosure/publicity_selectors.py): the public's legal representative masked; the
# penalty feed's (penalties:read) in full, with the record's end and lateness
_PUBLICITY = {"id", "kind", "subject_name", "credit_code", "legal_representative", "decision_number", "category",
              "content", "fine_amount", "decided_on", "publicity_until", "authority_name", "authority_credit_code",
              "source_unit", "version", "publicity_version"}
_PENALTY_FEED = _PAGE | _PUBLICITY | {"publication_ends_on", "ended", "end_reason", "produced_at", "due_by", "late",
                                      "updated_at"}
# the push feed pulled (regulator/disclosure/feed_services.event_view): a subject by name or masked person, no more
_FEED = {"results", "since", "next_since", "has_more", "next", "id", "kind", "occurred_at", "subject", "payload",
         "subject_type", "person_name", "related_credit_code", "related_name", "id_number_masked", "credit_code",
         "name",
         # the event's payload: the listing's or the licence's change as published (decision 0027)
         "change", "listing_id", "list_type", "status", "from_status", "person_role", "decided_on", "decision_number",
         "published_on", "expires_on", "from_expires_on", "ended_on", "source_authority", "licence_id",
         "licence_type", "number", "issued_on"}
# 诚信评选 as the public reads it: notices and awards, never an objector
_AWARD = {"as_of", "in_notice", "granted", "id", "kind", "kind_label", "round_name", "entity_name", "credit_code",
          "status", "status_label", "notice_starts_on", "notice_due", "decision_number", "decided_on", "valid_until",
          "legal_basis"}
# 家政服务评价: the customer's link shows the firm and the worker masked; a firm's orders and reviews never carry the
# customer's phone, e-mail or their hash
_REVIEW_LINK = {"firm_name", "worker_name", "service_kind", "service_kind_label", "served_on", "expires_at"}
_ORDER = {"id", "entity", "entity_name", "worker", "worker_name", "service_kind", "served_on", "reference",
          "link_channels", "link_sent", "link_expires_at", "link_used", "review", "created_at", "rating", "status",
          "reply_status", "submitted_at"}
_REVIEW = {"id", "order", "entity", "worker", "served_on", "rating", "comment", "status", "rejection_reason",
           "moderated_at", "reply", "reply_status", "reply_rejection_reason", "replied_at", "submitted_at"}
# 投诉处理满意度 by tracking code: the state only, never the complainant or the comment
_SATISFACTION = {"status", "rateable", "rated", "rating"}
ALLOWED_KEYS: dict[tuple[str, str], set[str]] = {
    ("public-publicity-licences", "anonymous"): _PAGE | _PUBLICITY | _RECEIPT,
    ("public-publicity-penalties", "anonymous"): _PAGE | _PUBLICITY | _RECEIPT,
    ("penalty-feed", "client_a"): _PENALTY_FEED,
    ("feed-changes", "client_a"): _FEED,
    ("public-awards", "anonymous"): _AWARD,
    ("public-review-link", "anonymous"): _REVIEW_LINK,
    ("service-order-list", "business_a"): _PAGE | _ORDER,
    ("service-order-detail", "business_a"): _ORDER,
    ("service-review-list", "business_a"): _PAGE | _REVIEW,
    ("service-review-detail", "business_a"): _REVIEW,
    ("complaint-satisfaction", "anonymous"): _SATISFACTION,
    ("public-registry", "anonymous"): _PAGE | _REGISTRY | _RECEIPT,
    ("public-worker-card", "anonymous"): _CARD | _RECEIPT | _REVIEW_SUMMARY,
    ("worker-list", "business_a"): _PAGE | _WORKER_FILE | {"status", "employment"},  # + the registration's answer
    ("worker-detail", "business_a"): _WORKER_FILE,
    ("worker-card-list", "business_a"): _PAGE | _WORKER_CARD,
    ("worker-employment-list", "business_a"): _PAGE | _WORKER_EMPLOYMENT,
    ("worker-identity-list", "business_a"): _PAGE | _WORKER_ENTRIES,
    ("worker-health-check-list", "business_a"): _PAGE | _WORKER_ENTRIES,
    ("complaint-attachments", "business_a"): _ATTACHMENT,
    ("complaint-attachments", "inspector_in"): _ATTACHMENT,
    ("finding-evidence", "business_a"): _EVIDENCE,
    ("shared-list", "client_a"): _PAGE | _SHARED_LISTING,
    ("public-blacklist", "anonymous"): _PAGE | _PUBLIC_LISTING | _RECEIPT,
    ("public-redlist", "anonymous"): _PAGE | _PUBLIC_LISTING | _RECEIPT,
    ("public-entity", "anonymous"): {"credit_code", "name", "sector", "category", "region_code", "status", "grade",
                                     "listings", "penalties"} | _PUBLIC_LISTING | _RECEIPT | _REVIEW_SUMMARY,
    ("public-changes", "anonymous"): {"since", "results", "more", "change", "changed_at", "listing_id", "public",
                                      "listing"} | _PUBLIC_LISTING | _RECEIPT,
    ("public-export", "anonymous"): _EXPORT,
    ("public-inspection-plan-list", "anonymous"): _PAGE | _PLAN,
    ("receipt-key", "anonymous"): {"algorithm", "key_id", "public_key"},
    ("complaint-track-detail", "anonymous"): _TRACK,
    ("complaint-list", "business_a"): _PAGE | _COMPLAINT,
    ("complaint-detail", "business_a"): _COMPLAINT,
    ("complaint-history", "business_a"): _HISTORY,
    ("complaint-list", "inspector_in"): _PAGE | _COMPLAINT,
    ("complaint-detail", "inspector_in"): _COMPLAINT,
    ("complaint-history", "inspector_in"): _HISTORY,
    ("me", "business_a"): {"username", "entities", "credit", "listings", "open_findings", "complaints"} | _ENTITY
    | _CREDIT | _LISTING | _FINDING | _COMPLAINT,
}
# The tracking view answers the code the caller put in the URL: its own bearer secret, not someone else's.
FORBIDDEN_EXEMPT = {("complaint-track-detail", "anonymous"): {"tracking_code"}}


@dataclass
class Answer:
    role: str
    route: str
    method: str
    url: str
    status: int
    text: str

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            return None


@dataclass
class Traffic:
    world: World = field(repr=False)
    answers: list[Answer] = field(default_factory=list)
    logs: list[logging.LogRecord] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)
    id_numbers: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    complainant_names: list[str] = field(default_factory=list)


class _Keep(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]):
        super().__init__(level=logging.DEBUG)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.format(record)  # renders args and exc_text once, while the objects are alive
        self.into.append(record)


def _get_targets(world: World) -> dict[str, list[str]]:
    """Every GET url of the API for the world's objects, keyed by route name."""
    sides = (world.a, world.b)
    urls: dict[str, list[str]] = {}
    for route in api_routes():
        if "GET" not in route.methods or route.name == "api-root":
            continue
        if not route.kwargs:
            urls[route.name] = [f"{route.url()}?page_size=200"]
        elif route.id_kwargs:
            model = route_model(route)
            objects = [side.target(route, model) for side in sides if model in side.objects()]
            objects += [world.shared[model]] if model in world.shared else []
            urls[route.name] = [route.url(**{route.id_kwargs[0]: obj.pk}) for obj in objects]
        elif route.kwargs == ("tracking_code",):
            urls[route.name] = [route.url(tracking_code=side.complaint.tracking_code) for side in sides]
        elif route.kwargs == ("credit_code",):
            urls[route.name] = [route.url(credit_code=code) for side in sides
                                for code in (side.entity.credit_code, side.firm.credit_code)]
        elif route.kwargs == ("token",):  # the customer's review link (unused: answered 200)
            urls[route.name] = [route.url(token=side.review_token) for side in sides]
        elif route.kwargs == ("card_code",):
            urls[route.name] = [route.url(card_code=side.card.code) for side in sides]
        elif route.kwargs == ("list_type",):
            urls[route.name] = [route.url(list_type=kind) for kind in ("black", "watch", "red")]
        elif route.kwargs == ("metric",):
            from regulator.workbench.stats import METRICS

            urls[route.name] = [route.url(metric=code) for code in METRICS]
        elif route.kwargs == ("name",):
            urls[route.name] = [route.url(name=f"{kind}list.{fmt}") for kind in ("black", "red") for fmt in FORMATS]
            urls[route.name].append(route.url(name="manifest.json"))
        else:
            raise AssertionError(f"no GET target for {route.pattern}")
    urls["public-blacklist"].append(f"/{API_PREFIX}public/blacklist/?q={world.b.person.name[:2]}")
    # the registry search by name and by credit code, each business and its household firm (the summary of the
    # person listing through the business shown masked)
    urls["public-registry"] += [f"/{API_PREFIX}public/entities/?q={q}" for side in sides
                                for q in (side.entity.name[:4], side.firm.credit_code)]
    return urls


def _run(traffic: Traffic) -> None:
    world = traffic.world
    users = {"regulator": world.regulator, "inspector_in": world.inspector_in, "inspector_out": world.inspector_out,
             "business_a": world.a.account, "business_b": world.b.account, "anonymous": None}
    clients = {role: api_client(user, token=True) for role, user in users.items()}
    clients["client_a"] = api_client(REMOTE_ADDR="127.0.0.1")
    clients["client_a"].credentials(HTTP_AUTHORIZATION=f"Api-Key {world.a.client_key}")

    def record(role: str, route: str, method: str, url: str, body: dict | None = None, *,
               format: str = "json") -> Answer:
        response = send(clients[role], method, url, body, format=format)
        answer = Answer(role, route, method, url, response.status_code, text_of(response))
        traffic.answers.append(answer)
        return answer

    # Writes that take personal data in.
    new_number = codes.id_number("140821", datetime.date(1966, 6, 6), _rng)
    imported_number = codes.id_number("140802", datetime.date(1972, 2, 2), _rng)
    traffic.id_numbers += [new_number, imported_number]
    record("regulator", "person-list", "POST", f"/{API_PREFIX}persons/", {"name": "新登记人", "id_number": new_number})
    record("regulator", "person-list", "POST", f"/{API_PREFIX}persons/", {"name": "重复登记", "id_number": new_number})
    record("anonymous", "complaint-list", "POST", f"/{API_PREFIX}complaints/", {
        "entity": world.a.entity.pk, "category": "price", "description": "价格欺诈", "channel": "web",
        "incident_date": str(world.a.complaint.incident_date), "complainant_name": world.a.complainant_name,
        "complainant_phone": world.a.complainant_phone})
    for role in ("regulator", "inspector_in"):
        record(role, "licence-check", "POST", f"/{API_PREFIX}licence-checks/", {
            "licence_type": "travel_agency_business", "person_id_numbers": world.id_numbers})
        record(role, "licence-check-batch", "POST", f"/{API_PREFIX}licence-checks/batch/", {"checks": [
            {"licence_type": "tour_guide", "person_id_numbers": [number]} for number in world.id_numbers]})
    record("regulator", "listing-import-listings", "POST", f"/{API_PREFIX}listings/import/", {"rows": [{
        "id_number": imported_number, "name": "外省失信人", "list_type": "black", "reason": "外部门认定",
        "legal_basis": "《旅游法》", "decided_on": str(world.a.person_listing.decided_on),
        "source_authority": "某省文旅厅", "source_reference": "PD-1"}]})

    # A household firm registers a worker by ID number (twice: the second is "unchanged"), uploads another in a
    # file, and records a health check; a department client screens the persons of the world by ID number.
    worker_number = codes.id_number("140802", datetime.date(1988, 8, 8), _rng)
    uploaded_number = codes.id_number("140802", datetime.date(1989, 9, 9), _rng)
    traffic.id_numbers += [worker_number, uploaded_number]
    for _time in range(2):
        record("business_a", "worker-list", "POST", f"/{API_PREFIX}workers/", {
            "entity": world.a.firm.pk, "name": "新家政员", "id_number": worker_number,
            "started_on": str(world.a.employment.started_on)})
    record("business_a", "worker-upload", "POST", f"/{API_PREFIX}workers/upload/", {
        "entity": world.a.firm.pk, "file": upload(
            f"姓名,身份证号码,入职日期\r\n批量家政员,{uploaded_number},{world.a.employment.started_on}\r\n".encode(),
            "workers.csv", "text/csv")}, format="multipart")
    record("business_a", "worker-health-check-list", "POST", f"/{API_PREFIX}workers/health-checks/", {
        "person": world.a.worker.pk, "entity": world.a.firm.pk, "checked_on": str(world.a.employment.started_on),
        "expires_on": str(world.a.health_check.expires_on), "institution": "运城市中心医院"})
    for route, path in (("measures-check", "measures-checks"), ("licence-check", "licence-checks")):
        record("client_a", route, "POST", f"/{API_PREFIX}{path}/", {
            "measure": "public_procurement", "licence_type": "household_service_filing",
            "person_id_numbers": traffic.id_numbers})
        record("client_a", f"{route}-batch", "POST", f"/{API_PREFIX}{path}/batch/", {"checks": [
            {"measure": "public_procurement", "licence_type": "tour_guide", "person_id_numbers": [number]}
            for number in traffic.id_numbers]})

    # A's complaint accepted: its 受理通知书 is on the tracking view, and scanned with the rest.
    record("regulator", "complaint-accept", "POST", f"/{API_PREFIX}complaints/{world.a.complaint.pk}/accept/")

    # A published plan, so the public plan pages have rows to scan.
    record("regulator", "inspection-plan-publish", "POST",
           f"/{API_PREFIX}inspection-plans/{world.shared[InspectionPlan].pk}/publish/")

    # Every read, as every role.
    for route, urls in _get_targets(world).items():
        for url in urls:
            for role in ROLES:
                answer = record(role, route, "GET", url)
                if route == "audit-log-list" and role == "regulator":
                    page = answer.json() or {}
                    while page.get("next"):
                        answer = record(role, route, "GET", page["next"].removeprefix("http://testserver"))
                        page = answer.json() or {}


@pytest.fixture(scope="module")
def traffic(django_db_setup, django_db_blocker, tmp_path_factory) -> Traffic:
    logs: list[logging.LogRecord] = []
    handler, root = _Keep(logs), logging.getLogger()
    # DEBUG everywhere, including loggers configured quieter (django: INFO), as caplog.set_level would for root.
    loggers = [root, *(item for item in logging.root.manager.loggerDict.values() if isinstance(item, logging.Logger))]
    levels = {logger: logger.level for logger in loggers}
    root.addHandler(handler)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        with rolled_back(django_db_blocker, tmp_path_factory.mktemp("personal")):
            with CaptureQueriesContext(connection) as queries:
                world = build_world()
                traffic = Traffic(world=world, id_numbers=list(world.id_numbers), phones=list(world.phones),
                                  complainant_names=list(world.complainant_names))
                _run(traffic)
            traffic.sql = [query["sql"] for query in queries.captured_queries]
    finally:
        root.removeHandler(handler)
        for logger, level in levels.items():
            logger.setLevel(level)
    traffic.logs = logs
    return traffic


def _answer_keys(answer: Answer) -> set[str]:
    if answer.url.endswith(".csv"):
        return set(answer.text.splitlines()[0].lstrip("\ufeff").split(",")) if answer.text else set()
    if answer.url.endswith(".ndjson"):
        return set().union(set(), *(_keys(json.loads(line)) for line in answer.text.splitlines() if line.strip()))
    return _keys(answer.json())


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in _keys(value)}
    if isinstance(data, list):
        return {key for value in data for key in _keys(value)}
    return set()


def _non_sql_log_lines(traffic: Traffic) -> list[str]:
    lines = []
    for record in traffic.logs:
        if record.name.startswith("django.db.backends"):
            continue
        lines.append(f"{record.name}: {record.getMessage()} {record.exc_text or ''}")
    return lines


def test_the_run_covered_every_role_and_the_public(traffic):
    roles = {answer.role for answer in traffic.answers}
    assert roles == set(ROLES)
    routes = {answer.route for answer in traffic.answers}
    assert {"public-blacklist", "public-redlist", "public-entity", "public-export", "complaint-track-detail",
            "person-detail", "complaint-detail", "me", "public-registry", "public-worker-card", "worker-detail",
            "complaint-attachments", "complaint-attachment-file", "shared-list", "finding-evidence"} <= routes
    print(f"[figure] personal data: {len(traffic.answers)} answers, {len(traffic.logs)} log records, "
          f"{len(traffic.sql)} SQL statements scanned")
    assert len(traffic.answers) > 400


def test_no_answer_carries_a_whole_id_number(traffic):
    leaks = [f"{a.role} {a.method} {a.url} -> {a.status}" for a in traffic.answers
             if any(number in a.text or number in ID_NUMBER.findall(a.text) for number in traffic.id_numbers)]
    assert leaks == []
    masked = [a for a in traffic.answers if a.role == "regulator" and a.route == "person-detail" and a.status == 200]
    assert masked and all("*" * 10 in a.text for a in masked), "the masked form is what the regulator sees"


def test_complainants_are_shown_to_the_regulator_only(traffic):
    secrets = traffic.phones + traffic.complainant_names
    leaks = [f"{a.role} {a.method} {a.url} -> {a.status}: {[s for s in secrets if s in a.text]}"
             for a in traffic.answers if a.role != "regulator" and any(s in a.text for s in secrets)]
    assert leaks == []
    shown = [a for a in traffic.answers if a.role == "regulator" and a.route == "complaint-detail" and a.status == 200]
    assert shown and all(any(s in a.text for s in secrets) for a in shown), "control: the regulator does see them"


def test_the_public_sees_listed_persons_by_masked_name_only(traffic):
    world = traffic.world
    persons = [world.a.person.name, world.b.person.name, world.a.worker.name, world.b.worker.name]
    public = [a for a in traffic.answers if a.role == "anonymous" and a.status == 200]
    leaks = [f"{a.url}: {[p for p in persons if p in a.text]}" for a in public if any(p in a.text for p in persons)]
    assert leaks == []
    assert any(mask_name(world.b.person.name) in a.text for a in public if a.route == "public-blacklist")
    cards = [a for a in public if a.route == "public-worker-card"]
    assert cards and all(mask_name(world.a.worker.name) in a.text or mask_name(world.b.worker.name) in a.text
                         for a in cards), "control: the card shows the worker's masked name"


@pytest.mark.parametrize(("route", "role"), sorted(ALLOWED_KEYS), ids=lambda value: str(value))
def test_answers_keep_to_their_allowlist_of_keys(traffic, route, role):
    answers = [a for a in traffic.answers if a.route == route and a.role == role and a.status == 200]
    assert answers, f"no 200 answer recorded for {route} as {role}"
    keys = set().union(*(_answer_keys(a) for a in answers))
    assert keys & (FORBIDDEN_KEYS - FORBIDDEN_EXEMPT.get((route, role), set())) == set()
    assert keys <= ALLOWED_KEYS[(route, role)], f"keys outside the allowlist: {sorted(keys - ALLOWED_KEYS[(route, role)])}"


def test_logs_carry_no_id_number_phone_or_complainant(traffic):
    secrets = traffic.id_numbers + traffic.phones + traffic.complainant_names
    lines = _non_sql_log_lines(traffic)
    assert lines, "the handler captured nothing: the check would be empty"
    leaks = [line[:300] for line in lines if any(s in line for s in secrets)]
    assert leaks == []


def test_the_raw_id_number_never_reaches_the_database(traffic):
    """Only the keyed hash and the masked form are queried or stored (and so never in the database's logs)."""
    sql_logs = [record.getMessage() for record in traffic.logs if record.name.startswith("django.db.backends")]
    assert traffic.sql and sql_logs
    leaks = [sql[:300] for sql in traffic.sql + sql_logs if any(number in sql for number in traffic.id_numbers)]
    assert leaks == []


