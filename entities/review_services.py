"""Writes of the household-service reviews (家政服务评价): orders, the customer's review by link, moderation, replies.

Each runs in one transaction and validates before saving. A firm records orders for its own household-service
firms (a regulator for any); the worker must be employed by the firm on the day served
(entities.worker_selectors.employment_on). The customer's phone or e-mail is used once, to send the link after the
order commits, and never stored: the order keeps only the phone's keyed hash (decision 0028). The link's token is
kept as its hash; it works once and expires ``REVIEW_LINK_DAYS`` (30) days after the order.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from rest_framework import exceptions, status

from config.api.exceptions import ConflictError
from core import sms
from entities.models import Entity, Person
from entities.reviews import ReplyStatus, ReviewStatus, ServiceOrder, ServiceReview
from entities.worker_selectors import employment_on, writable_firms

logger = logging.getLogger(__name__)

DEFAULT_LINK_DAYS = 30
SITE_NAME = "山西信用监管平台"
_PHONE_SALT = "credit.review.customer_phone"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


class ReviewLinkGone(exceptions.APIException):
    """The review link was used already or has expired: 410, saying which."""

    status_code = status.HTTP_410_GONE
    default_detail = _("评价链接已失效。")
    default_code = "review_link_gone"


def link_days() -> int:
    return int(getattr(settings, "REVIEW_LINK_DAYS", DEFAULT_LINK_DAYS))


def normalize_phone(value: str) -> str:
    """A mainland mobile number as 11 digits (spaces, hyphens and a +86 prefix dropped), or ``""`` if not one."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    digits = re.sub(r"^(\+?86|0086)", "", digits)
    return digits if _MOBILE.match(digits) else ""


def customer_phone_hash(phone: str) -> str:
    """Keyed HMAC-SHA256 of the normalised phone (the ID numbers' key): the same phone gives the same hash."""
    return salted_hmac(_PHONE_SALT, phone, secret=settings.ID_HASH_KEY, algorithm="sha256").hexdigest()


