"""部门客户端的密钥与查询记录: issue, rotate and revoke keys; look a key up; record and export queries.

A key is ``<prefix>.<secret>``: a 10-character lookup prefix and 32 random bytes (URL-safe base64), 256 bits
that no dictionary holds, so a plain SHA-256 of the whole key is what is stored (a slow password hash buys
nothing against a secret of that entropy and would cost every request; decision 0021).
The key is returned once, by :func:`client_key_issue`, and never again.

Nothing here caches: every request looks its key up in the database, so a revocation or an expiry takes
effect on the next request (no cache can hide it).
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import ClientKey, ClientQuery, DepartmentClient

KEY_PREFIX_LENGTH = 10
#: the default lifetime of a key, and the longest a regulator may give one
KEY_DEFAULT_DAYS = 365
KEY_MAX_DAYS = 3 * 365
#: how long the old key keeps working after a rotation (by default)
ROTATION_OVERLAP_DAYS = 7
_KEY_SHAPE = re.compile(rf"^([A-Za-z0-9]{{{KEY_PREFIX_LENGTH}}})\.([A-Za-z0-9_-]{{20,100}})$")
_PREFIX_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
BEIJING = ZoneInfo("Asia/Shanghai")


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A key as issued: ``key`` is shown to the regulator once and stored nowhere."""

    record: ClientKey
    key: str


def _new_key() -> tuple[str, str]:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(KEY_PREFIX_LENGTH))
    return prefix, f"{prefix}.{secrets.token_urlsafe(32)}"


def _expiry(expires_at: datetime.datetime | None, now: datetime.datetime) -> datetime.datetime:
    expires_at = expires_at or now + datetime.timedelta(days=KEY_DEFAULT_DAYS)
    if expires_at <= now:
        raise ValidationError({"expires_at": [_("到期时间须晚于现在。")]})
    if expires_at > now + datetime.timedelta(days=KEY_MAX_DAYS):
        raise ValidationError({"expires_at": [_("密钥有效期最长 %(days)s 天。") % {"days": KEY_MAX_DAYS}]})
    return expires_at


@transaction.atomic
def client_key_issue(*, client_id: int, actor=None, expires_at: datetime.datetime | None = None) -> IssuedKey:
    """A new key for the client (the old ones stay as they are)."""
    client = DepartmentClient.objects.select_for_update().get(pk=client_id)
    now = timezone.now()
    prefix, key = _new_key()
    record = ClientKey(client=client, prefix=prefix, key_hash=key_digest(key), created_by=actor,
                       expires_at=_expiry(expires_at, now))
    record.full_clean()
    record.save()
    return IssuedKey(record=record, key=key)


@transaction.atomic
def client_key_rotate(*, client_id: int, actor=None, overlap_days: int = ROTATION_OVERLAP_DAYS,
                      expires_at: datetime.datetime | None = None) -> IssuedKey:
    """轮换: a new key, and every live old key of the client ends ``overlap_days`` from now (or earlier, if it
    was to end sooner), so the department can switch its systems over without a gap."""
    if not isinstance(overlap_days, int) or not 0 <= overlap_days <= 90:
        raise ValidationError({"overlap_days": [_("过渡期为 0 至 90 天。")]})
    issued = client_key_issue(client_id=client_id, actor=actor, expires_at=expires_at)
    end = timezone.now() + datetime.timedelta(days=overlap_days)
    (ClientKey.objects.filter(client_id=client_id, revoked_at__isnull=True, expires_at__gt=end)
     .exclude(pk=issued.record.pk).update(expires_at=end))
    return issued


@transaction.atomic
def client_key_revoke(*, key_id: int, actor=None, reason: str = "") -> ClientKey:
    """吊销: the key answers 401 from the next request on (keys are looked up on every request)."""
    record = ClientKey.objects.select_for_update().get(pk=key_id)
    if record.revoked_at is None:
        record.revoked_at, record.revoked_by, record.revoke_reason = timezone.now(), actor, reason[:200]
        record.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return record


