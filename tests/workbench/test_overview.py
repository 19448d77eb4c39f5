"""全省概览 on the start page: charts and tables from the snapshot, drill-down links, no raw codes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from complaints import services as complaint_services
from core.models import UserRole
from ratings.models import CreditScore
from regulator.workbench import charts, stats
from regulator.workbench.overview import drill_url, overview
from tests.support.clients import page_client
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot():
    day = timezone.localdate()
    for _ in range(3):
        entity = EntityFactory(region_code="140802")
        CreditScore.objects.create(entity=entity, score=950, grade="A", base=800, model_version=1, as_of=day,
                                   breakdown=[], computed_at=timezone.now())
    EntityFactory(region_code="140105")
    complaint_services.complaint_file(entity=entity, category="forced_shopping", description="强迫购物",
                                      incident_date=day - datetime.timedelta(days=2), today=day)
    stats.snapshot_take(today=day)
    return day


def test_tile_map_has_every_city_coloured_by_value():
    svg = charts.tile_map({"140800": 10, "140100": 5}, title="测试")
    assert svg.count("<rect") == 11 and "运城" in svg and "吕梁" in svg
    assert charts.colour(10, 10) == charts.PALETTE[-1] and charts.colour(0, 10) == charts.PALETTE[0]
    assert charts.colour(5, 10) not in (charts.PALETTE[0], charts.PALETTE[-1])


def test_the_context_sums_cities_and_links_each_figure_to_its_records(snapshot):
    context = overview("entities_by_grade")
    cities = {name: value for name, value, _url in context["city_rows"]}
    assert cities["运城"] == 3 and cities["太原"] == 1 and cities["大同"] == 0
    keys = {label: url for label, _value, url in context["key_rows"]}
    assert keys["A 级（诚信）"].endswith("?grade=A")
    assert drill_url("complaints_by_month", key="forced_shopping.submitted", city="140800").endswith(
        "?category=forced_shopping&region=1408")
    monthly = overview("complaints_by_month")
    assert sum(value for _month, value in monthly["month_rows"]) == 1 and "<polyline" in monthly["line_svg"]
    assert overview("no_such_figure")["figure"] == "entities_by_grade"


def test_start_page_shows_the_overview_in_chinese(snapshot):
    regulator = UserFactory(role=UserRole.REGULATOR, is_staff=True)
    page = page_client(regulator).get("/admin/?figure=complaints_by_month")
    assert page.status_code == 200
    html = page.content.decode()
    assert "全省概览" in html and "<svg" in html and "强迫购物" in html
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S))
    for code in ("forced_shopping", "entities_by_grade", "140800", "submitted"):
        assert code not in visible, code
