"""Business self-service pages: own entities, score with its history and breakdown, listings, findings, complaints,
and the documents served on them (告知书, 认定决定书, 修复决定书, complaint notices).

Only business accounts (others 403, anonymous to the login page); every object
comes from the caller's scoped selector, so another business's entity,
listing, complaint or document is simply not found (404). Replies, objections and
repair applications go through the same services as the API. Documents are those
``core.documents.documents_for`` lets the caller read, rendered as the API and the
admin render them (ID numbers masked at issue).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.models import ComplaintCategory, ComplaintStatus, Penalty, Severity
from complaints.transitions import RESPONDABLE_STATES
from config.api.exceptions import ConflictError
from core import document_render
from core.documents import documents_for
from core.models import DocumentKind
from entities.models import Entity, Sector
from entities.selectors import entities_for
from ratings.models import Grade
from ratings.selectors import history_for, score_for
from ratings.services import active_model, entity_rescore
from regulator.disclosure import selectors as disclosure_selectors
from regulator.disclosure import statements as statement_services
from regulator.lists import selectors
from regulator.lists import services as listing_services
from regulator.lists.models import (
    Listing,
    ListingStatus,
    ListType,
    Objection,
    RepairApplication,
    RepairStatus,
)
from regulator.portal.business_forms import REPAIR_FREE_NOTICE, RepairForm, StatementForm
from regulator.portal.credit_words import breakdown_words
from regulator.portal.forms import ObjectionForm, ReplyForm, add_errors
from regulator.portal.views import error_page, pages_404

HISTORY_POINTS = 60
STATEMENT_SUBMITTED = "公开声明已提交，经监管部门审核后与该条信息一并公开。"


def business_page(*methods: str) -> Callable:
    """Business accounts only: anonymous callers go to the login page, other roles get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.is_business:
                return error_page(request, 403, "无权访问", "企业自助服务仅供经营主体账户使用。")
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return error_page(request, 403, "无权操作", str(exc) or "您无权执行该操作。")

        return never_cache(require_http_methods(list(methods))(pages_404(wrapper)))

    return decorator


def _score(entity: Entity):
    score = score_for(entity.pk)
    if score is None:
        # Not scored yet (new entity): score it now with the same SQL as every other path, as the API does.
        entity_rescore(entity_id=entity.pk)
        score = score_for(entity.pk)
    return score


@business_page("GET", "HEAD")
def home(request: HttpRequest) -> HttpResponse:
    rows = [{"entity": entity, "score": _score(entity), "sector_label": dict(Sector.choices).get(entity.sector, "")}
            for entity in entities_for(request.user).order_by("id")]
    return render(request, "web/business_home.html", {"rows": rows, "repair_notice": REPAIR_FREE_NOTICE})


