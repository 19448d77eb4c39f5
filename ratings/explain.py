"""评分明细说明: each breakdown line of a credit score in Chinese words (pure functions, no ORM).

A business reads its score as sentences, not as ``override_listing_black ... -131``: what happened, when, how
many points it counts for today, and until when. The numbers come from the line itself and from the scoring
model's rules document (points, decay, caps, grade bands, overrides), so the words follow a new model version
without a code change. What this module cannot know (the name of the violation, the listing's reason, the legal
basis of the black list in the rule set in force) the caller passes in: the legal basis is data of the rule set,
never text written here (DOMAIN.md, Citing the law).

Every rule code a scoring model can put in a breakdown (:func:`rule_codes`) has its own words; a code this
module does not know (a newer model, a typo) gets a neutral sentence and a warning in the log, never the code
itself on a page.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

from ratings.labels import RULE_LABELS

logger = logging.getLogger(__name__)

#: the short title of each rule (评分事项), as the breakdown's heading of a line: the one vocabulary of the rules
#: (ratings.labels, which the admin prints too), without the override lines, which are explained below
RULE_TITLES: dict[str, str] = {code: str(label) for code, label in RULE_LABELS.items() if not code.startswith("override")}
OVERRIDE_PREFIX = "override_"
OVERRIDE_TITLE = "信用等级调整"
UNKNOWN_TITLE = "其他评分事项"

_SEVERITY_WORDS = {"finding_minor": "轻微", "finding_general": "一般", "finding_serious": "严重",
                   "finding_grave": "特别严重"}
_PENALTY_WORDS = {"penalty_warning": "警告", "penalty_fine": "罚款", "penalty_suspension": "责令停业整顿",
                  "penalty_revocation": "吊销许可证"}
#: what the subject of an overriding rule went through, as said inside "因……"
_OVERRIDE_CAUSES = {"listing_black": "被列入严重失信主体名单", "listing_watch": "被列入重点关注名单"}


def _date(value: Any) -> datetime.date | None:
    """A breakdown date: a ``date`` from the engine, an ISO string from the stored JSON, or nothing."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def date_words(value: Any) -> str:
    """2026年3月1日 (no leading zeros), the way a notice writes a date."""
    day = _date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _points_words(points: int) -> str:
    if points < 0:
        return f"扣 {-points} 分"
    if points > 0:
        return f"加 {points} 分"
    return "不加减分"


def overriding_rules(code: str, rules: Mapping[str, Any]) -> list[str] | None:
    """The overriding rules an ``override_…`` code names (the engine joins them sorted with ``_``), or None."""
    if not code.startswith(OVERRIDE_PREFIX):
        return None
    known = sorted(rules.get("overrides", {}) or {}, key=len, reverse=True)
    rest, found = code[len(OVERRIDE_PREFIX):], []
    while rest:
        match = next((rule for rule in known if rest == rule or rest.startswith(rule + "_")), None)
        if match is None:
            return None
        found.append(match)
        rest = rest[len(match) + 1:]
    return found or None


def rule_codes(rules: Mapping[str, Any]) -> set[str]:
    """Every rule code a breakdown of this model can hold: its rules, the clamp, and each override (alone and
    all together, as the set-based SQL names it)."""
    overrides = sorted(rules.get("overrides", {}) or {})
    codes = set(rules.get("points", {})) | {"clamp"}
    codes |= {OVERRIDE_PREFIX + rule for rule in overrides}
    if overrides:
        codes.add(OVERRIDE_PREFIX + "_".join(overrides))
    return codes


def has_words(code: str, rules: Mapping[str, Any]) -> bool:
    """True when ``code`` gets its own sentence (not the neutral one)."""
    overriding = overriding_rules(code, rules)
    if overriding is not None:
        return all(rule in RULE_TITLES for rule in overriding)
    return code in RULE_TITLES


