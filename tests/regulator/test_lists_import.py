"""Shared listings from another authority (API.md, Lists: import): published at once, idempotent, all or nothing."""

from __future__ import annotations

import csv
import datetime
import random

import pytest
from django.core.management import CommandError, call_command

from entities import codes
from entities.models import Entity, Person
from regulator.lists.models import Listing, ListingEvent, PublicChange
from tests.support import api_client, today
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

_rng = random.Random(20260301)
AUTHORITY = "运城市市场监督管理局"
FIELDS = ["credit_code", "id_number", "name", "list_type", "reason", "legal_basis", "decided_on", "published_on",
          "expires_on", "source_authority", "source_reference", "decision_number", "category", "region_code"]


@pytest.fixture
def new_code():
    return codes.credit_code("140802", _rng)


@pytest.fixture
def person_number():
    return codes.id_number("140802", datetime.date(1978, 3, 4), _rng)


def row(reference: str, **fields) -> dict:
    decided = today() - datetime.timedelta(days=20)
    return {"name": "运城国际旅行社有限公司", "list_type": "black", "reason": "以欺骗手段取得旅行社业务经营许可",
            "legal_basis": "《行政许可法》第七十九条", "decided_on": str(decided), "source_authority": AUTHORITY,
            "source_reference": reference, **fields}


@pytest.fixture
def rows(new_code, person_number, entity_b):
    return [
        row("运市监认〔2026〕1号", credit_code=new_code, category="travel_agency"),
        row("运市监认〔2026〕2号", credit_code=entity_b.credit_code, name=entity_b.name, list_type="watch",
            reason="拒不执行投诉处理决定", legal_basis="《文化和旅游市场信用管理规定》第十条"),
        row("运市监认〔2026〕3号", id_number=person_number, name="赵六", reason="伪造导游证"),
    ]


def import_(client, rows):
    return client.post("/api/v1/listings/import/", {"rows": rows}, format="json")


def row_errors(body: dict, index: int) -> dict:
    """Errors are keyed by the index of the bad row (as a string), the good rows not named."""
    return body["rows"][str(index)]


def counts() -> tuple[int, int, int, int, int]:
    return (Listing.objects.count(), Entity.objects.count(), Person.objects.count(), ListingEvent.objects.count(),
            PublicChange.objects.count())


def licence_allowed(client, **body) -> bool:
    response = client.post("/api/v1/licence-checks/", {"licence_type": "travel_agency_business", **body},
                           format="json")
    assert response.status_code == 200, response.content
    return response.json()["allowed"]


# --- through the API ------------------------------------------------------------------------------------


def test_imported_rows_enter_published_and_reach_public_queries_and_licence_checks(
        rows, new_code, person_number, entity_b, regulator_client, anon_client):
    response = import_(regulator_client, rows)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["existing"]) == (3, 0)
    assert [r["result"] for r in body["results"]] == ["created"] * 3

    imported = Listing.objects.order_by("id")
    assert {listing.status for listing in imported} == {"published"}
    assert {listing.source_type for listing in imported} == {"import"}
    first = imported[0]
    assert first.entity.credit_code == new_code and first.entity.name == "运城国际旅行社有限公司"
    assert first.entity.sector == "tourism"
    assert first.decided_on == today() - datetime.timedelta(days=20) and first.published_on == first.decided_on
    assert first.expires_on == first.decided_on + datetime.timedelta(days=1095)  # the rule set's black period
    assert (first.source_authority, first.source_reference) == (AUTHORITY, "运市监认〔2026〕1号")
    assert ListingEvent.objects.filter(listing=first, action="import", to_status="published").exists()

    blacklist = anon_client.get("/api/v1/public/blacklist/").json()["results"]
    assert new_code in [r["credit_code"] for r in blacklist]
    assert any(r["subject_type"] == "person" and r["name"] == "赵*" for r in blacklist)
    assert anon_client.get(f"/api/v1/public/blacklist/?q={new_code}").json()["count"] == 1

    assert licence_allowed(regulator_client, applicant_credit_code=new_code) is False
    assert licence_allowed(regulator_client, person_id_numbers=[person_number]) is False
    watch = regulator_client.post("/api/v1/licence-checks/", {
        "licence_type": "travel_agency_business", "applicant_credit_code": entity_b.credit_code}, format="json").json()
    assert watch["allowed"] is True and watch["warnings"][0]["list_type"] == "watch"


def test_importing_the_same_rows_again_creates_nothing(rows, regulator_client):
    assert import_(regulator_client, rows).json()["created"] == 3
    before = counts()
    again = import_(regulator_client, rows)
    assert again.status_code == 200
    assert (again.json()["created"], again.json()["existing"]) == (0, 3)
    assert {r["result"] for r in again.json()["results"]} == {"existing"}
    assert counts() == before


def test_the_same_reference_from_another_authority_is_a_new_listing(rows, regulator_client):
    import_(regulator_client, rows[:1])
    other = dict(rows[0], source_authority="山西省文化和旅游厅")
    assert import_(regulator_client, [other]).json()["created"] == 1
    assert Listing.objects.filter(source_reference=rows[0]["source_reference"]).count() == 2


