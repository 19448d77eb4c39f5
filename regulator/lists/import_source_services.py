"""定时导入的运行: queue a source's run, run it (fetch, map, import, end), and queue the sources that are due.

A run reads one file (``import_source_fetch``), maps its columns by the source's mapping and defaults, and hands
the rows to the shared-listing import unchanged (``imports.rows_seal`` / ``rows_validate`` / ``rows_apply``):
the same validation, the same idempotence on (source_authority, source_reference), and the same all-or-nothing
rule: one refused row refuses the whole file, nothing is written, and the run reports every refused row with
its reason. A file accepted is written in one transaction together with, for a ``snapshot`` source, the end
of every published listing this authority imported that the file no longer holds (the existing ``remove``
step, reason 来源机关撤销), and with the run's own "done": a run that fails halfway leaves nothing.

A file identical (SHA-256) to the one of the source's last completed run is skipped (``unchanged_file``). A
drop directory's file is moved to ``processed/`` or ``failed/`` once its run has committed, so it is read once;
a directory holding more files queues the next run at once.

One run per source at a time: at most one queued or running run per source (a partial unique constraint),
and the run holds a PostgreSQL advisory lock on its source for its whole length, on its own session, as
``core.jobs`` does for jobs: a second delivery does nothing, and a worker that dies releases the lock, so the
minute's beat (:func:`import_sources_queue_due`) can tell a run whose worker is gone and fail it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from config.api.exceptions import RuleViolation
from core import audit
from core.transitions import authenticated
from regulator.lists import import_jobs, imports
from regulator.lists import import_source_fetch as fetch
from regulator.lists import tasks as lists_tasks
from regulator.lists.import_source_selectors import import_sources_due
from regulator.lists.import_sources import (
    UNFINISHED_STATES,
    ImportRun,
    ImportSource,
    RunState,
    RunTrigger,
    SourceKind,
    SourceMode,
    location_validate,
    mapping_validate,
)
from regulator.lists.models import Listing, ListingStatus
from regulator.lists.services import listing_remove

logger = logging.getLogger(__name__)

#: ``pg_try_advisory_lock(LOCK_CLASS, source id)``: the two-key space of import-source leases
LOCK_CLASS = 7243312
#: a queued run never sent is sent again after this long; one sent this long ago is taken as lost
QUEUED_GRACE_SECONDS = 10
RESEND_AFTER_SECONDS = 600
#: why a listing missing from a snapshot ends (the ``remove`` step's reason)
ENDED_REASON = "来源机关撤销"


# ------------------------------------------------------------------ sources


@transaction.atomic
def import_source_create(*, actor, **fields: Any) -> ImportSource:
    """A new source, its location, mapping and defaults checked fail-closed (``ImportSource.clean``)."""
    source = ImportSource(**fields, created_by=authenticated(actor))
    source.full_clean()
    source.save()
    return source


# ------------------------------------------------------------------ queueing


def _send(run_id: int) -> bool:
    """Put the run on the queue; with the broker down, log it and leave the run to the beat (never raise)."""
    try:
        lists_tasks.run_import_source.delay(run_id)
    except (BrokerError, OSError, ConnectionError) as exc:
        logger.warning("broker unavailable, import run %s left queued for the beat: %s", run_id, exc)
        return False
    ImportRun.objects.filter(pk=run_id, state=RunState.QUEUED).update(enqueued_at=timezone.now())
    return True


@transaction.atomic
def import_source_queue(*, source: ImportSource, actor=None, trigger: str = RunTrigger.MANUAL) -> ImportRun:
    """A queued run of ``source`` (sent to a worker after commit), or its unfinished run if it has one."""
    source = ImportSource.objects.select_for_update().get(pk=source.pk)
    unfinished = source.runs.filter(state__in=UNFINISHED_STATES).order_by("pk").first()
    if unfinished is not None:
        return unfinished
    run = ImportRun.objects.create(source=source, trigger=trigger, requested_by=authenticated(actor))
    transaction.on_commit(lambda: _send(run.pk))
    return run


def _held_leases() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2 "
                       "AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                       [LOCK_CLASS])
        return {int(row[0]) for row in cursor.fetchall()}


def import_sources_queue_due(*, now=None) -> list[int]:
    """Every minute (beat): runs left behind recovered, then one run queued per due source; their ids."""
    now = now or timezone.now()
    held = _held_leases()
    for run in ImportRun.objects.filter(state__in=UNFINISHED_STATES).only(
            "pk", "source_id", "state", "queued_at", "enqueued_at"):
        if run.source_id in held:
            continue
        if run.state == RunState.RUNNING:  # its worker died: its transaction rolled back with it
            _finish(run, RunState.FAILED, error=_("运行中断（工作进程退出），未完成的写入已撤销；将按计划重新运行。"))
        elif (run.enqueued_at is None and run.queued_at <= now - timedelta(seconds=QUEUED_GRACE_SECONDS)) or (
                run.enqueued_at is not None and run.enqueued_at <= now - timedelta(seconds=RESEND_AFTER_SECONDS)):
            _send(run.pk)
    return [import_source_queue(source=source, trigger=RunTrigger.SCHEDULE).pk
            for source in import_sources_due(now=now)]


# ------------------------------------------------------------------ running


@contextmanager
def _lease(source_id: int) -> Iterator[bool]:
    """Hold the source's advisory lock for the block (False: another session runs it)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_CLASS, source_id % 2_147_483_647])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_CLASS, source_id % 2_147_483_647])


