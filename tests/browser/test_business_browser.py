"""A business in a real browser: log in, read its score and plot, reply to a complaint, object to a proposal.

Run with JavaScript off on a 375 px phone and a desktop: every form is a plain
POST that the server answers with the page again.
"""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from core.models import UserRole
from ratings.services import entity_rescore
from regulator.lists.models import Objection
from tests.support import complaint_in, listing_in, today
from tests.support.factories import EntityFactory, UserFactory

from ..web.conftest import FILING
from .conftest import check_page, login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def business():
    """盐湖区甲旅行社 with an accepted complaint, a watch-list proposal inside its objection window, and a score."""
    entity = EntityFactory(name="盐湖区甲旅行社有限公司")
    other = EntityFactory(name="盐湖区乙旅行社有限公司")
    regulator = UserFactory(username="regulator", role=UserRole.REGULATOR)
    user = UserFactory(username="business_a", role=UserRole.BUSINESS, entities=[entity])
    complaint = complaint_in("accepted", entity=entity, actor=regulator, **FILING)
    complaint_in(entity=other, **FILING | {"description": "乙公司的投诉"})
    listing = listing_in("notified", entity=entity, list_type="watch", notified_on=today())
    old = listing_in("published", entity=entity, decided_on=today() - datetime.timedelta(days=400))
    entity_rescore(entity_id=entity.pk)
    return {"entity": entity, "user": user, "complaint": complaint, "listing": listing, "published": old}


def test_a_business_logs_in_replies_and_objects_without_javascript(page_without_js, live_server, business):
    page, entity = page_without_js, business["entity"]
    page.goto(f"{live_server.url}/business/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/business/")
    check_page(page, "login-nojs")
    login(page, live_server.url, "business_a")
    expect(page.get_by_role("heading", level=1)).to_have_text("企业服务")
    expect(page.locator("main")).not_to_contain_text("盐湖区乙旅行社有限公司")
    check_page(page, "business-home-nojs")

    page.get_by_role("link", name=entity.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(entity.name)
    score = entity.credit_score
    score.refresh_from_db()
    expect(page.locator(".score")).to_have_text(str(score.score))
    expect(page.get_by_role("img", name="信用分变化")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("乙公司的投诉")
    check_page(page, "business-entity-nojs")

    complaint = business["complaint"]
    reply = page.locator(f'form[action="/business/complaints/{complaint.pk}/reply/"]')
    reply.get_by_label("书面答复").fill("已为游客办理退款并致歉。")
    reply.get_by_role("button", name="提交答复").click()
    expect(page.locator(".messages")).to_be_visible()
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.business_response == "已为游客办理退款并致歉。"
    expect(page.locator("main")).to_contain_text("已为游客办理退款并致歉。")

    listing = business["listing"]
    objection = page.locator(f'form[action="/business/listings/{listing.pk}/objection/"]')
    objection.get_by_role("button", name="提交陈述申辩").click()  # empty: the mistake is shown, nothing filed
    expect(page.locator(".errorlist").first).to_be_visible()
    assert not Objection.objects.filter(listing=listing).exists()
    check_page(page, "business-objection-error-nojs")
    objection = page.locator(f'form[action="/business/listings/{listing.pk}/objection/"]')
    objection.get_by_label("陈述申辩内容").fill("系天气原因滞留，已妥善安置游客。")
    objection.get_by_role("button", name="提交陈述申辩").click()
    expect(page.locator(".messages")).to_be_visible()
    assert Objection.objects.get(listing=listing).statement == "系天气原因滞留，已妥善安置游客。"

    # Credit repair: the form sits in a <details>, which opens without script.
    published = business["published"]
    page.get_by_text("申请信用修复").click()
    repair = page.locator(f'form[action="/business/listings/{published.pk}/repair/"]')
    repair.get_by_label("申请说明").fill("已退还全部团费并完成整改。")
    repair.get_by_label("证明材料（每行一项）").fill("退款凭证")
    repair.get_by_label("信用修复培训记录").fill("2026 年信用修复培训结业证明")
    repair.get_by_label("作出信用承诺", exact=False).check()  # required by the rules in force since 2026-04-01
    repair.get_by_role("button", name="提交修复申请").click()
    expect(page.locator(".messages")).to_be_visible()
    assert published.repair_applications.get().training_record == "2026 年信用修复培训结业证明"
    check_page(page, "business-after-repair-nojs")


def test_the_repair_form_opens_and_files_with_javascript(page, live_server, business):
    login(page, live_server.url, "business_a")
    check_page(page, "business-home")
    page.goto(f"{live_server.url}/business/entities/{business['entity'].pk}/")
    listing = business["published"]
    form = page.locator(f'form[action="/business/listings/{listing.pk}/repair/"]')
    page.get_by_text("申请信用修复").click()
    form.get_by_label("申请说明").fill("已退还全部团费并完成整改。")
    form.get_by_label("证明材料（每行一项）").fill("退款凭证\n整改报告")
    form.get_by_label("作出信用承诺", exact=False).check()  # required by the rules in force since 2026-04-01
    form.get_by_role("button", name="提交修复申请").click()  # a black listing needs the training record
    form = page.locator(f'form[action="/business/listings/{listing.pk}/repair/"]')
    expect(form.locator(".errorlist").first).to_contain_text("须提交信用修复培训记录")
    assert not listing.repair_applications.exists()
    form.get_by_label("信用修复培训记录").fill("2026 年信用修复培训结业证明")
    check_page(page, "business-repair-form")
    form.get_by_role("button", name="提交修复申请").click()
    expect(page.locator("main")).to_contain_text("信用修复申请")
    assert listing.repair_applications.get().evidence == ["退款凭证", "整改报告"]
    check_page(page, "business-entity")


def test_the_documents_list_is_cards_on_a_phone_with_the_notice_and_its_number(page, live_server, business):
    """我的文书: the served 告知书 with its number; at 375 px no column hides and nothing scrolls sideways."""
    login(page, live_server.url, "business_a")
    page.goto(f"{live_server.url}/business/documents/")
    listing = business["listing"]
    listing.refresh_from_db()
    row = page.locator(f"#document-{listing.notice_document_id}")
    expect(row).to_contain_text(listing.notice_document.number)
    check_page(page, "business-documents")
