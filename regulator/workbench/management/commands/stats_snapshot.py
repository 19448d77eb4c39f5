"""Take (or retake) today's statistics snapshot now: ``manage.py stats_snapshot``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from regulator.workbench.stats import snapshot_take


class Command(BaseCommand):
    help = "生成当日统计快照（同一天重复生成则替换；过去日期的快照不可改写）。"

    def handle(self, *args, **options):
        written = snapshot_take()
        self.stdout.write(f"统计快照已生成：{written} 条。")