def token_hash(token: str) -> str:
    """The stored form of a link token: SHA-256 of its 192 random bits (a hash of random needs no key)."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def review_url(token: str) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}/reviews/{token}/"


def _link_text(order: ServiceOrder, token: str) -> tuple[str, str, str]:
    """(subject, e-mail body, text message): the firm, the day and the link; no worker's name, no customer's."""
    url = review_url(token)
    day = order.served_on.isoformat()
    subject = _("请评价 %(firm)s %(day)s 的家政服务") % {"firm": order.entity.name, "day": day}
    body = "\n".join([
        _("您好："), "",
        _("%(firm)s 于 %(day)s 为您提供了家政服务。欢迎您通过以下链接评价（1 至 5 星）：") % {
            "firm": order.entity.name, "day": day},
        url, "",
        _("链接仅可使用一次，%(days)s 日内有效。评价经监管部门审核后公开，公开时不显示您的任何信息。") % {"days": link_days()},
        _("本平台不保存您的手机号码或邮箱。此邮件由系统发送，请勿回复。")])
    text = _("【%(site)s】请评价%(firm)s %(day)s的家政服务：%(url)s （%(days)s日内有效，仅可使用一次）") % {
        "site": SITE_NAME, "firm": order.entity.name, "day": day, "url": url, "days": link_days()}
    return subject, body, text


def _send_link(order_id: int, token: str, phone: str, email: str) -> None:
    """After commit: send the link on each channel given, then forget the contact (it lives only in this call)."""
    order = ServiceOrder.objects.select_related("entity").get(pk=order_id)
    subject, body, text = _link_text(order, token)
    sent = False
    try:
        if phone:
            sms.send_sms(phone, text)
            sent = True
        if email:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
            sent = True
    except Exception:  # a gateway down: the order stands; the firm sees the link was not sent
        logger.warning("review link of order %s not sent", order_id, exc_info=True)
    if sent:
        ServiceOrder.objects.filter(pk=order_id).update(link_sent_at=timezone.now())


def _firm(actor, entity: Entity) -> Entity:
    if not writable_firms(actor).filter(pk=entity.pk).exists():
        raise ValidationError({"entity": [_("该主体不存在，或不是您可以登记服务订单的家政服务企业。")]})
    return entity


@transaction.atomic
def service_order_create(*, actor, entity: Entity, worker: Person, served_on: datetime.date, service_kind: str,
                         customer_phone: str = "", customer_email: str = "", reference: str = "",
                         now: datetime.datetime | None = None) -> ServiceOrder:
    """Record an order and send the customer the review link (after commit); the contact is not kept."""
    moment = now or timezone.now()
    _firm(actor, entity)
    if served_on > timezone.localdate(moment):
        raise ValidationError({"served_on": [_("服务日期不能晚于今天。")]})
    employment = employment_on(person_id=worker.pk, entity_id=entity.pk, day=served_on)
    if employment is None:
        raise ValidationError({"worker": [_("该服务员在服务日期未受雇于本企业（无覆盖该日的从业登记）。")]})
    phone = normalize_phone(customer_phone) if customer_phone else ""
    if customer_phone and not phone:
        raise ValidationError({"customer_phone": [_("请输入 11 位手机号码。")]})
    email = (customer_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError({"customer_email": exc.messages}) from exc
    if not phone and not email:
        raise ValidationError({"customer_phone": [_("请填写客户手机号码或电子邮箱，以便发送评价链接。")]})
    reference = (reference or "").strip()
    if reference and ServiceOrder.objects.filter(entity=entity, reference=reference).exists():
        raise ConflictError(_("本企业已登记该订单号。"), code="duplicate_reference")
    token = secrets.token_urlsafe(24)
    order = ServiceOrder(
        entity=entity, employment=employment, worker=worker, service_kind=service_kind, served_on=served_on,
        reference=reference, customer_phone_hash=customer_phone_hash(phone) if phone else "",
        link_channels=[name for name, given in (("sms", phone), ("email", email)) if given],
        link_digest=token_hash(token), link_expires_at=moment + datetime.timedelta(days=link_days()),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    order.full_clean(exclude=["link_digest", "customer_phone_hash"])
    order.save()
    order_id = order.pk
    transaction.on_commit(lambda: _send_link(order_id, token, phone, email))
    order.link_token = token  # for the caller in this process only (tests, the demo); never stored or answered
    return order


def order_by_token(token: str) -> ServiceOrder | None:
    if not token or len(token) > 64:
        return None
    return (ServiceOrder.objects.select_related("entity", "worker").filter(link_digest=token_hash(token))
            .first())


def link_check(order: ServiceOrder, *, now: datetime.datetime | None = None) -> None:
    """Raise :class:`ReviewLinkGone` when the link was used or has expired (valid until the instant it expires)."""
    moment = now or timezone.now()
    if order.link_used_at is not None or _reviewed(order):
        raise ReviewLinkGone(_("该评价链接已使用过，每个订单只能评价一次。"), code="review_link_used")
    if moment >= order.link_expires_at:
        raise ReviewLinkGone(_("该评价链接已过期（有效期 %(days)s 日），无法再评价。") % {"days": link_days()},
                             code="review_link_expired")


def _reviewed(order: ServiceOrder) -> bool:
    return ServiceReview.objects.filter(order_id=order.pk).exists()


@transaction.atomic
def review_submit(*, token: str, rating: int, comment: str = "",
                  now: datetime.datetime | None = None) -> ServiceReview:
    """The customer's review through the link: once, before it expires; it waits for moderation."""
    found = order_by_token(token)
    if found is None:
        raise exceptions.NotFound(_("评价链接无效。"))
    order = ServiceOrder.objects.select_for_update().get(pk=found.pk)
    moment = now or timezone.now()
    link_check(order, now=moment)
    review = ServiceReview(order=order, rating=rating, comment=(comment or "").strip())
    review.full_clean(exclude=["order"])
    review.save()
    order.link_used_at = moment
    order.save(update_fields=["link_used_at", "updated_at"])
    return review


def _moderator(actor) -> None:
    if not getattr(actor, "is_regulator", False):
        raise exceptions.PermissionDenied(_("评价由监管人员审核。"))