def test_explicit_dates_of_the_deciding_authority_are_kept(new_code, regulator_client):
    decided = today() - datetime.timedelta(days=40)
    body = row("晋市监认〔2026〕8号", credit_code=new_code, category="travel_agency", decided_on=str(decided),
               published_on=str(decided + datetime.timedelta(days=2)),
               expires_on=str(decided + datetime.timedelta(days=365)))
    assert import_(regulator_client, [body]).status_code == 200
    listing = Listing.objects.get()
    assert listing.published_on == decided + datetime.timedelta(days=2)
    assert listing.expires_on == decided + datetime.timedelta(days=365) and listing.period_days == 365


@pytest.mark.parametrize(("bad", "field"), [
    ({"credit_code": "91140802MA0XXXXXXX"}, "credit_code"),
    ({"credit_code": "91110000600037341I"}, "credit_code"),
    ({"list_type": "grey"}, "list_type"),
    ({"source_reference": ""}, "source_reference"),
    ({"source_reference": None}, "source_reference"),
    ({"decided_on": "2026-13-01"}, "decided_on"),
    ({"id_number": "140802198005061234", "credit_code": ""}, "id_number"),
])
def test_one_bad_row_rejects_the_whole_batch_naming_row_and_field(bad, field, rows, regulator_client):
    before = counts()
    rows[1] = {**rows[1], **bad}
    if bad.get("source_reference", "") is None:
        del rows[1]["source_reference"]
    response = import_(regulator_client, rows)
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body["rows"]) == {"1"}, body
    assert field in row_errors(body, 1), body
    assert counts() == before


def test_a_row_with_both_or_neither_identifier_is_rejected(rows, person_number, regulator_client):
    rows[0] = {**rows[0], "id_number": person_number}
    rows[2] = {key: value for key, value in rows[2].items() if key != "id_number"}
    response = import_(regulator_client, rows)
    assert response.status_code == 400
    assert "credit_code" in row_errors(response.json(), 0) and "credit_code" in row_errors(response.json(), 2)
    assert not Listing.objects.exists()


def test_a_duplicate_reference_inside_one_batch_is_rejected(rows, regulator_client):
    rows[2] = {**rows[2], "source_reference": rows[0]["source_reference"]}
    response = import_(regulator_client, rows)
    assert response.status_code == 400
    assert "source_reference" in row_errors(response.json(), 2)
    assert not Listing.objects.exists()


def test_an_unregistered_operator_without_a_category_is_rejected(rows, regulator_client):
    rows[0] = {key: value for key, value in rows[0].items() if key != "category"}
    response = import_(regulator_client, rows)
    assert response.status_code == 400
    assert "category" in row_errors(response.json(), 0)
    assert not Listing.objects.exists()


def test_only_a_regulator_imports(rows, business_a, inspector_client):
    assert api_client(business_a).post("/api/v1/listings/import/", {"rows": rows}, format="json").status_code == 403
    assert inspector_client.post("/api/v1/listings/import/", {"rows": rows}, format="json").status_code == 403
    assert not Listing.objects.exists()


def test_an_empty_import_is_400(regulator_client):
    assert import_(regulator_client, []).status_code == 400


# --- through manage.py import_listings FILE.csv ---------------------------------------------------------


def write_csv(path, rows) -> str:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS)
        writer.writeheader()
        for item in rows:
            writer.writerow({key: item.get(key, "") for key in FIELDS})
    return str(path)


def run_command(path) -> str:
    import io

    out = io.StringIO()
    call_command("import_listings", path, stdout=out, verbosity=0)
    return out.getvalue()


def test_the_command_imports_a_csv_once(rows, new_code, person_number, tmp_path, regulator_client, anon_client):
    path = write_csv(tmp_path / "shared.csv", rows)
    assert "3 created, 0 already present" in run_command(path)
    assert set(Listing.objects.values_list("status", flat=True)) == {"published"}
    assert new_code in [r["credit_code"] for r in anon_client.get("/api/v1/public/blacklist/").json()["results"]]
    assert licence_allowed(regulator_client, applicant_credit_code=new_code) is False
    assert licence_allowed(regulator_client, person_id_numbers=[person_number]) is False
    before = counts()
    assert "0 created, 3 already present" in run_command(path)
    assert counts() == before


def test_the_command_reads_a_csv_with_a_byte_order_mark(rows, tmp_path):
    path = tmp_path / "excel.csv"
    write_csv(path, rows)
    path.write_bytes("\ufeff".encode() + path.read_bytes())
    assert "3 created" in run_command(str(path))


@pytest.mark.parametrize(("bad", "field"), [
    ({"credit_code": "91140802MA0XXXXXXX"}, "credit_code"),
    ({"list_type": "grey"}, "list_type"),
    ({"source_reference": ""}, "source_reference"),
])
def test_the_command_rejects_the_whole_file_for_one_bad_row(bad, field, rows, tmp_path):
    before = counts()
    rows[2] = {**rows[2], **bad}
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError) as raised:
        run_command(path)
    message = str(raised.value)
    assert '"2"' in message and field in message
    assert counts() == before


def test_the_command_reports_a_missing_file(tmp_path):
    with pytest.raises(CommandError):
        run_command(str(tmp_path / "missing.csv"))
