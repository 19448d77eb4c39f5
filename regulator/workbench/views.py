"""监测信息快报 on the public site: the archive, each issue as published (HTML with its SHA-256), and its PDF."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import render

from regulator.workbench.bulletin import bulletin_pdf
from regulator.workbench.models import Bulletin


def bulletin_list(request):
    return render(request, "workbench/bulletin_list.html", {"bulletins": Bulletin.objects.order_by("-month")})


def _bulletin(issue: int) -> Bulletin:
    bulletin = Bulletin.objects.filter(issue=issue).first()
    if bulletin is None:
        raise Http404("没有这一期快报。")
    return bulletin


def bulletin_html(request, issue: int):
    bulletin = _bulletin(issue)
    response = HttpResponse(bulletin.html, content_type="text/html; charset=utf-8")
    response["Digest"] = f"sha-256={bulletin.sha256}"
    return response


def bulletin_pdf_view(request, issue: int):
    bulletin = _bulletin(issue)
    response = HttpResponse(bulletin_pdf(bulletin), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bulletin-{bulletin.issue}.pdf"'
    return response
