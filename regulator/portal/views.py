"""Public pages: the search (whole registry or published lists), an operator's credit page and report, receipts.

Complaints are in ``complaint_pages``, open data in ``open_data``, worker cards in ``cards``. No login; each page
is throttled per IP like its API twin (PublicThrottle). What the public sees comes only from
``regulator.disclosure`` (selectors, registry): published listings in their period, published penalties,
approved statements, masked person names; never a grade, an ID number or a
complainant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from complaints.models import (
    Penalty,
)
from config.api.throttles import PublicThrottle
from core import receipts
from entities.models import Category, Entity, EntityStatus, PersonRoleKind, Sector
from entities.validators import normalize_credit_code, validate_credit_code
from regulator.disclosure import receipt_terms, registry
from regulator.disclosure import selectors as public
from regulator.disclosure.reviews import firm_review_page
from regulator.lists.models import ListType
from regulator.lists.selectors import data_version
from regulator.portal import report_pdf
from regulator.portal.forms import SearchForm, VerifyForm, add_errors
from regulator.portal.registry_forms import SCOPE_LISTS, SCOPE_REGISTRY, RegistrySearchForm, asked_scope
from regulator.portal.throttling import throttle

SUBJECT_TYPE_LABELS = {"entity": "经营主体", "person": "自然人", "list": "公示名单"}
PAGE_SIZE = 20
PREVIEW_SIZE = 10
LIST_LABELS = dict(ListType.choices)


def error_page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


def pages_404(view: Callable) -> Callable:
    """Not found answers a Chinese page in the site's layout rather than Django's bare one."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return error_page(request, 404, "未找到", "您访问的页面或记录不存在，或不在公开范围内。")

    return wrapper


def public_page(*methods: str) -> Callable:
    """A public page: allowed methods, the public throttle, a Chinese 404."""

    def decorator(view: Callable) -> Callable:
        return require_http_methods(list(methods))(throttle(PublicThrottle, anonymous=True)(pages_404(view)))

    return decorator


def _labelled(row: dict[str, Any]) -> dict[str, Any]:
    """Display labels beside the codes of a public row (the row itself is public.public_listing's)."""
    return {**row, "list_label": LIST_LABELS.get(row["list_type"], row["list_type"]),
            "sector_label": dict(Sector.choices).get(row.get("sector") or "", ""),
            "role_label": dict(PersonRoleKind.choices).get(row.get("person_role") or "", "")}


def _rows(listings) -> list[dict[str, Any]]:
    """Public rows with their approved statements, as the public list API answers them."""
    listings = list(listings)
    statements = public.approved_statements(listing_ids=[listing.pk for listing in listings])
    return [_labelled(row) for row in public.public_listings(listings, statements)]


@public_page("GET", "HEAD")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"form": SearchForm()})


@public_page("GET", "HEAD")
def search(request: HttpRequest) -> HttpResponse:
    """One page, two scopes: the whole registry (default: any registered operator, listed or not, by name,
    pinyin, initials or credit code, filtered by city, district and sector) or the published lists as before."""
    data = request.GET.copy() if request.GET else None
    scope = asked_scope(data)
    if data is not None:
        data["scope"] = scope
    form = RegistrySearchForm(data, initial={"scope": scope})
    day = timezone.localdate()
    context: dict[str, Any] = {"form": form, "scope": scope, "query": "", "as_of": day, "preview_size": PREVIEW_SIZE,
                               "registry": None, "sections": [], "which": "all"}
    valid = data is None or form.is_valid()
    query = form.cleaned_data["q"].strip() if data is not None and valid else ""
    context["query"] = query
    if scope == SCOPE_LISTS:
        which = (form.cleaned_data.get("list") if valid and data is not None else "") or "all"
        context.update(which=which, sections=_list_sections(request, query, which, day))
    elif data is not None and valid:
        context["registry"] = _registry_results(request, form, query, day)
    status = 400 if form.errors else 200
    return render(request, "web/search.html", context, status=status)


def _asked_page(request: HttpRequest) -> int:
    """As Django's Paginator.get_page: a page that is no number is the first (one past the end: the last)."""
    asked = request.GET.get("page") or "1"
    return int(asked) if asked.isdigit() and 0 < int(asked) < 10**6 else 1


