"""文书与送达: numbering, issuing and serving the documents of every procedure (告知书, 决定书, notices).

A domain issues a document with :func:`document_issue` (its number is taken from the authority's series for
the kind and year, under a row lock, so two documents never share one), giving the content as sections it
built itself (reason, basis, measures, periods, remedies: all from its rule set or catalogue; the kernel
prints no legal text). :func:`document_serve` records the service once: method, delivery date, and for
公告送达 the publication date plus the waiting period the domain's rule set gives. The domain registers, per
``about_type``, who may see a document and what follows its service (the objection window opens, the
business's reply falls due): :func:`register`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config.api.exceptions import ConflictError
from core.models import Authority, DeliveryMethod, DocumentKind, DocumentSeries, ServedDocument
from core.transitions import authenticated

#: default number patterns per kind ({authority} the authority's 代字, {year}, {seq}); settings
#: ``DOCUMENT_NUMBER_PATTERNS`` and an authority's own ``number_patterns`` override them
DEFAULT_PATTERNS: dict[str, str] = {
    DocumentKind.LISTING_NOTICE: "{authority}信告〔{year}〕{seq}号",
    DocumentKind.LISTING_DECISION: "{authority}信决〔{year}〕{seq}号",
    DocumentKind.COMPLAINT_ACCEPTANCE: "{authority}诉受〔{year}〕{seq}号",
    DocumentKind.COMPLAINT_REJECTION: "{authority}诉不受〔{year}〕{seq}号",
    DocumentKind.COMPLAINT_TRANSFER: "{authority}诉转〔{year}〕{seq}号",
    DocumentKind.COMPLAINT_BUSINESS_NOTICE: "{authority}诉答〔{year}〕{seq}号",
    DocumentKind.MEDIATION_AGREEMENT: "{authority}诉调〔{year}〕{seq}号",
    DocumentKind.MEDIATION_TERMINATION: "{authority}诉终调〔{year}〕{seq}号",
    DocumentKind.REPAIR_DECISION: "{authority}信修〔{year}〕{seq}号",
    DocumentKind.AWARD_DECISION: "{authority}信奖〔{year}〕{seq}号",
}

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")


@dataclass(frozen=True)
class Procedure:
    """What a domain registers for its documents: which of its objects a (non-regulator) user may read the
    documents of (a queryset of ids), and what a document's service sets in motion."""

    visible: Callable[[Any], Any]
    served: Callable[[ServedDocument, datetime.date], None] | None = None
    #: 公告送达: the days after publication on which the document counts as served (the domain's rule set)
    announcement_wait_days: Callable[[ServedDocument], int] | None = None


_PROCEDURES: dict[str, Procedure] = {}


def register(about_type: str, *, visible: Callable[[Any], Any],
             served: Callable[[ServedDocument, datetime.date], None] | None = None,
             announcement_wait_days: Callable[[ServedDocument], int] | None = None) -> None:
    _PROCEDURES[about_type] = Procedure(visible=visible, served=served,
                                        announcement_wait_days=announcement_wait_days)


def _procedure(about_type: str) -> Procedure:
    # Fail closed: a document of a procedure nobody registered is shown to nobody and cannot be served.
    procedure = _PROCEDURES.get(about_type)
    if procedure is None:
        raise ConflictError(_("未登记的文书事项：%(kind)s。") % {"kind": about_type}, code="unknown_procedure")
    return procedure


def mask_id_numbers(text: str) -> str:
    """Every 18-character resident ID number in ``text`` masked (region prefix and last four kept)."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 10 + m.group(2), text)


def authority_for(region_code: str) -> Authority:
    """The authority of the longest prefix of ``region_code`` that has one (district, city, province)."""
    code = (region_code or "").strip()
    candidates = [code, code[:4] + "00", code[:2] + "0000"] if len(code) == 6 else []
    found = {a.region_code: a for a in Authority.objects.filter(region_code__in=candidates)}
    for candidate in candidates:
        if candidate in found:
            return found[candidate]
    raise ConflictError(_("行政区划 %(code)s 没有登记决定机关，无法制作文书（请在“决定机关”中登记）。")
                        % {"code": code or "-"}, code="no_authority")


def number_pattern(authority: Authority, kind: str) -> str:
    return ((authority.number_patterns or {}).get(kind)
            or getattr(settings, "DOCUMENT_NUMBER_PATTERNS", {}).get(kind)
            or DEFAULT_PATTERNS[kind])


def _next_number(authority: Authority, kind: str, year: int) -> tuple[int, str]:
    DocumentSeries.objects.get_or_create(authority=authority, kind=kind, year=year)
    series = DocumentSeries.objects.select_for_update().get(authority=authority, kind=kind, year=year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    number = number_pattern(authority, kind).format(authority=authority.short_name, year=year,
                                                     seq=series.last_number)
    return series.last_number, number


def _clean_sections(sections: list[dict[str, str]]) -> list[dict[str, str]]:
    clean = []
    for section in sections:
        heading = mask_id_numbers(str(section.get("heading", "")).strip())
        text = mask_id_numbers(str(section.get("text", "")).strip())
        if heading or text:
            clean.append({"heading": heading, "text": text})
    return clean


@transaction.atomic
def document_issue(*, kind: str, about_type: str, about_id: int, region_code: str, recipient: str,
                   sections: list[dict[str, str]], issued_on: datetime.date, actor=None,
                   title: str = "") -> ServedDocument:
    """Number and freeze a document; nothing in it shows an ID number in full."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": [_("未知的文书种类。")]})
    _procedure(about_type)
    authority = authority_for(region_code)
    sequence, number = _next_number(authority, kind, issued_on.year)
    return ServedDocument.objects.create(
        kind=kind, number=number, authority=authority, year=issued_on.year, sequence=sequence,
        about_type=about_type, about_id=about_id, title=title or DocumentKind(kind).label,
        recipient=mask_id_numbers(recipient.strip()), content=_clean_sections(sections), issued_on=issued_on,
        issued_by=authenticated(actor),
    )


