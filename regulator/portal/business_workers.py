"""Business pages for a household-service firm's workers (家政服务员信用档案): list, add, upload, the file, cards.

Business accounts only (business.business_page); every worker, employment and card comes from the caller's scoped
selectors (entities.worker_selectors), so another firm's worker is simply not found (404). Every form posts to the
same services as the API (entities.worker_services, entities.worker_upload). Works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from complaints.models import ComplaintOutcome, ComplaintStatus, Penalty
from complaints.selectors import complaints_for, findings_for
from config.api.exceptions import ConflictError
from entities import worker_selectors as selectors
from entities import worker_services as services
from entities.coverage import EXPIRING_DAYS, MISSING_LABELS
from entities.retraining_selectors import own_coverage
from entities.validators import normalize_id_number, validate_id_number
from entities.worker_selectors import CARD_REASONS, card_state
from entities.worker_upload import UploadRejected, workers_upload
from entities.workers import TrainingKind, VerificationMethod
from regulator.portal.business import business_page
from regulator.portal.forms import add_errors

FIELD_LABELS = {
    "name": "姓名", "id_number": "身份证号码", "started_on": "入职日期", "ended_on": "离职日期", "position": "服务类型",
    "health_checked_on": "体检日期", "health_expires_on": "体检有效期至", "health_institution": "体检机构",
    "training_kind": "培训类型", "training_provider": "培训机构", "training_hours": "学时",
    "training_completed_on": "结业日期", "training_certificate": "结业证书编号", "entity": "企业", "person": "人员",
    "detail": "说明",
}
STATUS_LABELS = {"created": "新增", "updated": "已更新", "unchanged": "已存在，未改动", "error": "有错误",
                 "not_written": "未导入（文件中有错误行）"}
CARD_STATUS = {"valid": "有效", "expired": "已失效", "revoked": "已注销"}
_DATE = forms.DateInput(attrs={"type": "date"})


class _FirmForm(forms.Form):
    entity = forms.ModelChoiceField(label="用工企业", queryset=None, empty_label=None)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].queryset = selectors.writable_firms(user).order_by("id")


class WorkerForm(_FirmForm):
    name = forms.CharField(label="姓名", max_length=100)
    id_number = forms.CharField(label="身份证号码", max_length=32,
                                help_text="仅保存其密钥哈希与脱敏形式；同一号码始终是同一人。",
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    started_on = forms.DateField(label="入职日期", widget=_DATE)
    position = forms.CharField(label="服务类型", max_length=60, required=False, help_text="如：育婴员、养老护理、保洁。")

    def clean_id_number(self) -> str:
        number = normalize_id_number(self.cleaned_data["id_number"])
        try:
            validate_id_number(number)
        except DjangoValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc
        return number


class UploadForm(_FirmForm):
    file = forms.FileField(label="CSV 或 XLSX 文件",
                           help_text="首行为列名：姓名、身份证号码、入职日期（必填），离职日期、服务类型、体检日期、体检有效期至、"
                                     "体检机构、培训类型、培训机构、学时、结业日期、结业证书编号（选填）。")


class HealthCheckForm(forms.Form):
    checked_on = forms.DateField(label="体检日期", widget=_DATE)
    expires_on = forms.DateField(label="有效期至", widget=_DATE)
    institution = forms.CharField(label="体检机构", max_length=200)
    certificate_number = forms.CharField(label="健康证明编号", max_length=64, required=False)
    passed = forms.BooleanField(label="体检合格", required=False, initial=True)


class TrainingForm(forms.Form):
    kind = forms.ChoiceField(label="培训类型", choices=TrainingKind.choices)
    provider = forms.CharField(label="培训机构", max_length=200)
    hours = forms.IntegerField(label="学时", min_value=1, max_value=2000)
    completed_on = forms.DateField(label="结业日期", widget=_DATE)
    certificate_number = forms.CharField(label="结业证书编号", max_length=64, required=False)


class IdentityForm(forms.Form):
    method = forms.ChoiceField(label="核验方式", choices=VerificationMethod.choices[:2])
    verified_on = forms.DateField(label="核验日期", widget=_DATE)


class EndForm(forms.Form):
    ended_on = forms.DateField(label="离职日期", widget=_DATE, help_text="含当日；次日起其服务证失效。")


class RevokeForm(forms.Form):
    reason = forms.CharField(label="注销原因", max_length=300, help_text="不对外公开；证件页面只显示“已注销”。")


def _worker(request: HttpRequest, person_id: int):
    return get_object_or_404(selectors.worker_files(request.user), pk=person_id)


def _card_rows(person, day) -> list[dict[str, Any]]:
    checks, verifications, trainings = (list(person.health_checks.all()), list(person.identity_verifications.all()),
                                        list(person.trainings.all()))
    rows = []
    for employment in person.visible_employments:
        for card in employment.cards.all():
            state = card_state(card, day=day, health_checks=checks, verifications=verifications, trainings=trainings)
            rows.append({"card": card, "employment": employment, "status": CARD_STATUS[state.status],
                         "valid": state.valid, "reasons": [CARD_REASONS[r] for r in state.reasons],
                         "valid_until": state.valid_until})
    return rows


@business_page("GET", "HEAD")
def worker_list(request: HttpRequest) -> HttpResponse:
    day = timezone.localdate()
    rows = []
    for person in selectors.worker_files(request.user):
        current = [e for e in person.visible_employments if e.covers(day)]
        cards = _card_rows(person, day)
        rows.append({"person": person, "employments": person.visible_employments, "current": bool(current),
                     "card": next((row for row in cards if row["valid"]), cards[0] if cards else None)})
    return render(request, "web/business_workers.html", {"rows": rows, "firms": selectors.writable_firms(request.user),
                                                         "coverage": _coverage(request.user, day)})


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _coverage(user, day) -> dict[str, Any]:
    """全覆盖 of the firm's own workers (entities.coverage, the regulators' figures): shares, which workers lack what,
    health checks expiring within 30 days, and the 回炉 phases the firm must meet."""
    found = own_coverage(user, day=day)
    for firm in found["firms"]:
        for name in ("complete", "identity_verified", "health_valid", "training_done", "cards_valid"):
            firm[f"{name}_percent"] = _percent(firm[f"{name}_share"])
    for worker in found["workers_with_gaps"]:
        worker["missing_labels"] = [MISSING_LABELS[name] for name in worker["missing"]]
    for phase in found["retraining"]:
        phase["share_percent"] = _percent(phase["share"])
    found["expiring_days"] = EXPIRING_DAYS
    return found


@business_page("GET", "HEAD", "POST")
def worker_new(request: HttpRequest) -> HttpResponse:
    form = WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employment, outcome = services.worker_register(
                actor=request.user, entity=data["entity"], name=data["name"], id_number=data["id_number"],
                started_on=data["started_on"], position=data.get("position") or "")
        except (DjangoValidationError, ConflictError) as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "已登记。" if outcome == "created" else "该人员在本企业的从业登记已存在。")
            return redirect("web:business-worker", person_id=employment.person_id)
    status = 400 if form.errors else 200
    return render(request, "web/business_workers_new.html", {"form": form}, status=status)


@business_page("GET", "HEAD", "POST")
def worker_upload(request: HttpRequest) -> HttpResponse:
    """Bulk upload with its per-row report; nothing is written when any row is wrong."""
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    report, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = workers_upload(actor=request.user, entity=form.cleaned_data["entity"], raw=upload.read(),
                                        filename=upload.name or "")
            except UploadRejected as exc:
                add_errors(form, exc)
            except DjangoValidationError as exc:
                add_errors(form, exc)
            else:
                status = 200 if report["ok"] else 400
                for line in report["rows"]:
                    line["status_label"] = STATUS_LABELS[line["status"]]
                    line["messages"] = [f"{FIELD_LABELS.get(field, field)}：{message}"
                                        for field, errors in line["errors"].items() for message in errors]
    return render(request, "web/business_workers_upload.html", {"form": form, "report": report}, status=status)


def _detail(request: HttpRequest, person, *, bound: dict[str, forms.Form] | None = None, status: int = 200):
    day = timezone.localdate()
    bound = bound or {}
    employments = [{"employment": e, "current": e.covers(day), "end_form": bound.get(f"end-{e.pk}") or
                    EndForm(prefix=f"end-{e.pk}")} for e in person.visible_employments]
    complaints = complaints_for(request.user).filter(worker=person).order_by("-received_on")
    findings = findings_for(request.user).filter(worker=person).order_by("-inspection__inspected_on")
    return render(request, "web/business_workers_detail.html", {
        "person": person, "employments": employments, "cards": _card_rows(person, day),
        "health_form": bound.get("health") or HealthCheckForm(prefix="health"),
        "training_form": bound.get("training") or TrainingForm(prefix="training"),
        "identity_form": bound.get("identity") or IdentityForm(prefix="identity"),
        "revoke_forms": {key: form for key, form in bound.items() if key.startswith("revoke-")},
        "complaints": [{"complaint": c, "status": dict(ComplaintStatus.choices).get(c.status, ""),
                        "outcome": dict(ComplaintOutcome.choices).get(c.outcome, "")} for c in complaints],
        "findings": [{"finding": f, "penalty": dict(Penalty.choices).get(f.penalty, "")} for f in findings],
        "training_labels": dict(TrainingKind.choices), "method_labels": dict(VerificationMethod.choices),
    }, status=status)


@business_page("GET", "HEAD")
def worker_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    return _detail(request, _worker(request, person_id))


def _own_firm(request: HttpRequest, person):
    """The caller's firm that employs (or employed) the worker: entries are recorded as that firm's."""
    current = [e.entity for e in person.visible_employments if e.covers(timezone.localdate())]
    return current[0] if current else person.visible_employments[0].entity


def _post(request: HttpRequest, person, key: str, form: forms.Form, call, message: str) -> HttpResponse:
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (DjangoValidationError, ConflictError) as exc:
            add_errors(form, exc)
            return _detail(request, _worker(request, person.pk), bound={key: form},
                           status=409 if isinstance(exc, ConflictError) else 400)
        messages.success(request, message)
        return redirect("web:business-worker", person_id=person.pk)
    return _detail(request, person, bound={key: form}, status=400)


@business_page("POST")
def health_check_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _worker(request, person_id)
    return _post(request, person, "health", HealthCheckForm(request.POST, prefix="health"),
                 lambda data: services.health_check_record(actor=request.user, person=person,
                                                           entity=_own_firm(request, person), **data),
                 "体检记录已登记。")


@business_page("POST")
def training_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _worker(request, person_id)
    return _post(request, person, "training", TrainingForm(request.POST, prefix="training"),
                 lambda data: services.training_record(actor=request.user, person=person,
                                                       entity=_own_firm(request, person), **data),
                 "培训记录已登记。")


@business_page("POST")
def identity_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _worker(request, person_id)
    return _post(request, person, "identity", IdentityForm(request.POST, prefix="identity"),
                 lambda data: services.identity_verify(actor=request.user, person=person,
                                                       entity=_own_firm(request, person), **data),
                 "身份核验已登记。")


@business_page("POST")
def employment_end(request: HttpRequest, employment_id: int) -> HttpResponse:
    employment = get_object_or_404(selectors.employments_for(request.user), pk=employment_id)
    person = _worker(request, employment.person_id)
    key = f"end-{employment.pk}"
    return _post(request, person, key, EndForm(request.POST, prefix=key),
                 lambda data: services.employment_update(actor=request.user, employment=employment,
                                                         ended_on=data["ended_on"]),
                 "离职日期已登记。")


@business_page("POST")
def card_issue(request: HttpRequest, employment_id: int) -> HttpResponse:
    employment = get_object_or_404(selectors.employments_for(request.user), pk=employment_id)
    person = _worker(request, employment.person_id)
    try:
        card = services.card_issue(actor=request.user, employment=employment)
    except (DjangoValidationError, ConflictError) as exc:
        text = "；".join(exc.messages) if isinstance(exc, DjangoValidationError) else str(exc.detail)
        messages.error(request, f"未能发证：{text}")
    else:
        messages.success(request, f"已发放居家上门服务证 {card.code}。")
    return redirect("web:business-worker", person_id=person.pk)


@business_page("POST")
def card_revoke(request: HttpRequest, card_id: int) -> HttpResponse:
    card = get_object_or_404(selectors.cards_for(request.user), pk=card_id)
    person = _worker(request, card.employment.person_id)
    key = f"revoke-{card.pk}"
    return _post(request, person, key, RevokeForm(request.POST, prefix=key),
                 lambda data: services.card_revoke(actor=request.user, card=card, reason=data["reason"]),
                 "服务证已注销。")


urlpatterns = [
    path("business/workers/", worker_list, name="business-workers"),
    path("business/workers/new/", worker_new, name="business-worker-new"),
    path("business/workers/upload/", worker_upload, name="business-workers-upload"),
    path("business/workers/<int:person_id>/", worker_detail, name="business-worker"),
    path("business/workers/<int:person_id>/health-checks/", health_check_add, name="business-worker-health"),
    path("business/workers/<int:person_id>/trainings/", training_add, name="business-worker-training"),
    path("business/workers/<int:person_id>/identity/", identity_add, name="business-worker-identity"),
    path("business/employments/<int:employment_id>/end/", employment_end, name="business-employment-end"),
    path("business/employments/<int:employment_id>/card/", card_issue, name="business-card-issue"),
    path("business/cards/<int:card_id>/revoke/", card_revoke, name="business-card-revoke"),
]
