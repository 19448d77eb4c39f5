"""Household-service orders and reviews (家政服务评价): ``/api/v1/service-orders/``, ``/api/v1/reviews/`` and the
customer's ``/api/v1/public/reviews/<token>/``.

Thin views over entities.review_selectors (reads scoped: a firm sees its own orders and reviews, another firm's is a
404) and entities.review_services (writes: orders by a firm's business account or a regulator, the reply by the
firm, moderation by regulators). No answer ever carries the customer's phone, e-mail or their hash.
"""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.filters import DateFilter, FilterSet, IdFilter
from config.api.serializers import ModelSerializer, ScopedPrimaryKeyRelatedField, Serializer
from config.api.throttles import PublicThrottle
from entities import review_selectors as selectors
from entities import review_services as services
from entities import worker_selectors
from entities.reviews import ReplyStatus, ReviewStatus, ServiceKind, ServiceOrder, ServiceReview

_NOT_FOUND = OpenApiResponse(description="不存在或不在权限范围内")
_CONFLICT = OpenApiResponse(description="与当前审核状态冲突")
_FORBIDDEN = OpenApiResponse(description="无权执行该操作（审核仅限监管人员）")
_BAD = OpenApiResponse(description="输入有误（按字段给出错误）")
_GONE = OpenApiResponse(description="评价链接已使用或已过期（code 为 review_link_used 或 review_link_expired）")


class _SignedIn(permissions.BasePermission):
    """Reads for signed-in staff and business accounts (scoped by the selectors); writes for regulators and
    business accounts (moderation is checked again by the service: regulators only)."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if request.method in permissions.SAFE_METHODS:
            return bool(user.is_regulator or user.is_inspector or user.is_business)
        return bool(user.is_regulator or user.is_business)


@extend_schema_field(OpenApiTypes.INT)
class _Scoped(ScopedPrimaryKeyRelatedField):
    """An id among those the caller may use (the schema says integer)."""


class _ReviewBriefSerializer(ModelSerializer):
    class Meta:
        model = ServiceReview
        fields = ["id", "rating", "status", "reply_status", "submitted_at"]
        read_only_fields = fields


class ServiceOrderSerializer(ModelSerializer):
    """A service order as its firm and regulators see it: never the customer's contact or its hash."""

    entity = _Scoped(worker_selectors.writable_firms, help_text=_("提供服务的家政服务企业。"))
    worker = _Scoped(worker_selectors.workers_for, help_text=_("提供服务的家政服务员（服务日期须受雇于该企业）。"))
    entity_name = serializers.CharField(source="entity.name", read_only=True)
    worker_name = serializers.CharField(source="worker.name", read_only=True)
    customer_phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=32,
                                           help_text=_("客户手机号：仅用于发送评价链接，只保存其密钥哈希。"))
    customer_email = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=254,
                                           help_text=_("客户邮箱：仅用于发送评价链接，不保存。"))
    link_sent = serializers.SerializerMethodField()
    link_used = serializers.SerializerMethodField()
    review = serializers.SerializerMethodField()

    class Meta:
        model = ServiceOrder
        fields = ["id", "entity", "entity_name", "worker", "worker_name", "service_kind", "served_on", "reference",
                  "customer_phone", "customer_email", "link_channels", "link_sent", "link_expires_at", "link_used",
                  "review", "created_at"]
        read_only_fields = ["id", "entity_name", "worker_name", "link_channels", "link_expires_at", "created_at"]

    def get_link_sent(self, order: ServiceOrder) -> bool:
        return order.link_sent_at is not None

    def get_link_used(self, order: ServiceOrder) -> bool:
        return order.link_used_at is not None

    @extend_schema_field(_ReviewBriefSerializer(allow_null=True))
    def get_review(self, order: ServiceOrder):
        review = getattr(order, "review", None) if hasattr(order, "review") else None
        return _ReviewBriefSerializer(review).data if review is not None else None


class ServiceReviewSerializer(ModelSerializer):
    """A review as its firm and regulators see it; the comment with phones and ID numbers taken out."""

    entity = serializers.IntegerField(source="order.entity_id", read_only=True)
    worker = serializers.IntegerField(source="order.worker_id", read_only=True)
    served_on = serializers.DateField(source="order.served_on", read_only=True)
    comment = serializers.SerializerMethodField()

    class Meta:
        model = ServiceReview
        fields = ["id", "order", "entity", "worker", "served_on", "rating", "comment", "status", "rejection_reason",
                  "moderated_at", "reply", "reply_status", "reply_rejection_reason", "replied_at", "submitted_at"]
        read_only_fields = fields

    def get_comment(self, review: ServiceReview) -> str:
        return services.redacted(review.comment, names=[])


class ReplySerializer(Serializer):
    text = serializers.CharField(max_length=1000, help_text=_("企业回复（每条评价一条，审核前可修改）。"))


class ModerationSerializer(Serializer):
    target = serializers.ChoiceField(choices=[("review", _("评价")), ("reply", _("企业回复"))], default="review",
                                     help_text=_("审核对象：评价（默认）或企业回复。"))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True,
                                   help_text=_("不予公开的理由（驳回时必填）。"))


