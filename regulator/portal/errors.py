"""The site's error answers: Chinese pages for people, the API's JSON envelope under /api/.

Wired in ``config/urls.py`` as Django's handler400/403/404/500, and as
``settings.REQUEST_ERROR_VIEW`` (``error_answer``) for what
``config.api.request_guard`` refuses before any view runs: a NUL in the path or
query (400), a body over the size limit (413), the database out of reach (503).

The 500 and 503 pages are rendered with no request context (no context
processors, no session, no user), so they still render when the database is
what failed: the 500 from its bare template, the 503 from ``web/error.html``
in the site's layout (which reads nothing but its context). A 500 whose cause is the database being unreachable is answered
503 (``Retry-After``): the request may well succeed later.
"""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from config.api.exceptions import (
    ERROR_BODIES,
    NUL_BODY,
    RETRY_AFTER_SECONDS,
    database_unavailable,
    error_body,
)
from regulator.portal.views import error_page

API_PREFIX = "/api/"

#: status -> (title, message, code) of the pages; the messages are those of the API's JSON bodies
PAGES = {status: (str(title), str(message), code) for status, (title, message, code) in ERROR_BODIES.items()}
#: the statuses whose page is rendered without the request (nothing of the session or the database is read)
_STANDALONE = {500, 503}


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _json(status: int, body: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse(body or error_body(status), status=status, json_dumps_params={"ensure_ascii": False})
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _standalone_page(status: int) -> HttpResponse:
    title, message, _code = PAGES[status]
    template = "web/error.html" if status == 503 else "500.html"
    body = loader.get_template(template).render({"title": title, "message": message, "retry": status == 503})
    response = HttpResponse(body, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def error_answer(request: HttpRequest, status: int, *, nul: bool = False) -> HttpResponse:
    """``status`` as JSON under /api/ and as a Chinese page elsewhere (``settings.REQUEST_ERROR_VIEW``)."""
    if nul:
        title, message, code = (str(part) for part in NUL_BODY)
    else:
        title, message, code = PAGES.get(status) or PAGES[500 if status >= 500 else 400]
    if _is_api(request):
        return _json(status, {"detail": message, "code": code})
    if status in _STANDALONE:
        return _standalone_page(status)
    return error_page(request, status, title, message)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_answer(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_answer(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls handler500 while handling the exception: sys.exc_info() says what it was.
    status = 503 if database_unavailable(sys.exc_info()[1]) else 500
    return error_answer(request, status)