def _list_sections(request: HttpRequest, query: str, which: str, day) -> list[dict[str, Any]]:
    """The published black and red lists searched (a preview of each, or one list paged)."""
    sections = []
    for list_type in (ListType.BLACK, ListType.RED):
        if which not in ("all", list_type):
            continue
        if which == "all":
            preview = public.search_page(list_type, query, as_of=day, size=PREVIEW_SIZE)
            sections.append({"list_type": list_type, "label": LIST_LABELS[list_type], "rows": _rows(preview.rows),
                             "count": preview.count, "page": None})
        else:
            number = _asked_page(request)
            page = (public.search_page(list_type, query, as_of=day, number=number, size=PAGE_SIZE)
                    or public.search_page(list_type, query, as_of=day, number="last", size=PAGE_SIZE))
            sections.append({"list_type": list_type, "label": LIST_LABELS[list_type], "rows": _rows(page.rows),
                             "count": page.count, "page": page})
    return sections


def _registry_results(request: HttpRequest, form: RegistrySearchForm, query: str, day) -> dict[str, Any] | None:
    """The registry page asked, labelled for reading; None (and the errors beside their fields) on a bad filter,
    or when nothing was asked (no words, no filter)."""
    asked = {name: form.cleaned_data.get(name) or "" for name in ("city", "district", "sector")}
    try:
        filters = registry.registry_filters(**asked)
    except DjangoValidationError as exc:
        add_errors(form, exc)
        return None
    if not query and not any(asked.values()):
        return None
    number = _asked_page(request)
    page = (registry.registry_search(query, filters=filters, number=number, size=PAGE_SIZE, as_of=day)
            or registry.registry_search(query, filters=filters, number="last", size=PAGE_SIZE, as_of=day))
    params = {"q": query, "scope": SCOPE_REGISTRY, **{name: value for name, value in asked.items() if value}}
    links = {"previous": f"?{urlencode({**params, 'page': page.number - 1})}" if page.has_previous() else None,
             "next": f"?{urlencode({**params, 'page': page.number + 1})}" if page.has_next() else None}
    return {"page": page, "rows": [_registry_labelled(row) for row in page.rows], "links": links,
            "filters_text": filters.words()}


def _registry_labelled(row: dict[str, Any]) -> dict[str, Any]:
    listings = [{**item, "role_label": dict(PersonRoleKind.choices).get(item["person_role"] or "", "")}
                for item in row["listings"]]
    return {**row, "listings": listings, "sector_label": dict(Sector.choices).get(row["sector"], ""),
            "category_label": dict(Category.choices).get(row["category"], ""),
            "status_label": dict(EntityStatus.choices).get(row["status"], "")}


def _entity_or_404(credit_code: str) -> Entity:
    return get_object_or_404(Entity, credit_code=normalize_credit_code(credit_code))


def _display_profile(profile: dict[str, Any]) -> dict[str, Any]:
    penalties = [{**row, "penalty_label": dict(Penalty.choices).get(row["penalty"], row["penalty"])}
                 for row in profile["penalties"]]
    return {**profile, "listings": [_labelled(row) for row in profile["listings"]], "penalties": penalties,
            "sector_label": dict(Sector.choices).get(profile["sector"], profile["sector"]),
            "category_label": dict(Category.choices).get(profile["category"], profile["category"]),
            "status_label": dict(EntityStatus.choices).get(profile["status"], profile["status"])}


@public_page("GET", "HEAD")
def operator(request: HttpRequest, credit_code: str) -> HttpResponse:
    """An operator's public page: who it is (city and district, sector and category, address), its licences,
    published listings and penalties in their period, awards (守信激励), approved statements; in words."""
    entity = _entity_or_404(credit_code)
    if entity.credit_code != credit_code:
        return redirect("web:operator", credit_code=entity.credit_code, permanent=True)
    now = timezone.localtime()
    record = registry.operator_record(entity, as_of=now.date())
    profile = _display_profile(record)
    profile["failing_listings"] = [_labelled(row) for row in record["failing_listings"]]
    profile["awards"] = [_labelled(row) for row in record["awards"]]
    profile["reviews"] = firm_review_page(entity)  # 家政服务评价 (regulator/disclosure/reviews.py)
    return render(request, "web/operator.html", {"profile": profile, "as_of": now.date(), "checked_at": now})


