"""The customer's review page (家政服务评价): ``/reviews/<token>/``, the one-time link the firm's order sent.

Plain HTML, one form (works without JavaScript): the firm, the day, the kind of service and the worker's masked name;
1 to 5 stars and a comment; posted to the same service as ``POST /api/v1/public/reviews/<token>/``
(entities.review_services.review_submit). A used or expired link is a 410 page saying which; an unknown one a 404.
The address carries the token: never cached, never sent on to another site as a referrer.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from config.api.throttles import ComplaintCreateThrottle
from entities import review_services
from entities.review_selectors import link_summary
from regulator.portal.forms import add_errors
from regulator.portal.throttling import throttle
from regulator.portal.views import error_page, public_page

STARS = [(5, "5 星 · 很满意"), (4, "4 星 · 满意"), (3, "3 星 · 一般"), (2, "2 星 · 不满意"), (1, "1 星 · 很不满意")]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(label="服务评分", choices=STARS, coerce=int, widget=forms.RadioSelect,
                                    error_messages={"required": "请选择 1 至 5 星。", "invalid_choice": "请选择 1 至 5 星。"})
    comment = forms.CharField(label="评价内容（选填）", max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="最多 1000 字。请勿填写您的电话、住址或身份证号码。")


def _gone(request: HttpRequest, exc: review_services.ReviewLinkGone) -> HttpResponse:
    response = error_page(request, 410, "评价链接已失效", str(exc.detail))
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@public_page("GET", "HEAD", "POST")
@throttle(ComplaintCreateThrottle, methods=["POST"])
def review_link(request: HttpRequest, token: str) -> HttpResponse:
    order = review_services.order_by_token(token)
    if order is None:
        return error_page(request, 404, "评价链接无效", "没有与该链接对应的服务订单，请核对短信或邮件中的链接。")
    try:
        review_services.link_check(order)
    except review_services.ReviewLinkGone as exc:
        return _gone(request, exc)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                review_services.review_submit(token=token, rating=form.cleaned_data["rating"],
                                              comment=form.cleaned_data["comment"])
            except review_services.ReviewLinkGone as exc:
                return _gone(request, exc)
            except DjangoValidationError as exc:
                add_errors(form, exc)
            else:
                response = render(request, "web/review_done.html")
                response["Referrer-Policy"] = "same-origin"
                return response
    response = render(request, "web/review_form.html", {"order": link_summary(order), "form": form}, status=status)
    response["Referrer-Policy"] = "same-origin"
    return response


urlpatterns = [path("reviews/<str:token>/", review_link, name="review-link")]
