"""A realistic synthetic province for scale tests: ``manage.py generate_data --entities N``.

Writes entities, persons, roles, licences, complaints, inspections, findings
and the credit events derived from them with PostgreSQL COPY. Every code is
valid (python-stdnum check digits), names get their search keys, ID numbers
only their keyed hash and masked form. Deterministic for a given seed.

Proportions per entity (averages): 2 legal/principal persons, 1.2 licences,
10 complaints (about 30 % substantiated or mediated), 4 inspections and 5
findings, giving about 20 credit events. Each household-service firm also
employs about 5 workers (家政服务员信用档案): an employment (about 1 in 6 ended),
an identity verification, a health check (about 1 in 10 lapsed), pre-job
training (and 回炉 retraining for some) and a 居家上门服务证 for those in post.
"""

from __future__ import annotations

import datetime
import json
import random
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from complaints.models import ViolationType
from core.models import User, UserRole
from entities import codes, searchkeys
from entities.models import Entity, Person
from entities.services import id_number_hash
from entities.validators import mask_id_number
from entities.workers import new_card_code
from regulator.demo.data import CATEGORY_PLAN, CITIES, CITY_SIGHTS, GIVEN, SURNAMES, WORDS
from regulator.lists.documents import routes_text
from regulator.lists.rules import (
    appeal_routes,
    legal_basis,
    measures_for,
    objection_working_days,
    period_days,
)
from regulator.lists.selectors import rule_set_on

SEVERITIES = [("minor", 0.35), ("general", 0.40), ("serious", 0.20), ("grave", 0.05)]
PENALTY_BY_SEVERITY = {
    "minor": [("none", 0.7), ("warning", 0.3)],
    "general": [("none", 0.3), ("warning", 0.4), ("fine", 0.3)],
    "serious": [("warning", 0.1), ("fine", 0.6), ("suspension", 0.3)],
    "grave": [("fine", 0.3), ("suspension", 0.4), ("revocation", 0.3)],
}
COMPLAINT_CATEGORIES = ["service_quality", "forced_shopping", "contract", "false_advertising", "price", "safety", "other"]
EXTRA_WORDS = "晋华鑫隆盛源通达和泰祥瑞丰安康宁远宏兴嘉禾锦程恒昌德顺佳美"


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


@dataclass
class Counts:
    entities: int = 0
    persons: int = 0
    roles: int = 0
    licences: int = 0
    complaints: int = 0
    inspections: int = 0
    findings: int = 0
    listings: int = 0
    events: int = 0
    workers: int = 0
    health_checks: int = 0
    trainings: int = 0
    cards: int = 0


class _Ids:
    """Explicit ids so children can be COPYed in the same pass as their parents."""

    def __init__(self, table: str):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(max(id), 0) FROM {table}")  # noqa: S608  # nosec B608 - our table names
            self.next = cursor.fetchone()[0] + 1
        self.table = table

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value

    def sync_sequence(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [self.table, max(self.next - 1, 1)])


class _Copy:
    """Rows buffered per table, then written with one COPY per table (a connection runs one COPY at a time)."""

    def __init__(self, raw_cursor, table: str, columns: list[str]):
        self._cursor = raw_cursor
        self._sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self._rows: list[tuple] = []

    def row(self, values: tuple) -> None:
        self._rows.append(values)

    def close(self) -> None:
        with self._cursor.copy(self._sql) as copy:
            for values in self._rows:
                copy.write_row(values)
        self._rows.clear()