def delivery_date(*, method: str, delivered_on: datetime.date | None, announced_on: datetime.date | None,
                  announcement_wait_days: int) -> datetime.date:
    """The legal date of service: the day received, or for 公告送达 the end of the waiting period."""
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": [_("送达方式应为：%(v)s。") % {"v": "、".join(DeliveryMethod.values)}]})
    if method == DeliveryMethod.ANNOUNCEMENT:
        if announced_on is None:
            raise ValidationError({"announced_on": [_("公告送达须填写公告发布日期。")]})
        return announced_on + datetime.timedelta(days=announcement_wait_days)
    if delivered_on is None:
        raise ValidationError({"delivered_on": [_("须填写送达日期。")]})
    return delivered_on


@transaction.atomic
def document_serve(*, document_id: int, method: str, delivered_on: datetime.date | None = None,
                   announced_on: datetime.date | None = None, note: str = "", actor=None, today: datetime.date | None = None) -> ServedDocument:
    """Record the service of a document once; the procedure then runs its deadlines from the delivery date."""
    day = today or timezone.localdate()
    document = ServedDocument.objects.select_for_update().get(pk=document_id)
    if document.served:
        raise ConflictError(_("该文书已登记送达（%(date)s），不重复登记。") % {"date": document.delivered_on},
                            code="already_served")
    procedure = _procedure(document.about_type)
    wait = 0
    if method == DeliveryMethod.ANNOUNCEMENT:
        if procedure.announcement_wait_days is None:
            raise ValidationError({"method": [_("该类文书不适用公告送达。")]})
        wait = procedure.announcement_wait_days(document)
    legal_date = delivery_date(method=method, delivered_on=delivered_on, announced_on=announced_on,
                               announcement_wait_days=wait)
    field = "announced_on" if method == DeliveryMethod.ANNOUNCEMENT else "delivered_on"
    given = announced_on if method == DeliveryMethod.ANNOUNCEMENT else delivered_on
    if given < document.issued_on:
        raise ValidationError({field: [_("送达（公告）日期不得早于文书签发日期 %(date)s。") % {"date": document.issued_on}]})
    if given > day:
        raise ValidationError({field: [_("送达（公告）日期不得晚于今天。")]})
    document.delivery_method = method
    document.announced_on = announced_on if method == DeliveryMethod.ANNOUNCEMENT else None
    document.delivered_on = legal_date
    document.delivery_note = (note or "").strip()[:300]
    document.delivery_recorded_by = authenticated(actor)
    document.delivery_recorded_at = timezone.now()
    document.save()
    if procedure.served is not None:
        procedure.served(document, day)
    return document


def documents_about(about_type: str, about_id: int) -> QuerySet[ServedDocument]:
    return ServedDocument.objects.filter(about_type=about_type, about_id=about_id).order_by("issued_on", "id")


def documents_for(user) -> QuerySet[ServedDocument]:
    """The documents ``user`` may read: regulators all; anyone else those of objects their procedures allow."""
    queryset = ServedDocument.objects.select_related("authority")
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if getattr(user, "is_regulator", False):
        return queryset
    allowed = Q(pk__in=[])
    for about_type, procedure in _PROCEDURES.items():
        allowed |= Q(about_type=about_type, about_id__in=procedure.visible(user))
    return queryset.filter(allowed)


def document_visible(user, document: ServedDocument) -> bool:
    return documents_for(user).filter(pk=document.pk).exists()
