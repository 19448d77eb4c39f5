"""联合奖惩核查: may this applicant have this measure now (or on ``as_of``) - a licence, funding, procurement,
an award, a name change - and which rewards (绿色通道、容缺受理) does it get?

The catalogue is data: the licence types (kind ``licence``, bound by the rule sets' ``restrictions``, answered
by the licence check itself, so a licence asked here gets exactly the licence check's answer) and the rule set's
``joint_measures`` (in force on the day asked): each names its legal basis and its bindings, each binding the
list types and subject roles it binds, its effect (``deny``, ``warn``, ``reward``) and optionally its period.

Listings reach the applicant as in the licence check (运盐政发〔2022〕16号: also through another company): the
applicant's own listings (role ``entity``), the listings of the persons named by ID number and of those holding
a role at the applicant on the day, and the listings of every entity where these persons held a managing role on
the listing's decision date (in that role). A binding runs for the listing's own period (until it ends or
expires), capped by its ``period_days`` from the listing decision. Unknown measures are refused: never
``allowed`` because nothing happens to name them (DOMAIN.md: a check never fails open).

A batch loads its facts once, through the licence check's loader (a constant number of statements whatever its
size), and decides every item over them by pure logic: a single check is a batch of one.
"""

from __future__ import annotations

import datetime
import fnmatch
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from entities.models import LicenceType, PersonRoleKind
from entities.validators import mask_id_number
from regulator.lists.check_facts import Check, EntityRow, Facts, facts_load, held_on, live_on
from regulator.lists.licence_checks import _decide, _result_words
from regulator.lists.models import ListType, RuleSet, SubjectType
from regulator.lists.rules import LICENCE_MEASURE_KIND, joint_measure
from regulator.lists.selectors import rule_set_in_force, rule_sets

_LICENCE_NAMES = dict(LicenceType.choices)
_LICENCE_CODES = frozenset(_LICENCE_NAMES)


def _is_licence(code: Any) -> bool:
    """``licence_type_known`` without rebuilding the enum's values for each of a batch's 1,000 items."""
    return isinstance(code, str) and code in _LICENCE_CODES


_LIST_NAMES = dict(ListType.choices)
_ROLE_NAMES = dict(PersonRoleKind.choices)


# ------------------------------------------------------------------ the catalogue

