"""状态流转: the one path of every state change (lock, table, guard, change, history row, all in one transaction).

A domain's ``transitions.py`` holds its table ``(state, action) -> Step(target, guard)``; its services call
:func:`transition_run` once per action (``listing_notify``, ``complaint_accept``, ...), passing the
action's own field changes. Effects that leave the process are scheduled by the caller with
``transaction.on_commit`` / ``delay_on_commit`` after this returns.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from django.db import models, transaction
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from core.models import TransitionRecord

Guard = Callable[[Any, datetime.date], None]


class Step(NamedTuple):
    """The state an action leads to, and the check (raising ConflictError) that must pass first."""

    target: str
    guard: Guard | None = None


def authenticated(actor) -> Any:
    """The actor if it is a signed-in account, else None (the public, or the system)."""
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def record_transition(
    history: type[TransitionRecord], *, subject: models.Model, action: str, from_status: str,
    to_status: str | None = None, actor=None, reason: str = "", anonymous_name: str | None = None,
) -> TransitionRecord:
    """Append one history row: who (name frozen, so a deleted account still reads), from, to, why."""
    user = authenticated(actor)
    name = user.get_username() if user is not None else (anonymous_name or _("系统"))
    return history.objects.create(
        **{history.subject_field: subject}, action=action, from_status=from_status,
        to_status=subject.status if to_status is None else to_status, actor=user, actor_name=name,
        reason=reason,
    )


@transaction.atomic
def transition_run(
    *, queryset: models.QuerySet, pk: int, action: str, table: Mapping[tuple[str, str], Step],
    history: type[TransitionRecord], day: datetime.date, actor=None, reason: str = "",
    change: Callable[[Any], None] | None = None, labels: Mapping[str, str] | None = None,
    anonymous_name: str | None = None,
) -> tuple[Any, str]:
    """Lock the row, look the move up in the table, run its guard and ``change``, save, write history.

    Returns the saved object and the state it left. A move not in the table is a 409 and changes nothing.
    """
    subject = queryset.select_for_update(of=("self",)).get(pk=pk)
    step = table.get((subject.status, action))
    if step is None:
        raise ConflictError(
            _("不能对状态为「%(status)s」的%(noun)s执行「%(action)s」。")
            % {"status": subject.get_status_display(), "noun": subject._meta.verbose_name,
               "action": (labels or {}).get(action, action)},
            code="illegal_transition",
        )
    if step.guard is not None:
        step.guard(subject, day)
    from_status = subject.status
    if change is not None:
        change(subject)
    subject.status = step.target
    subject.full_clean()
    subject.save()
    record_transition(history, subject=subject, action=action, from_status=from_status, actor=actor,
                      reason=reason, anonymous_name=anonymous_name)
    return subject, from_status
