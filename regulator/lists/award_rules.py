"""诚信评选规则: the rule set's ``awards`` section, its fail-closed validation, and the criteria as pure logic.

The section (migration ``0008_award_rules``; ``DEFAULT_AWARDS`` for a new set)::

    "awards": {
        "notice_working_days": 5,            # 公示期, working days from the first day of the notice
        "validity_days": 365,                # an award runs this long from its decision (a kind may differ)
        "criteria": [                        # every one must hold, at the check, the grant and afterwards
            {"code": "grade_at_least", "grade": "A"},
            {"code": "no_substantiated_complaint", "within_days": 365},
            {"code": "max_finding_severity", "severity": "minor", "within_days": 365},
            {"code": "not_listed", "list_types": ["black", "watch"]},
        ],
        "kinds": {"honest_enterprise": {"name": "诚信企业", "basis": "...", "red_list": false}, ...},
    }

A round adds its own ``conditions`` in the same vocabulary. An unknown criterion code, kind or key is an error:
a criterion the service cannot check would otherwise pass everyone. Every basis printed is the section's text.
"""

from __future__ import annotations

import datetime
from typing import Any

#: the titles (AwardKind's codes; a test keeps the two equal)
AWARD_KINDS = ("honest_enterprise", "honest_merchant", "civilised_merchant")
GRADES = ("A", "B", "C", "D")
SEVERITIES = ("minor", "general", "serious", "grave")
CRITERION_LIST_TYPES = ("black", "watch")

#: criterion code -> its parameters and their checks
CRITERIA: dict[str, dict[str, Any]] = {
    "grade_at_least": {"grade": lambda v: v in GRADES},
    "min_score": {"score": lambda v: _int(v, 0, 1000)},
    "no_substantiated_complaint": {"within_days": lambda v: _int(v, 1, 3660)},
    "max_finding_severity": {"severity": lambda v: v in SEVERITIES, "within_days": lambda v: _int(v, 1, 3660)},
    "not_listed": {"list_types": lambda v: isinstance(v, list) and bool(v)
                   and all(t in CRITERION_LIST_TYPES for t in v)},
}

_PROVINCE_PLAN = "《山西省“十四五”文化旅游会展康养产业发展规划》（晋政发〔2021〕44号）"
_DISTRICT_PLAN = "《运城市盐湖区“十四五”现代服务业发展规划》（运盐政发〔2022〕16号）"

#: the default section (DOMAIN.md, Lists: red — grade A, no substantiated complaint and no finding above minor in
#: the last 12 months); bases cite the plans by name only (no article of them was read for the awards)
DEFAULT_AWARDS: dict[str, Any] = {
    "notice_working_days": 5,
    "validity_days": 365,
    "criteria": [
        {"code": "grade_at_least", "grade": "A"},
        {"code": "no_substantiated_complaint", "within_days": 365},
        {"code": "max_finding_severity", "severity": "minor", "within_days": 365},
        {"code": "not_listed", "list_types": ["black", "watch"]},
    ],
    "kinds": {
        "honest_enterprise": {"name": "诚信企业", "basis": _PROVINCE_PLAN + "：诚信企业评价", "red_list": False},
        "honest_merchant": {"name": "诚信商家", "basis": _DISTRICT_PLAN + "：诚信商家", "red_list": False},
        "civilised_merchant": {"name": "文明诚信商户", "basis": _DISTRICT_PLAN + "：文明诚信商户", "red_list": False},
    },
}

_TOP_KEYS = {"notice_working_days", "validity_days", "criteria", "kinds"}
_KIND_KEYS = {"name", "basis", "red_list", "validity_days"}


def _int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def check_criteria(criteria: Any, where: str, errors: list[str], *, required: bool = True) -> None:
    """Each criterion: a known ``code`` and exactly its parameters, each valid."""
    if not isinstance(criteria, list) or (required and not criteria):
        errors.append(f"{where}: a {'non-empty ' if required else ''}list of criteria")
        return
    for index, item in enumerate(criteria):
        at = f"{where}[{index}]"
        if not isinstance(item, dict):
            errors.append(f"{at}: must be an object")
            continue
        code = item.get("code")
        if code not in CRITERIA:
            errors.append(f"{at}.code: unknown criterion {code!r} (one of {', '.join(CRITERIA)})")
            continue
        params = CRITERIA[code]
        unknown = set(item) - {"code", *params}
        if unknown:
            errors.append(f"{at}: unknown keys {', '.join(sorted(unknown))}")
        for name, valid in params.items():
            if not valid(item.get(name)):
                errors.append(f"{at}.{name}: invalid or missing")


def check_section(section: Any, errors: list[str]) -> None:
    """Validate the ``awards`` section of a rule-set document (fail closed), appending to ``errors``."""
    if not isinstance(section, dict):
        errors.append("awards: must be an object")
        return
    unknown = set(section) - _TOP_KEYS
    if unknown:
        errors.append(f"awards: unknown keys {', '.join(sorted(unknown))}")
    if not _int(section.get("notice_working_days"), 1, 60):
        errors.append("awards.notice_working_days: working days, 1 to 60")
    if not _int(section.get("validity_days"), 1, 3660):
        errors.append("awards.validity_days: days, 1 to 3660")
    check_criteria(section.get("criteria"), "awards.criteria", errors)
    kinds = section.get("kinds")
    if not isinstance(kinds, dict) or not kinds:
        errors.append("awards.kinds: an object of titles")
        return
    for code, kind in kinds.items():
        at = f"awards.kinds.{code}"
        if code not in AWARD_KINDS:
            errors.append(f"{at}: not one of {', '.join(AWARD_KINDS)}")
            continue
        if not isinstance(kind, dict):
            errors.append(f"{at}: must be an object")
            continue
        if set(kind) - _KIND_KEYS:
            errors.append(f"{at}: unknown keys {', '.join(sorted(set(kind) - _KIND_KEYS))}")
        for key in ("name", "basis"):
            if not isinstance(kind.get(key), str) or not kind[key].strip():
                errors.append(f"{at}.{key}: non-empty text")
        if not isinstance(kind.get("red_list", False), bool):
            errors.append(f"{at}.red_list: true or false")
        if "validity_days" in kind and not _int(kind["validity_days"], 1, 3660):
            errors.append(f"{at}.validity_days: days, 1 to 3660")


