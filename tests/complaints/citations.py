"""The complaint procedure's citation keys, so its tests run whether or not the catalogue's seed has landed.

The service prints ``core.citations.cite(key)``; the seed (core/migrations/0005_seed_legal_citations.py) holds
the verified texts. Where a key has no row at all, a stand-in naming the regulation without an article is added
(the text is never asserted: tests compare documents with ``cite(key)``).
"""

from __future__ import annotations

import datetime

from core.models import LegalCitation

KEYS = ("complaint.accept_deadline", "complaint.reject_grounds", "complaint.late_filing",
        "complaint.pending_elsewhere", "complaint.decided_before", "complaint.outside_remit",
        "complaint.not_complaint", "complaint.transfer", "complaint.business_notice", "complaint.representatives",
        "complaint.mediation")


def ensure_complaint_citations() -> None:
    present = set(LegalCitation.objects.filter(key__in=KEYS).values_list("key", flat=True))
    LegalCitation.objects.bulk_create([
        LegalCitation(key=key, text=f"《旅游投诉处理办法》（{key}）", source="tests", effective_from=datetime.date(2000, 1, 1))
        for key in KEYS if key not in present])
