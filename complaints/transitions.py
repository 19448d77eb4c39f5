"""投诉流转: the whole complaint lifecycle in one table (旅游投诉处理办法).

(state, action) -> Step(next state, guard). Reading this table tells every legal move;
anything not in it answers 409 and changes nothing. Acceptance review has three outcomes:
accept, reject (with a ground) and transfer to the competent department; each issues a written
notice to the complainant (complaints.documents).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.models import ComplaintStatus as S
from config.api.exceptions import ConflictError
from core.transitions import Step


def refused_only_as_late(complaint, day: datetime.date) -> None:
    """Only a complaint refused for being filed after 90 days, and not yet taken up, may be taken up."""
    if not complaint.late_filing or complaint.late_filing_overridden:
        raise ConflictError(_("只有因超过 90 日被拒的投诉可以决定受理。"), code="illegal_transition")


TRANSITIONS: dict[tuple[str, str], Step] = {
    (S.SUBMITTED, "accept"): Step(S.ACCEPTED),
    (S.SUBMITTED, "reject"): Step(S.REJECTED),
    (S.SUBMITTED, "transfer"): Step(S.TRANSFERRED),
    (S.ACCEPTED, "start_investigation"): Step(S.INVESTIGATING),
    (S.INVESTIGATING, "resolve"): Step(S.RESOLVED),
    (S.RESOLVED, "close"): Step(S.CLOSED),
    (S.SUBMITTED, "withdraw"): Step(S.WITHDRAWN),
    (S.ACCEPTED, "withdraw"): Step(S.WITHDRAWN),
    (S.INVESTIGATING, "withdraw"): Step(S.WITHDRAWN),
    # A complaint refused only for being filed after 90 days may be taken up by a regulator.
    (S.REJECTED, "override_late_filing"): Step(S.SUBMITTED, refused_only_as_late),
}

ACTIONS = sorted({action for _, action in TRANSITIONS})
# Actions the staff handling the complaint take; the rest have their own rules in the service.
STAFF_ACTIONS = {"accept", "reject", "transfer", "start_investigation", "resolve", "close", "business_notice",
                 "mediation_agreement", "mediation_termination", "link_respondent"}
REGULATOR_ONLY_ACTIONS = {"override_late_filing"}
OPEN_STATES = {S.SUBMITTED, S.ACCEPTED, S.INVESTIGATING}
#: accepted and not yet finished: the business is notified, replies, and mediation takes place
HANDLING_STATES = {S.ACCEPTED, S.INVESTIGATING}
RESPONDABLE_STATES = HANDLING_STATES

#: every step of a complaint's history, in words (the table's actions and the steps that keep the state)
ACTION_LABELS = {
    "file": gettext_lazy("提交投诉"), "accept": gettext_lazy("受理"), "reject": gettext_lazy("不予受理"),
    "transfer": gettext_lazy("转办"),
    "start_investigation": gettext_lazy("开始调查处理"), "resolve": gettext_lazy("办结"), "close": gettext_lazy("归档"),
    "withdraw": gettext_lazy("撤回"), "override_late_filing": gettext_lazy("超期决定受理"),
    "respond": gettext_lazy("经营者书面答复"),
    "business_notice": gettext_lazy("向经营者发出答复通知书"),
    "business_notice_served": gettext_lazy("答复通知书送达经营者"),
    "document_served": gettext_lazy("文书送达"),
    "mediation_agreement": gettext_lazy("调解达成协议（制作调解书）"),
    "mediation_termination": gettext_lazy("终止调解（制作终止调解书）"),
    "link_respondent": gettext_lazy("关联登记的被投诉人"),
    "notice_overdue": gettext_lazy("答复通知书逾期未发出"),
    "reply_overdue": gettext_lazy("经营者逾期未书面答复"),
}
