"""双公示 files and API (issue 18 item 1): ``penalties.*`` and ``licences.*`` beside the lists' files in the
manifest, the Data Package and their data dictionary; the public paginated API; ``?since=`` deltas; the
department clients' penalty feed behind ``penalties:read``. No answer holds an ID number.
"""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from rest_framework.test import APIClient

from core import clients
from core.models import ClientQuery, DepartmentClient
from regulator.disclosure import data_dictionary, exports, publicity_services
from regulator.disclosure.publicity_records import PublicityRecord
from tests.support import api_client, page_client, today
from tests.support.factories import LicenceFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

from .conftest import record_finding

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

DAY = datetime.timedelta(days=1)
ADDRESS = "10.1.2.3"


def fine(entity, decided_on: datetime.date, number: str = "运盐文旅罚〔2026〕7号"):
    return record_finding(entity, "obstruct_inspection", penalty="fine", severity="general", inspected_on=decided_on,
                          decided_on=decided_on, decision_number=number)


@pytest.fixture
def representative(entity_a):
    person = PersonFactory(name="王小五")
    PersonRoleFactory(entity=entity_a, person=person, started_on=today() - 500 * DAY)
    return person


@pytest.fixture
def published(entity_a, entity_b, representative):
    """Two penalties and a licence, produced; one more penalty ended by its period."""
    records = {"a": fine(entity_a, today() - 2 * DAY), "b": fine(entity_b, today() - DAY, "运盐文旅罚〔2026〕8号"),
               "licence": LicenceFactory(entity=entity_a, issued_on=today() - 3 * DAY)}
    publicity_services.publicity_sweep()
    return {key: (PublicityRecord.objects.get(finding=value) if key != "licence"
                  else PublicityRecord.objects.get(licence=value)) for key, value in records.items()}


def department(scopes) -> APIClient:
    client = DepartmentClient.objects.create(name=f"市发展和改革委员会（{'、'.join(scopes)}）", authority_credit_code="11120000MB1529459B",
                                             contact_name="张三", scopes=list(scopes), ip_allowlist=["10.1.0.0/16"])
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.credentials(HTTP_AUTHORIZATION=f"Api-Key {clients.client_key_issue(client_id=client.pk).key}")
    api.department = client
    return api


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(exports.read(name).decode("utf-8-sig"))))


# --- files -----------------------------------------------------------------------------------------------------


def test_the_files_and_the_api_give_the_same_records(published):
    api = page_client().get("/api/v1/public/publicity/penalties/").json()
    from_file = json.loads(exports.read("penalties.json"))
    assert [row["id"] for row in from_file] == [row["id"] for row in api["results"]] == [published["b"].pk,
                                                                                       published["a"].pk]
    assert from_file == json.loads(json.dumps(api["results"]))  # every field alike
    ndjson = [json.loads(line) for line in exports.read("penalties.ndjson").decode().splitlines()]
    assert ndjson == from_file
    licences = page_client().get("/api/v1/public/publicity/licences/").json()["results"]
    assert [row["id"] for row in licences] == [row["id"] for row in json.loads(exports.read("licences.json"))] == [
        published["licence"].pk]


def test_the_csv_has_the_national_fields_and_chinese_labels(published, entity_a):
    rows = _csv("penalties.csv")
    assert list(rows[0]) == data_dictionary.PUBLICITY_CSV_FIELDS
    row = next(row for row in rows if row["id"] == str(published["a"].pk))
    assert (row["subject_name"], row["credit_code"]) == (entity_a.name, entity_a.credit_code)
    assert (row["kind"], row["kind_label"], row["category"], row["category_label"]) == ("penalty", "行政处罚", "fine",
                                                                                      "罚款")
    assert row["legal_representative"] == "王**" and row["fine_amount"] == "5000.00"
    [licence] = _csv("licences.csv")
    assert (licence["kind_label"], licence["category_label"]) == ("行政许可", "旅行社业务经营许可证")


def test_the_manifest_and_the_package_name_the_publicity_files(published):
    manifest = exports.regenerate()
    for stem in ("penalties", "licences"):
        for fmt in exports.FORMATS:
            assert f"{stem}.{fmt}" in manifest["files"]
    assert manifest["files"]["penalties.csv"]["records"] == 2
    assert manifest["publicity_version"] == max(record.version for record in PublicityRecord.objects.all())
    package = json.loads((exports.export_dir() / "datapackage.json").read_text())
    resource = next(r for r in package["resources"] if r["path"] == "penalties.csv")
    assert [field["name"] for field in resource["schema"]["fields"]] == data_dictionary.PUBLICITY_CSV_FIELDS
    assert resource["title"] == "行政处罚信息（双公示）（CSV）"
    dictionary = (exports.export_dir() / manifest["publicity_dictionary"]).read_text(encoding="utf-8-sig")
    for title in ("相对人名称", "统一社会信用代码", "法定代表人", "决定文书号", "类别", "内容", "罚款金额", "决定日期",
                  "公示截止期", "决定机关", "决定机关统一社会信用代码", "数据来源单位"):
        assert f",{title}," in dictionary


def test_a_new_record_makes_the_served_files_current(published, entity_b):
    assert len(json.loads(page_client().get("/api/v1/public/exports/penalties.json").content)) == 2
    fine(entity_b, today(), "运盐文旅罚〔2026〕11号")
    publicity_services.publicity_sweep()
    assert len(json.loads(page_client().get("/api/v1/public/exports/penalties.json").content)) == 3


# --- ?since= ---------------------------------------------------------------------------------------------------


