"""名单规则集: the document's schema, its validation, and the accessors every reader goes through.

A rule set is a dated document (``RuleSet.document``); a decision is judged by the set in force on its
date. ``DEFAULT_DOCUMENT`` is the set of the law in force now (信用修复管理办法, from 2026-04-01): the
starting point of a new set. The sets of earlier dates are frozen in
``regulator/migrations/0004_rule_sets_by_law.py``.

Layers: the document's top level holds the default figures; ``sectors.<sector>`` and
``categories.<category>`` hold blocks of the same shape (any subset: ``periods_days``,
``objection_working_days`` (an integer there), ``repair``, ``criteria``). A figure is looked up in the
category's block, then the sector's, then the top level: 养老 (category ``elderly_care``) is not all of
康养 (sector ``wellness``). Legal bases are looked up per layer by ground, then by list type.

Restrictions (``restrictions``) are rules, each with a ``trigger``: ``listing`` (a published listing of
``list_type`` binds its subject, and the role holders at the listed entity on the decision date, for the
listing's period, counted from ``start_event``: the listing decision or the penalty decision it rests on)
or ``penalty`` (an administrative penalty in ``penalties`` on an entity of ``categories`` binds the persons
who held ``subject_roles`` there on the penalty date, for ``period_days`` from it, listed or not: 旅行社条例
and 旅游法 bar them by the penalty itself). ``applicant_roles`` limits in which role at the applicant (or
``applicant_person``, named by ID number) a bound person blocks the licence.

Joint measures (``joint_measures``, 联合奖惩措施目录): what a listing binds besides licences - government funding,
procurement, awards, a name change - and the rewards of the red list (绿色通道、容缺受理). Each entry has a
``code``, ``name``, ``kind``, ``basis`` and ``bindings`` (list types x subject roles x effect deny | warn | reward,
optionally ``period_days`` from the listing decision); ``regulator.lists.measures`` answers them (decision 0021).
"""

from __future__ import annotations

import copy
import fnmatch
from typing import Any

from complaints.models import Penalty, Severity
from entities.models import Category, LicenceType, Sector
from regulator.lists import award_rules

LIST_TYPES = ("black", "watch", "red")
SUBJECT_ROLES = ("entity", "legal_representative", "actual_controller", "principal", "practitioner")
APPLICANT_ROLES = ("legal_representative", "actual_controller", "principal", "applicant_person")
TRIGGERS = ("listing", "penalty")
#: 联合奖惩措施目录 (``joint_measures``): the kinds of measure, and what a binding does to it
MEASURE_KINDS = ("funding", "procurement", "award", "name_change", "reward")
MEASURE_EFFECTS = ("deny", "warn", "reward")
#: a licence type is a measure of this kind, derived from ``restrictions`` (never written in ``joint_measures``)
LICENCE_MEASURE_KIND = "licence"
START_EVENTS = ("listing_decision", "penalty_date")
#: grounds an imported listing may carry (``ground`` of an import row), which a sector's rules may act on
IMPORT_GROUNDS = ("court_dishonest_debtor",)
#: publicity classes of a penalty (信用修复管理办法: 轻微、一般、严重)
PUBLICITY_CLASSES = ("minor", "general", "serious")
# The licence types themselves (codes and Chinese names) are the registry's catalogue, entities.models.LicenceType,
# the one list that licences, licence checks and rule sets are validated against; this maps each to its sector.
SECTOR_LICENCES: dict[str, list[str]] = {
    "tourism": [LicenceType.TRAVEL_AGENCY_BUSINESS.value, LicenceType.OUTBOUND_TRAVEL_BUSINESS.value,
                LicenceType.TOUR_GUIDE.value, LicenceType.HOTEL_SPECIAL_TRADE.value,
                LicenceType.HOMESTAY_FILING.value, LicenceType.SCENIC_SPOT_RATING.value],
    "exhibition": [LicenceType.EXHIBITION_FILING.value],
    "wellness": [LicenceType.ELDERLY_CARE_FILING.value, LicenceType.WELLNESS_FILING.value],
    "household_service": [LicenceType.HOUSEHOLD_SERVICE_FILING.value, LicenceType.HOUSEHOLD_WORKER_CERTIFICATE.value],
}
LICENCE_SECTOR: dict[str, str] = {code: sector for sector, codes in SECTOR_LICENCES.items() for code in codes}
#: the licences an entity of a category holds as a business (a person's licences, 导游证 and 家政服务员证书, aside):
#: what an appointment to a role there is checked against
CATEGORY_LICENCES: dict[str, list[str]] = {
    "travel_agency": [LicenceType.TRAVEL_AGENCY_BUSINESS.value, LicenceType.OUTBOUND_TRAVEL_BUSINESS.value],
    "scenic_spot": [LicenceType.SCENIC_SPOT_RATING.value],
    "hotel": [LicenceType.HOTEL_SPECIAL_TRADE.value],
    "homestay": [LicenceType.HOMESTAY_FILING.value],
    "exhibition_organizer": [LicenceType.EXHIBITION_FILING.value],
    "exhibition_venue": [LicenceType.EXHIBITION_FILING.value],
    "elderly_care": [LicenceType.ELDERLY_CARE_FILING.value],
    "wellness_base": [LicenceType.WELLNESS_FILING.value],
    "household_service_company": [LicenceType.HOUSEHOLD_SERVICE_FILING.value],
}


