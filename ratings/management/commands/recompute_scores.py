"""``manage.py recompute_scores``: full recompute in chunks, here or fanned out to Celery workers."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ratings.models import RecomputeRun
from ratings.services import (
    DEFAULT_CHUNK_SIZE,
    pending_chunks,
    recompute_chunk,
    recompute_dispatch,
    recompute_plan,
)


class Command(BaseCommand):
    help = "全量重算信用分（分块、幂等，可续跑）。"

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE)
        parser.add_argument("--resume", type=int, metavar="RUN_ID", help="finish the pending chunks of a run")
        parser.add_argument("--celery", action="store_true", help="send the chunks to the Celery workers")

    def handle(self, *args, chunk_size: int, resume: int | None, celery: bool, **options):
        if resume:
            run = RecomputeRun.objects.filter(pk=resume).first()
            if run is None:
                raise CommandError(f"no recompute run {resume}")
        else:
            run = recompute_plan(reason="manage.py recompute_scores", chunk_size=chunk_size)
        pending = pending_chunks(run)
        if celery:
            recompute_dispatch(run_id=run.pk)
            self.stdout.write(f"run {run.pk}: {len(pending)} chunks sent to the workers")
            return
        started = time.perf_counter()
        scored = 0
        for index in tqdm(pending, unit="chunk", disable=options.get("verbosity", 1) == 0):
            scored += recompute_chunk(run_id=run.pk, index=index)
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"run {run.pk}: {scored:,} entities scored in {elapsed:.1f}s"))
