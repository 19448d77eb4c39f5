"""全覆盖: how far household-service credit covers every firm and every worker (运盐政发〔2022〕16号), in SQL.

What counts (decision 0024, docs/decisions/0024-coverage-household-coverage-and-retraining.md):

* **firm** (家政服务企业): a registered entity of the household-service sector (``sector = household_service``,
  any category) that is not deregistered (存续 or 停业), in the caller's scope. A firm is counted in the district of
  its own region code.
* **firm with a credit file** (已建企业信用档案): such a firm with at least one worker on file on the day, i.e. an
  employment (从业登记) covering the day. The registry row alone is the firm's registration; the household-service
  credit file the plan asks for is the firm *with its workforce on file* (as 商务部's 家政服务信用信息平台 keeps it).
* **worker** (在职家政服务员): an employment covering the day (``started_on <= day <= ended_on``, ``ended_on`` open);
  a worker employed by two firms is counted once at each (a district's figures are the sum of its firms').
  An ended employment is not counted.
* **complete file** (档案完整): identity verified on or before the day, a passed health check covering the day
  (``checked_on <= day <= expires_on``) and 岗前培训 or 回炉培训 completed on or before the day — exactly the flags the
  居家上门服务证 shows (``entities.worker_selectors.card_state``: ``identity_verified``, ``health_check_valid``,
  ``training_done``). ``tests/entities/test_coverage.py`` holds this SQL to those functions case by case, as the
  property tests hold ``ratings.scoring_sql`` to ``ratings.engine``.
* **card issued** (已发服务证): the employment has a card issued on or before the day and not revoked by it;
  **card valid**: such a card also within its own limit and with the health check valid (``card_state`` valid).
* **health check expiring** (体检即将到期): a valid health check whose last valid day is within
  ``EXPIRING_DAYS`` (30) days: ``day <= expires_on <= day + 30``.

Every figure is one set-based statement over the firms in scope (a CTE built from the scoped queryset), whatever
the number of firms: no per-firm loop. A regulator whose account names region prefixes (its jurisdiction, as the
deadline alerts address it) sees those regions; without, the province; an inspector their regions and sectors; a
business its own firms.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.scope import region_name
from entities.models import Entity, EntityStatus, Sector
from entities.selectors import entity_scope_q
from entities.workers import TrainingKind

#: a health check whose last valid day is at most this many days ahead is listed as expiring
EXPIRING_DAYS = 30
#: the trainings that make a file complete: the same kinds as the card's "training done" flag
COMPLETING_TRAININGS = (TrainingKind.PRE_JOB.value, TrainingKind.RETRAINING.value)
#: the most gap rows one answer lists (the totals are always given)
MAX_GAP_ROWS = 500

_CITY = re.compile(r"^\d{4}(\d{2})?$")
_DISTRICT = re.compile(r"^\d{6}$")


def coverage_scope_q(user) -> Q | None:
    """The firms whose coverage the caller may read: the registry's scope, narrowed to a regulator's jurisdiction."""
    scope = entity_scope_q(user)
    codes = [code for code in (getattr(user, "region_codes", None) or []) if code]
    if scope is None and codes and not getattr(user, "is_superuser", False):
        return reduce(or_, (Q(region_code__startswith=code) for code in codes))
    return scope


@dataclass(frozen=True)
class Area:
    """The checked region filter: a city prefix (4 digits) and/or a district code (6 digits)."""

    city: str = ""
    district: str = ""


def area_filter(*, city: str = "", district: str = "") -> Area:
    """Fail closed: an unknown city or district code is a ValidationError naming its field."""
    city, district = (city or "").strip(), (district or "").strip()
    errors: dict[str, list[str]] = {}
    if city and (not _CITY.fullmatch(city) or city[2:4] == "00" or region_name(city[:4] + "00") is None):
        errors["city"] = [f"未知的地市代码 {city[:12]}：应为地市一级的行政区划代码，如 140800（运城市）。"]
    if district and (not _DISTRICT.fullmatch(district) or district.endswith("00") or region_name(district) is None):
        errors["district"] = [f"未知的县区代码 {district[:12]}：应为县（市、区）的行政区划代码，如 140802（盐湖区）。"]
    elif district and city and "city" not in errors and district[:4] != city[:4]:
        errors["district"] = ["县区不属于所选地市。"]
    if errors:
        raise ValidationError(errors)
    return Area(city=city[:4], district=district)


def firms_in_scope(user, area: Area = Area(), *, entity_ids=None) -> QuerySet[Entity]:
    """The household-service firms counted: registered, not deregistered, in the caller's scope and the area."""
    queryset = Entity.objects.filter(sector=Sector.HOUSEHOLD_SERVICE).exclude(status=EntityStatus.DEREGISTERED)
    scope = coverage_scope_q(user)
    if scope is not None:
        queryset = queryset.filter(scope)
    if area.district:
        queryset = queryset.filter(region_code=area.district)
    elif area.city:
        queryset = queryset.filter(region_code__startswith=area.city)
    if entity_ids is not None:
        queryset = queryset.filter(pk__in=entity_ids)
    return queryset