def licence_type_known(code: Any) -> bool:
    """True for a code of the licence-type catalogue; anything else (a typo, a category, a pattern) is unknown."""
    return isinstance(code, str) and code in LicenceType.values


def licence_types_matching(pattern: str) -> list[str]:
    """The catalogue's codes a restriction's ``licence_types`` pattern (fnmatch, ``*`` for all) selects."""
    return [code for code in LicenceType.values if fnmatch.fnmatchcase(code, pattern)]


# ------------------------------------------------------------------ the document of the law in force now
# Citations: regulation (and chapter) without an article number unless the article was read in a copy of the
# text (tests/legal/verified_citations.py, decision 0014). 黑名单 is never the legal name: 严重失信主体名单.
_CULTURE_TOURISM = "《文化和旅游市场信用管理规定》（文化和旅游部令第7号）"
_CULTURE_TOURISM_CRITERIA = _CULTURE_TOURISM + "第三章（失信主体认定）"
_ELDERLY = "《养老服务市场失信联合惩戒对象名单管理办法（试行）》（民发〔2019〕103号）"
_COMMERCE = "《商务信用联合惩戒对象名单管理办法》"
_HOUSEHOLD = _COMMERCE + "；《国务院办公厅关于促进家政服务业提质扩容的意见》（国办发〔2019〕30号）"
_PROVINCE_PLAN = "《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）"
_TOURISM_RESTRICTION = _CULTURE_TOURISM + "；运盐政发〔2022〕16号（严重失信的法人、实际负责人限期内不再核发涉旅营业执照）"
_ENTITY_AND_MANAGERS = ["entity", "legal_representative", "actual_controller", "principal"]
_ALL_ROLES = ["entity", "legal_representative", "actual_controller", "principal", "practitioner"]
#: violations that harm tourists' rights (旅行社条例: no outbound business after a penalty for harming tourists)
TOURIST_HARM_CODES = ["forced_shopping", "unreasonable_low_price", "abandoned_tourists", "no_written_contract",
                      "guide_solicits_tips", "outbound_beyond_scope", "price_fraud", "major_safety_accident",
                      "refuse_complaint_ruling"]

_REWARD_BASIS = _PROVINCE_PLAN + "；运盐政发〔2022〕16号"
JOINT_MEASURES: list[dict[str, Any]] = [
    {"code": "government_funding", "name": "申请政府资金支持和财政补贴", "kind": "funding", "basis": _CULTURE_TOURISM,
     "bindings": [{"list_types": ["black"], "subject_roles": _ENTITY_AND_MANAGERS, "effect": "deny"}]},
    {"code": "public_procurement", "name": "参与政府采购和招标投标", "kind": "procurement", "basis": _CULTURE_TOURISM,
     "bindings": [{"list_types": ["black"], "subject_roles": _ENTITY_AND_MANAGERS, "effect": "deny"}]},
    {"code": "awards_honours", "name": "表彰奖励和荣誉称号", "kind": "award", "basis": _CULTURE_TOURISM,
     "bindings": [{"list_types": ["black"], "subject_roles": _ENTITY_AND_MANAGERS, "effect": "deny"},
                  {"list_types": ["watch"], "subject_roles": ["entity"], "effect": "deny", "basis": _PROVINCE_PLAN}]},
    {"code": "merit_evaluation", "name": "评优评先（参评诚信企业等）", "kind": "award", "basis": _PROVINCE_PLAN,
     "bindings": [{"list_types": ["black", "watch"], "subject_roles": ["entity"], "effect": "deny"}]},
    {"code": "name_change", "name": "变更名称", "kind": "name_change", "basis": _CULTURE_TOURISM,
     "bindings": [{"list_types": ["black"], "subject_roles": ["entity"], "effect": "deny"}]},
    {"code": "green_channel", "name": "行政审批绿色通道", "kind": "reward", "basis": _REWARD_BASIS,
     "bindings": [{"list_types": ["red"], "subject_roles": ["entity"], "effect": "reward"}]},
    {"code": "tolerance_acceptance", "name": "容缺受理", "kind": "reward", "basis": _REWARD_BASIS,
     "bindings": [{"list_types": ["red"], "subject_roles": ["entity"], "effect": "reward"}]},
]

