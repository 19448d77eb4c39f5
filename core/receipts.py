"""Signed receipts: "checked at T against data version V, result R", verifiable by anyone.

Part of the kernel because every room that answers on the record signs with it: licence checks
(lists), public answers and reports (disclosure). The data version is the caller's.

Ed25519 from ``cryptography``. The signing key comes from ``RECEIPT_SIGNING_KEY``
(base64 of a 32-byte seed); development and tests derive one from SECRET_KEY
so a fresh machine works, production must set its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils import timezone

ALGORITHM = "Ed25519"


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


@lru_cache(maxsize=1)
def _private_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "RECEIPT_SIGNING_KEY", "")
    seed = base64.b64decode(configured) if configured else hashlib.sha256(
        b"credit-receipts:" + settings.SECRET_KEY.encode()).digest()
    return Ed25519PrivateKey.from_private_bytes(seed[:32])


def public_key_b64() -> str:
    raw = _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id() -> str:
    return hashlib.sha256(public_key_b64().encode()).hexdigest()[:16]


def issue(*, kind: str, query: Any, result: Any, as_of: Any, version: int) -> dict[str, Any]:
    """A receipt for one answer: what was asked, when, against which data version, and a digest of the answer."""
    payload = {
        "kind": kind,
        "checked_at": timezone.now().isoformat(timespec="seconds"),
        "as_of": str(as_of),
        "data_version": version,
        "query_sha256": digest(query),
        "result_sha256": digest(result),
    }
    signature = _private_key().sign(canonical(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode(), "algorithm": ALGORITHM,
            "key_id": key_id(), "public_key": public_key_b64()}


def verify(*, payload: Any, signature: str, result: Any = None) -> bool:
    """True when ``signature`` is ours over ``payload`` (and, if given, ``result`` matches its digest)."""
    try:
        raw = base64.b64decode(signature, validate=True)
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64()))
        public.verify(raw, canonical(payload))
    except (InvalidSignature, ValueError, TypeError):
        return False
    if result is not None and (not isinstance(payload, dict) or payload.get("result_sha256") != digest(result)):
        return False
    return True
