"""One mapping from domain errors to HTTP, so every endpoint answers errors alike.

Bodies: 400 ``{"field": ["message"], "code": "invalid"}`` or ``{"detail", "code"}``;
401/403/404/409 ``{"detail", "code"}``. Nothing here ever produces a 500 for
bad input: database integrity and data errors raised by a write are answered
as 409 and 400 after the transaction rolled back.
"""

from __future__ import annotations

import logging
import traceback

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


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

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
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
