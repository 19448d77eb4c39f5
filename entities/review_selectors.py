"""Reads of the household-service reviews (家政服务评价), scoped to the caller; and the public summaries.

A firm sees only its own orders and the reviews of them (another firm's order or review is not found); regulators
see all, inspectors those of firms in their scope. The public sees only published reviews, and of a worker or a
firm only their count and average.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, QuerySet

from entities.reviews import ReviewStatus, ServiceKind, ServiceOrder, ServiceReview
from entities.selectors import entity_scope_q


def orders_for(user) -> QuerySet[ServiceOrder]:
    """Orders of the firms in the caller's scope, with what a list shows (worker, firm, review) in one query."""
    queryset = ServiceOrder.objects.select_related("entity", "worker", "review")
    scope = entity_scope_q(user, "entity__")
    return queryset if scope is None else queryset.filter(scope)


def reviews_for(user) -> QuerySet[ServiceReview]:
    queryset = ServiceReview.objects.select_related("order__entity", "order__worker")
    scope = entity_scope_q(user, "order__entity__")
    return queryset if scope is None else queryset.filter(scope)


def published_reviews() -> QuerySet[ServiceReview]:
    return ServiceReview.objects.filter(status=ReviewStatus.PUBLISHED).select_related("order__entity",
                                                                                    "order__worker")


def _average(value) -> float | None:
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def review_summary(*, worker_id: int | None = None, entity_id: int | None = None) -> dict[str, Any]:
    """``{"count", "average"}`` of the published reviews of a worker (any firm) or a firm; average to 2 places,
    null when there is none."""
    queryset = published_reviews()
    if worker_id is not None:
        queryset = queryset.filter(order__worker_id=worker_id)
    if entity_id is not None:
        queryset = queryset.filter(order__entity_id=entity_id)
    figures = queryset.aggregate(count=Count("id"), average=Avg("rating"))
    return {"count": figures["count"], "average": _average(figures["average"])}


def review_summaries(*, entity_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The summary of many firms in one query (search results, lists)."""
    ids = list(entity_ids)
    rows = (published_reviews().filter(order__entity_id__in=ids).values("order__entity_id")
            .annotate(count=Count("id"), average=Avg("rating")).order_by())
    found = {row["order__entity_id"]: {"count": row["count"], "average": _average(row["average"])} for row in rows}
    return {pk: found.get(pk, {"count": 0, "average": None}) for pk in ids}


def latest_published(*, entity_id: int, limit: int = 5) -> list[ServiceReview]:
    """The firm's latest published reviews, for its public page (comment and reply as published, redacted)."""
    return list(published_reviews().filter(order__entity_id=entity_id).order_by("-moderated_at", "-id")[:limit])


def masked_name(name: str) -> str:
    """张三 -> 张*: the surname only, as the public card shows a worker."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def link_summary(order: ServiceOrder) -> dict[str, Any]:
    """What the customer sees before rating: the firm, the day, the kind of service, the worker masked."""
    return {"firm_name": order.entity.name, "worker_name": masked_name(order.worker.name),
            "service_kind": order.service_kind, "service_kind_label": str(ServiceKind(order.service_kind).label),
            "served_on": order.served_on, "expires_at": order.link_expires_at}
