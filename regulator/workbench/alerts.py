"""到期提醒: the hourly e-mail to the regulators responsible for a deadline that is about to pass or has passed.

Three kinds (issue 13, item 7): a repair decision past its due date (10 working days by default), an
objection window closing within ``ALERT_HORIZON_WORKING_DAYS`` working days, and a document (告知书, 决定书,
a complaint's notice) not yet served ``ALERT_UNSERVED_WORKING_DAYS`` working days after it was issued. Each
alert is sent once per object and deadline (``AlertSent``); the responsible regulators are those whose
jurisdiction covers the subject's region (or the issuing authority's, for a document).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.models import ServedDocument
from core.services import regulator_emails_covering
from core.workdays import current_calendar
from entities.retraining import RetrainingPhaseFirm
from regulator.lists.models import Listing, ListingStatus, RepairApplication, RepairStatus
from regulator.workbench.models import AlertSent

#: the kinds of alert, in words (the admin's list of alerts sent)
ALERT_KINDS = {
    "repair_overdue": gettext_lazy("信用修复申请逾期未决定"),
    "objection_closing": gettext_lazy("陈述申辩期即将届满"),
    "document_unserved": gettext_lazy("文书尚未送达"),
    "retraining_missed": gettext_lazy("回炉培训批次逾期未完成"),
}
OBJECT_MODELS = (RepairApplication, Listing, ServedDocument, RetrainingPhaseFirm)


def object_type_label(object_type: str) -> str:
    """The object an alert is about (``repairapplication``) by its model's name (信用修复申请)."""
    for model in OBJECT_MODELS:
        if model._meta.model_name == object_type:
            return str(model._meta.verbose_name)
    return object_type


@dataclass(frozen=True)
class Alert:
    kind: str
    object_type: str
    object_id: int
    due: datetime.date | None
    region_code: str
    subject: str
    body: str


def _horizon() -> int:
    return int(getattr(settings, "ALERT_HORIZON_WORKING_DAYS", 1))


def _unserved_after() -> int:
    return int(getattr(settings, "ALERT_UNSERVED_WORKING_DAYS", 3))


def _listing_region(listing: Listing) -> str:
    entity = listing.entity or listing.related_entity
    return entity.region_code if entity is not None else ""


def due_alerts(*, today: datetime.date | None = None) -> list[Alert]:
    """Every alert due today, whether sent before or not."""
    day = today or timezone.localdate()
    calendar = current_calendar()
    alerts: list[Alert] = []
    for repair in (RepairApplication.objects.filter(status=RepairStatus.SUBMITTED, decision_due__lt=day)
                   .select_related("listing__entity", "listing__related_entity", "listing__person")):
        listing = repair.listing
        alerts.append(Alert(
            "repair_overdue", "repairapplication", repair.pk, repair.decision_due, _listing_region(listing),
            _("信用修复申请逾期未决定（申请 %(id)s）") % {"id": repair.pk},
            _("%(subject)s 的信用修复申请（编号 %(id)s）应于 %(due)s 前作出决定，现已逾期。")
            % {"subject": listing.subject_name, "id": repair.pk, "due": repair.decision_due}))
    closing_by = calendar.add_working_days(day, _horizon())
    for listing in (Listing.objects.filter(status=ListingStatus.NOTIFIED, objection_due__gte=day,
                                           objection_due__lte=closing_by)
                    .select_related("entity", "related_entity", "person")):
        alerts.append(Alert(
            "objection_closing", "listing", listing.pk, listing.objection_due, _listing_region(listing),
            _("陈述申辩期即将届满（名单 %(id)s）") % {"id": listing.pk},
            _("%(subject)s（名单记录 %(id)s）的陈述申辩期于 %(due)s 届满，届满后请及时答复申辩并作出认定。")
            % {"subject": listing.subject_name, "id": listing.pk, "due": listing.objection_due}))
    wait = _unserved_after()
    # N working days are at least N calendar days: older documents only, the exact date checked below
    for document in (ServedDocument.objects.filter(delivered_on__isnull=True,
                                                   issued_on__lt=day - datetime.timedelta(days=wait))
                     .select_related("authority")):
        should_be_served_by = calendar.add_working_days(document.issued_on, wait)
        if should_be_served_by >= day:
            continue
        alerts.append(Alert(
            "document_unserved", "serveddocument", document.pk, should_be_served_by,
            document.authority.region_code,
            _("文书尚未送达：%(number)s") % {"number": document.number},
            _("%(title)s %(number)s（受送达人：%(recipient)s）于 %(issued)s 签发，至今未登记送达。"
              "期限自送达之日起计算，请尽快送达并登记送达方式与日期。")
            % {"title": document.title, "number": document.number, "recipient": document.recipient,
               "issued": document.issued_on}))
    # 回炉培训: a firm the nightly task recorded as having missed a phase (entities.retraining_services)
    for missed in (RetrainingPhaseFirm.objects.filter(flagged_on__gte=day - datetime.timedelta(days=30))
                   .select_related("phase__campaign", "entity")):
        alerts.append(Alert(
            "retraining_missed", "retrainingphasefirm", missed.pk, missed.phase.deadline, missed.entity.region_code,
            _("回炉培训批次逾期：%(firm)s") % {"firm": missed.entity.name},
            _("%(firm)s 未在 %(deadline)s 前完成「%(campaign)s」第 %(n)s 批回炉培训（目标 %(targets)s 人，完成 %(done)s 人）。")
            % {"firm": missed.entity.name, "deadline": missed.phase.deadline, "campaign": missed.phase.campaign.name,
               "n": missed.phase.number, "targets": missed.flagged_targets, "done": missed.flagged_done}))
    return alerts


def alerts_send(*, today: datetime.date | None = None) -> list[Alert]:
    """Send each due alert not sent before for the same deadline; return those sent."""
    sent: list[Alert] = []
    for alert in due_alerts(today=today):
        recipients = regulator_emails_covering(alert.region_code)
        try:
            with transaction.atomic():
                AlertSent.objects.create(kind=alert.kind, object_type=alert.object_type, object_id=alert.object_id,
                                         due=alert.due, recipients=len(recipients))
        except IntegrityError:
            continue  # told before about this deadline
        if recipients:
            send_mail(alert.subject, alert.body, settings.DEFAULT_FROM_EMAIL, recipients)
        sent.append(alert)
    return sent