DEFAULT_DOCUMENT: dict[str, Any] = {
    # Default periods: 严重失信 3 years, 重点关注 1 year, 守信激励 1 year (renewable); sectors below.
    "periods_days": {"black": 1095, "watch": 365, "red": 365},
    # 陈述申辩: 5 working days from the delivery of the notice; 养老 10 (categories.elderly_care).
    "objection_working_days": {"default": 5},
    # 公告送达: delivered when this many days have passed since the announcement.
    "service": {"announcement_wait_days": 30,
                "basis": "《中华人民共和国行政处罚法》第六十一条；《中华人民共和国民事诉讼法》第九十五条"},
    "appeal_routes": [
        {"route": "administrative_review", "label": "行政复议", "within_days": 60,
         "text": "自知道或者应当知道本决定之日起六十日内依法申请行政复议。", "basis": "《中华人民共和国行政复议法》"},
        {"route": "administrative_litigation", "label": "行政诉讼", "within_months": 6,
         "text": "自知道或者应当知道本决定之日起六个月内依法向人民法院提起行政诉讼。", "basis": "《中华人民共和国行政诉讼法》"},
    ],
    "measures": [
        {"code": "no_new_licence", "label": "限制新增本行业许可（含通过其他主体申请）", "list_types": ["black"],
         "basis": _TOURISM_RESTRICTION},
        {"code": "inspection_highest", "label": "列为重点监管对象，实施最高频次检查", "list_types": ["black"],
         "basis": _CULTURE_TOURISM},
        {"code": "no_name_change", "label": "限制变更名称", "list_types": ["black"], "basis": _CULTURE_TOURISM},
        {"code": "no_public_funding", "label": "限制申请政府资金支持和参与政府采购", "list_types": ["black"],
         "basis": _CULTURE_TOURISM},
        {"code": "no_awards", "label": "不得参评诚信企业等评优评先", "list_types": ["black", "watch"],
         "basis": _PROVINCE_PLAN},
        {"code": "inspection_higher", "label": "提高检查比例和频次", "list_types": ["watch"], "basis": _CULTURE_TOURISM},
        {"code": "licence_strict_review", "label": "许可申请从严审查", "list_types": ["watch"], "basis": _CULTURE_TOURISM},
        {"code": "inspection_reduced", "label": "降低抽查比例和频次", "list_types": ["red"], "basis": _PROVINCE_PLAN},
        {"code": "honour_published", "label": "公布为诚信企业（诚信商家）", "list_types": ["red"],
         "basis": _PROVINCE_PLAN + "；运盐政发〔2022〕16号"},
    ],
    "criteria": {
        "black_on_revocation": True,
        "black_violation_codes": ["forged_licence", "abandoned_tourists", "major_safety_accident",
                                  "unlicensed_travel_agency"],
        # A code listed here counts only from this severity up (特别严重: main responsibility, serious consequences).
        "violation_min_severity": {"major_safety_accident": "grave", "unlicensed_travel_agency": "grave"},
        "watch_on_penalties": ["fine", "suspension"],
        "watch_violation_codes": ["obstruct_inspection", "refuse_complaint_ruling"],
        "black_on_imported_grounds": [],
        "watch_to_black": {"count": 2, "within_days": 365},
        "complaints_to_watch": {"count": 3, "within_days": 91},
        "red": {"grade": "A", "clean_days": 365, "max_severity": "minor"},
        "legal_basis": {
            "black": _CULTURE_TOURISM_CRITERIA + "：严重失信主体",
            "watch": _CULTURE_TOURISM_CRITERIA + "：轻微失信主体（重点关注名单）",
            "red": _PROVINCE_PLAN + "：诚信企业",
            "licence_revoked_person": _CULTURE_TOURISM_CRITERIA + "及其释义（第二版）：受到吊销许可证行政处罚的，"
                                      "同时认定其法定代表人或主要负责人",
        },
    },
    "sectors": {
        "wellness": {"criteria": {"legal_basis": {"black": _PROVINCE_PLAN + "：康养失信主体",
                                                  "watch": _PROVINCE_PLAN + "：康养重点关注对象"}}},
        "exhibition": {"criteria": {"legal_basis": {"black": _PROVINCE_PLAN + "：会展失信主体",
                                                    "watch": _PROVINCE_PLAN + "：会展重点关注对象"}}},
        # 商务/家政: 失信联合惩戒对象 at most 3 years, 重点关注对象 at most 2 years.
        "household_service": {
            "periods_days": {"black": 1095, "watch": 730},
            "criteria": {"legal_basis": {"black": _HOUSEHOLD + "：失信联合惩戒对象名单",
                                         "watch": _HOUSEHOLD + "：重点关注对象名单"}},
        },
    },
    "categories": {
        # 养老 (民发〔2019〕103号), elderly care only: its own grounds, a 10-day window, removal after 2 years.
        "elderly_care": {
            "objection_working_days": 10,
            "repair": {"black_min_days": 730},
            "criteria": {
                "black_violation_codes": ["forged_licence", "elderly_abuse", "elderly_subsidy_fraud",
                                          "elderly_illegal_fundraising", "elderly_fire_hazard_overdue",
                                          "obstruct_inspection"],
                "watch_violation_codes": [],
                "black_on_imported_grounds": ["court_dishonest_debtor"],
                "legal_basis": {"black": _ELDERLY + "：养老服务市场失信联合惩戒对象名单",
                                "watch": "《养老机构管理办法》：重点关注对象"},
            },
        },
    },
    # 联合奖惩: what else a listing binds besides licences (the measures check, POST /api/v1/measures-checks/).
    # Black-listed subjects: no government funding, procurement, awards or name change (令第7号, cited by the
    # regulation's name: no article was read for these); the persons who held a managing role at the listed
    # entity on the decision date are bound too, also through another company. Red-listed firms: 守信激励.
    "joint_measures": JOINT_MEASURES,
    "restrictions": [
        {"licence_types": SECTOR_LICENCES["tourism"], "list_type": "black", "sectors": ["tourism"],
         "subject_roles": _ALL_ROLES, "effect": "deny", "basis": _TOURISM_RESTRICTION},
        {"licence_types": SECTOR_LICENCES["exhibition"], "list_type": "black", "sectors": ["exhibition"],
         "subject_roles": _ENTITY_AND_MANAGERS, "effect": "deny", "basis": _PROVINCE_PLAN},
        {"licence_types": SECTOR_LICENCES["wellness"], "list_type": "black", "sectors": ["wellness"],
         "categories": ["elderly_care"], "subject_roles": _ENTITY_AND_MANAGERS, "effect": "deny", "basis": _ELDERLY},
        {"licence_types": SECTOR_LICENCES["wellness"], "list_type": "black", "sectors": ["wellness"],
         "categories": ["wellness_base"], "subject_roles": _ENTITY_AND_MANAGERS, "effect": "deny",
         "basis": _PROVINCE_PLAN},
        {"licence_types": SECTOR_LICENCES["household_service"], "list_type": "black", "sectors": ["household_service"],
         "subject_roles": _ALL_ROLES, "effect": "deny", "basis": _HOUSEHOLD},
        # A guide's 导游证: 3 years from the penalty (the listing's penalty decision; its decision date without one).
        {"licence_types": [LicenceType.TOUR_GUIDE.value], "list_type": "black", "sectors": ["tourism"],
         "subject_roles": ["practitioner"], "effect": "deny", "start_event": "penalty_date", "period_days": 1095,
         "basis": "《中华人民共和国旅游法》第一百零三条；" + _CULTURE_TOURISM},
        # The principal of an agency whose 旅行社业务经营许可证 was revoked: no principal of any agency for 5 years.
        {"trigger": "penalty", "penalties": ["revocation"], "categories": ["travel_agency"],
         "licence_types": [LicenceType.TRAVEL_AGENCY_BUSINESS.value, LicenceType.OUTBOUND_TRAVEL_BUSINESS.value],
         "list_type": "black", "subject_roles": ["principal"], "applicant_roles": ["principal", "applicant_person"],
         "effect": "deny", "start_event": "penalty_date", "period_days": 1825, "basis": "《旅行社条例》第六十四条"},
        # Its managers: no travel-agency business for 3 years from the penalty.
        {"trigger": "penalty", "penalties": ["revocation"], "categories": ["travel_agency"],
         "licence_types": [LicenceType.TRAVEL_AGENCY_BUSINESS.value, LicenceType.OUTBOUND_TRAVEL_BUSINESS.value],
         "list_type": "black", "subject_roles": ["legal_representative", "principal"], "effect": "deny",
         "start_event": "penalty_date", "period_days": 1095, "basis": "《中华人民共和国旅游法》第一百零三条"},
        # Penalised above a fine for harming tourists: no outbound-travel licence for 2 years from the penalty.
        # 旅行社条例 第八条 says 罚款以上: a fine counts (以上 includes the named penalty), a warning does not.
        {"trigger": "penalty", "penalties": ["fine", "suspension", "revocation"], "categories": ["travel_agency"],
         "violation_codes": TOURIST_HARM_CODES, "licence_types": [LicenceType.OUTBOUND_TRAVEL_BUSINESS.value],
         "list_type": "watch", "subject_roles": ["entity"], "effect": "deny", "start_event": "penalty_date",
         "period_days": 730, "basis": "《旅行社条例》第八条"},
        {"licence_types": ["*"], "list_type": "watch", "sectors": [], "subject_roles": _ALL_ROLES,
         "effect": "warn", "basis": "重点关注名单：许可申请从严审查"},
    ],
    # Repair of a listing: the earliest day (from the decision), the commitment, training, the decision deadline.
    "repair": {"black_min_days": 365, "watch_min_days": 0, "decision_working_days": 10, "commitment_for_black": True,
               "commitment_public": True, "requires_training": True},
    # 信用修复管理办法 (from 2026-04-01): 轻微 not published (at most 3 months where needed), 一般 3 months - 1 year,
    # 严重 1 - 3 years; safety, fire and special equipment at least 1 year.
    "publicity": {
        "warning_published": False,
        "classes": {"minor": {"published": False, "min_days": 0, "max_days": 90},
                    "general": {"published": True, "min_days": 90, "max_days": 365},
                    "serious": {"published": True, "min_days": 365, "max_days": 1095}},
        "safety_min_days": 365,
        "safety_full_term_penalties": [],
    },
    # 诚信企业 / 诚信商家 / 文明诚信商户 评选: criteria, notice period, validity, titles (regulator.lists.award_rules).
    "awards": copy.deepcopy(award_rules.DEFAULT_AWARDS),
}


