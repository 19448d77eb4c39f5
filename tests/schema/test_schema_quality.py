"""The schema a client is generated from: domain tags, summaries, response schemas, one body type, no leaks.

Issue #17 item 6. Each property is checked on the whole document, so an endpoint added later without a
tag prefix, a summary or a response schema fails here by name.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from config.api import schema_tags
from tests.support import api_client

from .support import document

_HAN = re.compile(r"[\u4e00-\u9fff]")


def _operations():
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_every_operation_has_one_domain_tag_and_every_tag_is_described_in_chinese_and_english():
    untagged = [(method, path, operation.get("tags")) for path, method, operation in _operations()
                if operation.get("tags") is None or len(operation["tags"]) != 1
                or operation["tags"][0] not in schema_tags.TAG_DESCRIPTIONS]
    assert not untagged, f"add a prefix to config.api.schema_tags.TAGS_BY_PREFIX for {untagged}"
    tags = {tag["name"]: tag["description"] for tag in document()["tags"]}
    assert set(tags) == set(schema_tags.TAG_DESCRIPTIONS)
    for name, description in tags.items():
        chinese, english = description.split("\n\n")
        assert _HAN.search(chinese), name
        assert re.search(r"[A-Za-z]{4,}", english) and not _HAN.search(english), name
    used = {operation["tags"][0] for _path, _method, operation in _operations()}
    for required in ("registry", "complaints", "inspections", "credit", "lists", "licence-checks", "public",
                     "self-service", "audit", "accounts"):
        assert required in used, required


def test_tags_follow_the_longest_path_prefix_and_an_unmapped_path_has_none():
    assert schema_tags.tag_for("/api/v1/entities/{id}/") == "registry"
    assert schema_tags.tag_for("/api/v1/entities/{entity_id}/credit/history/") == "credit"
    assert schema_tags.tag_for("/api/v1/public/entities/{credit_code}/") == "public"
    assert schema_tags.tag_for("/api/v1/me/") == "self-service"
    assert schema_tags.tag_for("/api/v1/nothing-like-it/") is None
    assert schema_tags.tag_for("/api/v1/entitiesx/") is None  # a prefix ends at a slash


def test_an_unmapped_path_is_a_schema_warning(monkeypatch):
    """``manage.py spectacular --fail-on-warn`` (``make schema``) then fails, naming the path."""
    warnings = []
    monkeypatch.setattr(schema_tags, "warn", warnings.append)
    result = {"paths": {"/api/v1/nothing-like-it/": {"get": {"tags": ["api"]}},
                        "/api/v1/me/": {"get": {"tags": ["api"]}}}}
    schema_tags.postprocess_tags(result, None, None, True)
    assert result["paths"]["/api/v1/me/"]["get"]["tags"] == ["self-service"]
    assert result["paths"]["/api/v1/nothing-like-it/"]["get"]["tags"] == ["api"]
    assert len(warnings) == 1 and "/api/v1/nothing-like-it/" in warnings[0]


def test_every_operation_has_a_summary():
    missing = [(method, path) for path, method, operation in _operations() if not operation.get("summary")]
    assert not missing, missing


def test_every_operation_documents_a_success_body():
    """A 2xx with a body schema (a client parses it), or a 204 that has none."""
    missing = []
    for path, method, operation in _operations():
        successes = {status: answer for status, answer in operation["responses"].items() if status.startswith("2")}
        documented = any(answer.get("content") for answer in successes.values())
        if not documented and set(successes) != {"204"}:
            missing.append((method, path))
    assert not missing, missing


def test_every_request_body_has_one_type_and_the_token_takes_json_only():
    several = [(method, path, list(operation["requestBody"]["content"])) for path, method, operation in _operations()
               if len(operation.get("requestBody", {}).get("content", {})) > 1]
    assert not several, several
    token = document()["paths"]["/api/v1/auth/token/"]["post"]
    assert list(token["requestBody"]["content"]) == ["application/json"]
    assert "x-also-accepts" not in token


def test_no_internal_docstring_describes_a_body():
    leaks = [name for name, component in document()["components"]["schemas"].items()
             if "Refuse JSON values" in component.get("description", "")
             or "DRF is lenient" in component.get("description", "")]
    assert not leaks, leaks


def test_the_token_prefix_is_documented_as_a_security_scheme():
    scheme = document()["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert "Authorization: Token <token>" in scheme["description"]
    protected = document()["paths"]["/api/v1/me/"]["get"]["security"]
    assert {"tokenAuth": []} in protected


def test_the_main_operations_have_examples():
    def examples(operation):
        found = set()
        for body in operation.get("requestBody", {}).get("content", {}).values():
            found |= {"request"} if body.get("examples") else set()
        for answer in operation["responses"].values():
            for body in answer.get("content", {}).values():
                found |= {"response"} if body.get("examples") else set()
        return found

    paths = document()["paths"]
    assert examples(paths["/api/v1/auth/token/"]["post"]) == {"request", "response"}
    assert examples(paths["/api/v1/licence-checks/"]["post"]) == {"request", "response"}
    assert examples(paths["/api/v1/licence-checks/batch/"]["post"]) == {"request", "response"}
    assert "response" in examples(paths["/api/v1/public/blacklist/"]["get"])
    assert "response" in examples(paths["/api/v1/me/"]["get"])


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_the_token_endpoint_refuses_a_form_or_multipart_body_with_a_json_415(regulator, content_type):
    credentials = {"username": "regulator", "password": "correct-horse-battery"}
    if content_type == "multipart/form-data":
        response = api_client().post("/api/v1/auth/token/", credentials, format="multipart")
    else:
        response = api_client().post("/api/v1/auth/token/", urlencode(credentials), content_type=content_type)
    assert response.status_code == 415
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unsupported_media_type"
    assert "token" not in response.json()


def test_the_token_endpoint_takes_json(regulator):
    response = api_client().post("/api/v1/auth/token/", {"username": "regulator",
                                                         "password": "correct-horse-battery"}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]
