"""居家上门服务证 pages: ``/cards/`` (type the code) and ``/cards/<code>/`` (what the card's QR code opens).

A family checks the worker at the door on a phone: plain HTML, no script, one form. The page shows what the public
card API shows (regulator.disclosure.cards: masked name, firm, validity, flags, never an ID number, phone, address or
photo) with its signed receipt, verifiable at ``/verify/``. Throttled per IP like the API.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from core import receipts
from entities.workers import normalize_card_code
from regulator.disclosure import cards
from regulator.lists.selectors import data_version
from regulator.portal import report_pdf
from regulator.portal.views import error_page, public_page

FLAG_ORDER = ("identity_verified", "health_check_valid", "training_done", "no_bad_record")


class CardCodeForm(forms.Form):
    code = forms.CharField(
        label="服务证编码", max_length=40,
        help_text="居家上门服务证上的 12 位编码，如 K7QM-4TZD-9XPA；不区分大小写，可不输入短横线。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters",
                                      "inputmode": "text"}))

    def clean_code(self) -> str:
        code = normalize_card_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("编码应为 12 位字母和数字（不含 0、O、1、I、L），如 K7QM-4TZD-9XPA。")
        return code


@public_page("GET", "HEAD")
def card_lookup(request: HttpRequest) -> HttpResponse:
    """Type the code: a well-formed one goes to its card page, a malformed one is shown what is wrong."""
    form = CardCodeForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("web:card", code=form.cleaned_data["code"])
    return render(request, "web/card_lookup.html", {"form": form}, status=400 if form.errors else 200)


def _not_found(request: HttpRequest) -> HttpResponse:
    return error_page(request, 404, "未找到该服务证",
                      "没有与该编码对应的居家上门服务证。请核对编码；证件无法核验时，请勿让其上门服务，并可联系家政企业或监管部门。")


@never_cache  # the answer is of today: no shared cache keeps it
@public_page("GET", "HEAD")
def card(request: HttpRequest, code: str) -> HttpResponse:
    """The card as of today, with its signed receipt and the QR code of this page."""
    canonical = normalize_card_code(code[:40])
    if canonical is None:
        return _not_found(request)
    if canonical != code:
        return redirect("web:card", code=canonical)
    found = cards.find_card(canonical)
    if found is None:
        return _not_found(request)
    day = timezone.localdate()
    answer = cards.card_answer(found, as_of=day)
    receipt = receipts.issue(kind="worker_card", query={"card_code": found.code}, result=answer, as_of=day,
                             version=data_version(), **cards.card_terms(answer))
    compact = json.dumps(receipt["payload"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    verify_url = reverse("web:verify") + "?" + urlencode({"payload": compact, "signature": receipt["signature"]})
    page_url = request.build_absolute_uri(reverse("web:card", kwargs={"code": found.code}))
    flags = [{"name": name, "ok": answer["flags"][name], "text": cards.FLAG_LABELS[name][0 if answer["flags"][name]
                                                                                       else 1]}
             for name in FLAG_ORDER]
    return render(request, "web/card.html", {
        "answer": answer, "flags": flags, "receipt": receipt, "verify_url": verify_url, "page_url": page_url,
        "qr_svg": report_pdf.qr_svg(page_url)})
