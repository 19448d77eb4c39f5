"""Writes of the 回炉培训行动 (retraining campaigns in batches and phases) and the nightly record of missed phases.

``campaign_create`` validates the whole campaign (period, ordered phases inside it, target firms of the campaign's
sector and region in the regulator's jurisdiction, target workers employed by those firms) and writes it in one
transaction, freezing each phase's target workers. ``phases_flag_missed`` records, in one UPDATE, every target
firm whose phase deadline has passed with a target worker not retrained inside the window; it runs nightly and is
idempotent (a firm is flagged once per phase).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scope import Sector, validate_region_prefix
from entities.models import Entity, EntityStatus, Person
from entities.retraining import RetrainingCampaign, RetrainingPhase, RetrainingPhaseFirm, RetrainingTarget
from entities.retraining_selectors import firms_visible
from entities.workers import Employment, TrainingKind


def _phase_errors(index: int, phase: dict[str, Any], *, campaign: RetrainingCampaign,
                  previous: dict[str, Any] | None) -> list[str]:
    label = _("第 %(n)s 批") % {"n": index + 1}
    errors = []
    starts, deadline = phase.get("starts_on"), phase.get("deadline")
    if not (phase.get("name") or "").strip():
        errors.append(_("%(label)s：请填写批次名称。") % {"label": label})
    if starts is None or deadline is None:
        return [*errors, _("%(label)s：请填写开始日期和截止日期。") % {"label": label}]
    if deadline < starts:
        errors.append(_("%(label)s：截止日期不得早于开始日期。") % {"label": label})
    if starts < campaign.starts_on or deadline > campaign.ends_on:
        errors.append(_("%(label)s：批次须在行动期间内（%(start)s 至 %(end)s）。")
                      % {"label": label, "start": campaign.starts_on, "end": campaign.ends_on})
    if previous is not None and previous.get("starts_on") and previous.get("deadline") and (
            starts < previous["starts_on"] or deadline < previous["deadline"]):
        errors.append(_("%(label)s：批次应按时间先后排列（不早于上一批）。") % {"label": label})
    if not phase.get("firms"):
        errors.append(_("%(label)s：请指定目标企业。") % {"label": label})
    return errors


def _firm_errors(index: int, firms: list[Entity], *, campaign: RetrainingCampaign, visible) -> list[str]:
    label = _("第 %(n)s 批") % {"n": index + 1}
    errors = []
    visible_ids = set(visible.filter(pk__in=[firm.pk for firm in firms]).values_list("pk", flat=True))
    for firm in firms:
        if firm.pk not in visible_ids:
            errors.append(_("%(label)s：企业 %(id)s 不存在或不在您的辖区。") % {"label": label, "id": firm.pk})
        elif firm.sector != campaign.sector or not firm.region_code.startswith(campaign.region_code):
            errors.append(_("%(label)s：%(name)s 不在行动的行业或区域范围内。") % {"label": label, "name": firm.name})
        elif firm.status == EntityStatus.DEREGISTERED:
            errors.append(_("%(label)s：%(name)s 已注销。") % {"label": label, "name": firm.name})
    return errors


@transaction.atomic
def campaign_create(*, actor, name: str, sector: str = Sector.HOUSEHOLD_SERVICE, region_code: str,
                    starts_on: datetime.date, ends_on: datetime.date, phases: list[dict[str, Any]],
                    description: str = "", today: datetime.date | None = None) -> RetrainingCampaign:
    """A campaign with its phases (``name``, ``starts_on``, ``deadline``, ``firms``, optional ``workers``).

    Each phase's target workers are the workers employed by its firms on ``today`` (the day the batch is set),
    narrowed to ``workers`` when given (each must be such a worker). Regulators only.
    """
    if not getattr(actor, "is_regulator", False):
        raise PermissionDenied(_("只有监管部门可以部署回炉培训行动。"))
    day = today or timezone.localdate()
    campaign = RetrainingCampaign(name=(name or "").strip(), sector=sector, region_code=(region_code or "").strip(),
                                  starts_on=starts_on, ends_on=ends_on, description=(description or "").strip(),
                                  created_by=actor if getattr(actor, "is_authenticated", False) else None)
    if starts_on and ends_on and ends_on < starts_on:
        raise ValidationError({"ends_on": [_("结束日期不得早于开始日期。")]})
    campaign.full_clean()
    validate_region_prefix(campaign.region_code)
    if not phases:
        raise ValidationError({"phases": [_("至少需要一个批次。")]})
    visible = firms_visible(actor)
    errors: list[str] = []
    previous = None
    for index, phase in enumerate(phases):
        errors += _phase_errors(index, phase, campaign=campaign, previous=previous)
        errors += _firm_errors(index, list(phase.get("firms") or []), campaign=campaign, visible=visible)
        previous = phase
    if errors:
        raise ValidationError({"phases": errors})
    campaign.save()
    for index, phase in enumerate(phases):
        _phase_create(campaign=campaign, number=index + 1, phase=phase, day=day)
    return campaign


def _phase_create(*, campaign: RetrainingCampaign, number: int, phase: dict[str, Any], day: datetime.date) -> None:
    record = RetrainingPhase(campaign=campaign, number=number, name=phase["name"].strip(),
                             starts_on=phase["starts_on"], deadline=phase["deadline"])
    record.full_clean()
    record.save()
    firms = {firm.pk: firm for firm in phase["firms"]}
    rows = {pk: RetrainingPhaseFirm.objects.create(phase=record, entity=firm) for pk, firm in firms.items()}
    current = (Employment.objects.filter(entity_id__in=list(firms), started_on__lte=day)
               .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=day)))
    workers: list[Person] | None = phase.get("workers")
    if workers:
        wanted = {person.pk for person in workers}
        current = current.filter(person_id__in=wanted)
        employed = set(current.values_list("person_id", flat=True))
        missing = sorted(wanted - employed)
        if missing:
            raise ValidationError({"phases": [_("第 %(n)s 批：人员 %(ids)s 不是目标企业的在职家政服务员。")
                                              % {"n": number, "ids": "、".join(map(str, missing))}]})
    pairs = set(current.values_list("entity_id", "person_id"))
    RetrainingTarget.objects.bulk_create([RetrainingTarget(phase_firm=rows[entity_id], person_id=person_id)
                                          for entity_id, person_id in sorted(pairs)])


_FLAG = """
UPDATE entities_retrainingphasefirm pf
SET flagged_on = %s, flagged_targets = tally.targets, flagged_done = tally.done
FROM (
    SELECT pf.id, count(t.id) AS targets,
           count(t.id) FILTER (WHERE EXISTS (
               SELECT 1 FROM entities_trainingrecord r
               WHERE r.person_id = t.person_id AND r.kind = %s
                 AND r.completed_on >= ph.starts_on AND r.completed_on <= ph.deadline)) AS done
    FROM entities_retrainingphasefirm pf
    JOIN entities_retrainingphase ph ON ph.id = pf.phase_id
    JOIN entities_retrainingtarget t ON t.phase_firm_id = pf.id
    WHERE pf.flagged_on IS NULL AND ph.deadline < %s
    GROUP BY pf.id
) AS tally
WHERE pf.id = tally.id AND tally.done < tally.targets
RETURNING pf.id
"""


@transaction.atomic
def phases_flag_missed(*, today: datetime.date | None = None) -> list[int]:
    """Record every target firm that missed a phase (deadline passed, someone not retrained in the window):
    ``flagged_on`` and the counts at the time. One statement; a firm already flagged for a phase is left alone."""
    day = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(_FLAG, [day, TrainingKind.RETRAINING.value, day])
        return sorted(row[0] for row in cursor.fetchall())
