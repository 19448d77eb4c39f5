"""Services of the random inspection plan: draw, verify, publish (the draw itself is in sampling.py)."""

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
from complaints.models import InspectionPlan, InspectionPlanItem
from config.api.exceptions import ConflictError
from core.models import User, UserRole
from entities.models import Entity, EntityStatus


def _population(region_prefix: str) -> list[list]:
    rows = (
        Entity.objects.filter(region_code__startswith=region_prefix, status=EntityStatus.ACTIVE)
        .annotate(current_grade=Coalesce("credit_score__grade", Value("B")))
        .order_by("id")
        .values_list("id", "current_grade")
    )
    return [[entity_id, grade] for entity_id, grade in rows]


def _inspectors() -> list[sampling.InspectorScope]:
    users = User.objects.filter(role=UserRole.INSPECTOR, is_active=True).values_list("id", "region_codes", "sectors")
    return [sampling.InspectorScope(uid, tuple(regions), tuple(sectors)) for uid, regions, sectors in users]


@transaction.atomic
def plan_draw(*, month: datetime.date, region_prefix: str, rates: dict[str, float] | None = None,
              seed: str | None = None) -> InspectionPlan:
    """Draw one month's sample for a jurisdiction and record seed, population and sample."""
    month = month.replace(day=1)
    rates = rates or dict(sampling.DEFAULT_ANNUAL_RATES)
    rate_errors = sampling.validate_rates(rates)
    if rate_errors:
        raise ValidationError({"rates": [f"{grade}: {'; '.join(msgs)}" for grade, msgs in rate_errors.items()]})
    if InspectionPlan.objects.filter(month=month, region_prefix=region_prefix).exists():
        raise ConflictError(_("该辖区本月的抽查计划已经抽取。"), code="plan_exists")
    seed = seed or secrets.token_hex(16)
    population = _population(region_prefix)
    excluded = sorted(InspectionPlanItem.objects.filter(
        plan__region_prefix=region_prefix, plan__month__year=month.year, plan__month__lt=month
    ).values_list("entity_id", flat=True).distinct())
    sample = sampling.draw_entities(((eid, grade) for eid, grade in population), rates, seed, month=month.month,
                                    already_drawn=excluded)
    grades = dict(population)
    facts = Entity.objects.filter(pk__in=sample).values_list("id", "region_code", "sector")
    assignment = sampling.assign_inspectors(list(facts), _inspectors(), seed)
    plan = InspectionPlan.objects.create(
        month=month, region_prefix=region_prefix, seed=seed, rates=rates, population=population, excluded=excluded,
        population_size=len(population), sample_size=len(sample),
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
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return salted_hmac("complaints.inspection-plan", canonical, algorithm="sha256").hexdigest()


def plan_verify(*, plan: InspectionPlan) -> bool:
    """Genuine when the recorded seed and population redraw the stored sample and the seal still matches."""
    sample = sampling.draw_entities(((eid, grade) for eid, grade in plan.population), plan.rates, plan.seed,
                                    month=plan.month.month, already_drawn=plan.excluded)
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
        if InspectionPlan.objects.filter(month=month.replace(day=1), region_prefix=prefix).exists():
            continue
        created.append(plan_draw(month=month, region_prefix=prefix).pk)
    return created
