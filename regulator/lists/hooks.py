"""What the rooms above do when a listing's public face changes.

Lists sit below disclosure: a listing published, expired, removed, repaired or
imported is a new public data version (a ``PublicChange`` row, written by lists)
and must give new open-data files, but lists may not import disclosure.
Disclosure registers its listener here at start-up (``regulator.apps``); it runs
inside the writer's transaction and schedules its work after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LISTENERS: list[Callable[[Any, str], None]] = []


def listen_public_change(callback: Callable[[Any, str], None]) -> None:
    """Register ``callback(listing, change)``, called inside the transaction of every public change."""
    if callback not in LISTENERS:
        LISTENERS.append(callback)


def public_changed(listing, change: str) -> None:
    if not LISTENERS:  # fail closed: a public change nobody hears would leave the open data stale
        raise RuntimeError("no listener records public changes (regulator.apps registers disclosure's)")
    for callback in LISTENERS:
        callback(listing, change)
