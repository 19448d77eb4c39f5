"""What a public answer's receipt says in words: its subject, the question asked and the result (decision 0010).

``core.receipts.issue`` signs these beside the digests, so whoever holds a receipt (a printed report's
QR code, an API answer kept by another department) can read which business it is about, what was
asked, as of which date, and what the answer was, and cannot pass it off for another business.
Only what the public answer itself shows goes in: names of persons masked, free text left out.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from entities.models import Entity
from regulator.disclosure.redaction import redact
from regulator.lists.models import ListType


def _label(list_type: str) -> str:
    return str(dict(ListType.choices).get(list_type, list_type))


MAX_NAMED = 5  # a list answer names its first rows; the digest covers all of them


def entity_subject(entity: Entity | dict[str, Any]) -> dict[str, Any]:
    """A business as a receipt names it: credit code and name."""
    code = entity["credit_code"] if isinstance(entity, dict) else entity.credit_code
    name = entity["name"] if isinstance(entity, dict) else entity.name
    return {"type": "entity", "credit_code": code, "name": name}


def _date(day: datetime.date | str) -> str:
    return day.isoformat() if isinstance(day, datetime.date) else str(day)


def profile_terms(profile: dict[str, Any], *, report: bool) -> dict[str, Any]:
    """A business's public record (API answer or 信用报告): subject, question, and the record counted in words.

    Short on purpose: the printed report's QR code carries the whole payload.
    """
    question = {"text": "公共信用信息报告" if report else "公示信用信息查询"}
    counts = Counter(row["list_type"] for row in profile["listings"])
    listings = "、".join(f"{_label(kind)} {count} 条" for kind, count in sorted(counts.items()))
    penalties = len(profile["penalties"])
    if not listings and not penalties:
        words = "公示期内无名单记录、无行政处罚记录"
    else:
        words = (f"公示期内：{listings or '无名单记录'}；" + (f"行政处罚 {penalties} 条" if penalties else "无行政处罚记录"))
    return {"subject": entity_subject(profile), "question": question, "result_text": words}


def _row_words(row: dict[str, Any]) -> str:
    if row.get("credit_code"):
        return f"{row['name']}（{row['credit_code']}）"
    company = f"，{row['related_entity_name']}" if row.get("related_entity_name") else ""
    return f"{row['name']}（自然人{company}）"


def list_terms(list_type: str, *, query: str, page: str, count: int, rows: list[dict[str, Any]],
               masked_names: Iterable[str], as_of: datetime.date) -> dict[str, Any]:
    """A search of a published list: the list is the subject; the words name the first rows found.

    The query is echoed as the caller typed it, except that the full name of a person found is masked as the
    answer masks it (a receipt must not spell out what the list it proves does not).
    """
    label = _label(list_type)
    shown = redact(query, names=masked_names) or ""
    asked = f"“{shown}”" if shown else "全部记录"
    question = {"text": f"截至 {_date(as_of)} 查询{label}：{asked}，第 {page} 页", "q": shown, "page": page}
    if count == 0:
        words = f"{label}中无与{asked}匹配的公示记录。"
    else:
        named = "、".join(_row_words(row) for row in rows[:MAX_NAMED])
        more = f"等 {len(rows)} 条" if len(rows) > MAX_NAMED else ""
        words = f"共 {count} 条公示记录；本页 {len(rows)} 条：{named}{more}。" if rows else f"共 {count} 条公示记录；本页无记录。"
    subject = {"type": "list", "list_type": list_type, "text": label}
    return {"subject": subject, "question": question, "result_text": words}


def changes_terms(*, since: int, rows: list[dict[str, Any]], more: bool, as_of: datetime.date) -> dict[str, Any]:
    """The change feed after a data version."""
    question = {"text": f"截至 {_date(as_of)} 数据版本 {since} 之后公示名单的变更", "since": since}
    words = f"{len(rows)} 项变更{'（未完，请以最后的数据版本继续查询）' if more else ''}。" if rows else "无变更。"
    return {"subject": {"type": "list", "text": "公示名单（严重失信主体名单、守信激励名单等）"}, "question": question,
            "result_text": words}
