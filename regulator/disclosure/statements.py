"""公开声明 (right to reply): a business's statement beside its own listing or penalty, submitted here.

The review (``services.statement_review``: approve or refuse, once) and the public reads
(``selectors.approved_statements``, redacted with ``redaction.redact`` where disclosure renders them) exist
already; this module adds the write a business makes and the read its own pages need.

Authorization per object: a listing must be in the caller's ``listings_for`` and name one of its entities as
the subject (the listed entity, or the entity a listed person acted for); a penalty (a finding with a penalty)
must be in ``findings_for`` at one of its entities. Anything else is simply not found (a field error naming
``listing`` or ``finding``). Only what the public sees or is about to see takes a statement: a listing once
decided (decided or published), a finding that carries a penalty. While a statement about the same record
waits for review, submitting again amends it (the text is replaced), as an open objection is amended.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from complaints.models import Finding
from complaints.selectors import findings_for
from entities.selectors import entities_for
from regulator.disclosure.models import PublicStatement, StatementStatus
from regulator.disclosure.selectors import statements_for
from regulator.lists.models import Listing, ListingStatus
from regulator.lists.selectors import listings_for

#: the states of a listing a statement may be about: decided (about to be published) and published
STATEMENT_LISTING_STATES = (ListingStatus.DECIDED, ListingStatus.PUBLISHED)
TEXT_MAX = PublicStatement._meta.get_field("text").max_length


def _clean_text(text: str | None) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationError({"text": [_("声明内容不能为空。")]})
    if len(value) > TEXT_MAX:
        raise ValidationError({"text": [_("声明内容不得超过 %(max)s 字。") % {"max": TEXT_MAX}]})
    return value


def _target(actor, *, listing_id: int | None, finding_id: int | None) -> tuple[Listing | None, Finding | None, int]:
    """The record the statement is about, locked, and the caller's entity it speaks for."""
    if (listing_id is None) == (finding_id is None):
        raise ValidationError({"listing": [_("须且只须针对一条名单或一项行政处罚。")]})
    own = set(entities_for(actor).values_list("pk", flat=True))
    if listing_id is not None:
        listing = (listings_for(actor).select_for_update(of=("self",)).filter(pk=listing_id).first())
        entity_id = next((pk for pk in (listing.entity_id, listing.related_entity_id) if pk in own), None) \
            if listing is not None else None
        if listing is None or entity_id is None:
            raise ValidationError({"listing": [_("名单记录不存在或不在权限范围内。")]})
        if listing.status not in STATEMENT_LISTING_STATES:
            raise ValidationError({"listing": [_("只能对已认定或公示中的名单发表声明。")]})
        return listing, None, entity_id
    finding = findings_for(actor).select_for_update(of=("self",)).filter(pk=finding_id).first()
    if finding is None or finding.inspection.entity_id not in own:
        raise ValidationError({"finding": [_("行政处罚记录不存在或不在权限范围内。")]})
    if finding.penalty in ("", "none"):
        raise ValidationError({"finding": [_("该检查发现没有行政处罚，无需发表声明。")]})
    return None, finding, finding.inspection.entity_id


@transaction.atomic
def statement_submit(*, actor, text: str, listing_id: int | None = None,
                     finding_id: int | None = None) -> PublicStatement:
    """发表公开声明: submitted for review (``pending``); public beside the record once a regulator approves it.

    A business account only (others: PermissionDenied). The record's row is locked, so two submissions about
    it queue and the second amends the pending statement the first made.
    """
    if not getattr(actor, "is_business", False):
        raise PermissionDenied(_("仅被列入名单或受到处罚的经营主体可以发表声明。"))
    value = _clean_text(text)
    listing, finding, entity_id = _target(actor, listing_id=listing_id, finding_id=finding_id)
    pending = PublicStatement.objects.filter(entity_id=entity_id, status=StatementStatus.PENDING,
                                             listing=listing, finding=finding).order_by("id").first()
    if pending is not None:
        pending.text = value
        pending.submitted_by = actor
        pending.full_clean(exclude=["submitted_by"])
        pending.save(update_fields=["text", "submitted_by"])
        return pending
    statement = PublicStatement(entity_id=entity_id, listing=listing, finding=finding, text=value,
                                submitted_by=actor)
    statement.full_clean(exclude=["submitted_by"])
    statement.save()
    return statement


def own_statements(user, *, listing_ids: Iterable[int] = (), finding_ids: Iterable[int] = ()
                   ) -> dict[tuple[str, int], list[PublicStatement]]:
    """The caller's statements about these listings and findings, oldest first, by ``("listing"|"finding", id)``
    (one query)."""
    listing_ids, finding_ids = list(listing_ids), list(finding_ids)
    result: dict[tuple[str, int], list[PublicStatement]] = {}
    if not listing_ids and not finding_ids:
        return result
    queryset: QuerySet[PublicStatement] = statements_for(user).filter(listing_id__in=listing_ids) \
        | statements_for(user).filter(finding_id__in=finding_ids)
    for statement in queryset.order_by("id"):
        key = ("listing", statement.listing_id) if statement.listing_id else ("finding", statement.finding_id)
        result.setdefault(key, []).append(statement)
    return result


def statement_status_label(statement: PublicStatement) -> str:
    """待审核 / 已公开 / 不予公开."""
    return str(StatementStatus(statement.status).label)


def statement_rows(statements: Iterable[PublicStatement]) -> list[dict[str, Any]]:
    return [{"statement": statement, "status_label": statement_status_label(statement)} for statement in statements]
