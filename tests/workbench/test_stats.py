"""统计快照: every figure equals a hand count of a seeded dataset; public answers withhold small cells."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from complaints import services as complaint_services
from complaints.models import ViolationType
from core.models import UserRole
from ratings.models import CreditScore
from regulator.workbench import stats
from regulator.workbench.models import StatFigure
from tests.support.clients import api_client
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 30)


def _score(entity, grade):
    CreditScore.objects.create(entity=entity, score={"A": 950, "B": 800, "C": 650, "D": 500}[grade], grade=grade,
                               base=800, model_version=1, as_of=DAY, breakdown=[], computed_at=timezone.now())


@pytest.fixture
def seeded():
    yancheng = [EntityFactory(region_code="140802") for _ in range(7)]   # 运城市盐湖区
    yongji = [EntityFactory(region_code="140881") for _ in range(2)]     # 运城市永济市
    taiyuan = [EntityFactory(region_code="140105") for _ in range(6)]    # 太原市小店区
    for entity in yancheng[:6]:
        _score(entity, "A")
    _score(yancheng[6], "D")
    _score(yongji[0], "A")
    # taiyuan and yongji[1] unscored: they count as B
    for month_day in (datetime.date(2026, 10, 12), datetime.date(2026, 11, 3), datetime.date(2026, 11, 20)):
        complaint_services.complaint_file(entity=yancheng[0], category="forced_shopping", description="强迫购物",
                                          incident_date=month_day, today=month_day)
    inspector = UserFactory(role=UserRole.REGULATOR)
    violation = ViolationType.objects.get(code="price_fraud")
    complaint_services.inspection_create(
        actor=inspector, entity=taiyuan[0], inspected_on=datetime.date(2026, 11, 5), kind="targeted",
        findings=[{"violation_type": violation, "severity": "general", "description": "未明码标价"},
                  {"violation_type": violation, "severity": "minor", "description": "价签不清"}],
        today=DAY)
    stats.snapshot_take(today=DAY)
    return {"yancheng": yancheng, "taiyuan": taiyuan}


def _values(answer):
    return {(row["region_code"], row["key"], row["month"]): row["value"] for row in answer["results"]}


def test_grades_by_district_city_and_province_match_a_hand_count(seeded):
    district = _values(stats.figures("entities_by_grade", level="district", taken_on=DAY))
    assert district[("140802", "A", None)] == 6 and district[("140802", "D", None)] == 1
    assert district[("140881", "A", None)] == 1 and district[("140881", "B", None)] == 1
    assert district[("140105", "B", None)] == 6
    city = _values(stats.figures("entities_by_grade", level="city", taken_on=DAY))
    assert city[("140800", "A", None)] == 7 and city[("140100", "B", None)] == 6
    province = _values(stats.figures("entities_by_grade", level="province", taken_on=DAY))
    assert province == {("140000", "A", None): 7, ("140000", "B", None): 7, ("140000", "D", None): 1}


def test_trends_are_by_month(seeded):
    complaints = _values(stats.figures("complaints_by_month", level="city", taken_on=DAY))
    assert complaints[("140800", "forced_shopping.submitted", datetime.date(2026, 10, 1))] == 1
    assert complaints[("140800", "forced_shopping.submitted", datetime.date(2026, 11, 1))] == 2
    findings = _values(stats.figures("findings_by_month", level="city", taken_on=DAY))
    assert findings == {("140100", "general", datetime.date(2026, 11, 1)): 1,
                        ("140100", "minor", datetime.date(2026, 11, 1)): 1}


def test_trends_cover_24_months_and_no_more():
    assert stats.trend_start(datetime.date(2026, 11, 30)) == datetime.date(2024, 12, 1)
    assert stats.trend_start(datetime.date(2026, 1, 1)) == datetime.date(2024, 2, 1)


def test_public_answers_withhold_cells_under_five(seeded):
    city = {(r["region_code"], r["key"]): r for r in
            stats.figures("entities_by_grade", level="city", taken_on=DAY, public=True)["results"]}
    assert city[("140800", "A")]["value"] == 7 and not city[("140800", "A")]["suppressed"]
    assert city[("140800", "D")]["value"] is None and city[("140800", "D")]["suppressed"]   # 1 < 5
    assert city[("140800", "B")]["value"] is None                                          # 1 < 5
    assert city[("140100", "B")]["value"] == 6                                             # 6 >= 5


def test_a_retaken_day_replaces_the_day_and_an_earlier_snapshot_stays_as_it_was(seeded):
    before = StatFigure.objects.filter(taken_on=DAY).count()
    EntityFactory(region_code="140802")
    assert stats.snapshot_take(today=DAY) == before + 1 or StatFigure.objects.filter(taken_on=DAY).count() == before + 1
    stats.snapshot_take(today=DAY + datetime.timedelta(days=1))
    old = _values(stats.figures("entities_by_grade", level="district", taken_on=DAY))
    new = _values(stats.figures("entities_by_grade", level="district", taken_on=DAY + datetime.timedelta(days=1)))
    assert old == new  # nothing changed between the two nights
    EntityFactory(region_code="140105")
    stats.snapshot_take(today=DAY + datetime.timedelta(days=2))
    assert _values(stats.figures("entities_by_grade", level="district", taken_on=DAY))[("140105", "B", None)] == 6
    assert _values(stats.figures("entities_by_grade", level="district",
                                 taken_on=DAY + datetime.timedelta(days=2)))[("140105", "B", None)] == 7


def test_api_public_city_level_only_and_staff_everything(seeded):
    public = api_client(None)
    assert public.get("/api/v1/stats/entities_by_grade/?level=city").status_code == 200
    refused = public.get("/api/v1/stats/entities_by_grade/?level=district")
    assert refused.status_code == 403
    assert public.get("/api/v1/stats/listings_by_state/").status_code == 404   # not a public metric
    assert "listings_by_state" not in {m["code"] for m in public.get("/api/v1/stats/").json()}
    staff = api_client(UserFactory(role=UserRole.REGULATOR))
    answer = staff.get("/api/v1/stats/entities_by_grade/?level=district&region=140800").json()
    assert {row["region_code"] for row in answer["results"]} == {"140802", "140881"}
    assert {row["region_name"] for row in answer["results"]} == {"山西省运城市盐湖区", "山西省运城市永济市"}
    bad = staff.get("/api/v1/stats/entities_by_grade/?level=street")
    assert bad.status_code == 400 and "level" in bad.json().get("errors", bad.json()).__str__()
    assert staff.get("/api/v1/stats/entities_by_grade/?region=999999").status_code == 400
