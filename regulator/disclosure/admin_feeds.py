"""变更推送 in the admin: subscriptions (the secret shown once), events, deliveries, the dead letters and their
redelivery.

A subscription's secret is on the page that made or rotated it and nowhere else (not in a message, which is kept
in a cookie or the session; in the database only encrypted). A dead letter (死信) paused its subscription so the
order holds; "重新投递" tries it again from its first attempt and resumes the subscription.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, RegulatorAdmin, Transition, adopt, error_text, link
from core.admin.jobs import beijing
from core.admin.labels import codes_label, in_words
from core.models import ClientScope, DepartmentClient
from entities.models import LicenceStatus, LicenceType
from regulator.disclosure import feed_services
from regulator.disclosure.feeds import (
    DeadLetter,
    DeliveryState,
    FeedDelivery,
    FeedEvent,
    FeedKind,
    FeedSubscription,
)
from regulator.lists.models import ListingStatus, ListType, SubjectType

PAYLOAD_KEYS = {
    "listing_id": _("名单记录编号"), "list_type": _("名单类型"), "subject_type": _("主体类型"), "person_role": _("任职身份"),
    "from_status": _("原状态"), "status": _("状态"), "decision_number": _("决定文号"), "decided_on": _("决定日期"),
    "published_on": _("公示日期"), "expires_on": _("期满日期"), "ended_on": _("移出日期"), "source_authority": _("来源机关"),
    "licence_id": _("许可证照编号"), "change": _("变更"), "licence_type": _("许可类型"), "number": _("证号"),
    "issued_on": _("发证日期"), "from_expires_on": _("原有效期至"), "record_id": _("双公示记录编号"),
    "category": _("类别"), "fine_amount": _("罚款金额（元）"), "publicity_until": _("公示截止期"),
    "authority_name": _("决定机关"), "authority_credit_code": _("决定机关统一社会信用代码"),
    "publication_ends_on": _("公示终止日期"), "end_reason": _("停止公示原因"), "credit_code": _("统一社会信用代码"),
    "name": _("名称"), "person_name": _("姓名"), "id_number_masked": _("身份证号（脱敏）"),
    "related_credit_code": _("关联主体统一社会信用代码"), "related_name": _("关联主体名称"),
}
PAYLOAD_VALUES = {**dict(ListType.choices), **dict(ListingStatus.choices), **dict(SubjectType.choices),
                  **dict(LicenceType.choices), "issued": _("发证"), "updated": _("变更")}
# LicenceStatus shares no code with ListingStatus but "expired" (期满移出 / 过期): a licence event says its own
LICENCE_VALUES = {**PAYLOAD_VALUES, **dict(LicenceStatus.choices)}


def _kinds_display(kinds) -> str:
    return codes_label(kinds, dict(FeedKind.choices))


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    kinds = forms.MultipleChoiceField(label=_("订阅的变更类型"), choices=FeedKind.choices,
                                      widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = FeedSubscription
        fields = ["client", "url", "kinds", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            self.fields["client"].queryset = DepartmentClient.objects.filter(scopes__contains=[ClientScope.PUSH.value])
            self.fields["client"].help_text = _("须持有“变更推送”权限。")
        self.fields["url"].help_text = _("https:// 地址；每个事件以签名的 POST 送达（见接口文档）。")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            feed_services.validate_url(url)
        except ValidationError as exc:
            raise forms.ValidationError(error_text(exc)) from exc
        return url


class RotateForm(forms.Form):
    overlap_hours = forms.IntegerField(label=_("旧密钥过渡期（小时）"), min_value=0, max_value=168,
                                       initial=feed_services.SECRET_OVERLAP_HOURS,
                                       help_text=_("过渡期内每次投递同时附新旧两个签名。"))


@admin.register(FeedSubscription)
class FeedSubscriptionAdmin(RegulatorAdmin):
    """推送订阅: made and edited by regulators; the secret shown once, on the page that made or rotated it."""

    allow_add = allow_change = True
    form = SubscriptionForm
    change_form_template = "admin/regulator/feedsubscription/change_form.html"
    list_display = ["id", "client_link", "url", "kinds_display", "is_active", "state_display", "delivered_through"]
    list_select_related = ["client"]
    list_filter = ["is_active", "client"]
    search_fields = ["url", "client__name"]
    readonly_fields = ["state_display", "delivered_through", "pause_reason", "paused_display", "secret_display"]
    client_link = link("client", _("部门客户端"))

    def get_fields(self, request, obj=None):
        fields = ["client", "url", "kinds", "is_active"]
        return fields if obj is None else [*fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "client"] if obj is not None else []

    @admin.display(description=_("订阅的变更类型"))
    def kinds_display(self, subscription: FeedSubscription) -> str:
        return _kinds_display(subscription.kinds)

    @admin.display(description=_("投递状态"))
    def state_display(self, subscription: FeedSubscription) -> str:
        if not subscription.is_active:
            return _("已停用")
        return _("已暂停（有死信待处理）") if subscription.paused_at else _("正常")

    @admin.display(description=_("暂停时间"))
    def paused_display(self, subscription: FeedSubscription) -> str:
        return beijing(subscription.paused_at)

    @admin.display(description=_("签名密钥"))
    def secret_display(self, subscription: FeedSubscription) -> str:
        return _("已加密保存，不再显示；如遗失请轮换。")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = feed_services.subscription_update(subscription_id=obj.pk, url=data["url"], kinds=data["kinds"],
                                                      is_active=data["is_active"])
        else:
            issued = feed_services.subscription_create(client_id=data["client"].pk, url=data["url"],
                                                       kinds=data["kinds"], actor=request.user)
            saved = issued.subscription
            if not data["is_active"]:
                saved = feed_services.subscription_update(subscription_id=saved.pk, url=saved.url, kinds=saved.kinds,
                                                          is_active=False)
            request._feed_secret = issued.secret
        adopt(obj, saved)

    def response_add(self, request, obj, post_url_continue=None):
        secret = getattr(request, "_feed_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        return self._secret_page(request, obj, secret, _("新订阅的签名密钥"))

    def _secret_page(self, request, subscription, secret, title, form=None):
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": subscription,
                   "title": title, "secret": secret, "form": form}
        response = TemplateResponse(request, "admin/regulator/feedsubscription/secret.html", context)
        response["Cache-Control"] = "no-store"  # the secret must not stay in a cache
        return response

    def get_urls(self):
        own = [path("<int:pk>/secret/rotate/", self.admin_site.admin_view(self.rotate_view),
                    name="regulator_feedsubscription_rotate")]
        return own + super().get_urls()

    def rotate_view(self, request, pk: int):
        """GET: the form; POST: the new secret, on this page only."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        subscription = get_object_or_404(FeedSubscription, pk=pk)
        form = RotateForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                issued = feed_services.subscription_secret_rotate(
                    subscription_id=subscription.pk, overlap_hours=form.cleaned_data["overlap_hours"])
            except ValidationError as exc:
                self.message_user(request, error_text(exc), messages.ERROR)
            else:
                self.log_change(request, subscription, str(_("轮换签名密钥")))
                return self._secret_page(request, issued.subscription, issued.secret, _("轮换后的签名密钥"))
        return self._secret_page(request, subscription, None, _("轮换签名密钥"), form=form)


