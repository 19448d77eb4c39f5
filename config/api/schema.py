"""OpenAPI postprocessing: every operation documents the error statuses it can really answer.

drf-spectacular documents only what each view declares, so out of the box a
client (or schemathesis) sees no 400/401/403/404/409/429 at all. This hook adds
them from what the view is, with the bodies ``config.api.exceptions`` really
produces (API.md, Errors):

- ``400`` (``ValidationError``: field errors, or ``detail``, plus ``code``) on
  every operation: its body or query parameters, or a NUL anywhere in the path or
  query string (refused before any view);
- ``401`` and ``403`` (``Error``: ``{detail, code}``) where the view
  authenticates: a bad token is refused even where anonymous callers are
  welcome, and a session needs its CSRF token; permissions and the views' own
  role checks answer 403;
- ``404`` where the path names an object, or the list is paginated (a page
  beyond the last);
- ``409`` on writes to model-backed views (services raise ``ConflictError``,
  and the exception handler answers database conflicts as 409);
- ``429`` where the view is throttled;
- ``413`` and ``415`` where the operation takes a body (over ``DATA_UPLOAD_MAX_MEMORY_SIZE``; not JSON),
  and ``503`` everywhere
  (the database out of reach; ``config.api.request_guard``).

Statuses a view declares itself keep their description; the hook only fills in
the body schema they lack.
"""

from __future__ import annotations

from typing import Any

from rest_framework.generics import GenericAPIView

ERROR = "Error"
VALIDATION_ERROR = "ValidationError"

_ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: a human-readable `detail` and a stable machine-readable `code`.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, in the caller's language."},
        "code": {"type": "string", "description": "Stable error code, e.g. `not_found`, `illegal_transition`."},
    },
    "required": ["detail", "code"],
}
_VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Bad input. Either field errors, each field (or query parameter) named with its messages "
        '(`{"field": ["message"], "code": "invalid"}`; nested objects and lists give nested errors, '
        "`non_field_errors` those of the whole body), or one `detail` (malformed JSON, rows that do not "
        "fit). `code` is the stable error code, except where a field is itself named `code`: then it "
        "carries that field's messages."
    ),
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "The error when it concerns no single field.",
        },
        "code": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "Stable error code (`invalid`, `parse_error`, ...).",
        },
    },
    "additionalProperties": {
        "description": "The messages for this field: a list of strings, or nested errors.",
        "oneOf": [
            {"type": "array", "items": {}},
            {"type": "object", "additionalProperties": {}},
            {"type": "string"},
        ],
    },
    "required": ["code"],
}

_DESCRIPTIONS = {
    "400": "请求参数或请求体不合法（按字段给出错误）",
    "401": "未认证或凭据无效",
    "403": "无权执行该操作（或会话缺少 CSRF 令牌）",
    "404": "不存在或不在权限范围内",
    "406": "无法以 Accept 要求的格式答复",
    "409": "与当前状态或已有记录冲突",
    "410": "已失效（如评价链接已使用或已过期）",
    "413": "请求内容过大（超过 DATA_UPLOAD_MAX_MEMORY_SIZE）",
    "415": "请求体不是 JSON（Content-Type 应为 application/json）",
    "422": "Idempotency-Key 已用于另一个请求",
    "429": "请求过于频繁，请稍后再试（见 Retry-After）",
    "503": "数据库暂时无法访问，请稍后再试（见 Retry-After）",
}
_WRITES = {"post", "put", "patch", "delete"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _statuses(method: str, operation: dict[str, Any], view) -> set[str]:
    """The error statuses this operation can answer, from what its view is."""
    parameters = operation.get("parameters", [])
    query = {p["name"] for p in parameters if p.get("in") == "query"}
    statuses: set[str] = set()
    # Every operation: a NUL in the path or the query string is refused before any view (config.api.request_guard).
    statuses.add("400")
    if view.get_authenticators():
        statuses |= {"401", "403"}
    if any(p.get("in") == "path" for p in parameters) or "page" in query:
        statuses.add("404")
    if method in _WRITES and isinstance(view, GenericAPIView):
        statuses.add("409")
    if view.get_throttles():
        statuses.add("429")
    if "requestBody" in operation:
        statuses |= {"413", "415"}
    statuses.add("503")
    return statuses


def _views_by_operation(generator) -> dict[tuple[str, str], Any]:
    """(path, method) -> a view instance set up like the one the operation was generated from."""
    views = {}
    for path, _regex, method, callback in generator.endpoints or []:
        view = generator.create_view(callback, method)
        path = generator.coerce_path(path, method, view)
        views[("/" + path.lstrip("/"), method.lower())] = view
    return views


def postprocess_integer_ids(result, generator, request, public):
    """Object ids in paths match ``[0-9]+`` (config.api_router.Router); say so as the integer they are."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "path" and parameter.get("schema", {}).get("pattern") == "^[0-9]+$":
                    parameter["schema"] = {"type": "integer"}
                    parameter.setdefault("description", "对象编号（十进制数字）。")
    return result


def postprocess_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: add the error responses (see the module docstring)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, _ERROR_SCHEMA)
    schemas.setdefault(VALIDATION_ERROR, _VALIDATION_ERROR_SCHEMA)
    views = _views_by_operation(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            view = views.get((path, method))
            if view is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in sorted(_statuses(method, operation, view) | {s for s in responses if s in _DESCRIPTIONS}):
                response = responses.setdefault(status, {"description": _DESCRIPTIONS[status]})
                body = _ref(VALIDATION_ERROR if status == "400" else ERROR)
                response.setdefault("content", {"application/json": {"schema": body}})
            operation["responses"] = dict(sorted(responses.items()))
    return result


_DATE_WINDOW = "日期应在 2000-01-01（INPUT_DATE_EARLIEST）至今后 10 年（INPUT_DATE_YEARS_AHEAD）之间，否则 400。"


def _is_date(schema: dict[str, Any]) -> bool:
    if schema.get("format") == "date":
        return True
    return any(isinstance(option, dict) and option.get("format") == "date" for option in schema.get("anyOf", []))


def _describe_window(schema: dict[str, Any]) -> None:
    description = schema.get("description", "")
    if _DATE_WINDOW not in description:
        schema["description"] = f"{description} {_DATE_WINDOW}".strip()


def postprocess_date_window(result, generator, request, public):
    """Every date an operation takes (request bodies, query parameters) says the window it must fall in."""
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request"):
            continue
        stack = [component]
        while stack:
            schema = stack.pop()
            if not isinstance(schema, dict):
                continue
            if _is_date(schema) and not schema.get("readOnly"):
                _describe_window(schema)
            stack.extend(schema.get("properties", {}).values())
            if isinstance(schema.get("items"), dict):
                stack.append(schema["items"])
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and _is_date(parameter.get("schema", {})):
                    _describe_window(parameter)
    return result
