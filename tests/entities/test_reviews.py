"""家政服务评价: an order is the only way to a review, the link works once and expires, nothing is public before a
regulator approves it, a firm sees only its own orders and reviews, no customer is ever shown, averages are right."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import sms
from core.models import UserRole
from entities import review_selectors, review_services
from entities.reviews import ReplyStatus, ReviewStatus, ServiceOrder, ServiceReview
from tests.support import api_client, page_client, today
from tests.support.factories import EntityFactory, UserFactory

from .worker_fixtures import ready_worker

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def text_messages(settings):
    settings.SMS_BACKEND = "core.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def regulator(db):
    return UserFactory(username="review-regulator", role=UserRole.REGULATOR)


def _order(actor, employment, *, phone: str = PHONE, email: str = "", served_on=None, **extra) -> ServiceOrder:
    return review_services.service_order_create(
        actor=actor, entity=employment.entity, worker=employment.person, served_on=served_on or today() - DAY,
        service_kind="cleaning", customer_phone=phone, customer_email=email, **extra)


def _token_from(text: str) -> str:
    return re.search(r"/reviews/([A-Za-z0-9_\-]+)/", text).group(1)


def _reviewed(actor, employment, rating: int, *, regulator=None, comment: str = "") -> ServiceReview:
    order = _order(actor, employment)
    review = review_services.review_submit(token=order.link_token, rating=rating, comment=comment)
    if regulator is not None:
        review_services.review_approve(actor=regulator, review=review)
    return review


# ------------------------------------------------------------------ no review without an order


def test_the_database_refuses_a_review_without_an_order():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceReview.objects.create(rating=5, comment="很好")


def test_the_database_refuses_a_second_review_of_one_order(owner_a, firm_a):
    order = _order(owner_a, ready_worker(owner_a, firm_a))
    review_services.review_submit(token=order.link_token, rating=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceReview.objects.create(order=order, rating=5)


def test_the_api_has_no_way_to_post_a_review_but_a_link():
    client = api_client()
    assert client.post("/api/v1/public/reviews/not-a-token-of-any-order/", {"rating": 5},
                       format="json").status_code == 404
    assert ServiceReview.objects.count() == 0
    # and signed-in callers cannot create one through the list either
    staff = api_client(UserFactory(username="r2", role=UserRole.REGULATOR))
    assert staff.post("/api/v1/reviews/", {"rating": 5}, format="json").status_code == 405


# ------------------------------------------------------------------ orders


def test_an_order_through_the_api_sends_the_link_and_keeps_no_contact(owner_a, firm_a, text_messages,
                                                                      django_capture_on_commit_callbacks):
    employment = ready_worker(owner_a, firm_a)
    with django_capture_on_commit_callbacks(execute=True):
        answer = api_client(owner_a).post("/api/v1/service-orders/", {
            "entity": firm_a.pk, "worker": employment.person_id, "served_on": str(today() - DAY),
            "service_kind": "childcare", "customer_phone": "139-1234-5678", "customer_email": "kehu@example.com"},
            format="json")
    assert answer.status_code == 201, answer.content
    body = answer.content.decode()
    assert PHONE not in body and "1234-5678" not in body and "kehu@example.com" not in body
    assert "customer_phone_hash" not in body and "link_digest" not in body
    assert answer.json()["link_channels"] == ["sms", "email"]
    order = ServiceOrder.objects.get()
    assert order.link_sent_at is not None  # sent after the order committed
    stored = " ".join(str(value) for value in ServiceOrder.objects.values().get().values())
    assert PHONE not in stored and "kehu@example.com" not in stored  # only the keyed hash is kept
    assert order.customer_phone_hash == review_services.customer_phone_hash(PHONE)
    assert [message.to for message in text_messages] == [PHONE]
    assert mail.outbox[0].to == ["kehu@example.com"]
    token = _token_from(text_messages[0].body)
    assert order.link_digest == review_services.token_hash(token) and token not in stored
    assert _token_from(mail.outbox[0].body) == token
    # the firm's own listing never shows the contact either
    listing = api_client(owner_a).get("/api/v1/service-orders/").content.decode()
    assert PHONE not in listing and "kehu@example.com" not in listing


def test_an_order_needs_a_worker_employed_by_the_firm_on_the_day(owner_a, firm_a):
    employment = ready_worker(owner_a, firm_a, started_on=today() - 10 * DAY)
    client = api_client(owner_a)
    body = {"entity": firm_a.pk, "worker": employment.person_id, "service_kind": "cleaning",
            "customer_phone": PHONE}
    before = client.post("/api/v1/service-orders/", {**body, "served_on": str(today() - 11 * DAY)}, format="json")
    assert before.status_code == 400 and "worker" in before.json()
    first_day = client.post("/api/v1/service-orders/", {**body, "served_on": str(today() - 10 * DAY)}, format="json")
    assert first_day.status_code == 201


def test_an_order_after_the_employment_ended_is_refused(owner_a, firm_a):
    from entities import worker_services

    employment = ready_worker(owner_a, firm_a, started_on=today() - 30 * DAY)
    worker_services.employment_update(actor=owner_a, employment=employment, ended_on=today() - 5 * DAY)
    with pytest.raises(Exception) as refused:
        _order(owner_a, employment, served_on=today() - 4 * DAY)
    assert "worker" in refused.value.message_dict
    assert _order(owner_a, employment, served_on=today() - 5 * DAY).pk  # the last day still counts


def test_an_order_without_any_contact_or_with_a_bad_phone_is_a_400_naming_the_field(owner_a, firm_a):
    employment = ready_worker(owner_a, firm_a)
    client = api_client(owner_a)
    body = {"entity": firm_a.pk, "worker": employment.person_id, "served_on": str(today()), "service_kind": "cleaning"}
    assert "customer_phone" in client.post("/api/v1/service-orders/", body, format="json").json()
    bad = client.post("/api/v1/service-orders/", {**body, "customer_phone": "12345"}, format="json")
    assert bad.status_code == 400 and "customer_phone" in bad.json()
    kind = client.post("/api/v1/service-orders/", {**body, "customer_phone": PHONE, "service_kind": "massage"},
                       format="json")
    assert kind.status_code == 400 and "service_kind" in kind.json()
    future = client.post("/api/v1/service-orders/", {**body, "customer_phone": PHONE,
                                                     "served_on": str(today() + DAY)}, format="json")
    assert future.status_code == 400 and "served_on" in future.json()


# ------------------------------------------------------------------ the link: once, and until it expires


def test_the_link_works_once_and_the_second_use_is_410(owner_a, firm_a):
    order = _order(owner_a, ready_worker(owner_a, firm_a))
    client = api_client()
    shown = client.get(f"/api/v1/public/reviews/{order.link_token}/")
    assert shown.status_code == 200 and shown.json()["worker_name"] == "王**"
    first = client.post(f"/api/v1/public/reviews/{order.link_token}/", {"rating": 5, "comment": "很细心"},
                        format="json")
    assert first.status_code == 201 and first.json()["status"] == "pending"
    again = client.post(f"/api/v1/public/reviews/{order.link_token}/", {"rating": 1}, format="json")
    assert again.status_code == 410 and again.json()["code"] == "review_link_used"
    assert "只能评价一次" in again.json()["detail"]
    assert client.get(f"/api/v1/public/reviews/{order.link_token}/").status_code == 410
    assert ServiceReview.objects.get().rating == 5


@pytest.mark.parametrize(("offset", "works"), [(-1, True), (0, False), (1, False)])
def test_the_link_expires_after_the_configured_days(owner_a, firm_a, settings, offset, works):
    settings.REVIEW_LINK_DAYS = 30
    created = timezone.now() - datetime.timedelta(days=30)
    order = _order(owner_a, ready_worker(owner_a, firm_a), now=created, served_on=today() - 31 * DAY)
    assert order.link_expires_at == created + datetime.timedelta(days=30)
    moment = order.link_expires_at + datetime.timedelta(seconds=offset)
    if works:
        review = review_services.review_submit(token=order.link_token, rating=3, now=moment)
        assert review.pk
    else:
        with pytest.raises(review_services.ReviewLinkGone) as gone:
            review_services.review_submit(token=order.link_token, rating=3, now=moment)
        assert gone.value.get_codes() == "review_link_expired"


def test_an_expired_link_is_a_410_through_the_api_and_the_page(owner_a, firm_a):
    order = _order(owner_a, ready_worker(owner_a, firm_a))
    ServiceOrder.objects.filter(pk=order.pk).update(link_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    answer = api_client().post(f"/api/v1/public/reviews/{order.link_token}/", {"rating": 4}, format="json")
    assert answer.status_code == 410 and answer.json()["code"] == "review_link_expired"
    page = page_client().get(f"/reviews/{order.link_token}/")
    assert page.status_code == 410 and "已过期" in page.content.decode()


def test_a_bad_rating_is_a_400_naming_the_field(owner_a, firm_a):
    order = _order(owner_a, ready_worker(owner_a, firm_a))
    for rating in (0, 6, "five"):
        answer = api_client().post(f"/api/v1/public/reviews/{order.link_token}/", {"rating": rating}, format="json")
        assert answer.status_code == 400 and "rating" in answer.json()
    assert ServiceOrder.objects.get().link_used_at is None  # a refused try does not use the link


# ------------------------------------------------------------------ moderation


def test_only_approved_reviews_are_public_and_counted(owner_a, firm_a, regulator):
    employment = ready_worker(owner_a, firm_a)
    pending = _reviewed(owner_a, employment, 1)
    rejected = _reviewed(owner_a, employment, 1)
    review_services.review_reject(actor=regulator, review=rejected, reason="与服务无关")
    _reviewed(owner_a, employment, 5, regulator=regulator)
    _reviewed(owner_a, employment, 4, regulator=regulator)
    assert review_selectors.review_summary(entity_id=firm_a.pk) == {"count": 2, "average": 4.5}
    assert review_selectors.review_summary(worker_id=employment.person_id) == {"count": 2, "average": 4.5}
    public = api_client().get(f"/api/v1/public/entities/{firm_a.credit_code}/").json()
    assert public["reviews"] == {"count": 2, "average": 4.5}
    assert pending.status == ReviewStatus.PENDING


def test_moderation_is_for_regulators_and_a_review_is_moderated_once(owner_a, firm_a, regulator):
    review = _reviewed(owner_a, ready_worker(owner_a, firm_a), 3)
    assert api_client(owner_a).post(f"/api/v1/reviews/{review.pk}/approve/", {}, format="json").status_code == 403
    staff = api_client(regulator)
    no_reason = staff.post(f"/api/v1/reviews/{review.pk}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    assert staff.post(f"/api/v1/reviews/{review.pk}/approve/", {"target": "everything"},
                      format="json").status_code == 400
    assert staff.post(f"/api/v1/reviews/{review.pk}/approve/", {}, format="json").json()["status"] == "published"
    again = staff.post(f"/api/v1/reviews/{review.pk}/reject/", {"reason": "x"}, format="json")
    assert again.status_code == 409


def test_the_published_comment_is_redacted(owner_a, firm_a, regulator):
    employment = ready_worker(owner_a, firm_a, name="王秀英")
    review = _reviewed(owner_a, employment, 5, regulator=regulator,
                       comment="王秀英阿姨很好，有事打我电话13800001111")
    review.refresh_from_db()
    assert "13800001111" not in review.comment_published and "王秀英" not in review.comment_published
    assert "王**" in review.comment_published
    page = page_client().get(f"/operators/{firm_a.credit_code}/").content.decode()
    assert "王**阿姨很好" in page and "13800001111" not in page


def test_the_firm_replies_once_editable_until_moderated(owner_a, firm_a, regulator):
    review = _reviewed(owner_a, ready_worker(owner_a, firm_a), 2, regulator=regulator)
    client = api_client(owner_a)
    first = client.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": "感谢反馈"}, format="json")
    assert first.status_code == 200 and first.json()["reply_status"] == "pending"
    edited = client.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": "感谢反馈，已改进"}, format="json")
    assert edited.json()["reply"] == "感谢反馈，已改进"
    assert api_client(regulator).post(f"/api/v1/reviews/{review.pk}/approve/", {"target": "reply"},
                                      format="json").json()["reply_status"] == ReplyStatus.PUBLISHED
    late = client.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": "再改"}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "reply_moderated"
    page = page_client().get(f"/operators/{firm_a.credit_code}/").content.decode()
    assert "感谢反馈，已改进" in page


# ------------------------------------------------------------------ a firm sees its own only


def test_a_firm_sees_only_its_own_orders_and_reviews(owner_a, owner_b, firm_a, firm_b):
    order = _order(owner_a, ready_worker(owner_a, firm_a))
    review = review_services.review_submit(token=order.link_token, rating=4)
    other = api_client(owner_b)
    assert other.get(f"/api/v1/service-orders/{order.pk}/").status_code == 404
    assert other.get(f"/api/v1/reviews/{review.pk}/").status_code == 404
    assert other.post(f"/api/v1/reviews/{review.pk}/reply/", {"text": "x"}, format="json").status_code == 404
    assert other.get("/api/v1/service-orders/").json()["count"] == 0
    assert other.get("/api/v1/reviews/").json()["count"] == 0
    assert api_client(owner_a).get("/api/v1/reviews/").json()["count"] == 1
    # another firm cannot record an order for this firm, nor for this firm's worker
    refused = other.post("/api/v1/service-orders/", {
        "entity": firm_a.pk, "worker": order.worker_id, "served_on": str(today()), "service_kind": "cleaning",
        "customer_phone": PHONE}, format="json")
    assert refused.status_code == 400 and {"entity", "worker"} <= set(refused.json())
    pages = page_client(owner_b)
    assert pages.post(f"/business/reviews/{review.pk}/reply/", {f"reply-{review.pk}-text": "x"}).status_code == 404
    assert str(order.pk) not in pages.get("/business/orders/").content.decode().split("已登记的订单")[1]


def test_lists_take_a_fixed_number_of_queries(owner_a, firm_a, django_assert_max_num_queries):
    employment = ready_worker(owner_a, firm_a)
    for _ in range(6):
        _reviewed(owner_a, employment, 4)
    client = api_client(owner_a)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/service-orders/").json()["count"] == 6
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/reviews/").json()["count"] == 6


# ------------------------------------------------------------------ public pages never show the customer


def test_public_pages_and_answers_never_show_the_customer(owner_a, firm_a, regulator, text_messages,
                                                          django_capture_on_commit_callbacks):
    from entities import worker_services

    employment = ready_worker(owner_a, firm_a)
    card = worker_services.card_issue(actor=owner_a, employment=employment)
    with django_capture_on_commit_callbacks(execute=True):
        order = _order(owner_a, employment, email="zhangsan.customer@example.com")
    review_services.review_approve(actor=regulator, review=review_services.review_submit(
        token=order.link_token, rating=5, comment="准时"))
    answers = [
        page_client().get(f"/cards/{card.code}/"), page_client().get(f"/operators/{firm_a.credit_code}/"),
        api_client().get(f"/api/v1/public/worker-cards/{card.code}/"),
        api_client().get(f"/api/v1/public/entities/{firm_a.credit_code}/"),
    ]
    for answer in answers:
        assert answer.status_code == 200
        body = answer.content
        for secret in (PHONE, "zhangsan.customer", order.customer_phone_hash, order.link_token, "王秀英"):
            assert secret.encode() not in body
    card_answer = answers[2].json()
    assert card_answer["reviews"] == {"count": 1, "average": 5.0}
    assert "5.0 分（1 条已公开评价）" in answers[0].content.decode()
    assert "准时" in answers[1].content.decode()


def test_a_firm_outside_household_service_has_no_reviews_on_its_public_answer():
    entity = EntityFactory()
    assert api_client().get(f"/api/v1/public/entities/{entity.credit_code}/").json()["reviews"] is None


def test_averages_are_rounded_to_two_places(owner_a, firm_a, regulator):
    employment = ready_worker(owner_a, firm_a)
    for rating in (5, 4, 4):
        _reviewed(owner_a, employment, rating, regulator=regulator)
    assert review_selectors.review_summary(entity_id=firm_a.pk) == {"count": 3, "average": 4.33}
    assert review_selectors.review_summary(entity_id=firm_a.pk + 999) == {"count": 0, "average": None}