def _audit_context(source: ImportSource, run: ImportRun | None) -> None:
    """The run's writes are the system's (or the requester's, for a run asked for by hand)."""
    user = run.requested_by if run is not None and run.requested_by_id else None
    who = audit.user_context(user) if user else {"user_id": None, "username": None, "role": "system"}
    audit.clear_context()
    where = f"import source {source.pk}" + (f" (run {run.pk})" if run is not None else "")
    audit.set_context(**who, ip=None, endpoint=where, task="regulator.lists.tasks.run_import_source")


@transaction.atomic
def _claim(source: ImportSource, run: ImportRun | None, trigger: str) -> ImportRun | None:
    """The run to carry out, now ``running`` (None: it finished already, a second delivery)."""
    source = ImportSource.objects.select_for_update().get(pk=source.pk)
    if run is not None:
        run = ImportRun.objects.select_for_update().filter(pk=run.pk, source=source).first()
        if run is None or run.state not in UNFINISHED_STATES:
            return None
    else:  # asked directly: the queued run, or one left running by a dead worker (the lease is ours now)
        run = source.runs.select_for_update().filter(state__in=UNFINISHED_STATES).first()
        if run is None:
            run = ImportRun.objects.create(source=source, trigger=trigger, state=RunState.RUNNING)
    now = timezone.now()
    run.state, run.started_at = RunState.RUNNING, now
    run.save(update_fields=["state", "started_at"])
    ImportSource.objects.filter(pk=source.pk).update(last_run_at=now)
    return run


def _finish(run: ImportRun, state: str, **fields: Any) -> None:
    fields = {"state": state, "finished_at": timezone.now(), **fields}
    if "error" in fields:
        fields["error"] = str(fields["error"])[:5000]
    ImportRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)


