"""名单正当程序: the listing lifecycle in one table (DOMAIN.md, Due process).

proposed -> notified (告知书) -> decided (认定决定书) -> published (公示)
-> expired | removed | repaired; withdrawn from any state before published.
Deciding and publishing wait for the objection window to pass and every objection to be answered.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.exceptions import ConflictError
from core.transitions import Step
from regulator.lists.models import ListingStatus as S


def objection_window_closed(listing, day: datetime.date) -> None:
    """认定、公示 wait until the objection window has passed and every objection is answered."""
    if listing.objection_due is not None and day <= listing.objection_due:
        raise ConflictError(
            _("陈述申辩期至 %(due)s 届满前不得认定或公示。") % {"due": listing.objection_due}, code="objection_window_open"
        )
    if listing.objections.filter(answered_at__isnull=True).exists():
        raise ConflictError(_("尚有陈述申辩未答复。"), code="objection_unanswered")


TRANSITIONS: dict[tuple[str, str], Step] = {
    (S.PROPOSED, "notify"): Step(S.NOTIFIED),
    (S.NOTIFIED, "decide"): Step(S.DECIDED, objection_window_closed),
    (S.DECIDED, "publish"): Step(S.PUBLISHED, objection_window_closed),
    (S.PUBLISHED, "expire"): Step(S.EXPIRED),
    (S.PUBLISHED, "remove"): Step(S.REMOVED),
    (S.PUBLISHED, "repair"): Step(S.REPAIRED),
    (S.PROPOSED, "withdraw"): Step(S.WITHDRAWN),
    (S.NOTIFIED, "withdraw"): Step(S.WITHDRAWN),
    (S.DECIDED, "withdraw"): Step(S.WITHDRAWN),
}

# Actions a regulator takes through the API; expire runs nightly, repair follows a granted application.
API_ACTIONS = ("notify", "decide", "publish", "remove", "withdraw")
OPEN_STATES = {S.PROPOSED, S.NOTIFIED, S.DECIDED, S.PUBLISHED}
ENDED_STATES = {S.EXPIRED, S.REMOVED, S.REPAIRED}

#: every step of a listing's history, in words (history rows also record steps that keep the state)
ACTION_LABELS = {
    "propose": gettext_lazy("拟列入"), "notify": gettext_lazy("送达告知书"),
    "objection": gettext_lazy("提出陈述申辩"), "objection_amend": gettext_lazy("修改陈述申辩"),
    "objection_answer": gettext_lazy("答复申辩"),
    "decide": gettext_lazy("作出认定决定"), "publish": gettext_lazy("公示"), "expire": gettext_lazy("期满移出"),
    "remove": gettext_lazy("移出名单"), "withdraw": gettext_lazy("撤回"),
    "repair_apply": gettext_lazy("申请信用修复"), "repair": gettext_lazy("信用修复移出"),
    "import": gettext_lazy("导入"),
}
