"""Filing a complaint as a tourist does, on a 375 px phone and a desktop, with JavaScript on and off (issue 17).

The tourist knows the hotel's name, not its 18-character credit code: they find it by name (a results step
without JavaScript, suggestions as they type with it), attach a photo taken on their phone, file, and read the
tracking code back on the tracking page. Every page: no sideways scrolling; with JavaScript, axe-clean.
"""

from __future__ import annotations

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from complaints.models import Complaint
from entities.models import Category
from tests.support import today
from tests.support.factories import EntityFactory
from tests.support.upload_files import GPS_IFD, jpeg_with_gps

from .conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)

HOTEL = "运城鸿福大酒店有限公司"


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def hotel(db):
    EntityFactory(name="运城测试旅行社有限公司")  # another operator the search must not pick
    return EntityFactory(name=HOTEL, category=Category.HOTEL, address="山西省运城市盐湖区河东东街88号")


PHOTO = {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(size=(320, 240))}


def fill_the_complaint(page) -> None:
    page.get_by_label("投诉类别").select_option("service_quality")
    page.get_by_label("事发（服务结束）日期").fill((today() - datetime.timedelta(days=2)).isoformat())
    page.get_by_label("投诉内容").fill("入住当晚房间空调损坏，前台拒绝换房也不退款，要求退还一晚房费。")
    page.get_by_label("联系电话（选填）").fill("13912345678")
    page.get_by_label(re.compile("照片或票据")).set_input_files(PHOTO)


def file_and_read_back(page, base_url: str, hotel, name: str) -> None:
    page.get_by_role("button", name="提交投诉").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("投诉已提交")
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){3}", code), code
    check_page(page, f"{name}-filed")

    complaint = Complaint.objects.get(tracking_code=code)
    assert complaint.entity_id == hotel.pk and complaint.channel == "web"
    attachment = complaint.attachments.get()
    assert attachment.kind == "jpeg"
    from django.conf import settings

    with Image.open(io.BytesIO((settings.PRIVATE_MEDIA_ROOT / attachment.stored_name).read_bytes())) as stored:
        assert not stored.getexif().get_ifd(GPS_IFD)  # the photo's position did not survive

    # Read back: typed on a phone keyboard, lower case and without the hyphens.
    page.get_by_role("link", name="投诉查询").first.click()
    page.get_by_label("投诉查询码").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("投诉办理进度")
    expect(page.locator("dl.facts")).to_contain_text(code)
    expect(page.locator("dl.facts")).to_contain_text(HOTEL)
    expect(page.locator("main")).not_to_contain_text("13912345678")
    check_page(page, f"{name}-status")


def test_find_the_hotel_by_name_and_file_without_javascript(page_without_js, live_server, hotel):
    page = page_without_js
    page.goto(f"{live_server.url}/complaints/new/")
    check_page(page, "complaint-new-nojs")
    page.get_by_label("按名称查找经营者").fill("鸿福")
    page.get_by_role("button", name="查找").click()
    results = page.locator("#operator-results")
    expect(results).to_contain_text(HOTEL)
    expect(results).not_to_contain_text("运城测试旅行社")
    expect(results).to_contain_text("酒店")  # the category in words, never the code
    check_page(page, "complaint-find-results-nojs")
    results.get_by_role("link", name=f"选择 {HOTEL}").click()
    expect(page.locator("#chosen-operator")).to_contain_text(HOTEL)
    expect(page.get_by_label("被投诉经营者的统一社会信用代码")).to_have_value(hotel.credit_code)
    fill_the_complaint(page)
    file_and_read_back(page, live_server.url, hotel, "complaint-filing-nojs")


def test_find_the_hotel_as_you_type_and_file(page, live_server, hotel):
    page.goto(f"{live_server.url}/complaints/new/")
    check_page(page, "complaint-new")
    page.get_by_label("按名称查找经营者").press_sequentially("鸿福大酒店", delay=60)
    suggestions = page.locator("#operator-suggestions")
    expect(suggestions).to_contain_text(HOTEL)
    expect(page).to_have_url(f"{live_server.url}/complaints/new/")  # nothing was submitted
    check_page(page, "complaint-suggestions")
    suggestions.get_by_role("button", name=f"选择 {HOTEL}").click()
    expect(page.locator("#chosen-operator")).to_contain_text(HOTEL)
    expect(page.get_by_label("被投诉经营者的统一社会信用代码")).to_have_value(hotel.credit_code)
    fill_the_complaint(page)
    check_page(page, "complaint-form-filled")
    file_and_read_back(page, live_server.url, hotel, "complaint-filing")


def test_an_operator_not_found_is_described_instead(page, live_server, hotel):
    page.goto(f"{live_server.url}/complaints/new/?q=河边无名农家乐")
    expect(page.locator("#operator-results")).to_contain_text("没有找到")
    check_page(page, "complaint-find-nothing")
    page.get_by_label("未登记的经营者，或在登记中找不到").check()
    page.locator("#id_operator_name").fill("河边无名农家乐")
    page.get_by_label("事发地（地市）").select_option("140800")
    fill_the_complaint(page)
    page.get_by_role("button", name="提交投诉").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("投诉已提交")
    complaint = Complaint.objects.get(tracking_code=page.locator("#tracking-code").inner_text().strip())
    assert complaint.entity_id is None and complaint.operator_name == "河边无名农家乐"
    assert complaint.attachments.count() == 1
    check_page(page, "complaint-filed-unregistered")