def import_source_run(*, source: ImportSource, run: ImportRun | None = None,
                      trigger: str = RunTrigger.MANUAL) -> ImportRun | None:
    """Carry out one run of ``source`` (its queued run, or ``run``); None when another session runs it.

    Never raises for what a file or a remote server does: the run ends ``done``, ``unchanged_file``,
    ``no_file``, ``refused`` or ``failed`` with its error, and nothing of a run that did not finish is written.
    """
    with _lease(source.pk) as held:
        if not held:
            return None
        _audit_context(source, run)
        run = _claim(source, run, trigger)
        if run is None:
            return None
        _audit_context(source, run)
        source.refresh_from_db()
        path, ok = None, False
        try:
            location_validate(source.kind, source.location)
            mapping_validate(source.column_mapping, source.defaults)
            path, name, raw = _next_file(source)
            if raw is None:
                _finish(run, RunState.NO_FILE)
                return run
            ok = _import_file(source, run, name, raw)
        except fetch.FetchFailed as exc:
            _finish(run, RunState.FAILED, error=exc.message)
        except ValidationError as exc:  # the source's settings no longer hold (edited outside the admin)
            _finish(run, RunState.FAILED, error=_("导入来源设置有误：%(error)s") % {"error": "；".join(exc.messages)})
        except Exception as exc:  # a bug or an outage: the run says so instead of hanging in "running"
            logger.exception("import run %s of source %s failed", run.pk, source.pk)
            _finish(run, RunState.FAILED, error=_("运行出错（%(error)s），未完成的写入已撤销。") % {"error": type(exc).__name__})
        finally:
            if path is not None:
                try:
                    fetch.drop_file_settle(path, ok=ok, run_id=run.pk)
                except OSError:
                    logger.exception("import run %s: %s not moved", run.pk, path)
    if source.kind == SourceKind.DROP_DIR and path is not None and _more_files(source):
        import_source_queue(source=source, trigger=RunTrigger.BACKLOG)
    return run


def _more_files(source: ImportSource) -> bool:
    try:
        return bool(fetch.drop_files(source))
    except fetch.FetchFailed:
        return False


def _next_file(source: ImportSource):
    """(the drop file's path or None, the file name, its bytes or None when nothing is waiting)."""
    if source.kind == SourceKind.URL:
        name, raw = fetch.url_fetch(source.location)
        return None, name, raw
    waiting = fetch.drop_files(source)
    if not waiting:
        return None, "", None
    path = waiting[0]
    return path, path.name, fetch.drop_file_read(path)


def _import_file(source: ImportSource, run: ImportRun, name: str, raw: bytes) -> bool:
    """Read, map, validate and write the file; True when the run ends well (done or unchanged file)."""
    digest = hashlib.sha256(raw).hexdigest()
    _finish(run, RunState.RUNNING, file_name=name[:255], file_sha256=digest, file_bytes=len(raw), finished_at=None)
    last = (ImportRun.objects.filter(source=source, state=RunState.DONE).exclude(pk=run.pk)
            .order_by("-pk").values_list("file_sha256", flat=True).first())
    if last == digest:
        _finish(run, RunState.UNCHANGED_FILE)
        return True
    records = fetch.records_read(raw, format=source.format, encoding=source.encoding)
    rows, positions = rows_map(source, records)
    cleaned, errors = imports.rows_validate(imports.rows_seal(rows))
    if errors:
        _refuse(run, source, errors, cleaned, positions)
        return False
    try:
        with transaction.atomic():
            summary = imports.rows_apply(cleaned, actor=None)
            ended = _end_missing(source, run, cleaned) if source.mode == SourceMode.SNAPSHOT else []
            report = [{"row": positions[index], "reference": result["source_reference"],
                       "outcome": "new" if result["result"] == "created" else "unchanged",
                       "listing_id": result["listing_id"],
                       "reason": "" if result["result"] == "created" else _("已导入过（来源机关与来源文号相同），未重复写入。")}
                      for index, result in enumerate(summary["results"])]
            _finish(run, RunState.DONE, rows_total=len(cleaned), new_count=summary["created"],
                    unchanged_count=summary["existing"], ended_count=len(ended), refused_count=0,
                    report=report + ended)
    except RuleViolation as refused:  # a row that validated but no longer fits the registry: nothing written
        detail = refused.detail.get("rows") if isinstance(refused.detail, dict) else None
        _refuse(run, source, detail if isinstance(detail, dict) else {}, cleaned, positions)
        return False
    return True


