"""Writes of the regulator app: accounts and the review of public statements."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError

from regulator.models import PublicStatement, StatementStatus, User


@transaction.atomic
def user_save(*, user: User | None = None, password: str | None = None, entities=None, **fields) -> User:
    """Create or update an account; the password is validated and hashed, never stored in clear."""
    user = user or User()
    for name, value in fields.items():
        setattr(user, name, value)
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            # Name the field, so the 400 says which input was refused.
            raise ValidationError({"password": exc.error_list}) from exc
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if entities is not None:
        user.entities.set(entities)
    return user


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
