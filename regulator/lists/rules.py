"""名单规则集: the default document, its validation, and the rule set in force on a date.

Every figure here is a default of DOMAIN.md that a regulator may change by
adding a dated rule set (no deploy); a decision records the set it applied.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from entities.models import LicenceType

LIST_TYPES = ("black", "watch", "red")
SUBJECT_ROLES = ("entity", "legal_representative", "actual_controller", "principal", "practitioner")
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


def licence_type_known(code: Any) -> bool:
    """True for a code of the licence-type catalogue; anything else (a typo, a category, a pattern) is unknown."""
    return isinstance(code, str) and code in LicenceType.values


def licence_types_matching(pattern: str) -> list[str]:
    """The catalogue's codes a restriction's ``licence_types`` pattern (fnmatch, ``*`` for all) selects."""
    return [code for code in LicenceType.values if fnmatch.fnmatchcase(code, pattern)]
_ALL_ROLES = ["entity", "legal_representative", "actual_controller", "principal", "practitioner"]

DEFAULT_DOCUMENT: dict[str, Any] = {
    # 文化和旅游市场信用管理规定 第十二条: 严重失信 3 年；商务 ≤ 3 年；重点关注 1 年；诚信 1 年可续。
    "periods_days": {"black": 1095, "watch": 365, "red": 365},
    # 告知后 5 个工作日陈述申辩；养老（民发〔2019〕103号）10 个工作日。
    "objection_working_days": {"default": 5, "wellness": 10},
    "criteria": {
        "black_on_revocation": True,
        "black_violation_codes": ["forged_licence", "abandoned_tourists", "elderly_abuse", "elderly_subsidy_fraud",
                                  "elderly_illegal_fundraising"],
        "watch_on_penalties": ["fine", "suspension"],
        "watch_violation_codes": ["obstruct_inspection"],
        "watch_to_black": {"count": 2, "within_days": 365},
        "complaints_to_watch": {"count": 3, "within_days": 91},
        "red": {"grade": "A", "clean_days": 365, "max_severity": "minor"},
        "legal_basis": {
            "black": "《文化和旅游市场信用管理规定》第八条；《旅游市场黑名单管理办法（试行）》",
            "watch": "《文化和旅游市场信用管理规定》第十条",
            "red": "山西省“十四五”文化旅游会展康养产业发展规划（晋政发〔2021〕44号）诚信企业",
        },
    },
    "restrictions": [
        {"licence_types": SECTOR_LICENCES[sector], "list_type": "black", "sectors": [sector],
         "subject_roles": ["entity", "legal_representative", "actual_controller", "principal"]
         + (["practitioner"] if sector in ("tourism", "household_service") else []),
         "effect": "deny",
         "basis": "《旅行社条例》第六十四条；运盐政发〔2022〕16号：黑名单法人、实际负责人限期内不再核发涉旅营业执照"
         if sector == "tourism" else "《文化和旅游市场信用管理规定》第十三条"}
        for sector in SECTOR_LICENCES
    ] + [
        {"licence_types": ["*"], "list_type": "watch", "sectors": [], "subject_roles": _ALL_ROLES,
         "effect": "warn", "basis": "重点关注名单：许可申请从严审查"},
    ],
    "repair": {"black_min_days": 365, "decision_working_days": 10, "commitment_for_black": False,
               "requires_training": True},
    "publicity": {"warning_published": False, "min_days": 90, "general_max_days": 365, "serious_max_days": 1095,
                  "safety_min_days": 365},
}


class RuleSetError(ValueError):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 36500


def validate_document(document: Any) -> dict[str, Any]:
    errors: list[str] = []
    if not isinstance(document, dict):
        raise RuleSetError(["rule set must be an object"])
    periods = document.get("periods_days")
    if not isinstance(periods, dict) or any(not _positive_int(periods.get(t)) for t in LIST_TYPES):
        errors.append("periods_days: a positive number of days for black, watch and red")
    windows = document.get("objection_working_days")
    if not isinstance(windows, dict) or not _positive_int(windows.get("default")) or any(
            not _positive_int(v) for v in windows.values()):
        errors.append("objection_working_days: positive working days, with a 'default'")
    criteria = document.get("criteria")
    if not isinstance(criteria, dict):
        errors.append("criteria: must be an object")
    else:
        for key in ("watch_to_black", "complaints_to_watch"):
            rule = criteria.get(key)
            if not isinstance(rule, dict) or not _positive_int(rule.get("count")) or not _positive_int(
                    rule.get("within_days")):
                errors.append(f"criteria.{key}: count and within_days, positive integers")
        if not isinstance(criteria.get("legal_basis"), dict) or any(
                not criteria["legal_basis"].get(t) for t in LIST_TYPES):
            errors.append("criteria.legal_basis: a legal basis for black, watch and red")
    restrictions = document.get("restrictions")
    if not isinstance(restrictions, list):
        errors.append("restrictions: must be a list")
    else:
        for i, item in enumerate(restrictions):
            if not isinstance(item, dict):
                errors.append(f"restrictions[{i}]: must be an object")
                continue
            if not isinstance(item.get("licence_types"), list) or not item["licence_types"]:
                errors.append(f"restrictions[{i}].licence_types: a non-empty list of patterns")
            else:
                # Fail closed: a pattern that selects no known licence type (a typo) would restrict nothing.
                for pattern in item["licence_types"]:
                    if not isinstance(pattern, str) or not licence_types_matching(pattern):
                        errors.append(f"restrictions[{i}].licence_types: {pattern!r} matches no licence type "
                                      "of the catalogue (GET /api/v1/licence-types/)")
            if item.get("list_type") not in LIST_TYPES:
                errors.append(f"restrictions[{i}].list_type: one of black, watch, red")
            roles = item.get("subject_roles")
            if not isinstance(roles, list) or not roles or any(r not in SUBJECT_ROLES for r in roles):
                errors.append(f"restrictions[{i}].subject_roles: from {', '.join(SUBJECT_ROLES)}")
            if item.get("effect") not in ("deny", "warn"):
                errors.append(f"restrictions[{i}].effect: deny or warn")
            if "period_days" in item and not _positive_int(item["period_days"]):
                errors.append(f"restrictions[{i}].period_days: positive days")
    repair = document.get("repair")
    if not isinstance(repair, dict) or not _positive_int(repair.get("black_min_days")) or not _positive_int(
            repair.get("decision_working_days")):
        errors.append("repair: black_min_days and decision_working_days, positive integers")
    if errors:
        raise RuleSetError(errors)
    return document


def matching_restrictions(document: dict[str, Any], *, licence_type: str, list_type: str, subject_role: str,
                          sector: str | None) -> list[dict[str, Any]]:
    """The restrictions of ``document`` that stop (or flag) this licence for this kind of listed subject."""
    found = []
    for item in document.get("restrictions", []):
        if item["list_type"] != list_type or subject_role not in item["subject_roles"]:
            continue
        if item.get("sectors") and sector is not None and sector not in item["sectors"]:
            continue
        if any(fnmatch.fnmatchcase(licence_type, pattern) for pattern in item["licence_types"]):
            found.append(item)
    return found


# ------------------------------------------------------------------ accessors
# Every reader of a rule-set document goes through these (pure functions of the document), so a figure has one
# meaning and one place where it is looked up; a sector's or category's figure overrides the default.

def period_days(document: dict[str, Any], list_type: str, *, sector: str | None = None,
                category: str | None = None) -> int:
    """The longest period (days) a listing of ``list_type`` may run for this kind of subject."""
    return document["periods_days"][list_type]


def objection_working_days(document: dict[str, Any], *, sector: str | None = None,
                           category: str | None = None) -> int:
    """Working days to object (陈述申辩), counted from the notice's delivery."""
    windows = document["objection_working_days"]
    return windows.get(sector or "", windows["default"])


