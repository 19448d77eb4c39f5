"""诚信评选 badges: the titles in force of an operator, for its public page and the search results."""

from __future__ import annotations

from django import template
from django.utils import timezone

from regulator.lists import award_selectors

register = template.Library()


@register.inclusion_tag("web/_award_badges.html")
def award_badges(credit_code: str) -> dict:
    """The operator page's badges (one query): each title in force, its number and validity."""
    return {"badges": award_selectors.badges_by_credit_code(credit_code, day=timezone.localdate()), "full": True}


@register.inclusion_tag("web/_award_badges.html")
def award_badges_of(row: dict) -> dict:
    """A search result's badges, read from the row (attached per page by the registry: no query per row)."""
    return {"badges": row.get("awards") or [], "full": False}
