"""Django admin (in Chinese) of the household-service orders and reviews (家政服务评价): moderation by regulators.

Orders are read-only here (firms record them through their business accounts); the customer's contact is never
stored, so never shown. A review is approved or rejected, and a firm's reply likewise, by admin actions calling the
same services as the API (entities.review_services).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, RegulatorAdmin, Transition
from entities import review_services
from entities.reviews import ReplyStatus, ReviewStatus, ServiceOrder, ServiceReview
from entities.selectors import entity_ids_matching, person_ids_matching


class _OrderSearch:
    """Search by the firm (name or credit code) or the worker (name keys or whole ID number)."""

    entity_path = "entity"
    worker_path = "worker"

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return (queryset.filter(**{f"{self.entity_path}__in": entity_ids_matching(term)})
                | queryset.filter(**{f"{self.worker_path}__in": person_ids_matching(term)})), False


@admin.register(ServiceOrder)
class ServiceOrderAdmin(_OrderSearch, ReadOnlyAdmin):
    list_display = ["id", "entity", "worker", "service_kind", "served_on", "link_sent_at", "link_used_at"]
    list_filter = ["service_kind"]
    list_select_related = ["entity", "worker"]
    search_fields = ["reference"]
    search_help_text = _("按企业名称或信用代码、服务员姓名或身份证号码查找。")
    fields = ["entity", "employment", "worker", "service_kind", "served_on", "reference", "channels",
              "link_expires_at", "link_sent_at", "link_used_at", "recorded_by", "created_at"]
    readonly_fields = ["channels"]

    @admin.display(description=_("评价链接发送渠道"))
    def channels(self, order: ServiceOrder) -> str:
        """The channels in words (the contact itself was never stored)."""
        words = {"sms": _("短信"), "email": _("电子邮件")}
        return "、".join(str(words.get(name, _("其他"))) for name in order.link_channels or []) or "—"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("不予公开的理由"), max_length=300, help_text=_("企业可以看到该理由；公众看不到该评价。"))


def _approve(request, review, data):
    return review_services.review_approve(actor=request.user, review=review)


def _reject(request, review, data):
    return review_services.review_reject(actor=request.user, review=review, reason=data["reason"])


def _approve_reply(request, review, data):
    return review_services.reply_approve(actor=request.user, review=review)


def _reject_reply(request, review, data):
    return review_services.reply_reject(actor=request.user, review=review, reason=data["reason"])


@admin.register(ServiceReview)
class ServiceReviewAdmin(_OrderSearch, RegulatorAdmin):
    """家政服务评价: nothing is public before a regulator approves it here or through the API."""

    entity_path = "order__entity"
    worker_path = "order__worker"
    list_display = ["id", "order", "rating", "status", "reply_status", "submitted_at", "moderated_at"]
    list_filter = ["status", "reply_status", "rating"]
    list_select_related = ["order"]
    search_fields = ["comment"]
    search_help_text = _("按企业名称或信用代码、服务员姓名或身份证号码查找。")
    fields = ["order", "rating", "comment", "status", "comment_published", "rejection_reason", "moderated_by",
              "moderated_at", "reply", "reply_status", "reply_published", "reply_rejection_reason", "replied_at",
              "reply_moderated_at", "submitted_at"]
    readonly_fields = fields
    transitions = (
        Transition(name="review_approve", label=_("审核通过并公开评价"), run=_approve,
                   applies=lambda review: review.status == ReviewStatus.PENDING,
                   intro=_("评价内容中的电话、身份证号码和服务员全名将在公开时隐去。")),
        Transition(name="review_reject", label=_("不予公开评价"), run=_reject, form_class=ReasonForm,
                   applies=lambda review: review.status == ReviewStatus.PENDING),
        Transition(name="reply_approve", label=_("审核通过并公开企业回复"), run=_approve_reply,
                   applies=lambda review: review.reply_status == ReplyStatus.PENDING),
        Transition(name="reply_reject", label=_("不予公开企业回复"), run=_reject_reply, form_class=ReasonForm,
                   applies=lambda review: review.reply_status == ReplyStatus.PENDING),
    )
