"""变更推送的写与读: record and sequence change events, manage subscriptions and their secrets, read the feed.

Events are written by database triggers in the changing transaction (migration ``0008_push_feed``) or by
:func:`feed_event_record` (a writer the triggers do not see, such as the 双公示 records). They become visible to
clients only once :func:`feed_sequence` has numbered them: one step at a time (an advisory lock), numbering
the committed, unnumbered rows in insertion order after the highest number given so far. A row committed late
(its transaction began first, ended last) is numbered after every row already visible, so a client reading
``since=<last id it saw>`` never skips it (decision 0027).

A subscription's secret is needed in plaintext to sign (HMAC), so it is stored encrypted with Fernet under a
key derived from ``FEED_SECRET_KEY`` (default: from ``SECRET_KEY``); the secret itself is shown once, when it
is made or rotated, and never again.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.evidence import send_tolerantly
from core.models import ClientScope, DepartmentClient
from regulator.disclosure.feed_tasks import feed_deliver as feed_deliver_task
from regulator.disclosure.feed_tasks import feed_dispatch as feed_dispatch_task
from regulator.disclosure.feeds import DeliveryState, FeedDelivery, FeedEvent, FeedKind, FeedSubscription
from regulator.disclosure.redaction import mask_name

#: pg_try_advisory_xact_lock key of the sequencing step (one at a time)
SEQUENCE_LOCK = 7243318
#: a sequencing step numbers at most this many rows (the next step takes the rest)
SEQUENCE_BATCH = 10_000
#: how long the previous secret still signs (beside the new one) after a rotation, by default
SECRET_OVERLAP_HOURS = 24
LOOPBACK_NAMES = {"localhost"}


def setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


# ------------------------------------------------------------------ secrets at rest


def _fernet() -> MultiFernet:
    """The current key first; ``FEED_SECRET_PREVIOUS_KEYS`` still decrypt (a key rotation of the service)."""
    keys = [setting("FEED_SECRET_KEY", "") or settings.SECRET_KEY, *setting("FEED_SECRET_PREVIOUS_KEYS", [])]
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"credit-feed-secret:" + key.encode())
                                                        .digest())) for key in keys])


def secret_encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:  # the service's key changed without FEED_SECRET_PREVIOUS_KEYS
        raise ValidationError(_("无法解密签名密钥：请轮换该订阅的密钥。")) from exc


def signing_secrets(subscription: FeedSubscription, now: datetime.datetime | None = None) -> list[str]:
    """The secrets a delivery is signed with: the current one, and during a rotation's overlap the previous."""
    now = now or timezone.now()
    found = [secret_decrypt(subscription.secret_encrypted)]
    if subscription.previous_secret_encrypted and subscription.previous_secret_until \
            and subscription.previous_secret_until > now:
        found.append(secret_decrypt(subscription.previous_secret_encrypted))
    return found


# ------------------------------------------------------------------ subscriptions


def validate_url(url: str) -> None:
    """https only; http only to a loopback address and only where ``FEED_WEBHOOK_HTTP_LOOPBACK`` allows it."""
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname and setting("FEED_WEBHOOK_HTTP_LOOPBACK", False):
        host = parts.hostname
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host in LOOPBACK_NAMES
        if loopback:
            return
    raise ValidationError({"url": [_("接收地址须为 https:// 地址。")]})


def validate_kinds(kinds: list[str]) -> list[str]:
    unknown = [kind for kind in kinds or [] if kind not in FeedKind.values]
    if unknown or not kinds:
        raise ValidationError({"kinds": [_("未知或缺少变更类型：%(k)s") % {"k": "、".join(map(str, unknown)) or "—"}]})
    return sorted(set(kinds))


@dataclass(frozen=True)
class IssuedSecret:
    """A subscription and its secret as made: ``secret`` is shown to the regulator once and stored encrypted."""

    subscription: FeedSubscription
    secret: str


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def _latest_sequence() -> int:
    return FeedEvent.objects.filter(sequence__isnull=False).order_by("-sequence").values_list(
        "sequence", flat=True).first() or 0


@transaction.atomic
def subscription_create(*, client_id: int, url: str, kinds: list[str], actor=None) -> IssuedSecret:
    """订阅: the client receives the changes of ``kinds`` committed from now on (not the history: the pull feed
    has that). The client must hold ``push``."""
    client = DepartmentClient.objects.select_for_update().get(pk=client_id)
    if ClientScope.PUSH.value not in client.scopes:
        raise ValidationError({"client": [_("该客户端没有“变更推送”权限。")]})
    validate_url(url)
    secret = _new_secret()
    feed_sequence()
    subscription = FeedSubscription(client=client, url=url, kinds=validate_kinds(kinds),
                                    secret_encrypted=secret_encrypt(secret), created_by=actor,
                                    delivered_through=_latest_sequence())
    subscription.full_clean()
    subscription.save()
    return IssuedSecret(subscription=subscription, secret=secret)


@transaction.atomic
def subscription_update(*, subscription_id: int, url: str, kinds: list[str], is_active: bool) -> FeedSubscription:
    subscription = FeedSubscription.objects.select_for_update().get(pk=subscription_id)
    validate_url(url)
    subscription.url, subscription.kinds, subscription.is_active = url, validate_kinds(kinds), is_active
    subscription.full_clean()
    subscription.save(update_fields=["url", "kinds", "is_active", "updated_at"])
    return subscription


