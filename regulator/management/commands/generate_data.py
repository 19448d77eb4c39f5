"""``manage.py generate_data --entities N``: a synthetic province written with COPY, with a progress bar."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from tqdm import tqdm

from regulator.demo.synthetic import Seen, batched, generate
from regulator.demo.synthetic_reviews import review_marks, synthetic_reviews


class Command(BaseCommand):
    help = ("生成合成数据（主体、人员、许可、投诉、检查、发现与信用事件；家政企业另有约 5 名家政服务员及其从业登记、"
            "身份核验、体检、培训与居家上门服务证），用于规模测试与基准。")

    def add_arguments(self, parser):
        parser.add_argument("--entities", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--batch", type=int, default=20_000, help="entities per transaction")

    def handle(self, *args, entities: int, seed: int, batch: int, **options):
        started = time.perf_counter()
        totals: dict[str, int] = {}
        seen = Seen.from_database()
        marks = review_marks()  # the orders and reviews below are for this run's workers and complaints only
        with tqdm(total=entities, unit="entity", disable=options.get("verbosity", 1) == 0) as bar:
            for index, size in enumerate(batched(entities, batch)):
                counts = generate(entities=size, seed=seed + index, progress=bar.update, seen=seen)  # a transaction each
                for key, value in vars(counts).items():
                    totals[key] = totals.get(key, 0) + value
        for key, value in vars(synthetic_reviews(seed=seed, since=marks)).items():
            totals[key] = totals.get(key, 0) + value
        elapsed = time.perf_counter() - started
        summary = ", ".join(f"{key} {value:,}" for key, value in totals.items())
        self.stdout.write(self.style.SUCCESS(f"generated in {elapsed:.1f}s: {summary}"))
