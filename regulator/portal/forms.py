"""Forms of the pages: they render labelled fields and carry errors; the rules stay in serializers and services.

A form here checks shape only (required, length, choices) so the browser can
show the same limits; the complaint's rules run in ``ComplaintCreateSerializer``
and ``complaint_file``, the listing rules in ``objection_file`` and ``repair_apply``,
and their errors are put back beside the fields they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import APIException

from complaints import tracking_codes
from complaints.attachments import MAX_ATTACHMENTS
from complaints.models import Complaint, PractitionerKind
from core import uploads
from core.scope import region_name

SEARCH_LISTS = [("all", "黑名单和红名单"), ("black", "严重失信主体名单（黑名单）"), ("red", "守信激励名单（红名单）")]


class SearchForm(forms.Form):
    q = forms.CharField(label="名称、拼音、首字母或统一社会信用代码", max_length=64, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "如：运城国际旅行社、guoji、91140802…"}))
    list = forms.ChoiceField(label="查询范围", choices=SEARCH_LISTS, required=False)


#: the prefectures of Shanxi (GB/T 2260): where a complaint about an unregistered operator or a person is handled
SHANXI_PREFECTURES = ("1401", "1402", "1403", "1404", "1405", "1406", "1407", "1408", "1409", "1410", "1411")
RESPONDENT_CHOICES = [("entity", "已登记的经营者（按名称查找，或填写统一社会信用代码）"),
                      ("operator", "未登记的经营者，或在登记中找不到"),
                      ("person", "导游、家政服务员等个人")]
#: the fields of each kind of respondent; the others are not sent on
OPERATOR_FIELDS = ("operator_name", "operator_address", "operator_phone")
PERSON_FIELDS = ("person_name", "person_role", "person_card_number")
RESPONDENT_FIELDS = {"entity": ("entity_credit_code",), "operator": (*OPERATOR_FIELDS, "region_code"),
                     "person": (*PERSON_FIELDS, "region_code")}


def receiving_regions() -> list[tuple[str, str]]:
    return [("", "请选择"), *((f"{prefix}00", region_name(f"{prefix}00") or prefix) for prefix in SHANXI_PREFECTURES)]


class OperatorSearchForm(forms.Form):
    """The results step of choosing an operator by name (a plain GET; with JavaScript, suggestions as you type)."""

    q = forms.CharField(label="按名称查找经营者", max_length=64, required=False,
                        help_text="输入招牌或营业执照上的名称（简体、繁体、拼音或首字母均可），也可输入统一社会信用代码。",
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "如：运城宾馆、yuncheng"}))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; what they are is checked by the service (core.uploads), not here."""

    def clean(self, data, initial=None) -> list:
        return [item for item in (data if isinstance(data, list | tuple) else [data]) if item]


