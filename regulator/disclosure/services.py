"""Writes of disclosure: the review of a business's public statement (回应声明)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from core.evidence import send_tolerantly
from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.disclosure.tasks import regenerate_exports as regenerate_exports_task


@transaction.atomic
def statement_review(*, statement_id: int, actor, approve: bool, review_note: str = "") -> PublicStatement:
    """审核回应声明: a pending statement is made public or refused, once (a second review is a conflict)."""
    statement = PublicStatement.objects.select_for_update().get(pk=statement_id)
    if statement.status != StatementStatus.PENDING:
        raise ConflictError(_("该声明已审核。"), code="already_reviewed")
    statement.status = StatementStatus.APPROVED if approve else StatementStatus.REJECTED
    statement.review_note = (review_note or "").strip()
    statement.reviewed_by = actor
    statement.reviewed_at = timezone.now()
    # The submitter's account may be gone (SET_NULL): that does not make the statement unreviewable.
    statement.full_clean(exclude=["submitted_by"])
    statement.save()
    return statement


def exports_refresh(listing, change: str) -> None:
    """A listing's public face changed (lists' hook): rewrite the open-data files after commit.

    With the broker down the change has still committed; the nightly ``regenerate_exports`` rewrites the files.
    """
    transaction.on_commit(lambda: send_tolerantly(regenerate_exports_task.delay,
                                                  f"open-data rewrite after listing {listing.pk} {change}"))
