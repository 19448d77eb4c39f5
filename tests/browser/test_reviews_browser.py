"""满意在山西 and 家政服务评价 in a browser: a complainant rates a closed complaint on a 375 px phone (with and without
JavaScript), a customer leaves a review through the link once, and a firm records an order and reads its reviews."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from complaints.models import ComplaintStatus
from complaints.satisfaction_ratings import ComplaintSatisfaction
from core import sms
from core.models import UserRole
from entities import review_services
from entities.reviews import ServiceOrder, ServiceReview
from tests.entities.worker_fixtures import firm, ready_worker
from tests.support import complaint_in, today
from tests.support.factories import EntityFactory, UserFactory

from .conftest import PHONE, check_page, login, new_page

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.timedelta(days=1)


@pytest.fixture(params=[True, False], ids=["js", "nojs"])
def phone(browser, request):
    page = new_page(browser, PHONE, javascript=request.param)
    page.javascript = request.param
    yield page
    page.context.close()


@pytest.fixture
def phone_js(browser):
    page = new_page(browser, PHONE)
    yield page
    page.context.close()


def test_a_complainant_rates_a_closed_complaint(phone, live_server):
    complaint = complaint_in(ComplaintStatus.CLOSED, entity=EntityFactory(name="运城市满意测试旅行社有限公司"))
    page = phone
    page.goto(f"{live_server.url}/complaints/track/")
    page.get_by_label("查询码").fill(complaint.tracking_code.lower())
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", name="评价投诉处理")).to_be_visible()
    check_page(page, f"satisfaction-form-{'js' if page.javascript else 'nojs'}")
    page.get_by_label("4 分 · 满意").check()
    page.get_by_label("意见（选填）").fill("处理及时，态度很好")
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#satisfaction")).to_contain_text("感谢您的评价")
    expect(page.locator("#satisfaction")).to_contain_text("4 分")
    expect(page.get_by_role("button", name="提交评价")).to_have_count(0)
    check_page(page, f"satisfaction-done-{'js' if page.javascript else 'nojs'}")
    assert ComplaintSatisfaction.objects.get(complaint=complaint).rating == 4


def test_a_complaint_not_yet_closed_offers_no_rating(phone_js, live_server):
    complaint = complaint_in(ComplaintStatus.INVESTIGATING, entity=EntityFactory())
    phone_js.goto(f"{live_server.url}/complaints/track/{complaint.tracking_code}/")
    expect(phone_js.locator("#satisfaction")).to_contain_text("办结后，您可以在本页对处理情况进行评价")
    expect(phone_js.get_by_role("button", name="提交评价")).to_have_count(0)


def test_a_customer_leaves_a_review_via_the_link(phone, live_server):
    company = firm("盐湖区评价家政服务有限公司")
    owner = UserFactory(username="jiazheng_review", role=UserRole.BUSINESS, entities=[company])
    employment = ready_worker(owner, company, name="王秀英")
    order = review_services.service_order_create(actor=owner, entity=company, worker=employment.person,
                                                 served_on=today() - DAY, service_kind="elderly_care",
                                                 customer_phone="13912345678")
    page = phone
    page.goto(f"{live_server.url}/reviews/{order.link_token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("评价家政服务")
    expect(page.locator("main")).to_contain_text("盐湖区评价家政服务有限公司")
    expect(page.locator("main")).to_contain_text("王**")
    expect(page.locator("main")).not_to_contain_text("王秀英")
    expect(page.locator("main")).not_to_contain_text("13912345678")
    mode = "js" if page.javascript else "nojs"
    check_page(page, f"review-form-{mode}")
    page.get_by_role("button", name="提交评价").click()  # no rating chosen: said beside the field
    expect(page.locator(".error-summary")).to_contain_text("请选择 1 至 5 星")
    page.get_by_label("5 星 · 很满意").check()
    page.get_by_label("评价内容（选填）").fill("护理很专业")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("感谢您的评价")
    check_page(page, f"review-done-{mode}")
    assert ServiceReview.objects.get(order=order).rating == 5
    page.goto(f"{live_server.url}/reviews/{order.link_token}/")
    expect(page.locator("main")).to_contain_text("已使用过")
    check_page(page, f"review-used-{mode}")


def test_a_firm_records_an_order_and_reads_its_reviews(phone_js, live_server, settings):
    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    sms.outbox.clear()
    company = firm("盐湖区订单家政服务有限公司")
    owner = UserFactory(username="jiazheng_orders", role=UserRole.BUSINESS, entities=[company])
    owner.set_password("correct-horse-battery")
    owner.save()
    ready_worker(owner, company, name="李娟")
    page = phone_js
    login(page, live_server.url, "jiazheng_orders")
    page.get_by_role("link", name="服务订单与客户评价").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("家政服务订单与评价链接")
    check_page(page, "business-orders")
    page.get_by_label("服务员", exact=False).first.select_option(index=1)
    page.get_by_label("服务日期").fill(str(today() - DAY))
    page.get_by_label("服务类型").select_option(label="家庭保洁")
    page.get_by_label("客户手机号码").fill("13912345678")
    page.get_by_role("button", name="登记并发送评价链接").click()
    expect(page.locator(".messages")).to_contain_text("服务订单已登记")
    expect(page.locator("main")).not_to_contain_text("13912345678")
    order = ServiceOrder.objects.get()
    assert order.link_sent_at is not None
    assert [message.to for message in sms.outbox] == ["13912345678"]
    token = sms.outbox[0].body.split("/reviews/")[1].split("/")[0]
    review_services.review_submit(token=token, rating=2, comment="迟到了")
    page.get_by_role("link", name="查看客户评价").click()
    expect(page.locator("main")).to_contain_text("迟到了")
    expect(page.locator("main")).to_contain_text("待审核")
    check_page(page, "business-reviews")
    page.get_by_label("企业回复").fill("抱歉，已提醒服务员准时")
    page.get_by_role("button", name="回复").click()
    expect(page.locator(".messages")).to_contain_text("回复已提交")
    assert ServiceReview.objects.get().reply == "抱歉，已提醒服务员准时"
