"""``manage.py import_listings FILE.csv``: shared listings from another authority (idempotent, all or nothing)."""

from __future__ import annotations

import csv
import json

from django.core.management.base import BaseCommand, CommandError
from rest_framework.exceptions import ValidationError
from tqdm import tqdm

from regulator.lists.imports import listings_import


class Command(BaseCommand):
    help = "导入其他部门已认定的名单（CSV，UTF-8，首行为字段名；按 source_authority + source_reference 幂等）。"

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.DictReader(handle))
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        with tqdm(total=len(rows), unit="row", disable=options.get("verbosity", 1) == 0) as bar:
            try:
                summary = listings_import(rows, progress=bar.update)
            except ValidationError as exc:
                raise CommandError(json.dumps(exc.detail, ensure_ascii=False, default=str)) from exc
        self.stdout.write(self.style.SUCCESS(f"{summary['created']} created, {summary['existing']} already present"))
