"""Generate (or regenerate) a month's monitoring bulletin: ``manage.py bulletin 2026-11``."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from regulator.workbench.bulletin import bulletin_generate


def _month(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(f"{value}-01")
    except ValueError as exc:
        raise CommandError(f"月份应为 YYYY-MM：{value}") from exc


class Command(BaseCommand):
    help = "生成或重新生成某月的服务业动态监测信息快报（读取该月月末之后的第一份统计快照）。"

    def add_arguments(self, parser):
        parser.add_argument("month", type=_month, help="月份 YYYY-MM")

    def handle(self, *args, month, **options):
        bulletin = bulletin_generate(month)
        self.stdout.write(f"第{bulletin.issue}期（{bulletin.month:%Y年%-m月}）已生成，SHA-256 {bulletin.sha256}")
