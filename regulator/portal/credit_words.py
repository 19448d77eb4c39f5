"""The words of a credit score's breakdown on the business pages (what the lines' sources are called, and the
legal basis an override cites), handed to the pure ``ratings.explain``.

The scoring model whose rules made the score (its ``model_version``) gives the numbers; the names of the sources
come from the caller's own records (one query per kind of source); the basis of the black-list override is the
rule set in force on the score's date, for the entity's sector and category (``rules.legal_basis``), so it is
the rule set's data and follows a new rule set without a code change.
"""

from __future__ import annotations

from typing import Any

from complaints.models import Complaint, ComplaintCategory, Finding
from entities.models import Entity
from ratings import explain
from ratings.models import CreditScore, ScoringModel
from ratings.services import active_model
from regulator.lists import rules as list_rules
from regulator.lists.models import Listing
from regulator.lists.selectors import rule_set_on

_LISTING_RULE_PREFIX = "listing_"


def model_rules(version: int | None) -> dict[str, Any]:
    """The rules of the scoring model that made a score (the active one if that version is gone)."""
    rules = ScoringModel.objects.filter(version=version).values_list("rules", flat=True).first()
    return rules if rules is not None else active_model().rules


def _ids(breakdown: list[dict[str, Any]], source_type: str) -> list[int]:
    return [line["source_id"] for line in breakdown
            if line.get("source_type") == source_type and line.get("source_id") is not None]


def _details(entity: Entity, breakdown: list[dict[str, Any]]) -> dict[tuple[str, Any], str]:
    """What each source is called: the violation of a finding, the reason of a listing, a complaint's category."""
    details: dict[tuple[str, Any], str] = {}
    for pk, name in Finding.objects.filter(pk__in=_ids(breakdown, "finding"), inspection__entity=entity
                                           ).values_list("pk", "violation_type__name"):
        details[("finding", pk)] = name
    for pk, reason in Listing.objects.filter(pk__in=_ids(breakdown, "listing"), entity=entity
                                             ).values_list("pk", "reason"):
        details[("listing", pk)] = reason[:80]
    categories = dict(ComplaintCategory.choices)
    for pk, category in Complaint.objects.filter(pk__in=_ids(breakdown, "complaint"), entity=entity
                                                 ).values_list("pk", "category"):
        details[("complaint", pk)] = str(categories.get(category, ""))
    return details


def override_basis(entity: Entity, score: CreditScore, rules: dict[str, Any]) -> str:
    """The legal basis of the listings an override line of this breakdown rests on, from the rule set in force
    on the score's date ("" when no line overrides, or the rule set names none)."""
    list_types = []
    for line in score.breakdown:
        for rule in explain.overriding_rules(str(line.get("rule") or ""), rules) or []:
            if rule.startswith(_LISTING_RULE_PREFIX) and rule[len(_LISTING_RULE_PREFIX):] not in list_types:
                list_types.append(rule[len(_LISTING_RULE_PREFIX):])
    if not list_types:
        return ""
    document = rule_set_on(score.as_of).document
    bases = []
    for list_type in list_types:
        try:
            basis = list_rules.legal_basis(document, list_type, sector=entity.sector, category=entity.category)
        except KeyError:
            continue
        if basis not in bases:
            bases.append(basis)
    return "；".join(bases)


def breakdown_words(entity: Entity, score: CreditScore) -> list[dict[str, Any]]:
    """The score's breakdown, each line with its ``title`` and ``sentence`` (``ratings.explain``)."""
    rules = model_rules(score.model_version)
    breakdown = list(score.breakdown)
    return explain.explain_breakdown(breakdown, rules=rules, model_version=score.model_version,
                                     details=_details(entity, breakdown), basis=override_basis(entity, score, rules),
                                     as_of=score.as_of)
