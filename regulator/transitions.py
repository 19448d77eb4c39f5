"""名单正当程序: the listing lifecycle in one table (DOMAIN.md, Due process).

proposed -> notified (告知书) -> decided (认定决定书) -> published (公示)
-> expired | removed | repaired; withdrawn from any state before published.
"""

from __future__ import annotations

from regulator.models import ListingStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PROPOSED, "notify"): S.NOTIFIED,
    (S.NOTIFIED, "decide"): S.DECIDED,
    (S.DECIDED, "publish"): S.PUBLISHED,
    (S.PUBLISHED, "expire"): S.EXPIRED,
    (S.PUBLISHED, "remove"): S.REMOVED,
    (S.PUBLISHED, "repair"): S.REPAIRED,
    (S.PROPOSED, "withdraw"): S.WITHDRAWN,
    (S.NOTIFIED, "withdraw"): S.WITHDRAWN,
    (S.DECIDED, "withdraw"): S.WITHDRAWN,
}

# Actions a regulator takes through the API; expire runs nightly, repair follows a granted application.
API_ACTIONS = ("notify", "decide", "publish", "remove", "withdraw")
# Deciding and publishing wait for the objection window to pass and every objection to be answered.
WINDOW_GUARDED = {"decide", "publish"}
OPEN_STATES = {S.PROPOSED, S.NOTIFIED, S.DECIDED, S.PUBLISHED}
ENDED_STATES = {S.EXPIRED, S.REMOVED, S.REPAIRED}
