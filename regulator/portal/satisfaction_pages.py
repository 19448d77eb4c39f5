"""投诉处理满意度评价 on the tracking page (满意在山西): the form is on ``/complaints/track/<code>/`` once the complaint is
resolved or closed (web/_satisfaction.html); it posts here, to the same service as the API
(complaints.satisfaction.satisfaction_rate). Plain HTML: it works without JavaScript. The tracking code in the
address is the complainant's key: a code of no complaint is a 404.
"""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache

from complaints import satisfaction, tracking_codes
from complaints.models import Complaint
from config.api.exceptions import ConflictError
from config.api.throttles import ComplaintCreateThrottle
from regulator.portal.forms import add_errors
from regulator.portal.throttling import throttle
from regulator.portal.views import public_page

RATING_CHOICES = [(5, "5 分 · 很满意"), (4, "4 分 · 满意"), (3, "3 分 · 一般"), (2, "2 分 · 不满意"), (1, "1 分 · 很不满意")]


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(label="处理满意度", choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect,
                                    error_messages={"required": "请选择 1 至 5 分。", "invalid_choice": "请选择 1 至 5 分。"})
    comment = forms.CharField(label="意见（选填）", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="最多 500 字，仅监管人员可见，请勿填写身份证号码等个人信息。")


@never_cache
@public_page("POST")
@throttle(ComplaintCreateThrottle, methods=["POST"])
def complaint_satisfaction(request: HttpRequest, code: str) -> HttpResponse:
    found = tracking_codes.candidates(code)
    if not found:
        raise Http404
    complaint = get_object_or_404(Complaint.objects.all(), tracking_code__in=found)
    form = SatisfactionForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            satisfaction.satisfaction_rate(complaint=complaint, rating=form.cleaned_data["rating"],
                                           comment=form.cleaned_data["comment"])
        except ConflictError as exc:
            add_errors(form, exc)
            status = 409
        else:
            return redirect(reverse("web:complaint-status", kwargs={"code": complaint.tracking_code})
                            + "?rated=1#satisfaction")
    complaint.refresh_from_db()
    rateable = satisfaction.rateable(complaint) and not hasattr(complaint, "satisfaction")
    return render(request, "web/satisfaction_form.html", {"complaint": complaint, "satisfaction_form": form,
                                                          "rateable": rateable}, status=status)


urlpatterns = [
    path("complaints/track/<str:code>/satisfaction/", complaint_satisfaction, name="complaint-satisfaction"),
]
