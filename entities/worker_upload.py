"""Bulk upload of a firm's workers (家政服务员批量导入) from CSV or XLSX, all-or-nothing per file, with a per-row report.

The file has a header row naming its columns, in Chinese or English (``姓名``/``name``, ``身份证号码``/``id_number``,
``入职日期``/``started_on`` required; ``离职日期``, ``服务类型``, a health check's ``体检日期``, ``体检有效期至``,
``体检机构``, and a training's ``培训类型``, ``培训机构``, ``学时``, ``结业日期``, ``结业证书编号`` optional). Every
row is checked first; one bad row writes nothing and the report says what is wrong in each row. A good file is
written in one transaction. Uploading the same file again changes nothing: employments are keyed by (firm, ID hash,
first day), health checks by (person, date, expiry), trainings by (person, type, date, provider). ID numbers are
validated with python-stdnum (``cn.ric``) and only their keyed hash and masked form are stored or reported.

CSV is read as the listing imports read theirs (UTF-8 with or without BOM, else GB18030, a header row); XLSX with
openpyxl (read-only, cached values, the first sheet; ``defusedxml`` guards its XML parsing when installed).
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from entities.models import Entity
from entities.validators import mask_id_number, normalize_id_number, validate_id_number
from entities.worker_services import _firm, health_check_record, training_record, worker_register
from entities.workers import HealthCheck, TrainingKind, TrainingRecord

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

#: header (Chinese or English) -> field
COLUMNS = {
    "姓名": "name", "身份证号码": "id_number", "身份证号": "id_number", "入职日期": "started_on", "离职日期": "ended_on",
    "服务类型": "position", "体检日期": "health_checked_on", "体检有效期至": "health_expires_on",
    "体检机构": "health_institution", "培训类型": "training_kind", "培训机构": "training_provider",
    "学时": "training_hours", "结业日期": "training_completed_on", "结业证书编号": "training_certificate",
}
FIELDS = set(COLUMNS.values())
COLUMNS.update({name: name for name in FIELDS})
REQUIRED = ("name", "id_number", "started_on")
HEALTH = ("health_checked_on", "health_expires_on", "health_institution")
TRAINING = ("training_kind", "training_provider", "training_hours", "training_completed_on")
TRAINING_KINDS = {**{kind.value: kind.value for kind in TrainingKind}, **{str(kind.label): kind.value for kind in
                                                                           TrainingKind}}
DATES = ("started_on", "ended_on", "health_checked_on", "health_expires_on", "training_completed_on")


class UploadRejected(ValidationError):
    """The file as a whole cannot be read (a 400 naming ``file``)."""


def _reject(message: str) -> UploadRejected:
    return UploadRejected({"file": [message]})


def read_table(raw: bytes, filename: str) -> list[dict[str, Any]]:
    """The rows of a CSV or XLSX upload, keyed by field; UploadRejected for a file that is neither or is malformed."""
    if len(raw) > MAX_BYTES:
        raise _reject(_("文件超过 2 MB，请分批上传。"))
    name = (filename or "").lower()
    if raw[:4] == b"PK\x03\x04" or name.endswith(".xlsx"):
        header, rows = _xlsx(raw)
    elif name.endswith(".csv") or not name:
        header, rows = _csv(raw)
    else:
        raise _reject(_("只接受 CSV 或 XLSX 文件。"))
    fields = []
    for cell in header:
        key = COLUMNS.get(str(cell or "").strip())
        if key is None:
            raise _reject(_("未知的列：%(name)s。") % {"name": str(cell or "（空）")[:40]})
        fields.append(key)
    missing = [column for column in REQUIRED if column not in fields]
    if missing:
        raise _reject(_("缺少必填列：%(names)s。") % {"names": "、".join(missing)})
    if len(fields) != len(set(fields)):
        raise _reject(_("有重复的列。"))
    table = []
    for values in rows:
        if all(value in (None, "") for value in values):
            continue  # blank lines at the end of a sheet
        if len(values) > len(fields) and any(value not in (None, "") for value in values[len(fields):]):
            raise _reject(_("第 %(row)s 行的单元格多于表头。") % {"row": len(table) + 2})
        table.append(dict(zip(fields, list(values) + [None] * (len(fields) - len(values)), strict=False)))
        if len(table) > MAX_ROWS:
            raise _reject(_("一次最多导入 %(max)s 行。") % {"max": MAX_ROWS})
    if not table:
        raise _reject(_("文件中没有数据行。"))
    return table


def _csv(raw: bytes) -> tuple[list[Any], list[list[Any]]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _reject(_("无法识别文件编码（应为 UTF-8 或 GB18030/GBK）。"))
    if "\x00" in text:
        raise _reject(_("不是文本格式的 CSV 文件。"))
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise _reject(_("不是可读取的 CSV 文件：%(error)s") % {"error": exc}) from None
    if not lines:
        raise _reject(_("空文件：第一行须为列名。"))
    return lines[0], lines[1:]


def _xlsx(raw: bytes) -> tuple[list[Any], list[list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = [list(row) for _index, row in zip(range(MAX_ROWS + 2), sheet.iter_rows(values_only=True), strict=False)]
        workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError) as exc:
        raise _reject(_("不是可读取的 XLSX 文件。")) from exc
    except Exception as exc:  # openpyxl and defusedxml raise their own kinds for malformed or hostile XML
        raise _reject(_("不是可读取的 XLSX 文件。")) from exc
    if not rows:
        raise _reject(_("空文件：第一行须为列名。"))
    return rows[0], rows[1:]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("日期格式应为 2025-03-01。")) from None


def _clean_row(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    row: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in raw.items():
        if key in DATES:
            try:
                row[key] = _date(value)
            except ValueError as exc:
                errors[key] = [str(exc)]
        elif key == "id_number" and isinstance(value, (int, float)) and not isinstance(value, bool):
            errors[key] = [_("身份证号码须为文本格式（数字格式会丢失末尾数位）。")]
        else:
            row[key] = _text(value)
    for key in REQUIRED:
        if not row.get(key) and key not in errors:
            errors[key] = [_("必填。")]
    if row.get("id_number") and "id_number" not in errors:
        number = normalize_id_number(row["id_number"])
        try:
            validate_id_number(number)
        except ValidationError as exc:
            errors["id_number"] = exc.messages
        row["id_number"] = number
    if len(row.get("name") or "") > 100:
        errors["name"] = [_("姓名过长。")]
    for group, label in ((HEALTH, _("体检")), (TRAINING, _("培训"))):
        given = [key for key in group if row.get(key)]
        if given and len(given) != len(group):
            for key in group:
                if not row.get(key) and key not in errors:
                    errors[key] = [_("填写%(label)s信息时此项必填。") % {"label": label}]
    if row.get("training_kind") and row["training_kind"] not in TRAINING_KINDS:
        errors["training_kind"] = [_("应为：岗前培训、回炉培训或技能提升培训。")]
    if row.get("training_hours"):
        hours = row["training_hours"]
        if not hours.isdigit() or not 1 <= int(hours) <= 2000:
            errors["training_hours"] = [_("学时应为 1 至 2000 的整数。")]
    for first, last, label in (("started_on", "ended_on", _("入职日期")),
                               ("health_checked_on", "health_expires_on", _("体检日期"))):
        if row.get(first) and row.get(last) and row[last] < row[first]:
            errors[last] = [_("不得早于%(first)s。") % {"first": label}]
    return row, errors


def workers_upload(*, actor, entity: Entity, raw: bytes, filename: str, today: datetime.date | None = None
                   ) -> dict[str, Any]:
    """Check every row, then write all or nothing. The report: ``ok``, counts, and per row its ``status``
    (``created`` | ``updated`` | ``unchanged`` | ``error``), the masked ID number and the ``errors`` by field."""
    _firm(actor, entity, required=True)
    table = read_table(raw, filename)
    cleaned, report, keys = [], [], {}
    for number, raw_row in enumerate(table, start=2):  # row 1 is the header
        row, errors = _clean_row(raw_row)
        masked = mask_id_number(row["id_number"]) if row.get("id_number") and "id_number" not in errors else ""
        key = (row.get("id_number"), row.get("started_on"))
        if not errors and key in keys:
            errors["id_number"] = [_("与第 %(row)s 行是同一人同一入职日期。") % {"row": keys[key]}]
        keys.setdefault(key, number)
        cleaned.append(row)
        report.append({"row": number, "status": "error" if errors else "ok", "id_number_masked": masked,
                       "errors": errors})
    if not any(line["errors"] for line in report):
        try:
            _write(actor=actor, entity=entity, rows=cleaned, report=report, today=today)
        except _RowFailed:
            pass  # rolled back; the failing row's errors are in the report
    failed = sum(1 for line in report if line["errors"])
    if failed:
        for line in report:
            if not line["errors"]:
                line["status"] = "not_written"
    counts = {status: sum(1 for line in report if line["status"] == status)
              for status in ("created", "updated", "unchanged", "error", "not_written")}
    return {"ok": failed == 0, "entity": entity.pk, "rows": report, **counts}


class _RowFailed(Exception):
    pass


@transaction.atomic
def _write(*, actor, entity: Entity, rows: list[dict[str, Any]], report: list[dict[str, Any]], today) -> None:
    for row, line in zip(rows, report, strict=True):
        try:
            employment, status = worker_register(
                actor=actor, entity=entity, name=row["name"], id_number=row["id_number"],
                started_on=row["started_on"], ended_on=row.get("ended_on"), position=row.get("position") or "",
                today=today)
            extra = _file_entries(actor=actor, entity=entity, person=employment.person, row=row, today=today)
        except ValidationError as exc:
            line.update(status="error", errors=exc.message_dict if hasattr(exc, "error_dict") else
                        {"detail": exc.messages})
            transaction.set_rollback(True)
            raise _RowFailed from exc
        # a known employment whose row brings a new health check or training has been updated
        line.update(status="updated" if extra and status == "unchanged" else status,
                    person_id=employment.person_id, employment_id=employment.pk)


def _file_entries(*, actor, entity, person, row, today) -> bool:
    """The row's health check and training, unless already on file; True when something new was written."""
    wrote = False
    if row.get("health_checked_on"):
        exists = HealthCheck.objects.filter(person=person, checked_on=row["health_checked_on"],
                                            expires_on=row["health_expires_on"]).exists()
        if not exists:
            health_check_record(
                actor=actor, person=person, entity=entity, checked_on=row["health_checked_on"],
                expires_on=row["health_expires_on"], institution=row["health_institution"], today=today)
            wrote = True
    if row.get("training_kind"):
        kind = TRAINING_KINDS[row["training_kind"]]
        exists = TrainingRecord.objects.filter(person=person, kind=kind, completed_on=row["training_completed_on"],
                                               provider=row["training_provider"]).exists()
        if not exists:
            training_record(
                actor=actor, person=person, entity=entity, kind=kind, provider=row["training_provider"],
                hours=int(row["training_hours"]), completed_on=row["training_completed_on"],
                certificate_number=row.get("training_certificate") or "", today=today)
            wrote = True
    return wrote
