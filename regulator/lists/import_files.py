"""The files other departments send with shared listings: CSV with a header row, in whatever encoding.

Read by ``manage.py import_listings`` and by the admin's import page alike. Other departments send UTF-8
(with or without a BOM) or GB18030/GBK (what Excel on a Chinese Windows saves): the encoding is detected in
that order, or named. Whatever does not fit is a ``ValueError`` of one line. XLSX is not read: no XLSX
reader is among the service's dependencies (requirements/base.lock); Excel saves CSV.
"""

from __future__ import annotations

import csv
import io

#: tried in this order when no encoding is given; GB18030 is a superset of GBK and GB2312
DETECTED = ("utf-8-sig", "gb18030")


def decode(raw: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was read with; ValueError (one line) when none fits."""
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
        except UnicodeDecodeError as exc:
            raise ValueError(f"not {encoding}: undecodable byte at offset {exc.start}") from None
    for candidate in DETECTED:
        try:
            return raw.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    raise ValueError("neither UTF-8 nor GB18030/GBK; name the file's encoding with --encoding")


def read_rows(text: str) -> list[dict[str, str]]:
    """The CSV's rows as dicts keyed by its header; ValueError (one line) for a file that is not such a CSV."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as exc:
        raise ValueError(f"not a readable CSV file: {exc}") from None
    if not reader.fieldnames:
        raise ValueError("empty file: the first row must name the fields")
    for number, row in enumerate(rows, start=1):
        if any(cell.strip() for cell in row.get(None) or []):  # more cells than the header names
            raise ValueError(f"data row {number} has more cells than the header has fields")
        row.pop(None, None)
    return rows
