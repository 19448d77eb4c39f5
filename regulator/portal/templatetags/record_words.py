"""公示信息摘要: a public listing or penalty row in one Chinese sentence (what, when, until when) for the report.

The public report carries no score and no grade (DOMAIN.md: the public sees only published lists and penalties),
so its words are those of the records themselves, built from the public row's own fields and labels.
"""

from __future__ import annotations

from typing import Any

from django import template

from core.scope import region_name
from ratings.explain import date_words

register = template.Library()


@register.filter
def listing_words(row: dict[str, Any]) -> str:
    """"2026年1月2日被认定列入严重失信主体名单，公示至2029年1月1日。" from a labelled public listing row."""
    decided = date_words(row.get("decided_on") or row.get("published_on"))
    label = row.get("list_label") or "公示名单"
    sentence = f"{decided}被认定列入{label}" if decided else f"列入{label}"
    if row.get("decision_number"):
        sentence += f"（{row['decision_number']}）"
    until = date_words(row.get("expires_on"))
    sentence += f"，公示至{until}" if until else "，公示期至移出之日"
    return sentence + "。"


@register.filter
def penalty_words(row: dict[str, Any]) -> str:
    """"2026年1月2日因……受到行政处罚（罚款），公示至2027年1月2日。" from a labelled public penalty row."""
    decided = date_words(row.get("decided_on"))
    sentence = f"{decided}因{row.get('violation') or '违法行为'}受到行政处罚（{row.get('penalty_label') or '行政处罚'}）"
    until = date_words(row.get("publicity_until"))
    if until:
        sentence += f"，公示至{until}"
    if row.get("rectified_on"):
        sentence += f"，已于{date_words(row['rectified_on'])}整改"
    return sentence + "。"


@register.filter
def region(code: str | None) -> str:
    """山西省运城市盐湖区 for 140802: the name of an administrative division, never its bare code on a page."""
    return region_name(code or "") or "—"
