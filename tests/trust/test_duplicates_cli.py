"""Duplicates and the command line (issue 12, items 13 and 14).

- An identical manual proposal (same subject, list type and reason) while the first is in due process or
  published is a 409, backed by the partial unique index ``listing_manual_proposal_once``; ``POST
  listings/`` honours ``Idempotency-Key``.
- One open objection per listing (and so per listed subject): filing again before the answer amends it,
  and the listing's history records the amendment.
- ``manage.py import_listings`` reads UTF-8 (with or without BOM) and GB18030/GBK, or ``--encoding``; any
  failure is one line; its writes carry ``--actor`` (default: the OS user) in the audit context.
- ``?search=`` filters listings, complaints, inspections, findings and the audit log; a list that has no
  free-text search (users) refuses it with a 400 naming it rather than ignoring it.
- ``manage.py embedded status`` only reports.
"""

from __future__ import annotations

import datetime
import getpass
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from complaints import services as complaint_services
from complaints.models import ViolationType
from config.api.exceptions import ConflictError
from core import services as account_services
from core.models import AuditEntry, UserRole
from regulator.lists import services as listings
from regulator.lists.models import Listing, ListingEvent, Objection
from tests.support.states import served

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REASON = "拒不履行行政处罚决定"
#: the decision: the rule set's whole catalogue of measures for the list, its appeal routes, the series' number
DECISION: dict = {}


def today() -> datetime.date:
    return timezone.localdate()


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def proposal(entity, **overrides) -> dict:
    return {"list_type": "black", "subject_type": "entity", "entity": entity.pk, "reason": REASON, **overrides}


# --- identical proposals --------------------------------------------------------------------------------------


def test_twenty_identical_manual_proposals_make_one_listing_and_nineteen_409s(regulator_client, entity_a):
    answers = [regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json") for _ in range(20)]
    assert [answer.status_code for answer in answers].count(201) == 1
    conflicts = [answer for answer in answers if answer.status_code == 409]
    assert len(conflicts) == 19
    assert {answer.json()["code"] for answer in conflicts} == {"duplicate_proposal"}
    assert str(answers[0].json()["id"]) in conflicts[0].json()["detail"]
    assert Listing.objects.filter(entity=entity_a).count() == 1


@pytest.mark.parametrize("change", ["reason", "list_type", "entity"])
def test_a_proposal_differing_in_reason_list_type_or_subject_is_a_new_one(regulator_client, entity_a, entity_b,
                                                                          change):
    assert regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json").status_code == 201
    other = {"reason": REASON + "（二次）", "list_type": "watch", "entity": entity_b.pk}[change]
    body = {**proposal(entity_a), change: other}
    assert regulator_client.post("/api/v1/listings/", body, format="json").status_code == 201


def test_once_withdrawn_the_same_proposal_may_be_made_again(regulator_client, entity_a):
    first = regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json").json()
    regulator_client.post(f"/api/v1/listings/{first['id']}/withdraw/", {"reason": "证据不足"}, format="json")
    again = regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json")
    assert again.status_code == 201
    assert again.json()["id"] != first["id"]


def test_a_proposal_identical_to_a_published_listing_is_409(regulator, regulator_client, entity_a):
    notified_on, decided_on = today() - datetime.timedelta(days=60), today() - datetime.timedelta(days=30)
    listing = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                                       actor=regulator, today=notified_on)
    listings.listing_notify(listing_id=listing.pk, actor=regulator, today=notified_on, delivery=served(notified_on))
    listings.listing_decide(listing_id=listing.pk, actor=regulator, today=decided_on, **DECISION)
    listings.listing_publish(listing_id=listing.pk, actor=regulator, today=decided_on)
    answer = regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json")
    assert answer.status_code == 409
    assert answer.json()["code"] == "duplicate_proposal"


def test_the_database_refuses_a_second_identical_manual_proposal_in_due_process(regulator, entity_a):
    first = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                                     actor=regulator)
    twin = Listing(list_type=first.list_type, subject_type=first.subject_type, entity=entity_a, reason=REASON,
                   legal_basis=first.legal_basis, source_type="manual", rule_set=first.rule_set,
                   period_days=first.period_days)
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_two_proposals_racing_past_the_check_still_make_one_listing(regulator, entity_a):
    """The service's look-up is skipped for the second, as when both ran it before either saved."""
    listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                             actor=regulator)
    with mock.patch("regulator.lists.services._refuse_identical_proposal"), pytest.raises(ConflictError) as raised:
        listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                                 actor=regulator)
    assert raised.value.status_code == 409
    assert Listing.objects.filter(entity=entity_a).count() == 1


