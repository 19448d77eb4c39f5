"""定时导入的取数: a source's next file from its drop directory or its URL, read into records by its format.

* Drop directory: ``IMPORT_DROP_ROOT / location``, resolved and held inside the root (a symlink out of it is
  refused). The waiting files are the regular ones with the format's extension, oldest first; dotfiles and
  ``.part``/``.tmp`` files (still being written: write as ``x.csv.part`` and rename) are left alone. After the
  run the file is moved to ``processed/`` or ``failed/`` beside it, prefixed with the run's number, so it is
  read once.
* URL: http or https only (``file://`` and every other scheme refused, also after a redirect), streamed with
  ``httpx`` and cut off past ``IMPORT_SOURCE_MAX_BYTES`` or ``IMPORT_SOURCE_TIMEOUT_SECONDS`` in all.
* Formats: CSV as the admin's upload reads it (``import_files``: UTF-8 or GB18030/GBK, a header row); XLSX with
  openpyxl (the first sheet, cached values, a header row); JSON as an array of objects or ``{"rows": [...]}``.

Every failure is a :class:`FetchFailed` with a one-line Chinese message: the run records it and fails.
"""

from __future__ import annotations

import datetime
import io
import json
import shutil
import time
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from regulator.lists import import_files
from regulator.lists.import_sources import ImportSource, SourceFormat, location_validate

EXTENSIONS = {SourceFormat.CSV: ".csv", SourceFormat.XLSX: ".xlsx", SourceFormat.JSON: ".json"}
PROCESSED, FAILED = "processed", "failed"
_UNFINISHED_SUFFIXES = (".part", ".tmp", ".partial")
_MAX_REDIRECTS = 3


class FetchFailed(Exception):
    """The file could not be fetched or read: the run fails with this message and nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_SOURCE_MAX_BYTES", 20 * 1024 * 1024))


def timeout_seconds() -> float:
    return float(getattr(settings, "IMPORT_SOURCE_TIMEOUT_SECONDS", 30))


def _too_large() -> FetchFailed:
    return FetchFailed(_("文件过大（超过 %(n)s 字节），未导入。") % {"n": max_bytes()})


# ------------------------------------------------------------------ drop directory


def drop_directory(source: ImportSource) -> Path:
    """The source's directory, resolved, inside ``IMPORT_DROP_ROOT`` (else FetchFailed)."""
    location_validate(source.kind, source.location)
    root = Path(getattr(settings, "IMPORT_DROP_ROOT", "var/import-drop")).resolve()
    directory = (root / source.location).resolve()
    if directory != root and root not in directory.parents:
        raise FetchFailed(_("投放目录不在投放根目录之内。"))
    if not directory.is_dir():
        raise FetchFailed(_("投放目录不存在：%(dir)s。") % {"dir": source.location})
    return directory


def drop_files(source: ImportSource) -> list[Path]:
    """The files waiting in the source's directory, oldest first (then by name)."""
    directory = drop_directory(source)
    extension = EXTENSIONS[source.format]
    waiting = []
    for path in directory.iterdir():
        name = path.name
        if name.startswith(".") or name.lower().endswith(_UNFINISHED_SUFFIXES):
            continue
        if not name.lower().endswith(extension) or path.is_symlink() or not path.is_file():
            continue
        waiting.append(path)
    return sorted(waiting, key=lambda path: (path.stat().st_mtime, path.name))


def drop_file_read(path: Path) -> bytes:
    if path.stat().st_size > max_bytes():
        raise _too_large()
    return path.read_bytes()


def drop_file_settle(path: Path, *, ok: bool, run_id: int) -> Path | None:
    """Move the file read by run ``run_id`` to ``processed/`` (ok) or ``failed/``; None if it is gone."""
    if not path.exists():
        return None
    target_dir = path.parent / (PROCESSED if ok else FAILED)
    target_dir.mkdir(exist_ok=True)
    target = target_dir / f"{run_id}-{path.name}"
    shutil.move(str(path), str(target))
    return target


# ------------------------------------------------------------------ URL


def _file_name(url: str) -> str:
    name = unquote(PurePosixPath(urlsplit(url).path).name)
    return (name or urlsplit(url).hostname or "download")[:255]


