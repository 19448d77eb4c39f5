"""``{% finding_evidence_rows findings as rows %}``: the rectification evidence of the open findings on the entity
page, read once for all of them (two queries), with each finding's form (regulator/portal/business_evidence.py)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def finding_evidence_rows(context, findings) -> list[dict[str, Any]]:
    from regulator.portal.business_evidence import evidence_rows

    return evidence_rows(context["request"], list(findings or []))
