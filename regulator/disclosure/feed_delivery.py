"""推送投递: signed webhooks, one subscription strictly in order, retried with exponential backoff.

Each delivery is a ``POST`` of the event's JSON with

* ``X-Event-Id``: the event's ``id`` (its sequence number; the receiver dedupes by it: delivery is at least
  once, so a worker lost after the receiver answered but before the answer was recorded sends it again);
* ``X-Timestamp``: Unix seconds when it was signed;
* ``X-Signature: sha256=<hex>``: HMAC-SHA256 with the subscription's secret over ``timestamp + "." + body``
  (during a secret rotation's overlap, a second ``sha256=<hex>`` with the previous secret, comma separated).

Receivers reject a timestamp more than ``FEED_REPLAY_WINDOW_SECONDS`` (5 minutes) from their clock
(:func:`signature_verify` is the reference). A subscription's next event is sent only after the receiver
answered every earlier one with 2xx; a failure waits ``base * 2^(attempts-1)`` seconds (capped), and after
``FEED_DELIVERY_MAX_ATTEMPTS`` the delivery is dead (死信) and the subscription paused until a regulator
redelivers it. One worker at a time works a subscription (a session advisory lock, released if the worker
dies with its connection).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core.models import ClientScope
from regulator.disclosure.feed_services import (
    event_view,
    events_for,
    setting,
    signing_secrets,
    unmasked_for,
    validate_url,
)
from regulator.disclosure.feeds import DeliveryState, FeedDelivery, FeedSubscription

#: pg_try_advisory_lock(class, subscription id): one worker per subscription
DELIVERY_LOCK_CLASS = 7243319
REPLAY_WINDOW_SECONDS = 300
USER_AGENT = "credit-feed/1"


# ------------------------------------------------------------------ signatures


def body_bytes(view: dict) -> bytes:
    return json.dumps(view, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signature_header(secrets_: list[str], timestamp: str, body: bytes) -> str:
    return ",".join(f"sha256={signature(secret, timestamp, body)}" for secret in secrets_)


def signature_verify(*, secret: str, timestamp: str, body: bytes, header: str, now: float | None = None,
                     window: int | None = None) -> bool:
    """What a receiver checks: a fresh timestamp (within the replay window either way) and one matching
    ``sha256=`` signature of ``timestamp.body``."""
    window = REPLAY_WINDOW_SECONDS if window is None else window
    now = time.time() if now is None else now
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        return False
    expected = signature(secret, timestamp, body)
    return any(part.strip().startswith("sha256=") and hmac.compare_digest(part.strip()[7:], expected)
               for part in (header or "").split(","))


# ------------------------------------------------------------------ HTTP


_connections: dict[tuple[str, str, int], http.client.HTTPConnection] = {}


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST over a kept-alive connection per host (one worker sends thousands an hour); the status code."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    key = (parts.scheme, parts.hostname or "", port)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    for attempt in (1, 2):  # a kept-alive connection the server closed meanwhile is opened again once
        conn = _connections.get(key)
        if conn is None:
            conn = (http.client.HTTPSConnection(key[1], port, timeout=timeout, context=ssl.create_default_context())
                    if parts.scheme == "https" else http.client.HTTPConnection(key[1], port, timeout=timeout))
            conn.connect()
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stall per event
            _connections[key] = conn
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read(65536)
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                _connections.pop(key, None)
            return response.status
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            conn.close()
            _connections.pop(key, None)
            if attempt == 2:
                raise
        except Exception:
            conn.close()
            _connections.pop(key, None)
            raise
    raise OSError("unreachable")  # pragma: no cover


def send(subscription: FeedSubscription, view: dict) -> tuple[int | None, str]:
    """(status code or None, error text): one signed POST of ``view``."""
    body = body_bytes(view)
    timestamp = str(int(time.time()))
    try:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
                   "X-Event-Id": str(view["id"]), "X-Timestamp": timestamp,
                   "X-Signature": signature_header(signing_secrets(subscription), timestamp, body)}
        validate_url(subscription.url)  # the settings may have changed since the URL was saved
        return _post(subscription.url, body, headers, float(setting("FEED_DELIVERY_TIMEOUT_SECONDS", 10))), ""
    except Exception as exc:  # any failure to deliver is an attempt that failed, never a lost event
        return None, f"{type(exc).__name__}: {exc}"[:300]


def backoff_seconds(attempts: int) -> float:
    base = float(setting("FEED_RETRY_BASE_SECONDS", 5))
    return min(base * 2 ** max(attempts - 1, 0), float(setting("FEED_RETRY_MAX_SECONDS", 3600)))


# ------------------------------------------------------------------ one subscription, in order


@dataclass(frozen=True)
class Outcome:
    """What a run left: ``sent`` events acknowledged; ``retry_in`` seconds to the next attempt (a failure);
    ``more`` (the budget ran out with events waiting); ``busy`` (another worker holds the subscription)."""

    sent: int = 0
    retry_in: float | None = None
    more: bool = False
    busy: bool = False
    dead: bool = False


def _lock(subscription_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [DELIVERY_LOCK_CLASS, subscription_id])
        return cursor.fetchone()[0]


def _unlock(subscription_id: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [DELIVERY_LOCK_CLASS, subscription_id])
    except DatabaseError:  # the connection is gone, and the lock with it
        pass


def subscription_deliver(*, subscription_id: int, budget: int = 200) -> Outcome:
    """Send the subscription's next events in order, until caught up, a failure, or ``budget`` sent.

    No transaction is held over a request: the lock is a session lock, each answer is recorded in its own
    short transaction (the cursor moves with the delivery's row), so a worker killed at any point leaves
    either the event unacknowledged (sent again: the receiver dedupes) or acknowledged."""
    if not _lock(subscription_id):
        return Outcome(busy=True)
    try:
        return _deliver(subscription_id, budget)
    finally:
        _unlock(subscription_id)


def _deliver(subscription_id: int, budget: int) -> Outcome:
    sent = 0
    while sent < budget:
        subscription = FeedSubscription.objects.select_related("client").filter(pk=subscription_id).first()
        if subscription is None or not subscription.is_active or subscription.paused_at is not None \
                or not subscription.client.is_active or ClientScope.PUSH.value not in subscription.client.scopes:
            return Outcome(sent=sent)  # a client that lost ``push`` (or was disabled) is sent nothing more
        unmasked = unmasked_for(subscription.client.scopes)
        batch = list(events_for(scopes=subscription.client.scopes, since=subscription.delivered_through,
                                kinds=subscription.kinds)[: min(50, budget - sent)])
        if not batch:
            return Outcome(sent=sent)
        for event in batch:
            # read only: the row is written with the answer, in the same transaction as the cursor (one commit)
            found = list(FeedDelivery.objects.filter(subscription=subscription, event=event).order_by()[:1])
            delivery = found[0] if found else FeedDelivery(subscription=subscription, event=event)
            if delivery.state == DeliveryState.DEAD:  # paused meanwhile by another path: stop here
                return Outcome(sent=sent, dead=True)
            now = timezone.now()
            if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                return Outcome(sent=sent, retry_in=(delivery.next_attempt_at - now).total_seconds())
            if delivery.state != DeliveryState.DELIVERED:
                status, error = send(subscription, event_view(event, unmasked=unmasked))
                outcome = _record(subscription, delivery, event.sequence, status, error)
                if outcome is not None:
                    return Outcome(sent=sent, retry_in=outcome.retry_in, dead=outcome.dead)
            sent += 1
            subscription.delivered_through = event.sequence
    return Outcome(sent=sent, more=True)


def _record(subscription: FeedSubscription, delivery: FeedDelivery, sequence: int, status: int | None,
            error: str) -> Outcome | None:
    """The receiver's answer, with ``synchronous_commit`` off: an answer lost in a database crash is only an
    event sent again (the receiver dedupes), never an event lost, and the worker does not wait on a flush per
    event. The delivery row and the cursor commit together."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        return _answer(subscription, delivery, sequence, status, error)


def _answer(subscription: FeedSubscription, delivery: FeedDelivery, sequence: int, status: int | None,
            error: str) -> Outcome | None:
    """2xx moves the cursor (None: go on); else an attempt counted, maybe the last."""
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at, delivery.last_error = (
            DeliveryState.DELIVERED, now, None, "")
        _save(delivery, ["state", "attempts", "last_status_code", "delivered_at", "next_attempt_at", "last_error"])
        FeedSubscription.objects.filter(pk=subscription.pk, delivered_through__lt=sequence).update(
            delivered_through=sequence)
        return None
    delivery.last_error = error or f"HTTP {status}"
    if delivery.attempts >= int(setting("FEED_DELIVERY_MAX_ATTEMPTS", 10)):
        delivery.state, delivery.dead_at, delivery.next_attempt_at = DeliveryState.DEAD, now, None
        _save(delivery, ["state", "attempts", "last_status_code", "last_error", "dead_at", "next_attempt_at"])
        FeedSubscription.objects.filter(pk=subscription.pk).update(
            paused_at=now, pause_reason=f"事件 {sequence} 投递 {delivery.attempts} 次失败：{delivery.last_error}"[:300],
            updated_at=now)
        return Outcome(dead=True)
    wait = backoff_seconds(delivery.attempts)
    delivery.next_attempt_at = now + datetime.timedelta(seconds=wait)
    _save(delivery, ["attempts", "last_status_code", "last_error", "next_attempt_at"])
    return Outcome(retry_in=wait)


def _save(delivery: FeedDelivery, fields: list[str]) -> None:
    if delivery.pk is None:
        delivery.save()
    else:
        delivery.save(update_fields=fields)


def subscriptions_due() -> list[int]:
    """Subscriptions with a numbered event waiting and no attempt in backoff (what the dispatcher kicks)."""
    now = timezone.now()
    due = []
    for subscription in FeedSubscription.objects.select_related("client").filter(
            is_active=True, paused_at__isnull=True, client__is_active=True,
            client__scopes__contains=[ClientScope.PUSH.value]):
        waiting = events_for(scopes=subscription.client.scopes, since=subscription.delivered_through,
                             kinds=subscription.kinds).exists()
        backing_off = subscription.deliveries.filter(state=DeliveryState.PENDING, next_attempt_at__gt=now).exists()
        if waiting and not backing_off:
            due.append(subscription.pk)
    return due
