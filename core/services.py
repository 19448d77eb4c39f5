"""Writes of accounts: created and updated in one place, passwords validated and hashed."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from core.models import User


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
