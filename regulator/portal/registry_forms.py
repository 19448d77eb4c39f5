"""The search page's form: one box, a scope (the whole registry or the published lists) and three filters.

A plain GET form that works without JavaScript: the district list is grouped by city (``<optgroup>``), and a
small script only hides the other cities' districts. The filters' rules (a known city, a district inside it, a
known sector) stay in ``regulator.disclosure.registry.registry_filters``, the API's check, whose errors the
view puts back beside the fields they name.
"""

from __future__ import annotations

from django import forms

from core.scope import Sector, region_name
from regulator.disclosure.registry import districts_of
from regulator.portal.forms import SEARCH_LISTS, SHANXI_PREFECTURES

SCOPE_REGISTRY, SCOPE_LISTS = "registry", "lists"
SCOPES = [(SCOPE_REGISTRY, "全部经营主体（含未列入名单的）"), (SCOPE_LISTS, "仅公示名单（黑名单、红名单）")]


def _city_label(prefix: str) -> str:
    return (region_name(f"{prefix}00") or prefix).removeprefix("山西省")


def city_choices() -> list[tuple[str, str]]:
    return [("", "全部地市"), *((f"{prefix}00", _city_label(prefix)) for prefix in SHANXI_PREFECTURES)]


def district_choices() -> list:
    """All of Shanxi's counties, grouped by city, so the list makes sense without a script."""
    return [("", "全部县（市、区）"), *((_city_label(prefix), list(districts_of(prefix))) for prefix in SHANXI_PREFECTURES)]


class RegistrySearchForm(forms.Form):
    q = forms.CharField(label="名称、拼音、首字母或统一社会信用代码", max_length=64, required=False,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off",
                                                      "placeholder": "如：河东小院、hedong、hdxy、91140802…"}))
    scope = forms.ChoiceField(label="查询范围", choices=SCOPES, required=False, widget=forms.RadioSelect)
    city = forms.ChoiceField(label="地市", choices=city_choices, required=False)
    district = forms.ChoiceField(label="县（市、区）", choices=district_choices, required=False)
    sector = forms.ChoiceField(label="行业", choices=[("", "全部行业"), *Sector.choices], required=False)
    list = forms.ChoiceField(label="名单", choices=SEARCH_LISTS, required=False)



def asked_scope(data) -> str:
    """The scope asked: the registry by default; a link with only ``list=`` (made before the registry search
    existed) still means the published lists."""
    asked = (data or {}).get("scope")
    if asked in dict(SCOPES):
        return asked
    return SCOPE_LISTS if data and data.get("list") else SCOPE_REGISTRY
