"""全覆盖: the coverage figures of a synthetic district match a hand count; the file's flags are the card's flags;
health checks expiring within 30 days at both sides of the boundary; scope; a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import UserRole
from entities import coverage, worker_services
from entities.models import EntityStatus
from entities.worker_selectors import card_state, health_check_on, training_done
from entities.workers import Employment
from tests.support import api_client, today
from tests.support.factories import EntityFactory, UserFactory

from .worker_fixtures import firm, id_number, ready_worker

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _bare_worker(owner, company, name, *, started=None, ended=None):
    employment, _status = worker_services.worker_register(actor=owner, entity=company, name=name,
                                                          id_number=id_number(),
                                                          started_on=started or today() - 100 * DAY, ended_on=ended)
    return employment


@pytest.fixture
def district(owner_a, firm_a, firm_b):
    """盐湖区 by hand: firm A with five workers (complete with a card; no health check; health check lapsed
    yesterday with a card issued while it was valid; no training; left yesterday), firm B with none; and what is
    not counted: a deregistered firm's worker, a tourism entity, a firm in 临猗县 (its own row)."""
    start = today() - 100 * DAY
    complete = ready_worker(owner_a, firm_a, name="完整")
    worker_services.card_issue(actor=owner_a, employment=complete, issued_on=start)

    no_health = _bare_worker(owner_a, firm_a, "缺体检")
    person = no_health.person
    worker_services.identity_verify(actor=owner_a, person=person, entity=firm_a, verified_on=start, method="id_card")
    worker_services.training_record(actor=owner_a, person=person, entity=firm_a, kind="pre_job", provider="学校",
                                    hours=40, completed_on=start)

    lapsed = ready_worker(owner_a, firm_a, name="体检过期", health_expires_on=today() - DAY)
    worker_services.card_issue(actor=owner_a, employment=lapsed, issued_on=start)

    untrained = _bare_worker(owner_a, firm_a, "未培训")
    person = untrained.person
    worker_services.identity_verify(actor=owner_a, person=person, entity=firm_a, verified_on=start, method="id_card")
    worker_services.health_check_record(actor=owner_a, person=person, entity=firm_a, checked_on=start,
                                        expires_on=today() + 200 * DAY, institution="医院")

    ready_worker(owner_a, firm_a, name="已离职", ended_on=today() - DAY)

    closed = firm("盐湖区已注销家政服务有限公司")
    ready_worker(UserFactory(username="closed", role=UserRole.BUSINESS, entities=[closed]), closed, name="注销企业员工")
    closed.status = EntityStatus.DEREGISTERED
    closed.save(update_fields=["status"])
    EntityFactory(name="盐湖区某旅行社")  # tourism: not a household-service firm

    linyi = firm("临猗县丙家政服务有限公司")
    linyi.region_code = "140821"
    linyi.save(update_fields=["region_code"])
    ready_worker(UserFactory(username="linyi", role=UserRole.BUSINESS, entities=[linyi]), linyi, name="临猗员工")
    return {"complete": complete, "no_health": no_health, "lapsed": lapsed, "untrained": untrained}


def test_coverage_figures_for_a_synthetic_district_match_a_hand_count(district, regulator_client):
    answer = regulator_client.get("/api/v1/coverage/?city=140800")
    assert answer.status_code == 200
    rows = {row["region_code"]: row for row in answer.json()["results"]}
    assert set(rows) == {"140802", "140821"}
    yanhu = rows["140802"]
    hand_count = {
        "firms": 2,  # A and B; not the deregistered firm, not the travel agency
        "firms_with_file": 1,  # A: B has no worker on file
        "firms_complete": 0,  # A has workers with gaps
        "firms_with_gaps": 2,
        "workers": 4,  # the one who left yesterday is not counted
        "identity_verified": 4,
        "health_valid": 2,  # complete, untrained
        "training_done": 3,  # complete, no health check, lapsed
        "complete": 1,
        "cards_issued": 2,  # complete and lapsed hold unrevoked cards
        "cards_valid": 1,  # the lapsed health check makes the second card invalid
        "health_expiring": 0,
    }
    assert {key: yanhu[key] for key in hand_count} == hand_count
    assert yanhu["complete_share"] == 0.25 and yanhu["firms_with_file_share"] == 0.5
    assert yanhu["cards_issued_share"] == 0.5 and yanhu["health_valid_share"] == 0.5
    assert yanhu["training_done_share"] == 0.75
    assert yanhu["region_name"] == "山西省运城市盐湖区"
    assert rows["140821"]["workers"] == 1 and rows["140821"]["complete"] == 1
    total = answer.json()["total"]
    assert total["workers"] == 5 and total["firms"] == 3 and total["complete"] == 2

    district_only = regulator_client.get("/api/v1/coverage/?district=140821").json()["results"]
    assert [row["region_code"] for row in district_only] == ["140821"]


