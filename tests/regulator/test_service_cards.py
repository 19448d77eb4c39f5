"""居家上门服务证 as the public checks it: valid through the last day of employment and of the health check, not the
day after; revoked says so; a signed receipt names the card and what it showed; no ID number, phone or address."""

from __future__ import annotations

import datetime
import math

import pytest

from complaints import services as complaint_services
from complaints import worker_links
from complaints.models import ViolationType
from core.models import UserRole
from entities import worker_services
from entities.workers import CARD_ALPHABET, CARD_GROUP_SIZE, CARD_GROUPS, new_card_code, normalize_card_code
from regulator.disclosure import cards
from tests.entities.worker_fixtures import firm, id_number, ready_worker
from tests.support import api_client, listing_in, page_client, today
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def firm_a(db):
    return firm("盐湖区甲家政服务有限公司")


@pytest.fixture
def owner_a(firm_a):
    return UserFactory(username="jiazheng_a", role=UserRole.BUSINESS, entities=[firm_a])


def _card(actor, entity, **worker):
    employment = ready_worker(actor, entity, **worker)
    return worker_services.card_issue(actor=actor, employment=employment, issued_on=employment.started_on)


def _public(code: str):
    return api_client().get(f"/api/v1/public/worker-cards/{code}/")


def test_card_codes_are_unguessable_unambiguous_and_grouped():
    assert not set(CARD_ALPHABET) & set("0O1IL")
    assert CARD_GROUPS * CARD_GROUP_SIZE * math.log2(len(CARD_ALPHABET)) >= 40
    codes = {new_card_code() for _ in range(200)}
    assert len(codes) == 200
    code = next(iter(codes))
    assert [len(group) for group in code.split("-")] == [CARD_GROUP_SIZE] * CARD_GROUPS
    assert normalize_card_code(code.lower().replace("-", " ")) == code
    assert normalize_card_code("K7QM-4TZD-9XP0") is None  # 0 is not in the alphabet
    assert normalize_card_code("K7QM-4TZD") is None


def test_the_card_is_valid_on_the_last_day_of_employment_and_not_the_next(owner_a, firm_a):
    card = _card(owner_a, firm_a, started_on=today() - 100 * DAY)
    last_day = today() + 10 * DAY
    worker_services.employment_update(actor=owner_a, employment=card.employment, ended_on=last_day)
    card.refresh_from_db()
    on_last_day = cards.card_answer(card, as_of=last_day)
    assert on_last_day["status"] == "valid" and on_last_day["valid_until"] == last_day
    next_day = cards.card_answer(card, as_of=last_day + DAY)
    assert next_day["status"] == "expired" and not next_day["valid"]
    assert "已离开发证企业（在职登记已终止）" in next_day["reasons"]


def test_the_card_stops_verifying_through_the_api_the_day_employment_ends(owner_a, firm_a):
    card = _card(owner_a, firm_a, started_on=today() - 100 * DAY)
    worker_services.employment_update(actor=owner_a, employment=card.employment, ended_on=today())
    assert _public(card.code).json()["status"] == "valid"  # today is the last day
    worker_services.employment_update(actor=owner_a, employment=card.employment, ended_on=today() - DAY)
    answer = _public(card.code).json()
    assert answer["status"] == "expired" and answer["valid"] is False


def test_the_card_is_valid_on_the_health_check_expiry_day_and_not_the_next(owner_a, firm_a):
    expiry = today() + 20 * DAY
    card = _card(owner_a, firm_a, health_expires_on=expiry)
    on_expiry = cards.card_answer(card, as_of=expiry)
    assert on_expiry["status"] == "valid" and on_expiry["flags"]["health_check_valid"]
    assert on_expiry["valid_until"] == expiry
    after = cards.card_answer(card, as_of=expiry + DAY)
    assert after["status"] == "expired" and not after["flags"]["health_check_valid"]
    assert "健康体检已过有效期或不合格" in after["reasons"]