@admin.register(FeedEvent)
class FeedEventAdmin(ReadOnlyAdmin):
    """变更事件: written by the database triggers in the changing transaction; read-only."""

    list_display = ["sequence", "kind", "subject_display", "occurred_display", "restricted"]
    list_filter = ["kind", "restricted"]
    search_fields = ["subject__credit_code", "subject__name"]
    fields = ["sequence", "kind", "restricted", "subject_display", "payload_display", "occurred_display",
              "source_display"]
    readonly_fields = fields

    @admin.display(description=_("主体"))
    def subject_display(self, event: FeedEvent) -> str:
        subject = event.subject or {}
        if subject.get("subject_type") == "person":
            return f"{subject.get('person_name', '')}（{subject.get('related_name') or '—'}）"
        return f"{subject.get('name', '')}（{subject.get('credit_code', '')}）"

    @admin.display(description=_("变更内容"))
    def payload_display(self, event: FeedEvent):
        values = LICENCE_VALUES if event.kind == FeedKind.LICENCE_CHANGED else PAYLOAD_VALUES
        return in_words(event.payload, values, keys=PAYLOAD_KEYS)

    @admin.display(description=_("发生时间"), ordering="occurred_at")
    def occurred_display(self, event: FeedEvent) -> str:
        return beijing(event.occurred_at)

    @admin.display(description=_("来源"))
    def source_display(self, event: FeedEvent) -> str:
        labels = {"regulator_listing": _("名单记录"), "entities_licence": _("许可证照"),
                  "regulator_publicityrecord": _("双公示记录")}
        return f"{labels.get(event.source_table, _('其他'))} #{event.source_id or '—'}"


class _DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "subscription_link", "event_link", "state", "attempts", "last_status_code",
                    "next_display", "dead_display"]
    list_select_related = ["subscription__client", "event"]
    list_filter = ["state", "subscription"]
    fields = ["subscription_link", "event_link", "state", "attempts", "last_status_code", "last_error",
              "created_display", "next_display", "delivered_display", "dead_display"]
    readonly_fields = fields
    subscription_link = link("subscription", _("推送订阅"))
    event_link = link("event", _("变更事件"))

    @admin.display(description=_("首次尝试时间"))
    def created_display(self, delivery: FeedDelivery) -> str:
        return beijing(delivery.created_at)

    @admin.display(description=_("下次尝试时间"))
    def next_display(self, delivery: FeedDelivery) -> str:
        return beijing(delivery.next_attempt_at)

    @admin.display(description=_("送达时间"))
    def delivered_display(self, delivery: FeedDelivery) -> str:
        return beijing(delivery.delivered_at)

    @admin.display(description=_("转入死信时间"), ordering="dead_at")
    def dead_display(self, delivery: FeedDelivery) -> str:
        return beijing(delivery.dead_at)


def _redeliver(request, delivery, data) -> None:
    feed_services.delivery_redeliver(delivery_id=delivery.pk)


REDELIVER = Transition("redeliver", _("重新投递"), _redeliver, applies=lambda d: d.state == DeliveryState.DEAD,
                       intro=_("从第一次尝试重新投递，并恢复该订阅；其后的事件仍按顺序在其后送达。"))


@admin.register(FeedDelivery)
class FeedDeliveryAdmin(_DeliveryAdmin):
    """投递记录: every attempt's outcome, read-only; a dead one is redelivered here or in 死信."""

    transitions = (REDELIVER,)


@admin.register(DeadLetter)
class DeadLetterAdmin(_DeliveryAdmin):
    """死信: deliveries given up after the maximum attempts; their subscriptions wait until redelivered."""

    transitions = (REDELIVER,)
    list_display = ["id", "subscription_link", "event_link", "attempts", "last_status_code", "last_error",
                    "dead_display"]
    list_filter = ["subscription"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=DeliveryState.DEAD)