class ReviewFilter(FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ReviewStatus.choices)
    reply_status = django_filters.MultipleChoiceFilter(choices=ReplyStatus.choices)
    entity = IdFilter(field_name="order__entity_id")
    worker = IdFilter(field_name="order__worker_id")

    class Meta:
        model = ServiceReview
        fields = ["status", "reply_status", "entity", "worker"]


class OrderFilter(FilterSet):
    entity = IdFilter(field_name="entity_id")
    worker = IdFilter(field_name="worker_id")
    service_kind = django_filters.MultipleChoiceFilter(choices=ServiceKind.choices)
    served_after = DateFilter(field_name="served_on", lookup_expr="gte")
    served_before = DateFilter(field_name="served_on", lookup_expr="lte")

    class Meta:
        model = ServiceOrder
        fields = ["entity", "worker", "service_kind"]


@extend_schema_view(
    list=extend_schema(summary="家政服务订单列表"),
    retrieve=extend_schema(summary="查看家政服务订单", responses={200: ServiceOrderSerializer, 404: _NOT_FOUND}),
    create=extend_schema(summary="登记家政服务订单（向客户发送评价链接）",
                         responses={201: ServiceOrderSerializer, 400: _BAD, 409: _CONFLICT}))
class ServiceOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """家政服务订单: the firm's record of one service, the basis of the customer's one review."""

    serializer_class = ServiceOrderSerializer
    permission_classes = [_SignedIn]
    queryset = ServiceOrder.objects.none()
    filterset_class = OrderFilter
    ordering_fields = ["served_on", "id"]

    def get_queryset(self):
        return selectors.orders_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.service_order_create(actor=self.request.user, **serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="家政服务评价列表"),
    retrieve=extend_schema(summary="查看家政服务评价", responses={200: ServiceReviewSerializer, 404: _NOT_FOUND}))
class ServiceReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """家政服务评价: the firm replies; regulators approve or reject before anything is public."""

    serializer_class = ServiceReviewSerializer
    permission_classes = [_SignedIn]
    queryset = ServiceReview.objects.none()
    filterset_class = ReviewFilter
    ordering_fields = ["submitted_at", "id"]

    def get_queryset(self):
        return selectors.reviews_for(self.request.user)

    def _answer(self, review: ServiceReview) -> Response:
        return Response(ServiceReviewSerializer(review, context=self.get_serializer_context()).data)

    @extend_schema(request=ReplySerializer, summary="企业回复评价",
                   responses={200: ServiceReviewSerializer, 400: _BAD, 404: _NOT_FOUND, 409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        review = self.get_object()
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(services.review_reply(actor=request.user, review=review, text=body.validated_data["text"]))

    @extend_schema(request=ModerationSerializer, summary="审核通过（公开评价或企业回复）",
                   responses={200: ServiceReviewSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        review = self.get_object()
        body = ModerationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.reply_approve if body.validated_data["target"] == "reply" else services.review_approve
        return self._answer(run(actor=request.user, review=review))

    @extend_schema(request=ModerationSerializer, summary="审核不予公开（须说明理由）",
                   responses={200: ServiceReviewSerializer, 400: _BAD, 403: _FORBIDDEN, 404: _NOT_FOUND,
                              409: _CONFLICT})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        review = self.get_object()
        body = ModerationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = services.reply_reject if body.validated_data["target"] == "reply" else services.review_reject
        return self._answer(run(actor=request.user, review=review, reason=body.validated_data.get("reason", "")))


class ReviewLinkSerializer(Serializer):
    """What the customer sees before rating: the firm, the day, the kind of service; the worker masked."""

    firm_name = serializers.CharField()
    worker_name = serializers.CharField(help_text="掩码姓名，如 王**")
    service_kind = serializers.CharField()
    service_kind_label = serializers.CharField()
    served_on = serializers.DateField()
    expires_at = serializers.DateTimeField()


class ReviewSubmitSerializer(Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5, help_text="1 至 5 星")
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class ReviewSubmittedSerializer(Serializer):
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    detail = serializers.CharField()


class PublicReviewLinkView(APIView):
    """The customer's one-time review link: ``GET`` what is reviewed, ``POST`` the rating (once, before expiry)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [PublicThrottle]

    def _order(self, token: str) -> ServiceOrder:
        order = services.order_by_token(token)
        if order is None:
            raise NotFound(_("评价链接无效。"))
        return order

    @extend_schema(summary="打开评价链接", responses={200: ReviewLinkSerializer, 404: _NOT_FOUND, 410: _GONE},
                   tags=["public"])
    def get(self, request, token: str):
        order = self._order(token)
        services.link_check(order)
        return Response(ReviewLinkSerializer(selectors.link_summary(order)).data)

    @extend_schema(summary="提交服务评价", request=ReviewSubmitSerializer,
                   responses={201: ReviewSubmittedSerializer, 400: _BAD, 404: _NOT_FOUND, 410: _GONE},
                   tags=["public"])
    def post(self, request, token: str):
        self._order(token)
        body = ReviewSubmitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = services.review_submit(token=token, **body.validated_data)
        return Response({"status": review.status, "detail": str(_("感谢您的评价。评价经监管部门审核后公开。"))},
                        status=status.HTTP_201_CREATED)


def register(router) -> None:
    """The review routes, added to the registry's router (entities/api/urls.py)."""
    router.register("service-orders", ServiceOrderViewSet, basename="service-order")
    router.register("reviews", ServiceReviewViewSet, basename="service-review")
