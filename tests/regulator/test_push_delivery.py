"""变更推送 delivery to a real HTTP receiver on loopback: strictly in order per subscription, held behind a 500,
exponential backoff, dead letters after the maximum attempts and their redelivery (service and admin), and a
real Celery worker killed mid-stream and restarted: every event accepted exactly once, in order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from config.celery_app import app
from core.models import DepartmentClient
from regulator.disclosure import feed_services
from regulator.disclosure.feed_delivery import backoff_seconds, subscription_deliver, subscriptions_due
from regulator.disclosure.feed_tasks import feed_dispatch
from regulator.disclosure.feeds import DeadLetter, DeliveryState, FeedDelivery, FeedSubscription
from tests.support import page_client
from tests.support.factories import EntityFactory, LicenceFactory, UserFactory

from .push_receiver import Receiver

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def loopback(settings):
    settings.FEED_WEBHOOK_HTTP_LOOPBACK = True
    settings.FEED_RETRY_BASE_SECONDS = 0
    settings.FEED_DELIVERY_MAX_ATTEMPTS = 5


def subscribe(receiver: Receiver, kinds=("licence_changed",), scopes=("push",)) -> FeedSubscription:
    client = DepartmentClient.objects.create(name=f"接收方-{uuid.uuid4().hex[:6]}", authority_credit_code="11120000MB1529459B",
                                             contact_name="周七", scopes=list(scopes), ip_allowlist=["127.0.0.1/32"])
    issued = feed_services.subscription_create(client_id=client.pk, url=receiver.url, kinds=list(kinds))
    receiver.secret = issued.secret
    return issued.subscription


def licences(count: int) -> None:
    entity = EntityFactory()
    for _ in range(count):
        LicenceFactory(entity=entity)
    feed_services.feed_sequence()


# --- in process --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_arrive_signed_in_order_with_their_ids(loopback):
    with Receiver() as receiver:
        subscription = subscribe(receiver)
        licences(4)
        outcome = subscription_deliver(subscription_id=subscription.pk)
    assert outcome.sent == 4 and receiver.rejected_signatures == 0
    assert receiver.accepted == [1, 2, 3, 4] and not receiver.duplicates
    assert receiver.bodies[1]["kind"] == "licence_changed" and receiver.bodies[1]["id"] == 1
    assert FeedSubscription.objects.get(pk=subscription.pk).delivered_through == 4
    assert set(FeedDelivery.objects.values_list("state", flat=True)) == {DeliveryState.DELIVERED}


@pytest.mark.django_db
def test_a_500_holds_every_later_event_until_it_is_acknowledged(loopback):
    with Receiver(fail={2: 2}) as receiver:
        subscription = subscribe(receiver)
        licences(5)
        first = subscription_deliver(subscription_id=subscription.pk)
        assert first.sent == 1 and first.retry_in is not None
        assert receiver.accepted == [1] and receiver.requests == [1, 2]
        second = subscription_deliver(subscription_id=subscription.pk)
        assert second.sent == 0 and receiver.requests == [1, 2, 2]  # 3 was not sent while 2 failed
        third = subscription_deliver(subscription_id=subscription.pk)
    assert third.sent == 4
    assert receiver.requests == [1, 2, 2, 2, 3, 4, 5]
    assert receiver.accepted == [1, 2, 3, 4, 5] and not receiver.out_of_order
    delivery = FeedDelivery.objects.get(subscription=subscription, event__sequence=2)
    assert delivery.attempts == 3 and delivery.state == DeliveryState.DELIVERED and delivery.last_status_code == 200


@pytest.mark.django_db
def test_a_failed_attempt_waits_its_backoff_before_the_next(loopback, settings):
    settings.FEED_RETRY_BASE_SECONDS = 30
    with Receiver(fail={1: 1}) as receiver:
        subscription = subscribe(receiver)
        licences(2)
        failed = subscription_deliver(subscription_id=subscription.pk)
        assert failed.retry_in == pytest.approx(30, abs=1)
        waiting = subscription_deliver(subscription_id=subscription.pk)
        assert waiting.sent == 0 and 25 < waiting.retry_in <= 30
        assert receiver.requests == [1]  # nothing sent inside the backoff
        assert subscription.pk not in subscriptions_due()  # nor kicked by the dispatcher


def test_the_backoff_doubles_up_to_its_cap(settings):
    settings.FEED_RETRY_BASE_SECONDS, settings.FEED_RETRY_MAX_SECONDS = 5, 60
    assert [backoff_seconds(n) for n in range(1, 7)] == [5, 10, 20, 40, 60, 60]


@pytest.mark.django_db
def test_after_the_maximum_attempts_the_delivery_is_dead_and_the_subscription_waits(loopback):
    with Receiver(fail={2: 99}) as receiver:
        subscription = subscribe(receiver)
        licences(4)
        outcomes = [subscription_deliver(subscription_id=subscription.pk) for _ in range(5)]
        assert [o.dead for o in outcomes] == [False, False, False, False, True]
        assert receiver.requests == [1, 2, 2, 2, 2, 2]
        assert subscription_deliver(subscription_id=subscription.pk).sent == 0  # paused
        assert receiver.requests == [1, 2, 2, 2, 2, 2]
        dead = DeadLetter.objects.get()
        assert dead.event.sequence == 2 and dead.attempts == 5 and dead.last_status_code == 500
        paused = FeedSubscription.objects.get(pk=subscription.pk)
        assert paused.paused_at is not None and "事件 2" in paused.pause_reason
        assert subscription.pk not in subscriptions_due()

        receiver.fail[2] = 0
        feed_services.delivery_redeliver(delivery_id=dead.pk)
        assert subscription.pk in subscriptions_due()
        assert subscription_deliver(subscription_id=subscription.pk).sent == 3
    assert receiver.accepted == [1, 2, 3, 4]
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_only_a_dead_letter_can_be_redelivered(loopback):
    with Receiver() as receiver:
        subscription = subscribe(receiver)
        licences(1)
        subscription_deliver(subscription_id=subscription.pk)
    delivered = FeedDelivery.objects.get()
    with pytest.raises(Exception, match="死信"):
        feed_services.delivery_redeliver(delivery_id=delivered.pk)


@pytest.mark.django_db
def test_the_admin_lists_dead_letters_and_redelivers_them(loopback, django_capture_on_commit_callbacks):
    with Receiver(fail={1: 99}) as receiver:
        subscription = subscribe(receiver)
        licences(2)
        for _ in range(5):
            subscription_deliver(subscription_id=subscription.pk)
        dead = DeadLetter.objects.get()
        pages = page_client(UserFactory(username="admin_regulator", role="regulator", is_staff=True))
        listing = pages.get(reverse("admin:regulator_deadletter_changelist"))
        assert listing.status_code == 200 and f">{dead.pk}<" in listing.content.decode()
        receiver.fail[1] = 0
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = pages.post(reverse("admin:regulator_deadletter_changelist"),
                                  {"action": "redeliver", "_selected_action": [dead.pk]})
        assert response.status_code in (200, 302)
        assert any("delivery_redeliver" in getattr(c, "__qualname__", "") for c in callbacks)  # kicked after commit
        assert FeedSubscription.objects.get(pk=subscription.pk).paused_at is None
        assert subscription_deliver(subscription_id=subscription.pk).sent == 2
    assert receiver.accepted == [1, 2]
    assert not DeadLetter.objects.exists()


@pytest.mark.django_db
def test_the_admin_shows_a_new_subscriptions_secret_once(loopback):
    client = DepartmentClient.objects.create(name="市场监管局", authority_credit_code="11120000MB1529459B",
                                             contact_name="周七", scopes=["push"], ip_allowlist=["127.0.0.1/32"])
    pages = page_client(UserFactory(username="admin_regulator", role="regulator", is_staff=True))
    response = pages.post(reverse("admin:regulator_feedsubscription_add"), {
        "client": client.pk, "url": "https://xy.example.gov.cn/hook", "kinds": ["listing_published"],
        "is_active": "on"})
    assert response.status_code == 200, response.content[:2000]
    assert "no-store" in response["Cache-Control"]
    subscription = FeedSubscription.objects.get()
    secret = feed_services.signing_secrets(subscription)[0]
    assert secret in response.content.decode()
    page = pages.get(reverse("admin:regulator_feedsubscription_change", args=[subscription.pk]))
    assert page.status_code == 200 and secret not in page.content.decode()
    rotated = pages.post(reverse("admin:regulator_feedsubscription_rotate", args=[subscription.pk]),
                         {"overlap_hours": "0"})
    subscription.refresh_from_db()
    new_secret = feed_services.signing_secrets(subscription)
    assert len(new_secret) == 1 and new_secret[0] != secret and new_secret[0] in rotated.content.decode()


@pytest.mark.django_db
def test_a_client_without_lists_read_is_never_pushed_a_watch_listing(loopback):
    from tests.support import listing_in

    with Receiver() as receiver:
        subscription = subscribe(receiver, kinds=("listing_published",))
        listing_in("published", entity=EntityFactory(), list_type="watch")
        listing_in("published", entity=EntityFactory(), list_type="black")
        feed_services.feed_sequence()
        subscription_deliver(subscription_id=subscription.pk)
    assert [body["payload"]["list_type"] for body in receiver.bodies.values()] == ["black"]


# --- a real worker, killed mid-stream ----------------------------------------------------------------------


def _database_url() -> str:
    params = connection.settings_dict
    host = params["HOST"] or params.get("OPTIONS", {}).get("host", "")
    if host.startswith("/"):
        return f"postgresql://{params['USER']}:{params['PASSWORD'] or ''}@/{params['NAME']}?host={host}"
    return f"postgresql://{params['USER']}:{params['PASSWORD'] or ''}@{host}:{params['PORT'] or 5432}/{params['NAME']}"


def _start_worker(queue: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "CELERY_EAGER": "0",
           "CELERY_TASK_DEFAULT_QUEUE": queue, "DATABASE_URL": _database_url(),
           "CELERY_BROKER_URL": django_settings.CELERY_BROKER_URL, "FEED_WEBHOOK_HTTP_LOOPBACK": "1",
           "FEED_RETRY_BASE_SECONDS": "0.2", "FEED_RETRY_MAX_SECONDS": "1", "FEED_DELIVERY_MAX_ATTEMPTS": "50"}
    return subprocess.Popen(  # noqa: S603 - our own celery binary and arguments
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool", "solo",
         "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.fixture
def queue(transactional_db):
    name = f"test-push-{uuid.uuid4().hex[:12]}"
    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager, app.conf.task_default_queue = False, name
    try:
        yield name
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.kill()
    worker.wait(timeout=15)


def _until(condition, worker: subprocess.Popen, deadline_seconds: float, kick: bool = True) -> bool:
    """Poll (as the beat would, kicking the dispatcher about once a second) until ``condition`` or the deadline."""
    deadline = time.monotonic() + deadline_seconds
    last_kick = 0.0
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker.poll() is not None:
            pytest.fail(f"worker exited: {worker.stdout.read().decode(errors='replace')[-3000:]}")
        if kick and time.monotonic() - last_kick > 1:
            feed_dispatch()
            last_kick = time.monotonic()
        time.sleep(0.01)
    return condition()


def test_a_worker_killed_mid_stream_loses_nothing_and_each_event_is_accepted_once_in_order(queue, settings):
    settings.FEED_WEBHOOK_HTTP_LOOPBACK = True
    total = 60
    with Receiver(fail={2: 2}, delay=0.03) as receiver:
        subscription = subscribe(receiver)
        licences(total)
        worker = _start_worker(queue)
        try:
            assert _until(lambda: len(receiver.accepted) >= 10, worker, 90), "the worker never got going"
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=15)
        finally:
            _stop(worker)
        at_kill = len(receiver.accepted)
        print(f"\n[figure] worker killed after {at_kill}/{total} events accepted")
        assert at_kill < total, "the kill should land mid-stream"

        worker = _start_worker(queue)
        try:
            def caught_up() -> bool:  # accepted, and the acknowledgement recorded
                return len(receiver.accepted) >= total and FeedSubscription.objects.filter(
                    pk=subscription.pk, delivered_through=total).exists()

            assert _until(caught_up, worker, 120), f"only {len(receiver.accepted)}/{total} accepted after the restart"

        finally:
            _stop(worker)
    assert receiver.accepted == list(range(1, total + 1))  # each exactly once, in order
    assert not receiver.out_of_order and receiver.rejected_signatures == 0
    assert receiver.requests.count(2) >= 3  # event 2 was answered 500 twice before it was accepted
    assert FeedSubscription.objects.get(pk=subscription.pk).delivered_through == total


@pytest.mark.django_db
def test_a_secret_no_key_decrypts_is_a_failed_attempt_not_a_crash_nor_an_unsigned_post(loopback, settings):
    with Receiver() as receiver:
        subscription = subscribe(receiver)
        licences(1)
        settings.FEED_SECRET_KEY = "a-key-the-secret-was-not-encrypted-with"
        outcome = subscription_deliver(subscription_id=subscription.pk)
    assert outcome.retry_in is not None and receiver.requests == [] and receiver.rejected_signatures == 0
    delivery = FeedDelivery.objects.get()
    assert delivery.attempts == 1 and "ValidationError" in delivery.last_error


@pytest.mark.django_db
def test_a_client_that_lost_push_or_was_disabled_is_sent_nothing_more(loopback):
    with Receiver() as receiver:
        subscription = subscribe(receiver)
        licences(1)
        DepartmentClient.objects.filter(pk=subscription.client_id).update(scopes=["lists:read"])
        assert subscription_deliver(subscription_id=subscription.pk).sent == 0
        assert subscription.pk not in subscriptions_due()
        DepartmentClient.objects.filter(pk=subscription.client_id).update(scopes=["push"], is_active=False)
        assert subscription_deliver(subscription_id=subscription.pk).sent == 0
        DepartmentClient.objects.filter(pk=subscription.client_id).update(is_active=True)
        assert subscription_deliver(subscription_id=subscription.pk).sent == 1
    assert receiver.accepted == [1]