def client_key_find(key: str) -> ClientKey | None:
    """The live key ``key`` names (with its client), or None: unknown, malformed, wrong secret, revoked, expired,
    or the client is disabled. One query, never cached."""
    match = _KEY_SHAPE.match(key or "")
    if match is None:
        return None
    record = ClientKey.objects.select_related("client").filter(prefix=match.group(1)).first()
    if record is None or not hmac.compare_digest(record.key_hash, key_digest(key)):
        return None
    if record.revoked_at is not None or record.expires_at <= timezone.now() or not record.client.is_active:
        return None
    return record


def client_query_record(*, client_id: int, key_prefix: str, method: str, endpoint: str, status_code: int,
                        client_ip: str | None, request_summary: dict[str, Any], answer_summary: dict[str, Any],
                        receipt_ids: list[str], items: int = 0) -> ClientQuery:
    """One row of a client's query log (the caller decides the transaction: an answer and its row commit
    together, or neither)."""
    return ClientQuery.objects.create(
        client_id=client_id, key_prefix=key_prefix, method=method[:8], endpoint=endpoint[:300],
        status_code=status_code, client_ip=client_ip or None, items=items, request_summary=request_summary,
        answer_summary=answer_summary, receipt_ids=[str(value)[:64] for value in receipt_ids])


# ------------------------------------------------------------------ the export

#: decision 0013: a text cell starting (after blanks) with one of these gets a leading ' in a CSV file
_FORMULA_TRIGGERS = frozenset("=+-@|%\t\r\n＝＋－＠")
CSV_COLUMNS = ["查询编号", "查询时间（北京时间）", "部门客户端", "机关统一社会信用代码", "密钥前缀", "来源 IP", "方法", "接口",
               "状态码", "序号", "核查事项", "申请主体统一社会信用代码", "相关人员身份证号（脱敏）", "答复", "回执编号"]


def csv_cell(value: Any) -> Any:
    """A value a spreadsheet cannot execute (the rule of decision 0013, as the open-data export applies it)."""
    if not isinstance(value, str):
        return value
    stripped = value.lstrip(" \u3000")
    if value and (value[0] in _FORMULA_TRIGGERS or (stripped and stripped[0] in _FORMULA_TRIGGERS)):
        return "'" + value
    return value


def client_queries(*, client_id: int, start: datetime.date, end: datetime.date):
    """A client's queries from ``start`` to ``end`` (Beijing dates, both included), oldest first."""
    if end < start:
        raise ValidationError({"end": [_("截止日期不得早于起始日期。")]})
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=BEIJING)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=BEIJING)
    return (ClientQuery.objects.filter(client_id=client_id, at__gte=since, at__lt=until)
            .select_related("client").order_by("at", "id"))


def _rows(query: ClientQuery) -> Iterator[list[Any]]:
    """One line per item asked (a batch of 1,000 is 1,000 lines), each with its answer and receipt."""
    base = [query.pk, query.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"), query.client.name,
            query.client.authority_credit_code, query.key_prefix, query.client_ip or "", query.method, query.endpoint,
            query.status_code]
    asked = (query.request_summary or {}).get("items") or [{}]
    answered = (query.answer_summary or {}).get("items") or []
    for index, item in enumerate(asked):
        answer = answered[index] if index < len(answered) else {}
        yield [*base, index + 1, item.get("question", ""), item.get("applicant_credit_code", ""),
               "、".join(item.get("persons_masked", [])), answer.get("text", (query.answer_summary or {}).get("text", "")),
               answer.get("receipt_id", "")]


def client_queries_csv(queries: Iterable[ClientQuery]) -> bytes:
    """The log as CSV (UTF-8 with BOM, so spreadsheets open the Chinese correctly); ID numbers masked."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for query in queries:
        writer.writerows([csv_cell(cell) for cell in row] for row in _rows(query))
    return ("\ufeff" + buffer.getvalue()).encode()