def title(code: str, rules: Mapping[str, Any]) -> str:
    """The short Chinese title of a rule code (a neutral one for a code without words)."""
    if overriding_rules(code, rules) is not None:
        return OVERRIDE_TITLE
    return RULE_TITLES.get(code, UNKNOWN_TITLE)


def _what(code: str, line: Mapping[str, Any], detail: str) -> str:
    """What happened, as the subject of the sentence."""
    number = f"（编号 {line['source_id']}）" if line.get("source_id") is not None else ""
    about = f"（{detail}）" if detail else ""
    if code.startswith("complaint_") and detail and line.get("source_id") is not None:
        number = f"（编号 {line['source_id']}，{detail}）"
    if code == "complaint_substantiated":
        return f"投诉{number}经调查属实并办结"
    if code == "complaint_mediated":
        return f"投诉{number}经调解处理结案"
    if code in _SEVERITY_WORDS:
        return f"监督检查发现问题{about or number}，情节{_SEVERITY_WORDS[code]}"
    if code in _PENALTY_WORDS:
        return f"因{detail or '违法行为'}受到行政处罚（{_PENALTY_WORDS[code]}）"
    if code == "rectification_overdue":
        return f"检查发现的问题{about or number}超过整改期限仍未整改"
    if code == "listing_watch":
        return f"被列入重点关注名单{about}"
    if code == "listing_black":
        return f"被列入严重失信主体名单{about}"
    if code == "listing_red":
        return f"被列入守信激励名单{about}"
    if code == "rectified_on_time":
        return f"检查发现的问题{about or number}按期完成整改"
    if code == "inspection_clean":
        return f"接受监督检查{number}，未发现问题"
    if code == "award":
        return f"获得诚信企业表彰{about}"
    return f"评分事项{number}"


def _weight_words(line: Mapping[str, Any], rules: Mapping[str, Any]) -> str:
    """Why a line counts for less than its full points: the event is older than the full-weight period."""
    try:
        weight = Fraction(str(line.get("weight", 1)))
    except (ValueError, ZeroDivisionError):
        return ""
    if weight >= 1 or weight <= 0:
        return ""
    days = rules.get("full_weight_days", 365)
    full = _points_words(int(line.get("base_points") or 0))
    return f"（满额{full}；已满 {days} 天，逐日减轻，目前按 {round(float(weight) * 100)}% 计）"


def _until_words(line: Mapping[str, Any], rules: Mapping[str, Any]) -> str:
    """Until when the line counts: full until the full-weight period ends, then less each day, then nothing."""
    occurred, expires = _date(line.get("occurred_on")), _date(line.get("expires_on"))
    if expires is None:
        return ""
    full_days = rules.get("full_weight_days")
    full_until = occurred + datetime.timedelta(days=full_days) if occurred and isinstance(full_days, int) else None
    try:
        weight = Fraction(str(line.get("weight", 1)))
    except (ValueError, ZeroDivisionError):
        weight = Fraction(1)
    if int(line.get("base_points") or 0) == 0 and str(line.get("rule") or "").startswith("listing_"):
        return f"名单期至{date_words(expires)}"
    if int(line.get("base_points") or 0) != 0 and weight >= 1 and full_until is not None and full_until < expires:
        return f"自{date_words(full_until)}起逐日减轻，自{date_words(expires)}起不再计分"
    return f"自{date_words(expires)}起不再计分"


