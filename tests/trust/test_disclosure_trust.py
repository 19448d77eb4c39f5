"""What disclosure promises, held against a hostile or careless input (issue 12, items 5, 6, 7, 10, 11).

- Licence checks fail closed: a licence type outside the catalogue is a 400 naming the field (batch: the
  index and the field), never ``allowed``; the catalogue is served from one place and validated against.
- Open data cannot run in a spreadsheet: a CSV cell that could start a formula is neutralised.
- The export endpoints answer ``Accept`` naming their own type, or a wildcard.
- A receipt names its subject, its question, its result in words and its data version; a genuine receipt of
  one business never verifies for another; the public key is published as a JWK Set.
- Free text is redacted on publication (ID numbers, phone numbers, full names of masked persons), never in
  the stored record.

Self-contained: records are built through the services (``listing_propose`` ... ``listing_publish``,
``listings_import``), clients come from tests/conftest.py.
"""

from __future__ import annotations

import base64
import csv
import datetime
import html as html_lib
import io
import json
import random
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core import receipts
from entities import codes
from entities import services as entity_services
from entities.models import LicenceType, PersonRoleKind
from regulator.disclosure import exports, redaction
from regulator.disclosure import selectors as public
from regulator.disclosure.services import statement_review
from regulator.lists import licence_checks
from regulator.lists import services as listings
from regulator.lists.imports import listings_import
from regulator.lists.models import Listing
from regulator.lists.rules import DEFAULT_DOCUMENT, RuleSetError, validate_document
from tests.support.states import served

pytestmark = pytest.mark.django_db

_rng = random.Random(20261201)
#: the decision: the rule set's whole catalogue of measures for the list, its appeal routes, the series' number
DECISION: dict = {}
FORMULAS = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://evil.example\",\"点此\")", "@SUM(A1)", "-2+3",
            "\t=1+1", "\r=1+1", " =1+1", "＝1+1"]


IMPORTED_FORMULAS = ["=cmd|' /C calc'!A0", "+HYPERLINK(\"http://evil.example\",\"点此\")", "@SUM(A1)", "-2+3", "＝1+1"]


def today() -> datetime.date:
    return timezone.localdate()


