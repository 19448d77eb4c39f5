"""Celery tasks of complaints: thin, idempotent, each calling a service."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from complaints.deadlines import REPLY_DAYS
from complaints.models import Complaint
from core.services import regulator_emails_covering


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_business_of_complaint(complaint_id: int) -> int:
    """告知经营者: email the accounts of the complained-about entity that its 答复通知书 was issued (without the
    complainant's details). The legal notice is the document; its delivery is recorded on it."""
    complaint = Complaint.objects.select_related("entity", "business_notice").get(pk=complaint_id)
    if complaint.entity is None:
        return 0
    recipients = [email for email in complaint.entity.accounts.filter(is_active=True).values_list("email", flat=True)
                  if email]
    if not recipients:
        return 0
    notice = complaint.business_notice
    number = f"（{notice.number}）" if notice is not None else ""
    due = (f"请于 {complaint.reply_due} 前书面答复。" if complaint.reply_due
           else f"请自收到答复通知书之日起 {REPLY_DAYS} 日内书面答复。")
    body = (
        f"{complaint.entity.name}：\n\n您有一件投诉（编号 {complaint.pk}）已于 {complaint.accepted_on} 受理，"
        f"投诉类别：{complaint.get_category_display()}。\n本机关已签发答复通知书{number}。{due}\n"
        f"投诉内容：\n{complaint.description}\n"
    )
    return send_mail(f"投诉答复通知（编号 {complaint.pk}）", body, settings.DEFAULT_FROM_EMAIL, recipients)


#: what each overdue flag means, for the reminder
_FLAG_WORDS = {
    "overdue": "已超过当前环节期限（受理期限 {accept_due}，办结期限 {resolve_due}）",
    "notice_overdue": "答复通知书应于 {notify_due} 前发出，至今未发出",
    "reply_overdue": "经营者书面答复应于 {reply_due} 前提交，至今未收到",
}


@shared_task(acks_late=True)
def mark_overdue_complaints(today: str | None = None) -> int:
    """Flag overdue complaints (the step's deadline, the business notice, the business's reply) and tell the
    responsible regulators (those whose region covers the entity, or the receiving region).

    ``today`` (ISO date) replays the check for a day the schedule missed; by default the current day.
    """
    # services import tasks at module top, so tasks import services here
    from complaints.services import complaints_flag_overdue

    flagged = complaints_flag_overdue(today=datetime.date.fromisoformat(today) if today else None)
    for complaint in Complaint.objects.filter(pk__in=list(flagged)).select_related("entity"):
        recipients = regulator_emails_covering(complaint.scope_region_code)
        if recipients:
            dates = {"accept_due": complaint.accept_due, "resolve_due": complaint.resolve_due,
                     "notify_due": complaint.notify_due, "reply_due": complaint.reply_due}
            what = "；".join(_FLAG_WORDS[flag].format(**dates) for flag in flagged[complaint.pk])
            send_mail(
                f"投诉逾期提醒（编号 {complaint.pk}）",
                f"投诉 {complaint.pk}（{complaint.respondent_name}）状态「{complaint.get_status_display()}」：{what}。",
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
    return len(flagged)


@shared_task(acks_late=True)
def draw_monthly_inspection_plans() -> list[int]:
    """双随机: on the first of each month, draw every jurisdiction's sample (idempotent per month)."""
    # services import tasks at module top, so tasks import services here
    from complaints.planning import plan_draw_month

    return plan_draw_month(month=timezone.localdate())
