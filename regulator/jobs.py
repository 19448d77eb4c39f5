"""The regulator's kinds of background job, registered with the kernel (found by ``core.jobs.kinds``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import jobs
from regulator.lists import import_jobs

jobs.register(import_jobs.KIND, label=_("名单导入"), run=import_jobs.listings_import_job,
              may_view=import_jobs.may_view, field_labels=import_jobs.FIELD_LABELS)
