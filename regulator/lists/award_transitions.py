"""诚信评选流程: the award lifecycle in one table.

applied -> checked (the criteria checked automatically, each result stored in words)
checked -> refused (a criterion failed: automatic) | under_review (all met: to the regulator's review)
under_review -> in_notice (approved: the public notice period opens) | refused
in_notice -> objected (anyone objects inside the period) -> refused (upheld) | in_notice (dismissed)
in_notice -> granted (the period over, no objection open, the criteria still met: the decision and its number)
granted -> revoked (a criterion broke: automatic; or a regulator's reason) | expired (validity over: nightly)
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.exceptions import ConflictError
from core.transitions import Step
from regulator.lists.awards import AwardStatus as S


def notice_over(application, day: datetime.date) -> None:
    """授予 waits for the end of the notice period and for every objection to be handled."""
    if application.notice_due is None or day <= application.notice_due:
        raise ConflictError(_("公示期至 %(due)s 届满前不得作出授予决定。") % {"due": application.notice_due},
                            code="notice_period_open")
    if application.objections.filter(answered_at__isnull=True).exists():
        raise ConflictError(_("尚有公示异议未处理。"), code="objection_unanswered")


def inside_notice(application, day: datetime.date) -> None:
    """异议 only inside the notice period (its first to its last working day)."""
    if application.notice_due is None or not (application.notice_starts_on <= day <= application.notice_due):
        raise ConflictError(_("不在公示期内，不受理异议。"), code="outside_notice_period")


TRANSITIONS: dict[tuple[str, str], Step] = {
    (S.APPLIED, "check"): Step(S.CHECKED),
    (S.CHECKED, "refuse"): Step(S.REFUSED),
    (S.CHECKED, "submit_review"): Step(S.UNDER_REVIEW),
    (S.UNDER_REVIEW, "approve"): Step(S.IN_NOTICE),
    (S.UNDER_REVIEW, "refuse"): Step(S.REFUSED),
    (S.IN_NOTICE, "object"): Step(S.OBJECTED, inside_notice),
    (S.OBJECTED, "object"): Step(S.OBJECTED, inside_notice),
    (S.OBJECTED, "uphold"): Step(S.REFUSED),
    (S.OBJECTED, "dismiss"): Step(S.IN_NOTICE),
    (S.IN_NOTICE, "grant"): Step(S.GRANTED, notice_over),
    (S.GRANTED, "revoke"): Step(S.REVOKED),
    (S.GRANTED, "expire"): Step(S.EXPIRED),
}

#: actions a regulator takes through the API (check runs on filing, object is the public's, expire nightly)
API_ACTIONS = ("approve", "refuse", "grant", "revoke", "uphold", "dismiss")
IN_FORCE = S.GRANTED
NOTICE_STATES = (S.IN_NOTICE, S.OBJECTED)

ACTION_LABELS = {
    "apply": gettext_lazy("企业申报"), "nominate": gettext_lazy("监管部门推荐"),
    "check": gettext_lazy("条件自动核验"), "refuse": gettext_lazy("不予通过"),
    "submit_review": gettext_lazy("提交审核"), "approve": gettext_lazy("审核通过，进入公示"),
    "object": gettext_lazy("收到公示异议"), "uphold": gettext_lazy("异议成立"), "dismiss": gettext_lazy("异议不成立"),
    "grant": gettext_lazy("作出授予决定"), "revoke": gettext_lazy("撤销称号"), "expire": gettext_lazy("有效期届满"),
}