class ComplaintForm(forms.Form):
    respondent_kind = forms.ChoiceField(label="被投诉对象", choices=RESPONDENT_CHOICES, initial="entity",
                                        required=False, widget=forms.RadioSelect)
    entity_credit_code = forms.CharField(
        label="被投诉经营者的统一社会信用代码", max_length=32, required=False,
        help_text="18 位，可在营业执照或本站经营者信用页面上找到；不知道时请在上方按名称查找。",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}))
    operator_name = forms.CharField(label="经营者名称", max_length=200, required=False,
                                    help_text="未登记或不知道信用代码时填写，如招牌、网店名称。")
    operator_address = forms.CharField(label="经营者地址", max_length=200, required=False)
    operator_phone = forms.CharField(label="经营者电话（选填）", max_length=40, required=False,
                                     widget=forms.TextInput(attrs={"type": "tel"}))
    person_name = forms.CharField(label="被投诉人员姓名", max_length=100, required=False)
    person_role = forms.ChoiceField(label="人员身份", choices=[("", "请选择"), *PractitionerKind.choices],
                                    required=False)
    person_card_number = forms.CharField(label="导游证或上门服务证编号（选填）", max_length=64, required=False)
    region_code = forms.ChoiceField(label="事发地（地市）", choices=receiving_regions, required=False,
                                    help_text="被投诉对象未登记时必填，由当地监管部门受理。")
    category = forms.ChoiceField(label="投诉类别", choices=Complaint._meta.get_field("category").choices)
    incident_date = forms.CharField(label="事发（服务结束）日期", help_text="超过 90 日的投诉依法不予受理。",
                                    widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label="投诉内容", max_length=5000,
                                  help_text="请写明时间、地点、经过和您的诉求。",
                                  widget=forms.Textarea(attrs={"rows": 6}))
    complainant_name = forms.CharField(label="您的姓名（选填）", max_length=100, required=False,
                                       help_text="仅监管人员可见。", widget=forms.TextInput(
                                           attrs={"autocomplete": "name"}))
    complainant_phone = forms.CharField(label="联系电话（选填）", max_length=20, required=False,
                                        help_text="仅监管人员可见，用于联系您核实情况。",
                                        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    complainant_count = forms.CharField(label="投诉人数", initial="1",
                                        widget=forms.NumberInput(attrs={"min": 1, "max": 10000}))
    representatives = forms.CharField(label="代表人（选填）", max_length=200, required=False,
                                      help_text="4 人以上共同投诉的，可以推选 1 至 3 名代表人，姓名以顿号分隔。")
    attachments = MultipleFileField(
        label=f"照片或票据（选填，最多 {MAX_ATTACHMENTS} 个）", required=False,
        help_text=f"JPEG、PNG、WebP 图片或 PDF，每个不超过 {uploads.max_bytes() // (1024 * 1024)} MB。"
                  "图片中的拍摄位置等信息会被删除；附件仅监管人员和被投诉经营者可见。",
        widget=MultipleFileInput(attrs={"accept": uploads.ACCEPT}))
    notify_by_email = forms.BooleanField(label="通过电子邮件通知我办理进度", required=False)
    notify_email = forms.EmailField(label="电子邮箱（选填）", max_length=254, required=False,
                                    help_text="勾选上一项时填写；仅监管人员可见，投诉办结 30 日后删除。",
                                    widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    notify_sms = forms.BooleanField(label="通过短信通知我办理进度（发送到上面的联系电话，须为手机号码）",
                                    required=False)

    #: the form's own fields, not the complaint's: the page hands them to the service separately
    EXTRA_FIELDS = ("attachments", "notify_by_email", "notify_email", "notify_sms")

    def clean(self):
        data = super().clean()
        if (data.get("respondent_kind") or "entity") == "entity" and not (data.get("entity_credit_code") or "").strip():
            self.add_error("entity_credit_code", "请按名称查找并选择被投诉的经营者，或填写统一社会信用代码（这是必填项）。")
        if data.get("notify_by_email") and not data.get("notify_email") and "notify_email" not in self.errors:
            self.add_error("notify_email", "选择邮件通知时请填写电子邮箱。")
        return data

    def status_update_choices(self) -> dict[str, Any]:
        """The opt-ins as the service takes them: an e-mail only when its box is ticked."""
        data = getattr(self, "cleaned_data", {})
        return {"notify_email": (data.get("notify_email") or "") if data.get("notify_by_email") else "",
                "notify_sms": bool(data.get("notify_sms"))}

    def filing_data(self, posted) -> dict[str, str]:
        """What goes on to the serializer: the fields of the chosen kind of respondent, not the others."""
        kind = posted.get("respondent_kind") or "entity"
        posted = {**posted.dict(), "respondent_kind": kind} if hasattr(posted, "dict") else {**posted,
                                                                                            "respondent_kind": kind}
        others = {name for other, names in RESPONDENT_FIELDS.items() if other != kind for name in names}
        others -= set(RESPONDENT_FIELDS.get(kind, ()))
        return {name: posted.get(name, "") for name in self.fields if name not in others and name not in
                self.EXTRA_FIELDS}


class TrackForm(forms.Form):
    code = forms.CharField(label="投诉查询码", max_length=60,
                           help_text="如 K7QM-4TZD-9WXB-H3RN；大小写、空格和短横线都不影响查询。",
                           widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                         "autocapitalize": "characters"}))

    def clean_code(self) -> list[str]:
        """The stored codes the input may stand for (tracking_codes.candidates); none is an error here."""
        found = tracking_codes.candidates(self.cleaned_data["code"])
        if not found:
            raise forms.ValidationError(NOT_A_CODE)
        return found


NOT_A_CODE = "查询码由 16 位字母和数字组成（不含 0、1、I、L、O、U），请核对后重新输入。"


class VerifyForm(forms.Form):
    payload = forms.CharField(label="回执内容（JSON）", max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}))
    signature = forms.CharField(label="签名（Base64）", max_length=200,
                                widget=forms.TextInput(attrs={"spellcheck": "false"}))


class ReplyForm(forms.Form):
    statement = forms.CharField(label="书面答复", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ObjectionForm(forms.Form):
    statement = forms.CharField(label="陈述申辩内容", max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))


class RepairForm(forms.Form):
    statement = forms.CharField(label="申请说明", max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.CharField(label="证明材料（每行一项）", max_length=25000,
                               help_text="履行法定义务、纠正失信行为的证明，如缴款凭证、整改报告。",
                               widget=forms.Textarea(attrs={"rows": 3}))
    training_record = forms.CharField(label="信用修复培训记录", max_length=200, required=False)
    commitment = forms.BooleanField(label="提交信用承诺书", required=False,
                                    help_text="严重失信主体不适用信用承诺。")

    def evidence_items(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("evidence", "").splitlines() if line.strip()]


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [message for item in value.values() for message in _messages(item)]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def add_errors(form: forms.Form, errors: Any, *, aliases: dict[str, str] | None = None) -> None:
    """Put errors from a serializer, a Django ValidationError or a domain error beside the fields they name.

    A field the form already flagged keeps its own message (the same problem is not reported twice);
    ``aliases`` renames the rule's field names to the form's.
    """
    if isinstance(errors, DjangoValidationError):
        errors = errors.message_dict if hasattr(errors, "error_dict") else {None: errors.messages}
    elif isinstance(errors, APIException):
        errors = errors.detail if isinstance(errors.detail, dict) else {None: errors.detail}
    if not hasattr(form, "cleaned_data"):
        form.cleaned_data = {}
    flagged = set(form.errors)
    for field, value in errors.items():
        name = (aliases or {}).get(field, field)
        target = name if name in form.fields else None
        if target in flagged:
            continue
        for message in _messages(value):
            form.add_error(target, message)
