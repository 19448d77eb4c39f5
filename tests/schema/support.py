"""The schema as served, and a check of a real answer against an operation's documented response.

The document is rendered in-process with drf-spectacular's generator and the test settings (as
``/api/schema/`` renders it). OpenAPI 3.0 schemas become JSON Schema for ``jsonschema`` with schemathesis'
converter (the one its ``response_schema_conformance`` check uses); ``$ref``s resolve against the document's
own ``components``.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from drf_spectacular.generators import SchemaGenerator
from schemathesis.specs.openapi.converter import to_json_schema


@functools.cache
def document() -> dict[str, Any]:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _json_schema(schema: Any) -> Any:
    """OpenAPI 3.0 -> JSON Schema, as schemathesis converts a response schema (``nullable``, ``writeOnly``)."""
    return to_json_schema(schema, nullable_keyword="nullable", is_response_schema=True)


def response_schema(path: str, method: str, status: str = "200", media_type: str = "application/json") -> dict:
    """The JSON Schema of one documented response body, with the components its ``$ref``s point at."""
    operation = document()["paths"][path][method.lower()]
    schema = operation["responses"][status]["content"][media_type]["schema"]
    components = {name: _json_schema(component) for name, component in document()["components"]["schemas"].items()}
    return {**_json_schema(schema), "components": {"schemas": components}}


def assert_matches(body: Any, path: str, method: str, status: str = "200") -> None:
    """``body`` conforms to the documented response (types, required fields, enums, dates)."""
    schema = response_schema(path, method, status)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors[:10])