# ------------------------------------------------------------------ accessors


class AwardRulesMissing(LookupError):
    """The rule set in force has no ``awards`` section, or none for this title: nothing can be awarded."""


def section(document: dict[str, Any]) -> dict[str, Any]:
    found = document.get("awards")
    if not isinstance(found, dict):
        raise AwardRulesMissing("awards")
    return found


def kind_rules(document: dict[str, Any], kind: str) -> dict[str, Any]:
    """{"name", "basis", "red_list", "validity_days", "notice_working_days"} of one title."""
    awards = section(document)
    kind_block = awards.get("kinds", {}).get(kind)
    if kind_block is None:
        raise AwardRulesMissing(kind)
    return {"name": kind_block["name"], "basis": kind_block["basis"], "red_list": kind_block.get("red_list", False),
            "validity_days": kind_block.get("validity_days", awards["validity_days"]),
            "notice_working_days": awards["notice_working_days"]}


# ------------------------------------------------------------------ the criteria, pure


def criterion_label(item: dict[str, Any]) -> str:
    """What a criterion asks, in words."""
    code = item["code"]
    if code == "grade_at_least":
        return f"信用等级为 {item['grade']} 级或以上"
    if code == "min_score":
        return f"信用分不低于 {item['score']} 分"
    if code == "no_substantiated_complaint":
        return f"近 {item['within_days']} 天内无属实投诉"
    if code == "max_finding_severity":
        return f"近 {item['within_days']} 天内检查发现的问题不超过“{_SEVERITY_WORDS[item['severity']]}”"
    return "未列入" + "、".join(_LIST_WORDS[t] for t in item["list_types"])


_SEVERITY_WORDS = {"minor": "轻微", "general": "一般", "serious": "严重", "grave": "特别严重"}
_LIST_WORDS = {"black": "严重失信主体名单", "watch": "重点关注名单"}


def evaluate(criteria: list[dict[str, Any]], facts: dict[str, Any], *, day: datetime.date) -> list[dict[str, Any]]:
    """Each criterion against the entity's facts on ``day``: [{"code", "label", "passed", "detail"}].

    ``facts``: ``grade`` and ``score`` (None: not yet scored, grade B at 800), ``complaints`` (the dates
    substantiated complaints were resolved), ``findings`` ([(severity, inspected_on)]), ``listed`` (the list
    types of the entity's published listings). An event counts when it lies within the last ``within_days``
    days (after ``day - within_days``).
    """
    results = []
    for item in criteria:
        passed, detail = _one(item, facts, day)
        results.append({"code": item["code"], "label": criterion_label(item), "passed": passed, "detail": detail})
    return results


def _since(day: datetime.date, within_days: int) -> datetime.date:
    return day - datetime.timedelta(days=within_days)


def _one(item: dict[str, Any], facts: dict[str, Any], day: datetime.date) -> tuple[bool, str]:
    code = item["code"]
    grade, score = facts.get("grade") or "B", facts.get("score")
    score_words = f"（{score} 分）" if score is not None else "（尚未评分，按 B 级计）"
    if code == "grade_at_least":
        passed = GRADES.index(grade) <= GRADES.index(item["grade"])
        return passed, f"当前信用等级为 {grade} 级{score_words}" + ("" if passed else f"，未达到 {item['grade']} 级")
    if code == "min_score":
        value = score if score is not None else 800
        passed = value >= item["score"]
        return passed, f"当前信用分 {value} 分" + ("" if passed else f"，低于 {item['score']} 分")
    if code == "no_substantiated_complaint":
        since = _since(day, item["within_days"])
        hits = sorted(d for d in facts.get("complaints", []) if since < d <= day)
        if not hits:
            return True, "期间内无属实投诉"
        return False, f"期间内有 {len(hits)} 件属实投诉（最近一件于 {hits[-1]:%Y-%m-%d} 办结）"
    if code == "max_finding_severity":
        since, limit = _since(day, item["within_days"]), SEVERITIES.index(item["severity"])
        hits = sorted((on, severity) for severity, on in facts.get("findings", [])
                      if since < on <= day and SEVERITIES.index(severity) > limit)
        if not hits:
            return True, f"期间内无超过“{_SEVERITY_WORDS[item['severity']]}”的检查发现问题"
        on, severity = hits[-1]
        return False, (f"期间内有 {len(hits)} 项超过“{_SEVERITY_WORDS[item['severity']]}”的检查发现问题"
                       f"（最近一项为“{_SEVERITY_WORDS[severity]}”，{on:%Y-%m-%d} 检查）")
    listed = [t for t in item["list_types"] if t in facts.get("listed", [])]
    if not listed:
        return True, "未列入上述名单"
    return False, "已列入" + "、".join(_LIST_WORDS[t] for t in listed)
