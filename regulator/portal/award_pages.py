"""诚信评选公示 (public pages): the applications in their notice period, each with an objection form, and the awards
in force; plus the award badges of the operator page, the search results and the credit report PDF.

Anyone may object inside the notice period; the reason is required, a name and contact are optional and never
published (only regulators read them, in the admin). Objections are throttled like complaint filing. Dates in
words, Beijing time; no code is printed on a page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from config.api.exceptions import ConflictError
from config.api.throttles import ComplaintCreateThrottle, PublicThrottle
from regulator.lists import award_selectors, award_services
from regulator.portal.forms import add_errors
from regulator.portal.throttling import throttle
from regulator.portal.views import error_page, pages_404


class AwardObjectionForm(forms.Form):
    reason = forms.CharField(label="异议理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="请说明该经营主体不符合评选条件的事实，如投诉、处罚等。")
    name = forms.CharField(label="您的姓名或名称（选填，不公开）", max_length=100, required=False)
    contact = forms.CharField(label="联系方式（选填，不公开）", max_length=100, required=False,
                              help_text="仅供监管部门核实异议时联系，不会公开。")


def _context(day, forms_by_id: dict[int, AwardObjectionForm] | None = None) -> dict[str, Any]:
    notices = list(award_selectors.public_notices(day=day)[:200])
    forms_by_id = forms_by_id or {}
    return {"as_of": day,
            "notices": [{"application": a, "form": forms_by_id.get(a.pk) or AwardObjectionForm(prefix=f"a{a.pk}")}
                        for a in notices],
            "granted": list(award_selectors.awards_in_force(day=day)[:500])}


@require_http_methods(["GET", "HEAD"])
@throttle(PublicThrottle, anonymous=True)
@pages_404
def awards_page(request: HttpRequest) -> HttpResponse:
    """诚信评选公示: in notice (objections open) and granted."""
    return render(request, "web/awards.html", _context(timezone.localdate()))


@require_http_methods(["POST"])
@throttle(ComplaintCreateThrottle, methods=["POST"])
@pages_404
def award_objection(request: HttpRequest, application_id: int) -> HttpResponse:
    """提出公示异议 (the form of one application on the notice page)."""
    day = timezone.localdate()
    form = AwardObjectionForm(request.POST, prefix=f"a{application_id}")
    if form.is_valid():
        try:
            award_services.award_object(application_id=application_id, **form.cleaned_data)
        except ConflictError as exc:
            return error_page(request, 409, "不在公示期内", str(exc.detail))
        except DjangoValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "异议已收到，监管部门将在作出授予决定前处理。您填写的姓名和联系方式不会公开。")
            return redirect("web:awards")
    if not award_selectors.public_notices(day=day).filter(pk=application_id).exists():
        return error_page(request, 404, "未找到", "该参评主体不在公示期内。")
    return render(request, "web/awards.html", _context(day, {application_id: form}), status=400)


urlpatterns = [
    path("awards/", awards_page, name="awards"),
    path("awards/<int:application_id>/objection/", award_objection, name="award-objection"),
]


# ------------------------------------------------------------------ the credit report PDF


def pdf_story(credit_code: str, *, as_of, heading_style, body_style, facts) -> list:
    """The report's 诚信评选 section: each award in force, its number, basis and validity (reportlab flowables)."""
    from reportlab.platypus import Paragraph

    badges = award_selectors.badges_by_credit_code(credit_code, day=as_of)
    story: list = [Paragraph("诚信评选获评信息", heading_style)]
    if not badges:
        return [*story, Paragraph("截至报告日期，无有效期内的诚信企业、诚信商家或文明诚信商户称号。", body_style)]
    for badge in badges:
        story.append(facts([("称号", badge["kind_label"]), ("评选批次", badge["round_name"]),
                            ("授予文号", badge["decision_number"]), ("依据", badge["legal_basis"]),
                            ("有效期", f"{badge['decided_on']:%Y-%m-%d} 至 {badge['valid_until']:%Y-%m-%d}")]))
    return story
