"""Set-based scoring: the engine's arithmetic in one SQL statement over a range of entities.

Used by the full recompute (chunks of entity-id ranges, fanned out as Celery
tasks) and by the incremental rescore (a range of one). It writes the current
score with its breakdown and a history row where the score or grade changed.
Idempotent: the same evidence, model and ``as_of`` give the same rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction

_SCORE_SQL = """
WITH pts(rule, points, cap_count) AS (
    SELECT * FROM unnest(%(rules)s::text[], %(points)s::int[], %(caps)s::int[])
),
ents AS (
    SELECT e.id AS entity_id,
           LEAST((e.created_at AT TIME ZONE 'Asia/Shanghai')::date,
                 (SELECT min(l.issued_on) FROM entities_licence l WHERE l.entity_id = e.id)) AS operating_since
    FROM entities_entity e
    WHERE e.id BETWEEN %(first_id)s AND %(last_id)s
),
ev AS (
    SELECT ce.id, ce.entity_id, ce.source_type, ce.source_id, ce.rule, p.points AS base_points, p.cap_count,
           ce.occurred_on,
           COALESCE(ce.ends_on, ce.occurred_on + CASE ce.publicity WHEN 'serious' THEN %(serious_days)s
                                                                   ELSE %(general_days)s END) AS expires_on
    FROM ratings_creditevent ce
    JOIN pts p ON p.rule = ce.rule
    WHERE ce.entity_id BETWEEN %(first_id)s AND %(last_id)s AND ce.occurred_on <= %(as_of)s
),
capped AS (
    SELECT ev.*, row_number() OVER (
               PARTITION BY entity_id, rule, date_part('year', occurred_on) ORDER BY occurred_on, id) AS nth
    FROM ev WHERE cap_count IS NOT NULL
),
live AS (
    SELECT id, entity_id, source_type, source_id, rule, base_points, occurred_on, expires_on
    FROM ev WHERE cap_count IS NULL AND expires_on > %(as_of)s
    UNION ALL
    SELECT id, entity_id, source_type, source_id, rule, base_points, occurred_on, expires_on
    FROM capped WHERE nth <= cap_count AND expires_on > %(as_of)s
),
lines AS (
    SELECT id, entity_id, source_type, source_id, rule, base_points, occurred_on, expires_on,
           CASE WHEN %(as_of)s - occurred_on <= %(full_days)s THEN 1::numeric
                ELSE (expires_on - %(as_of)s)::numeric / (expires_on - occurred_on - %(full_days)s) END AS weight,
           CASE WHEN %(as_of)s - occurred_on <= %(full_days)s THEN base_points
                ELSE round((base_points * (expires_on - %(as_of)s))::numeric
                           / (expires_on - occurred_on - %(full_days)s))::int END AS points
    FROM live
),
recent AS (
    SELECT DISTINCT entity_id FROM ev
    WHERE rule = 'complaint_substantiated' AND occurred_on > %(clean_since)s
),
bonus AS (
    SELECT ents.entity_id, 'condition'::text AS source_type, NULL::bigint AS source_id, %(bonus_rule)s::text AS rule,
           %(bonus_points)s::int AS base_points, %(as_of)s::date AS occurred_on, NULL::date AS expires_on,
           1::numeric AS weight, %(bonus_points)s::int AS points
    FROM ents
    WHERE %(bonus_points)s <> 0 AND ents.operating_since <= %(clean_since)s
      AND ents.entity_id NOT IN (SELECT entity_id FROM recent)
),
all_lines AS (
    SELECT entity_id, source_type, source_id, rule, base_points, occurred_on, expires_on, weight, points, id AS ord
    FROM lines
    UNION ALL
    SELECT entity_id, source_type, source_id, rule, base_points, occurred_on, expires_on, weight, points,
           9223372036854775807 AS ord
    FROM bonus
),
agg AS (
    SELECT ents.entity_id,
           %(base)s + COALESCE(sum(al.points), 0) AS raw,
           COALESCE(bool_or(al.rule = ANY(%(override_rules)s::text[])), false) AS overridden,
           COALESCE(jsonb_agg(jsonb_build_object(
               'source_type', al.source_type, 'source_id', al.source_id, 'rule', al.rule,
               'base_points', al.base_points, 'weight', round(al.weight, 4), 'points', al.points,
               'occurred_on', al.occurred_on, 'expires_on', al.expires_on)
               ORDER BY al.occurred_on, al.ord) FILTER (WHERE al.entity_id IS NOT NULL), '[]'::jsonb) AS lines
    FROM ents LEFT JOIN all_lines al ON al.entity_id = ents.entity_id
    GROUP BY ents.entity_id
),
clamped AS (
    SELECT agg.*, LEAST(1000, GREATEST(0, raw)) AS bounded FROM agg
),
final AS (
    SELECT c.*,
           CASE WHEN overridden THEN LEAST(bounded, %(override_ceiling)s) ELSE bounded END AS score
    FROM clamped c
),
graded AS (
    SELECT f.*,
           CASE WHEN overridden AND %(override_grade)s::text IS NOT NULL THEN %(override_grade)s::text
                WHEN score >= %(grade_a)s THEN 'A' WHEN score >= %(grade_b)s THEN 'B'
                WHEN score >= %(grade_c)s THEN 'C' ELSE 'D' END AS grade,
           CASE WHEN score = raw THEN lines
                ELSE lines || jsonb_build_array(jsonb_build_object(
                    'source_type', 'adjustment', 'source_id', NULL,
                    'rule', CASE WHEN score < bounded THEN %(override_reason)s::text ELSE 'clamp' END,
                    'base_points', 0, 'weight', 1, 'points', score - raw,
                    'occurred_on', NULL, 'expires_on', NULL)) END AS breakdown
    FROM final f
),
upserted AS (
    INSERT INTO ratings_creditscore (entity_id, score, grade, base, model_version, as_of, breakdown, computed_at)
    SELECT entity_id, score, grade, %(base)s, %(version)s, %(as_of)s, breakdown, now() FROM graded
    ON CONFLICT (entity_id) DO UPDATE SET
        score = EXCLUDED.score, grade = EXCLUDED.grade, base = EXCLUDED.base,
        model_version = EXCLUDED.model_version, as_of = EXCLUDED.as_of, breakdown = EXCLUDED.breakdown,
        computed_at = EXCLUDED.computed_at
    RETURNING entity_id, score, grade
),
previous AS (
    SELECT cs.entity_id, cs.score, cs.grade, cs.model_version FROM ratings_creditscore cs
    WHERE cs.entity_id BETWEEN %(first_id)s AND %(last_id)s
),
history AS (
    INSERT INTO ratings_creditscorehistory (entity_id, score, grade, model_version, as_of, computed_at)
    SELECT u.entity_id, u.score, u.grade, %(version)s, %(as_of)s, now()
    FROM upserted u LEFT JOIN previous p ON p.entity_id = u.entity_id
    WHERE p.entity_id IS NULL OR p.score <> u.score OR p.grade <> u.grade OR p.model_version <> %(version)s
    RETURNING 1
)
SELECT (SELECT count(*) FROM upserted), (SELECT count(*) FROM history)
"""


def _params(rules: dict[str, Any], version: int, as_of: datetime.date, first_id: int, last_id: int) -> dict[str, Any]:
    points: dict[str, int] = rules["points"]
    caps: dict[str, int] = rules.get("yearly_caps", {})
    names = sorted(points)
    overrides: dict[str, str] = rules.get("overrides", {})
    # One forced grade is supported in SQL (the default: black listing forces D), the strictest one wins.
    forced = max(overrides.values(), key="ABCD".index) if overrides else None
    ceiling = 1000
    if forced and forced != "A":
        ceiling = rules["grades"]["ABCD"["ABCD".index(forced) - 1]] - 1
    return {
        "rules": names,
        "points": [points[name] for name in names],
        "caps": [caps[name] // abs(points[name]) if name in caps and points[name] else None for name in names],
        "first_id": first_id,
        "last_id": last_id,
        "as_of": as_of,
        "full_days": rules["full_weight_days"],
        "general_days": rules["publicity_days"]["general"],
        "serious_days": rules["publicity_days"]["serious"],
        "clean_since": as_of - datetime.timedelta(days=rules["clean_record_days"]),
        "bonus_rule": "no_complaints_12m",
        "bonus_points": points.get("no_complaints_12m", 0),
        "base": rules["base"],
        "override_rules": sorted(overrides),
        "override_ceiling": ceiling,
        "override_grade": forced,
        "override_reason": "override_" + "_".join(sorted(overrides)) if overrides else "override",
        "grade_a": rules["grades"]["A"],
        "grade_b": rules["grades"]["B"],
        "grade_c": rules["grades"]["C"],
        "version": version,
    }


def score_range(*, rules: dict[str, Any], version: int, as_of: datetime.date, first_id: int,
                last_id: int) -> tuple[int, int]:
    """Score every entity with ``first_id <= id <= last_id``; returns (scored, history rows written)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SCORE_SQL, _params(rules, version, as_of, first_id, last_id))
        scored, changed = cursor.fetchone()
    return scored, changed