def test_rule_proposals_and_imports_are_not_held_to_the_manual_rule(regulator, entity_a):
    listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                             actor=regulator)
    other = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                                     source_type="finding", source_id=1, source_rule="grave_finding")
    assert other.pk


# --- Idempotency-Key on POST listings/ ----------------------------------------------------------------------


def test_a_retried_proposal_with_the_same_idempotency_key_replays_the_first_answer(regulator_client, entity_a):
    first = regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json",
                                  HTTP_IDEMPOTENCY_KEY="propose-1")
    again = regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json",
                                  HTTP_IDEMPOTENCY_KEY="propose-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Listing.objects.filter(entity=entity_a).count() == 1


def test_the_same_idempotency_key_with_another_proposal_is_422(regulator_client, entity_a):
    regulator_client.post("/api/v1/listings/", proposal(entity_a), format="json", HTTP_IDEMPOTENCY_KEY="propose-2")
    other = regulator_client.post("/api/v1/listings/", proposal(entity_a, list_type="watch"), format="json",
                                  HTTP_IDEMPOTENCY_KEY="propose-2")
    assert other.status_code == 422
    assert Listing.objects.filter(entity=entity_a).count() == 1


# --- one open objection per listing ---------------------------------------------------------------------------


@pytest.fixture
def notified(regulator, entity_a) -> Listing:
    listing = listings.listing_propose(list_type="watch", subject_type="entity", entity=entity_a, reason="拒绝检查",
                                       actor=regulator)
    return listings.listing_notify(listing_id=listing.pk, actor=regulator, delivery=served(today()))


def _object(client, listing, statement: str):
    return client.post(f"/api/v1/listings/{listing.pk}/objections/", {"statement": statement}, format="json")


def test_a_second_objection_before_the_answer_amends_the_first_and_is_in_the_history(business_a, notified):
    client = client_for(business_a)
    first = _object(client, notified, "我们没有拒绝检查")
    assert first.status_code == 201
    second = _object(client, notified, "我们没有拒绝检查，附当日监控记录")
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    objection = Objection.objects.get(listing=notified)
    assert objection.statement == "我们没有拒绝检查，附当日监控记录"
    amendments = ListingEvent.objects.filter(listing=notified, action="objection_amend")
    assert [event.reason for event in amendments] == ["我们没有拒绝检查，附当日监控记录"]
    assert amendments.get().actor == business_a


def test_another_account_of_the_same_subject_amends_the_same_objection(business_a, entity_a, notified):
    colleague = account_services.user_save(username="business_a2", role=UserRole.BUSINESS, entities=[entity_a])
    assert _object(client_for(business_a), notified, "陈述一").status_code == 201
    assert _object(client_for(colleague), notified, "陈述二").status_code == 200
    assert Objection.objects.filter(listing=notified).count() == 1


def test_once_answered_a_new_objection_may_be_filed(regulator, business_a, notified):
    client = client_for(business_a)
    first = _object(client, notified, "陈述一").json()
    listings.objection_answer(objection_id=first["id"], actor=regulator, answer="不成立", upheld=False)
    again = _object(client, notified, "补充陈述")
    assert again.status_code == 201
    assert Objection.objects.filter(listing=notified).count() == 2


def test_the_database_refuses_a_second_open_objection(business_a, notified):
    Objection.objects.create(listing=notified, filed_by=business_a, statement="陈述一")
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.create(listing=notified, filed_by=business_a, statement="陈述二")


# --- import_listings: encodings, one-line errors, the actor ------------------------------------------------

HEADER = "credit_code,name,list_type,reason,legal_basis,decided_on,source_authority,source_reference\n"


def _csv(entity, *, decided_on: str = "2026-03-01", reference: str = "（2026）晋08执1号") -> str:
    return HEADER + (f"{entity.credit_code},{entity.name},black,拒不履行生效判决,《失信被执行人名单管理规定》,"
                     f"{decided_on},运城市中级人民法院,{reference}\n")


