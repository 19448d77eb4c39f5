"""One mapping from domain errors to HTTP, so every endpoint answers errors alike.

Bodies: 400 ``{"field": ["message"], "code": "invalid"}`` or ``{"detail", "code"}``;
401/403/404/409/413/503 ``{"detail", "code"}``. Nothing here ever produces a 500 for
bad input: database integrity and data errors raised by a write are answered
as 409 and 400 after the transaction rolled back. A database that cannot be
reached (connection refused, server gone) is the service's outage, not the
caller's mistake: 503 with ``Retry-After``, so clients retry instead of
reporting a bug.

``ERROR_BODIES`` is the one catalogue of the errors answered outside a view
(``config.api.request_guard``, the site's handlers): the same
``{"detail", "code"}`` wherever under ``/api/`` they arise.
"""

from __future__ import annotations

import logging
import traceback

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

#: seconds a client is asked to wait before retrying a 503
RETRY_AFTER_SECONDS = 30

#: status -> (Chinese title, message, stable code) of the errors answered outside a view
ERROR_BODIES: dict[int, tuple[str, str, str]] = {
    400: (_("请求有误"), _("请求的内容或格式不正确，请检查后重试。"), "bad_request"),
    403: (_("无权访问"), _("您无权访问该页面或执行该操作。"), "permission_denied"),
    404: (_("未找到"), _("您访问的页面或记录不存在，或不在公开范围内。"), "not_found"),
    405: (_("不支持的请求方法"), _("该地址不支持此请求方法。"), "method_not_allowed"),
    413: (_("请求内容过大"), _("请求内容超过了允许的大小，请拆分后重试。"), "request_too_large"),
    500: (_("服务暂时不可用"), _("服务器处理请求时出错，已记录并通知运维人员。请稍后再试。"), "server_error"),
    503: (_("服务暂时不可用"), _("数据库暂时无法访问，请稍后再试。"), "service_unavailable"),
}
#: the body of a NUL character in a path or query string (400)
NUL_BODY = (_("请求有误"), _("地址或查询参数中含有不允许的空字符（NUL）。"), "nul_character")

#: database failures that mean "the database is not there", answered 503
UNAVAILABLE = (OperationalError, InterfaceError)


def error_body(status_code: int) -> dict[str, str]:
    """``{"detail", "code"}`` for ``status_code`` (any 4xx/5xx; unknown ones take their class's message)."""
    known = ERROR_BODIES.get(status_code) or ERROR_BODIES[500 if status_code >= 500 else 400]
    return {"detail": str(known[1]), "code": known[2]}


def database_unavailable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) says the database cannot be reached."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, UNAVAILABLE):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


class ServiceUnavailable(exceptions.APIException):
    """The database cannot be reached: the request may succeed later (503, ``Retry-After``)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = ERROR_BODIES[503][1]
    default_code = "service_unavailable"


class ConflictError(exceptions.APIException):
    """The request is well-formed but the object's state forbids it (illegal transition, duplicate)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("操作与当前状态冲突。")
    default_code = "conflict"


class RuleViolation(exceptions.ValidationError):
    """A domain rule rejected the input; ``detail`` names the fields, nested lists allowed (400)."""

    default_code = "invalid"


def _with_code(data, code: str):
    if isinstance(data, dict) and "code" not in data:
        data = {**data, "code": code}
    elif isinstance(data, list):
        data = {"detail": data[0] if len(data) == 1 else data, "code": code}
    return data


def _raised_by_parser(exc: BaseException) -> bool:
    return any(
        frame.f_code.co_name == "parse" and "rest_framework" in frame.f_code.co_filename
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


def exception_handler(exc, context):
    if isinstance(exc, RecursionError) and _raised_by_parser(exc):
        # json raises RecursionError (not ValueError) on deeply nested input; DRF lets it through as a 500.
        exc = exceptions.ParseError(_("JSON 嵌套层级过深。"))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, IntegrityError):
        logger.info("integrity error answered as 409: %s", exc)
        exc = ConflictError(_("与已有记录冲突（唯一性或引用约束）。"), code="integrity_conflict")
    elif isinstance(exc, DataError):
        logger.info("data error answered as 400: %s", exc)
        exc = exceptions.ValidationError({"detail": _("数据格式或长度不合法。")}, code="invalid_data")
    elif database_unavailable(exc):
        logger.error("database unavailable, answered 503: %s", exc)
        exc = ServiceUnavailable()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        data = _with_code(data, "invalid")
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
        code = codes if isinstance(codes, str) else getattr(exc, "default_code", "error")
        data = _with_code(data, code)
    return Response(data, status=response.status_code, headers=_headers(response))


def _headers(response: Response) -> dict:
    return {key: value for key, value in response.items() if key in {"Retry-After", "WWW-Authenticate", "Allow"}}