@transaction.atomic
def subscription_secret_rotate(*, subscription_id: int, overlap_hours: int = SECRET_OVERLAP_HOURS) -> IssuedSecret:
    """轮换签名密钥: a new secret; the old one still signs beside it for ``overlap_hours`` (0-168), so the receiver
    can switch over without rejecting a delivery (``X-Signature`` then carries both signatures)."""
    if not isinstance(overlap_hours, int) or not 0 <= overlap_hours <= 168:
        raise ValidationError({"overlap_hours": [_("过渡期为 0 至 168 小时。")]})
    subscription = FeedSubscription.objects.select_for_update().get(pk=subscription_id)
    secret = _new_secret()
    subscription.previous_secret_encrypted = subscription.secret_encrypted if overlap_hours else ""
    subscription.previous_secret_until = timezone.now() + datetime.timedelta(hours=overlap_hours) \
        if overlap_hours else None
    subscription.secret_encrypted = secret_encrypt(secret)
    subscription.save(update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_until",
                                     "updated_at"])
    return IssuedSecret(subscription=subscription, secret=secret)


@transaction.atomic
def delivery_redeliver(*, delivery_id: int) -> FeedDelivery:
    """重新投递: a dead delivery is tried again from its first attempt and its subscription resumes; the events
    after it wait behind it, as before (the order holds)."""
    delivery = FeedDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.state != DeliveryState.DEAD:
        raise ValidationError({"state": [_("只有死信可以重新投递。")]})
    delivery.state, delivery.attempts, delivery.next_attempt_at, delivery.dead_at = DeliveryState.PENDING, 0, None, None
    delivery.save(update_fields=["state", "attempts", "next_attempt_at", "dead_at"])
    FeedSubscription.objects.filter(pk=delivery.subscription_id).update(paused_at=None, pause_reason="",
                                                                        updated_at=timezone.now())
    subscription_id = delivery.subscription_id
    transaction.on_commit(lambda: send_tolerantly(lambda: feed_deliver_task.delay(subscription_id=subscription_id),
                                                  f"feed redelivery of subscription {subscription_id}"))
    return delivery


# ------------------------------------------------------------------ events


def feed_event_record(*, kind: str, subject: dict[str, Any], payload: dict[str, Any],
                      occurred_at: datetime.datetime | None = None, source_table: str = "",
                      source_id: int | None = None, restricted: bool = False) -> FeedEvent:
    """One change event, written in the caller's transaction (so it commits, or not, with the change).

    For writers the triggers do not watch (the 双公示 penalty records: ``penalty_published``,
    ``penalty_ended``). ``subject`` as the triggers write it: ``{"subject_type": "entity", "credit_code",
    "name"}`` or ``{"subject_type": "person", "person_name", "id_number_masked", "related_credit_code",
    "related_name"}``; ``payload`` in the API's codes. An unknown kind is refused.
    """
    if kind not in FeedKind.values:
        raise ValidationError({"kind": [_("未知的变更类型：%(k)s") % {"k": kind}]})
    if not isinstance(subject, dict) or not isinstance(payload, dict):
        raise ValidationError({"payload": [_("主体与变更内容须为对象。")]})
    event = FeedEvent.objects.create(kind=kind, subject=subject, payload=payload, restricted=restricted,
                                     occurred_at=occurred_at or timezone.now(), source_table=source_table[:64],
                                     source_id=source_id)
    transaction.on_commit(lambda: send_tolerantly(feed_dispatch_task.delay, "feed dispatch after an event"))
    return event


SEQUENCE_SQL = f"""
WITH pending AS (
    SELECT id FROM regulator_feedevent WHERE sequence IS NULL ORDER BY id LIMIT {SEQUENCE_BATCH} FOR UPDATE
), top AS (
    SELECT COALESCE(MAX(sequence), 0) AS last FROM regulator_feedevent
), numbered AS (
    SELECT pending.id, top.last + row_number() OVER (ORDER BY pending.id) AS sequence FROM pending, top
)
UPDATE regulator_feedevent e SET sequence = numbered.sequence FROM numbered WHERE e.id = numbered.id
"""  # noqa: S608  # nosec B608 - constants only


def feed_sequence() -> int:
    """Number the committed, unnumbered events (one step at a time; a step already running is left to finish).

    Returns how many were numbered. Runs in its own transaction unless called inside one."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SEQUENCE_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(SEQUENCE_SQL)
        return cursor.rowcount


# ------------------------------------------------------------------ what a client sees


def unmasked_for(scopes) -> bool:
    """Persons' names (and masked ID numbers) and watch listings only for ``lists:read`` (decision 0021)."""
    return ClientScope.LISTS_READ.value in scopes


def subject_view(subject: dict[str, Any], *, unmasked: bool) -> dict[str, Any]:
    if subject.get("subject_type") == "person":
        view = {"subject_type": "person",
                "person_name": subject.get("person_name", "") if unmasked else mask_name(subject.get("person_name", "")),
                "related_credit_code": subject.get("related_credit_code"),
                "related_name": subject.get("related_name")}
        if unmasked:
            view["id_number_masked"] = subject.get("id_number_masked")
        return view
    return {"subject_type": "entity", "credit_code": subject.get("credit_code"), "name": subject.get("name")}


def event_view(event: FeedEvent, *, unmasked: bool) -> dict[str, Any]:
    """An event as a client receives it (pushed or pulled): the same fields both ways."""
    return {"id": event.sequence, "kind": event.kind, "occurred_at": event.occurred_at.isoformat(),
            "subject": subject_view(event.subject or {}, unmasked=unmasked), "payload": event.payload or {}}


def events_for(*, scopes, since: int, kinds: list[str] | None = None):
    """The numbered events after ``since`` a caller with ``scopes`` may see, oldest first."""
    events = FeedEvent.objects.filter(sequence__gt=since).order_by("sequence")
    if kinds:
        events = events.filter(kind__in=kinds)
    if not unmasked_for(scopes):
        events = events.filter(restricted=False)
    return events