def rows_map(source: ImportSource, records: list[dict[str, str]]) -> tuple[list[dict[str, str]], list[int]]:
    """The import rows the file's records make (mapped, defaulted, the source's authority), and each row's
    position in the file (1 = the first record); blank records are skipped. A mapped column the file does not
    have fails the run, naming it."""
    mapping, defaults = source.column_mapping, source.defaults
    if not records:
        raise fetch.FetchFailed(_("文件中没有记录：未导入，也未移出任何记录。"))
    headers = set().union(*(record.keys() for record in records))
    missing = [f"「{header}」（{target}）" for target, header in mapping.items() if header not in headers]
    if missing:
        raise fetch.FetchFailed(_("文件缺少映射的列：%(columns)s。") % {"columns": "、".join(missing)})
    rows, positions = [], []
    for position, record in enumerate(records, start=1):
        if not any(value for value in record.values()):
            continue
        row = {target: record[header] for target, header in mapping.items() if record.get(header)}
        for target, value in defaults.items():
            row.setdefault(target, value)
        row["source_authority"] = source.source_authority
        rows.append(row)
        positions.append(position)
    if not rows:
        raise fetch.FetchFailed(_("文件中没有记录：未导入，也未移出任何记录。"))
    if len(rows) > imports.MAX_ROWS:
        raise fetch.FetchFailed(_("一次最多导入 %(n)s 条，文件中有 %(count)s 条。") % {"n": imports.MAX_ROWS,
                                                                             "count": len(rows)})
    return rows, positions


def _reason(problems: dict[str, list[str]], mapping: dict[str, str]) -> str:
    parts = []
    for field, messages in problems.items():
        label = str(import_jobs.FIELD_LABELS.get(field, field))
        if field in mapping:
            label = _("%(label)s（文件列「%(column)s」）") % {"label": label, "column": mapping[field]}
        parts.append(f"{label}：{''.join(str(message) for message in messages)}")
    return "；".join(parts)


def _refuse(run: ImportRun, source: ImportSource, errors: dict[str, Any], cleaned: list[dict[str, Any]],
            positions: list[int]) -> None:
    """The file refused as a whole: every refused row reported with its reasons, nothing written."""
    report = []
    for key, problems in sorted(errors.items(), key=lambda item: int(item[0]) if str(item[0]).isdigit() else -1):
        index = int(key) if str(key).isdigit() else None
        row = cleaned[index] if index is not None and index < len(cleaned) else {}
        report.append({"row": positions[index] if index is not None and index < len(positions) else None,
                       "reference": str(row.get("source_reference") or "")[:200], "outcome": "refused",
                       "listing_id": None,
                       "reason": _reason(problems, source.column_mapping) if isinstance(problems, dict) else str(problems)})
    _finish(run, RunState.REFUSED, rows_total=len(cleaned), new_count=0, unchanged_count=0, ended_count=0,
            refused_count=len(report), report=report,
            error=_("%(bad)s 条记录被拒（共 %(total)s 条），整份文件未导入。") % {"bad": len(report), "total": len(cleaned)})


def _end_missing(source: ImportSource, run: ImportRun, cleaned: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Snapshot: the published listings this authority imported that the file no longer holds are removed."""
    references = {row["source_reference"] for row in cleaned}
    gone = (Listing.objects.filter(source_type="import", source_authority=source.source_authority,
                                   status=ListingStatus.PUBLISHED)
            .exclude(source_reference__in=references).order_by("pk").values_list("pk", "source_reference"))
    reason = _("%(why)s（定时导入来源「%(source)s」第 %(run)s 次运行：来源机关的完整名单中已无此记录）") % {
        "why": ENDED_REASON, "source": source.name, "run": run.pk}
    ended = []
    for listing_id, reference in gone:
        listing_remove(listing_id=listing_id, reason=reason, actor=None)
        ended.append({"row": None, "reference": reference, "outcome": "ended", "listing_id": listing_id,
                      "reason": reason})
    return ended
