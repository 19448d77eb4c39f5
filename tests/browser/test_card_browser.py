"""A family checks a 居家上门服务证 at the door on a 375 px phone (valid, expired, revoked; JavaScript off), and a
household-service firm uploads its workers and reads the per-row report."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from core.models import UserRole
from entities import worker_services
from entities.workers import Employment
from tests.entities.worker_fixtures import firm, id_number, ready_worker
from tests.support import today
from tests.support.factories import UserFactory

from .conftest import PHONE, check_page, login, new_page

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.timedelta(days=1)


@pytest.fixture
def phone_without_js(browser):
    page = new_page(browser, PHONE, javascript=False)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser):
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


@pytest.fixture
def three_cards():
    """Three workers of one firm: a valid card, one whose employment ended yesterday, one revoked."""
    company = firm("盐湖区甲家政服务有限公司")
    owner = UserFactory(username="jiazheng_a", role=UserRole.BUSINESS, entities=[company])
    cards = {}
    for key, name in (("valid", "王秀英"), ("expired", "李娟"), ("revoked", "赵敏")):
        employment = ready_worker(owner, company, name=name, started_on=today() - 100 * DAY)
        cards[key] = worker_services.card_issue(actor=owner, employment=employment, issued_on=employment.started_on)
    worker_services.employment_update(actor=owner, employment=cards["expired"].employment, ended_on=today() - DAY)
    worker_services.card_revoke(actor=owner, card=cards["revoked"], reason="解聘")
    return cards


def _check_by_code(page, base_url: str, code: str) -> None:
    page.goto(f"{base_url}/cards/")
    expect(page.get_by_role("heading", level=1)).to_have_text("居家上门服务证核验")
    page.get_by_label("服务证编码").fill(code.lower().replace("-", " "))  # as a family might type it
    page.get_by_role("button", name="核验").click()


def test_a_family_checks_cards_by_code_on_a_phone_without_javascript(phone_without_js, live_server, three_cards):
    page = phone_without_js
    _check_by_code(page, live_server.url, three_cards["valid"].code)
    expect(page).to_have_url(f"{live_server.url}/cards/{three_cards['valid'].code}/")
    expect(page.locator("#card-status")).to_contain_text("证件有效")
    expect(page.locator("#card-worker")).to_have_text("王**")
    expect(page.locator("main")).to_contain_text("盐湖区甲家政服务有限公司")
    expect(page.locator("#card-flags")).to_contain_text("身份已核验")
    check_page(page, "card-valid-nojs")

    _check_by_code(page, live_server.url, three_cards["expired"].code)
    expect(page.locator("#card-status")).to_contain_text("证件已失效")
    expect(page.locator("#card-status")).to_contain_text("已离开发证企业")
    check_page(page, "card-expired-nojs")

    _check_by_code(page, live_server.url, three_cards["revoked"].code)
    expect(page.locator("#card-status")).to_contain_text("证件已注销")
    expect(page.locator("main")).not_to_contain_text("解聘")
    check_page(page, "card-revoked-nojs")

    page.goto(f"{live_server.url}/cards/")
    page.get_by_label("服务证编码").fill("0000")
    page.get_by_role("button", name="核验").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check_page(page, "card-lookup-error-nojs")


def test_card_pages_pass_axe_on_a_phone(phone, live_server, three_cards):
    for key, card in three_cards.items():
        phone.goto(f"{live_server.url}/cards/{card.code}/")
        expect(phone.locator("#card-code")).to_have_text(card.code)
        check_page(phone, f"card-{key}")
    phone.goto(f"{live_server.url}/cards/")
    check_page(phone, "card-lookup")


def test_a_firm_uploads_its_workers_and_reads_the_report(phone_without_js, live_server, tmp_path):
    company = firm("盐湖区乙家政服务有限公司")
    UserFactory(username="jiazheng_b", role=UserRole.BUSINESS, entities=[company])
    start = (today() - 20 * DAY).isoformat()
    good, bad = id_number(), "140802199001011235"
    header = "姓名,身份证号码,入职日期,服务类型"
    broken = tmp_path / "workers.csv"
    broken.write_text(f"{header}\n王秀英,{good},{start},育婴员\n李娟,{bad},{start},保洁\n", encoding="utf-8-sig")
    fixed = tmp_path / "workers-fixed.csv"
    fixed.write_text(f"{header}\n王秀英,{good},{start},育婴员\n李娟,{id_number()},{start},保洁\n", encoding="utf-8-sig")

    page = phone_without_js
    login(page, live_server.url, "jiazheng_b")
    page.goto(f"{live_server.url}/business/workers/upload/")
    page.get_by_label("CSV 或 XLSX 文件").set_input_files(str(broken))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#upload-result")).to_contain_text("未导入任何数据")
    expect(page.locator("#upload-report")).to_contain_text("身份证号码：")
    assert Employment.objects.count() == 0
    check_page(page, "business-workers-upload-error-nojs")

    page.get_by_label("CSV 或 XLSX 文件").set_input_files(str(fixed))
    page.get_by_role("button", name="上传并导入").click()
    expect(page.locator("#upload-result")).to_contain_text("导入完成：新增 2 行")
    assert Employment.objects.filter(entity=company).count() == 2
    check_page(page, "business-workers-upload-nojs")

    page.goto(f"{live_server.url}/business/workers/")
    expect(page.locator("main")).to_contain_text("王秀英")
    expect(page.locator("main")).not_to_contain_text(good)
    check_page(page, "business-workers-nojs")
