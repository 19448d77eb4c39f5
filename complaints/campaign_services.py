"""Writes of 专项行动 (campaigns) and the rule of tagging an inspection to one.

* ``campaign_create`` / ``campaign_update``: regulators only, within their jurisdiction; the period ordered, at least
  one sector, the kind one of ``CampaignKind`` (anything else is a 400 naming the field). An update may not move
  the scope or the period away from an inspection already tagged (400 naming the field that would).
* Tagging (``campaign_tag_errors``): an inspection may carry a campaign only if its entity lies within the
  campaign's sector and region scope and its date within the period, both days included; otherwise a 400 naming
  ``campaign``. An inspection recorded from the item of a campaign's draw carries that campaign and no other.
  A finding of a type the campaign does not target is allowed; the results count it as "other".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from complaints.campaign_selectors import campaigns_in_scope, within_jurisdiction
from complaints.campaigns import Campaign, CampaignKind
from complaints.models import Inspection, InspectionPlanItem, ViolationType
from complaints.selectors import inspections_for
from core.scope import Sector

_FIELDS = ("name", "kind", "sectors", "region_prefix", "starts_on", "ends_on", "description")


def _check_regulator(actor) -> None:
    if not getattr(actor, "is_regulator", False):
        raise PermissionDenied(_("只有监管人员可以设立或修改专项行动。"))


def _field_errors(campaign: Campaign, actor) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if campaign.kind not in CampaignKind.values:
        errors["kind"] = [_("未知的专项行动类型：%(kind)s。") % {"kind": campaign.kind}]
    sectors = list(campaign.sectors or [])
    unknown = [sector for sector in sectors if sector not in Sector.values]
    if not sectors:
        errors["sectors"] = [_("请至少选择一个行业。")]
    elif unknown:
        errors["sectors"] = [_("未知的行业：%(sectors)s。") % {"sectors": "、".join(unknown)}]
    elif len(set(sectors)) != len(sectors):
        errors["sectors"] = [_("行业不得重复。")]
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        errors["ends_on"] = [_("结束日期不得早于开始日期。")]
    if campaign.region_prefix and not within_jurisdiction(actor, campaign.region_prefix):
        errors["region_prefix"] = [_("该地区不在您的辖区内。")]
    return errors


def _save(campaign: Campaign, *, actor, violation_types: Iterable[ViolationType] | None) -> Campaign:
    errors = _field_errors(campaign, actor)
    try:
        campaign.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    campaign.sectors = sorted(campaign.sectors)
    campaign.save()
    if violation_types is not None:
        campaign.violation_types.set(list(violation_types))
    return campaign


@transaction.atomic
def campaign_create(*, actor, name: str, kind: str, sectors: list[str], region_prefix: str,
                    starts_on: datetime.date, ends_on: datetime.date, description: str = "",
                    violation_types: Iterable[ViolationType] = ()) -> Campaign:
    """Set up a campaign (专项行动) within the regulator's jurisdiction."""
    _check_regulator(actor)
    campaign = Campaign(name=name, kind=kind, sectors=list(sectors), region_prefix=region_prefix,
                        starts_on=starts_on, ends_on=ends_on, description=description, created_by=actor)
    return _save(campaign, actor=actor, violation_types=violation_types)


def _orphan_errors(campaign: Campaign) -> dict[str, list[str]]:
    """The fields whose new value would leave an inspection already tagged outside the campaign."""
    errors: dict[str, list[str]] = {}
    tagged = Inspection.objects.filter(campaign=campaign)
    if tagged.filter(inspected_on__lt=campaign.starts_on).exists():
        errors["starts_on"] = [_("已有标记为本行动的检查早于该开始日期。")]
    if tagged.filter(inspected_on__gt=campaign.ends_on).exists():
        errors["ends_on"] = [_("已有标记为本行动的检查晚于该结束日期。")]
    if tagged.exclude(entity__region_code__startswith=campaign.region_prefix).exists():
        errors["region_prefix"] = [_("已有标记为本行动的检查对象不在该地区范围内。")]
    if tagged.exclude(entity__sector__in=campaign.sectors).exists():
        errors["sectors"] = [_("已有标记为本行动的检查对象不在该行业范围内。")]
    return errors


@transaction.atomic
def campaign_update(*, campaign_id: int, actor, violation_types: Iterable[ViolationType] | None = None,
                    **changes: Any) -> Campaign:
    """Correct a campaign in scope; only the fields given change (``violation_types`` replaced when given)."""
    _check_regulator(actor)
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise ValidationError({name: [_("不能修改该字段。")] for name in sorted(unknown)})
    campaign = campaigns_in_scope(actor).select_for_update(of=("self",)).get(pk=campaign_id)
    for name, value in changes.items():
        setattr(campaign, name, list(value) if name == "sectors" else value)
    errors = _field_errors(campaign, actor)
    if not errors and campaign.starts_on <= campaign.ends_on:
        errors = _orphan_errors(campaign)
    if errors:
        raise ValidationError(errors)
    return _save(campaign, actor=actor, violation_types=violation_types)


def campaign_tag_errors(*, campaign: Campaign | None, region_code: str, sector: str, inspected_on: datetime.date,
                        plan_item: InspectionPlanItem | None = None) -> dict[str, list[str]]:
    """``{"campaign": [...]}`` when an inspection of these facts may not carry ``campaign``; empty when it may."""
    plan_campaign_id = plan_item.plan.campaign_id if plan_item is not None else None
    if plan_campaign_id is not None and (campaign is None or campaign.pk != plan_campaign_id):
        return {"campaign": [_("该检查来自专项行动的抽查计划，只能标记为该专项行动。")]}
    if campaign is None:
        return {}
    problems = []
    if not campaign.covers(region_code=region_code, sector=sector):
        problems.append(_("被检查主体不在专项行动的行业和地区范围内。"))
    if not campaign.runs_on(inspected_on):
        problems.append(_("检查日期不在专项行动期间（%(start)s 至 %(end)s）。")
                        % {"start": campaign.starts_on.isoformat(), "end": campaign.ends_on.isoformat()})
    return {"campaign": problems} if problems else {}


def plan_item_campaign(plan_item: InspectionPlanItem | None) -> Campaign | None:
    """The campaign an inspection recorded from ``plan_item`` carries (its plan's), or None."""
    if plan_item is None or plan_item.plan.campaign_id is None:
        return None
    return plan_item.plan.campaign


@transaction.atomic
def inspection_campaign_set(*, inspection_id: int, campaign: Campaign | None, actor) -> Inspection:
    """Tag (or, with None, untag) an inspection in the caller's scope; moving it moves its counts in the results."""
    if not (getattr(actor, "is_regulator", False) or getattr(actor, "is_inspector", False)):
        raise PermissionDenied(_("只有监管或执法人员可以标记专项行动。"))
    inspection = (inspections_for(actor).select_related("plan_item__plan").select_for_update(of=("self",))
                  .get(pk=inspection_id))
    if campaign is not None and not campaigns_in_scope(actor).filter(pk=campaign.pk).exists():
        raise ValidationError({"campaign": [_("专项行动不存在或不在您的范围内。")]})
    errors = campaign_tag_errors(campaign=campaign, region_code=inspection.entity.region_code,
                                 sector=inspection.entity.sector, inspected_on=inspection.inspected_on,
                                 plan_item=inspection.plan_item)
    if errors:
        raise ValidationError(errors)
    inspection.campaign = campaign
    inspection.save(update_fields=["campaign", "updated_at"])
    return inspection
