"""专项行动结果公开 on a 375 px phone and a desktop: the list and one campaign's results, with and without JavaScript,
no sideways scrolling, no serious accessibility violation."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from complaints import campaign_services, services
from complaints.models import ViolationType
from core.models import UserRole
from entities.models import Sector
from tests.support import today
from tests.support.factories import EntityFactory, UserFactory

from .conftest import check_page

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ended_campaign():
    regulator = UserFactory(username="chief_b", role=UserRole.REGULATOR)
    inspector = UserFactory(username="inspector_b", role=UserRole.INSPECTOR, region_codes=["1408"],
                            sectors=[Sector.TOURISM])
    ends_on = today() - datetime.timedelta(days=1)
    campaign = campaign_services.campaign_create(
        actor=regulator, name="2026年运城市旅游市场价格诚信专项行动", kind="price", sectors=[Sector.TOURISM],
        region_prefix="1408", starts_on=ends_on - datetime.timedelta(days=30), ends_on=ends_on,
        violation_types=ViolationType.objects.filter(code="price_fraud"), description="重点检查明码标价。")
    price = ViolationType.objects.get(code="price_fraud")
    services.inspection_create(actor=inspector, entity=EntityFactory(name="盐湖区价格行动旅行社"), inspected_on=ends_on,
                               kind="targeted", campaign=campaign,
                               findings=[{"violation_type": price, "description": "未明码标价", "penalty": "fine",
                                          "fine_amount": 2000, "decision_number": "运盐文旅罚〔2026〕41号"}])
    return campaign


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_the_public_reads_campaign_results_on_any_screen(javascript, page, page_without_js, viewport, live_server,
                                                         ended_campaign):
    tab = page if javascript else page_without_js
    tab.goto(f"{live_server.url}/")
    tab.get_by_role("link", name="专项行动结果").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("专项行动结果公开")
    check_page(tab, f"campaigns-{'js' if javascript else 'nojs'}-{viewport.name}")
    tab.get_by_role("link", name=ended_campaign.name).click()
    expect(tab.get_by_role("heading", level=1)).to_have_text(ended_campaign.name)
    expect(tab.locator("main")).to_contain_text("罚款合计 2000.00 元")
    expect(tab.locator("#by-type")).to_contain_text("价格欺诈、未明码标价")
    check_page(tab, f"campaign-{'js' if javascript else 'nojs'}-{viewport.name}")
