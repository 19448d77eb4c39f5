"""Forms of the business pages whose wording follows the rule set in force (not fixed in the shared forms)."""

from __future__ import annotations

from django import forms

from regulator.portal.forms import RepairForm as BaseRepairForm


class RepairForm(BaseRepairForm):
    """信用修复申请: whether a 信用承诺 is required, allowed or refused is the rule set's (2026-04-01: required,
    for 严重失信 too; before: not for 严重失信), so the form only asks; the service answers beside the field."""

    commitment = forms.BooleanField(label="作出信用承诺（提交信用承诺书）", required=False,
                                    help_text="是否须作出信用承诺，以申请之日施行的规则为准；不符合时将在此提示。")
