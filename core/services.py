"""Writes of accounts: created and updated in one place, passwords validated and hashed, tokens revoked."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from core.authentication import tokens_revoke
from core.models import User, UserRole
from core.scope import covering_region_q


@transaction.atomic
def user_save(*, user: User | None = None, password: str | None = None, entities=None, **fields) -> User:
    """Create or update an account; the password is validated and hashed, never stored in clear.

    A new password (or an unusable one) and a deactivation end every API token of the account; a session
    ends by itself (Django checks the password hash on each request, and refuses inactive accounts).
    """
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
    if password is not None or not user.is_active or not user.has_usable_password():
        tokens_revoke(user)
    if entities is not None:
        user.entities.set(entities)
    return user


def regulator_emails_covering(region_code: str) -> list[str]:
    """The e-mail addresses of active regulators (and superusers) whose jurisdiction covers ``region_code``."""
    return list(User.objects.filter(is_active=True, email__gt="")
                .filter(Q(is_superuser=True) | (Q(role=UserRole.REGULATOR) & covering_region_q(region_code)))
                .order_by("id").values_list("email", flat=True))
