"""Reads of 专项行动 (campaigns), scoped to the caller, and their results in two SQL statements.

Scope follows the accounts' jurisdictions (core.scope): a regulator's region prefixes (none: the whole province) and
an inspector's region prefixes x sectors. A campaign is in scope when its region and the caller's overlap (a
province-wide campaign concerns every city's staff; a 运城市 campaign concerns the province's and 运城's) and, for an
inspector, it covers one of the inspector's sectors. Out of scope is simply not found. Businesses see no campaign
through the staff API; the public sees ended ones (regulator.disclosure.campaigns).

The results count exactly the inspections tagged to the campaign: never the untagged inspections of the same
entities or period. A finding whose violation type the campaign does not target is counted, but as "other".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from complaints.campaigns import Campaign
from complaints.models import Finding, Inspection, Penalty, Severity

SEVERITIES = [value for value, _label in Severity.choices]
#: the penalties a result counts (``none`` is a finding without a penalty)
PENALTIES = [value for value, _label in Penalty.choices if value != Penalty.NONE]


def _overlapping_region_q(prefixes: Iterable[str]) -> Q:
    """Campaigns inside one of ``prefixes`` or whose region contains one of them."""
    conditions = []
    for prefix in prefixes:
        conditions.append(Q(region_prefix__startswith=prefix))
        conditions.append(Q(region_prefix__in=[prefix[:length] for length in (2, 4) if len(prefix) > length]))
    return reduce(or_, conditions)


def campaign_scope_q(user) -> Q | None:
    """The campaigns ``user`` sees (None: all)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_regulator:
        if user.is_superuser or not user.region_codes:
            return None
        return _overlapping_region_q(user.region_codes)
    if user.is_inspector:
        if not user.region_codes or not user.sectors:
            return Q(pk__in=[])
        return _overlapping_region_q(user.region_codes) & Q(sectors__overlap=list(user.sectors))
    return Q(pk__in=[])


def campaigns_in_scope(user) -> QuerySet[Campaign]:
    """Campaigns in the caller's scope, plain (a service locks its row from here)."""
    scope = campaign_scope_q(user)
    return Campaign.objects.all() if scope is None else Campaign.objects.filter(scope)


def campaigns_for(user) -> QuerySet[Campaign]:
    """Campaigns in the caller's scope, with their targeted types and tagged-inspection count (fixed queries)."""
    return (campaigns_in_scope(user).prefetch_related("violation_types")
            .annotate(inspection_count=Count("inspections", distinct=True)))


def ended_campaigns(*, today: datetime.date) -> QuerySet[Campaign]:
    """Campaigns whose period ended before ``today``: the ones whose results are public."""
    return (Campaign.objects.filter(ends_on__lt=today).prefetch_related("violation_types")
            .annotate(inspection_count=Count("inspections", distinct=True)).order_by("-ends_on", "-id"))


def within_jurisdiction(user, region_prefix: str) -> bool:
    """Whether a regulator may run a campaign over ``region_prefix`` (inside its jurisdiction)."""
    if not getattr(user, "is_regulator", False):
        return False
    if user.is_superuser or not user.region_codes:
        return True
    return any(region_prefix.startswith(code) for code in user.region_codes)


def campaign_results(campaign: Campaign) -> dict[str, Any]:
    """专项行动结果: tagged inspections, entities inspected, findings by type and severity, penalties by kind.

    Two statements: one over the tagged inspections, one over their findings grouped by violation type, severity
    and penalty (with whether the type is targeted, read in the same statement).
    """
    totals = Inspection.objects.filter(campaign=campaign).aggregate(
        inspections=Count("id", distinct=True),
        entities_inspected=Count("entity", distinct=True),
        inspections_with_findings=Count("id", distinct=True, filter=Q(findings__isnull=False)),
    )
    targeted = Campaign.violation_types.through.objects.filter(
        campaign_id=campaign.pk, violationtype_id=OuterRef("violation_type_id"))
    groups = (Finding.objects.filter(inspection__campaign=campaign)
              .values("violation_type_id", "violation_type__code", "violation_type__name", "severity", "penalty")
              .annotate(count=Count("id"), fines=Sum("fine_amount", filter=Q(penalty=Penalty.FINE)),
                        targeted=Exists(targeted))
              .order_by("violation_type__code", "severity", "penalty"))
    return {"campaign": campaign.pk, **totals, **_fold(groups)}


def _fold(groups: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The grouped finding rows folded into the result's sections (pure Python over at most types x 4 x 5 rows)."""
    by_type: dict[int, dict[str, Any]] = {}
    by_severity = dict.fromkeys(SEVERITIES, 0)
    penalties = dict.fromkeys(PENALTIES, 0)
    fine_total = Decimal("0.00")
    findings = {"total": 0, "targeted": 0, "other": 0}
    for row in groups:
        count = row["count"]
        entry = by_type.setdefault(row["violation_type_id"], {
            "violation_code": row["violation_type__code"], "violation_name": row["violation_type__name"],
            "targeted": bool(row["targeted"]), "count": 0, "by_severity": dict.fromkeys(SEVERITIES, 0)})
        entry["count"] += count
        entry["by_severity"][row["severity"]] = entry["by_severity"].get(row["severity"], 0) + count
        by_severity[row["severity"]] = by_severity.get(row["severity"], 0) + count
        findings["total"] += count
        findings["targeted" if row["targeted"] else "other"] += count
        if row["penalty"] in penalties:
            penalties[row["penalty"]] += count
        fine_total += row["fines"] or Decimal("0")
    # targeted types first, then the others; within each, by code
    ordered = sorted(by_type.values(), key=lambda entry: (not entry["targeted"], entry["violation_code"]))
    return {
        "findings": findings,
        "findings_by_type": ordered,
        "findings_by_severity": by_severity,
        "penalties": {"total": sum(penalties.values()), "by_kind": penalties,
                      "fine_total": fine_total.quantize(Decimal("0.01"))},
    }


def campaign_summaries(campaign_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per campaign of a list page: inspections, findings and penalties (one statement for the whole page)."""
    if not campaign_ids:
        return {}
    rows = (Inspection.objects.filter(campaign_id__in=campaign_ids).values("campaign_id")
            .annotate(inspection_total=Count("id", distinct=True), entity_total=Count("entity", distinct=True),
                      finding_total=Count("findings", distinct=True),
                      penalty_total=Count("findings", distinct=True, filter=~Q(findings__penalty=Penalty.NONE))))
    summaries = {pk: {"inspections": 0, "entities_inspected": 0, "findings": 0, "penalties": 0}
                 for pk in campaign_ids}
    for row in rows:
        summaries[row["campaign_id"]] = {"inspections": row["inspection_total"],
                                         "entities_inspected": row["entity_total"],
                                         "findings": row["finding_total"], "penalties": row["penalty_total"]}
    return summaries