def test_the_firm_rows_and_the_gaps_name_what_is_missing(district, firm_a, firm_b, regulator_client):
    firms = regulator_client.get("/api/v1/coverage/firms/?district=140802").json()
    assert firms["count"] == 2
    by_id = {row["id"]: row for row in firms["results"]}
    assert by_id[firm_a.pk]["workers"] == 4 and by_id[firm_a.pk]["firm_with_file"] is True
    assert by_id[firm_b.pk]["workers"] == 0 and by_id[firm_b.pk]["complete_share"] is None
    assert by_id[firm_b.pk]["firm_with_file"] is False

    gaps = regulator_client.get("/api/v1/coverage/gaps/?district=140802").json()
    assert gaps["firms_count"] == 2
    gap_a = next(row for row in gaps["firms"] if row["id"] == firm_a.pk)
    assert (gap_a["incomplete"], gap_a["missing_identity"], gap_a["missing_health"], gap_a["missing_training"]) \
        == (3, 0, 2, 1)
    assert next(row for row in gaps["firms"] if row["id"] == firm_b.pk)["no_workers"] is True


def test_the_files_flags_are_the_cards_flags_at_every_boundary(district, regulator):
    """The SQL's identity, health and training flags equal the card's own functions on each day around the
    dates that change them (the health check's last day and the day after, the first day of a record)."""
    employments = Employment.objects.filter(pk__in=[e.pk for e in district.values()]).select_related("person")
    days = {today() + offset * DAY for offset in (-101, -100, -99, -2, -1, 0, 1, 199, 200, 201)}
    for day in sorted(days):
        flags = coverage.worker_flags(regulator, day=day)
        for employment in employments:
            person = employment.person
            if not employment.covers(day):
                assert employment.pk not in flags
                continue
            checks, trainings = list(person.health_checks.all()), list(person.trainings.all())
            verifications = list(person.identity_verifications.all())
            row = flags[employment.pk]
            assert row["identity_ok"] == any(v.verified_on <= day for v in verifications), (day, person.name)
            assert row["health_ok"] == (health_check_on(checks, day) is not None), (day, person.name)
            assert row["training_ok"] == training_done(trainings, day), (day, person.name)
            for card in employment.cards.all():
                state = card_state(card, day=day, health_checks=checks, verifications=verifications,
                                   trainings=trainings)
                assert row["card_valid"] == state.valid, (day, person.name)


def test_health_checks_expiring_within_30_days_at_both_sides_of_the_boundary(owner_a, firm_a, regulator_client):
    inside = ready_worker(owner_a, firm_a, name="第三十天", health_expires_on=today() + 30 * DAY)
    ready_worker(owner_a, firm_a, name="第三十一天", health_expires_on=today() + 31 * DAY)
    last_day = ready_worker(owner_a, firm_a, name="今天到期", health_expires_on=today())
    ready_worker(owner_a, firm_a, name="昨天到期", health_expires_on=today() - DAY)

    gaps = regulator_client.get("/api/v1/coverage/gaps/").json()
    listed = {row["person_name"]: row for row in gaps["expiring"]}
    assert set(listed) == {"第三十天", "今天到期"}  # day 31 is outside; yesterday's has already lapsed
    assert gaps["expiring_count"] == 2
    assert listed["第三十天"]["days_left"] == 30 and listed["今天到期"]["days_left"] == 0
    assert listed["第三十天"]["employment_id"] == inside.pk and listed["今天到期"]["employment_id"] == last_day.pk
    row = regulator_client.get("/api/v1/coverage/").json()["results"][0]
    assert row["health_expiring"] == 2 and row["health_valid"] == 3


