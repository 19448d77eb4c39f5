"""The edge of the service: client identity behind proxies, throttles, logins, tokens, the cache and its fallback.

Applied at the end of ``config.settings.base`` (``apply(globals())``): read and extend the settings there.
"""

from __future__ import annotations

import os  # noqa: F401
from typing import Any


def apply(settings: dict[str, Any]) -> None:
    """Nothing yet."""