def _override_sentence(line: Mapping[str, Any], overriding: list[str], rules: Mapping[str, Any], *,
                       breakdown: Iterable[Mapping[str, Any]], model_version: Any, basis: str) -> str:
    grades = rules.get("grades", {})
    order = ("A", "B", "C", "D")
    forced = max((rules["overrides"][rule] for rule in overriding), key=order.index)
    ceiling = grades.get(order[order.index(forced) - 1], 1) - 1 if forced != "A" else 1000
    causes = "、".join(_OVERRIDE_CAUSES.get(rule, RULE_TITLES.get(rule, UNKNOWN_TITLE)) for rule in overriding)
    ends = [_date(row.get("expires_on")) for row in breakdown if row.get("rule") in overriding]
    ends = [end for end in ends if end is not None]
    version = f" v{model_version} " if model_version not in (None, "") else ""
    sentence = (f"因{causes}，依评分模型{version}的规定，名单有效期内信用等级定为 {forced} 级、信用分最高 "
                f"{ceiling} 分，各项合计高出的部分不计：{_points_words(int(line.get('points', 0)))}")
    if ends:
        sentence += f"；名单期满或移出后不再适用（名单期至{date_words(max(ends))}）"
    if basis:
        sentence += f"。列入名单的依据：{basis}"
    return sentence + "。"


def line_sentence(line: Mapping[str, Any], *, rules: Mapping[str, Any], breakdown: Iterable[Mapping[str, Any]] = (),
                  model_version: Any = None, detail: str = "", basis: str = "", as_of: Any = None) -> str:
    """One breakdown line as a sentence: what happened, when, the points it counts for now, and until when.

    ``detail`` names the source (violation, listing reason); ``basis`` is the legal basis an override line cites
    (the rule set's, given by the caller); ``breakdown`` is the whole breakdown, for the end of an override.
    """
    code = str(line.get("rule") or "")
    points = int(line.get("points") or 0)
    overriding = overriding_rules(code, rules)
    if overriding is not None and all(rule in RULE_TITLES for rule in overriding):
        return _override_sentence(line, overriding, rules, breakdown=list(breakdown), model_version=model_version,
                                  basis=basis)
    if code == "clamp":
        return f"信用分的范围为 0–1000 分，各项合计超出范围的部分不计：{_points_words(points)}。"
    if code == "no_complaints_12m":
        days = rules.get("clean_record_days", 365)
        day = date_words(line.get("occurred_on") or as_of)
        return (f"截至{day}，近 {days} 天内没有经查属实的投诉：{_points_words(points)}；"
                f"每次评分时重新判断，出现属实投诉后不再加分。")
    if code not in RULE_TITLES:
        logger.warning("breakdown rule %r has no words; shown as %s", code, UNKNOWN_TITLE)
    when = date_words(line.get("occurred_on"))
    sentence = f"{when}，{_what(code, line, detail)}：" if when else f"{_what(code, line, detail)}："
    sentence += _points_words(points) + _weight_words(line, rules)
    if code == "listing_black" and points == 0 and rules.get("overrides", {}).get(code):
        sentence += f"，但名单有效期内信用等级为 {rules['overrides'][code]} 级（见“{OVERRIDE_TITLE}”一行）"
    caps = rules.get("yearly_caps", {}) or {}
    if code in caps:
        sentence += f"（每年最多 {caps[code]} 分）"
    until = _until_words(line, rules)
    return sentence + (f"；{until}。" if until else "。")


def explain_breakdown(breakdown: Iterable[Mapping[str, Any]], *, rules: Mapping[str, Any], model_version: Any = None,
                      details: Mapping[tuple[str, Any], str] | None = None, basis: str = "",
                      as_of: Any = None) -> list[dict[str, Any]]:
    """The breakdown with ``title`` and ``sentence`` beside each line's own fields (which stay as they are).

    ``details`` maps ``(source_type, source_id)`` to the words naming a source; ``basis`` is what an override
    line cites.
    """
    lines = list(breakdown)
    details = details or {}
    result = []
    for line in lines:
        code = str(line.get("rule") or "")
        detail = details.get((line.get("source_type"), line.get("source_id")), "")
        result.append({**line, "title": title(code, rules),
                       "sentence": line_sentence(line, rules=rules, breakdown=lines, model_version=model_version,
                                                 detail=detail, basis=basis, as_of=as_of),
                       "occurred_words": date_words(line.get("occurred_on")),
                       "expires_words": date_words(line.get("expires_on"))})
    return result
