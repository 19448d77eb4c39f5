"""信用报告: a printable public record stamped with a signed receipt, and the page that verifies receipts."""

from __future__ import annotations

import html as html_lib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from core import receipts
from regulator.disclosure import selectors as public
from regulator.lists.models import PublicChange
from tests.support import today

from .conftest import NAME

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
    link = html_lib.unescape(re.search(r'<a href="(http://testserver/verify/\?[^"]+)">回执核验页面</a>', page).group(1))
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


def read_qr(pdf: bytes) -> list[str]:
    """The texts of the QR codes on the PDF's first page, rendered at 200 dpi and decoded by ZXing."""
    import pypdfium2
    import zxingcpp

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]


def test_the_pdf_report_holds_the_record_and_its_receipt(web, black_guoji, guoji):
    import io

    import pypdf

    response = web.get(f"/operators/{guoji.credit_code}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f"credit-report-{guoji.credit_code}-" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    pdf = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "公共信用信息报告" in text and NAME in text and guoji.credit_code in text
    assert black_guoji.reason in text and "严重失信主体名单" in text
    assert pdf.metadata.title == f"公共信用信息报告 · {NAME}"


def test_the_qr_code_of_the_pdf_opens_a_passing_verification(web, black_guoji, guoji):
    pdf = web.get(f"/operators/{guoji.credit_code}/report.pdf").content
    (link,) = read_qr(pdf)
    assert link.startswith("http://testserver/verify/?")
    params = parse_qs(urlsplit(link).query)
    payload = json.loads(params["payload"][0])
    assert payload["kind"] == "credit_report" and payload["as_of"] == today().isoformat()
    assert receipts.verify(payload=payload, signature=params["signature"][0],
                           result=public.public_profile(guoji, as_of=today()))
    assert "核验通过" in web.get(link).content.decode()
    # The receipt printed in the PDF is the one in its QR code.
    import io

    import pypdf

    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert payload["result_sha256"] in text.replace("\n", "")


def test_a_forged_qr_link_does_not_verify(web, guoji):
    (link,) = read_qr(web.get(f"/operators/{guoji.credit_code}/report.pdf").content)
    params = parse_qs(urlsplit(link).query)
    payload = json.loads(params["payload"][0])
    forged = {"payload": json.dumps({**payload, "as_of": "2020-01-01"}), "signature": params["signature"][0]}
    assert "核验未通过" in web.get("/verify/", forged).content.decode()


def test_the_html_report_shows_the_same_qr_code_and_links_the_pdf(web, guoji):
    page = web.get(f"/operators/{guoji.credit_code}/report/").content.decode()
    assert f'href="/operators/{guoji.credit_code}/report.pdf"' in page
    svg = re.search(r'<figure class="qr" role="img" aria-label="[^"]+">(<svg.*?</svg>)</figure>', page, re.S)
    assert svg is not None
    link = html_lib.unescape(re.search(r'<a href="(http://testserver/verify/\?[^"]+)">回执核验页面</a>', page).group(1))
    from regulator.portal.report_pdf import qr_svg

    assert svg.group(1) == qr_svg(link)


def test_the_pdf_of_an_unknown_operator_is_not_found(web):
    assert web.get("/operators/91350200776049653A/report.pdf").status_code == 404