def test_a_failed_health_check_does_not_make_the_card_valid(owner_a, firm_a):
    card = _card(owner_a, firm_a, health_expires_on=today() - DAY)  # the first check lapsed yesterday
    person = card.employment.person
    worker_services.health_check_record(actor=owner_a, person=person, entity=firm_a, checked_on=today(),
                                        expires_on=today() + 300 * DAY, institution="医院", passed=False)
    assert cards.card_answer(card, as_of=today())["status"] == "expired"
    worker_services.health_check_record(actor=owner_a, person=person, entity=firm_a, checked_on=today(),
                                        expires_on=today() + 300 * DAY, institution="医院")
    assert cards.card_answer(card, as_of=today())["status"] == "valid"


def test_a_revoked_card_says_so(owner_a, firm_a):
    card = _card(owner_a, firm_a)
    worker_services.card_revoke(actor=owner_a, card=card, reason="服务员投诉核实后解聘")
    answer = _public(card.code).json()
    assert answer["status"] == "revoked" and answer["status_text"] == "已注销"
    assert answer["revoked_on"] == str(today())
    assert "解聘" not in str(answer)  # the reason stays internal
    page = page_client().get(f"/cards/{card.code}/")
    assert "证件已注销" in page.content.decode()


def test_the_receipt_names_the_card_and_what_it_showed(owner_a, firm_a):
    card = _card(owner_a, firm_a, name="王秀英")
    answer = _public(card.code).json()
    payload = answer["receipt"]["payload"]
    assert payload["kind"] == "worker_card"
    assert payload["subject"]["card_code"] == card.code and card.code in payload["subject"]["text"]
    assert "王*" in payload["subject"]["text"] and firm_a.name in payload["subject"]["text"]
    assert payload["result"].startswith("有效") and "身份已核验" in payload["result"]
    assert card.code in payload["question"]["text"]
    check = api_client().post("/api/v1/public/receipts/verify/", {"jws": answer["receipt"]["jws"]}, format="json")
    assert check.json()["valid"] is True and card.code in check.json()["subject_text"]
    result = {key: value for key, value in answer.items() if key not in ("receipt", "data_version")}
    assert api_client().post("/api/v1/public/receipts/verify/", {
        "payload": payload, "signature": answer["receipt"]["signature"], "result": result},
        format="json").json()["valid"] is True
    worker_services.card_revoke(actor=owner_a, card=card, reason="离职")
    revoked = _public(card.code).json()["receipt"]["payload"]
    assert revoked["result"].startswith("已注销")


def test_no_id_number_phone_or_address_on_the_card(owner_a, firm_a):
    number = id_number()
    card = _card(owner_a, firm_a, name="欧阳娜娜", number=number)
    body = _public(card.code).content.decode()
    page = page_client().get(f"/cards/{card.code}/").content.decode()
    for text in (body, page):
        assert number not in text and number[-4:] + '"' not in text
        assert card.employment.person.id_number_masked not in text
        assert "欧阳娜娜" not in text and "欧阳**" in text
        assert firm_a.address not in text
    assert "id_number" not in body and "phone" not in body and "address" not in body


def test_a_bad_record_in_force_clears_the_flag(owner_a, firm_a, regulator):
    card = _card(owner_a, firm_a)
    person = card.employment.person
    assert _public(card.code).json()["flags"]["no_bad_record"] is True
    violation = ViolationType.objects.filter(active=True).first()
    inspection = complaint_services.inspection_create(
        actor=regulator, entity=firm_a, inspected_on=today(), kind="targeted",
        findings=[{"violation_type": violation, "description": "未经培训上岗", "severity": "general",
                   "penalty": "fine", "fine_amount": 2000, "decision_number": "运盐市监罚〔2026〕1号"}])
    finding = inspection.findings.get()
    assert _public(card.code).json()["flags"]["no_bad_record"] is True  # the finding does not name the worker
    worker_links.finding_worker_set(finding_id=finding.pk, worker=person, actor=regulator)
    answer = _public(card.code).json()
    assert answer["flags"]["no_bad_record"] is False and answer["status"] == "valid"
    assert "有在效不良记录" in answer["receipt"]["payload"]["result"]


def test_a_published_listing_of_the_worker_clears_the_flag(owner_a, firm_a):
    card = _card(owner_a, firm_a)
    listing_in("published", person=card.employment.person, related_entity=firm_a, person_role="practitioner",
               list_type="watch")
    assert _public(card.code).json()["flags"]["no_bad_record"] is False