TABLES = {
    "entities_entity": ["id", "credit_code", "name", "sector", "category", "region_code", "address", "status",
                        "search_vector", "created_at", "updated_at"],
    "entities_person": ["id", "name", "id_hash", "id_number_masked", "search_vector", "created_at", "updated_at"],
    "entities_personrole": ["id", "entity_id", "person_id", "role", "started_on", "ended_on", "created_at",
                            "updated_at"],
    "entities_licence": ["id", "entity_id", "licence_type", "number", "issued_on", "expires_on", "status",
                         "created_at", "updated_at"],
    "complaints_complaint": [
        "id", "entity_id", "category", "description", "channel", "complainant_name", "complainant_phone",
        "complainant_count", "representatives", "incident_date", "received_on", "tracking_code", "status",
        "outcome", "resolution", "rejection_reason", "late_filing", "late_filing_overridden", "accept_due",
        "resolve_due", "accepted_on", "resolved_on", "business_response", "overdue", "created_at", "updated_at",
        # the respondent (a registered entity here: its region and sector scope the complaint) and the
        # procedure's other NOT NULL columns; a mediated complaint carries the agreement both sides signed
        "respondent_kind", "operator_name", "operator_address", "operator_phone", "operator_details", "person_name",
        "person_role", "person_card_number", "region_code", "sector", "rejection_ground", "transferred_to",
        "transferred_contact", "notice_overdue", "reply_overdue", "mediation_result", "mediation_terms",
        "mediation_complainant_signed_on", "mediation_respondent_signed_on", "mediation_termination_reason"],
    "complaints_inspection": ["id", "entity_id", "inspector_id", "inspected_on", "kind", "summary", "created_at",
                              "updated_at"],
    "complaints_finding": ["id", "inspection_id", "violation_type_id", "severity", "description", "penalty",
                           "fine_amount", "decision_number", "decided_on", "rectify_by", "rectified_on",
                           "created_at", "updated_at"],
    "regulator_listing": ["id", "list_type", "subject_type", "entity_id", "person_id", "related_entity_id",
                          "person_role", "reason", "legal_basis", "source_type", "source_id", "source_rule", "status",
                          "rule_set_id", "period_days", "notified_on", "objection_due", "decided_on",
                          "decision_number", "measures", "appeal_routes", "published_on", "expires_on", "ended_on",
                          "end_reason", "source_authority", "source_reference", "created_at", "updated_at",
                          # the decision as the rule set frames it: the window it gave, the catalogue's measures
                          "objection_days", "measure_codes", "set_aside_grounds"],
    "ratings_creditevent": ["entity_id", "source_type", "source_id", "rule", "occurred_on", "publicity", "ends_on",
                            "note", "created_at"],
    # 家政服务员信用档案 (entities.workers): recorded by the firm itself, no account
    "entities_employment": ["id", "entity_id", "person_id", "started_on", "ended_on", "position",
                            "recorded_by_entity_id", "recorded_by_id", "created_at", "updated_at"],
    "entities_identityverification": ["id", "person_id", "verified_on", "method", "verifier_name",
                                      "recorded_by_entity_id", "recorded_by_id", "created_at", "updated_at"],
    "entities_healthcheck": ["id", "person_id", "checked_on", "expires_on", "passed", "institution",
                             "certificate_number", "recorded_by_entity_id", "recorded_by_id", "created_at",
                             "updated_at"],
    "entities_trainingrecord": ["id", "person_id", "kind", "provider", "hours", "completed_on", "certificate_number",
                                "recorded_by_entity_id", "recorded_by_id", "created_at", "updated_at"],
    "entities_servicecard": ["id", "code", "employment_id", "issued_on", "expires_on", "revoked_on", "revoked_reason",
                             "issued_by_id", "revoked_by_id", "created_at", "updated_at"],
}
WORKERS_PER_FIRM = (3, 7)  # about 5
POSITIONS = ["育婴员", "养老护理员", "家庭保洁", "母婴护理", "家庭烹饪"]


@dataclass
class Seen:
    """Codes already in the database or written by an earlier batch: unique columns stay unique."""

    credit_codes: set[str]
    id_hashes: set[str]

    @classmethod
    def from_database(cls) -> Seen:
        return cls(set(Entity.objects.values_list("credit_code", flat=True)),
                   set(Person.objects.values_list("id_hash", flat=True)))