# ------------------------------------------------------------------ validation

class RuleSetError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 36500


def _days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 36500


def _codes(value: Any, allowed: Any = None) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and (allowed is None or v in allowed) for v in value)


def _check_criteria(criteria: Any, where: str, errors: list[str], *, top: bool) -> None:
    if not isinstance(criteria, dict):
        errors.append(f"{where}: must be an object")
        return
    if top:
        for key in ("watch_to_black", "complaints_to_watch"):
            rule = criteria.get(key)
            if not isinstance(rule, dict) or not _positive_int(rule.get("count")) or not _positive_int(
                    rule.get("within_days")):
                errors.append(f"{where}.{key}: count and within_days, positive integers")
    bases = criteria.get("legal_basis", {} if not top else None)
    if not isinstance(bases, dict) or any(not isinstance(v, str) or not v.strip() for v in bases.values()) or (
            top and any(not bases.get(t) for t in LIST_TYPES)):
        errors.append(f"{where}.legal_basis: a legal basis for black, watch and red (and per ground), non-empty text")
    for key in ("black_violation_codes", "watch_violation_codes"):
        if key in criteria and not _codes(criteria[key]):
            errors.append(f"{where}.{key}: a list of violation codes")
    if "watch_on_penalties" in criteria and not _codes(criteria["watch_on_penalties"], Penalty.values):
        errors.append(f"{where}.watch_on_penalties: penalties from {', '.join(Penalty.values)}")
    if "black_on_imported_grounds" in criteria and not _codes(criteria["black_on_imported_grounds"], IMPORT_GROUNDS):
        errors.append(f"{where}.black_on_imported_grounds: from {', '.join(IMPORT_GROUNDS)}")
    severities = criteria.get("violation_min_severity", {})
    if not isinstance(severities, dict) or any(v not in Severity.values for v in severities.values()):
        errors.append(f"{where}.violation_min_severity: violation code -> one of {', '.join(Severity.values)}")


