"""The site's error answers: Chinese pages for people, the API's JSON envelope under /api/.

Wired in ``config/urls.py`` as Django's handler400/403/404/500. The 500 page is
rendered from a standalone template with no context processors, so it still
renders when the database (sessions, the user) is what failed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from regulator.portal.views import error_page

API_PREFIX = "/api/"

PAGES = {
    400: ("请求有误", "请求的内容或格式不正确，请检查后重试。", "bad_request"),
    403: ("无权访问", "您无权访问该页面或执行该操作。", "permission_denied"),
    404: ("未找到", "您访问的页面或记录不存在，或不在公开范围内。", "not_found"),
    500: ("服务暂时不可用", "服务器处理请求时出错，已记录并通知运维人员。请稍后再试。", "server_error"),
}


def _answer(request: HttpRequest, status: int) -> HttpResponse:
    title, message, code = PAGES[status]
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message, "code": code}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    return error_page(request, status, title, message)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _answer(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    title, message, code = PAGES[500]
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": message, "code": code}, status=500, json_dumps_params={"ensure_ascii": False})
    body = loader.get_template("500.html").render({"title": title, "message": message})
    return HttpResponse(body, status=500)
