"""Status updates to the complainant (投诉进展通知): opt-in at filing, one message per state change and channel.

Every state change of a complaint writes one ``ComplaintEvent`` (core.transitions.record_transition, in the
change's transaction). A receiver on that table (connected in ``complaints.apps``) schedules, after commit,
the Celery task ``send_status_update`` for the event when the complaint has a subscription; the task sends
through Django's ``EMAIL_BACKEND`` and ``core.sms`` (``SMS_BACKEND``) and records each message in
``ComplaintNotification`` under a unique (event, channel), so a retried or duplicated task sends nothing
twice. The history table is the hook because it is the one place every change passes, whichever service
made it, and it is written in the same transaction: nothing is sent for a change that rolled back.

The messages name the status, the tracking code and where to read more; never the complainant's name, the
complaint's text or the business's reply.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from complaints.status_update_tasks import send_status_update as send_status_update_task
from complaints.status_updates import ComplaintNotification, ComplaintSubscription, NotificationChannel
from complaints.transitions import ACTION_LABELS
from core import sms
from core.evidence import send_tolerantly

#: states a complaint does not leave by itself: the contact is erased some days after one of them
ENDED_STATES = {ComplaintStatus.CLOSED, ComplaintStatus.WITHDRAWN, ComplaintStatus.REJECTED,
                ComplaintStatus.TRANSFERRED}
DEFAULT_RETENTION_DAYS = 30
SITE_NAME = "山西信用监管平台"


def retention_days() -> int:
    return int(getattr(settings, "COMPLAINT_CONTACT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def subscription_create(*, complaint: Complaint, email: str = "", phone: str = "") -> ComplaintSubscription:
    """Record where the complainant asked to hear from us (inside the filing's transaction)."""
    subscription = ComplaintSubscription(complaint=complaint, email=email, phone=phone)
    subscription.full_clean(exclude=["complaint"])
    subscription.save()
    return subscription


def _track_path(complaint: Complaint) -> str:
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}/complaints/track/{complaint.tracking_code}/"


def status_update_text(event: ComplaintEvent) -> tuple[str, str, str]:
    """(e-mail subject, e-mail body, text message) of one state change; no personal data in any of them."""
    complaint = event.complaint
    status = ComplaintStatus(event.to_status).label
    step = ACTION_LABELS.get(event.action, "")
    code = complaint.tracking_code
    when = timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M")
    subject = _("投诉办理进度：%(status)s（查询码 %(code)s）") % {"status": status, "code": code}
    lines = [_("您好："), "",
             _("您于 %(day)s 提交的投诉（查询码 %(code)s）于 %(when)s（北京时间）%(step)s，当前状态：%(status)s。")
             % {"day": complaint.received_on.isoformat(), "code": code, "when": when, "step": step,
                "status": status}]
    if event.to_status == ComplaintStatus.SUBMITTED and complaint.accept_due:
        lines.append(_("监管部门将于 %(due)s 前决定是否受理。") % {"due": complaint.accept_due.isoformat()})
    if event.to_status == ComplaintStatus.ACCEPTED and complaint.resolve_due:
        lines.append(_("办结期限：%(due)s。") % {"due": complaint.resolve_due.isoformat()})
    if event.to_status == ComplaintStatus.REJECTED and complaint.rejection_reason:
        lines.append(_("理由：%(reason)s") % {"reason": complaint.rejection_reason})
    if event.to_status == ComplaintStatus.TRANSFERRED and complaint.transferred_to:
        lines.append(_("承办部门：%(department)s") % {"department": complaint.transferred_to})
    lines += ["", _("查看办理进度和告知文书：%(url)s") % {"url": _track_path(complaint)}, "",
              _("此邮件由系统发送，请勿回复。您在提交投诉时选择了接收办理进度通知；投诉办结 %(days)s 日后，"
                "您的联系方式将被删除。") % {"days": retention_days()}]
    text = _("【%(site)s】您的投诉（查询码 %(code)s）%(step)s，当前状态：%(status)s。凭查询码在“投诉查询”查看详情。") % {
        "site": SITE_NAME, "code": code, "step": step, "status": status}
    return subject, "\n".join(lines), text


def _send(channel: str, subscription: ComplaintSubscription, event: ComplaintEvent) -> None:
    subject, body, text = status_update_text(event)
    if channel == NotificationChannel.EMAIL:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [subscription.email])
    else:
        sms.send_sms(subscription.phone, text)


def notification_send(*, event_id: int) -> int:
    """Send the updates of one history event on each channel the complainant chose, each at most once.

    Returns how many messages this call sent (0 when they were sent before, or nobody asked for them).
    """
    event = ComplaintEvent.objects.select_related("complaint").get(pk=event_id)
    if event.from_status == event.to_status:
        return 0
    subscription = ComplaintSubscription.objects.filter(complaint_id=event.complaint_id,
                                                        erased_on__isnull=True).first()
    if subscription is None:
        return 0
    sent = 0
    for channel in subscription.channels:
        with transaction.atomic():
            record, _created = ComplaintNotification.objects.get_or_create(event=event, channel=channel)
            record = ComplaintNotification.objects.select_for_update().get(pk=record.pk)
            if record.sent_at is not None:
                continue
            _send(channel, subscription, event)  # a failure rolls back the record: the retry sends again
            record.sent_at = timezone.now()
            record.save(update_fields=["sent_at"])
            sent += 1
    return sent


def contacts_erase_expired(*, today: datetime.date | None = None) -> int:
    """Erase the contact of complaints that ended more than the retention period ago; returns how many."""
    day = today or timezone.localdate()
    ended_before = timezone.now() - datetime.timedelta(days=retention_days())
    if today is not None:
        ended_before = timezone.make_aware(datetime.datetime.combine(
            today - datetime.timedelta(days=retention_days()), datetime.time.max))
    expired = ComplaintSubscription.objects.filter(
        erased_on__isnull=True, complaint__status__in=ENDED_STATES, complaint__updated_at__lt=ended_before)
    return expired.update(email="", phone="", erased_on=day)


def _dispatch(event_id: int, complaint_id: int) -> None:
    if ComplaintSubscription.objects.filter(complaint_id=complaint_id, erased_on__isnull=True).exists():
        send_tolerantly(lambda: send_status_update_task.delay(event_id), f"status update of event {event_id}")


def _event_saved(sender, instance: ComplaintEvent, created: bool, raw: bool = False, **kwargs) -> None:
    if not created or raw or instance.from_status == instance.to_status:
        return
    event_id, complaint_id = instance.pk, instance.complaint_id
    transaction.on_commit(lambda: _dispatch(event_id, complaint_id))


def connect() -> None:
    """Listen to the complaint history (called once from ``complaints.apps``)."""
    post_save.connect(_event_saved, sender=ComplaintEvent, dispatch_uid="complaints.status_updates")
