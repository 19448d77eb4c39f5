"""专项行动结果公开 pages: ``/campaigns/`` (ended campaigns) and ``/campaigns/<id>/`` (one campaign's results).

Plain HTML that works on a phone without script, in Chinese with Beijing dates. They show what the public campaign
API shows (regulator.disclosure.campaigns): ended campaigns only (a running one is "not found" until the day after
its end date), counts over exactly the tagged inspections, labels rather than codes, no inspector, no finding text.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from complaints.models import Penalty, Severity
from regulator.disclosure import campaigns
from regulator.portal.views import error_page, public_page

PAGE_SIZE = 20
SEVERITY_LABELS = dict(Severity.choices)
PENALTY_LABELS = {code: label for code, label in Penalty.choices if code != Penalty.NONE}


def _not_found(request: HttpRequest) -> HttpResponse:
    return error_page(request, 404, "未找到该专项行动",
                      "没有与该编号对应的已结束专项行动。专项行动在结束日期的次日起公开其结果。")


@public_page("GET", "HEAD")
def campaign_list(request: HttpRequest) -> HttpResponse:
    """Ended campaigns, newest end first, with their headline figures."""
    paginator = Paginator(campaigns.public_campaigns(today=timezone.localdate()), PAGE_SIZE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (EmptyPage, PageNotAnInteger):
        return error_page(request, 404, "无效页面", "该页不存在。")
    rows = campaigns.campaign_rows(list(page.object_list))
    return render(request, "web/campaigns.html", {"rows": rows, "page": page, "as_of": timezone.localdate()})


def _labelled_results(results: dict[str, Any]) -> dict[str, Any]:
    """The results with the Chinese labels the page prints beside the counts (never the codes)."""
    severities = [{"label": str(SEVERITY_LABELS[code]), "count": count}
                  for code, count in results["findings_by_severity"].items()]
    penalties = [{"label": str(PENALTY_LABELS[code]), "count": count}
                 for code, count in results["penalties"]["by_kind"].items()]
    types = [{**row, "severities": [{"label": str(SEVERITY_LABELS[code]), "count": count}
                                    for code, count in row["by_severity"].items()]}
             for row in results["findings_by_type"]]
    return {**results, "severities": severities, "penalty_rows": penalties, "types": types,
            "severity_headers": [str(SEVERITY_LABELS[code]) for code in results["findings_by_severity"]]}


@public_page("GET", "HEAD")
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One ended campaign and its results."""
    campaign = campaigns.public_campaign(campaign_id, today=timezone.localdate())
    if campaign is None:
        return _not_found(request)
    answer = campaigns.campaign_answer(campaign)
    return render(request, "web/campaign.html", {"campaign": answer, "results": _labelled_results(answer["results"]),
                                                 "as_of": timezone.localdate()})


urlpatterns = [
    path("campaigns/", campaign_list, name="campaigns"),
    path("campaigns/<int:campaign_id>/", campaign_detail, name="campaign"),
]
