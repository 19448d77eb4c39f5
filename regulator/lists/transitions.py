"""名单正当程序: the listing lifecycle in one table (DOMAIN.md, Due process).

proposed -> notified (告知书 issued) -> decided (认定决定书) -> published (公示)
-> expired | removed | repaired; withdrawn from any state before published.

The objection window opens only when the 告知书 is served (its delivery date is recorded): deciding waits
for the notice's service, for the window counted from the delivery to pass, and for every objection to be
answered. An upheld objection withdraws the listing or sends it back to ``proposed`` (``send_back``), where
the grounds are revised (``revise``) and a new notice issued before any decision.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.exceptions import ConflictError
from core.transitions import Step
from regulator.lists.models import ListingStatus as S


def objection_window_closed(listing, day: datetime.date) -> None:
    """认定、公示 wait until the notice is served, the window from its delivery has passed and every objection
    is answered."""
    if listing.objection_due is None:
        raise ConflictError(_("告知书尚未登记送达：陈述申辩期自送达之日起算，送达前不得认定或公示。"),
                            code="notice_not_served")
    if day <= listing.objection_due:
        raise ConflictError(
            _("陈述申辩期至 %(due)s 届满前不得认定或公示。") % {"due": listing.objection_due}, code="objection_window_open"
        )
    if listing.objections.filter(answered_at__isnull=True).exists():
        raise ConflictError(_("尚有陈述申辩未答复。"), code="objection_unanswered")


TRANSITIONS: dict[tuple[str, str], Step] = {
    (S.PROPOSED, "notify"): Step(S.NOTIFIED),
    (S.PROPOSED, "revise"): Step(S.PROPOSED),
    (S.NOTIFIED, "send_back"): Step(S.PROPOSED),
    (S.NOTIFIED, "decide"): Step(S.DECIDED, objection_window_closed),
    (S.DECIDED, "publish"): Step(S.PUBLISHED, objection_window_closed),
    (S.PUBLISHED, "expire"): Step(S.EXPIRED),
    (S.PUBLISHED, "remove"): Step(S.REMOVED),
    (S.PUBLISHED, "repair"): Step(S.REPAIRED),
    (S.PROPOSED, "withdraw"): Step(S.WITHDRAWN),
    (S.NOTIFIED, "withdraw"): Step(S.WITHDRAWN),
    (S.DECIDED, "withdraw"): Step(S.WITHDRAWN),
}

# Actions a regulator takes through the API; expire runs nightly, repair follows a granted application,
# send_back follows an upheld objection answered "revise".
API_ACTIONS = ("notify", "revise", "decide", "publish", "remove", "withdraw")
OPEN_STATES = {S.PROPOSED, S.NOTIFIED, S.DECIDED, S.PUBLISHED}
ENDED_STATES = {S.EXPIRED, S.REMOVED, S.REPAIRED}

#: every step of a listing's history, in words (history rows also record steps that keep the state)
ACTION_LABELS = {
    "propose": gettext_lazy("拟列入"), "revise": gettext_lazy("修改拟列入事由"),
    "notify": gettext_lazy("制发告知书"), "notice_served": gettext_lazy("告知书送达"),
    "objection": gettext_lazy("提出陈述申辩"), "objection_amend": gettext_lazy("修改陈述申辩"),
    "objection_paper": gettext_lazy("登记书面陈述申辩"),
    "objection_answer": gettext_lazy("答复申辩"), "send_back": gettext_lazy("申辩成立，退回重新拟定"),
    "decide": gettext_lazy("作出认定决定"), "decision_served": gettext_lazy("认定决定书送达"), "publish": gettext_lazy("公示"), "expire": gettext_lazy("期满移出"),
    "remove": gettext_lazy("移出名单"), "withdraw": gettext_lazy("撤回"),
    "repair_apply": gettext_lazy("申请信用修复"), "repair_refuse": gettext_lazy("不予信用修复"),
    "repair_decision_served": gettext_lazy("信用修复决定书送达"), "repair": gettext_lazy("信用修复移出"),
    "import": gettext_lazy("导入"),
}