def score_plot(history: list, grades: dict[str, int]) -> dict[str, Any] | None:
    """An SVG line of the score over time (oldest first), drawn on the server so it needs no script."""
    if not history:
        return None
    width, height, left, right, top, bottom = 640, 220, 44, 12, 12, 28
    inner_w, inner_h = width - left - right, height - top - bottom
    # The axis starts at most at 500 and at least 100 below the lowest score, so grade bands stay in view.
    low = max(0, min(500, (min(row.score for row in history) // 100) * 100 - 100))
    high = 1000

    def y_of(score: int) -> float:
        return round(top + (high - score) / (high - low) * inner_h, 1)

    first, last = history[0].computed_at, history[-1].computed_at
    span = (last - first).total_seconds()
    dots = []
    for index, row in enumerate(history):
        if span > 0:
            fraction = (row.computed_at - first).total_seconds() / span
        else:
            fraction = 0.5 if len(history) == 1 else index / (len(history) - 1)
        dots.append({"x": round(left + fraction * inner_w, 1), "y": y_of(row.score), "score": row.score,
                     "grade": row.grade, "date": timezone.localtime(row.computed_at).date()})
    bands = [{"y": y_of(floor), "label": f"{grade} ≥ {floor}"} for grade, floor in sorted(grades.items())
             if low < floor < high]
    ticks = [{"y": y_of(value), "label": value} for value in range(low, high + 1, 200 if high - low > 600 else 100)]
    return {"width": width, "height": height, "left": left, "right": width - right, "bottom": height - bottom,
            "dots": dots, "points": " ".join(f"{dot['x']},{dot['y']}" for dot in dots), "bands": bands,
            "ticks": ticks, "first": dots[0], "last": dots[-1]}


def _listing_rows(user, entity: Entity, today: datetime.date, bound: dict[str, Any]) -> list[dict[str, Any]]:
    queryset = selectors.listings_for(user).filter(Q(entity=entity) | Q(related_entity=entity)).prefetch_related(
        Prefetch("objections", queryset=Objection.objects.order_by("id")),
        Prefetch("repair_applications", queryset=RepairApplication.objects.order_by("-id")),
    ).select_related("notice_document").order_by("-id")
    listings = list(queryset)
    documents: dict[int, list] = {}
    for document in documents_for(user).filter(about_type="listing", about_id__in=[row.pk for row in listings]
                                               ).order_by("issued_on", "id"):
        documents.setdefault(document.about_id, []).append(document)
    statements = statement_services.own_statements(user, listing_ids=[row.pk for row in listings])
    rows = []
    for listing in listings:
        key = f"statement-listing-{listing.pk}"
        # The window runs from the notice's delivery; an objection is welcome before that too.
        can_object = (listing.status == ListingStatus.NOTIFIED
                      and (listing.objection_due is None or today <= listing.objection_due))
        pending_repair = any(app.status == RepairStatus.SUBMITTED for app in listing.repair_applications.all())
        can_repair = (listing.status == ListingStatus.PUBLISHED and listing.list_type != ListType.RED
                      and not pending_repair)
        rows.append({
            "listing": listing, "list_label": listing.get_list_type_display(),
            "status_label": listing.get_status_display(), "subject": listing.subject_name,
            "objections": list(listing.objections.all()), "repairs": list(listing.repair_applications.all()),
            "documents": documents.get(listing.pk, []),
            "notice_unserved": listing.notice_document is not None and not listing.notice_document.served,
            # A refused form stays on the page with its error, even if the listing no longer takes one.
            "can_object": can_object or f"objection-{listing.pk}" in bound,
            "can_repair": can_repair or f"repair-{listing.pk}" in bound,
            "objection_form": bound.get(f"objection-{listing.pk}") or ObjectionForm(prefix=f"objection-{listing.pk}"),
            "repair_form": bound.get(f"repair-{listing.pk}") or RepairForm(prefix=f"repair-{listing.pk}"),
            "statements": statement_services.statement_rows(statements.get(("listing", listing.pk), [])),
            "can_state": listing.status in statement_services.STATEMENT_LISTING_STATES or key in bound,
            "statement_form": bound.get(key) or StatementForm(prefix=key),
        })
    return rows


def _penalty_rows(user, entity: Entity, bound: dict[str, Any]) -> list[dict[str, Any]]:
    """The penalties the public sees today (信用信息公示), each with the business's statements and a form."""
    penalties = disclosure_selectors.published_penalties(entity)
    statements = statement_services.own_statements(user, finding_ids=[row["id"] for row in penalties])
    labels = dict(Penalty.choices)
    rows = []
    for penalty in penalties:
        key = f"statement-finding-{penalty['id']}"
        rows.append({**penalty, "penalty_label": labels.get(penalty["penalty"], ""),
                     "own_statements": statement_services.statement_rows(statements.get(("finding", penalty["id"]), [])),
                     "statement_form": bound.get(key) or StatementForm(prefix=key)})
    return rows


def _entity_page(request: HttpRequest, entity: Entity, *, bound: dict[str, Any] | None = None,
                 status: int = 200) -> HttpResponse:
    user, bound = request.user, bound or {}
    today = timezone.localdate()
    score = _score(entity)
    history = list(history_for(entity.pk)[:HISTORY_POINTS])[::-1]
    findings = complaint_selectors.findings_for(user).filter(
        inspection__entity=entity, rectified_on__isnull=True).order_by("rectify_by", "id")
    complaints = complaint_selectors.complaints_for(user).filter(entity=entity).order_by("-id")[:100]
    return render(request, "web/business_entity.html", {
        "entity": entity, "score": score, "grade_label": dict(Grade.choices).get(score.grade, score.grade),
        "breakdown": breakdown_words(entity, score), "history": history[::-1], "repair_notice": REPAIR_FREE_NOTICE,
        "penalties": _penalty_rows(user, entity, bound),
        "plot": score_plot(history, active_model().rules.get("grades", {})),
        "listings": _listing_rows(user, entity, today, bound), "today": today,
        "findings": [{"finding": finding, "severity": dict(Severity.choices).get(finding.severity),
                      "penalty": dict(Penalty.choices).get(finding.penalty),
                      "overdue": finding.rectify_by is not None and finding.rectify_by < today}
                     for finding in findings],
        "complaints": [{"complaint": complaint, "status": dict(ComplaintStatus.choices).get(complaint.status),
                        "category": dict(ComplaintCategory.choices).get(complaint.category),
                        "can_reply": complaint.status in RESPONDABLE_STATES or f"reply-{complaint.pk}" in bound,
                        "form": bound.get(f"reply-{complaint.pk}") or ReplyForm(prefix=f"reply-{complaint.pk}")}
                       for complaint in complaints],
    }, status=status)


@business_page("GET", "HEAD")
def entity_detail(request: HttpRequest, entity_id: int) -> HttpResponse:
    return _entity_page(request, get_object_or_404(entities_for(request.user), pk=entity_id))


def _submit(request: HttpRequest, entity: Entity, key: str, form, call: Callable[[Any], Any], message: str,
            anchor: str) -> HttpResponse:
    """Check ``form``, hand its data to the service through ``call``; a refusal is shown beside the form."""
    exc = None
    if form.is_valid():
        try:
            call(form)
        except (DjangoValidationError, ConflictError) as error:
            exc = error
            add_errors(form, exc)
        else:
            messages.success(request, message)
            return redirect(reverse("web:business-entity", kwargs={"entity_id": entity.pk}) + f"#{anchor}")
    status = 409 if isinstance(exc, ConflictError) else 400
    return _entity_page(request, entity, bound={key: form}, status=status)


@business_page("POST")
def complaint_reply(request: HttpRequest, complaint_id: int) -> HttpResponse:
    """经营者书面答复 through complaint_respond."""
    complaint = get_object_or_404(complaint_selectors.complaints_for(request.user), pk=complaint_id)
    key = f"reply-{complaint.pk}"
    return _submit(request, complaint.entity, key, ReplyForm(request.POST, prefix=key),
                   lambda form: complaint_services.complaint_respond(
                       complaint_id=complaint.pk, actor=request.user, statement=form.cleaned_data["statement"]),
                   "答复已提交。", f"complaint-{complaint.pk}")


def _own_listing(request: HttpRequest, listing_id: int) -> tuple[Listing, Entity]:
    listing = get_object_or_404(selectors.listings_for(request.user), pk=listing_id)
    own = entities_for(request.user)
    entity = own.filter(pk__in=[pk for pk in (listing.entity_id, listing.related_entity_id) if pk]).first()
    return listing, entity


@business_page("POST")
def listing_objection(request: HttpRequest, listing_id: int) -> HttpResponse:
    """陈述申辩 through objection_file (inside the window, by the listed subject)."""
    listing, entity = _own_listing(request, listing_id)
    key = f"objection-{listing.pk}"
    return _submit(request, entity, key, ObjectionForm(request.POST, prefix=key),
                   lambda form: listing_services.objection_file(
                       listing_id=listing.pk, actor=request.user, statement=form.cleaned_data["statement"]),
                   "陈述申辩已提交，监管部门将予以答复。", f"listing-{listing.pk}")


@business_page("POST")
def listing_repair(request: HttpRequest, listing_id: int) -> HttpResponse:
    """信用修复申请 through repair_apply (the rule set in force today decides what is required)."""
    listing, entity = _own_listing(request, listing_id)
    key = f"repair-{listing.pk}"
    return _submit(request, entity, key, RepairForm(request.POST, prefix=key),
                   lambda form: listing_services.repair_application_file(
                       listing_id=listing.pk, actor=request.user, statement=form.cleaned_data["statement"],
                       evidence=form.evidence_items(), commitment=form.cleaned_data["commitment"],
                       training_record=form.cleaned_data["training_record"]),
                   "信用修复申请已提交。", f"listing-{listing.pk}")


@business_page("POST")
def listing_statement(request: HttpRequest, listing_id: int) -> HttpResponse:
    """公开声明 about a listing of the caller's entity (public beside it once approved)."""
    listing, entity = _own_listing(request, listing_id)
    if entity is None:
        raise Http404
    key = f"statement-listing-{listing.pk}"
    return _submit(request, entity, key, StatementForm(request.POST, prefix=key),
                   lambda form: statement_services.statement_submit(
                       actor=request.user, listing_id=listing.pk, text=form.cleaned_data["text"]),
                   STATEMENT_SUBMITTED, f"listing-{listing.pk}")


@business_page("POST")
def penalty_statement(request: HttpRequest, finding_id: int) -> HttpResponse:
    """公开声明 about a published penalty of the caller's entity."""
    finding = get_object_or_404(complaint_selectors.findings_for(request.user).exclude(penalty="none"), pk=finding_id)
    entity = get_object_or_404(entities_for(request.user), pk=finding.inspection.entity_id)
    key = f"statement-finding-{finding.pk}"
    return _submit(request, entity, key, StatementForm(request.POST, prefix=key),
                   lambda form: statement_services.statement_submit(
                       actor=request.user, finding_id=finding.pk, text=form.cleaned_data["text"]),
                   STATEMENT_SUBMITTED, f"penalty-{finding.pk}")


# ------------------------------------------------------------------ documents


def _own_document(request: HttpRequest, document_id: int):
    return get_object_or_404(documents_for(request.user).select_related("authority"), pk=document_id)


@business_page("GET", "HEAD")
def documents(request: HttpRequest) -> HttpResponse:
    """我的文书: every document served on the caller's listings and complaints, newest first."""
    rows = [{"document": document, "kind": DocumentKind(document.kind).label}
            for document in documents_for(request.user).order_by("-issued_on", "-id")[:500]]
    return render(request, "web/business_documents.html", {"rows": rows})


@business_page("GET", "HEAD")
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    """One document as issued (the electronic copy), with its service record and a PDF to print."""
    document = _own_document(request, document_id)
    return render(request, "web/business_document.html", {
        "document": document, "kind": DocumentKind(document.kind).label,
        "issued_on_words": document_render.date_words(document.issued_on)})


@business_page("GET", "HEAD")
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _own_document(request, document_id)
    response = HttpResponse(document_render.render_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="document-{document.pk}.pdf"'
    return response