def _check_repair(repair: Any, where: str, errors: list[str], *, top: bool) -> None:
    if not isinstance(repair, dict):
        errors.append(f"{where}: must be an object")
        return
    for key in ("black_min_days", "decision_working_days"):
        if (top or key in repair) and not _positive_int(repair.get(key)):
            errors.append(f"{where}.{key}: a positive integer")
    if "watch_min_days" in repair and not _days(repair["watch_min_days"]):
        errors.append(f"{where}.watch_min_days: days, 0 or more")
    for key in ("commitment_for_black", "commitment_public", "requires_training"):
        if key in repair and not isinstance(repair[key], bool):
            errors.append(f"{where}.{key}: true or false")


def _check_periods(periods: Any, where: str, errors: list[str], *, top: bool) -> None:
    if not isinstance(periods, dict) or any(k not in LIST_TYPES or not _positive_int(v) for k, v in periods.items()) or (
            top and any(t not in periods for t in LIST_TYPES)):
        errors.append(f"{where}: a positive number of days for black, watch and red")


def _check_layer(block: Any, where: str, errors: list[str]) -> None:
    """A sector's or category's block: a subset of the document's shape."""
    if not isinstance(block, dict):
        errors.append(f"{where}: must be an object")
        return
    unknown = set(block) - {"periods_days", "objection_working_days", "repair", "criteria"}
    if unknown:
        errors.append(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    if "periods_days" in block:
        _check_periods(block["periods_days"], f"{where}.periods_days", errors, top=False)
    if "objection_working_days" in block and not _positive_int(block["objection_working_days"]):
        errors.append(f"{where}.objection_working_days: positive working days")
    if "repair" in block:
        _check_repair(block["repair"], f"{where}.repair", errors, top=False)
    if "criteria" in block:
        _check_criteria(block["criteria"], f"{where}.criteria", errors, top=False)


def _check_restriction(item: Any, where: str, errors: list[str]) -> None:
    if not isinstance(item, dict):
        errors.append(f"{where}: must be an object")
        return
    if not isinstance(item.get("licence_types"), list) or not item["licence_types"]:
        errors.append(f"{where}.licence_types: a non-empty list of patterns")
    else:
        # Fail closed: a pattern that selects no known licence type (a typo) would restrict nothing.
        for pattern in item["licence_types"]:
            if not isinstance(pattern, str) or not licence_types_matching(pattern):
                errors.append(f"{where}.licence_types: {pattern!r} matches no licence type "
                              "of the catalogue (GET /api/v1/licence-types/)")
    if item.get("list_type") not in LIST_TYPES:
        errors.append(f"{where}.list_type: one of black, watch, red")
    roles = item.get("subject_roles")
    if not isinstance(roles, list) or not roles or any(r not in SUBJECT_ROLES for r in roles):
        errors.append(f"{where}.subject_roles: from {', '.join(SUBJECT_ROLES)}")
    if item.get("effect") not in ("deny", "warn"):
        errors.append(f"{where}.effect: deny or warn")
    if "period_days" in item and not _positive_int(item["period_days"]):
        errors.append(f"{where}.period_days: positive days")
    trigger = item.get("trigger", "listing")
    start = item.get("start_event", "penalty_date" if trigger == "penalty" else "listing_decision")
    if trigger not in TRIGGERS:
        errors.append(f"{where}.trigger: listing or penalty")
    if start not in START_EVENTS:
        errors.append(f"{where}.start_event: listing_decision or penalty_date")
    if start == "penalty_date" and not _positive_int(item.get("period_days")):
        errors.append(f"{where}.period_days: a restriction counted from the penalty date needs its period")
    if trigger == "penalty":
        if start != "penalty_date":
            errors.append(f"{where}.start_event: a penalty's restriction runs from the penalty date")
        if not isinstance(item.get("penalties"), list) or not item["penalties"] or not _codes(
                item["penalties"], Penalty.values):
            errors.append(f"{where}.penalties: a non-empty list from {', '.join(Penalty.values)}")
    for key, allowed in (("sectors", Sector.values), ("categories", Category.values), ("violation_codes", None),
                         ("applicant_roles", APPLICANT_ROLES)):
        if key in item and not _codes(item[key], allowed):
            errors.append(f"{where}.{key}: a list" + (f" from {', '.join(allowed)}" if allowed else " of codes"))


_MEASURE_KEYS = {"code", "name", "kind", "basis", "bindings"}
_BINDING_KEYS = {"list_types", "subject_roles", "effect", "basis", "period_days", "sectors", "categories"}


def _check_joint_measures(rows: Any, errors: list[str]) -> None:
    """联合奖惩措施目录: fail closed on anything a check could misread (an unknown effect, role, list type or key,
    a reward for anything but the red list, a code that is a licence type or appears twice)."""
    if not isinstance(rows, list):
        errors.append("joint_measures: a list of measures")
        return
    seen: set[str] = set()
    for i, row in enumerate(rows):
        where = f"joint_measures[{i}]"
        if not isinstance(row, dict):
            errors.append(f"{where}: must be an object")
            continue
        if set(row) - _MEASURE_KEYS:
            errors.append(f"{where}: unknown keys {', '.join(sorted(set(row) - _MEASURE_KEYS))}")
        code = row.get("code")
        if not isinstance(code, str) or not code.isascii() or not code.replace("_", "").isalnum() or not code.islower():
            errors.append(f"{where}.code: lower-case letters, digits and _")
        elif code in seen or licence_type_known(code):
            errors.append(f"{where}.code: {code!r} is taken (by another measure or a licence type)")
        else:
            seen.add(code)
        for key in ("name", "basis"):
            if not isinstance(row.get(key), str) or not row[key].strip():
                errors.append(f"{where}.{key}: non-empty text")
        if row.get("kind") not in MEASURE_KINDS:
            errors.append(f"{where}.kind: one of {', '.join(MEASURE_KINDS)}")
        bindings = row.get("bindings")
        if not isinstance(bindings, list) or not bindings:
            errors.append(f"{where}.bindings: a non-empty list")
            continue
        for j, binding in enumerate(bindings):
            _check_binding(binding, f"{where}.bindings[{j}]", errors)


def _check_binding(binding: Any, where: str, errors: list[str]) -> None:
    if not isinstance(binding, dict):
        errors.append(f"{where}: must be an object")
        return
    if set(binding) - _BINDING_KEYS:
        errors.append(f"{where}: unknown keys {', '.join(sorted(set(binding) - _BINDING_KEYS))}")
    lists = binding.get("list_types")
    if not isinstance(lists, list) or not lists or not _codes(lists, LIST_TYPES):
        errors.append(f"{where}.list_types: a non-empty list from {', '.join(LIST_TYPES)}")
        lists = []
    roles = binding.get("subject_roles")
    if not isinstance(roles, list) or not roles or not _codes(roles, SUBJECT_ROLES):
        errors.append(f"{where}.subject_roles: a non-empty list from {', '.join(SUBJECT_ROLES)}")
    effect = binding.get("effect")
    if effect not in MEASURE_EFFECTS:
        errors.append(f"{where}.effect: one of {', '.join(MEASURE_EFFECTS)}")
    elif (effect == "reward") != (bool(lists) and set(lists) == {"red"}):
        errors.append(f"{where}.effect: a reward comes from the red list only, and the red list only rewards")
    if "period_days" in binding and not _positive_int(binding["period_days"]):
        errors.append(f"{where}.period_days: positive days")
    if "basis" in binding and (not isinstance(binding["basis"], str) or not binding["basis"].strip()):
        errors.append(f"{where}.basis: non-empty text")
    for key, allowed in (("sectors", Sector.values), ("categories", Category.values)):
        if key in binding and not _codes(binding[key], allowed):
            errors.append(f"{where}.{key}: a list from {', '.join(allowed)}")


def _check_publicity(publicity: Any, errors: list[str]) -> None:
    if not isinstance(publicity, dict):
        errors.append("publicity: must be an object")
        return
    if not isinstance(publicity.get("warning_published"), bool):
        errors.append("publicity.warning_published: true or false")
    classes = publicity.get("classes")
    if not isinstance(classes, dict) or set(classes) != set(PUBLICITY_CLASSES):
        errors.append("publicity.classes: minor, general and serious")
    else:
        for name, rule in classes.items():
            if not isinstance(rule, dict) or not isinstance(rule.get("published"), bool) or not _days(
                    rule.get("min_days")) or not _positive_int(rule.get("max_days")) or rule["min_days"] > rule["max_days"]:
                errors.append(f"publicity.classes.{name}: published, min_days <= max_days")
    if not _days(publicity.get("safety_min_days")):
        errors.append("publicity.safety_min_days: days, 0 or more")
    if not _codes(publicity.get("safety_full_term_penalties"), Penalty.values):
        errors.append("publicity.safety_full_term_penalties: a list of penalties")


def validate_document(document: Any) -> dict[str, Any]:
    errors: list[str] = []
    if not isinstance(document, dict):
        raise RuleSetError(["rule set must be an object"])
    _check_periods(document.get("periods_days"), "periods_days", errors, top=True)
    windows = document.get("objection_working_days")
    if not isinstance(windows, dict) or not _positive_int(windows.get("default")) or any(
            not _positive_int(v) for v in windows.values()):
        errors.append("objection_working_days: positive working days, with a 'default'")
    _check_criteria(document.get("criteria"), "criteria", errors, top=True)
    for key, known in (("sectors", Sector.values), ("categories", Category.values)):
        layers = document.get(key, {})
        if not isinstance(layers, dict):
            errors.append(f"{key}: must be an object")
            continue
        for name, block in layers.items():
            if name not in known:
                errors.append(f"{key}.{name}: not one of {', '.join(known)}")
            _check_layer(block, f"{key}.{name}", errors)
    restrictions = document.get("restrictions")
    if not isinstance(restrictions, list):
        errors.append("restrictions: must be a list")
    else:
        for i, item in enumerate(restrictions):
            _check_restriction(item, f"restrictions[{i}]", errors)
    _check_repair(document.get("repair"), "repair", errors, top=True)
    if "publicity" in document:
        _check_publicity(document["publicity"], errors)
    else:
        errors.append("publicity: the penalties' publicity periods")
    service = document.get("service", {})
    if not isinstance(service, dict) or ("announcement_wait_days" in service
                                         and not _positive_int(service["announcement_wait_days"])):
        errors.append("service.announcement_wait_days: positive days")
    for key in ("appeal_routes", "measures"):
        rows = document.get(key, [])
        if not isinstance(rows, list) or any(not isinstance(row, dict) for row in rows):
            errors.append(f"{key}: a list of objects")
    if any(not set(m.get("list_types", [])) <= set(LIST_TYPES) or not m.get("code")
           for m in document.get("measures", []) if isinstance(m, dict)):
        errors.append("measures: each with a code and list_types from black, watch, red")
    if "joint_measures" in document:
        _check_joint_measures(document["joint_measures"], errors)
    if "awards" in document:  # 诚信评选 (regulator.lists.award_rules): an unknown criterion is an error
        award_rules.check_section(document["awards"], errors)
    if errors:
        raise RuleSetError(errors)
    return document


# ------------------------------------------------------------------ restrictions

def _scope_matches(item: dict[str, Any], *, sector: str | None, category: str | None) -> bool:
    """A restriction's ``sectors`` / ``categories`` (empty: all); an unknown sector (a person listed by import
    with no business) is bound everywhere."""
    if item.get("sectors") and sector is not None and sector not in item["sectors"]:
        return False
    return not (item.get("categories") and category is not None and category not in item["categories"])


def matching_restrictions(document: dict[str, Any], *, licence_type: str, list_type: str, subject_role: str,
                          sector: str | None, category: str | None = None) -> list[dict[str, Any]]:
    """The listing restrictions of ``document`` that stop (or flag) this licence for this kind of listed subject."""
    found = []
    for item in document.get("restrictions", []):
        if item.get("trigger", "listing") != "listing":
            continue
        if item["list_type"] != list_type or subject_role not in item["subject_roles"]:
            continue
        if not _scope_matches(item, sector=sector, category=category):
            continue
        if any(fnmatch.fnmatchcase(licence_type, pattern) for pattern in item["licence_types"]):
            found.append(item)
    return found


def penalty_restrictions(document: dict[str, Any], *, licence_type: str | None = None) -> list[dict[str, Any]]:
    """The restrictions a penalty itself starts (``trigger: penalty``), for one licence type or all."""
    return [item for item in document.get("restrictions", []) if item.get("trigger") == "penalty" and (
        licence_type is None or any(fnmatch.fnmatchcase(licence_type, p) for p in item["licence_types"]))]


def restriction_start_event(item: dict[str, Any]) -> str:
    """``listing_decision`` or ``penalty_date``: the day a restriction's ``period_days`` count from."""
    return item.get("start_event", "penalty_date" if item.get("trigger") == "penalty" else "listing_decision")


# ------------------------------------------------------------------ accessors
# Every reader of a rule-set document goes through these (pure functions of the document), so a figure has one
# meaning and one place where it is looked up; a category's figure overrides its sector's, which overrides the
# default.

def _layers(document: dict[str, Any], sector: str | None, category: str | None) -> list[dict[str, Any]]:
    """The blocks a figure is looked up in, most specific first: the category's, the sector's, the document."""
    layers = []
    if category:
        layers.append(document.get("categories", {}).get(category, {}))
    if sector:
        layers.append(document.get("sectors", {}).get(sector, {}))
    return [*layers, document]


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in over.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) \
            else copy.deepcopy(value)
    return merged


