"""Bulk upload of a firm's workers from CSV or XLSX: all or nothing per file, a report per row, idempotent."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook

from entities.workers import Employment, HealthCheck, TrainingRecord
from tests.support import api_client, page_client, today

from .worker_fixtures import id_number

pytestmark = pytest.mark.django_db

HEADER = "姓名,身份证号码,入职日期,服务类型,体检日期,体检有效期至,体检机构,培训类型,培训机构,学时,结业日期"


def _csv(rows: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


def _row(number: str, name: str = "王秀英", started: datetime.date | None = None) -> str:
    start = (started or today() - datetime.timedelta(days=30)).isoformat()
    return f"{name},{number},{start},育婴员,{start},{(today() + datetime.timedelta(days=300)).isoformat()}," \
           f"运城市中心医院,岗前培训,运城市家政培训学校,40,{start}"


def _upload(client, entity, raw: bytes, name: str = "workers.csv"):
    upload = io.BytesIO(raw)
    upload.name = name
    return client.post("/api/v1/workers/upload/", {"entity": entity.pk, "file": upload}, format="multipart")


def test_a_csv_upload_registers_every_row_and_again_changes_nothing(owner_a, firm_a):
    numbers = [id_number() for _ in range(3)]
    raw = _csv([_row(number, name) for number, name in zip(numbers, ["王秀英", "李娟", "赵敏"], strict=True)])
    client = api_client(owner_a)
    first = _upload(client, firm_a, raw)
    assert first.status_code == 200, first.json()
    report = first.json()
    assert report["ok"] and report["created"] == 3
    assert [line["row"] for line in report["rows"]] == [2, 3, 4]
    assert report["rows"][0]["id_number_masked"] == numbers[0][:4] + "*" * 10 + numbers[0][-4:]
    assert numbers[0] not in first.content.decode()
    assert Employment.objects.filter(entity=firm_a).count() == 3
    assert HealthCheck.objects.count() == 3 and TrainingRecord.objects.count() == 3

    again = _upload(client, firm_a, raw).json()
    assert again["ok"] and again["unchanged"] == 3 and again["created"] == 0
    assert Employment.objects.count() == 3 and HealthCheck.objects.count() == 3 and TrainingRecord.objects.count() == 3


def test_one_bad_row_writes_nothing_and_the_report_names_it(owner_a, firm_a):
    good, bad = id_number(), "140802199001011235"  # wrong check digit
    answer = _upload(api_client(owner_a), firm_a, _csv([_row(good), _row(bad, "李娟")]))
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "upload_rejected" and body["ok"] is False
    assert body["rows"][0]["status"] == "not_written" and body["rows"][0]["errors"] == {}
    assert body["rows"][1]["status"] == "error" and "id_number" in body["rows"][1]["errors"]
    assert Employment.objects.count() == 0 and HealthCheck.objects.count() == 0


def test_a_row_failing_on_write_rolls_back_the_rows_before_it(owner_a, firm_a):
    number = id_number()
    start = today() - datetime.timedelta(days=30)
    rows = [_row(id_number()), _row(number, started=start), _row(number, started=start + datetime.timedelta(days=5))]
    answer = _upload(api_client(owner_a), firm_a, _csv(rows))  # the third overlaps the second's open employment
    assert answer.status_code == 400
    assert answer.json()["rows"][2]["status"] == "error" and "started_on" in answer.json()["rows"][2]["errors"]
    assert Employment.objects.count() == 0


def test_the_same_worker_twice_in_a_file_is_reported(owner_a, firm_a):
    number = id_number()
    answer = _upload(api_client(owner_a), firm_a, _csv([_row(number), _row(number)]))
    assert answer.status_code == 400 and "id_number" in answer.json()["rows"][1]["errors"]


def test_duplicate_workers_resolve_by_id_hash_across_firms(owner_a, owner_b, firm_a, firm_b):
    number = id_number()
    _upload(api_client(owner_a), firm_a, _csv([_row(number, started=today() - datetime.timedelta(days=300))]))
    a_employment = Employment.objects.get()
    a_employment.ended_on = today() - datetime.timedelta(days=100)
    a_employment.save()
    answer = _upload(api_client(owner_b), firm_b, _csv([_row(number, "王秀英")]))
    assert answer.status_code == 200
    assert Employment.objects.filter(person_id=a_employment.person_id).count() == 2


def test_an_xlsx_upload_works_and_a_numeric_id_cell_is_refused(owner_a, firm_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号码", "入职日期"])
    sheet.append(["王秀英", id_number(), today() - datetime.timedelta(days=3)])
    sheet.append(["李娟", id_number(), (today() - datetime.timedelta(days=2)).isoformat()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    answer = _upload(api_client(owner_a), firm_a, buffer.getvalue(), "workers.xlsx")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["created"] == 2

    sheet.append(["赵敏", 140802199001011234, today()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    refused = _upload(api_client(owner_a), firm_a, buffer.getvalue(), "workers.xlsx")
    assert refused.status_code == 400 and "id_number" in refused.json()["rows"][2]["errors"]


def test_a_gb18030_csv_is_read(owner_a, firm_a):
    answer = _upload(api_client(owner_a), firm_a, _csv([_row(id_number())], encoding="gb18030"))
    assert answer.status_code == 200 and answer.json()["created"] == 1


@pytest.mark.parametrize("raw, name", [
    (b"\x89PNG\r\n\x1a\n", "photo.png"),
    (b"PK\x03\x04not a zip", "workers.xlsx"),
    ("姓名,身份证号码\n王秀英,1\n".encode(), "workers.csv"),  # the start date column is missing
    ("姓名,身份证号码,入职日期,电话\n".encode(), "workers.csv"),  # an unknown column (and no phone is taken)
    ("姓名,身份证号码,入职日期\n".encode(), "workers.csv"),  # no rows
])
def test_a_file_that_is_not_a_workers_table_is_a_400_naming_the_file(owner_a, firm_a, raw, name):
    answer = _upload(api_client(owner_a), firm_a, raw, name)
    assert answer.status_code == 400 and "file" in answer.json()
    assert Employment.objects.count() == 0


def test_a_firm_uploads_only_for_its_own_firm(owner_a, firm_b):
    answer = _upload(api_client(owner_a), firm_b, _csv([_row(id_number())]))
    assert answer.status_code == 400 and "entity" in answer.json()
    assert Employment.objects.count() == 0


def test_the_upload_page_shows_the_report_per_row(owner_a, firm_a):
    client = page_client(owner_a)
    bad = io.BytesIO(_csv([_row(id_number()), _row("140802199001011235", "李娟")]))
    bad.name = "workers.csv"
    page = client.post("/business/workers/upload/", {"entity": firm_a.pk, "file": bad})
    body = page.content.decode()
    assert page.status_code == 400 and "未导入任何数据" in body and "身份证号码：" in body and "id_number" not in body
    good = io.BytesIO(_csv([_row(id_number())]))
    good.name = "workers.csv"
    page = client.post("/business/workers/upload/", {"entity": firm_a.pk, "file": good})
    assert page.status_code == 200 and "导入完成：新增 1 行" in page.content.decode()
    assert client.get("/business/workers/").status_code == 200
