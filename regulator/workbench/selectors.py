"""待办事项: what is due in the caller's jurisdiction, soonest first (the work queue).

Read-only, one query per kind, scoped by ``complaints_for(user)`` and ``listings_for(user)``: an inspector sees the complaints of
the businesses in their regions and sectors, a regulator those of every business. A row is due when
its deadline falls within ``HORIZON_WORKING_DAYS`` working days of today, or has passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint
from complaints.selectors import complaints_for
from complaints.transitions import OPEN_STATES as COMPLAINT_OPEN
from core.documents import documents_for
from core.workdays import current_calendar
from entities.retraining_selectors import phase_firms_for
from regulator.disclosure.models import StatementStatus
from regulator.disclosure.selectors import statements_for
from regulator.lists.models import Listing, ListingStatus, Objection, RepairApplication, RepairStatus
from regulator.lists.selectors import listings_for

HORIZON_WORKING_DAYS = 3

#: every kind of row, in the order the start page shows their counts; (label, next action)
KINDS: dict[str, tuple[str, str]] = {
    "complaint_accept": (_("投诉待受理"), _("受理或不予受理")),
    "complaint_reply": (_("经营者答复将到期"), _("督促经营者书面答复")),
    "complaint_resolve": (_("投诉待办结"), _("调查处理并办结")),
    "listing_notify": (_("拟列入待送达告知书"), _("送达告知书")),
    "objection_window": (_("陈述申辩期将届满"), _("届满后作出认定")),
    "objection_answer": (_("陈述申辩待答复"), _("答复申辩")),
    "listing_publish": (_("已认定待公示"), _("公示")),
    "repair_decide": (_("信用修复待决定"), _("作出修复决定")),
    "statement_review": (_("回应声明待审核"), _("审核声明")),
    "document_serve": (_("文书待送达"), _("送达并登记送达方式与日期")),
    "publicity_missing": (_("双公示记录逾期未生成"), _("补齐双公示记录")),
    "retraining_missed": (_("回炉培训批次逾期未完成"), _("督促企业完成回炉培训")),
}

#: a document not served within this many working days of its issue is due (期限自送达之日起计算)
SERVE_WITHIN_WORKING_DAYS = 3


@dataclass(frozen=True)
class WorkItem:
    kind: str
    kind_label: str
    object_type: str
    object_id: int
    title: str
    due: datetime.date | None
    overdue: bool
    next_action: str
    admin_url: str

    def as_dict(self) -> dict:
        row = asdict(self)
        row["kind_label"] = str(self.kind_label)
        row["next_action"] = str(self.next_action)
        return row


def _item(kind: str, obj, *, title: str, due: datetime.date | None, today: datetime.date) -> WorkItem:
    label, action = KINDS[kind]
    meta = obj._meta
    return WorkItem(kind=kind, kind_label=label, object_type=meta.model_name, object_id=obj.pk, title=title,
                    due=due, overdue=due is not None and due < today, next_action=action,
                    admin_url=reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))


def _complaint_title(complaint: Complaint) -> str:
    return f"{complaint.respondent_name}：{complaint.get_category_display()}"


def _listing_title(listing: Listing) -> str:
    return f"{listing.get_list_type_display()}：{listing.subject_name}"


def workqueue_for(user, *, today: datetime.date | None = None) -> list[WorkItem]:
    """Every due item the caller can act on, ordered by due date (undated last), then kind and id."""
    today = today or timezone.localdate()
    horizon = current_calendar().add_working_days(today, HORIZON_WORKING_DAYS)
    items: list[WorkItem] = []

    complaints = complaints_for(user).filter(status__in=COMPLAINT_OPEN).select_related("entity").order_by("id")
    for complaint in complaints.filter(status="submitted", accept_due__lte=horizon):
        items.append(_item("complaint_accept", complaint, title=_complaint_title(complaint),
                           due=complaint.accept_due, today=today))
    for complaint in complaints.filter(status__in=["accepted", "investigating"], reply_due__lte=horizon,
                                       business_responded_at__isnull=True):
        items.append(_item("complaint_reply", complaint, title=_complaint_title(complaint),
                           due=complaint.reply_due, today=today))
    for complaint in complaints.filter(status__in=["accepted", "investigating"], resolve_due__lte=horizon):
        items.append(_item("complaint_resolve", complaint, title=_complaint_title(complaint),
                           due=complaint.resolve_due, today=today))

    if getattr(user, "is_regulator", False):  # lists, repair and statements are the regulator's to decide
        listings = listings_for(user).order_by("id")
        for listing in listings.filter(status=ListingStatus.PROPOSED):
            items.append(_item("listing_notify", listing, title=_listing_title(listing),
                               due=None, today=today))
        for listing in listings.filter(status=ListingStatus.NOTIFIED, objection_due__lte=horizon):
            items.append(_item("objection_window", listing,
                               title=_listing_title(listing),
                               due=listing.objection_due, today=today))
        for listing in listings.filter(status=ListingStatus.DECIDED):
            items.append(_item("listing_publish", listing, title=_listing_title(listing),
                               due=None, today=today))
        for objection in (Objection.objects.filter(listing__in=listings.values("pk"), answered_at__isnull=True)
                          .select_related("listing__entity", "listing__person").order_by("id")):
            items.append(_item("objection_answer", objection, title=objection.listing.subject_name,
                               due=objection.listing.objection_due, today=today))
        for repair in (RepairApplication.objects.filter(listing__in=listings.values("pk"),
                                                        status=RepairStatus.SUBMITTED, decision_due__lte=horizon)
                       .select_related("listing__entity", "listing__person").order_by("id")):
            items.append(_item("repair_decide", repair, title=repair.listing.subject_name, due=repair.decision_due,
                               today=today))
        for statement in statements_for(user).filter(status=StatementStatus.PENDING).order_by("id"):
            items.append(_item("statement_review", statement, title=statement.entity.name, due=None, today=today))
        items += _publicity_missing(today)
        # 回炉培训: firms recorded (nightly) as having missed a phase in the last 30 days (entities.retraining_services)
        for missed in (phase_firms_for(user).filter(flagged_on__gte=today - datetime.timedelta(days=30))
                       .order_by("id")):
            items.append(_item("retraining_missed", missed, title=f"{missed.entity.name}：{missed.phase}",
                               due=missed.phase.deadline, today=today))

    calendar = current_calendar()
    # due within the horizon only if issued at least SERVE_WITHIN_WORKING_DAYS calendar days before it
    unserved = documents_for(user).filter(
        delivered_on__isnull=True, issued_on__lte=horizon - datetime.timedelta(days=SERVE_WITHIN_WORKING_DAYS))
    for document in unserved.order_by("issued_on", "id"):
        due = calendar.add_working_days(document.issued_on, SERVE_WITHIN_WORKING_DAYS)
        if due <= horizon:
            items.append(_item("document_serve", document, title=f"{document.title} {document.number}", due=due,
                               today=today))

    return sorted(items, key=lambda item: (item.due is None, item.due or today, list(KINDS).index(item.kind),
                                           item.object_id))


def _publicity_missing(today: datetime.date) -> list[WorkItem]:
    """双公示: penalties and licences whose 7 working days passed with no record (late, for the regulator)."""
    from complaints.models import Finding
    from entities.models import Licence
    from regulator.disclosure.publicity_selectors import publicity_missing
    from regulator.disclosure.publicity_services import due_by

    missing = publicity_missing(as_of=today)
    calendar = current_calendar()
    items = []
    for finding in Finding.objects.filter(pk__in=missing["findings"]).select_related("inspection__entity"):
        decided = finding.decided_on or finding.inspection.inspected_on
        items.append(_item("publicity_missing", finding, title=f"{finding.inspection.entity.name}：{finding.decision_number}",
                           due=due_by(decided, calendar), today=today))
    for licence in Licence.objects.filter(pk__in=missing["licences"]).select_related("entity"):
        items.append(_item("publicity_missing", licence, title=f"{licence.entity.name}：{licence.number}",
                           due=due_by(licence.issued_on, calendar), today=today))
    return items


def counts(items: Iterable[WorkItem]) -> dict[str, int]:
    """Rows per kind, every kind present (zero included), in KINDS order."""
    tally = dict.fromkeys(KINDS, 0)
    for item in items:
        tally[item.kind] += 1
    return tally
