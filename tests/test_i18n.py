"""Chinese by default (zh-hans); English through Accept-Language, for our messages and Django's."""

from tests.support import today


def _file_without_entity(client, **headers):
    return client.post("/api/v1/complaints/", {
        "category": "other", "description": "x", "incident_date": str(today())}, format="json",
        **headers)


def test_messages_are_chinese_by_default(anon_client, db):
    body = _file_without_entity(anon_client).json()
    assert body["entity"] == ["请指定被投诉主体（entity 或 entity_credit_code）。"]
    assert anon_client.get("/api/v1/entities/").json()["detail"] == "身份认证信息未提供。"


def test_messages_are_english_through_accept_language(anon_client, db):
    body = _file_without_entity(anon_client, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["entity"] == ["Name the business complained about (entity or entity_credit_code)."]
    detail = anon_client.get("/api/v1/entities/", HTTP_ACCEPT_LANGUAGE="en").json()["detail"]
    assert detail == "Authentication credentials were not provided."


def test_admin_login_is_chinese_by_default_and_english_on_request(client, db):
    assert "登录" in client.get("/admin/login/").content.decode()
    assert "Log in" in client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
