"""Forms of the business pages whose wording follows the rule set in force (not fixed in the shared forms)."""

from __future__ import annotations

from django import forms

from regulator.portal.forms import RepairForm as BaseRepairForm


class RepairForm(BaseRepairForm):
    """信用修复申请: whether a 信用承诺 is required, allowed or refused is the rule set's (2026-04-01: required,
    for 严重失信 too; before: not for 严重失信), so the form only asks; the service answers beside the field."""

    commitment = forms.BooleanField(label="作出信用承诺（提交信用承诺书）", required=False,
                                    help_text="是否须作出信用承诺，以申请之日施行的规则为准；不符合时将在此提示。")


#: shown on the repair form and wherever the business pages offer repair: 中介收费 scams are common
REPAIR_FREE_NOTICE = "信用修复不收取任何费用，请勿相信任何收费代办"


class StatementForm(forms.Form):
    """公开声明: the business's words beside its listing or penalty, public once a regulator approves them."""

    text = forms.CharField(
        label="声明内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="经监管部门审核后，与该条信息一并向公众公开。请勿填写身份证号码、电话号码等个人信息（公开时将隐去）。")
