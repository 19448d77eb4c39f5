"""任职核查: recording a person as legal representative, principal or actual controller while a restriction binds them.

DOMAIN.md (Consequences): an appointment made while a restriction binds the person is flagged at the moment
the role is recorded, not only when a licence is applied for. The check is the licence check's own decision
(``licence_checks.appointment_bindings``): the person, in the role they are appointed to, against the licences
an entity of that category holds, on the role's first day and today. Every deny row is a reason: a published
严重失信 listing of the person, a role they held at a listed entity on its decision date, or a penalty that
bars them by itself (旅行社条例: 5 years as principal of any agency; 旅游法: 3 years for the managers).

The entity the role is at is left out: its own listing binds its role holders when they go elsewhere, not
there. Registered with ``entities.hooks`` by ``regulator.apps`` (entities may not import this layer).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from entities.models import Entity
from regulator.lists.licence_checks import appointment_bindings, licence_type_name
from regulator.lists.models import Listing, ListType, SubjectType
from regulator.lists.rules import CATEGORY_LICENCES, SECTOR_LICENCES


def _code(row: dict[str, Any], subject_types: dict[int, str]) -> str:
    if row["listing_id"] is None:
        return "penalty_ban"
    return "listed_person" if subject_types.get(row["listing_id"]) == SubjectType.PERSON else "role_at_listed_entity"


def _detail(code: str, row: dict[str, Any], licences: list[str]) -> str:
    held = row["subject"].partition("（")[2].rstrip("）")
    words = {
        "listed_person": _("该自然人在%(list)s中（名单记录 %(id)s 号）") % {
            "list": dict(ListType.choices).get(row["list_type"], row["list_type"]), "id": row["listing_id"]},
        "role_at_listed_entity": _("该自然人曾任%(held)s，该主体被列入严重失信主体名单（名单记录 %(id)s 号）") % {
            "held": held, "id": row["listing_id"]},
        "penalty_ban": _("该自然人曾任%(held)s，该主体受到行政处罚：%(reason)s") % {"held": held, "reason": row["reason"]},
    }[code]
    return _("%(words)s；%(until)s 前不得取得或经营：%(licences)s（依据：%(basis)s）") % {
        "words": words, "until": row["until"].isoformat() if row["until"] else _("名单期满"),
        "licences": "、".join(licence_type_name(code) for code in licences), "basis": row["restriction"]}


def appointment_check(*, person_id: int, entity_id: int, role: str, started_on: datetime.date,
                      ended_on: datetime.date | None = None, today: datetime.date | None = None,
                      ) -> list[dict[str, Any]]:
    """The reasons (JSON-ready dicts: code, detail, basis, until, listing_id, finding_id, licence_types) why
    appointing ``person_id`` as ``role`` at ``entity_id`` is made while a restriction binds them; [] if none."""
    entity = Entity.objects.only("id", "sector", "category").get(pk=entity_id)
    licence_types = CATEGORY_LICENCES.get(entity.category) or SECTOR_LICENCES.get(entity.sector, [])
    day = today or timezone.localdate()
    days = {started_on}
    if ended_on is None or ended_on >= day:
        days.add(max(day, started_on))
    rows = appointment_bindings(person_id=person_id, role=role, licence_types=licence_types, days=sorted(days),
                                exclude_entity_id=entity_id)
    listing_ids = {row["listing_id"] for row in rows if row["listing_id"] is not None}
    subject_types = dict(Listing.objects.filter(pk__in=listing_ids).values_list("id", "subject_type")) if listing_ids \
        else {}
    # One reason per listing (its restrictions' bases together), one per penalty and restriction (each its
    # own consequence and period).
    grouped: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = (row["listing_id"], row["subject_role"]) if row["listing_id"] is not None else (
            None, row["finding_id"], row["restriction"], row["subject_role"])
        reason = grouped.setdefault(key, {"row": row, "licence_types": [], "bases": []})
        for name, value in (("licence_types", row["licence_type"]), ("bases", row["restriction"])):
            if value not in reason[name]:
                reason[name].append(value)
        if row["until"] and (reason["row"]["until"] is None or row["until"] > reason["row"]["until"]):
            reason["row"] = row
    reasons = []
    for found in grouped.values():
        row, licences = {**found["row"], "restriction": "；".join(found["bases"])}, found["licence_types"]
        code = _code(row, subject_types)
        reasons.append({
            "code": code, "detail": _detail(code, row, licences), "basis": row["restriction"],
            "listing_id": row["listing_id"], "finding_id": row["finding_id"], "subject_role": row["subject_role"],
            "licence_types": licences, "start_event": row["start_event"],
            "starts_on": row["starts_on"].isoformat() if row["starts_on"] else None,
            "until": row["until"].isoformat() if row["until"] else None,
        })
    return reasons
