"""Rules that propose listings (DOMAIN.md, Lists): on each new finding or complaint outcome, and nightly.

A proposal is only a proposal: a regulator notifies, hears objections and
decides. Each proposal is keyed by (list, subject, source, rule), so running
the rules again never proposes the same thing twice, even after a regulator
withdrew it.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import Complaint, Finding
from entities.models import Entity, PersonRole, PersonRoleKind
from regulator.lists.models import (
    Listing,
    ListingStatus,
    ListType,
    SubjectType,
)
from regulator.lists.rules import (
    IMPORT_GROUNDS,
    criteria_for,
    legal_basis,
    longest_period_days,
    period_days,
)
from regulator.lists.selectors import rule_set_on
from regulator.lists.services import listing_propose

LISTED_ROLES = [PersonRoleKind.LEGAL_REPRESENTATIVE, PersonRoleKind.ACTUAL_CONTROLLER, PersonRoleKind.PRINCIPAL]
_EFFECTIVE = [ListingStatus.DECIDED, ListingStatus.PUBLISHED, ListingStatus.EXPIRED, ListingStatus.REMOVED,
              ListingStatus.REPAIRED]
_SEVERITY_RANK = {"minor": 0, "general": 1, "serious": 2, "grave": 3}


def _already(list_type: str, *, entity_id=None, person_id=None, source_type: str, source_id: int,
             source_rule: str) -> bool:
    return Listing.objects.filter(list_type=list_type, entity_id=entity_id, person_id=person_id,
                                  source_type=source_type, source_id=source_id, source_rule=source_rule).exists()


def _propose(created: list[Listing], **kwargs) -> None:
    subject = {"entity_id": kwargs["entity"].pk if kwargs.get("entity") else None,
               "person_id": kwargs["person"].pk if kwargs.get("person") else None}
    if _already(kwargs["list_type"], source_type=kwargs["source_type"], source_id=kwargs["source_id"],
                source_rule=kwargs["source_rule"], **subject):
        return
    created.append(listing_propose(**kwargs))


def _severe_enough(severity: str, minimum: str | None) -> bool:
    return minimum is None or _SEVERITY_RANK.get(severity, 0) >= _SEVERITY_RANK[minimum]


class _Evidence:
    """What the proposing rules read on ``day``, by the rule set in force then (for all entities).

    The horizons are the longest any sector or category has (a superset); each entity's rules then apply
    the periods of its own sector and category.
    """

    def __init__(self, day: datetime.date):
        self.day = day
        self.document = rule_set_on(day).document
        criteria = self.document["criteria"]
        self.watch_horizon = day - datetime.timedelta(days=longest_period_days(self.document, "watch"))
        black_horizon = day - datetime.timedelta(days=longest_period_days(self.document, "black"))
        # Findings inspected within the black-list period (the watch rules look at the decision date too).
        self.findings = Finding.objects.filter(inspection__inspected_on__gt=black_horizon,
                                               inspection__inspected_on__lte=day)
        # Substantiated complaints resolved within the watch period.
        self.complaints = Complaint.objects.filter(outcome="substantiated", resolved_on__isnull=False,
                                                   resolved_on__gt=self.watch_horizon, resolved_on__lte=day)
        # Watch listings decided (and not removed) within the watch-to-black window.
        within = criteria["watch_to_black"]["within_days"]
        self.watches = (Listing.objects.filter(list_type=ListType.WATCH, status__in=_EFFECTIVE,
                                               decided_on__gt=day - datetime.timedelta(days=within),
                                               decided_on__lte=day)
                        .exclude(status=ListingStatus.REMOVED))
        # Listings of other authorities on a ground a sector's rules act on (失信被执行人 for 养老), in effect.
        self.imported = (Listing.objects.filter(source_type="import", source_rule__in=IMPORT_GROUNDS,
                                                entity__isnull=False, status=ListingStatus.PUBLISHED,
                                                published_on__lte=day)
                         .filter(Q(expires_on__isnull=True) | Q(expires_on__gt=day)))


def listings_propose_for_entity(*, entity_id: int, today: datetime.date | None = None) -> list[Listing]:
    """Evaluate every proposing rule for one entity; returns the listings newly proposed.

    The criteria, periods and legal bases are those of the entity's sector and category in the rule set in
    force on ``today`` (养老 has its own grounds; 商务/家政 its own periods); each proposal cites the basis
    of its ground.
    """
    day = today or timezone.localdate()
    evidence = _Evidence(day)
    document = evidence.document
    entity = Entity.objects.get(pk=entity_id)
    kind = {"sector": entity.sector, "category": entity.category}
    criteria = criteria_for(document, **kind)
    watch_horizon = day - datetime.timedelta(days=period_days(document, "watch", **kind))
    black_horizon = day - datetime.timedelta(days=period_days(document, "black", **kind))
    minimum = criteria.get("violation_min_severity", {})
    created: list[Listing] = []

    def propose(list_type: str, ground: str, **kwargs) -> None:
        _propose(created, list_type=list_type, legal_basis=legal_basis(document, list_type, ground=ground, **kind),
                 today=day, **kwargs)

    findings = evidence.findings.filter(inspection__entity=entity, inspection__inspected_on__gt=black_horizon)
    for finding in findings.select_related("violation_type", "inspection"):
        decided = finding.decided_on or finding.inspection.inspected_on
        code = finding.violation_type.code
        if criteria.get("black_on_revocation") and finding.penalty == "revocation":
            reason = _("许可证被吊销：%(v)s（%(n)s）") % {"v": finding.violation_type.name, "n": finding.decision_number}
            propose(ListType.BLACK, "licence_revoked", subject_type=SubjectType.ENTITY, entity=entity, reason=reason,
                    source_type="finding", source_id=finding.pk, source_rule="licence_revoked")
            # DOMAIN: its legal representative or principal *at that time* is listed too.
            roles = PersonRole.objects.filter(entity=entity, role__in=LISTED_ROLES, started_on__lte=decided).filter(
                Q(ended_on__isnull=True) | Q(ended_on__gte=decided)).select_related("person")
            for role in roles:
                propose(ListType.BLACK, "licence_revoked_person", subject_type=SubjectType.PERSON, person=role.person,
                        related_entity=entity, person_role=role.role,
                        reason=_("%(role)s，所任职主体 %(entity)s 许可证被吊销") % {
                            "role": role.get_role_display(), "entity": entity.name},
                        source_type="finding", source_id=finding.pk, source_rule="licence_revoked_person")
        if code in criteria.get("black_violation_codes", []) and _severe_enough(finding.severity, minimum.get(code)):
            propose(ListType.BLACK, code, subject_type=SubjectType.ENTITY, entity=entity,
                    reason=_("严重失信行为：%(v)s") % {"v": finding.violation_type.name},
                    source_type="finding", source_id=finding.pk, source_rule="black_violation")
        if decided > watch_horizon:
            if finding.penalty in criteria.get("watch_on_penalties", []):
                propose(ListType.WATCH, "penalty_above_warning", subject_type=SubjectType.ENTITY, entity=entity,
                        reason=_("受到警告以上行政处罚：%(v)s（%(n)s）") % {
                            "v": finding.violation_type.name, "n": finding.decision_number},
                        source_type="finding", source_id=finding.pk, source_rule="penalty_above_warning")
            if code in criteria.get("watch_violation_codes", []) and _severe_enough(finding.severity,
                                                                                     minimum.get(code)):
                propose(ListType.WATCH, code, subject_type=SubjectType.ENTITY, entity=entity,
                        reason=_("轻微失信行为：%(v)s") % {"v": finding.violation_type.name},
                        source_type="finding", source_id=finding.pk, source_rule="watch_violation")

    rule = criteria["complaints_to_watch"]
    substantiated = list(evidence.complaints.filter(entity=entity, resolved_on__gt=watch_horizon)
                         .order_by("resolved_on", "id").values_list("id", "resolved_on"))
    for i in range(len(substantiated) - rule["count"] + 1):
        window = substantiated[i:i + rule["count"]]
        if (window[-1][1] - window[0][1]).days < rule["within_days"]:
            propose(ListType.WATCH, "complaints_in_quarter", subject_type=SubjectType.ENTITY, entity=entity,
                    reason=_("一个季度内 %(n)s 件投诉经查属实") % {"n": rule["count"]},
                    source_type="complaint", source_id=window[-1][0], source_rule="complaints_in_quarter")
            break

    rule = criteria["watch_to_black"]
    watches = list(evidence.watches.filter(entity=entity).order_by("decided_on", "id").values_list("id", flat=True))
    if len(watches) >= rule["count"]:
        propose(ListType.BLACK, "watch_twice", subject_type=SubjectType.ENTITY, entity=entity,
                reason=_("12 个月内 %(n)s 次列入重点关注名单") % {"n": len(watches)},
                source_type="listing", source_id=watches[-1], source_rule="watch_twice")

    grounds = criteria.get("black_on_imported_grounds", [])
    if grounds:
        for imported in evidence.imported.filter(entity=entity, source_rule__in=grounds).order_by("id"):
            propose(ListType.BLACK, imported.source_rule, subject_type=SubjectType.ENTITY, entity=entity,
                    reason=_("经%(authority)s认定：%(reason)s（%(reference)s）") % {
                        "authority": imported.source_authority, "reason": imported.reason,
                        "reference": imported.source_reference},
                    source_type="listing", source_id=imported.pk, source_rule=imported.source_rule)
    return created


def entities_with_evidence(*, today: datetime.date | None = None):
    """Ids of the active entities some proposing rule could fire for on ``today``.

    Every rule of ``listings_propose_for_entity`` needs evidence inside its horizon: a
    finding inspected within the black-list period, ``complaints_to_watch.count``
    substantiated complaints resolved within the watch period, ``watch_to_black.count``
    watch listings decided within its window, or another authority's listing on a ground
    a sector acts on. An entity with none of these cannot be proposed, so the nightly pass
    visits only these (one set-based query) instead of every registered business.
    """
    evidence = _Evidence(today or timezone.localdate())
    criteria = evidence.document["criteria"]
    findings = evidence.findings.values_list("inspection__entity_id", flat=True)
    complaints = (evidence.complaints.values("entity_id").annotate(n=Count("id"))
                  .filter(n__gte=criteria["complaints_to_watch"]["count"]).values_list("entity_id", flat=True))
    watches = (evidence.watches.filter(entity__isnull=False).values("entity_id").annotate(n=Count("id"))
               .filter(n__gte=criteria["watch_to_black"]["count"]).values_list("entity_id", flat=True))
    imported = evidence.imported.values_list("entity_id", flat=True)
    # One UNION (hashed once) rather than OR-ed IN subqueries, which PostgreSQL re-runs per entity
    # when a subquery's result is larger than work_mem.
    return (Entity.objects.filter(status="active", pk__in=findings.union(complaints, watches, imported))
            .order_by("pk").values_list("pk", flat=True))


def listings_propose_red(*, today: datetime.date | None = None) -> list[Listing]:
    """Quarterly: grade A, no substantiated complaint and no finding above minor in the evaluation period."""
    day = today or timezone.localdate()
    document = rule_set_on(day).document
    criteria = document["criteria"]["red"]
    since = day - datetime.timedelta(days=criteria["clean_days"])
    quarter_key = day.year * 10 + (day.month - 1) // 3 + 1
    severities = ["minor"] if criteria.get("max_severity", "minor") == "minor" else []
    candidates = (
        Entity.objects.filter(status="active", credit_score__grade=criteria["grade"])
        .exclude(pk__in=Complaint.objects.filter(outcome="substantiated", resolved_on__gt=since).values("entity_id"))
        .exclude(pk__in=Finding.objects.filter(inspection__inspected_on__gt=since).exclude(severity__in=severities)
                 .values("inspection__entity_id"))
        .exclude(pk__in=Listing.objects.filter(status__in=[ListingStatus.PROPOSED, ListingStatus.NOTIFIED,
                                                          ListingStatus.DECIDED, ListingStatus.PUBLISHED])
                 .exclude(list_type=ListType.RED).values("entity_id"))
        # Already red (or on its way): propose again only to renew, in the last quarter of the period.
        .exclude(pk__in=Listing.objects.filter(list_type=ListType.RED).filter(
            Q(status__in=[ListingStatus.PROPOSED, ListingStatus.NOTIFIED, ListingStatus.DECIDED])
            | Q(status=ListingStatus.PUBLISHED, expires_on__gt=day + datetime.timedelta(days=91))).values("entity_id"))
    )
    created: list[Listing] = []
    for entity in candidates.iterator():
        basis = legal_basis(document, ListType.RED, ground="red_quarterly", sector=entity.sector,
                            category=entity.category)
        _propose(created, list_type=ListType.RED, subject_type=SubjectType.ENTITY, entity=entity,
                 reason=_("评价期内信用等级 A，无经查属实投诉，无一般以上违法违规行为"), legal_basis=basis,
                 source_type="rule", source_id=quarter_key, source_rule="red_quarterly", today=day)
    return created
