"""投诉页面: file a complaint (choose the operator by name, attach photos, ask for updates), follow it by its code.

* ``/complaints/new/``: a tourist rarely has the 18-character credit code, so the operator is found by name
  first: a plain GET search lists the matching registered operators to pick from (JavaScript adds
  suggestions as you type, from ``GET /api/v1/public/entities/?q=``); an operator not found is described
  instead. The form is multipart: up to five photos or PDFs go with the complaint, all or nothing
  (``complaints.attachment_services.complaint_submit``), with the opt-in to status updates.
* ``/complaints/track/``: the code as typed (any case, spaces, hyphens) leads to the complaint's page.
* ``/complaints/track/<code>/``: status, deadlines, notices; the code large and grouped, to be written down.

Checked by ``ComplaintCreateSerializer`` and the services, as through the API; throttled like the API.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from complaints import attachment_services, tracking_codes
from complaints.api.serializers import ComplaintCreateSerializer
from complaints.attachments import MAX_ATTACHMENTS
from complaints.documents import complaint_documents
from complaints.models import Complaint, ComplaintEvent, ComplaintOutcome, ComplaintStatus, RejectionGround
from complaints.transitions import ACTION_LABELS
from config.api.throttles import ComplaintCreateThrottle, PublicThrottle
from core import document_render, uploads
from core.scope import region_name
from entities.models import Category, Entity, EntityStatus
from entities.selectors import search_names
from entities.validators import normalize_credit_code
from regulator.portal.forms import ComplaintForm, OperatorSearchForm, TrackForm, add_errors
from regulator.portal.throttling import throttle
from regulator.portal.views import error_page, public_page

#: how many operators the results step lists (the name is then too vague: the page says so)
RESULTS_SIZE = 20
#: the largest multipart body worth reading: five files at the limit and the form's text around them
_SLACK_BYTES = 1024 * 1024


def _operator_row(entity: Entity) -> dict[str, str]:
    """What the public may see of a registered operator when choosing it (as on its public credit page)."""
    return {"name": entity.name, "credit_code": entity.credit_code, "address": entity.address,
            "region": region_name(entity.region_code) or "", "category": dict(Category.choices).get(
                entity.category, ""),
            "status": "" if entity.status == EntityStatus.ACTIVE else dict(EntityStatus.choices).get(entity.status, "")}


def operator_results(query: str) -> tuple[list[dict[str, str]], bool]:
    """Registered operators matching ``query`` by name keys or credit code; and whether there were more."""
    found = list(search_names(Entity.objects.only("name", "credit_code", "address", "region_code", "category",
                                                  "status"), query, code_field="credit_code")
                 .order_by("name", "id")[:RESULTS_SIZE + 1])
    return [_operator_row(entity) for entity in found[:RESULTS_SIZE]], len(found) > RESULTS_SIZE


def _chosen(code: str) -> Entity | None:
    code = normalize_credit_code(code or "")
    return Entity.objects.filter(credit_code=code).first() if len(code) == 18 else None


def _page(request: HttpRequest, form: ComplaintForm, *, status: int = 200) -> HttpResponse:
    search = OperatorSearchForm(request.GET if "q" in request.GET else None)
    query = search.cleaned_data["q"].strip() if search.is_bound and search.is_valid() else ""
    results, more = operator_results(query) if query else ([], False)
    chosen = _chosen(form["entity_credit_code"].value() or "")
    return render(request, "web/complaint_new.html", {
        "form": form, "search": search, "query": query, "results": results, "more": more,
        "chosen": _operator_row(chosen) if chosen else None, "max_attachments": MAX_ATTACHMENTS,
        "suggest_url": reverse("public-registry"),
    }, status=status)


def _too_large(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    limit = MAX_ATTACHMENTS * uploads.max_bytes() + _SLACK_BYTES
    return not length.isdigit() or int(length) > limit


@require_http_methods(["GET", "HEAD", "POST"])
@throttle(PublicThrottle, methods=["GET", "HEAD"], anonymous=True)
@throttle(ComplaintCreateThrottle, methods=["POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    """投诉: find the operator by name (results step), describe the complaint, attach files, file it."""
    if request.method != "POST":
        code = request.GET.get("entity", "")[:32]
        initial = {"entity_credit_code": code}
        if code:
            initial["respondent_kind"] = "entity"
        return _page(request, ComplaintForm(initial=initial))
    if _too_large(request):
        return error_page(request, 413, "提交的内容过大",
                          f"附件最多 {MAX_ATTACHMENTS} 个，每个不超过 {uploads.max_bytes() // (1024 * 1024)} MB。"
                          "请减少或压缩附件后重新提交。")
    form = ComplaintForm(request.POST, request.FILES)
    form.is_valid()
    files = request.FILES.getlist("attachments")
    serializer = ComplaintCreateSerializer(data={**form.filing_data(request.POST), "channel": "web"})
    aliases = {"entity": "entity_credit_code"}
    if not serializer.is_valid():
        add_errors(form, serializer.errors, aliases=aliases)
    elif not form.errors:
        try:
            complaint = attachment_services.complaint_submit(
                actor=request.user, attachments=files, **form.status_update_choices(), **serializer.validated_data)
        except DjangoValidationError as exc:
            add_errors(form, exc, aliases=aliases)
        else:
            return redirect(reverse("web:complaint-status", kwargs={"code": complaint.tracking_code}) + "?filed=1")
    if files and "attachments" not in form.errors:
        # A browser never keeps the files chosen when the page comes back with an error.
        form.add_error("attachments", "页面有错误时浏览器不会保留已选择的附件，请更正后重新选择附件。")
    return _page(request, form, status=400)


def _find(code: str) -> Complaint | None:
    found = tracking_codes.candidates(code)
    return Complaint.objects.filter(tracking_code__in=found).first() if found else None


@public_page("GET", "HEAD")
def complaint_track(request: HttpRequest) -> HttpResponse:
    """投诉查询: the code as typed; a code of no complaint is said beside the field, like a malformed one."""
    form = TrackForm(request.GET or None)
    if request.GET and form.is_valid():
        complaint = Complaint.objects.filter(tracking_code__in=form.cleaned_data["code"]).only(
            "tracking_code").first()
        if complaint is not None:
            return redirect("web:complaint-status", code=complaint.tracking_code)
        form.add_error("code", "未找到该查询码对应的投诉，请核对后重新输入。")
    return render(request, "web/complaint_track.html", {"form": form}, status=400 if form.errors else 200)


@never_cache  # the address carries the tracking code: no shared cache keeps the page
@public_page("GET", "HEAD")
def complaint_status(request: HttpRequest, code: str) -> HttpResponse:
    """Status, deadlines and the notices addressed to the complainant (受理、不予受理、转办、调解): their number,
    date and text; no complainant, no complaint text (as ComplaintTrackSerializer)."""
    found = tracking_codes.candidates(code)
    if not found:
        raise Http404
    queryset = Complaint.objects.select_related("entity").prefetch_related(
        Prefetch("events", queryset=ComplaintEvent.objects.order_by("id")), "attachments")
    complaint = get_object_or_404(queryset, tracking_code__in=found)
    if code != complaint.tracking_code:  # typed in another case or grouping: the page has one address
        query = request.GET.urlencode()
        return redirect(reverse("web:complaint-status", kwargs={"code": complaint.tracking_code})
                        + (f"?{query}" if query else ""))
    notices = complaint_documents(complaint.pk, for_complainant=True)
    printed = request.GET.get("document", "")
    if printed:  # 打印: one notice as its printable page, for the holder of the tracking code only
        if not printed.isdigit() or len(printed) > 12:
            raise Http404
        document = get_object_or_404(notices, pk=int(printed))
        return HttpResponse(document_render.render_html(document), content_type="text/html; charset=utf-8")
    history = [{"action": ACTION_LABELS.get(event.action, event.action),
                "status": dict(ComplaintStatus.choices).get(event.to_status, event.to_status),
                "at": event.created_at} for event in complaint.events.all()]
    page = reverse("web:complaint-status", kwargs={"code": complaint.tracking_code})
    notices = [{"document": document, "print_url": f"{page}?{urlencode({'document': document.pk})}"}
               for document in notices]
    subscription = getattr(complaint, "subscription", None) if request.GET.get("filed") == "1" else None
    channels = {"email": "电子邮件", "sms": "短信"}
    return render(request, "web/complaint_status.html", {
        "complaint": complaint, "history": history, "filed": request.GET.get("filed") == "1",
        "outcome_label": dict(ComplaintOutcome.choices).get(complaint.outcome, ""), "notices": notices,
        "ground_label": dict(RejectionGround.choices).get(complaint.rejection_ground, ""),
        "attachment_count": len(complaint.attachments.all()),
        "update_channels": "、".join(channels[c] for c in subscription.channels) if subscription else "",
    })
