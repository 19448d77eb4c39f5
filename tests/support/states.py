"""Listings and complaints in any state, made the way production makes them: through the services.

``listing_in("published", entity=entity)`` proposes, notifies (the 告知书 served directly the day it is
issued), decides and publishes with ``regulator.lists.services``; ``complaint_in("resolved", entity=entity)``
files and handles with ``complaints.services``. Each step is dated so that the rules allow it on that day, and
each writes its history row, so a test starts from a state production could be in.

``catalogue_until_seeded`` (a fixture: import it into a test module) gives the rule sets a measures catalogue
and appeal routes where they have none yet, so due process can be walked before the rule-set data carries
them; with the data seeded it changes nothing.
"""

from __future__ import annotations

import datetime

import pytest

from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintStatus
from core.workdays import current_calendar
from regulator.lists import rules
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingStatus
from regulator.lists.selectors import rule_set_on

from .dates import today

#: the decision every made-up listing carries: the catalogue's measures for its list, the rule set's appeal
#: routes and the number of the authority's series (give ``measures`` codes to choose fewer)
DECISION: dict = {}
#: how long before its decision a listing was noticed: the 5 (elderly care 10) working days are long over
NOTICE_BEFORE = datetime.timedelta(days=30)

#: a stand-in catalogue and remedies for rule sets that have none (see ``catalogue_until_seeded``)
TEST_MEASURES = [
    {"code": "test_licence_denied", "label": "不予新增本行业许可", "basis": "测试规则集依据一", "list_types": ["black"]},
    {"code": "test_no_awards", "label": "不得参评诚信企业等表彰", "basis": "测试规则集依据二",
     "list_types": ["black", "watch"]},
    {"code": "test_inspections", "label": "提高检查频次", "basis": "", "list_types": ["black", "watch"]},
    {"code": "test_fast_track", "label": "行政审批优先办理", "basis": "测试规则集依据三", "list_types": ["red"]},
]
TEST_ROUTES = [
    {"route": "administrative_review", "label": "行政复议", "text": "自收到本决定书之日起六十日内申请行政复议"},
    {"route": "administrative_litigation", "label": "行政诉讼", "text": "自收到本决定书之日起六个月内提起行政诉讼"},
]


@pytest.fixture
def catalogue_until_seeded(monkeypatch):
    """Measures and appeal routes for rule sets whose document has none (the seeded ones win)."""
    measures_for, appeal_routes = rules.measures_for, rules.appeal_routes
    monkeypatch.setattr(rules, "measures_for", lambda document, list_type: measures_for(document, list_type) or [
        measure for measure in TEST_MEASURES if list_type in measure["list_types"]])
    monkeypatch.setattr(rules, "appeal_routes", lambda document: appeal_routes(document) or list(TEST_ROUTES))


def served(on: datetime.date, method: str = "direct") -> dict:
    """A delivery record: the document reached its recipient on ``on``."""
    return {"method": method, "delivered_on": on, "note": "测试送达"}


def notify_served(listing: Listing, on: datetime.date, *, delivered_on: datetime.date | None = None,
                  method: str = "direct", actor=None) -> Listing:
    """The 告知书 of ``listing`` issued on ``on`` and served on ``delivered_on`` (that day by default)."""
    listings.listing_notify(listing_id=listing.pk, actor=actor, today=on)
    delivered_on = delivered_on or on
    return listings.listing_document_serve(listing_id=listing.pk, document="notice", method=method,
                                           delivered_on=delivered_on, actor=actor, today=delivered_on)

_ENDINGS = {
    ListingStatus.REMOVED: (listings.listing_remove, "行政处罚决定被撤销"),
    ListingStatus.REPAIRED: (listings.listing_repair, "准予信用修复"),
}


