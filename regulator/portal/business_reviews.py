"""Business pages of a household-service firm's service orders and reviews (家政服务评价).

``/business/orders/``: record an order (the worker employed on the day, the kind of service, the customer's phone or
e-mail to send the review link to, used once and never kept) and list the firm's orders; ``/business/reviews/``: the
reviews of its orders with their moderation state, and the firm's one reply (editable until moderated). Business
accounts only (business.business_page); every order and review comes from the caller's scoped selectors, so another
firm's is not found (404). The forms post to the same services as the API. Works without JavaScript.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from config.api.exceptions import ConflictError
from entities import review_selectors, review_services, worker_selectors
from entities.reviews import ReplyStatus, ReviewStatus, ServiceKind
from regulator.portal.business import business_page
from regulator.portal.forms import add_errors

_DATE = forms.DateInput(attrs={"type": "date"})
STATUS_LABELS = dict(ReviewStatus.choices)
REPLY_LABELS = dict(ReplyStatus.choices)
KIND_LABELS = dict(ServiceKind.choices)
LIST_SIZE = 200


class _WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.id_number_masked}）"


class OrderForm(forms.Form):
    entity = forms.ModelChoiceField(label="家政服务企业", queryset=None, empty_label=None)
    worker = _WorkerChoice(label="服务员", queryset=None, empty_label="请选择服务员",
                          help_text="服务日期当天须在本企业在职。")
    served_on = forms.DateField(label="服务日期", widget=_DATE)
    service_kind = forms.ChoiceField(label="服务类型", choices=ServiceKind.choices)
    reference = forms.CharField(label="企业订单号（选填）", max_length=64, required=False)
    customer_phone = forms.CharField(label="客户手机号码", max_length=32, required=False,
                                     help_text="仅用于向客户发送一次性评价链接，平台不保存该号码。",
                                     widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    customer_email = forms.EmailField(label="客户电子邮箱（选填）", max_length=254, required=False,
                                      help_text="未填写手机号码时必填；仅用于发送评价链接，平台不保存。",
                                      widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = worker_selectors.writable_firms(user).order_by("id")
        self.fields["worker"].queryset = worker_selectors.workers_for(user).order_by("name", "id")


class ReplyForm(forms.Form):
    text = forms.CharField(label="企业回复", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="每条评价只能回复一次；监管部门审核前可以修改。")


def _orders(request: HttpRequest):
    return [{"order": order, "kind": KIND_LABELS.get(order.service_kind, ""),
             "review": getattr(order, "review", None) if hasattr(order, "review") else None}
            for order in review_selectors.orders_for(request.user).order_by("-served_on", "-id")[:LIST_SIZE]]


@business_page("GET", "HEAD", "POST")
def orders(request: HttpRequest) -> HttpResponse:
    form = OrderForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                review_services.service_order_create(actor=request.user, **form.cleaned_data)
            except (DjangoValidationError, ConflictError) as exc:
                add_errors(form, exc)
                status = 409 if isinstance(exc, ConflictError) else 400
            else:
                messages.success(request, "服务订单已登记，评价链接已发送给客户。平台不保存客户的联系方式。")
                return redirect("web:business-orders")
    return render(request, "web/business_orders.html", {"form": form, "rows": _orders(request),
                                                        "link_days": review_services.link_days(),
                                                        "today": timezone.localdate()}, status=status)


def _review_rows(request: HttpRequest, bound: dict | None = None):
    rows = []
    for review in review_selectors.reviews_for(request.user).order_by("-submitted_at", "-id")[:LIST_SIZE]:
        key = f"reply-{review.pk}"
        open_for_reply = review.reply_status in (ReplyStatus.NONE, ReplyStatus.PENDING)
        form = (bound or {}).get(key) or ReplyForm(prefix=key, initial={"text": review.reply})
        rows.append({"review": review, "status": STATUS_LABELS.get(review.status, ""),
                     "reply_status": REPLY_LABELS.get(review.reply_status, ""),
                     "kind": KIND_LABELS.get(review.order.service_kind, ""),
                     "comment": review_services.redacted(review.comment, names=[]),
                     "form": form if open_for_reply else None})
    return rows


@business_page("GET", "HEAD")
def reviews(request: HttpRequest) -> HttpResponse:
    return render(request, "web/business_reviews.html", {"rows": _review_rows(request)})


@business_page("POST")
def review_reply(request: HttpRequest, review_id: int) -> HttpResponse:
    review = get_object_or_404(review_selectors.reviews_for(request.user), pk=review_id)
    key = f"reply-{review.pk}"
    form = ReplyForm(request.POST, prefix=key)
    status = 400
    if form.is_valid():
        try:
            review_services.review_reply(actor=request.user, review=review, text=form.cleaned_data["text"])
        except (DjangoValidationError, ConflictError) as exc:
            add_errors(form, exc)
            status = 409 if isinstance(exc, ConflictError) else 400
        else:
            messages.success(request, "回复已提交，经监管部门审核后公开。")
            return redirect("web:business-reviews")
    return render(request, "web/business_reviews.html", {"rows": _review_rows(request, {key: form})},
                  status=status)


urlpatterns = [
    path("business/orders/", orders, name="business-orders"),
    path("business/reviews/", reviews, name="business-reviews"),
    path("business/reviews/<int:review_id>/reply/", review_reply, name="business-review-reply"),
]
