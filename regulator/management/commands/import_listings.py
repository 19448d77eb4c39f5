"""``manage.py import_listings FILE.csv``: shared listings from another authority (idempotent, all or nothing).

The file is CSV with a header row. Other departments send UTF-8 (with or without a BOM) or GB18030/GBK
(what Excel on a Chinese Windows saves): the encoding is detected in that order, or named with
``--encoding``. Whatever goes wrong (no file, an encoding that does not fit, a broken CSV, rows refused,
the database) ends in one line on stderr and exit status 1, never a traceback.

Every write is attributed: ``--actor USERNAME`` (default: the operating-system user running the command)
goes into the audit context of the connection (``core.audit.set_context``) with the endpoint
``manage.py import_listings``, and, when it is the username of an account, the listings are created by it.
"""

from __future__ import annotations

import getpass
import json
import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from rest_framework.exceptions import ValidationError
from tqdm import tqdm

from core import audit
from regulator.lists.import_files import DETECTED, decode, read_rows  # noqa: F401  (DETECTED: re-exported)
from regulator.lists.imports import listings_import

ENDPOINT = "manage.py import_listings"


def os_user() -> str:
    """The operating-system account running the command (its uid where it has no name)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER (a bare container)
        return f"uid:{os.getuid()}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


class Command(BaseCommand):
    help = ("导入其他部门已认定的名单（CSV，首行为字段名；UTF-8（可带 BOM）或 GB18030/GBK，自动识别或用 --encoding 指定；"
            "按 source_authority + source_reference 幂等；--actor 记入审计）。")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--encoding", default=None,
                            help="the file's encoding (default: UTF-8 with or without BOM, else GB18030/GBK)")
        parser.add_argument("--actor", default=None,
                            help="who is importing, recorded in the audit trail (default: the OS user)")

    def handle(self, *args, file: str, encoding: str | None = None, actor: str | None = None, **options):
        try:
            raw = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(_one_line(f"cannot read {file}: {exc.strerror or exc}")) from None
        try:
            text, used = decode(raw, encoding)
            rows = read_rows(text)
        except ValueError as exc:
            raise CommandError(_one_line(f"{file}: {exc}")) from None

        name = (actor or "").strip() or os_user()
        try:
            account = get_user_model().objects.filter(username=name).first()
            context = audit.user_context(account) if account is not None else {
                "user_id": None, "username": name, "role": "command_line"}
            audit.clear_context()  # nothing of an earlier use of this connection
            audit.set_context(**context, endpoint=f"{ENDPOINT} {Path(file).name}"[:300], os_user=os_user())
            with tqdm(total=len(rows), unit="row", disable=options.get("verbosity", 1) == 0) as bar:
                summary = listings_import(rows, actor=account, progress=bar.update)
        except ValidationError as exc:
            raise CommandError(json.dumps(exc.detail, ensure_ascii=False, default=str)) from None
        except DatabaseError as exc:
            raise CommandError(_one_line(f"database error, nothing imported: {exc}")) from None
        finally:
            try:
                audit.clear_context()
            except DatabaseError:
                pass
        self.stdout.write(self.style.SUCCESS(
            f"{summary['created']} created, {summary['existing']} already present ({used}, actor {name})"))
