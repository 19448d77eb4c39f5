"""The public's tasks in a real browser, on a 375 px phone and a desktop: search, the complaint round trip.

The main task of each page must work with JavaScript off (a plain form post or
GET); with JavaScript on, the search also answers as you type.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from complaints import services as complaint_services
from complaints.models import Complaint

from ..web.conftest import NAME
from .conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_search_by_pinyin_without_javascript(page_without_js, live_server, black_guoji):
    page = page_without_js
    page.goto(f"{live_server.url}/search/")
    page.get_by_label("名称、拼音、首字母或统一社会信用代码").fill("guoji")
    page.get_by_label("仅公示名单（黑名单、红名单）").check()  # the whole registry is the default scope
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=guoji"))
    card = page.locator(f"#listing-{black_guoji.pk}")
    expect(card).to_be_visible()
    expect(card).to_contain_text(NAME)
    expect(card).to_contain_text("严重失信主体名单")
    check_page(page, "search-results-nojs")
    card.get_by_role("link", name=NAME).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    check_page(page, "operator-nojs")


def test_search_answers_as_you_type(page, live_server, black_guoji, guoji):
    page.goto(f"{live_server.url}/search/")
    page.get_by_label("名称、拼音、首字母或统一社会信用代码").press_sequentially("运城国际", delay=60)
    live = page.locator("#live-results")
    expect(live).to_contain_text(NAME)
    expect(live).to_contain_text(guoji.credit_code)
    expect(page).to_have_url(f"{live_server.url}/search/")  # nothing was submitted
    check_page(page, "search-live")
    live.get_by_role("link", name=NAME).click()
    expect(page).to_have_url(f"{live_server.url}/operators/{guoji.credit_code}/")


def test_complaint_round_trip_without_javascript(page_without_js, live_server, guoji, django_user_model):
    page = page_without_js
    page.goto(f"{live_server.url}/operators/{guoji.credit_code}/")
    page.get_by_role("link", name="投诉该经营者").click()
    # The code is carried over from the operator page; a mistake is shown beside its field first.
    expect(page.get_by_label("被投诉经营者的统一社会信用代码")).to_have_value(guoji.credit_code)
    page.get_by_role("button", name="提交投诉").click()
    expect(page.locator("#id_description_error")).to_be_visible()
    check_page(page, "complaint-form-errors-nojs")
    page.get_by_label("投诉类别").select_option("forced_shopping")
    page.get_by_label("事发（服务结束）日期").fill("2026-11-20")
    page.get_by_label("投诉内容").fill("导游强迫购物，在玉器店停留三小时，要求退还购物款。")
    page.get_by_label("您的姓名（选填）").fill("王小明")
    page.get_by_label("联系电话（选填）").fill("13912345678")
    page.get_by_role("button", name="提交投诉").click()

    code = page.locator("#tracking-code").inner_text().strip()
    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.entity_id == guoji.pk and complaint.complainant_phone == "13912345678"
    assert complaint.channel == "web" and complaint.status == "submitted"
    check_page(page, "complaint-filed-nojs")

    regulator = django_user_model.objects.create_user("regulator", role="regulator")
    complaint_services.complaint_accept(complaint_id=complaint.pk, actor=regulator)

    page.get_by_role("link", name="投诉查询").first.click()
    page.get_by_label("投诉查询码").fill(code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("投诉办理进度")
    expect(page.locator("dl.facts")).to_contain_text("已受理")
    expect(page.locator("main")).not_to_contain_text("13912345678")
    expect(page.locator("main")).not_to_contain_text("王小明")
    check_page(page, "complaint-status-nojs")


def test_the_credit_report_links_its_pdf_and_verifies(page, live_server, black_guoji, guoji):
    page.goto(f"{live_server.url}/operators/{guoji.credit_code}/report/")
    expect(page.locator("figure.qr svg")).to_be_visible()
    check_page(page, "credit-report")
    pdf = page.request.get(f"{live_server.url}/operators/{guoji.credit_code}/report.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF-")
    page.get_by_role("link", name="回执核验页面").click()
    expect(page.locator("main")).to_contain_text("核验通过")
    check_page(page, "verify-valid")


TOUR = [
    ("home", "/", "查询经营者信用"),
    ("search", "/search/", "名单查询"),
    ("open-data", "/open-data/", "开放数据"),
    ("complaint-new", "/complaints/new/", "我要投诉"),
    ("complaint-track", "/complaints/track/", "投诉查询"),
    ("verify", "/verify/", "回执核验"),
    ("login", "/accounts/login/", "企业登录"),
    ("not-found", "/no-such-page/", "未找到"),
]


def test_every_public_page_fits_the_viewport_and_passes_axe(page, live_server, black_guoji, listed_person, guoji):
    """Each page: its heading, no sideways scrolling at 375 px, no serious axe-core violation, a screenshot."""
    failures = []
    for name, path, heading in [*TOUR, ("operator", f"/operators/{guoji.credit_code}/", NAME)]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == (404 if name == "not-found" else 200), name
        expect(page.locator("h1")).to_contain_text(heading)
        try:
            check_page(page, name)
        except AssertionError as exc:
            failures.append(str(exc))
    assert failures == []
    # A listed person appears masked on the search page (found through the business), never with the ID number.
    page.goto(f"{live_server.url}/search/?q={guoji.credit_code}")
    expect(page.locator(f"#listing-{listed_person['listing'].pk}")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(listed_person["id_number"])
    expect(page.locator("main")).not_to_contain_text("欧阳娜娜")


def test_open_data_report_and_verification_work_without_javascript(page_without_js, live_server, black_guoji, guoji):
    page = page_without_js
    page.goto(f"{live_server.url}/open-data/")
    link = page.get_by_role("link", name="blacklist.csv")
    expect(link).to_be_visible()
    download = page.request.get(live_server.url + link.get_attribute("href"))
    assert download.ok and guoji.credit_code in download.text()
    check_page(page, "open-data-nojs")

    page.goto(f"{live_server.url}/operators/{guoji.credit_code}/")
    page.get_by_role("link", name="信用报告（可打印）").click()
    expect(page.locator("figure.qr svg")).to_be_visible()
    check_page(page, "credit-report-nojs")
    payload = page.locator("#receipt-payload").inner_text()
    signature = page.locator("#receipt-signature").inner_text()

    # Pasting the receipt into the verification form: a plain POST.
    page.goto(f"{live_server.url}/verify/")
    page.get_by_label("回执内容（JSON）").fill(payload)
    page.get_by_label("签名（Base64）").fill(signature)
    page.get_by_role("button", name="核验").click()
    expect(page.locator("main")).to_contain_text("核验通过")
    check_page(page, "verify-posted-nojs")
