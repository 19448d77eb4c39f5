"""信用报告: a printable public record stamped with a signed receipt, and the page that verifies receipts."""

from __future__ import annotations

import html as html_lib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from regulator import public, receipts
from regulator.models import PublicChange

from .conftest import NAME, today

pytestmark = pytest.mark.django_db


def receipt_on(page: str) -> tuple[dict, str]:
    payload = json.loads(html_lib.unescape(re.search(r'<pre class="code" id="receipt-payload">(.*?)</pre>', page,
                                                     re.S).group(1)))
    signature = re.search(r'<dd class="code" id="receipt-signature">([^<]+)</dd>', page).group(1)
    return payload, signature


def test_the_report_carries_a_receipt_that_verifies(web, black_guoji, guoji):
    response = web.get(f"/operators/{guoji.credit_code}/report/")
    assert response.status_code == 200
    page = response.content.decode()
    assert NAME in page and "公共信用信息报告" in page and black_guoji.reason in page
    payload, signature = receipt_on(page)
    assert payload["kind"] == "credit_report" and payload["as_of"] == today().isoformat()
    assert payload["data_version"] == PublicChange.objects.latest("id").pk
    assert f"<dt>数据版本</dt><dd>{payload['data_version']}</dd>" in page
    assert receipts.verify(payload=payload, signature=signature)
    # The receipt is over this very record: the digest of the public profile of the day.
    assert receipts.verify(payload=payload, signature=signature,
                           result=public.public_profile(guoji, as_of=today()))
    assert payload["query_sha256"] == receipts.digest({"credit_code": guoji.credit_code})


def test_the_report_is_printable(web, guoji):
    page = web.get(f"/operators/{guoji.credit_code}/report/").content.decode()
    assert "/static/web/site.css" in page
    from django.contrib.staticfiles import finders

    css = open(finders.find("web/site.css"), encoding="utf-8").read()
    assert "@media print" in css and ".no-print" in css


def test_the_verify_link_of_the_report_opens_a_valid_check(web, guoji):
    page = web.get(f"/operators/{guoji.credit_code}/report/").content.decode()
    link = html_lib.unescape(re.search(r'<a href="(/verify/\?[^"]+)">回执核验页面</a>', page).group(1))
    params = parse_qs(urlsplit(link).query)
    assert receipts.verify(payload=json.loads(params["payload"][0]), signature=params["signature"][0])
    result = web.get(link).content.decode()
    assert "核验通过" in result


def test_posting_a_receipt_to_the_verify_page_checks_it(web, guoji):
    page = web.get(f"/operators/{guoji.credit_code}/report/").content.decode()
    payload, signature = receipt_on(page)
    form = web.get("/verify/")
    assert form.status_code == 200 and "核验通过" not in form.content.decode()
    valid = web.post("/verify/", {"payload": json.dumps(payload, ensure_ascii=False), "signature": signature})
    assert valid.status_code == 200 and "核验通过" in valid.content.decode()
    forged = web.post("/verify/", {"payload": json.dumps({**payload, "data_version": payload["data_version"] + 1}),
                                   "signature": signature})
    assert "核验未通过" in forged.content.decode()
    garbage = web.post("/verify/", {"payload": "{不是 JSON", "signature": signature}).content.decode()
    assert 'id="id_payload_error"' in garbage and "不是有效的 JSON" in garbage
    assert "核验通过" not in garbage


def test_a_receipt_of_the_public_api_verifies_on_the_page_too(web, black_guoji):
    body = web.get("/api/v1/public/blacklist/").json()
    response = web.post("/verify/", {"payload": json.dumps(body["receipt"]["payload"]),
                                     "signature": body["receipt"]["signature"]})
    assert "核验通过" in response.content.decode()


def test_the_report_of_an_unknown_operator_is_not_found(web):
    assert web.get("/operators/91350200776049653A/report/").status_code == 404


def test_a_deeply_nested_payload_is_an_error_not_a_crash(web):
    response = web.post("/verify/", {"payload": "[" * 3000, "signature": "x"})
    assert response.status_code == 200 and 'id="id_payload_error"' in response.content.decode()