# ------------------------------------------------------------------ the statement's common part

_NAMED = re.compile(r"%\((\w+)\)s")

#: the workers of the firms in scope on the day, each with the file's flags (the same as the card's)
_WORKERS = """
emp AS (
    SELECT e.id, e.entity_id, e.person_id
    FROM entities_employment e JOIN firms f ON f.id = e.entity_id
    WHERE e.started_on <= %(day)s AND (e.ended_on IS NULL OR e.ended_on >= %(day)s)
),
people AS (SELECT DISTINCT person_id FROM emp),
verified AS (
    SELECT DISTINCT v.person_id FROM entities_identityverification v JOIN people p ON p.person_id = v.person_id
    WHERE v.verified_on <= %(day)s
),
health AS (
    SELECT h.person_id, max(h.expires_on) AS expires_on
    FROM entities_healthcheck h JOIN people p ON p.person_id = h.person_id
    WHERE h.passed AND h.checked_on <= %(day)s AND h.expires_on >= %(day)s
    GROUP BY h.person_id
),
trained AS (
    SELECT DISTINCT t.person_id FROM entities_trainingrecord t JOIN people p ON p.person_id = t.person_id
    WHERE t.kind = ANY(%(kinds)s) AND t.completed_on <= %(day)s
),
carded AS (
    SELECT c.employment_id, bool_or(c.expires_on IS NULL OR c.expires_on >= %(day)s) AS in_date
    FROM entities_servicecard c JOIN emp ON emp.id = c.employment_id
    WHERE c.issued_on <= %(day)s AND (c.revoked_on IS NULL OR c.revoked_on > %(day)s)
    GROUP BY c.employment_id
),
workers AS (
    SELECT emp.id AS employment_id, emp.entity_id, emp.person_id,
           verified.person_id IS NOT NULL AS identity_ok,
           health.person_id IS NOT NULL AS health_ok,
           health.expires_on AS health_expires_on,
           trained.person_id IS NOT NULL AS training_ok,
           carded.employment_id IS NOT NULL AS card_held,
           coalesce(carded.in_date, false) AND health.person_id IS NOT NULL AS card_valid
    FROM emp
    LEFT JOIN verified ON verified.person_id = emp.person_id
    LEFT JOIN health ON health.person_id = emp.person_id
    LEFT JOIN trained ON trained.person_id = emp.person_id
    LEFT JOIN carded ON carded.employment_id = emp.id
),
firm_rows AS (
    SELECT f.id, f.region_code, f.name, f.credit_code,
           count(w.employment_id) AS workers,
           count(*) FILTER (WHERE w.identity_ok) AS identity_verified,
           count(*) FILTER (WHERE w.health_ok) AS health_valid,
           count(*) FILTER (WHERE w.training_ok) AS training_done,
           count(*) FILTER (WHERE w.identity_ok AND w.health_ok AND w.training_ok) AS complete,
           count(*) FILTER (WHERE w.card_held) AS cards_issued,
           count(*) FILTER (WHERE w.card_valid) AS cards_valid,
           count(*) FILTER (WHERE w.health_ok AND w.health_expires_on <= %(soon)s) AS health_expiring
    FROM firms f LEFT JOIN workers w ON w.entity_id = f.id
    GROUP BY f.id, f.region_code, f.name, f.credit_code
)
"""

