"""任职核查登记: who checks a role appointment against the restrictions that bind the person.

The restrictions (listings, licence bans) live in the regulator layer, which entities may not import; so
entities offers this registry (like ``core.evidence``) and ``regulator.apps`` registers its checker at
start-up. A checker is ``checker(*, person_id, entity_id, role, started_on, ended_on) -> list[reason]``,
each reason a JSON-ready dict with at least ``code`` and ``detail``.

Fail closed: with no checker registered, or a checker that fails, the appointment is flagged with the
reason ``unchecked`` (未核查) rather than passing silently; a regulator sees it and can check by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: the roles an appointment is checked for (a practitioner's work is checked by its licence)
CHECKED_ROLES = ("legal_representative", "principal", "actual_controller")

AppointmentChecker = Callable[..., list[dict[str, Any]]]
APPOINTMENT_CHECKERS: list[AppointmentChecker] = []


def register_appointment_checker(checker: AppointmentChecker) -> None:
    """Register ``checker`` (once) to judge every appointment to a checked role."""
    if checker not in APPOINTMENT_CHECKERS:
        APPOINTMENT_CHECKERS.append(checker)


def _unchecked(detail: str) -> dict[str, Any]:
    return {"code": "unchecked", "detail": detail}


def appointment_reasons(*, person_id: int, entity_id: int, role: str, started_on, ended_on=None,
                        ) -> list[dict[str, Any]]:
    """Why this appointment is flagged: every registered checker's reasons ([] when none binds)."""
    if role not in CHECKED_ROLES:
        return []
    if not APPOINTMENT_CHECKERS:
        return [_unchecked(_("未能核查该任职是否受任职限制（未登记核查程序），请人工核查。"))]
    reasons: list[dict[str, Any]] = []
    for checker in APPOINTMENT_CHECKERS:
        try:
            with transaction.atomic():  # a failing checker rolls back its savepoint, not the role's save
                reasons += checker(person_id=person_id, entity_id=entity_id, role=role, started_on=started_on,
                                   ended_on=ended_on)
        except Exception:  # noqa: BLE001 - fail closed: any failure flags the appointment as unchecked
            logger.exception("appointment checker %s failed", checker)
            reasons.append(_unchecked(_("核查任职限制时出错，请人工核查。")))
    return reasons


#: ``listener(licence)`` run inside the transaction of every licence saved through ``licence_save`` (双公示:
#: the regulator layer records the licensing decision; registered by ``regulator.apps``)
LICENCE_LISTENERS: list[Callable[[Any], None]] = []


def listen_licence_saved(listener: Callable[[Any], None]) -> None:
    """Register ``listener(licence)`` (once) for every licence saved through the service."""
    if listener not in LICENCE_LISTENERS:
        LICENCE_LISTENERS.append(listener)


def licence_saved(licence) -> None:
    for listener in LICENCE_LISTENERS:
        listener(licence)