def test_a_regulator_or_inspector_of_another_city_sees_nothing(district, firm_a):
    taiyuan_regulator = UserFactory(username="taiyuan_reg", role=UserRole.REGULATOR, region_codes=["1401"])
    taiyuan_inspector = UserFactory(username="taiyuan_insp", role=UserRole.INSPECTOR, region_codes=["1401"],
                                    sectors=["household_service"])
    for user in (taiyuan_regulator, taiyuan_inspector):
        client = api_client(user)
        assert client.get("/api/v1/coverage/").json()["results"] == []
        assert client.get("/api/v1/coverage/firms/").json()["count"] == 0
        gaps = client.get("/api/v1/coverage/gaps/").json()
        assert gaps["firms_count"] == 0 and gaps["expiring_count"] == 0
    yuncheng = api_client(UserFactory(username="yuncheng_insp", role=UserRole.INSPECTOR, region_codes=["1408"],
                                      sectors=["household_service"]))
    assert {row["region_code"] for row in yuncheng.get("/api/v1/coverage/").json()["results"]} == {"140802", "140821"}
    tourism_only = api_client(UserFactory(username="tourism_insp", role=UserRole.INSPECTOR, region_codes=["1408"],
                                          sectors=["tourism"]))
    assert tourism_only.get("/api/v1/coverage/").json()["results"] == []


def test_businesses_read_only_their_own_coverage(district, owner_a, owner_b, firm_a, firm_b):
    assert api_client(owner_a).get("/api/v1/coverage/").status_code == 403
    assert api_client().get("/api/v1/coverage/").status_code in (401, 403)
    mine = api_client(owner_a).get("/api/v1/me/coverage/").json()
    assert [row["id"] for row in mine["firms"]] == [firm_a.pk]
    assert mine["workers_with_gaps_count"] == 3
    assert {row["person_name"]: row["missing"] for row in mine["workers_with_gaps"]} == {
        "缺体检": ["health"], "体检过期": ["health"], "未培训": ["training"]}
    other = api_client(owner_b).get("/api/v1/me/coverage/").json()
    assert [row["id"] for row in other["firms"]] == [firm_b.pk] and other["workers_with_gaps"] == []
    assert api_client(UserFactory(username="reg2", role=UserRole.REGULATOR)).get(
        "/api/v1/me/coverage/").status_code == 403


@pytest.mark.parametrize("query, field", [("city=9999", "city"), ("city=140000", "city"), ("district=140800", "district"),
                                          ("city=1401&district=140802", "district"), ("district=abc", "district")])
def test_unknown_region_codes_are_a_400_naming_the_field(regulator_client, query, field):
    answer = regulator_client.get(f"/api/v1/coverage/?{query}")
    assert answer.status_code == 400 and field in answer.json()
    assert regulator_client.get(f"/api/v1/coverage/firms/?{query}").status_code == 400


@pytest.mark.parametrize("limit", ["0", "501", "x"])
def test_a_bad_gap_limit_is_a_400(regulator_client, limit):
    answer = regulator_client.get(f"/api/v1/coverage/gaps/?limit={limit}")
    assert answer.status_code == 400 and "limit" in answer.json()


def test_the_number_of_queries_does_not_grow_with_the_firms(owner_a, firm_a, regulator_client):
    def measured(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert regulator_client.get(path).status_code == 200
        return len(queries)

    ready_worker(owner_a, firm_a)
    paths = ["/api/v1/coverage/", "/api/v1/coverage/firms/", "/api/v1/coverage/gaps/"]
    small = [measured(path) for path in paths]
    for n in range(8):
        company = firm(f"盐湖区{n}号家政服务有限公司")
        owner = UserFactory(username=f"owner{n}", role=UserRole.BUSINESS, entities=[company])
        ready_worker(owner, company, name=f"员工{n}")
        _bare_worker(owner, company, f"缺档{n}")
    assert [measured(path) for path in paths] == small
    assert small[0] <= 3  # the session or token, then one statement