COUNT_FIELDS = ("workers", "identity_verified", "health_valid", "training_done", "complete", "cards_issued",
                "cards_valid", "health_expiring")


def _statement(firms: QuerySet, tail: str, *, day: datetime.date, **named: Any) -> tuple[str, list[Any]]:
    """``WITH firms AS (<scoped queryset>), <the workers' part> <tail>`` with its parameters in order."""
    firms_sql, firms_params = firms.order_by().values("id", "region_code", "name", "credit_code").query \
        .sql_with_params()
    values = {"day": day, "soon": day + datetime.timedelta(days=EXPIRING_DAYS), "kinds": list(COMPLETING_TRAININGS),
              **named}
    params: list[Any] = []

    def positional(match: re.Match) -> str:
        params.append(values[match.group(1)])
        return "%s"

    body = _NAMED.sub(positional, _WORKERS + tail)
    return f"WITH firms (id, region_code, name, credit_code) AS ({firms_sql}), {body}", [*firms_params, *params]


def _rows(sql: str, params: list[Any]) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def share(part: int, whole: int) -> float | None:
    """A share rounded to four places (0.8333), None when there is nothing to share."""
    return round(part / whole, 4) if whole else None


def _with_shares(row: dict[str, Any]) -> dict[str, Any]:
    workers = row["workers"]
    for name in ("identity_verified", "health_valid", "training_done", "complete", "cards_issued", "cards_valid"):
        row[f"{name}_share"] = share(row[name], workers)
    if "firms" in row:
        row["firms_with_file_share"] = share(row["firms_with_file"], row["firms"])
        row["firms_complete_share"] = share(row["firms_complete"], row["firms"])
    row["region_name"] = region_name(row["region_code"]) or ""
    return row


# ------------------------------------------------------------------ the figures


def district_coverage(user, area: Area = Area(), *, day: datetime.date | None = None) -> list[dict[str, Any]]:
    """One row per district (the firms' region codes) in scope: firms, firms with a file, fully covered firms,
    workers, each flag's count and share, cards issued and valid. One statement."""
    day = day or timezone.localdate()
    counts = ", ".join(f"sum({name})::bigint AS {name}" for name in COUNT_FIELDS)
    sql, params = _statement(firms_in_scope(user, area), f"""
        SELECT region_code, count(*) AS firms,
               count(*) FILTER (WHERE workers > 0) AS firms_with_file,
               count(*) FILTER (WHERE workers > 0 AND complete = workers) AS firms_complete,
               count(*) FILTER (WHERE workers = 0 OR complete < workers) AS firms_with_gaps,
               {counts}
        FROM firm_rows GROUP BY region_code ORDER BY region_code""", day=day)  # noqa: S608  # nosec B608 - constants only
    return [_with_shares(row) for row in _rows(sql, params)]