def client_of(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"


def publish(*, entity=None, person=None, related_entity=None, person_role: str = "", list_type: str = "black",
            reason: str = "甩团，滞留旅游者", measures: list[str] | None = None, days_ago: int = 10) -> Listing:
    """One listing walked through due process with the services: propose, notify (the notice served that day),
    decide (``measures``: codes of the rule set's catalogue; none: the whole catalogue), publish."""
    decided = today() - datetime.timedelta(days=days_ago)
    notified = decided - datetime.timedelta(days=45)
    listing = listings.listing_propose(
        list_type=list_type, subject_type="entity" if person is None else "person", entity=entity, person=person,
        related_entity=related_entity, person_role=person_role, reason=reason, today=notified)
    listings.listing_notify(listing_id=listing.pk, today=notified, delivery=served(notified))
    decision = {**DECISION, **({"measures": measures} if measures is not None else {})}
    listings.listing_decide(listing_id=listing.pk, **decision, today=decided)
    return listings.listing_publish(listing_id=listing.pk, today=decided)


def import_row(**fields) -> dict:
    row = {"list_type": "black", "legal_basis": "《旅游法》第一百零七条", "decided_on": str(today() - datetime.timedelta(days=5)),
           "source_authority": "某省文化和旅游厅", "source_reference": f"REF-{_rng.randrange(10**9)}"}
    row.update(fields)
    return row


def new_id_number() -> str:
    return codes.id_number("140802", datetime.date(1985, 7, 1), _rng)


# ============================================================================== (5) licence checks fail closed


@pytest.fixture
def black_a(entity_a):
    return publish(entity=entity_a)


def check(client, **body):
    return client.post("/api/v1/licence-checks/", body, format="json")


@pytest.mark.parametrize("licence_type", ["travel_agency", "zz_not_a_licence", "TRAVEL_AGENCY_BUSINESS",
                                          "travel_agency_business ", "tour_*", "*", "", 7, None])
def test_an_unknown_licence_type_is_400_naming_the_field_never_allowed(licence_type, black_a, entity_a,
                                                                       regulator_client):
    response = check(regulator_client, licence_type=licence_type, applicant_credit_code=entity_a.credit_code)
    assert response.status_code == 400, response.content
    body = response.json()
    assert "licence_type" in body and body["code"] == "invalid"
    assert "allowed" not in body


@pytest.mark.parametrize("licence_type", ["travel_agency_business", "tour_guide"])
def test_a_known_licence_type_still_answers_denied_for_the_black_listed_and_allowed_for_others(
        licence_type, black_a, entity_a, entity_b, regulator_client):
    denied = check(regulator_client, licence_type=licence_type, applicant_credit_code=entity_a.credit_code)
    allowed = check(regulator_client, licence_type=licence_type, applicant_credit_code=entity_b.credit_code)
    assert (denied.status_code, allowed.status_code) == (200, 200)
    assert denied.json()["allowed"] is False and [row["listing_id"] for row in denied.json()["blocking"]] == [black_a.pk]
    assert allowed.json()["allowed"] is True and allowed.json()["blocking"] == []
    assert denied.json()["licence_type_name"] == dict(LicenceType.choices)[licence_type]


def test_every_licence_type_of_the_catalogue_is_accepted_by_the_check(black_a, entity_a, regulator_client):
    checks = [{"licence_type": code, "applicant_credit_code": entity_a.credit_code} for code in LicenceType.values]
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": checks}, format="json")
    assert response.status_code == 200, response.content
    answered = {row["licence_type"]: row["allowed"] for row in response.json()["results"]}
    assert set(answered) == set(LicenceType.values)
    assert answered["travel_agency_business"] is False and answered["elderly_care_filing"] is True


def test_an_unknown_licence_type_in_a_batch_is_400_naming_its_index_and_field(black_a, entity_a, regulator_client):
    checks = [{"licence_type": "travel_agency_business", "applicant_credit_code": entity_a.credit_code},
              {"licence_type": "tour_guide", "applicant_credit_code": entity_a.credit_code},
              {"licence_type": "travel_agency", "applicant_credit_code": entity_a.credit_code}]
    response = regulator_client.post("/api/v1/licence-checks/batch/", {"checks": checks}, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["checks"]
    assert errors == {"2": {"licence_type": [licence_checks.unknown_licence_type_message("travel_agency")]}}


def test_the_check_service_itself_refuses_an_unknown_licence_type(black_a, entity_a):
    with pytest.raises(ValidationError) as raised:
        licence_checks.licence_check(licence_type="zz_not_a_licence", applicant_credit_code=entity_a.credit_code)
    assert "licence_type" in raised.value.message_dict
    answer = licence_checks.licence_check(licence_type="travel_agency_business",
                                          applicant_credit_code=entity_a.credit_code)
    assert answer["allowed"] is False


def test_the_licence_type_catalogue_is_served_to_anyone_with_chinese_names(anon_client):
    response = anon_client.get("/api/v1/licence-types/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(LicenceType.values)
    rows = {row["code"]: row for row in body["results"]}
    assert set(rows) == set(LicenceType.values)
    assert rows["travel_agency_business"]["name"] == "旅行社业务经营许可证"
    assert rows["travel_agency_business"]["sector"] == "tourism" and rows["travel_agency_business"]["sector_name"]
    assert all(re.search(r"[\u4e00-\u9fff]", row["name"]) for row in rows.values())
    assert rows == {row["code"]: row for row in licence_checks.licence_type_catalogue()}


def test_the_schema_documents_the_catalogue_and_the_check_takes_only_its_codes():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/licence-types/" in document["paths"]
    field = document["components"]["schemas"]["LicenceCheckRequest"]["properties"]["licence_type"]
    enum = document["components"]["schemas"][field["$ref"].rsplit("/", 1)[1]]["enum"] if "$ref" in field \
        else field["enum"]
    assert sorted(enum) == sorted(LicenceType.values)


@pytest.mark.parametrize(("pattern", "ok"), [("travel_agency", False), ("zz_*", False), ("travel_agency_business", True),
                                             ("tour_*", True), ("*", True)])
def test_a_rule_set_restriction_must_name_a_known_licence_type(pattern, ok):
    document = json.loads(json.dumps(DEFAULT_DOCUMENT))
    document["restrictions"][0]["licence_types"] = [pattern]
    if ok:
        assert validate_document(document) is document
    else:
        with pytest.raises(RuleSetError, match="matches no licence type"):
            validate_document(document)


# ============================================================================== (6) CSV formula injection


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_could_start_a_formula_is_prefixed_with_a_quote(value):
    assert exports.csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["甩团，滞留旅游者", "a=b+c", "2+3", "《旅游法》第一百条", "", "91140802MA0000000X",
                                   "'already quoted"])
def test_a_harmless_cell_is_left_as_it_is(value):
    assert exports.csv_cell(value) == value
    assert exports.csv_cell(17) == 17 and exports.csv_cell(None) is None


def _csv(client, name: str) -> list[dict[str, str]]:
    response = client.get(f"/api/v1/public/exports/{name}")
    assert response.status_code == 200, response.content
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.mark.parametrize("list_type", ["black", "red"])
def test_formulas_in_names_and_reasons_are_neutralised_in_the_csv_and_kept_in_the_json(list_type, anon_client):
    rows = [import_row(credit_code=codes.credit_code("140802", _rng), name=formula, reason=formula, list_type=list_type,
                       category="travel_agency", measures=formula)
            for formula in IMPORTED_FORMULAS]  # leading blanks would be trimmed by the import itself
    rows.append(import_row(credit_code=codes.credit_code("140802", _rng), name="盐湖区丙旅行社有限公司",
                           reason="甩团，滞留旅游者", list_type=list_type, category="travel_agency"))
    listings_import(rows)
    cells = _csv(anon_client, f"{list_type}list.csv")
    assert len(cells) == len(rows)
    by_name = {row["name"]: row for row in cells}
    for formula in IMPORTED_FORMULAS:
        row = by_name["'" + formula]
        assert row["reason"] == "'" + formula and row["measures"] == "'" + formula
    assert by_name["盐湖区丙旅行社有限公司"]["reason"] == "甩团，滞留旅游者"  # the other side: plain text untouched
    assert not any(cell[:1] in "=+-@\t\r" for row in cells for cell in row.values() if cell)
    as_json = anon_client.get(f"/api/v1/public/exports/{list_type}list.json").json()
    assert {row["reason"] for row in as_json} == set(IMPORTED_FORMULAS) | {"甩团，滞留旅游者"}


def test_the_delta_csv_is_neutralised_too(anon_client):
    listings_import([import_row(credit_code=codes.credit_code("140802", _rng), name="@SUM(A1)", reason="=1+1",
                                category="travel_agency")])
    (row,) = _csv(anon_client, "blacklist.csv?since=0")
    assert (row["name"], row["reason"]) == ("'@SUM(A1)", "'=1+1")


# ============================================================================== (7) Accept on the exports


@pytest.mark.parametrize(("name", "accept", "content_type"), [
    ("blacklist.csv", "text/csv", "text/csv"),
    ("blacklist.csv", "text/csv; charset=utf-8", "text/csv"),
    ("blacklist.csv", "text/*", "text/csv"),
    ("redlist.csv", "text/csv", "text/csv"),
    ("blacklist.json", "application/json", "application/json"),
    ("redlist.ndjson", "application/x-ndjson", "application/x-ndjson"),
    ("blacklist.ndjson", "application/x-ndjson", "application/x-ndjson"),
    ("manifest.json", "application/json", "application/json"),
    ("blacklist.csv", "*/*", "text/csv"),
    ("blacklist.ndjson", "*/*", "application/x-ndjson"),
    ("blacklist.csv", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/csv"),
    ("blacklist.csv", None, "text/csv"),
])
def test_an_export_answers_accept_naming_its_type_or_a_wildcard(name, accept, content_type, black_a, anon_client):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    response = anon_client.get(f"/api/v1/public/exports/{name}", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].split(";")[0] == content_type
    if name.endswith(".csv"):
        assert response.content.decode("utf-8-sig").startswith("id,list_type")


@pytest.mark.parametrize(("name", "accept"), [("blacklist.csv", "application/json"), ("blacklist.json", "text/csv"),
                                              ("manifest.json", "application/x-ndjson")])
def test_an_export_asked_in_another_type_is_406_in_the_json_error_body(name, accept, anon_client):
    response = anon_client.get(f"/api/v1/public/exports/{name}", HTTP_ACCEPT=accept)
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_acceptable" and response.json()["detail"]


def test_the_file_name_not_a_format_parameter_says_the_format(black_a, anon_client):
    response = anon_client.get("/api/v1/public/exports/blacklist.csv?format=json", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_a_missing_export_asked_as_csv_is_404_in_the_json_error_body(anon_client):
    response = anon_client.get("/api/v1/public/exports/greylist.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and response.json()["code"] == "not_found"


# ============================================================================== (10) receipts name their subject


def _report_link(client: Client, entity) -> str:
    page = client.get(f"/operators/{entity.credit_code}/report/").content.decode()
    return html_lib.unescape(re.search(r'<a href="(http://testserver/verify/\?[^"]+)">回执核验页面</a>', page).group(1))


def _receipt_of(link: str) -> tuple[dict, str]:
    params = parse_qs(urlsplit(link).query)
    return json.loads(params["payload"][0]), params["signature"][0]


def verify_api(client, **body) -> dict:
    response = client.post("/api/v1/public/receipts/verify/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_report_receipt_names_its_subject_question_result_and_data_version(black_a, entity_a, entity_b):
    web = Client()
    listed, _ = _receipt_of(_report_link(web, entity_a))
    clean, _ = _receipt_of(_report_link(web, entity_b))
    assert listed["subject"] == {"type": "entity", "credit_code": entity_a.credit_code, "name": entity_a.name}
    assert clean["subject"]["credit_code"] == entity_b.credit_code and clean["subject"]["name"] == entity_b.name
    assert listed["question"]["text"] == "公共信用信息报告" and listed["as_of"] == today().isoformat()
    assert "严重失信主体名单" in listed["result"] and "1 条" in listed["result"]
    assert clean["result"] == "公示期内无名单记录、无行政处罚记录"
    assert listed["data_version"] == clean["data_version"] >= 1


def test_verify_answers_the_subject_question_result_and_data_version(entity_b, anon_client):
    payload, signature = _receipt_of(_report_link(Client(), entity_b))
    answer = verify_api(anon_client, payload=payload, signature=signature)
    assert answer["valid"] is True
    assert answer["subject"]["credit_code"] == entity_b.credit_code and answer["subject"]["name"] == entity_b.name
    assert answer["subject_text"] == f"{entity_b.name}（统一社会信用代码 {entity_b.credit_code}）"
    assert answer["question"]["text"] == "公共信用信息报告" and answer["result"] == "公示期内无名单记录、无行政处罚记录"
    assert answer["data_version"] == payload["data_version"] and answer["as_of"] == today().isoformat()


def test_a_genuine_receipt_of_another_business_does_not_verify_for_this_one(black_a, entity_a, entity_b, anon_client):
    """The attack: a QR copied from B's clean report onto a forged clean report of black-listed A."""
    payload, signature = _receipt_of(_report_link(Client(), entity_b))
    for_a = verify_api(anon_client, payload=payload, signature=signature, credit_code=entity_a.credit_code)
    assert for_a["valid"] is False and for_a["failure"] == "subject_mismatch" and "subject" not in for_a
    for_b = verify_api(anon_client, payload=payload, signature=signature, credit_code=entity_b.credit_code.lower())
    assert for_b["valid"] is True and for_b["subject"]["credit_code"] == entity_b.credit_code


def test_a_bad_credit_code_to_compare_with_is_400(entity_b, anon_client):
    payload, signature = _receipt_of(_report_link(Client(), entity_b))
    response = anon_client.post("/api/v1/public/receipts/verify/", {
        "payload": payload, "signature": signature, "credit_code": "91140802MA0XXXXXXI"}, format="json")
    assert response.status_code == 400 and "credit_code" in response.json()


def test_the_verify_page_shows_the_subject_so_a_reader_can_compare(black_a, entity_a, entity_b):
    web = Client()
    link = _report_link(web, entity_b)
    page = web.get(link).content.decode()
    assert "核验通过" in page
    statement = re.search(r'<dl class="facts" id="receipt-statement">(.*?)</dl>', page, re.S).group(1)
    assert entity_b.name in statement and entity_b.credit_code in statement
    assert entity_a.name not in statement
    assert "公示期内无名单记录、无行政处罚记录" in statement


def test_the_verify_page_fails_a_receipt_of_another_business_and_says_whose_it_is(black_a, entity_a, entity_b):
    web = Client()
    payload, signature = _receipt_of(_report_link(web, entity_b))
    body = {"payload": json.dumps(payload, ensure_ascii=False), "signature": signature}
    wrong = web.post("/verify/", {**body, "credit_code": entity_a.credit_code}).content.decode()
    assert "核验未通过" in wrong and "核验通过：" not in wrong and entity_b.name in wrong
    right = web.post("/verify/", {**body, "credit_code": entity_b.credit_code}).content.decode()
    assert "核验通过" in right and "核验未通过" not in right


def _legacy_receipt() -> tuple[dict, str]:
    """A format-1 receipt (digests only), genuinely signed: what every QR printed before carried."""
    payload = {"kind": "credit_report", "checked_at": "2026-01-05T08:00:00+00:00", "as_of": "2026-01-05",
               "data_version": 3, "query_sha256": "0" * 64, "result_sha256": "1" * 64}
    signature = base64.b64encode(receipts._private_key().sign(receipts.canonical(payload))).decode()
    return payload, signature


def test_a_receipt_that_names_no_subject_proves_nothing_about_a_business(entity_a, anon_client):
    payload, signature = _legacy_receipt()
    assert verify_api(anon_client, payload=payload, signature=signature)["valid"] is True  # genuine signature
    bound = verify_api(anon_client, payload=payload, signature=signature, credit_code=entity_a.credit_code)
    assert bound["valid"] is False and bound["failure"] == "no_subject"
    page = Client().post("/verify/", {"payload": json.dumps(payload), "signature": signature}).content.decode()
    assert "核验未通过" in page and "未载明主体" in page and "核验通过：" not in page


def test_a_licence_check_receipt_names_the_applicant_the_licence_and_the_answer_in_words(black_a, entity_a, entity_b,
                                                                                       regulator_client, anon_client):
    denied = check(regulator_client, licence_type="travel_agency_business",
                   applicant_credit_code=entity_a.credit_code).json()["receipt"]
    allowed = check(regulator_client, licence_type="travel_agency_business",
                    applicant_credit_code=entity_b.credit_code).json()["receipt"]
    assert denied["payload"]["subject"]["credit_code"] == entity_a.credit_code
    assert denied["payload"]["subject"]["name"] == entity_a.name
    assert "旅行社业务经营许可证" in denied["payload"]["question"]["text"]
    assert denied["payload"]["question"]["licence_type"] == "travel_agency_business"
    assert denied["payload"]["result"].startswith("不予许可") and str(black_a.pk) in denied["payload"]["result"]
    assert allowed["payload"]["result"].startswith("可以许可")
    answer = verify_api(anon_client, payload=denied["payload"], signature=denied["signature"],
                        credit_code=entity_b.credit_code)
    assert answer["valid"] is False and answer["failure"] == "subject_mismatch"


def test_a_licence_check_receipt_for_a_person_shows_the_masked_id_number_only(regulator_client):
    number = new_id_number()
    receipt = check(regulator_client, licence_type="tour_guide", person_id_numbers=[number]).json()["receipt"]
    subject = receipt["payload"]["subject"]
    assert subject["type"] == "person" and subject["id_numbers_masked"] == [number[:4] + "*" * 10 + number[-4:]]
    assert number not in json.dumps(receipt, ensure_ascii=False)


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_public_key_is_published_as_a_jwk_set_that_verifies_the_receipts_jws(black_a, entity_a, anon_client):
    assert anon_client.get("/.well-known/jwks.json").status_code == 200
    keys = anon_client.get("/.well-known/jwks.json").json()["keys"]
    (key,) = keys
    assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert key["kid"] == receipts.key_id()
    receipt = anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").json()["receipt"]
    # What another department does with any Ed25519 library: verify the JWS with the JWK, read the payload.
    header, body, signature = receipt["jws"].split(".")
    assert json.loads(_b64url(header)) == {"alg": "EdDSA", "kid": key["kid"]}
    Ed25519PublicKey.from_public_bytes(_b64url(key["x"])).verify(_b64url(signature), f"{header}.{body}".encode())
    assert json.loads(_b64url(body)) == receipt["payload"]
    # The raw signature over the canonical JSON verifies with the same key.
    Ed25519PublicKey.from_public_bytes(_b64url(key["x"])).verify(base64.b64decode(receipt["signature"]),
                                                                 receipts.canonical(receipt["payload"]))
    assert receipt["payload"]["subject"]["credit_code"] == entity_a.credit_code


def test_the_jwk_set_answers_its_own_media_type_on_request(anon_client):
    response = anon_client.get("/.well-known/jwks.json", HTTP_ACCEPT="application/jwk-set+json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jwk-set+json")


def test_verify_takes_the_jws_and_refuses_a_tampered_one(entity_a, anon_client):
    receipt = anon_client.get(f"/api/v1/public/entities/{entity_a.credit_code}/").json()["receipt"]
    answer = verify_api(anon_client, jws=receipt["jws"], credit_code=entity_a.credit_code)
    assert answer["valid"] is True and answer["subject"]["name"] == entity_a.name
    header, body, signature = receipt["jws"].split(".")
    forged_payload = {**receipt["payload"], "result": "公示期内无名单记录、无行政处罚记录（伪造）"}
    forged = base64.urlsafe_b64encode(receipts.canonical(forged_payload)).rstrip(b"=").decode()
    assert verify_api(anon_client, jws=f"{header}.{forged}.{signature}")["valid"] is False
    assert verify_api(anon_client, jws="not.a.jws")["valid"] is False
    assert anon_client.post("/api/v1/public/receipts/verify/", {}, format="json").status_code == 400


def test_a_public_list_receipt_names_the_list_the_question_and_what_was_found(black_a, entity_a, anon_client):
    body = anon_client.get("/api/v1/public/blacklist/", {"q": entity_a.credit_code}).json()
    payload = body["receipt"]["payload"]
    assert payload["subject"]["type"] == "list" and payload["subject"]["list_type"] == "black"
    assert payload["question"]["q"] == entity_a.credit_code and entity_a.credit_code in payload["question"]["text"]
    assert payload["result"].startswith("共 1 条公示记录") and entity_a.name in payload["result"]
    empty = anon_client.get("/api/v1/public/blacklist/", {"q": "黄河"}).json()["receipt"]["payload"]
    assert "无与“黄河”匹配的公示记录" in empty["result"]


# ============================================================================== (11) redaction on publication


@pytest.mark.parametrize(("text", "redacted"), [
    ("身份证号140802198507011234的负责人", "身份证号【身份证号已隐去】的负责人"),
    ("证件 14080219850701123X。", "证件 【身份证号已隐去】。"),
    ("证件 14080219850701123x", "证件 【身份证号已隐去】"),
    ("证件 140802 19850701 1234", "证件 【身份证号已隐去】"),
    ("证件１４０８０２１９８５０７０１１２３４", "证件【身份证号已隐去】"),
    ("No.140802198507011234", "No.【身份证号已隐去】"),
    ("联系电话13912345678", "联系电话【电话号码已隐去】"),
    ("电话 139-1234-5678 或 +86 139 1234 5678", "电话 【电话号码已隐去】 或 【电话号码已隐去】"),
    ("座机0359-2345678，（0351）12345678", "座机【电话号码已隐去】，【电话号码已隐去】"),
    ("法定代表人张三拒不整改", "法定代表人张*拒不整改"),
    ("主要负责人欧阳娜娜", "主要负责人欧阳**"),
])
def test_redaction_takes_out_id_numbers_phones_and_masked_names(text, redacted):
    assert redaction.redact(text, names=["张三", "欧阳娜娜"]) == redacted


@pytest.mark.parametrize("text", [
    "统一社会信用代码91110000600037341L", "统一社会信用代码91350200776049653A", "罚款30000元",
    "运盐文旅认〔2026〕12号", "2026-03-01 至 2029-02-28", "12345 热线", "400-123-4567", "1408021985070112345",
    "张先生", "甩团，滞留旅游者", "",
])
def test_redaction_leaves_what_is_public(text):
    assert redaction.redact(text, names=["张三", "李"]) == text
    assert redaction.redact(None) is None


@pytest.fixture
def leaky(entity_a, regulator):
    """Free text as careless clerks type it: an imported row with an ID and a phone, a person named in full."""
    number = new_id_number()
    representative = entity_services.person_create(name="张三", id_number=new_id_number())
    entity_services.role_save(entity=entity_a, person=representative, role=PersonRoleKind.LEGAL_REPRESENTATIVE,
                              started_on=datetime.date(2020, 1, 1))
    imported = listings_import([import_row(
        credit_code=entity_a.credit_code, name=entity_a.name,
        reason=f"法定代表人张三（身份证号 {number}，电话 13912345678）组织虚假旅游",
        measures="联系人 0359-2345678")], actor=regulator)["results"][0]["listing_id"]
    listed_person = publish(person=representative, related_entity=entity_a, person_role="legal_representative",
                            reason="张三作为法定代表人对吊销负主要责任")
    return {"number": number, "imported": Listing.objects.get(pk=imported), "person_listing": listed_person}


SECRETS = ("13912345678", "0359-2345678", "张三")


def _public_texts(client, web: Client, entity) -> dict[str, str]:
    texts = {}
    for path in ["/api/v1/public/blacklist/", "/api/v1/public/blacklist/?q=张三",
                 f"/api/v1/public/entities/{entity.credit_code}/", "/api/v1/public/changes/?since=0",
                 *(f"/api/v1/public/exports/blacklist.{fmt}" for fmt in exports.FORMATS),
                 "/api/v1/public/exports/blacklist.csv?since=0"]:
        response = client.get(path)
        assert response.status_code == 200, path
        texts[path] = response.content.decode("utf-8-sig")
    for path in ["/search/?q=甲旅行社", f"/operators/{entity.credit_code}/", f"/operators/{entity.credit_code}/report/"]:
        response = web.get(path)
        assert response.status_code == 200, path
        texts[path] = response.content.decode()
    import pypdf

    pdf = web.get(f"/operators/{entity.credit_code}/report.pdf").content
    texts["report.pdf"] = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return texts


def _without_asked_question(text: str) -> str:
    """A search's receipt repeats the asker's own words in its question and, when nothing matched, in its result
    ("无与“张三”匹配"): drop that echo of the request, keep everything the answer publishes."""
    try:
        body = json.loads(text)
    except ValueError:
        return text
    payload = ((body.get("receipt") or {}).get("payload") or {}) if isinstance(body, dict) else {}
    if isinstance(payload, dict) and payload.get("question", {}).get("q"):
        payload.pop("question", None)
        if body.get("count") == 0:
            payload.pop("result", None)
        body["receipt"].pop("jws", None)
    return json.dumps(body, ensure_ascii=False)


def test_published_free_text_carries_no_id_number_phone_or_full_name(leaky, entity_a, anon_client):
    texts = _public_texts(anon_client, Client(), entity_a)
    for where, text in texts.items():
        flat = _without_asked_question(text).replace("\n", "")
        assert leaky["number"] not in flat, where
        for secret in SECRETS:
            assert secret not in flat, (where, secret)
    shown = texts[f"/api/v1/public/entities/{entity_a.credit_code}/"]
    assert redaction.ID_NUMBER_MARK in shown and redaction.PHONE_MARK in shown
    assert "法定代表人张*（身份证号" in shown and "张*作为法定代表人" in shown  # the rest of the text stays


def test_the_stored_record_keeps_what_was_written(leaky, regulator_client):
    imported = leaky["imported"]
    imported.refresh_from_db()
    assert leaky["number"] in imported.reason and "13912345678" in imported.reason
    answer = regulator_client.get(f"/api/v1/listings/{imported.pk}/").json()
    assert "张三" in answer["reason"] and "13912345678" in answer["reason"]


def test_a_search_by_a_listed_persons_name_finds_nothing_so_confirms_nothing(leaky, anon_client):
    body = anon_client.get("/api/v1/public/blacklist/", {"q": "张三"}).json()
    assert body["results"] == []
    assert body["receipt"]["payload"]["question"]["q"] == "张三"  # the question as asked, the same for anyone


def test_an_approved_statement_is_published_redacted(leaky, entity_a, business_a, regulator):
    response = client_of(business_a).post("/api/v1/statements/", {
        "listing": leaky["imported"].pk, "text": "我司已整改，详询 13912345678（张三）"}, format="json")
    assert response.status_code == 201, response.content
    statement_review(statement_id=response.json()["id"], actor=regulator, approve=True)
    profile = public.public_profile(entity_a, as_of=today())
    (row,) = [row for row in profile["listings"] if row["id"] == leaky["imported"].pk]
    assert row["statements"][0]["text"] == f"我司已整改，详询 {redaction.PHONE_MARK}（张*）"