def announcement_wait_days(document: dict[str, Any]) -> int:
    """公告送达: days after the announcement's publication on which the document counts as delivered."""
    return document.get("service", {}).get("announcement_wait_days", 30)


def appeal_routes(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The remedies a decision names: [{"route": "administrative_review", "label": ..., "text": ...}, ...]."""
    return list(document.get("appeal_routes", []))


def measures_for(document: dict[str, Any], list_type: str) -> list[dict[str, Any]]:
    """The measures catalogue for one list type: [{"code", "label", "basis"}, ...]."""
    return [m for m in document.get("measures", []) if list_type in m.get("list_types", [])]


def repair_rules(document: dict[str, Any], list_type: str, *, sector: str | None = None,
                 category: str | None = None) -> dict[str, Any]:
    """Repair of a listing: {"min_days", "commitment_required", "training_required", "decision_working_days"}."""
    repair = document["repair"]
    return {
        "min_days": repair["black_min_days"] if list_type == "black" else 0,
        "commitment_required": list_type != "black" or repair.get("commitment_for_black", False),
        "commitment_allowed": list_type != "black" or repair.get("commitment_for_black", False),
        "training_required": repair.get("requires_training", False),
        "decision_working_days": repair["decision_working_days"],
    }


def legal_basis(document: dict[str, Any], list_type: str, *, ground: str | None = None,
                sector: str | None = None, category: str | None = None) -> str:
    """The legal basis a listing of ``list_type`` on ``ground`` (a rule or violation code) cites."""
    return document["criteria"]["legal_basis"][list_type]
