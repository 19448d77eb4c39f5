"""Celery tasks of complaints: thin, idempotent, each calling a service."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from complaints.models import Complaint
from core.models import User, UserRole


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_business_of_complaint(complaint_id: int) -> int:
    """告知经营者: email the accounts of the complained-about entity (without the complainant's details)."""
    complaint = Complaint.objects.select_related("entity").get(pk=complaint_id)
    recipients = [email for email in complaint.entity.accounts.filter(is_active=True).values_list("email", flat=True)
                  if email]
    if not recipients:
        return 0
    body = (
        f"{complaint.entity.name}：\n\n您有一件投诉（编号 {complaint.pk}）已于 {complaint.accepted_on} 受理，"
        f"投诉类别：{complaint.get_category_display()}。\n请于 {complaint.reply_due} 前书面答复。\n"
        f"投诉内容：\n{complaint.description}\n"
    )
    return send_mail(f"投诉受理通知（编号 {complaint.pk}）", body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(acks_late=True)
def mark_overdue_complaints() -> int:
    """Flag overdue complaints and tell the responsible regulators (those whose region covers the entity)."""
    # services import tasks at module top, so tasks import services here
    from complaints.services import complaints_mark_overdue

    ids = complaints_mark_overdue()
    for complaint in Complaint.objects.filter(pk__in=ids).select_related("entity"):
        region = complaint.entity.region_code
        covering = Q(region_codes__len=0)
        for length in (2, 4, 6):
            covering |= Q(region_codes__contains=[region[:length]])
        regulators = User.objects.filter(is_active=True, email__gt="").filter(
            Q(is_superuser=True) | (Q(role=UserRole.REGULATOR) & covering)
        )
        recipients = list(regulators.values_list("email", flat=True))
        if recipients:
            send_mail(
                f"投诉逾期提醒（编号 {complaint.pk}）",
                f"投诉 {complaint.pk}（{complaint.entity.name}）状态「{complaint.get_status_display()}」已超过期限："
                f"受理期限 {complaint.accept_due}，办结期限 {complaint.resolve_due}。",
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
    return len(ids)


@shared_task(acks_late=True)
def draw_monthly_inspection_plans() -> list[int]:
    """双随机: on the first of each month, draw every jurisdiction's sample (idempotent per month)."""
    # services import tasks at module top, so tasks import services here
    from complaints.planning import plan_draw_month

    return plan_draw_month(month=timezone.localdate())