def _run(path: Path, *args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_listings", str(path), *args, verbosity=0, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_import_reads_utf8_with_or_without_bom_and_gbk_files(tmp_path, entity_a, encoding):
    path = tmp_path / "rows.csv"
    path.write_bytes(_csv(entity_a).encode(encoding))
    assert "1 created" in _run(path)
    listing = Listing.objects.get(entity=entity_a)
    assert listing.source_authority == "运城市中级人民法院"
    assert listing.reason == "拒不履行生效判决"


def test_import_takes_a_named_encoding(tmp_path, entity_a):
    path = tmp_path / "rows.csv"
    path.write_bytes(_csv(entity_a).encode("gbk"))
    assert "1 created" in _run(path, "--encoding", "gbk")


def _one_line_error(path: Path, *args: str) -> str:
    with pytest.raises(CommandError) as raised:
        _run(path, *args)
    message = str(raised.value)
    assert "\n" not in message and message.strip()
    assert not Listing.objects.exists()
    return message


def test_a_file_in_no_known_encoding_fails_in_one_line(tmp_path, entity_a):
    path = tmp_path / "rows.csv"
    path.write_bytes(_csv(entity_a).encode("utf-16"))
    assert "--encoding" in _one_line_error(path)


def test_a_file_not_in_the_named_encoding_fails_in_one_line(tmp_path, entity_a):
    path = tmp_path / "rows.csv"
    path.write_bytes(_csv(entity_a).encode("gbk"))
    assert "utf-8" in _one_line_error(path, "--encoding", "utf-8")
    assert "unknown encoding" in _one_line_error(path, "--encoding", "no-such-codec")


@pytest.mark.parametrize(("content", "says"), [
    (b"", "empty file"), (b"a,b\n1,2,3,4\n", "more cells than the header"),
    (HEADER.encode() + b"x\x00y\n", '"rows"'),
])
def test_a_broken_csv_fails_in_one_line(tmp_path, content, says):
    path = tmp_path / "rows.csv"
    path.write_bytes(content)
    assert says in _one_line_error(path)  # a CommandError of one line naming what is wrong; nothing imported


def test_a_missing_file_and_refused_rows_fail_in_one_line(tmp_path, entity_a):
    assert "absent.csv" in _one_line_error(tmp_path / "absent.csv")
    path = tmp_path / "rows.csv"
    path.write_text(_csv(entity_a, decided_on="9999-12-31"), encoding="utf-8")
    assert "decided_on" in _one_line_error(path)


def _import_contexts(entity) -> list[dict]:
    listing = Listing.objects.get(entity=entity)
    return list(AuditEntry.objects.filter(table_name="regulator_listing", object_id=str(listing.pk),
                                          operation="INSERT").values_list("context", flat=True))


def test_command_line_writes_carry_the_os_user_as_actor_by_default(tmp_path, entity_a):
    path = tmp_path / "rows.csv"
    path.write_text(_csv(entity_a), encoding="utf-8")
    _run(path)
    [context] = _import_contexts(entity_a)
    assert context["username"] == getpass.getuser()
    assert context["role"] == "command_line"
    assert context["endpoint"].startswith("manage.py import_listings")


def test_actor_names_the_account_whose_write_it_is(tmp_path, regulator, entity_a):
    path = tmp_path / "rows.csv"
    path.write_text(_csv(entity_a), encoding="utf-8")
    _run(path, "--actor", "regulator")
    [context] = _import_contexts(entity_a)
    assert (context["username"], context["user_id"], context["role"]) == ("regulator", regulator.pk, "regulator")
    assert Listing.objects.get(entity=entity_a).created_by == regulator


def test_the_actor_does_not_outlive_the_command(tmp_path, entity_a, entity_b):
    path = tmp_path / "rows.csv"
    path.write_text(_csv(entity_a), encoding="utf-8")
    _run(path, "--actor", "someone")
    entity_b.name = "改名后的乙旅行社"
    entity_b.save()
    later = AuditEntry.objects.filter(table_name="entities_entity", object_id=str(entity_b.pk),
                                      operation="UPDATE").get()
    assert later.context.get("username") != "someone"


# --- ?search= -------------------------------------------------------------------------------------------------


@pytest.fixture
def two_subjects(regulator, inspector, entity_a, entity_b):
    """A listing, a complaint, an inspection with a finding, for each of 甲 and 乙."""
    violation = ViolationType.objects.filter(active=True, sector="tourism").first()
    rows = {}
    for entity in (entity_a, entity_b):
        listing = listings.listing_propose(list_type="watch", subject_type="entity", entity=entity, reason="拒绝检查",
                                           actor=regulator)
        complaint = complaint_services.complaint_file(
            entity=entity, category="forced_shopping", description="导游强迫购物", incident_date=today(),
            complainant_name="李四", complainant_phone="13800000000")
        inspection = complaint_services.inspection_create(
            actor=inspector, entity=entity, inspected_on=today(), kind="targeted", summary="现场检查",
            findings=[{"violation_type": violation, "description": violation.name, "penalty": "warning",
                       "decision_number": f"运盐文旅罚〔2026〕{entity.pk}号"}])
        rows[entity.pk] = {"listing": listing, "complaint": complaint, "inspection": inspection}
    return rows


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("resource,row", [("listings", "listing"), ("complaints", "complaint"),
                                          ("inspections", "inspection")])
@pytest.mark.parametrize("parameter", ["search", "q"])
def test_search_finds_rows_by_their_subject_name_and_blank_lists_all(regulator_client, two_subjects, entity_a,
                                                                     resource, row, parameter):
    mine = {two_subjects[entity_a.pk][row].pk}
    assert _ids(regulator_client.get(f"/api/v1/{resource}/", {parameter: "甲旅行社"})) == mine
    assert _ids(regulator_client.get(f"/api/v1/{resource}/", {parameter: entity_a.credit_code})) == mine
    assert _ids(regulator_client.get(f"/api/v1/{resource}/", {parameter: "查无此名"})) == set()
    assert len(_ids(regulator_client.get(f"/api/v1/{resource}/", {parameter: ""}))) == 2


def test_search_finds_findings_by_their_subject(regulator_client, two_subjects, entity_a):
    mine = set(two_subjects[entity_a.pk]["inspection"].findings.values_list("pk", flat=True))
    assert _ids(regulator_client.get("/api/v1/findings/", {"search": "甲旅行社"})) == mine
    assert len(_ids(regulator_client.get("/api/v1/findings/"))) == 2


def test_regulators_search_complaints_by_tracking_code_and_nobody_else_can(regulator_client, inspector,
                                                                           two_subjects, entity_a):
    complaint = two_subjects[entity_a.pk]["complaint"]
    assert _ids(regulator_client.get("/api/v1/complaints/", {"search": complaint.tracking_code})) == {complaint.pk}
    assert _ids(client_for(inspector).get("/api/v1/complaints/", {"search": complaint.tracking_code})) == set()


def test_the_audit_log_is_searched_by_record_id_table_and_username(regulator_client, two_subjects, entity_a):
    listing = two_subjects[entity_a.pk]["listing"]
    rows = regulator_client.get("/api/v1/audit-log/", {"search": f"regulator_listing:{listing.pk}"}).json()
    assert rows["count"] >= 1
    assert {(row["table_name"], row["object_id"]) for row in rows["results"]} == {("regulator_listing",
                                                                                   str(listing.pk))}
    everything = regulator_client.get("/api/v1/audit-log/").json()["count"]
    assert regulator_client.get("/api/v1/audit-log/", {"search": "no-such-user"}).json()["count"] == 0
    assert regulator_client.get("/api/v1/audit-log/", {"search": ""}).json()["count"] == everything


def test_search_is_refused_naming_it_where_a_list_has_none(regulator_client):
    refused = regulator_client.get("/api/v1/users/", {"search": "regulator"})
    assert refused.status_code == 400
    assert "search" in refused.json()
    assert regulator_client.get("/api/v1/users/", {"search": ""}).status_code == 200


def test_every_list_that_documents_search_filters_by_it(regulator_client, two_subjects):
    """Generated from the schema: where ``search`` is documented, a search that matches nothing empties the list."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    checked = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if "{" in path or not get:
            continue
        names = {parameter["name"] for parameter in get.get("parameters", []) if parameter["in"] == "query"}
        answer = regulator_client.get(path, {"search": "查无此名zzz"})
        if "search" in names:
            checked += 1
            assert answer.status_code == 200, (path, answer.content[:200])
            body = answer.json()
            assert (body["count"] if isinstance(body, dict) else len(body)) == 0, path
    assert checked >= 7


# --- embedded status only reports -----------------------------------------------------------------------------


def test_embedded_status_reads_pid_files_and_starts_nothing(tmp_path, monkeypatch):
    from io import StringIO

    from config import embedded

    monkeypatch.setattr(embedded, "VAR_DIR", tmp_path)
    with mock.patch.object(embedded, "postgres_url", side_effect=AssertionError("started postgres")), \
            mock.patch.object(embedded, "redis_url", side_effect=AssertionError("started redis")):
        out = StringIO()
        call_command("embedded", "status", stdout=out)
    assert out.getvalue().splitlines() == ["postgres: not running", "redis: not running"]
    assert list(tmp_path.iterdir()) == []


def _stop_what_it_started(var_dir: Path) -> None:
    """Stop servers the command under test may have started in ``var_dir`` (by their pid, nothing else)."""
    for pidfile, sig in ((var_dir / "pgdata" / "postmaster.pid", signal.SIGINT), (var_dir / "redis.pid", signal.SIGTERM)):
        try:
            pid = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
        try:
            os.kill(pid, sig)
        except OSError:
            continue
        for _ in range(100):
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)


def test_manage_py_embedded_status_on_a_stopped_machine_starts_no_server(tmp_path):
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["EMBEDDED_DIR"] = str(tmp_path)
    try:
        done = subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), "embedded", "status"],  # noqa: S603
                              cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
        started = (tmp_path / "pgdata").exists() or (tmp_path / "redis.pid").exists()
    finally:
        _stop_what_it_started(tmp_path)
    assert done.returncode == 0, done.stderr[-500:]
    assert not started
    assert done.stdout.splitlines() == ["postgres: not running", "redis: not running"]


# --- the migration makes existing duplicates fit ---------------------------------------------------------


# serialized_rollback in the marker: pytest-django serializes the seeded catalogues (rule sets, violation
# types...) at database creation only for a marker that asks, and restores them after the flush
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_withdraws_existing_duplicate_proposals_and_merges_open_objections(
        regulator, business_a, entity_a):
    """Rows a database held before the constraints: the owner role drops them (the service's role may not change
    the schema, decision 0012), the rows are made, the migration's function fits them, the owner restores them."""
    import importlib

    from django.apps import apps
    from django.db import connection

    from core.database import roles

    migration = importlib.import_module("regulator.migrations.0003_one_open_proposal_and_objection")
    constraints = {constraint.name: constraint for model in (Listing, Objection)
                   for constraint in model._meta.constraints}
    with roles.owner_connection() as owner, owner.schema_editor() as editor:
        editor.remove_constraint(Listing, constraints["listing_manual_proposal_once"])
        editor.remove_constraint(Objection, constraints["one_open_objection_per_listing"])
    try:
        first = listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a, reason=REASON,
                                         actor=regulator)
        first = listings.listing_notify(listing_id=first.pk, actor=regulator, delivery=served(today()))
        with mock.patch("regulator.lists.services._refuse_identical_proposal"):
            twins = [listings.listing_propose(list_type="black", subject_type="entity", entity=entity_a,
                                              reason=REASON, actor=regulator) for _ in range(2)]
        Objection.objects.create(listing=first, filed_by=business_a, statement="陈述一")
        Objection.objects.create(listing=first, filed_by=business_a, statement="陈述二")

        with connection.schema_editor(atomic=False) as editor:
            migration.fit_existing_rows(apps, editor)

        statuses = dict(Listing.objects.filter(entity=entity_a).values_list("pk", "status"))
        # the most advanced stays (the notified one), the others are withdrawn with a history row each
        assert statuses == {first.pk: "notified", twins[0].pk: "withdrawn", twins[1].pk: "withdrawn"}
        assert ListingEvent.objects.filter(listing__in=twins, action="withdraw").count() == 2
        [objection] = Objection.objects.filter(listing=first)
        assert objection.statement == "陈述一\n\n陈述二"
        assert ListingEvent.objects.filter(listing=first, action="objection_amend").count() == 1
    finally:
        Listing.objects.filter(entity=entity_a).delete()  # whatever happened, the constraints must hold again
        with roles.owner_connection() as owner, owner.schema_editor() as editor:
            editor.add_constraint(Listing, constraints["listing_manual_proposal_once"])
            editor.add_constraint(Objection, constraints["one_open_objection_per_listing"])