def listing_in(
    status: str = ListingStatus.PUBLISHED, *, entity=None, person=None, related_entity=None, person_role: str = "",
    list_type: str = "black", reason: str = "甩团，滞留旅游者", day: datetime.date | None = None,
    notified_on: datetime.date | None = None, objection_due: datetime.date | None = None,
    decided_on: datetime.date | None = None, period_days: int | None = None, source_type: str = "manual",
    source_id: int | None = None, source_rule: str = "", actor=None,
) -> Listing:
    """A listing on ``entity`` (or on ``person``, for ``related_entity``) walked into ``status`` by the services.

    Dated back from ``day`` (today): a proposed listing was proposed on ``day``; any other was noticed
    (告知书 issued and served directly that day) 30 days before its decision, its objection window over
    (``notified_on`` or ``objection_due`` choose the window instead); decided and published on ``day`` or
    ``decided_on``; removed, repaired or
    withdrawn on ``day``. An expired listing's period (``period_days``, else the rule set's) ended on
    ``day``. ``actor`` (None: the system) takes every step.
    """
    status = ListingStatus(status)
    day = day or today()
    proposal = {"list_type": list_type, "subject_type": "entity" if person is None else "person", "entity": entity,
                "person": person, "related_entity": related_entity, "person_role": person_role, "reason": reason,
                "source_type": source_type, "source_id": source_id, "source_rule": source_rule, "actor": actor}
    if status == ListingStatus.PROPOSED:
        if notified_on or objection_due or decided_on:
            raise TypeError("a proposed listing has neither a notice nor a decision")
        return listings.listing_propose(**proposal, today=day)

    if status == ListingStatus.EXPIRED:
        period_days = period_days or rule_set_on(day).document["periods_days"][list_type]
        decided_on = decided_on or day - datetime.timedelta(days=period_days)
    decided_on = decided_on or day
    if notified_on is not None and objection_due is not None:
        raise TypeError("the notice date sets the objection window: give notified_on or objection_due")
    if notified_on is None:
        if objection_due is not None:
            notified_on = _notice_ending_on(objection_due, entity if person is None else related_entity)
        elif status in {ListingStatus.NOTIFIED, ListingStatus.WITHDRAWN}:
            notified_on = day - NOTICE_BEFORE
        else:
            notified_on = decided_on - NOTICE_BEFORE

    listing = listings.listing_propose(**proposal, today=notified_on)
    listing = listings.listing_notify(listing_id=listing.pk, actor=actor, today=notified_on,
                                      delivery=served(notified_on))
    if objection_due is not None and listing.objection_due != objection_due:
        # A window ends on a working day, so no notice ends one on a rest day; a test anchored to today and
        # run on a weekend asks for that all the same. The notice is the service's, only its due date is set.
        Listing.objects.filter(pk=listing.pk).update(objection_due=objection_due)
        listing.refresh_from_db()
    if status == ListingStatus.NOTIFIED:
        return listing
    if status == ListingStatus.WITHDRAWN:
        return listings.listing_withdraw(listing_id=listing.pk, reason="事实不清，撤回告知", actor=actor, today=day)

    listing = listings.listing_decide(listing_id=listing.pk, **DECISION, period_days=period_days, actor=actor,
                                      today=decided_on)
    if status == ListingStatus.DECIDED:
        return listing
    listing = listings.listing_publish(listing_id=listing.pk, actor=actor, today=decided_on)
    if status == ListingStatus.PUBLISHED:
        return listing
    if status == ListingStatus.EXPIRED:
        return listings.listing_expire(listing_id=listing.pk, today=day)
    end, end_reason = _ENDINGS[status]
    return end(listing_id=listing.pk, reason=end_reason, actor=actor, today=day)


def _notice_ending_on(objection_due: datetime.date, entity) -> datetime.date:
    """The latest working day whose notice gives an objection window ending on ``objection_due``.

    A rest day ends no window: then the notice whose window ends on the last working day before it.
    """
    calendar = current_calendar()
    sector, category = (entity.sector, entity.category) if entity is not None else (None, None)
    last_working_day = objection_due
    while not calendar.is_working_day(last_working_day):
        last_working_day -= datetime.timedelta(days=1)
    notice = last_working_day
    for _ in range(60):
        notice -= datetime.timedelta(days=1)
        days = rules.objection_working_days(rule_set_on(notice).document, sector=sector, category=category)
        if calendar.is_working_day(notice) and calendar.add_working_days(notice, days) == last_working_day:
            return notice
    raise ValueError(f"no notice gives an objection window ending on {objection_due}")