def coverage_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The districts' rows summed (the whole of the caller's area), with the same shares."""
    names = ("firms", "firms_with_file", "firms_complete", "firms_with_gaps", *COUNT_FIELDS)
    total = {name: sum(row[name] for row in rows) for name in names}
    total["region_code"] = ""
    row = _with_shares(total)
    row["region_name"] = "合计"
    return row


@dataclass(frozen=True)
class FirmPage:
    count: int
    number: int
    rows: list[dict[str, Any]]


def firm_coverage(user, area: Area = Area(), *, day: datetime.date | None = None, number: int = 1, size: int = 50,
                  entity_ids=None) -> FirmPage | None:
    """One page of per-firm rows (district, then name), the total in the same statement; None past the last page."""
    day = day or timezone.localdate()
    sql, params = _statement(firms_in_scope(user, area, entity_ids=entity_ids), """
        SELECT *, count(*) OVER () AS total FROM firm_rows ORDER BY region_code, name, id
        LIMIT %(limit)s OFFSET %(offset)s""", day=day, limit=size, offset=(number - 1) * size)
    rows = _rows(sql, params)
    if not rows and number > 1:
        return None
    count = rows[0].pop("total") if rows else 0
    for row in rows[1:]:
        row.pop("total")
    for row in rows:
        row["firm_with_file"] = row["workers"] > 0
        row["fully_covered"] = row["workers"] > 0 and row["complete"] == row["workers"]
    return FirmPage(count=count, number=number, rows=[_with_shares(row) for row in rows])


def firm_gaps(user, area: Area = Area(), *, day: datetime.date | None = None, limit: int = 100
              ) -> tuple[int, list[dict[str, Any]]]:
    """Firms whose workers lack files: no worker on file at all, or workers with an incomplete file (what each
    lacks, counted). Firms with the most missing first. One statement; (total, the first ``limit`` rows)."""
    day = day or timezone.localdate()
    sql, params = _statement(firms_in_scope(user, area), """
        SELECT id, region_code, name, credit_code, workers, complete, workers - complete AS incomplete,
               workers - identity_verified AS missing_identity, workers - health_valid AS missing_health,
               workers - training_done AS missing_training, workers = 0 AS no_workers,
               count(*) OVER () AS total
        FROM firm_rows WHERE workers = 0 OR complete < workers
        ORDER BY workers = 0, workers - complete DESC, region_code, name, id LIMIT %(limit)s""",
        day=day, limit=limit)
    rows = _rows(sql, params)
    total = rows[0]["total"] if rows else 0
    for row in rows:
        row.pop("total")
        row["region_name"] = region_name(row["region_code"]) or ""
    return total, rows


#: what a worker's file lacks, in words (pages)
MISSING_LABELS = {"identity": "身份未核验", "health": "无有效健康体检", "training": "未完成岗前或回炉培训"}


def worker_gaps(user, area: Area = Area(), *, day: datetime.date | None = None, limit: int = 100,
                entity_ids=None, expiring_only: bool = False) -> tuple[int, list[dict[str, Any]]]:
    """Workers (per employment) whose file is incomplete or whose health check expires within 30 days: firm,
    worker (name and masked ID), what the file lacks, the health check's last valid day. One statement."""
    day = day or timezone.localdate()
    condition = ("w.health_ok AND w.health_expires_on <= %(soon)s" if expiring_only else
                 "NOT (w.identity_ok AND w.health_ok AND w.training_ok) OR w.health_expires_on <= %(soon)s")
    sql, params = _statement(firms_in_scope(user, area, entity_ids=entity_ids), f"""
        SELECT w.employment_id, w.entity_id, f.name AS entity_name, f.region_code, w.person_id,
               p.name AS person_name, p.id_number_masked, w.identity_ok, w.health_ok, w.training_ok,
               w.health_expires_on, w.card_valid, count(*) OVER () AS total
        FROM workers w JOIN firms f ON f.id = w.entity_id JOIN entities_person p ON p.id = w.person_id
        WHERE {condition}
        ORDER BY w.health_expires_on NULLS FIRST, f.name, p.name, w.employment_id LIMIT %(limit)s""",  # noqa: S608  # nosec B608
        day=day, limit=limit)
    rows = _rows(sql, params)
    total = rows[0]["total"] if rows else 0
    for row in rows:
        row.pop("total")
        row["missing"] = [name for name, ok in (("identity", row["identity_ok"]), ("health", row["health_ok"]),
                                                 ("training", row["training_ok"])) if not ok]
        row["health_expiring"] = bool(row["health_ok"] and row["health_expires_on"] is not None
                                      and row["health_expires_on"] <= day + datetime.timedelta(days=EXPIRING_DAYS))
        row["days_left"] = (row["health_expires_on"] - day).days if row["health_expires_on"] else None
        row["region_name"] = region_name(row["region_code"]) or ""
    return total, rows


def worker_flags(user, *, day: datetime.date, entity_ids=None) -> dict[int, dict[str, Any]]:
    """Every worker (per employment) in scope with the file's flags, straight from the statement's ``workers`` part:
    what the test holds to the card's own functions (``entities.worker_selectors``)."""
    sql, params = _statement(firms_in_scope(user, entity_ids=entity_ids), """
        SELECT employment_id, identity_ok, health_ok, training_ok, health_expires_on, card_held, card_valid
        FROM workers ORDER BY employment_id""", day=day)
    return {row.pop("employment_id"): row for row in _rows(sql, params)}