def measure_catalogue(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every measure a check knows under ``document``: the licence types, then the joint measures.

    A licence measure's bindings are the restrictions that name it (list type, roles, effect, basis, period).
    """
    rows = []
    for code, name in LicenceType.choices:
        bindings = []
        for item in document.get("restrictions", []):
            if not any(fnmatch.fnmatchcase(code, pattern) for pattern in item.get("licence_types", [])):
                continue
            binding = {"list_types": [item["list_type"]], "subject_roles": list(item["subject_roles"]),
                       "effect": item["effect"], "basis": item.get("basis", "")}
            if item.get("period_days"):
                binding["period_days"] = item["period_days"]
            if binding not in bindings:
                bindings.append(binding)
        rows.append({"code": code, "name": str(name), "kind": LICENCE_MEASURE_KIND,
                     "basis": "；".join(dict.fromkeys(b["basis"] for b in bindings if b["basis"])),
                     "bindings": bindings})
    return rows + [dict(row) for row in document.get("joint_measures", [])]


def measure_kind(document: dict[str, Any], code: Any) -> str | None:
    """``licence`` for a licence type, the joint measure's kind, or None when ``document`` does not know ``code``."""
    if _is_licence(code):
        return LICENCE_MEASURE_KIND
    found = joint_measure(document, code)
    return found["kind"] if found else None


def unknown_measure_message(code: Any, day: datetime.date) -> str:
    shown = code if isinstance(code, str) and len(code) <= 40 else "该值"
    return _("“%(code)s”不是 %(day)s 施行的规则集中的措施，可用措施见 GET /api/v1/measures/。") % {
        "code": shown, "day": day.isoformat()}


def measure_errors(items: list[dict[str, Any]], as_of: datetime.date | None = None, *,
                   sets: list[RuleSet] | None = None) -> dict[int, str]:
    """{index: message} for every item whose ``measure`` the rule set in force on its day does not know."""
    sets = rule_sets() if sets is None else sets
    errors = {}
    default_day = as_of or timezone.localdate()
    kinds: dict[tuple, str | None] = {}  # (day, measure): a batch asks a few measures on a few days
    for index, item in enumerate(items):
        day = item.get("as_of") or default_day
        code = item.get("measure")
        key = (day, code) if isinstance(code, str) else None
        if key is None or key not in kinds:
            kind = measure_kind(rule_set_in_force(sets, day).document, code)
            if key is not None:
                kinds[key] = kind
        else:
            kind = kinds[key]
        if kind is None:
            errors[index] = unknown_measure_message(code, day)
    return errors


# ------------------------------------------------------------------ the check

def measures_check(*, measure: str, applicant_credit_code: str | None = None,
                   person_id_numbers: list[str] | None = None, as_of: datetime.date | None = None) -> dict[str, Any]:
    """Allowed or not, with every binding reason and reward. An unknown measure is a ValidationError on ``measure``."""
    item = {"measure": measure, "applicant_credit_code": applicant_credit_code,
            "person_id_numbers": person_id_numbers, "as_of": as_of}
    return measures_checks_batch_explained([item])[0][0]


def measures_checks_batch(items: list[dict[str, Any]], as_of: datetime.date | None = None) -> list[dict[str, Any]]:
    return [result for result, _terms in measures_checks_batch_explained(items, as_of)]


def measures_checks_batch_explained(items: list[dict[str, Any]], as_of: datetime.date | None = None, *,
                                    sets: list[RuleSet] | None = None, checked: bool = False,
                                    ) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each item's answer and the terms its receipt states (``subject``, ``question``, ``result_text``), in order,
    over one load of the facts. ``sets`` are the rule sets the caller already read (one read per request);
    ``checked`` when the caller has just run :func:`measure_errors` over these items with these sets."""
    sets = rule_sets() if sets is None else sets
    errors = {} if checked else measure_errors(items, as_of, sets=sets)
    if errors:
        raise ValidationError({"measure": [errors[min(errors)]]})
    default_day = as_of or timezone.localdate()
    checks = [Check(licence_type=item["measure"], applicant_credit_code=item.get("applicant_credit_code") or None,
                    person_id_numbers=list(item.get("person_id_numbers") or []),
                    day=item.get("as_of") or default_day, joint=not _is_licence(item["measure"])) for item in items]
    facts = facts_load(checks, sets)
    answers = []
    for check in checks:
        if not check.joint:
            licence, applicant = _decide(check, facts)
            result = {"measure": check.licence_type, "measure_name": _LICENCE_NAMES[check.licence_type],
                      "kind": LICENCE_MEASURE_KIND, "as_of": licence["as_of"], "allowed": licence["allowed"],
                      "blocking": licence["blocking"], "warnings": licence["warnings"], "rewards": [],
                      "unknown": licence["unknown"]}
            words = _result_words(licence)
        else:
            # the catalogue of the set in force on the day asked (the facts hold the sets only when some
            # subject was found)
            document = rule_set_in_force(sets, check.day).document
            measure = facts.memo(("joint_measure", id(document), check.licence_type),
                                 lambda document=document, check=check: joint_measure(document, check.licence_type))
            result, applicant = _decide_joint(check, facts, measure)
            words = result_words(result)
        answers.append((result, _terms(result, words, applicant=applicant, check=check)))
    return answers


def _decide_joint(check: Check, facts: Facts, measure: dict[str, Any]) -> tuple[dict[str, Any], EntityRow | None]:
    """One joint measure's answer over the batch's facts (no database access)."""
    day = check.day
    rows: dict[str, list[dict[str, Any]]] = {"deny": [], "warn": [], "reward": []}
    unknown: list[str] = []
    applicant = None
    if check.applicant_credit_code:
        applicant = facts.entities.get(check.applicant_credit_code)
        if applicant is None:
            unknown.append("applicant_credit_code")
    persons = {}
    for number in check.person_id_numbers:
        person = facts.persons.get(facts.hashes[number])
        if person is not None:
            persons[person.pk] = person
    if applicant is not None:
        for role in facts.roles_by_entity.get(applicant.pk, []):
            if held_on(role, day):
                persons.setdefault(role.person_id, role.person)

    def bind(listing, subject: str, subject_role: str, entity) -> None:
        sector = entity.sector if entity is not None else None
        category = entity.category if entity is not None else None
        for binding in measure["bindings"]:
            if listing.list_type not in binding["list_types"] or subject_role not in binding["subject_roles"]:
                continue
            if (binding.get("sectors") and sector is not None and sector not in binding["sectors"]) or (
                    binding.get("categories") and category is not None and category not in binding["categories"]):
                continue
            start = listing.decided_on
            until = listing.ended_on or listing.expires_on
            if binding.get("period_days") and start:
                capped = start + datetime.timedelta(days=binding["period_days"])
                until = min(until, capped) if until else capped
            if until is not None and until <= day:
                continue
            rows[binding["effect"]].append({
                "listing_id": listing.pk, "list_type": listing.list_type, "subject": subject,
                "subject_role": subject_role, "until": until, "starts_on": start, "reason": listing.reason,
                "basis": binding.get("basis") or measure["basis"], "effect": binding["effect"]})

    def live(listings):
        return sorted((listing for listing in listings if live_on(listing, day)), key=lambda listing: -listing.pk)

    if applicant is not None:
        for listing in live(facts.listings_by_entity.get(applicant.pk, [])):
            bind(listing, f"entity {applicant.credit_code} {applicant.name}", "entity", applicant)
    for listing in live([listing for pk in persons for listing in facts.listings_by_person.get(pk, [])]):
        role = listing.person_role or ("legal_representative" if listing.source_type == "import" else "practitioner")
        bind(listing, f"person {persons[listing.person_id].id_number_masked}", role, listing.related_entity)
    # Entity listings reach the persons who held a role there on the listing's decision date, in that role.
    held = [role for pk in sorted(persons) for role in facts.roles_by_person.get(pk, [])]
    entity_ids = {role.entity_id for role in held}
    for listing in live([listing for entity_id in entity_ids for listing in facts.listings_by_entity.get(entity_id, [])
                         if listing.subject_type == SubjectType.ENTITY]):
        decided = listing.decided_on or listing.published_on
        for role in held:
            if role.entity_id == listing.entity_id and held_on(role, decided):
                bind(listing, f"person {persons[role.person_id].id_number_masked}（{listing.entity.name} 的"
                              f"{_ROLE_NAMES[role.role]}）", role.role, listing.entity)
    for found in rows.values():
        found.sort(key=lambda row: (row["listing_id"], row["subject"]))
    return {"measure": measure["code"], "measure_name": measure["name"], "kind": measure["kind"], "as_of": day,
            "allowed": not rows["deny"], "blocking": rows["deny"], "warnings": rows["warn"], "rewards": rows["reward"],
            "unknown": unknown}, applicant


# ------------------------------------------------------------------ words

def _rows_words(rows: list[dict[str, Any]]) -> str:
    parts = []
    for row in rows:
        until = f"，至 {row['until'].isoformat()}" if row.get("until") else ""
        if row.get("withheld"):
            parts.append(_("名单记录（详情须 lists:read 权限）"))
        elif row.get("listing_id") is not None:
            parts.append(f"{_LIST_NAMES.get(row['list_type'], row['list_type'])}记录 {row['listing_id']} 号{until}")
        else:
            parts.append(f"行政处罚记录 {row.get('finding_id')} 号{until}")
    return "；".join(dict.fromkeys(parts))


def result_words(result: dict[str, Any]) -> str:
    """The answer in Chinese, for the receipt (any measure, withheld rows included)."""
    name = result["measure_name"]
    if result["blocking"]:
        words = f"限制“{name}”：{len(result['blocking'])} 项限制（{_rows_words(result['blocking'])}）。"
    elif result["warnings"]:
        words = f"不限制“{name}”，但须从严审查（{_rows_words(result['warnings'])}）。"
    else:
        words = f"不限制“{name}”：未发现限制该事项的名单记录或行政处罚。"
    if result["rewards"]:
        words += f"可享受“{name}”（{_rows_words(result['rewards'])}）。"
    elif result["kind"] == "reward":
        words += f"未发现可享受“{name}”的守信激励名单记录。"
    if result["unknown"]:
        words += "所给统一社会信用代码未在本平台登记。"
    return words


def _terms(result: dict[str, Any], words: str, *, applicant: EntityRow | None, check: Check) -> dict[str, Any]:
    masked = [mask_id_number(number) for number in check.person_id_numbers]
    persons = "、".join(masked)
    if check.applicant_credit_code:
        name = applicant.name if applicant is not None else None
        text = (f"{name}（统一社会信用代码 {check.applicant_credit_code}）" if name
                else f"统一社会信用代码 {check.applicant_credit_code}（未在本平台登记）")
        subject = {"type": "entity", "credit_code": check.applicant_credit_code, "name": name,
                   "text": text + (f"，及身份证号 {persons} 的申请人" if persons else "")}
    else:
        subject = {"type": "person", "text": f"身份证号 {persons} 的申请人"}
    if masked:
        subject["id_numbers_masked"] = masked
    question = {"text": f"截至 {result['as_of'].isoformat()}，“{result['measure_name']}”是否受限、可享受何种激励",
                "measure": result["measure"], "measure_name": result["measure_name"]}
    return {"subject": subject, "question": question, "result_text": words}


# ------------------------------------------------------------------ what a client without lists:read sees

WITHHELD_KEYS = ("listing_id", "finding_id", "list_type", "subject", "subject_role", "until", "starts_on", "reason")


def watch_rows_withheld(result: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The answer with every row that rests on a watch listing (重点关注名单) reduced to its effect, and whether
    any was: a department client without ``lists:read`` learns that something restricts or flags the measure,
    never the watch listing, its subject or its reason."""
    changed = False

    def reduce(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        nonlocal changed
        out = []
        for row in rows:
            if row.get("list_type") == "watch" and row.get("listing_id") is not None:
                changed = True
                row = {**row, **dict.fromkeys(WITHHELD_KEYS), "reason": "", "subject": "", "withheld": True,
                       **({"restriction": ""} if "restriction" in row else {}),
                       **({"basis": ""} if "basis" in row else {})}
            out.append(row)
        return out

    reduced = {**result, **{key: reduce(result[key]) for key in ("blocking", "warnings", "rewards") if key in result}}
    return reduced, changed