def url_fetch(url: str) -> tuple[str, bytes]:
    """(file name, body) of a GET to ``url``: 200 only, at most ``max_bytes()``, within ``timeout_seconds()``."""
    location_validate("url", url)
    limit, budget = max_bytes(), timeout_seconds()
    deadline = time.monotonic() + budget
    try:
        with httpx.Client(timeout=budget, follow_redirects=True, max_redirects=_MAX_REDIRECTS,
                          trust_env=False) as client, client.stream("GET", url) as response:
            final = str(response.url)
            if urlsplit(final).scheme not in ("http", "https"):
                raise FetchFailed(_("重定向到了不支持的地址。"))
            if response.status_code != 200:
                raise FetchFailed(_("来源网址答复 HTTP %(code)s，未导入。") % {"code": response.status_code})
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limit:
                raise _too_large()
            body, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _too_large()
                if time.monotonic() > deadline:
                    raise FetchFailed(_("下载超时（%(s)s 秒），未导入。") % {"s": budget})
                body.append(chunk)
            return _file_name(final), b"".join(body)
    except FetchFailed:
        raise
    except httpx.TimeoutException:
        raise FetchFailed(_("下载超时（%(s)s 秒），未导入。") % {"s": budget}) from None
    except httpx.TooManyRedirects:
        raise FetchFailed(_("重定向次数过多，未导入。")) from None
    except httpx.UnsupportedProtocol:
        raise FetchFailed(_("重定向到了不支持的地址。")) from None
    except (httpx.HTTPError, OSError) as exc:
        raise FetchFailed(_("无法连接来源网址（%(error)s），未导入。") % {"error": type(exc).__name__}) from None


# ------------------------------------------------------------------ formats


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _csv(raw: bytes, encoding: str | None) -> list[dict[str, str]]:
    if raw.startswith(b"PK\x03\x04"):
        raise FetchFailed(_("文件是 Excel 工作簿（XLSX），而来源的格式为 CSV。"))
    try:
        text, _used = import_files.decode(raw, encoding or None)
        return import_files.read_rows(text)
    except ValueError as exc:
        raise FetchFailed(_("无法读取 CSV 文件（%(detail)s）。") % {"detail": exc}) from None


def _xlsx(raw: bytes) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        lines = [list(line) for line in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError):
        raise FetchFailed(_("不是可读取的 XLSX 文件。")) from None
    except Exception:  # openpyxl and its XML parser raise their own kinds for malformed or hostile files
        raise FetchFailed(_("不是可读取的 XLSX 文件。")) from None
    if not lines:
        raise FetchFailed(_("空文件：第一行须为列名。"))
    header = [_text(cell) for cell in lines[0]]
    records = []
    for line in lines[1:]:
        cells = [_text(cell) for cell in line]
        if any(cells[len(header):]):
            raise FetchFailed(_("第 %(n)s 条记录的单元格多于列名。") % {"n": len(records) + 1})
        records.append({name: cells[index] if index < len(cells) else "" for index, name in enumerate(header) if name})
    return records


def _json(raw: bytes) -> list[dict[str, str]]:
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise FetchFailed(_("不是可读取的 JSON 文件（应为 UTF-8）。")) from None
    if isinstance(data, dict):
        data = data.get("rows")
    if not isinstance(data, list):
        raise FetchFailed(_("JSON 文件应为记录的数组，或 {\"rows\": [...]}。"))
    records = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise FetchFailed(_("第 %(n)s 条记录应为对象。") % {"n": number})
        if any(isinstance(value, (dict, list)) for value in item.values()):
            raise FetchFailed(_("第 %(n)s 条记录的值应为文本或数字。") % {"n": number})
        records.append({str(key).strip(): _text(value) for key, value in item.items()})
    return records


def records_read(raw: bytes, *, format: str, encoding: str = "") -> list[dict[str, str]]:  # noqa: A002
    """The file's records as {column header: text}, in file order."""
    if format == SourceFormat.CSV:
        records = _csv(raw, encoding)
        return [{(key or "").strip().lstrip("\ufeff"): _text(value) for key, value in row.items()} for row in records]
    if format == SourceFormat.XLSX:
        return _xlsx(raw)
    if format == SourceFormat.JSON:
        return _json(raw)
    raise FetchFailed(_("不支持的文件格式。"))