def test_since_returns_only_the_records_changed_after_it(published, entity_b):
    version = page_client().get("/api/v1/public/publicity/penalties/").json()["publicity_version"]
    assert page_client().get(f"/api/v1/public/publicity/penalties/?since={version}").json()["results"] == []
    newer = fine(entity_b, today(), "运盐文旅罚〔2026〕12号")
    publicity_services.publicity_sweep()
    record = PublicityRecord.objects.get(finding=newer)
    body = page_client().get(f"/api/v1/public/publicity/penalties/?since={version}").json()
    assert [row["id"] for row in body["results"]] == [record.pk] and body["publicity_version"] == record.version
    delta = json.loads(page_client().get(f"/api/v1/public/exports/penalties.json?since={version}").content)
    assert [row["id"] for row in delta] == [record.pk] and delta[0]["public"] is True


def test_an_ended_record_comes_in_the_file_delta_as_not_public(published):
    version = published["a"].version
    PublicityRecord.objects.filter(pk=published["b"].pk).update(ended=True, end_reason="repaired", version=10**9)
    delta = json.loads(exports.changed_since("penalties.json", version))
    assert {"id": published["b"].pk, "public": False} == {key: delta[-1][key] for key in ("id", "public")}


@pytest.mark.parametrize(("query", "field"), [("since=abc", "since"), ("since=-1", "since"),
                                              ("credit_code=123", "credit_code"), ("page=0", "page")])
def test_bad_parameters_are_a_400_naming_them(query, field):
    response = page_client().get(f"/api/v1/public/publicity/penalties/?{query}")
    assert response.status_code == 400 and field in response.json()


def test_credit_code_selects_one_operators_records(published, entity_b):
    body = page_client().get(f"/api/v1/public/publicity/penalties/?credit_code={entity_b.credit_code}").json()
    assert [row["id"] for row in body["results"]] == [published["b"].pk]


def test_the_public_list_costs_the_same_queries_whatever_its_size(published, entity_b, django_assert_max_num_queries):
    for number in range(20):
        fine(entity_b, today() - number * DAY, f"运盐文旅罚〔2026〕{100 + number}号")
    publicity_services.publicity_sweep()
    page_client().get("/api/v1/public/publicity/penalties/")  # the receipt key loaded once
    with django_assert_max_num_queries(5):
        body = page_client().get("/api/v1/public/publicity/penalties/?page_size=200").json()
    assert body["count"] == 22


def test_a_public_answer_carries_a_receipt_that_verifies(published):
    body = page_client().get("/api/v1/public/publicity/penalties/").json()
    assert body["as_of"] == today().isoformat() and body["receipt"]["payload"]["kind"] == "public_publicity_penalty"
    verified = page_client().post("/api/v1/public/receipts/verify/", {"jws": body["receipt"]["jws"],
                                                                      "result": body["results"]},
                                  content_type="application/json").json()
    assert verified["valid"] is True and "共 2 条" in verified["result"]


# --- privacy ---------------------------------------------------------------------------------------------------


def test_no_answer_holds_an_id_number_and_the_public_sees_the_representative_masked(published, representative):
    staff = api_client(published and _regulator())
    answers = [page_client().get("/api/v1/public/publicity/penalties/").content.decode(),
               page_client().get("/api/v1/public/publicity/licences/").content.decode(),
               exports.read("penalties.csv").decode("utf-8-sig"), exports.read("licences.ndjson").decode(),
               department(["penalties:read"]).get("/api/v1/feeds/penalties/").content.decode(),
               staff.get("/api/v1/feeds/penalties/").content.decode()]
    masked = representative.id_number_masked
    for text in answers:
        assert masked not in text and masked[-4:] + '"' not in text
    assert "王小五" not in answers[0] and "王**" in answers[0]
    assert "王小五" in answers[4]  # the receiving department's ledger names the representative in full


def _regulator():
    from tests.support.factories import UserFactory

    return UserFactory(username="publicity_regulator", role="regulator")


# --- the department clients' feed ------------------------------------------------------------------------------


def test_a_client_without_penalties_read_is_refused_and_one_with_it_answered(published):
    without = department(["licence-check", "lists:read"])
    refused = without.get("/api/v1/feeds/penalties/")
    assert refused.status_code == 403 and "penalties:read" in refused.json()["detail"]
    holder = department(["penalties:read"])
    answer = holder.get("/api/v1/feeds/penalties/")
    assert answer.status_code == 200, answer.content
    assert {row["id"] for row in answer.json()["results"]} == {published["a"].pk, published["b"].pk}
    logged = ClientQuery.objects.get(client=holder.department)
    assert logged.status_code == 200 and logged.answer_summary["record_ids"] == [published["a"].pk, published["b"].pk]


def test_the_feed_keeps_ended_records_with_their_reason_and_a_business_cannot_read_it(published, business_a):
    PublicityRecord.objects.filter(pk=published["a"].pk).update(ended=True, end_reason="repaired",
                                                                publication_ends_on=today(), version=10**9)
    rows = department(["penalties:read"]).get(f"/api/v1/feeds/penalties/?since={published['b'].version}").json()
    [row] = rows["results"]
    assert (row["id"], row["ended"], row["end_reason"], row["publication_ends_on"]) == (
        published["a"].pk, True, "repaired", today().isoformat())
    assert published["a"].pk not in [r["id"] for r in page_client().get(
        "/api/v1/public/publicity/penalties/").json()["results"]]
    assert api_client(business_a).get("/api/v1/feeds/penalties/").status_code == 403
    assert APIClient().get("/api/v1/feeds/penalties/").status_code in (401, 403)
