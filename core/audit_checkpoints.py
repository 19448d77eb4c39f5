"""审计检查点的公布: the chain's head (count, id, hash, time), signed with Ed25519, published as files.

A checkpoint in the database proves nothing against whoever can rewrite the database. So each one is
also written, signed, under ``EXPORTS_DIR/audit/checkpoints/<chain id>/`` (``<day>.json`` and
``latest.json``), where the open-data mirror and anyone who fetched it keep a copy: a history rewritten
and re-chained from some entry on, or cut short, no longer matches a checkpoint published before, and the
signature keeps a forged file from passing. Anyone can check a file with the public key inside it against
the key the authority publishes (``public_key_b64``).

The key mirrors ``core.receipts``: ``AUDIT_CHECKPOINT_SIGNING_KEY`` (base64 of a 32-byte seed); without it a
key is derived from ``RECEIPT_SIGNING_KEY`` (required in production) or, in development and tests, from
``SECRET_KEY``. ``AUDIT_CHECKPOINT_PREVIOUS_KEYS`` lists former public keys, so a rotation does not orphan
what was published before it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from core.receipts import canonical

ALGORITHM = "Ed25519"
KIND = "audit-checkpoint"
logger = logging.getLogger(__name__)


def _private_key() -> Ed25519PrivateKey:
    configured = getattr(settings, "AUDIT_CHECKPOINT_SIGNING_KEY", "")
    if configured:
        seed = base64.b64decode(configured)
    else:
        parent = getattr(settings, "RECEIPT_SIGNING_KEY", "")
        material = base64.b64decode(parent) if parent else settings.SECRET_KEY.encode()
        seed = hashlib.sha256(b"credit-audit-checkpoints:" + material).digest()
    return Ed25519PrivateKey.from_private_bytes(seed[:32])


def public_key_b64() -> str:
    raw = _private_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def key_id(public_key: str | None = None) -> str:
    return hashlib.sha256((public_key or public_key_b64()).encode()).hexdigest()[:16]


def trusted_keys() -> list[str]:
    return [public_key_b64(), *getattr(settings, "AUDIT_CHECKPOINT_PREVIOUS_KEYS", [])]


def root() -> Path:
    configured = getattr(settings, "AUDIT_CHECKPOINT_DIR", "")
    return Path(configured) if configured else Path(settings.EXPORTS_DIR) / "audit" / "checkpoints"


def payload_of(row, *, chain_id: str) -> dict[str, Any]:
    """What a checkpoint states: this chain had ``entry_count`` entries ending in ``head_id``/``head_hash``."""
    return {"kind": KIND, "chain": chain_id, "day": row.day.isoformat(), "entry_count": row.entry_count,
            "head_id": row.head_id, "head_hash": row.head_hash, "taken_at": row.created_at.isoformat()}


def sign(payload: dict[str, Any]) -> dict[str, Any]:
    signature = _private_key().sign(canonical(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode(), "algorithm": ALGORITHM,
            "key_id": key_id(), "public_key": public_key_b64()}


def signature_valid(document: Any) -> bool:
    """True when ``document`` is a checkpoint signed by our key (or a former one)."""
    if not isinstance(document, dict) or document.get("algorithm") != ALGORITHM:
        return False
    payload = document.get("payload")
    if not isinstance(payload, dict) or payload.get("kind") != KIND:
        return False
    for public in trusted_keys():
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(public)).verify(
                base64.b64decode(document.get("signature", ""), validate=True), canonical(payload))
        except (InvalidSignature, ValueError, TypeError):
            continue
        return True
    return False


def _write(path: Path, document: dict[str, Any]) -> None:
    """Atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".checkpoint-", suffix=".json")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=2, sort_keys=True)
        out.write("\n")
    os.replace(temporary, path)


def publish(row, *, chain_id: str, directory: Path | None = None) -> Path:
    """Write ``<day>.json`` (never overwriting a different one: that is evidence) and ``latest.json``."""
    folder = (directory or root()) / chain_id
    payload = payload_of(row, chain_id=chain_id)
    path = folder / f"{payload['day']}.json"
    if path.exists():
        try:
            existing = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            existing = None
        if isinstance(existing, dict) and existing.get("payload") != payload:
            logger.error("audit checkpoint %s already published with other content; kept as it is", path)
            return path
    document = sign(payload)
    _write(path, document)
    latest = folder / "latest.json"
    try:
        newest = json.loads(latest.read_text(encoding="utf-8"))["payload"]["head_id"]
    except (OSError, ValueError, KeyError, TypeError):
        newest = None
    if newest is None or payload["head_id"] >= newest:
        _write(latest, document)
    return path


def latest(chain_id: str, *, directory: Path | None = None) -> dict[str, Any] | None:
    """The newest published checkpoint of this chain (``latest.json``), e.g. for the open-data manifest."""
    try:
        return json.loads(((directory or root()) / chain_id / "latest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def published(chain_id: str, *, directory: Path | None = None) -> list[tuple[Path, Any]]:
    """Every published checkpoint file of this chain, parsed (``None`` where a file does not parse)."""
    folder = (directory or root()) / chain_id
    if not folder.is_dir():
        return []
    documents = []
    for path in sorted(folder.glob("*.json")):
        try:
            documents.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            documents.append((path, None))
    return documents


@dataclass
class Comparison:
    checked: int = 0
    problem: str = ""
    bad_id: int | None = None
    notes: list[str] = field(default_factory=list)


def compare(connection, *, chain_id: str, directory: Path | None = None) -> Comparison:
    """Hold the chain in the database to every checkpoint published for it."""
    result = Comparison()
    seen: set[str] = set()
    for path, document in published(chain_id, directory=directory):
        if not signature_valid(document):
            result.problem = f"published checkpoint {path.name} is not signed by the service's checkpoint key"
            return result
        payload = document["payload"]
        if payload.get("chain") != chain_id:
            result.problem = f"published checkpoint {path.name} belongs to another chain"
            return result
        if canonical(payload).decode() in seen:  # latest.json repeats a day's file
            continue
        seen.add(canonical(payload).decode())
        result.checked += 1
        head_id, day = payload["head_id"], payload["day"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT hash, (SELECT count(*) FROM audit_entry WHERE id <= %s) FROM audit_entry "
                           "WHERE id = %s", [head_id, head_id])
            row = cursor.fetchone()
        if row is None:
            result.problem = (f"the checkpoint published for {day} ends at entry {head_id}, which is gone: "
                              "the history was cut short")
        elif row[0] != payload["head_hash"]:
            result.problem = (f"entry {head_id} no longer has the hash published for {day}: the history up to it "
                              "was rewritten and re-chained")
        elif row[1] != payload["entry_count"]:
            result.problem = (f"{payload['entry_count']} entries up to {head_id} were published for {day}, "
                              f"the chain now has {row[1]}: entries were removed or added")
        if result.problem:
            result.bad_id = head_id
            return result
    if not result.checked:
        result.notes.append(f"no checkpoint published yet in {(directory or root()) / chain_id}")
    return result
