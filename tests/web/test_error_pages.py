"""Error answers: Chinese pages in the site's layout for people, the API's JSON envelope under /api/."""

from __future__ import annotations

import pytest
from django.test import Client

from regulator.disclosure import selectors as public

pytestmark = pytest.mark.django_db


def test_an_unknown_page_answers_a_chinese_404_in_the_site_layout(web):
    response = web.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-Hans">' in page and "<h1>未找到</h1>" in page and "返回首页" in page
    assert "Not Found" not in page and "/static/web/site.css" in page


def test_an_unknown_api_path_answers_the_json_envelope(web):
    response = web.get("/api/v1/no-such-endpoint/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "您访问的页面或记录不存在，或不在公开范围内。", "code": "not_found"}


def test_a_crash_answers_a_chinese_500_page_without_details(monkeypatch, guoji):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(public, "public_profile", boom)
    response = Client(raise_request_exception=False).get(f"/operators/{guoji.credit_code}/")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-Hans">' in page and "服务暂时不可用" in page
    assert "secret internal detail" not in page and "Traceback" not in page


def test_a_crash_under_the_api_answers_json_500(monkeypatch, guoji):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(public, "public_profile", boom)
    response = Client(raise_request_exception=False).get(f"/api/v1/public/entities/{guoji.credit_code}/")
    assert response.status_code == 500
    assert response.json() == {"detail": "服务器处理请求时出错，已记录并通知运维人员。请稍后再试。", "code": "server_error"}
    assert "secret" not in response.content.decode()


def test_an_object_id_is_digits_only(regulator_client, entity_a):
    """``int()`` accepts "6\\u00a0" and Arabic-Indic digits; the path does not, and the 404 stays JSON."""
    assert regulator_client.get(f"/api/v1/entities/{entity_a.pk}/").status_code == 200
    for odd in (f"{entity_a.pk}%C2%A0", "%D9%A1", f"{entity_a.pk}.0", f"+{entity_a.pk}"):
        response = regulator_client.get(f"/api/v1/entities/{odd}/")
        assert response.status_code == 404, odd
        assert response["Content-Type"] == "application/json" and response.json()["code"] == "not_found"
