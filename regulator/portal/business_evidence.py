"""Business pages: rectification evidence (整改材料) for an open finding, sent from the entity's page.

Each open finding on ``web/business_entity.html`` shows what was sent for it (state in words, the reason of a
return, Beijing time) and a fold-out form: a note and up to five photos or PDFs, posted as multipart, without
JavaScript. The form posts to ``rectification_services.evidence_submit``, the same service as the API; a refusal
shows the entity page again with the form open and the reason beside the field (400, or 409 when the finding is
closed or a submission awaits review). The rows come from the caller's scoped selectors: another business's
finding is not found (404).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from complaints import rectification_selectors, rectification_services
from complaints.rectification import MAX_EVIDENCE_FILES, MAX_NOTE, EvidenceStatus
from complaints.selectors import findings_for
from config.api.exceptions import ConflictError
from core import uploads
from regulator.portal import business
from regulator.portal.forms import MultipleFileField, MultipleFileInput, add_errors
from regulator.portal.views import error_page

#: the largest multipart body worth reading: five files at the limit and the note around them
_SLACK_BYTES = 1024 * 1024
#: the request attribute the entity page's partial reads a refused form from (web/_finding_evidence.html)
BOUND_FORMS = "evidence_forms"
STATUS_WORDS = {EvidenceStatus.SUBMITTED: "已提交，等待执法检查人员审核",
                EvidenceStatus.ACCEPTED: "已认可，整改完成",
                EvidenceStatus.RETURNED: "已退回"}


class EvidenceForm(forms.Form):
    note = forms.CharField(label="整改情况说明", max_length=MAX_NOTE, required=False,
                           help_text="写明已采取的整改措施、完成日期；与文件至少提供一项。",
                           widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(
        label=f"整改照片或证明文件（最多 {MAX_EVIDENCE_FILES} 个）", required=False,
        help_text=f"JPEG、PNG、WebP 图片或 PDF，每个不超过 {uploads.max_bytes() // (1024 * 1024)} MB。"
                  "图片中的拍摄位置等信息会被删除；文件仅本单位和监管部门可见。",
        widget=MultipleFileInput(attrs={"accept": uploads.ACCEPT}))


def prefix(finding_id: int) -> str:
    return f"evidence-{finding_id}"


def evidence_rows(request: HttpRequest, findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per open finding on the page: its submissions in words, whether it takes one, and its form."""
    ids = [row["finding"].pk for row in findings]
    grouped = rectification_selectors.evidence_by_finding(request.user, ids)
    bound = getattr(request, BOUND_FORMS, {})
    rows = []
    for row in findings:
        finding = row["finding"]
        submissions = [{"evidence": item, "status_label": STATUS_WORDS.get(item.status, ""),
                        "files": list(item.files.all())} for item in grouped.get(finding.pk, [])]
        pending = any(item["evidence"].status == EvidenceStatus.SUBMITTED for item in submissions)
        form = bound.get(finding.pk)
        rows.append({"finding": finding, "submissions": submissions, "pending": pending,
                     "can_submit": not pending or form is not None,
                     "form": form or EvidenceForm(prefix=prefix(finding.pk))})
    return rows


def _too_large(request: HttpRequest) -> bool:
    length = request.META.get("CONTENT_LENGTH") or "0"
    return not length.isdigit() or int(length) > MAX_EVIDENCE_FILES * uploads.max_bytes() + _SLACK_BYTES


@business.business_page("POST")
def evidence_submit(request: HttpRequest, finding_id: int) -> HttpResponse:
    """提交整改材料 through evidence_submit; refused, the entity page comes back with the form open."""
    finding = get_object_or_404(findings_for(request.user), pk=finding_id)
    entity = finding.inspection.entity
    if _too_large(request):
        return error_page(request, 413, "提交的内容过大",
                          f"最多 {MAX_EVIDENCE_FILES} 个文件，每个不超过 {uploads.max_bytes() // (1024 * 1024)} MB。"
                          "请减少或压缩文件后重新提交。")
    form = EvidenceForm(request.POST, request.FILES, prefix=prefix(finding.pk))
    exc: Exception | None = None
    if form.is_valid():
        try:
            rectification_services.evidence_submit(
                finding_id=finding.pk, actor=request.user, note=form.cleaned_data["note"],
                files=request.FILES.getlist(f"{prefix(finding.pk)}-files"))
        except (DjangoValidationError, ConflictError) as error:
            exc = error
            add_errors(form, error)
            finding.refresh_from_db(fields=["rectified_on"])
            if finding.rectified_on is not None:
                # A rectified finding is no longer listed with its form: the reason is said at the top.
                messages.error(request, str(getattr(error, "detail", "")) or "；".join(getattr(error, "messages", [])))
        else:
            messages.success(request, "整改材料已提交，执法检查人员审核后将在此显示结果。")
            return redirect(reverse("web:business-entity", kwargs={"entity_id": entity.pk}) + f"#finding-{finding.pk}")
    if request.FILES and "files" not in form.errors:
        form.add_error("files", "页面有错误时浏览器不会保留已选择的文件，请更正后重新选择。")
    setattr(request, BOUND_FORMS, {finding.pk: form})
    # The entity page of regulator/portal/business.py, with this form open beside its finding.
    return business._entity_page(request, entity, status=409 if isinstance(exc, ConflictError) else 400)


#: included by regulator/portal/urls.py
urlpatterns = [
    path("business/findings/<int:finding_id>/evidence/", evidence_submit, name="business-evidence"),
]
