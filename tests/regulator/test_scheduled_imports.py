"""定时导入 (issue 18 item 5): other authorities' lists pulled from a drop directory or a URL, mapped, idempotent.

Each run reads one file, maps it by the source's columns, and goes through the shared-listing import: all or
nothing per file, refused rows reported with their reasons, a snapshot ending what its authority no longer lists.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from openpyxl import Workbook

from entities import codes
from regulator.lists import import_source_services as services
from regulator.lists.import_source_selectors import import_sources_due
from regulator.lists.import_sources import ImportRun, ImportSource, mapping_validate
from regulator.lists.models import Listing, ListingEvent
from tests.support import today
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

AUTHORITY = "运城市中级人民法院"
MAPPING = {"credit_code": "统一社会信用代码", "name": "被执行人名称", "reason": "失信情形", "decided_on": "发布日期",
           "source_reference": "案号", "category": "主体类别"}
DEFAULTS = {"list_type": "black", "legal_basis": "测试依据（来源机关的认定决定）"}
HEADER = list(MAPPING.values())
_rng = random.Random(20261201)


@pytest.fixture(autouse=True)
def drop_root(settings, tmp_path):
    root = tmp_path / "drop"
    (root / "court").mkdir(parents=True)
    settings.IMPORT_DROP_ROOT = root
    return root


@pytest.fixture
def code_list():
    return [codes.credit_code("140802", _rng) for _ in range(4)]


def record(code: str, reference: str, **overrides) -> dict[str, str]:
    decided = str(today() - datetime.timedelta(days=10))
    return {"统一社会信用代码": code, "被执行人名称": f"测试旅行社{reference[-2:]}有限公司", "失信情形": "有履行能力而拒不履行",
            "发布日期": decided, "案号": reference, "主体类别": "travel_agency", **overrides}


def csv_bytes(records: list[dict[str, str]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode("utf-8")


def drop(root, name: str, body: bytes, *, age: int = 0):
    path = root / "court" / name
    path.write_bytes(body)
    stamp = time.time() - 1000 + age
    os.utime(path, (stamp, stamp))
    return path


def source_(**fields) -> ImportSource:
    values = {"name": "法院失信被执行人", "source_authority": AUTHORITY, "kind": "drop_dir", "location": "court",
              "format": "csv", "column_mapping": MAPPING, "defaults": DEFAULTS, "mode": "delta", "interval_minutes": 60,
              **fields}
    return services.import_source_create(actor=None, **values)


def run(source) -> ImportRun:
    done = services.import_source_run(source=source)
    assert done is not None
    done.refresh_from_db()
    return done


# ------------------------------------------------------------------ drop directory, idempotence


def test_a_dropped_csv_with_a_custom_mapping_imports_new_rows_and_moves_the_file(drop_root, code_list):
    source = source_()
    drop(drop_root, "2026-12-01.csv", csv_bytes([record(code_list[0], "（2026）晋08执01"),
                                                 record(code_list[1], "（2026）晋08执02")]))
    result = run(source)
    assert result.state == "done", result.error
    assert (result.new_count, result.unchanged_count, result.ended_count, result.refused_count) == (2, 0, 0, 0)
    assert result.file_name == "2026-12-01.csv" and len(result.file_sha256) == 64
    assert [item["outcome"] for item in result.report] == ["new", "new"]
    assert [item["row"] for item in result.report] == [1, 2]
    listings = Listing.objects.filter(source_authority=AUTHORITY).order_by("source_reference")
    assert [(item.status, item.list_type, item.entity.credit_code) for item in listings] == [
        ("published", "black", code_list[0]), ("published", "black", code_list[1])]
    assert listings[0].legal_basis == DEFAULTS["legal_basis"] and listings[0].reason == "有履行能力而拒不履行"
    assert not list((drop_root / "court").glob("*.csv"))
    assert (drop_root / "court" / "processed" / f"{result.pk}-2026-12-01.csv").exists()
    source.refresh_from_db()
    assert source.last_run_at is not None


def test_the_same_file_again_is_skipped_and_the_same_rows_in_a_new_file_are_unchanged(drop_root, code_list):
    source = source_()
    body = csv_bytes([record(code_list[0], "（2026）晋08执01"), record(code_list[1], "（2026）晋08执02")])
    drop(drop_root, "a.csv", body)
    assert run(source).new_count == 2
    drop(drop_root, "a.csv", body)
    again = run(source)
    assert again.state == "unchanged_file" and again.new_count == 0
    assert (drop_root / "court" / "processed" / f"{again.pk}-a.csv").exists()
    reordered = csv_bytes([record(code_list[1], "（2026）晋08执02"), record(code_list[0], "（2026）晋08执01")])
    drop(drop_root, "b.csv", reordered)
    third = run(source)
    assert third.state == "done" and (third.new_count, third.unchanged_count) == (0, 2)
    assert {item["outcome"] for item in third.report} == {"unchanged"}
    assert Listing.objects.filter(source_authority=AUTHORITY).count() == 2


def test_a_directory_with_no_file_records_a_run_with_no_file(drop_root):
    assert run(source_()).state == "no_file"


def test_files_are_read_oldest_first_one_per_run(drop_root, code_list):
    source = source_()
    drop(drop_root, "z-old.csv", csv_bytes([record(code_list[0], "（2026）晋08执01")]), age=0)
    drop(drop_root, "a-new.csv", csv_bytes([record(code_list[1], "（2026）晋08执02")]), age=10)
    first = services.import_source_run(source=source)
    assert first.file_name == "z-old.csv"
    assert ImportRun.objects.filter(source=source, state="queued", trigger="backlog").exists()  # the next file
    second = services.import_source_run(source=source)
    assert second.file_name == "a-new.csv" and second.trigger == "backlog"


# ------------------------------------------------------------------ snapshot and delta


def test_a_second_snapshot_without_a_row_ends_that_listing(drop_root, code_list):
    source = source_(mode="snapshot")
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01"), record(code_list[1], "（2026）晋08执02")]))
    assert run(source).new_count == 2
    other = Listing.objects.get(source_reference="（2026）晋08执02")
    drop(drop_root, "2.csv", csv_bytes([record(code_list[0], "（2026）晋08执01"), record(code_list[2], "（2026）晋08执03")]))
    second = run(source)
    assert second.state == "done", second.error
    assert (second.new_count, second.unchanged_count, second.ended_count) == (1, 1, 1)
    other.refresh_from_db()
    assert other.status == "removed" and other.end_reason.startswith("来源机关撤销")
    assert other.ended_on == timezone.localdate()
    assert ListingEvent.objects.filter(listing=other, action="remove", from_status="published").exists()
    ended = [item for item in second.report if item["outcome"] == "ended"]
    assert ended == [{"row": None, "reference": "（2026）晋08执02", "outcome": "ended", "listing_id": other.pk,
                      "reason": ended[0]["reason"]}]
    assert Listing.objects.get(source_reference="（2026）晋08执01").status == "published"


def test_a_snapshot_ends_only_its_own_authoritys_imports(drop_root, code_list, regulator_client):
    from tests.regulator.test_lists_import import row as api_row

    other = api_row("运市监认〔2026〕9号", credit_code=code_list[3], category="travel_agency")
    assert regulator_client.post("/api/v1/listings/import/", {"rows": [other]}, format="json").status_code == 200
    source = source_(mode="snapshot")
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01")]))
    assert run(source).state == "done"
    drop(drop_root, "2.csv", csv_bytes([record(code_list[1], "（2026）晋08执02")]))
    assert run(source).ended_count == 1
    assert Listing.objects.get(source_reference="运市监认〔2026〕9号").status == "published"


def test_a_delta_source_ends_nothing(drop_root, code_list):
    source = source_(mode="delta")
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01"), record(code_list[1], "（2026）晋08执02")]))
    run(source)
    drop(drop_root, "2.csv", csv_bytes([record(code_list[0], "（2026）晋08执01")]))
    second = run(source)
    assert second.state == "done" and second.ended_count == 0
    assert set(Listing.objects.values_list("status", flat=True)) == {"published"}


def test_an_empty_snapshot_fails_and_ends_nothing(drop_root, code_list):
    source = source_(mode="snapshot")
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01")]))
    run(source)
    drop(drop_root, "2.csv", csv_bytes([]))
    second = run(source)
    assert second.state == "failed" and "没有记录" in second.error
    assert Listing.objects.get().status == "published"
    assert (drop_root / "court" / "failed" / f"{second.pk}-2.csv").exists()


# ------------------------------------------------------------------ refused rows, all or nothing


def test_bad_rows_are_refused_with_their_reasons_and_nothing_is_written(drop_root, code_list):
    source = source_()
    drop(drop_root, "bad.csv", csv_bytes([
        record(code_list[0], "（2026）晋08执01"),
        record("91140802MA0XXXXXXX", "（2026）晋08执02"),
        record(code_list[2], "（2026）晋08执03", 被执行人名称="", 发布日期="2026/13/40"),
    ]))
    result = run(source)
    assert result.state == "refused" and result.refused_count == 2 and result.new_count == 0
    assert "整份文件未导入" in result.error
    by_row = {item["row"]: item for item in result.report}
    assert set(by_row) == {2, 3}
    assert by_row[2]["outcome"] == "refused" and "统一社会信用代码（文件列「统一社会信用代码」）" in by_row[2]["reason"]
    assert "名称或姓名（文件列「被执行人名称」）：必填。" in by_row[3]["reason"]
    assert "认定日期（文件列「发布日期」）" in by_row[3]["reason"]
    assert by_row[3]["reference"] == "（2026）晋08执03"
    assert not Listing.objects.exists()
    assert (drop_root / "court" / "failed" / f"{result.pk}-bad.csv").exists()


def test_a_mapped_column_missing_from_the_file_fails_the_run_naming_it(drop_root, code_list):
    source = source_()
    header = [name for name in HEADER if name != "失信情形"]
    rows = [{key: value for key, value in record(code_list[0], "（2026）晋08执01").items() if key in header}]
    drop(drop_root, "short.csv", csv_bytes(rows, header))
    result = run(source)
    assert result.state == "failed" and "「失信情形」" in result.error
    assert not Listing.objects.exists()


def test_a_run_that_fails_halfway_leaves_nothing_half_written(drop_root, code_list, monkeypatch):
    source = source_(mode="snapshot")
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01"), record(code_list[1], "（2026）晋08执02"),
                                        record(code_list[2], "（2026）晋08执03")]))
    run(source)
    ended = []

    def remove_then_break(**kwargs):
        if ended:
            raise RuntimeError("database went away")
        ended.append(kwargs["listing_id"])
        return real_remove(**kwargs)

    real_remove = services.listing_remove
    monkeypatch.setattr(services, "listing_remove", remove_then_break)
    drop(drop_root, "2.csv", csv_bytes([record(code_list[0], "（2026）晋08执01"), record(code_list[3], "（2026）晋08执04")]))
    second = run(source)
    assert second.state == "failed" and "RuntimeError" in second.error and ended  # one listing ended, then the break
    assert Listing.objects.filter(source_authority=AUTHORITY).count() == 3  # the new row 04 was not kept
    assert set(Listing.objects.values_list("status", flat=True)) == {"published"}  # the first end was undone
    assert not ListingEvent.objects.filter(action="remove").exists()
    assert (drop_root / "court" / "failed" / f"{second.pk}-2.csv").exists()


def test_xlsx_and_json_files_are_read_by_their_format(drop_root, code_list):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    first = record(code_list[0], "（2026）晋08执01")
    sheet.append([first[name] for name in HEADER[:3]] + [today() - datetime.timedelta(days=10)]
                 + [first[name] for name in HEADER[4:]])
    sheet.append([None] * len(HEADER))  # a blank line Excel leaves is skipped
    buffer = io.BytesIO()
    book.save(buffer)
    drop(drop_root, "list.xlsx", buffer.getvalue())
    result = run(source_(format="xlsx"))
    assert result.state == "done" and result.new_count == 1, result.error

    (drop_root / "json").mkdir()
    (drop_root / "json" / "list.json").write_text(json.dumps({"rows": [record(code_list[1], "（2026）晋08执02")]},
                                                             ensure_ascii=False), encoding="utf-8")
    other = source_(name="另一来源", source_authority="晋中市中级人民法院", location="json", format="json")
    assert run(other).new_count == 1


# ------------------------------------------------------------------ URL


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802 (the http.server name)
        route = self.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        kind, body = route
        if kind == "slow":
            time.sleep(3)
        if kind == "chunked":  # no Content-Length: the cap must hold while streaming
            self.send_response(200)
            self.end_headers()
            for _ in range(50):
                self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    _Handler.routes = {}
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler.routes
    httpd.shutdown()
    httpd.server_close()


def test_a_url_source_imports_the_served_file(server, code_list):
    base, routes = server
    routes["/lists/court.csv"] = ("ok", csv_bytes([record(code_list[0], "（2026）晋08执01")]))
    result = run(source_(kind="url", location=f"{base}/lists/court.csv"))
    assert result.state == "done" and result.new_count == 1, result.error
    assert result.file_name == "court.csv"


@pytest.mark.parametrize("case", ["404", "timeout", "oversize", "oversize_streamed", "refused_connection"])
def test_a_url_that_fails_gives_a_failed_run_and_writes_nothing(server, code_list, settings, case):
    base, routes = server
    body = csv_bytes([record(code_list[0], "（2026）晋08执01")])
    settings.IMPORT_SOURCE_TIMEOUT_SECONDS = 1
    settings.IMPORT_SOURCE_MAX_BYTES = len(body) * 10
    url = f"{base}/court.csv"
    if case == "timeout":
        routes["/court.csv"] = ("slow", body)
    elif case == "oversize":
        routes["/court.csv"] = ("ok", body * 11)
    elif case == "oversize_streamed":
        routes["/court.csv"] = ("chunked", body)
    elif case == "refused_connection":
        url = "http://127.0.0.1:9/court.csv"
    result = run(source_(kind="url", location=url))
    assert result.state == "failed"
    expected = {"404": "HTTP 404", "timeout": "超时", "oversize": "过大", "oversize_streamed": "过大",
                "refused_connection": "无法连接"}[case]
    assert expected in result.error
    assert not Listing.objects.exists()


# ------------------------------------------------------------------ mapping and location validation


def test_a_complete_mapping_is_accepted():
    """Every required field mapped or defaulted: the source is saved with the mapping as given."""
    full = {**MAPPING, "list_type": "名单类型", "legal_basis": "依据"}
    assert mapping_validate(MAPPING, DEFAULTS) is None and mapping_validate(full, {}) is None
    assert source_().column_mapping == MAPPING
    assert source_(name="另一来源", source_authority="另一机关", column_mapping=full, defaults={}).column_mapping == full


@pytest.mark.parametrize(("mapping", "defaults", "field", "names"), [
    ({**MAPPING, "fax_number": "传真"}, DEFAULTS, "column_mapping", "fax_number"),
    ({key: value for key, value in MAPPING.items() if key != "reason"}, DEFAULTS, "column_mapping", "reason"),
    (MAPPING, {"list_type": "black"}, "column_mapping", "legal_basis"),
    ({key: value for key, value in MAPPING.items() if key != "credit_code"}, DEFAULTS, "column_mapping",
     "credit_code"),
    ({**MAPPING, "source_authority": "机关"}, DEFAULTS, "column_mapping", "source_authority"),
    (MAPPING, {**DEFAULTS, "list_type": "grey"}, "defaults", "list_type"),
    (MAPPING, {**DEFAULTS, "colour": "red"}, "defaults", "colour"),
    (MAPPING, {**DEFAULTS, "source_reference": "1"}, "defaults", "source_reference"),
    ({**MAPPING, "name": ""}, DEFAULTS, "column_mapping", "name"),
    (["name"], DEFAULTS, "column_mapping", ""),
])
def test_a_wrong_mapping_is_a_validation_error_naming_the_field(mapping, defaults, field, names):
    with pytest.raises(ValidationError) as caught:
        mapping_validate(mapping, defaults)
    assert field in caught.value.message_dict
    assert names in " ".join(caught.value.message_dict[field])


@pytest.mark.parametrize(("kind", "location", "ok"), [
    ("drop_dir", "court", True), ("drop_dir", "court/2026", True), ("drop_dir", "../etc", False),
    ("drop_dir", "/etc", False), ("drop_dir", "court/../../x", False), ("url", "https://example.gov.cn/a.csv", True),
    ("url", "http://127.0.0.1:8000/a.csv", True), ("url", "file:///etc/passwd", False), ("url", "ftp://x/a.csv", False),
    ("url", "https://user:pw@example.gov.cn/a.csv", False), ("url", "https://", False),
])
def test_locations_are_held_to_the_drop_root_and_http(kind, location, ok):
    source = ImportSource(name="x", source_authority="y", kind=kind, location=location, format="csv",
                          column_mapping=MAPPING, defaults=DEFAULTS)
    if ok:
        source.full_clean()
    else:
        with pytest.raises(ValidationError) as caught:
            source.full_clean()
        assert "location" in caught.value.message_dict


def test_a_symlink_out_of_the_drop_root_is_refused(drop_root, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (drop_root / "escape").symlink_to(outside)
    result = run(source_(location="escape"))
    assert result.state == "failed" and "投放根目录" in result.error


# ------------------------------------------------------------------ schedule and concurrency


def test_a_source_is_due_exactly_when_its_interval_has_passed():
    source = source_(interval_minutes=30)
    now = timezone.now()
    assert list(import_sources_due(now=now)) == [source]  # never run
    ImportSource.objects.filter(pk=source.pk).update(last_run_at=now - datetime.timedelta(minutes=30))
    assert list(import_sources_due(now=now)) == [source]
    ImportSource.objects.filter(pk=source.pk).update(
        last_run_at=now - datetime.timedelta(minutes=30) + datetime.timedelta(seconds=1))
    assert list(import_sources_due(now=now)) == []
    ImportSource.objects.filter(pk=source.pk).update(last_run_at=None, enabled=False)
    assert list(import_sources_due(now=now)) == []


def test_a_source_with_a_run_queued_is_not_due_again():
    source = source_()
    first = services.import_source_queue(source=source, trigger="schedule")
    assert list(import_sources_due(now=timezone.now())) == []
    assert services.import_source_queue(source=source).pk == first.pk  # one unfinished run per source


def test_the_beat_queues_and_runs_due_sources(drop_root, code_list, django_capture_on_commit_callbacks):
    source = source_()
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01")]))
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.import_sources_queue_due()
    assert len(queued) == 1
    done = ImportRun.objects.get(pk=queued[0])
    assert done.state == "done" and done.trigger == "schedule" and done.new_count == 1
    assert services.import_sources_queue_due() == []  # just ran: not due for another hour
    assert ImportRun.objects.filter(source=source).count() == 1


def test_a_run_left_running_by_a_dead_worker_is_failed_by_the_beat():
    source = source_()
    orphan = ImportRun.objects.create(source=source, state="running", started_at=timezone.now())
    services.import_sources_queue_due()
    orphan.refresh_from_db()
    assert orphan.state == "failed" and "运行中断" in orphan.error


def test_a_source_running_in_another_session_is_not_run_twice(drop_root, code_list):
    source = source_()
    drop(drop_root, "1.csv", csv_bytes([record(code_list[0], "（2026）晋08执01")]))
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services.LOCK_CLASS, source.pk])
        assert services.import_source_run(source=source) is None
        assert not Listing.objects.exists()
        assert (drop_root / "court" / "1.csv").exists()
    finally:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [services.LOCK_CLASS, source.pk])
        other.close()
    assert run(source).new_count == 1  # the other session gone, the run goes ahead


def test_a_persons_id_number_is_never_kept_whole_in_the_run(drop_root):
    number = codes.id_number("140802", datetime.date(1978, 3, 4), _rng)
    mapping = {**{k: v for k, v in MAPPING.items() if k not in ("credit_code", "category")}, "id_number": "身份证号码"}
    header = [*[h for h in HEADER if h not in ("统一社会信用代码", "主体类别")], "身份证号码"]
    good = {**{k: v for k, v in record("", "（2026）晋08执07").items() if k in header}, "被执行人名称": "赵六",
            "身份证号码": number}
    bad = {**good, "案号": "（2026）晋08执08", "身份证号码": number[:-1] + ("0" if number[-1] != "0" else "1")}
    source = source_(column_mapping=mapping)
    drop(drop_root, "p1.csv", csv_bytes([good, bad], header))
    refused = run(source)
    assert refused.state == "refused" and refused.report[0]["row"] == 2
    drop(drop_root, "p2.csv", csv_bytes([good], header))
    done = run(source)
    assert done.state == "done" and done.new_count == 1
    listing = Listing.objects.get()
    assert "*" in listing.person.id_number_masked and number not in listing.person.id_number_masked
    for kept in ImportRun.objects.all():
        assert number not in json.dumps(kept.report, ensure_ascii=False) and number[:-1] not in kept.error
