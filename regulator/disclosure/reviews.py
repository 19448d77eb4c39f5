"""家政服务评价 as the public reads it: of a worker or a household-service firm, the count and average of the
published reviews; on a firm's page also its latest published reviews, comment and reply as approved (redacted on
approval by entities.review_services). Never a customer, a phone or an unmoderated or rejected review.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.scope import Sector
from entities.models import Entity
from entities.review_selectors import latest_published, review_summary
from entities.reviews import ReplyStatus, ServiceKind

LATEST_SHOWN = 5


def worker_reviews(person_id: int) -> dict[str, Any]:
    """``{"count", "average"}`` of the worker's published reviews (whichever firm they worked for)."""
    return review_summary(worker_id=person_id)


def firm_reviews(entity: Entity) -> dict[str, Any] | None:
    """``{"count", "average"}`` of a household-service firm's published reviews; None for other sectors."""
    if entity.sector != Sector.HOUSEHOLD_SERVICE:
        return None
    return review_summary(entity_id=entity.pk)


def firm_review_page(entity: Entity) -> dict[str, Any] | None:
    """The summary and the latest published reviews, in words, for the operator page."""
    summary = firm_reviews(entity)
    if summary is None:
        return None
    kinds = dict(ServiceKind.choices)
    latest = [{"rating": review.rating, "stars": "★" * review.rating + "☆" * (5 - review.rating),
               "kind": str(kinds.get(review.order.service_kind, "")),
               "month": timezone.localtime(review.submitted_at).strftime("%Y年%-m月"),
               "comment": review.comment_published,
               "reply": review.reply_published if review.reply_status == ReplyStatus.PUBLISHED else ""}
              for review in latest_published(entity_id=entity.pk, limit=LATEST_SHOWN)]
    return {**summary, "latest": latest}