#: the redaction of published free text (regulator.disclosure.redaction.redact, a higher layer): registered by
#: ``regulator.apps`` at start-up, as entities.hooks' checkers are
_REDACTORS: list[Callable[..., str | None]] = []


def register_redactor(redactor: Callable[..., str | None]) -> None:
    if redactor not in _REDACTORS:
        _REDACTORS.append(redactor)


def redacted(text: str, *, names: list[str]) -> str:
    """``text`` with ID numbers, phones and the given full names taken out. Fail closed: with no redactor
    registered nothing free-written is shown at all (an empty string), rather than shown unredacted."""
    if not text:
        return ""
    if not _REDACTORS:
        logger.error("no redactor registered: review text withheld")
        return ""
    for redactor in _REDACTORS:
        text = redactor(text, names=names) or ""
    return text


def _publishable(text: str, review: ServiceReview) -> str:
    return redacted(text, names=[review.order.worker.name])


def _locked(review: ServiceReview) -> ServiceReview:
    return ServiceReview.objects.select_for_update().select_related("order__worker").get(pk=review.pk)


@transaction.atomic
def review_approve(*, actor, review: ServiceReview) -> ServiceReview:
    """公开: a pending review is published, its comment redacted (phones, ID numbers, the worker's full name)."""
    _moderator(actor)
    review = _locked(review)
    if review.status != ReviewStatus.PENDING:
        raise ConflictError(_("该评价已审核（%(status)s）。") % {"status": review.get_status_display()},
                            code="illegal_transition")
    review.status = ReviewStatus.PUBLISHED
    review.comment_published = _publishable(review.comment, review) or ""
    review.moderated_by, review.moderated_at = actor, timezone.now()
    review.save()
    return review


@transaction.atomic
def review_reject(*, actor, review: ServiceReview, reason: str) -> ServiceReview:
    """不予公开 with a reason (kept for the regulator and the firm; the public never sees the review)."""
    _moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请说明不予公开的理由。")]})
    review = _locked(review)
    if review.status != ReviewStatus.PENDING:
        raise ConflictError(_("该评价已审核（%(status)s）。") % {"status": review.get_status_display()},
                            code="illegal_transition")
    review.status, review.rejection_reason = ReviewStatus.REJECTED, reason[:300]
    review.moderated_by, review.moderated_at = actor, timezone.now()
    review.save()
    return review


@transaction.atomic
def review_reply(*, actor, review: ServiceReview, text: str) -> ServiceReview:
    """The firm's one reply: written once, editable while it waits for moderation, fixed once moderated."""
    review = _locked(review)
    if not writable_firms(actor).filter(pk=review.order.entity_id).exists():
        raise exceptions.NotFound()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("回复内容不能为空。")]})
    if review.reply_status in (ReplyStatus.PUBLISHED, ReplyStatus.REJECTED):
        raise ConflictError(_("回复已审核，不能再修改（每条评价只能回复一次）。"), code="reply_moderated")
    review.reply, review.reply_status, review.replied_at = text, ReplyStatus.PENDING, timezone.now()
    review.full_clean(exclude=["order"])
    review.save()
    return review


@transaction.atomic
def reply_approve(*, actor, review: ServiceReview) -> ServiceReview:
    _moderator(actor)
    review = _locked(review)
    if review.reply_status != ReplyStatus.PENDING:
        raise ConflictError(_("没有待审核的企业回复。"), code="illegal_transition")
    review.reply_status, review.reply_moderated_at = ReplyStatus.PUBLISHED, timezone.now()
    review.reply_published = _publishable(review.reply, review) or ""
    review.save()
    return review


@transaction.atomic
def reply_reject(*, actor, review: ServiceReview, reason: str) -> ServiceReview:
    _moderator(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请说明不予公开的理由。")]})
    review = _locked(review)
    if review.reply_status != ReplyStatus.PENDING:
        raise ConflictError(_("没有待审核的企业回复。"), code="illegal_transition")
    review.reply_status, review.reply_rejection_reason = ReplyStatus.REJECTED, reason[:300]
    review.reply_moderated_at = timezone.now()
    review.save()
    return review
