"""Synthetic household-service orders and reviews (家政服务评价) and complaint satisfaction (满意在山西), COPYed in bulk.

Run after :func:`regulator.demo.synthetic.generate` over the workers it wrote: about 2 orders per employment, 60 %
of them reviewed, most reviews published (some pending, a few rejected, some with a published reply); and a
satisfaction rating for about 30 % of the closed complaints it wrote. Like ``generate`` it bypasses the audit
triggers (``session_replication_role = replica``: run as the owner role, as ``generate_data`` is). The customers'
phones are made up and only their keyed hash is written; each link token is random and only its hash written.

``generate_data`` calls it so::

    marks = review_marks()                 # before the batches
    ...                                    # the batches of generate()
    synthetic_reviews(seed=seed, since=marks)
"""

from __future__ import annotations

import datetime
import hashlib
import json
import random
import secrets
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from entities.review_services import customer_phone_hash
from entities.workers import Employment
from regulator.demo.synthetic import _Copy, _Ids

BEIJING = ZoneInfo("Asia/Shanghai")
ORDERS_PER_WORKER = (1, 3)  # about 2
REVIEWED_SHARE = 0.6
RATINGS = [(5, 0.5), (4, 0.3), (3, 0.12), (2, 0.05), (1, 0.03)]
KINDS = ["childcare", "elderly_care", "cleaning", "maternity", "cooking", "other"]
COMMENTS = ["服务认真细致，准时到达。", "阿姨很有耐心，孩子很喜欢。", "打扫得很干净。", "做饭口味不错。", "", "",
            "态度一般，还算可以。", "迟到了半小时。", "合成数据：服务满意。"]
REPLIES = ["感谢您的评价，我们会继续努力。", "已对服务员进行回炉培训，感谢反馈。"]

TABLES = {
    "entities_serviceorder": ["id", "entity_id", "employment_id", "worker_id", "service_kind", "served_on",
                              "reference", "customer_phone_hash", "link_channels", "link_digest", "link_expires_at",
                              "link_sent_at", "link_used_at", "recorded_by_id", "created_at", "updated_at"],
    "entities_servicereview": ["id", "order_id", "rating", "comment", "status", "comment_published",
                               "rejection_reason", "moderated_by_id", "moderated_at", "reply", "reply_status",
                               "reply_published", "replied_at", "reply_rejection_reason", "reply_moderated_at",
                               "submitted_at", "updated_at"],
}


@dataclass
class ReviewCounts:
    orders: int = 0
    reviews: int = 0
    published: int = 0
    satisfaction: int = 0


def review_marks() -> dict[str, int]:
    """The highest employment and complaint ids now: what a later :func:`synthetic_reviews` leaves alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT COALESCE(max(id), 0) FROM entities_employment), "
                       "(SELECT COALESCE(max(id), 0) FROM complaints_complaint)")
        employment, complaint = cursor.fetchone()
    return {"employment": employment, "complaint": complaint}


def _rating(rng: random.Random) -> int:
    roll, acc = rng.random(), 0.0
    for value, share in RATINGS:
        acc += share
        if roll < acc:
            return value
    return RATINGS[-1][0]


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 12, 0, tzinfo=BEIJING)


def synthetic_reviews(*, seed: int = 2026, since: dict[str, int] | None = None,
                      as_of: datetime.date | None = None) -> ReviewCounts:
    """Orders and reviews for the employments written after ``since`` (all when None), and complaint ratings."""
    rng = random.Random(seed)
    today = as_of or timezone.localdate()
    now = timezone.now()
    marks = since or {"employment": 0, "complaint": 0}
    counts = ReviewCounts()
    employments = (Employment.objects.filter(pk__gt=marks["employment"]).order_by("id")
                   .values_list("id", "entity_id", "person_id", "started_on", "ended_on"))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # synthetic, not evidence
        ids = {table: _Ids(table) for table in TABLES}
        raw = connection.connection.cursor()
        streams = {table: _Copy(raw, table, columns) for table, columns in TABLES.items()}
        for employment_id, entity_id, person_id, started, ended in employments.iterator(chunk_size=5000):
            first = max(started, today - datetime.timedelta(days=365))
            last = min(ended or today, today)
            if last < first:
                continue
            for _ in range(rng.randint(*ORDERS_PER_WORKER)):
                served = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
                created = min(now, _noon(served) + datetime.timedelta(hours=6))
                reviewed = rng.random() < REVIEWED_SHARE
                submitted = min(now, _noon(served) + datetime.timedelta(days=rng.randint(1, 5)))
                if submitted <= created:
                    reviewed = False
                order_id = ids["entities_serviceorder"].take()
                phone = f"139{rng.randrange(10**8):08d}"
                digest = hashlib.sha256(secrets.token_urlsafe(24).encode()).hexdigest()
                streams["entities_serviceorder"].row((
                    order_id, entity_id, employment_id, person_id, rng.choice(KINDS), served, "",
                    customer_phone_hash(phone), json.dumps(["sms"]), digest,
                    created + datetime.timedelta(days=30), created, submitted if reviewed else None, None, created,
                    submitted if reviewed else created))
                counts.orders += 1
                if not reviewed:
                    continue
                roll = rng.random()
                status = "published" if roll < 0.85 else "pending" if roll < 0.95 else "rejected"
                comment = rng.choice(COMMENTS)
                moderated = min(now, submitted + datetime.timedelta(days=1)) if status != "pending" else None
                replied = status == "published" and rng.random() < 0.2
                streams["entities_servicereview"].row((
                    ids["entities_servicereview"].take(), order_id, _rating(rng), comment, status,
                    comment if status == "published" else "", "合成数据：与服务无关" if status == "rejected" else "",
                    None, moderated, rng.choice(REPLIES) if replied else "", "published" if replied else "none",
                    "" if not replied else REPLIES[0], moderated if replied else None, "",
                    moderated if replied else None, submitted, moderated or submitted))
                counts.reviews += 1
                counts.published += status == "published"
        for stream in streams.values():
            stream.close()
        for table_ids in ids.values():
            table_ids.sync_sequence()
        with connection.cursor() as cursor:
            # about 3 in 10 closed complaints rated, chosen and scored by a hash of the id (repeatable)
            cursor.execute("""
                INSERT INTO complaints_complaintsatisfaction (complaint_id, rating, comment, status_when_rated,
                                                               rated_at)
                SELECT c.id,
                       CASE WHEN (c.id * 7919) %% 100 < 45 THEN 5 WHEN (c.id * 7919) %% 100 < 75 THEN 4
                            WHEN (c.id * 7919) %% 100 < 87 THEN 3 WHEN (c.id * 7919) %% 100 < 95 THEN 2 ELSE 1 END,
                       '', c.status,
                       LEAST(now(), ((c.resolved_on + 3)::timestamp + interval '12 hours') AT TIME ZONE 'Asia/Shanghai')
                FROM complaints_complaint c
                WHERE c.id > %(since)s AND c.status = 'closed' AND c.resolved_on IS NOT NULL
                  AND (c.id * 2654435761) %% 10 < 3
                  AND NOT EXISTS (SELECT 1 FROM complaints_complaintsatisfaction s WHERE s.complaint_id = c.id)""",
                           {"since": marks["complaint"]})
            counts.satisfaction = cursor.rowcount
    return counts