def period_days(document: dict[str, Any], list_type: str, *, sector: str | None = None,
                category: str | None = None) -> int:
    """The longest period (days) a listing of ``list_type`` may run for this kind of subject."""
    for layer in _layers(document, sector, category):
        if list_type in layer.get("periods_days", {}):
            return layer["periods_days"][list_type]
    raise KeyError(list_type)


def longest_period_days(document: dict[str, Any], list_type: str) -> int:
    """The longest period of ``list_type`` any sector or category has: the horizon of a pass over everyone."""
    blocks = [*document.get("sectors", {}).values(), *document.get("categories", {}).values()]
    return max([document["periods_days"][list_type]]
               + [block["periods_days"][list_type] for block in blocks if list_type in block.get("periods_days", {})])


def objection_working_days(document: dict[str, Any], *, sector: str | None = None,
                           category: str | None = None) -> int:
    """Working days to object (陈述申辩), counted from the notice's delivery."""
    for layer in _layers(document, sector, category)[:-1]:
        if "objection_working_days" in layer:
            return layer["objection_working_days"]
    windows = document["objection_working_days"]
    # A set written before sectors had blocks may key the window by sector or category code.
    for key in (category, sector):
        if key and key in windows:
            return windows[key]
    return windows["default"]


def announcement_wait_days(document: dict[str, Any]) -> int:
    """公告送达: days after the announcement's publication on which the document counts as delivered."""
    return document.get("service", {}).get("announcement_wait_days", 30)


