"""导入共享名单 in the admin: upload a CSV, the rows become the same job as a large API import.

The page (``admin/regulator/listing/import/``, linked from the listings' list) takes the file other
departments send (UTF-8 with or without a BOM, or GB18030/GBK, read as the command line reads it:
``regulator.lists.import_files``), stages its rows as a job (``import_jobs.listings_import_submit``) and
redirects to the job's page, which refreshes itself until the job is done and then shows the per-row
report. XLSX is refused with a hint: no XLSX reader is among the service's dependencies.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.client import client_ip
from config.api.exceptions import RuleViolation
from core.admin.base import error_text, is_admin_user
from regulator.lists import import_files, import_jobs, imports
from regulator.lists.models import Listing

#: the largest file taken (10,000 rows of long reasons fit; Django spools larger uploads to disk)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_ZIP = b"PK\x03\x04"  # an XLSX workbook is a zip archive


class ListingImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV 文件"),
        help_text=gettext_lazy("首行为字段名，与 API 相同：credit_code 或 id_number、name、list_type、reason、legal_basis、"
                               "decided_on、source_authority、source_reference，以及可选的 published_on、expires_on、"
                               "decision_number、measures、category、region_code、ground。最多 10000 条。"
                               "不支持 XLSX：请在 Excel 中“另存为 CSV”。"))
    encoding = forms.ChoiceField(
        label=gettext_lazy("编码"), required=False,
        choices=[("", gettext_lazy("自动识别（UTF-8，否则 GB18030/GBK）")), ("utf-8-sig", "UTF-8"),
                 ("gb18030", "GB18030 / GBK")])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is None:
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（最多 %(n)s MB）。") % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)})
        raw = upload.read()
        if raw.startswith(_ZIP):
            raise forms.ValidationError(_("这是 Excel 工作簿（XLSX）：请在 Excel 中“另存为 CSV”后上传。"))
        try:
            text, _used = import_files.decode(raw, data.get("encoding") or None)
            rows = import_files.read_rows(text)
        except ValueError as exc:
            raise forms.ValidationError(
                _("无法读取文件，应为首行是字段名的 CSV，编码为 UTF-8 或 GB18030/GBK（%(detail)s）。")
                % {"detail": exc}) from None
        if not rows:
            raise forms.ValidationError(_("文件中没有记录（首行之后为空）。"))
        if len(rows) > imports.MAX_ROWS:
            raise forms.ValidationError(_("一次最多导入 %(n)s 条，文件中有 %(count)s 条。")
                                        % {"n": imports.MAX_ROWS, "count": len(rows)})
        data["rows"] = rows
        return data


def import_view(model_admin, request):
    """GET: the upload form; POST: the rows staged as a job, then the job's page."""
    if not is_admin_user(request.user):
        raise PermissionDenied
    form = ListingImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_jobs.listings_import_submit(
                form.cleaned_data["rows"], actor=request.user, endpoint=f"POST {request.path}"[:300],
                client_ip=client_ip(request))
        except RuleViolation as exc:
            form.add_error(None, error_text(exc))
        else:
            model_admin.message_user(request, _("已受理：%(count)s 条记录在后台校验与导入（任务 %(id)s）。")
                                     % {"count": len(form.cleaned_data["rows"]), "id": job.pk}, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:core_job_change", args=[job.pk],
                                                current_app=model_admin.admin_site.name))
    opts = Listing._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("导入共享名单"),
        "opts": opts,
        "form": form,
        "media": model_admin.media + form.media,
        "changelist_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist",
                                  current_app=model_admin.admin_site.name),
    }
    return TemplateResponse(request, "admin/regulator/listing/import.html", context)
