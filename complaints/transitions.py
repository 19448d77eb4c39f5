"""投诉流转: the whole complaint lifecycle in one table (旅游投诉处理办法).

(state, action) -> next state. Reading this table tells every legal move;
anything not in it answers 409 and changes nothing.
"""

from __future__ import annotations

from complaints.models import ComplaintStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.SUBMITTED, "reject"): S.REJECTED,
    (S.ACCEPTED, "start_investigation"): S.INVESTIGATING,
    (S.INVESTIGATING, "resolve"): S.RESOLVED,
    (S.RESOLVED, "close"): S.CLOSED,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.INVESTIGATING, "withdraw"): S.WITHDRAWN,
    # A complaint refused only for being filed after 90 days may be taken up by a regulator.
    (S.REJECTED, "override_late_filing"): S.SUBMITTED,
}

ACTIONS = sorted({action for _, action in TRANSITIONS})
# Actions the staff handling the complaint take; the rest have their own rules in the service.
STAFF_ACTIONS = {"accept", "reject", "start_investigation", "resolve", "close"}
REGULATOR_ONLY_ACTIONS = {"override_late_filing"}
OPEN_STATES = {S.SUBMITTED, S.ACCEPTED, S.INVESTIGATING}
RESPONDABLE_STATES = {S.ACCEPTED, S.INVESTIGATING}