def appeal_routes(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The remedies a decision names: [{"route": "administrative_review", "label": ..., "text": ...}, ...]."""
    return list(document.get("appeal_routes", []))


def measures_for(document: dict[str, Any], list_type: str) -> list[dict[str, Any]]:
    """The measures catalogue for one list type: [{"code", "label", "basis"}, ...]."""
    return [m for m in document.get("measures", []) if list_type in m.get("list_types", [])]


def joint_measure(document: dict[str, Any], code: Any) -> dict[str, Any] | None:
    """The ``joint_measures`` entry ``code`` names in ``document``, or None (a set without the section has none)."""
    for row in document.get("joint_measures", []):
        if row.get("code") == code:
            return row
    return None


def repair_rules(document: dict[str, Any], list_type: str, *, sector: str | None = None,
                 category: str | None = None) -> dict[str, Any]:
    """Repair of a listing: {"min_days", "commitment_required", "commitment_allowed", "commitment_public",
    "training_required", "decision_working_days"}. ``min_days`` count from the decision (养老: 2 years)."""
    repair: dict[str, Any] = {}
    for layer in reversed(_layers(document, sector, category)):
        repair.update(layer.get("repair", {}))
    commitment = list_type != "black" or repair.get("commitment_for_black", False)
    return {
        "min_days": {"black": repair["black_min_days"], "watch": repair.get("watch_min_days", 0)}.get(list_type, 0),
        "commitment_required": commitment,
        "commitment_allowed": commitment,
        "commitment_public": commitment and repair.get("commitment_public", False),
        "training_required": repair.get("requires_training", False),
        "decision_working_days": repair["decision_working_days"],
    }


def criteria_for(document: dict[str, Any], *, sector: str | None = None, category: str | None = None,
                 ) -> dict[str, Any]:
    """The listing criteria for this kind of subject: the default's, with its sector's and category's over them
    (objects merge key by key; a list replaces the list it overrides)."""
    criteria = document["criteria"]
    for layer in reversed(_layers(document, sector, category)[:-1]):
        criteria = _merge(criteria, layer.get("criteria", {}))
    return criteria


def legal_basis(document: dict[str, Any], list_type: str, *, ground: str | None = None,
                sector: str | None = None, category: str | None = None) -> str:
    """The legal basis a listing of ``list_type`` on ``ground`` (a rule or violation code) cites.

    Per layer, most specific first: the ground's basis, then the list type's; so an elderly-care listing cites
    民发〔2019〕103号 on any ground its category does not name, not the culture-and-tourism rule.
    """
    for layer in _layers(document, sector, category):
        bases = layer.get("criteria", {}).get("legal_basis", {})
        if ground and ground in bases:
            return bases[ground]
        if list_type in bases:
            return bases[list_type]
    raise KeyError(list_type)


def publicity_class(*, severity: str, penalty: str) -> str:
    """轻微、一般、严重: a suspension or revocation, or a serious or grave finding, is 严重; a minor one 轻微."""
    if severity in ("serious", "grave") or penalty in ("suspension", "revocation"):
        return "serious"
    return "minor" if severity == "minor" else "general"


def penalty_publicity(document: dict[str, Any], *, severity: str, penalty: str,
                      safety_related: bool) -> dict[str, Any]:
    """Whether a penalty is published, and its minimum (repair may end it after) and maximum days from its decision.

    No penalty, or a warning while warnings are not published: not published. A safety-related penalty
    (安全、消防、特种设备) is published at least ``safety_min_days``; a penalty in ``safety_full_term_penalties``
    of a safety-related violation runs its full term (no early end).
    """
    publicity = document["publicity"]
    if penalty in ("", "none") or (penalty == "warning" and not publicity["warning_published"]):
        return {"published": False, "min_days": 0, "max_days": 0}
    rule = publicity["classes"][publicity_class(severity=severity, penalty=penalty)]
    if not rule["published"]:
        return {"published": False, "min_days": 0, "max_days": 0}
    minimum, maximum = rule["min_days"], rule["max_days"]
    if safety_related:
        minimum = max(minimum, publicity["safety_min_days"])
        maximum = max(maximum, minimum)
        if penalty in publicity["safety_full_term_penalties"]:
            minimum = maximum
    return {"published": True, "min_days": minimum, "max_days": maximum}
