"""Services of the random inspection plan: draw, verify, publish (the draw itself is in sampling.py).

A plan may be drawn for a 专项行动 (campaign, complaints.campaigns): its population is then the active entities
within the campaign's sectors and region, its month must fall in the campaign's period, the grade rates apply to
that population in one draw (a campaign is not spread over twelve months), entities drawn by the campaign's earlier
plans are left out, and the inspections recorded from its items carry the campaign.
"""

from __future__ import annotations

import datetime
import json
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from complaints import sampling
from complaints.campaigns import Campaign
from complaints.models import InspectionPlan, InspectionPlanItem
from config.api.exceptions import ConflictError
from core.models import User, UserRole
from entities.models import Entity, EntityStatus


def _population(region_prefix: str, campaign: Campaign | None = None) -> list[list]:
    entities = Entity.objects.filter(region_code__startswith=region_prefix, status=EntityStatus.ACTIVE)
    if campaign is not None:  # 专项行动: only its sectors (its region is checked to contain region_prefix)
        entities = entities.filter(sector__in=campaign.sectors, region_code__startswith=campaign.region_prefix)
    rows = (
        entities
        .annotate(current_grade=Coalesce("credit_score__grade", Value("B")))
        .order_by("id")
        .values_list("id", "current_grade")
    )
    return [[entity_id, grade] for entity_id, grade in rows]


def _inspectors() -> list[sampling.InspectorScope]:
    users = User.objects.filter(role=UserRole.INSPECTOR, is_active=True).values_list("id", "region_codes", "sectors")
    return [sampling.InspectorScope(uid, tuple(regions), tuple(sectors)) for uid, regions, sectors in users]


def _draw_calendar(plan_month: datetime.date, campaign_id: int | None) -> dict[str, int]:
    """A monthly plan draws its twelfth of the annual rate; a campaign's plan draws the rate at once."""
    return {"month": 1, "draws_per_year": 1} if campaign_id is not None else {"month": plan_month.month}


def _campaign_errors(campaign: Campaign, month: datetime.date, region_prefix: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    month_end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
    if month_end < campaign.starts_on or month > campaign.ends_on:
        errors["month"] = [_("抽取月份不在专项行动期间（%(start)s 至 %(end)s）。")
                           % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()}]
    if not region_prefix.startswith(campaign.region_prefix):
        errors["region_prefix"] = [_("抽取辖区不在专项行动的地区范围内。")]
    return errors


@transaction.atomic
def plan_draw(*, month: datetime.date, region_prefix: str, rates: dict[str, float] | None = None,
              seed: str | None = None, campaign: Campaign | None = None) -> InspectionPlan:
    """Draw one month's sample for a jurisdiction (or a campaign's, within its scope) and record it all."""
    month = month.replace(day=1)
    rates = rates or dict(sampling.DEFAULT_ANNUAL_RATES)
    rate_errors = sampling.validate_rates(rates)
    if rate_errors:
        raise ValidationError({"rates": [f"{grade}: {'; '.join(msgs)}" for grade, msgs in rate_errors.items()]})
    if campaign is not None and (campaign_errors := _campaign_errors(campaign, month, region_prefix)):
        raise ValidationError(campaign_errors)
    if InspectionPlan.objects.filter(month=month, region_prefix=region_prefix, campaign=campaign).exists():
        raise ConflictError(_("该辖区本月的抽查计划已经抽取。"), code="plan_exists")
    seed = seed or secrets.token_hex(16)
    population = _population(region_prefix, campaign)
    earlier = (InspectionPlanItem.objects.filter(plan__campaign=campaign) if campaign is not None else
               InspectionPlanItem.objects.filter(plan__campaign__isnull=True, plan__region_prefix=region_prefix,
                                                 plan__month__year=month.year, plan__month__lt=month))
    excluded = sorted(earlier.values_list("entity_id", flat=True).distinct())
    sample = sampling.draw_entities(((eid, grade) for eid, grade in population), rates, seed,
                                    already_drawn=excluded, **_draw_calendar(month, getattr(campaign, "pk", None)))
    grades = dict(population)
    facts = Entity.objects.filter(pk__in=sample).values_list("id", "region_code", "sector")
    assignment = sampling.assign_inspectors(list(facts), _inspectors(), seed)
    plan = InspectionPlan.objects.create(
        month=month, region_prefix=region_prefix, seed=seed, rates=rates, population=population, excluded=excluded,
        population_size=len(population), sample_size=len(sample), campaign=campaign,
    )
    InspectionPlanItem.objects.bulk_create(
        InspectionPlanItem(plan=plan, entity_id=eid, grade=grades[eid], inspector_id=assignment.get(eid))
        for eid in sample
    )
    plan.seal = _plan_seal(plan, [(eid, grades[eid], assignment.get(eid)) for eid in sample])
    plan.save(update_fields=["seal"])
    return plan


def _plan_seal(plan: InspectionPlan, items: list[tuple[int, str, int | None]]) -> str:
    """HMAC (keyed by the service's secret, which the database never holds) over everything the plan records.

    A redraw alone cannot expose every change: when a grade's whole population is drawn (December's
    draw often is), any seed gives the same sample, so a changed seed would still "verify".
    """
    record = {"month": plan.month.isoformat(), "region_prefix": plan.region_prefix, "seed": plan.seed,
              "rates": plan.rates, "population": plan.population, "excluded": plan.excluded,
              "items": sorted([list(item) for item in items])}
    if plan.campaign_id is not None:  # a campaign's plan seals its campaign too (the monthly plans' seals unchanged)
        record["campaign"] = plan.campaign_id
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return salted_hmac("complaints.inspection-plan", canonical, algorithm="sha256").hexdigest()


def plan_verify(*, plan: InspectionPlan) -> bool:
    """Genuine when the recorded seed and population redraw the stored sample and the seal still matches."""
    sample = sampling.draw_entities(((eid, grade) for eid, grade in plan.population), plan.rates, plan.seed,
                                    already_drawn=plan.excluded, **_draw_calendar(plan.month, plan.campaign_id))
    items = list(plan.items.values_list("entity_id", "grade", "inspector_id"))
    stored = sorted(entity_id for entity_id, _grade, _inspector in items)
    # An unsealed plan cannot be vouched for: it fails closed.
    return sample == stored and bool(plan.seal) and constant_time_compare(plan.seal, _plan_seal(plan, items))


@transaction.atomic
def plan_publish(*, plan_id: int) -> InspectionPlan:
    plan = InspectionPlan.objects.select_for_update().get(pk=plan_id)
    if plan.published:
        raise ConflictError(_("该计划已公开。"), code="already_published")
    plan.published = True
    plan.published_at = timezone.now()
    plan.save(update_fields=["published", "published_at"])
    return plan


def jurisdictions() -> list[str]:
    """Every prefecture (4-digit prefix) with active entities: one plan each per month."""
    return sorted(
        Entity.objects.filter(status=EntityStatus.ACTIVE)
        .annotate(prefix=Substr("region_code", 1, 4))
        .values_list("prefix", flat=True)
        .distinct()
    )


def plan_draw_month(*, month: datetime.date) -> list[int]:
    """Beat job body: draw every jurisdiction's plan for the month, skipping those already drawn."""
    created = []
    for prefix in jurisdictions():
        if InspectionPlan.objects.filter(month=month.replace(day=1), region_prefix=prefix,
                                         campaign__isnull=True).exists():
            continue
        created.append(plan_draw(month=month, region_prefix=prefix).pk)
    return created