def _report_context(request: HttpRequest, credit_code: str) -> dict[str, Any]:
    """The public record as of today with a fresh receipt, and the verification URL the QR code holds."""
    entity = _entity_or_404(credit_code)
    day = timezone.localdate()
    version = data_version()
    profile = public.public_profile(entity, as_of=day)
    receipt = receipts.issue(kind="credit_report", query={"credit_code": entity.credit_code}, result=profile,
                             as_of=day, version=version,
                             **receipt_terms.profile_terms(profile, report=True))
    payload_json = json.dumps(receipt["payload"], ensure_ascii=False, sort_keys=True)
    compact = json.dumps(receipt["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    verify_url = request.build_absolute_uri(
        reverse("web:verify") + "?" + urlencode({"payload": compact, "signature": receipt["signature"]}))
    return {"entity": entity, "profile": _display_profile(profile), "receipt": receipt,
            "payload_json": payload_json, "verify_url": verify_url, "as_of": day}


@public_page("GET", "HEAD")
def report(request: HttpRequest, credit_code: str) -> HttpResponse:
    """信用报告: the public record, stamped with a receipt and a QR code anyone can verify at /verify/."""
    context = _report_context(request, credit_code)
    context["qr_svg"] = report_pdf.qr_svg(context["verify_url"])
    return render(request, "web/report.html", context)


@public_page("GET", "HEAD")
def report_pdf_view(request: HttpRequest, credit_code: str) -> HttpResponse:
    """The same report as a PDF (A4, an embedded Noto Sans SC subset, QR code to the verification page)."""
    context = _report_context(request, credit_code)
    body = report_pdf.render(profile=context["profile"], receipt=context["receipt"],
                             payload_json=context["payload_json"], verify_url=context["verify_url"],
                             as_of=context["as_of"])
    response = HttpResponse(body, content_type="application/pdf")
    filename = f"credit-report-{context['entity'].credit_code}-{context['as_of']:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class SubjectVerifyForm(VerifyForm):
    """The verify form with the business to compare against (the rules stay in core.receipts.check)."""

    credit_code = forms.CharField(
        label="核对主体的统一社会信用代码（选填）", max_length=32, required=False,
        help_text="填写纸面报告上的统一社会信用代码：回执针对其他主体时核验不通过。",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}))

    def clean_credit_code(self) -> str:
        value = normalize_credit_code(self.cleaned_data.get("credit_code", ""))
        if value:
            try:
                validate_credit_code(value)
            except DjangoValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return value


@public_page("GET", "HEAD", "POST")
def verify(request: HttpRequest) -> HttpResponse:
    """Check a receipt and show what it proves: the subject, the question and the result in words (the same
    check as POST /api/v1/public/receipts/verify/), so a reader compares them with the paper in hand."""
    data = request.POST if request.method == "POST" else (request.GET if "signature" in request.GET else None)
    form = SubjectVerifyForm(data)
    verdict, said = None, None
    if data is not None and form.is_valid():
        try:
            payload = json.loads(form.cleaned_data["payload"])
        except (ValueError, RecursionError):
            form.add_error("payload", "回执内容不是有效的 JSON。")
        else:
            verdict = receipts.check(payload=payload, signature=form.cleaned_data["signature"].strip(),
                                     credit_code=form.cleaned_data["credit_code"] or None)
            if verdict.get("failure") != "signature":  # the platform signed it: what it says can be shown
                said = receipts.statement(payload)
                if verdict["valid"] and said["subject"] is None:
                    # Format 1: genuine, but it names nobody, so it proves nothing about the paper in hand.
                    verdict = {"valid": False, "failure": "no_subject", "message": receipts.FAILURES["no_subject"]}
    subject = (said or {}).get("subject") or {}
    return render(request, "web/verify.html", {
        "form": form, "valid": None if verdict is None else verdict["valid"], "verdict": verdict, "said": said,
        "subject": subject, "subject_type_label": SUBJECT_TYPE_LABELS.get(subject.get("type", ""), ""),
        "key_id": receipts.key_id(), "public_key": receipts.public_key_b64(), "algorithm": receipts.ALGORITHM,
        "jwks_url": request.build_absolute_uri(reverse("receipt-jwks"))})
