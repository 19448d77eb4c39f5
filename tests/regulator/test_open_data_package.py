"""Open data others can use: codes kept with Chinese label columns, a data dictionary, a licence, a Frictionless
``datapackage.json`` beside the manifest, Beijing time with its offset, and a page of cards.

``frictionless`` is heavy; the package is checked against the spec's required structure (Data Package v1 and
Table Schema v1, https://specs.frictionlessdata.io/) written here as a JSON Schema, with ``jsonschema``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import jsonschema
import pytest

from regulator.disclosure import data_dictionary, exports
from tests.support import listing_in, page_client

pytestmark = pytest.mark.django_db

OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
TABLE_TYPES = ["string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime", "year",
               "yearmonth", "duration", "geopoint", "geojson", "any"]
#: the required structure of a Data Package (v1) and of each tabular resource's Table Schema
DATA_PACKAGE = {
    "type": "object",
    "required": ["resources"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9._-]+$"},
        "profile": {"enum": ["data-package", "tabular-data-package"]},
        "created": {"type": "string", "pattern": OFFSET.pattern},
        "licenses": {"type": "array", "minItems": 1, "items": {
            "type": "object", "anyOf": [{"required": ["name"]}, {"required": ["path"]}],
            "properties": {"name": {"type": "string", "pattern": r"^([-a-zA-Z0-9._])+$"},
                           "path": {"type": "string"}, "title": {"type": "string"}}}},
        "resources": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name", "path"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9._-]+$"},
                "path": {"type": "string", "minLength": 1},
                "bytes": {"type": "integer"},
                "hash": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
                "profile": {"enum": ["data-resource", "tabular-data-resource"]},
                "schema": {"type": "object", "required": ["fields"], "properties": {"fields": {
                    "type": "array", "minItems": 1, "items": {
                        "type": "object", "required": ["name"],
                        "properties": {"name": {"type": "string"}, "type": {"enum": TABLE_TYPES},
                                       "constraints": {"type": "object"}}}}}}},
            "if": {"properties": {"profile": {"const": "tabular-data-resource"}}},
            "then": {"required": ["schema"]}}},
    },
}


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def published(entity_a):
    return listing_in("published", entity=entity_a)


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(exports.read(name).decode("utf-8-sig"))))


def test_the_datapackage_lies_beside_the_manifest_and_has_the_required_structure(published):
    manifest = exports.regenerate()
    directory = exports.export_dir()
    assert (directory / "manifest.json").exists() and (directory / "datapackage.json").exists()
    package = json.loads((directory / "datapackage.json").read_text())
    jsonschema.validate(package, DATA_PACKAGE)
    assert package["profile"] == "tabular-data-package" and package["version"] == str(manifest["data_version"])
    assert package["licenses"] == [data_dictionary.LICENCE] and package["licenses"][0]["name"] == "CC-BY-4.0"
    assert {resource["path"] for resource in package["resources"]} == set(manifest["files"])
    names = [resource["name"] for resource in package["resources"]]
    assert len(names) == len(set(names))
    for resource in package["resources"]:
        data = (directory / resource["path"]).read_bytes()  # a path relative to the package
        assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}" and resource["bytes"] == len(data)
        assert (resource["profile"] == "tabular-data-resource") == resource["path"].endswith(".csv")


def test_the_table_schema_names_every_csv_column_in_order(published):
    exports.regenerate()
    package = json.loads((exports.export_dir() / "datapackage.json").read_text())
    schema = next(r for r in package["resources"] if r["path"] == "blacklist.csv")["schema"]
    header = exports.read("blacklist.csv").decode("utf-8-sig").splitlines()[0].split(",")
    assert [field["name"] for field in schema["fields"]] == header
    assert schema["primaryKey"] == ["id"]
    list_type = next(field for field in schema["fields"] if field["name"] == "list_type")
    assert list_type["constraints"]["enum"] == ["black", "watch", "red"] and list_type["title"] == "名单类型"


def test_the_csv_keeps_its_codes_in_their_places_and_adds_chinese_labels_after_them(published, entity_a):
    header = exports.read("blacklist.csv").decode("utf-8-sig").splitlines()[0].split(",")
    before = ["id", "list_type", "subject_type", "name", "credit_code", "related_entity_name", "person_role",
              "sector", "region_code", "reason", "legal_basis", "decision_number", "decided_on", "published_on",
              "expires_on", "measures", "source_authority"]
    assert header[:len(before)] == before  # nothing renamed or moved
    assert header[len(before):] == ["list_type_label", "subject_type_label", "person_role_label", "sector_label",
                                    "region_code_label"]
    [row] = _csv("blacklist.csv")
    assert (row["list_type"], row["list_type_label"]) == ("black", "严重失信主体名单")
    assert (row["subject_type"], row["subject_type_label"]) == ("entity", "市场主体")
    assert (row["sector"], row["sector_label"]) == (entity_a.sector, "文化旅游")
    assert (row["region_code"], row["region_code_label"]) == ("140802", "山西省运城市盐湖区")
    assert row["person_role"] == row["person_role_label"] == ""


def test_the_json_files_keep_the_codes_only(published):
    [row] = json.loads(exports.read("blacklist.json"))
    assert row["list_type"] == "black" and not any(key.endswith("_label") for key in row)


def test_times_carry_the_beijing_offset(published):
    manifest = exports.regenerate()
    assert OFFSET.match(manifest["generated_at"])
    package = json.loads((exports.export_dir() / "datapackage.json").read_text())
    assert package["created"] == manifest["generated_at"]


def test_the_manifest_names_the_licence_the_package_and_the_dictionary(published):
    manifest = exports.regenerate()
    assert manifest["licence"]["name"] == "CC-BY-4.0"
    assert manifest["licence"]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert (manifest["datapackage"], manifest["dictionary"]) == ("datapackage.json", "dictionary.csv")


def test_the_data_dictionary_file_has_every_column_with_its_meaning_and_codes(published):
    rows = {row["field"]: row for row in _csv("dictionary.csv")}
    assert list(rows) == data_dictionary.CSV_FIELDS
    assert rows["list_type"]["title"] == "名单类型" and rows["list_type"]["type"] == "string"
    assert "black=严重失信主体名单" in rows["list_type"]["codes"] and "red=守信激励名单" in rows["list_type"]["codes"]
    assert "tourism=文化旅游" in rows["sector"]["codes"]
    assert all(re.search(r"[\u4e00-\u9fff]", row["description"]) for row in rows.values())


def test_the_open_data_page_is_cards_with_the_licence_and_links_to_the_dictionary_and_package(published):
    html = page_client().get("/open-data/").content.decode()
    # a card each for the black and red lists and the 双公示 penalties and licences
    assert "<table" not in html and html.count('class="card list-card"') == 4
    assert html.count('class="file-item"') == len(exports.FORMATS) * 4
    assert "CC BY 4.0" in html and 'rel="license"' in html
    assert 'href="/open-data/dictionary/"' in html and 'href="/open-data/datapackage.json"' in html
    assert re.search(r'<time datetime="[^"]+\+08:00">', html)
    dictionary = page_client().get("/open-data/dictionary/").content.decode()
    for field in data_dictionary.CSV_FIELDS:
        assert f'id="field-{field}"' in dictionary
    assert "严重失信主体名单" in dictionary and "<table" not in dictionary


def test_the_served_package_names_each_file_by_a_url_that_answers_it(published):
    client = page_client()
    response = client.get("/open-data/datapackage.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    package = response.json()
    jsonschema.validate(package, DATA_PACKAGE)
    for resource in package["resources"]:
        assert resource["path"].startswith("http://testserver/api/v1/public/exports/")
        data = client.get(resource["path"].removeprefix("http://testserver")).content
        assert resource["hash"] == f"sha256:{hashlib.sha256(data).hexdigest()}"
    dictionary = client.get("/open-data/dictionary.csv")
    assert dictionary.status_code == 200 and "list_type_label" in dictionary.content.decode("utf-8-sig")
