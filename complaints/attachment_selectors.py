"""Reads of complaint attachments, scoped like the complaints themselves (out of scope = not found).

Staff see the attachments of the complaints they handle, a business those of the complaints against its
entities (complaints.selectors.complaint_scope_q); the public none.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from complaints.attachments import ComplaintAttachment
from complaints.models import Complaint
from complaints.selectors import complaint_scope_q


def attachments_for(user) -> QuerySet[ComplaintAttachment]:
    scope = complaint_scope_q(user)
    queryset = ComplaintAttachment.objects.all()
    if scope is None:
        return queryset
    return queryset.filter(complaint__in=Complaint.objects.filter(scope).values("pk"))


def complaint_with_attachments(user, complaint_id: int) -> Complaint:
    """The complaint (in the caller's scope, else 404) with its attachments in order, in two queries."""
    scope = complaint_scope_q(user)
    queryset = Complaint.objects.all() if scope is None else Complaint.objects.filter(scope)
    queryset = queryset.prefetch_related(Prefetch("attachments",
                                                  queryset=ComplaintAttachment.objects.order_by("position")))
    return get_object_or_404(queryset, pk=complaint_id)
