"""诚信评选 on the business pages: the open rounds, applying for one's own entity, and one's applications.

A business applies only for the entities its account represents (another's is not found, 404); the service
checks the criteria at once and the page shows each result in words. Statuses, titles and results are words.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone

from config.api.exceptions import ConflictError
from entities.selectors import entities_for
from regulator.lists import award_selectors, award_services
from regulator.portal.business import business_page
from regulator.portal.forms import add_errors


class AwardApplyForm(forms.Form):
    entity = forms.TypedChoiceField(label="参评主体", coerce=int, choices=())
    statement = forms.CharField(label="申报说明（选填）", max_length=5000, required=False,
                                widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, entities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(entity.pk, f"{entity.name}（{entity.credit_code}）") for entity in entities]


def _page(request: HttpRequest, forms_by_round: dict | None = None, *, status: int = 200) -> HttpResponse:
    entities = list(entities_for(request.user).order_by("name"))
    day = timezone.localdate()
    rounds = [r for r in award_selectors.rounds_for(request.user) if r.opens_on <= day <= r.closes_on]
    forms_by_round = forms_by_round or {}
    return render(request, "web/business_awards.html", {
        "rounds": [{"round": r, "form": forms_by_round.get(r.pk) or AwardApplyForm(entities=entities,
                                                                                 prefix=f"r{r.pk}")}
                   for r in rounds],
        "applications": list(award_selectors.applications_for(request.user).order_by("-id")[:100]),
        "has_entities": bool(entities),
    }, status=status)


@business_page("GET", "HEAD")
def awards_home(request: HttpRequest) -> HttpResponse:
    return _page(request)


@business_page("POST")
def award_apply(request: HttpRequest, round_id: int) -> HttpResponse:
    entities = list(entities_for(request.user))
    form = AwardApplyForm(request.POST, entities=entities, prefix=f"r{round_id}")
    if not award_selectors.rounds_for(request.user).filter(pk=round_id).exists():
        raise Http404
    raw = request.POST.get(f"r{round_id}-entity", "")
    if raw.isdigit() and int(raw) not in {entity.pk for entity in entities}:
        raise Http404  # another business's entity is not found, as through the API
    if form.is_valid():
        try:
            application = award_services.award_apply(round_id=round_id, entity_id=form.cleaned_data["entity"],
                                                     actor=request.user,
                                                     statement=form.cleaned_data["statement"])
        except ConflictError as exc:
            form.add_error(None, str(exc.detail))
        except DjangoValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"已提交申报，自动核验结果：{application.get_status_display()}。")
            return redirect("web:business-awards")
    return _page(request, {round_id: form}, status=400)


urlpatterns = [
    path("business/awards/", awards_home, name="business-awards"),
    path("business/awards/<int:round_id>/apply/", award_apply, name="business-award-apply"),
]
