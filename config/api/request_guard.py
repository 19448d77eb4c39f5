"""The first middleware: refuse what no view should see, and keep every ``/api/`` error in the JSON body.

Before any other middleware or view runs:

- a NUL character in the path or the query string is a 400. PostgreSQL refuses
  NUL in text, so ``/operators/<code>%00/`` or an admin changelist's
  ``?status=%00`` reached the database and came back as a 500 from every view
  that looks its input up; one check here covers them all, present and future;
- a date part in the query string (``<field>__year``, ``__month``, ``__day``: the
  admin's date hierarchy and Django's date lookups) that is not one to four
  digits is a 400: Django reads ``?decided_on__year=99999999999999999999`` with
  ``int()`` and then overflows building the date;
- a body whose ``Content-Length`` exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is a
  413 (Django would raise ``RequestDataTooBig`` where the body is first read,
  answered as a 400, or as the debug page). Multipart bodies are left to
  Django, which counts only their non-file fields.

Around everything else:

- ``RequestDataTooBig`` raised by a view is a 413, an ``OverflowError`` (a
  number or date from the request beyond what Python's types hold, wherever it
  is finally used) a 400, and a database that cannot be
  reached (``OperationalError``, ``InterfaceError``) a 503 with ``Retry-After``,
  whatever ``DEBUG`` says;
- under ``/api/`` an error answered as HTML (Django's URL-level 404, its debug
  pages, the CSRF failure page) is replaced by the JSON error body of the same
  status (``config.api.exceptions.ERROR_BODIES``), so clients always get
  ``{"detail", "code"}``.

Elsewhere these answers are the site's Chinese pages, rendered by the view
named in ``settings.REQUEST_ERROR_VIEW`` (``regulator.portal.errors.error_answer``:
the view is looked up by name, as Django looks up ``handler404``, so this
plumbing imports no app).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

from config.api.exceptions import NUL_BODY, RETRY_AFTER_SECONDS, database_unavailable, error_body

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
DATE_PART = re.compile(r"__(year|month|day|iso_year|week|week_day|iso_week_day|quarter)$")
DATE_PART_VALUE = re.compile(r"[0-9]{1,4}")


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX) or request.path.startswith(API_PREFIX)


def has_nul(request: HttpRequest) -> bool:
    """A NUL in the (decoded) path or anywhere in the query string, spelled ``%00`` or raw."""
    if "\x00" in request.path_info or "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in query or b"\x00" in unquote_to_bytes(query.replace("+", " "))


def nul_body(request: HttpRequest) -> dict:
    """The 400 body: the query parameters whose value carries a NUL, by name (decision 0006), else ``detail``."""
    message, code = str(NUL_BODY[1]), NUL_BODY[2]
    if "\x00" not in request.path_info and "\x00" not in request.path:
        pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True, errors="replace")
        names = sorted({name for name, value in pairs if "\x00" in value})
        if names and not any("\x00" in name for name, _value in pairs):
            return {**{name: [message] for name in names}, "code": code}
    return {"detail": message, "code": code}


def bad_date_parts(request: HttpRequest) -> list[str]:
    """Query parameters naming a date part whose value is not 1-4 ASCII digits."""
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True, errors="replace")
    return sorted({name for name, value in pairs
                   if DATE_PART.search(name) and value and not DATE_PART_VALUE.fullmatch(value)})


def _declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return None


def too_large(request: HttpRequest) -> bool:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        return False
    length = _declared_length(request)
    return length is not None and length > limit


def api_error(status: int, body: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(body or error_body(status), status=status, json_dumps_params={"ensure_ascii": False})
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _page_view() -> Callable[..., HttpResponse] | None:
    name = getattr(settings, "REQUEST_ERROR_VIEW", "")
    return import_string(name) if name else None


def error_response(request: HttpRequest, status: int, *, nul: bool = False,
                   parameters: list[str] | None = None) -> HttpResponse:
    """The answer for ``status``: JSON under /api/, the site's page elsewhere (plain text without one)."""
    if is_api(request):
        if nul:
            return api_error(status, nul_body(request))
        if parameters:
            message = error_body(status)["detail"]
            return api_error(status, {**{name: [message] for name in parameters}, "code": "invalid"})
        return api_error(status)
    view = _page_view()
    if view is not None:
        response = view(request, status, nul=nul)
    else:
        body = error_body(status)
        response = HttpResponse(body["detail"], status=status, content_type="text/plain; charset=utf-8")
    if status == 503 and not response.has_header("Retry-After"):
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


class RequestGuardMiddleware:
    """Outermost middleware (``config.settings.inputs`` puts it first); see the module docstring."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            return error_response(request, 400, nul=True)
        if parameters := bad_date_parts(request):
            return error_response(request, 400, parameters=parameters)
        if too_large(request):
            return error_response(request, 413)
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and _is_html(response):
            response = api_error(response.status_code)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Exceptions from views (DRF's own handler answers those of API views first)."""
        if isinstance(exception, RequestDataTooBig):
            return error_response(request, 413)
        if database_unavailable(exception):
            logger.error("database unavailable, answered 503: %s", exception)
            return error_response(request, 503)
        if isinstance(exception, OverflowError):
            logger.error("overflow from request input answered 400: %s %s", request.method, request.path,
                         exc_info=exception)
            return error_response(request, 400)
        return None
