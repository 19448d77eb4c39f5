"""法律依据: the citations the service prints outside its rule sets, looked up by key and date.

The texts are data (``core.LegalCitation``, seeded by ``core/migrations/0005_seed_legal_citations.py`` and
kept by regulators in the admin), each checked against the copy of the regulation its ``source`` names
(decision 0014). Code names a key, never the text: a key with no citation in force is an error, not a
silently missing basis.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from core.models import LegalCitation


class CitationMissing(ImproperlyConfigured):
    pass


def cite(key: str, *, on: datetime.date | None = None) -> str:
    """The citation of ``key`` in force on ``on`` (today by default)."""
    day = on or timezone.localdate()
    citation = (LegalCitation.objects.filter(key=key, effective_from__lte=day).order_by("-effective_from")
                .values_list("text", flat=True).first())
    if citation is None:
        raise CitationMissing(f"no legal citation {key!r} in force on {day} (core.LegalCitation)")
    return citation