def test_a_code_is_found_in_any_case_without_dashes_and_an_unknown_one_is_a_404(owner_a, firm_a):
    card = _card(owner_a, firm_a)
    assert _public(card.code.lower().replace("-", "")).json()["card_code"] == card.code
    assert _public("K7QM-4TZD-9XPA").status_code in (404,)
    assert _public("not-a-card").status_code == 404
    assert page_client().get("/cards/not-a-card/").status_code == 404
    typed = page_client().get("/cards/", {"code": card.code.lower()})
    assert typed.status_code == 302 and typed["Location"] == f"/cards/{card.code}/"
    wrong = page_client().get("/cards/", {"code": "12345"})
    assert wrong.status_code == 400 and "编码应为 12 位" in wrong.content.decode()
    lower = page_client().get(f"/cards/{card.code.lower()}/")
    assert lower.status_code == 302 and lower["Location"] == f"/cards/{card.code}/"


def test_the_card_page_has_a_qr_code_of_itself(owner_a, firm_a):
    card = _card(owner_a, firm_a)
    page = page_client().get(f"/cards/{card.code}/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "证件有效" in body
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]
    assert "<script" not in body.split("<footer")[0].split("<main")[1]


@pytest.mark.django_db(transaction=True)
def test_generate_data_makes_workers_with_files_and_cards():
    from django.db import connection

    from core.database.roles import owner_session
    from entities.models import Entity
    from entities.workers import Employment, HealthCheck, ServiceCard, TrainingRecord
    from regulator.demo.synthetic import generate
    from regulator.lists.models import RuleSet

    if not RuleSet.objects.exists():  # a transactional test run before may have left only the flush behind
        _reseed()
    with owner_session(connection):
        counts = generate(entities=60, seed=11)
    firms = Entity.objects.filter(sector="household_service").count()
    assert firms > 0
    assert 3 * firms <= counts.workers <= 7 * firms
    assert Employment.objects.count() == counts.workers
    assert HealthCheck.objects.count() == counts.health_checks and TrainingRecord.objects.count() == counts.trainings
    assert ServiceCard.objects.count() == counts.cards == Employment.objects.filter(ended_on__isnull=True).count()
    answers = [cards.card_answer(card) for card in ServiceCard.objects.select_related(
        "employment__entity", "employment__person").prefetch_related(
        "employment__person__health_checks", "employment__person__identity_verifications",
        "employment__person__trainings")]
    assert {answer["status"] for answer in answers} <= {"valid", "expired"}
    assert any(answer["valid"] for answer in answers)
    # the COPY runs with the triggers off: the listings' search keys are filled by generate itself
    from django.db.models import Q

    from regulator.lists.models import Listing

    with_business = Listing.objects.filter(Q(entity__isnull=False) | Q(related_entity__isnull=False))
    assert counts.listings > 0 and with_business.exists()
    assert not with_business.filter(search_vector__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_generate_data_command_also_makes_orders_reviews_and_ratings():
    from django.core.management import call_command
    from django.db import connection

    from complaints.satisfaction_ratings import ComplaintSatisfaction
    from core.database.roles import owner_session
    from entities.models import ServiceOrder, ServiceReview
    from entities.workers import Employment
    from regulator.lists.models import RuleSet

    if not RuleSet.objects.exists():
        _reseed()
    with owner_session(connection):
        call_command("generate_data", entities=120, seed=21, verbosity=0)
    assert Employment.objects.exists()
    # about 2 orders per worker, most reviewed: every order names a worker the firm employed
    assert ServiceOrder.objects.count() >= Employment.objects.count()
    assert 0 < ServiceReview.objects.count() < ServiceOrder.objects.count()
    assert ComplaintSatisfaction.objects.exists()  # some closed synthetic complaints rated by their complainants


def _reseed() -> None:
    """The migrations' seed data generate_data needs (rule sets, the violation catalogue), as the migrations wrote it."""
    import importlib

    from django.apps import apps

    for module, function in (("regulator.migrations.0002_seed_rule_sets", "seed"),
                             ("regulator.migrations.0004_rule_sets_by_law", "forward"),
                             ("complaints.migrations.0002_seed_violation_types", "seed"),
                             ("complaints.migrations.0005_verified_catalogue_citations", "sync_catalogue")):
        getattr(importlib.import_module(module), function)(apps, None)
