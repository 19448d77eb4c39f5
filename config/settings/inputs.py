"""Input limits: body sizes, date windows and the like.

Applied at the end of ``config.settings.base`` (``apply(globals())``): read and extend the settings there.

- ``config.api.request_guard.RequestGuardMiddleware`` goes first in ``MIDDLEWARE``: NUL in a path or query
  is a 400, a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` a 413, an unreachable database a 503, and every
  error under ``/api/`` the JSON error body; its pages are ``REQUEST_ERROR_VIEW``'s.
- ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (env ``DATA_UPLOAD_MAX_MEMORY_SIZE``, bytes; 5 MB): the largest body.
- The date window of every date input (``config.api.serializers.date_window``): from
  ``INPUT_DATE_EARLIEST`` (env, ISO date; 2000-01-01: nothing this register holds is older) to
  ``INPUT_DATE_YEARS_AHEAD`` (env; 10) years after today (licences and periods run for years, not decades).
"""

from __future__ import annotations

import datetime
import os
from typing import Any

GUARD = "config.api.request_guard.RequestGuardMiddleware"


def apply(settings: dict[str, Any]) -> None:
    middleware = [name for name in settings["MIDDLEWARE"] if name != GUARD]
    settings["MIDDLEWARE"] = [GUARD, *middleware]
    settings["REQUEST_ERROR_VIEW"] = "regulator.portal.errors.error_answer"

    size = os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE")
    settings["DATA_UPLOAD_MAX_MEMORY_SIZE"] = int(size) if size else settings.get(
        "DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

    settings["INPUT_DATE_EARLIEST"] = datetime.date.fromisoformat(os.environ.get("INPUT_DATE_EARLIEST", "2000-01-01"))
    settings["INPUT_DATE_YEARS_AHEAD"] = int(os.environ.get("INPUT_DATE_YEARS_AHEAD", "10"))

    hooks = settings["SPECTACULAR_SETTINGS"].setdefault("POSTPROCESSING_HOOKS", [])
    if "config.api.schema.postprocess_date_window" not in hooks:
        hooks.append("config.api.schema.postprocess_date_window")
