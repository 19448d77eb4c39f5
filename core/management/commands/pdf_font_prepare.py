"""``manage.py pdf_font_prepare``: cut the embedded PDF font (core/pdf_font.py) before the service takes requests.

The cut takes seconds once per machine; done at start-up, the first PDF anyone asks for does not wait for it
(nor risk a web worker's timeout). Running it again when the font is there costs a checksum.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core import pdf_font


class Command(BaseCommand):
    help = "准备 PDF 内嵌字体（Noto Sans SC 常规体）：首次运行时由字体包生成，已存在时只做校验。"

    def handle(self, *args, **options):
        path = pdf_font.font_path()
        if options.get("verbosity", 1):
            self.stdout.write(f"PDF 字体：{path}（{path.stat().st_size // 1024} KiB）")