def complaint_in(
    status: str = ComplaintStatus.SUBMITTED, *, entity, received_on: datetime.date | None = None,
    resolved_on: datetime.date | None = None, late: bool = False, outcome: str = "substantiated", actor=None,
    **filing,
) -> Complaint:
    """A complaint against ``entity`` filed on ``received_on`` and handled into ``status`` by the services.

    Received today, or 20 days before ``resolved_on`` when only that is given; accepted, investigated,
    refused or withdrawn the day it was received; resolved (with ``outcome``) and closed on
    ``resolved_on``, that day too unless given. ``late=True`` files it more than 90 days after the
    incident, and the service refuses it at once: ``rejected`` is the only state a late complaint is
    made in. ``filing`` overrides what the complainant filed (category, description, phone...);
    ``actor`` (None: the system) handles it.
    """
    status = ComplaintStatus(status)
    if received_on is None:
        received_on = resolved_on - datetime.timedelta(days=20) if resolved_on else today()
    resolved_on = resolved_on or received_on
    filed = {"category": "forced_shopping", "description": "导游强迫购物，不买不让下车", "channel": "web",
             "complainant_name": "李四", "complainant_phone": "13800000000",
             "incident_date": received_on - datetime.timedelta(days=120 if late else 3), **filing}
    complaint = complaint_services.complaint_file(entity=entity, **filed, today=received_on)
    if late:
        if status != ComplaintStatus.REJECTED or not complaint.late_filing:
            raise ValueError("a complaint filed after 90 days is refused on filing: ask for it 'rejected'")
        return complaint

    S = ComplaintStatus
    steps = {
        "accept": lambda: complaint_services.complaint_accept(complaint_id=complaint.pk, actor=actor,
                                                              today=received_on),
        "start_investigation": lambda: complaint_services.complaint_start_investigation(
            complaint_id=complaint.pk, actor=actor, today=received_on),
        "resolve": lambda: complaint_services.complaint_resolve(
            complaint_id=complaint.pk, outcome=outcome, reason="查实", actor=actor, today=resolved_on),
        "close": lambda: complaint_services.complaint_close(complaint_id=complaint.pk, actor=actor,
                                                            today=resolved_on),
        "reject": lambda: complaint_services.complaint_reject(
            complaint_id=complaint.pk, reason="不属于受理范围", actor=actor, today=received_on),
        "withdraw": lambda: complaint_services.complaint_withdraw(
            complaint_id=complaint.pk, reason="已与商家协商解决", actor=actor, today=received_on),
        # a mediated outcome needs its 调解书, signed by both sides, before the complaint is resolved
        "mediate": lambda: complaint_services.complaint_mediation_agree(
            complaint_id=complaint.pk, terms="经营者退还购物款", complainant_signed_on=resolved_on,
            respondent_signed_on=resolved_on, actor=actor, today=resolved_on),
        "transfer": lambda: complaint_services.complaint_transfer(
            complaint_id=complaint.pk, department="运城市市场监督管理局", actor=actor, today=received_on),
    }
    handled = ("accept", "start_investigation", "resolve", "close")
    path = {S.SUBMITTED: (), S.ACCEPTED: handled[:1], S.INVESTIGATING: handled[:2], S.RESOLVED: handled[:3],
            S.CLOSED: handled, S.REJECTED: ("reject",), S.WITHDRAWN: ("withdraw",),
            S.TRANSFERRED: ("transfer",)}[status]
    if outcome == "mediated":
        path = tuple(a for step in path for a in (("mediate", step) if step == "resolve" else (step,)))
    for action in path:
        complaint = steps[action]()
    return complaint
