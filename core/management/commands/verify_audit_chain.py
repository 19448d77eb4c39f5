"""``manage.py verify_audit_chain``: recompute the audit hash chain, check every actor context and hold the
chain to the checkpoints published outside the database; report the first thing that does not hold."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core import audit_checkpoints
from core.audit import chain_identity, verify_chain
from core.database import roles


class Command(BaseCommand):
    help = "校验审计日志：哈希链、操作人签名、与库外公布的检查点是否一致，报告第一条不符的记录。"

    def add_arguments(self, parser):
        parser.add_argument("--checkpoints", type=Path, default=None,
                            help="a directory of published checkpoints to compare with (a mirror or a saved copy); "
                                 "default: where this service publishes them")

    def handle(self, *args, checkpoints: Path | None = None, **options):
        report = verify_chain(checkpoint_dir=checkpoints)
        chain_id, _signed_from = chain_identity()
        who = roles.describe(connection)
        self.stdout.write(f"chain {chain_id}: {report.entries} entries; connected as {who['role']} "
                          f"(superuser: {'yes' if who['superuser'] else 'no'}, owns {who['owned_tables']} tables)")
        self.stdout.write(f"published checkpoints compared: {report.checkpoints} "
                          f"({(checkpoints or audit_checkpoints.root()) / str(chain_id)})")
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        if report.unsigned:
            self.stdout.write(f"{report.unsigned} entries name no actor (migrations, shells)")
        if report.forged_count:
            self.stdout.write(self.style.ERROR(
                f"entries with a forged actor context ({report.forged_count}): "
                + ", ".join(str(entry_id) for entry_id in report.forged)))
        if not report.valid:
            raise CommandError(f"audit chain broken at entry {report.first_bad_id}: {report.problem} "
                               f"({report.entries} entries read)")
        self.stdout.write(self.style.SUCCESS(f"audit chain valid: {report.entries} entries"))