def generate(*, entities: int, seed: int = 2026, as_of: datetime.date | None = None,
             progress: Callable[[int], None] | None = None, seen: Seen | None = None) -> Counts:
    """Write ``entities`` synthetic businesses and everything hanging off them; returns what was written."""
    rng = random.Random(seed)
    today = as_of or timezone.localdate()
    now = timezone.now()
    counts = Counts()
    violations = list(ViolationType.objects.values_list("id", "sector", "name"))
    inspector, _ = User.objects.get_or_create(
        username="synthetic-inspector", defaults={"role": UserRole.INSPECTOR, "region_codes": ["14"],
                                                  "sectors": ["tourism", "exhibition", "wellness", "household_service"]})
    categories = list(CATEGORY_PLAN)
    rule_set = rule_set_on(today)
    seen = seen or Seen.from_database()
    seen_codes, seen_people = seen.credit_codes, seen.id_hashes

    with transaction.atomic():
        with connection.cursor() as cursor:
            # Synthetic data for scale tests is not evidence: it bypasses the audit triggers (superuser only).
            cursor.execute("SET LOCAL session_replication_role = replica")
        ids = {table: _Ids(table) for table in TABLES if table != "ratings_creditevent"}
        raw = connection.connection.cursor()
        streams = {table: _Copy(raw, table, columns) for table, columns in TABLES.items()}

        def event(entity_id, source_type, source_id, rule, occurred, publicity="general", note=""):
            streams["ratings_creditevent"].row(
                (entity_id, source_type, source_id, rule, occurred, publicity, None, note[:200], now))
            counts.events += 1

        for n in range(entities):
            city, city_code, district = CITIES[rng.randrange(len(CITIES))]
            category = categories[rng.randrange(len(categories))]
            sector, pattern, licence_type = CATEGORY_PLAN[category]
            region = district if rng.random() < 0.6 else city_code
            code = codes.credit_code(region, rng)
            while code in seen_codes:
                code = codes.credit_code(region, rng)
            seen_codes.add(code)
            word = rng.choice(WORDS) if rng.random() < 0.5 else rng.choice(EXTRA_WORDS) + rng.choice(EXTRA_WORDS)
            name = pattern.format(city=city, word=word, sight=rng.choice(CITY_SIGHTS[city]))
            if rng.random() < 0.7:
                name = name.replace("有限公司", f"{rng.choice('一二三四五六七八九')}分公司") if "有限公司" in name else f"{name}{n}"
            eid = ids["entities_entity"].take()
            status = "active" if rng.random() < 0.95 else rng.choice(["suspended", "deregistered"])
            streams["entities_entity"].row((
                eid, code, name, sector, category, region, f"山西省{city}市某路{rng.randint(1, 500)}号", status,
                searchkeys.tsvector_literal(searchkeys.name_keys(name) + searchkeys.name_keys(code)), now, now))
            counts.entities += 1

            founded = today - datetime.timedelta(days=rng.randint(200, 4000))
            lid = ids["entities_licence"].take()
            streams["entities_licence"].row((lid, eid, licence_type, f"SYN-{eid:07d}", founded, None, "active", now, now))
            counts.licences += 1

            legal_person_id = None
            people = [("legal_representative", 1), ("principal", 0.5)]
            for role, howmany in people:
                for _ in range(int(howmany) if howmany >= 1 else (1 if rng.random() < howmany else 0)):
                    birth = datetime.date(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
                    number = codes.id_number(city_code, birth, rng)
                    digest = id_number_hash(number)
                    if digest in seen_people:
                        continue
                    seen_people.add(digest)
                    pid = ids["entities_person"].take()
                    person_name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
                    streams["entities_person"].row((
                        pid, person_name, digest, mask_id_number(number),
                        searchkeys.tsvector_literal(searchkeys.name_keys(person_name)), now, now))
                    streams["entities_personrole"].row((ids["entities_personrole"].take(), eid, pid, role, founded,
                                                        None, now, now))
                    if role == "legal_representative":
                        legal_person_id = pid
                    counts.persons += 1
                    counts.roles += 1

            if sector == "household_service":
                _workers(rng, streams, ids, counts, seen_people, eid=eid, name=name, city_code=city_code,
                         founded=founded, today=today, now=now)

            for _ in range(rng.randint(5, 15)):
                cid = ids["complaints_complaint"].take()
                received = today - datetime.timedelta(days=rng.randint(1, 1000))
                incident = received - datetime.timedelta(days=rng.randint(0, 60))
                accepted = received + datetime.timedelta(days=rng.randint(1, 5))
                roll = rng.random()
                outcome = "substantiated" if roll < 0.2 else "mediated" if roll < 0.3 else "unsubstantiated"
                resolved = accepted + datetime.timedelta(days=rng.randint(5, 55))
                if resolved > today:
                    status, outcome, resolved_on = "investigating", "", None
                else:
                    status, resolved_on = "closed", resolved
                mediated = outcome == "mediated"
                signed = (resolved_on or accepted) if mediated else None
                streams["complaints_complaint"].row((
                    cid, eid, rng.choice(COMPLAINT_CATEGORIES), "合成测试投诉内容", "web", "", "", 1, "[]", incident,
                    received, secrets.token_urlsafe(15), status, outcome, "合成数据" if outcome else "", "", False,
                    False, received + datetime.timedelta(days=7), accepted + datetime.timedelta(days=60), accepted,
                    resolved_on, "", False, now, now,
                    "entity", "", "", "", "", "", "", "", region, sector, "", "", "", False, False,
                    "agreement" if mediated else "", "合成数据：双方达成调解协议" if mediated else "", signed, signed, ""))
                counts.complaints += 1
                if outcome in ("substantiated", "mediated"):
                    event(eid, "complaint", cid, f"complaint_{outcome}", resolved_on)

            findings_left = rng.randint(4, 9)
            for k in range(rng.randint(3, 5)):
                iid = ids["complaints_inspection"].take()
                inspected = today - datetime.timedelta(days=rng.randint(1, 1200))
                streams["complaints_inspection"].row((iid, eid, inspector.pk, inspected,
                                                      rng.choice(["random", "targeted", "follow_up"]), "合成检查", now, now))
                counts.inspections += 1
                batch = findings_left if k == 3 else rng.randint(0, min(findings_left, 3))
                findings_left -= batch
                if batch == 0:
                    event(eid, "inspection", iid, "inspection_clean", inspected)
                for _ in range(batch):
                    fid = ids["complaints_finding"].take()
                    vt_id, _vt_sector, vt_name = violations[rng.randrange(len(violations))]
                    severity = _pick(rng, SEVERITIES)
                    penalty = _pick(rng, PENALTY_BY_SEVERITY[severity])
                    rectify_by = inspected + datetime.timedelta(days=rng.randint(10, 60))
                    rectified = None
                    if rng.random() < 0.85:
                        candidate = inspected + datetime.timedelta(days=rng.randint(5, 80))
                        rectified = candidate if candidate <= today else None
                    streams["complaints_finding"].row((
                        fid, iid, vt_id, severity, "合成检查发现", penalty,
                        rng.randint(1, 50) * 1000 if penalty == "fine" else None,
                        f"晋文旅罚〔{inspected.year}〕{fid}号" if penalty != "none" else "",
                        inspected if penalty != "none" else None, rectify_by, rectified, now, now))
                    counts.findings += 1
                    serious = severity in ("serious", "grave")
                    event(eid, "finding", fid, f"finding_{severity}", inspected, "serious" if serious else "general", vt_name)
                    if penalty != "none":
                        pub = "serious" if serious or penalty in ("suspension", "revocation") else "general"
                        event(eid, "finding", fid, f"penalty_{penalty}", inspected, pub, vt_name)
                    if rectified is not None and rectified <= rectify_by:
                        event(eid, "finding", fid, "rectified_on_time", rectified, note=vt_name)
                    elif (rectified is None and today > rectify_by) or (rectified is not None and rectified > rectify_by):
                        event(eid, "finding", fid, "rectification_overdue", rectify_by + datetime.timedelta(days=1),
                              note=vt_name)
            roll = rng.random()
            # About 3 % on the watch list and 1 % on the black list (with their legal representative), published.
            if roll < 0.04:
                list_type = "black" if roll < 0.01 else "watch"
                period = period_days(rule_set.document, list_type, sector=sector, category=category)
                catalogue = measures_for(rule_set.document, list_type)
                decision_terms = (
                    "；".join(str(measure.get("label") or measure["code"]) for measure in catalogue),
                    routes_text(appeal_routes(rule_set.document)),
                )
                measure_codes = json.dumps([measure["code"] for measure in catalogue])
                window = objection_working_days(rule_set.document, sector=sector, category=category)
                decided = today - datetime.timedelta(days=rng.randint(10, period - 1))
                subjects = [("entity", eid, None, None, "")]
                if list_type == "black" and legal_person_id is not None:
                    subjects.append(("person", None, legal_person_id, eid, "legal_representative"))
                for subject_type, entity_ref, person_ref, related, person_role in subjects:
                    listing_id = ids["regulator_listing"].take()
                    streams["regulator_listing"].row((
                        listing_id, list_type, subject_type, entity_ref, person_ref, related, person_role,
                        "合成数据：受到行政处罚" if list_type == "watch" else "合成数据：许可证被吊销",
                        legal_basis(rule_set.document, list_type, sector=sector, category=category,
                                    ground="licence_revoked_person" if subject_type == "person" else None),
                        "rule", None, "", "published",
                        rule_set.pk, period, decided - datetime.timedelta(days=14),
                        decided - datetime.timedelta(days=7), decided, f"晋文旅信〔{decided.year}〕{listing_id}号",
                        *decision_terms, decided, decided + datetime.timedelta(days=period), None, "", "", "", now,
                        now, window, measure_codes, "[]"))
                    counts.listings += 1
                    if subject_type == "entity":
                        streams["ratings_creditevent"].row((eid, "listing", listing_id, f"listing_{list_type}", decided,
                                                            "general", decided + datetime.timedelta(days=period),
                                                            "", now))
                        counts.events += 1
            if progress is not None:
                progress(1)

        for stream in streams.values():
            stream.close()
        for table_ids in ids.values():
            table_ids.sync_sequence()
        with connection.cursor() as cursor:
            # the listings' copy of their business's search keys: kept by a trigger (regulator 0006), which the
            # replica role above switched off, so filled here in one statement
            cursor.execute("UPDATE regulator_listing AS l SET search_vector = e.search_vector FROM entities_entity AS e "
                           "WHERE e.id = COALESCE(l.entity_id, l.related_entity_id) AND l.search_vector IS NULL")
    return counts


def _workers(rng: random.Random, streams, ids, counts: Counts, seen_people: set[str], *, eid: int, name: str,
             city_code: str, founded: datetime.date, today: datetime.date, now) -> None:
    """About 5 workers of one household-service firm, each with the file entries a card needs, COPYed in bulk."""
    for _ in range(rng.randint(*WORKERS_PER_FIRM)):
        birth = datetime.date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
        number = codes.id_number(city_code, birth, rng)
        digest = id_number_hash(number)
        if digest in seen_people:
            continue
        seen_people.add(digest)
        pid = ids["entities_person"].take()
        worker_name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        streams["entities_person"].row((pid, worker_name, digest, mask_id_number(number),
                                        searchkeys.tsvector_literal(searchkeys.name_keys(worker_name)), now, now))
        counts.persons += 1
        started = max(founded, today - datetime.timedelta(days=rng.randint(30, 2000)))
        ended = None
        if rng.random() < 1 / 6:
            ended = min(today - datetime.timedelta(days=1), started + datetime.timedelta(days=rng.randint(30, 700)))
            ended = max(ended, started)
        employment_id = ids["entities_employment"].take()
        streams["entities_employment"].row((employment_id, eid, pid, started, ended, rng.choice(POSITIONS), eid, None,
                                            now, now))
        streams["entities_identityverification"].row((ids["entities_identityverification"].take(), pid, started,
                                                      "id_card", f"合成数据（{name}）"[:150], eid, None, now, now))
        checked = today - datetime.timedelta(days=rng.randint(0, 400))
        expires = checked + datetime.timedelta(days=365)  # about 1 in 10 lapsed: checked more than a year ago
        if rng.random() < 0.1:
            checked, expires = today - datetime.timedelta(days=500), today - datetime.timedelta(days=135)
        streams["entities_healthcheck"].row((ids["entities_healthcheck"].take(), pid, checked, expires, True,
                                             "合成数据体检机构", f"TJ-{pid:08d}", eid, None, now, now))
        counts.health_checks += 1
        if rng.random() >= 0.05:  # about 1 in 20 without 岗前培训 on file: the coverage pages' training gaps
            streams["entities_trainingrecord"].row((ids["entities_trainingrecord"].take(), pid, "pre_job",
                                                    "合成数据家政培训学校", 40, started, f"PX-{pid:08d}", eid, None,
                                                    now, now))
            counts.trainings += 1
        if rng.random() < 0.3:
            retrained = min(today, started + datetime.timedelta(days=rng.randint(180, 720)))
            streams["entities_trainingrecord"].row((ids["entities_trainingrecord"].take(), pid, "retraining",
                                                    "合成数据家政培训学校", 16, retrained, "", eid, None, now, now))
            counts.trainings += 1
        if ended is None:
            issued = max(started, checked)  # a card is issued to a worker with a health check in hand
            streams["entities_servicecard"].row((ids["entities_servicecard"].take(), new_card_code(), employment_id,
                                                 issued, None, None, "", None, None, now, now))
            counts.cards += 1
        counts.workers += 1


def batched(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size
