"""专项行动结果公开 (published campaign results): what the public API and pages show of a campaign once it has ended.

A campaign is public from the day after its ``ends_on`` (Beijing date); a running or future one is simply not
found. The public sees the campaign's name, kind, scope, period, the targeted violation types and its results:
counts of inspections, entities inspected, findings by type and severity, penalties by kind and the fine total,
over exactly the inspections tagged to it (complaints.campaign_selectors). Never an inspector's name, never a
finding's description or an inspection's notes; the campaign's own description goes out through
:func:`redaction.redact` like every free text the public reads.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from complaints import campaign_selectors
from complaints.campaigns import Campaign, CampaignKind
from core.scope import Sector, region_name
from regulator.disclosure.redaction import redact

KIND_LABELS = dict(CampaignKind.choices)
SECTOR_LABELS = dict(Sector.choices)


def public_campaigns(*, today: datetime.date) -> QuerySet[Campaign]:
    """The ended campaigns, newest end first (their types prefetched: a fixed number of queries per page)."""
    return campaign_selectors.ended_campaigns(today=today)


def public_campaign(campaign_id: int, *, today: datetime.date) -> Campaign | None:
    """One ended campaign, or None (running, future and unknown alike)."""
    return public_campaigns(today=today).filter(pk=campaign_id).first()


def campaign_row(campaign: Campaign, summary: dict[str, int] | None = None) -> dict[str, Any]:
    """The campaign as the public reads it; ``summary`` adds the list page's headline figures."""
    row: dict[str, Any] = {
        "id": campaign.pk,
        "name": campaign.name,
        "kind": campaign.kind,
        "kind_label": str(KIND_LABELS.get(campaign.kind, "")),
        "sectors": list(campaign.sectors),
        "sector_labels": [str(SECTOR_LABELS.get(sector, "")) for sector in campaign.sectors],
        "region_prefix": campaign.region_prefix,
        "region_name": region_name(campaign.region_prefix.ljust(6, "0")) or "",
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "description": redact(campaign.description) or "",
        "violation_types": [{"code": vt.code, "name": vt.name}
                            for vt in sorted(campaign.violation_types.all(), key=lambda vt: vt.code)],
    }
    if summary is not None:
        row["summary"] = summary
    return row


def campaign_rows(campaigns: list[Campaign]) -> list[dict[str, Any]]:
    """Rows of one list page with their headline figures (one statement for the page's figures)."""
    summaries = campaign_selectors.campaign_summaries([campaign.pk for campaign in campaigns])
    return [campaign_row(campaign, summaries[campaign.pk]) for campaign in campaigns]


def campaign_answer(campaign: Campaign) -> dict[str, Any]:
    """The detail: the campaign and its full results (counts only: no inspector, no free text of a finding)."""
    results = campaign_selectors.campaign_results(campaign)
    results.pop("campaign", None)
    return {**campaign_row(campaign), "results": results}
