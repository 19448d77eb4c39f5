"""名单导入任务: an import too large for the web request is checked for shape, staged and run as a job.

``POST /api/v1/listings/import/`` with more than ``LISTING_IMPORT_SYNC_MAX_ROWS`` rows (200), and every
upload through the admin, call :func:`listings_import_submit`: within a second it refuses a body of the
wrong shape (a 400 naming the row and the field), seals the ID numbers (``imports.rows_seal``), stages the
rows with a queued job (``core.jobs``) and answers 202. The worker then runs :func:`listings_import_job`:
the same validation and the same writes as the synchronous path (``regulator.lists.imports``), all or
nothing, with its progress visible throughout (decision 0017).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.api.exceptions import RuleViolation
from core import jobs
from core.models import Job
from regulator.lists import imports

KIND = "listings_import"
#: rows answered at once; above this many the import is a job (setting ``LISTING_IMPORT_SYNC_MAX_ROWS``)
SYNC_MAX_ROWS = 200
#: the Chinese names of the fields a report names (the admin's job page)
FIELD_LABELS = {
    "row": gettext_lazy("记录"), "credit_code": gettext_lazy("统一社会信用代码"), "id_number": gettext_lazy("身份证号"),
    "name": gettext_lazy("名称或姓名"), "list_type": gettext_lazy("名单类型"), "reason": gettext_lazy("列入事由"),
    "legal_basis": gettext_lazy("法律依据"), "decided_on": gettext_lazy("认定日期"),
    "published_on": gettext_lazy("公示日期"), "expires_on": gettext_lazy("期满日期"),
    "source_authority": gettext_lazy("来源机关"), "source_reference": gettext_lazy("来源文号"),
    "decision_number": gettext_lazy("认定决定书文号"), "measures": gettext_lazy("惩戒或激励措施"),
    "category": gettext_lazy("类别"), "region_code": gettext_lazy("行政区划代码"), "ground": gettext_lazy("列入依据"),
}


def sync_max_rows() -> int:
    return int(getattr(settings, "LISTING_IMPORT_SYNC_MAX_ROWS", SYNC_MAX_ROWS))


def may_view(user) -> bool:
    """Besides its submitter, every regulator sees an import job (regulators are who may import)."""
    return bool(getattr(user, "is_regulator", False))


def _shape(rows: Any, fields: Iterable[str]) -> list[dict[str, Any]]:
    """The rows if the body has the shape of an import: a list of 1 to MAX_ROWS objects of text values."""
    if not isinstance(rows, list):
        raise RuleViolation({"rows": [_("应为记录的列表（JSON 数组，或 {\"rows\": [...]}）。")]})
    if not rows:
        raise RuleViolation({"rows": [_("至少导入一条记录。")]})
    if len(rows) > imports.MAX_ROWS:
        raise RuleViolation({"rows": [_("一次最多导入 %(n)s 条。") % {"n": imports.MAX_ROWS}]})
    errors: dict[str, dict[str, list[str]]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors[str(index)] = {"row": [_("每条记录应为对象。")]}
        elif problems := imports.row_type_errors(row, fields):
            errors[str(index)] = problems
    if errors:
        raise RuleViolation({"rows": errors})
    return rows


def listings_import_submit(rows: Any, *, actor, endpoint: str = "", client_ip: str | None = None,
                           fields: Iterable[str] = imports.FIELDS) -> Job:
    """Accept an import as a job: the shape checked, the rows sealed and staged, the job queued after commit.

    ``fields``: the row fields taken (the API takes those its synchronous path takes); others are dropped.
    """
    fields = tuple(fields)
    sealed = imports.rows_seal(_shape(rows, fields), fields)
    # Each row is validated, then written: two units of work per row.
    return jobs.job_submit(kind=KIND, data=sealed, items=len(sealed), total=2 * len(sealed), actor=actor,
                           endpoint=endpoint, client_ip=client_ip)


def listings_import_job(context: jobs.JobContext) -> None:
    """The job: every row validated (progress committed per chunk), then all written in one transaction
    (progress in the cache while it is open), "done" committed with the rows. A bad row anywhere fails the
    job with the per-row report and nothing written."""
    rows = context.data
    cleaned, errors = imports.rows_validate(rows, progress=lambda units: context.advance(units, phase="validate"))
    if errors:
        raise jobs.JobFailed(_("%(bad)s 条记录未通过校验（共 %(total)s 条），未导入任何记录。")
                             % {"bad": len(errors), "total": len(rows)}, report={"rows": errors})
    try:
        imports.rows_apply(cleaned, actor=context.actor,
                           progress=lambda units: context.note(units, phase="apply"),
                           finish=lambda summary: context.complete(summary, report={"rows": {}}))
    except RuleViolation as refused:  # a row that validated but no longer fits the registry: nothing written
        raise jobs.JobFailed(_("写入时记录被拒，未导入任何记录。"), report=refused.detail) from refused
