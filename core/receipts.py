"""Signed receipts: "asked Q about subject S on as-of date D, against data version V: the answer was R".

Part of the kernel because every room that answers on the record signs with it: licence checks
(lists), public answers and reports (disclosure). The data version, the subject, the question and
the answer in words are the caller's; this module signs them and checks signatures.

A receipt's payload names what it proves in words (decision 0010): ``subject`` (the business by
credit code and name, or a person by masked name and masked ID number, or the list that was
searched), ``question`` (what was asked, as of which date, for which licence type), ``result``
(the answer in Chinese) and ``data_version``, beside the digests of the query and of the whole
answer. A genuine receipt of business A therefore never passes for business B: the verifier sees
A's name, and a verification that names B (``credit_code``) fails.

Two signatures over the same bytes, the payload's canonical JSON (sorted keys, no spaces, UTF-8):

- ``signature``: raw Ed25519 (base64) over those bytes, as since v1;
- ``jws``: the same payload as a JWS in compact serialization (RFC 7515, ``alg`` EdDSA, RFC 8037),
  which any JOSE library verifies with the JWK Set published at ``/.well-known/jwks.json``
  without re-creating the canonical JSON.

Ed25519 from ``cryptography``. The signing key comes from ``RECEIPT_SIGNING_KEY``
(base64 of a 32-byte seed); development and tests derive one from SECRET_KEY
so a fresh machine works, production must set its own.
"""

from __future__ import annotations

import base64
import functools
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
JOSE_ALGORITHM = "EdDSA"  # RFC 8037: Ed25519 signatures in JOSE
RECEIPT_FORMAT = 2  # 1: digests only; 2: subject, question and result in words
SUBJECT_TYPES = ("entity", "person", "list")

FAILURES = {
    "signature": "签名与回执内容不符：该回执不是本平台签发，或内容已被改动。",
    "result_mismatch": "回执与所附查询结果不符：结果已被改动，或不是该回执所证明的结果。",
    "subject_mismatch": "该回执针对的不是所核对的主体。",
    "no_subject": "该回执为旧版格式，未载明主体，不能证明针对哪一主体。",
}


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def digest(value: Any) -> str:
    return hashlib.sha256(canonical(value)).hexdigest()


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    if not isinstance(text, str) or not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=1)
def _key_pair() -> tuple[Ed25519PrivateKey, bytes]:
    return _key_of(getattr(settings, "RECEIPT_SIGNING_KEY", ""), settings.SECRET_KEY)


def _private_key() -> Ed25519PrivateKey:
    return _key_pair()[0]


@functools.lru_cache(maxsize=4)
def _key_of(configured: str, secret: str) -> tuple[Ed25519PrivateKey, bytes]:
    """The signing key and its raw public bytes, built once per configured key (a receipt asked for both
    about five times; a batch of 1,000 checks issues 1,000 receipts)."""
    seed = base64.b64decode(configured) if configured else hashlib.sha256(b"credit-receipts:" + secret.encode()).digest()
    key = Ed25519PrivateKey.from_private_bytes(seed[:32])
    return key, key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _public_raw() -> bytes:
    return _key_pair()[1]


def public_key_b64() -> str:
    return base64.b64encode(_public_raw()).decode()


def key_id() -> str:
    return hashlib.sha256(public_key_b64().encode()).hexdigest()[:16]


def jwk() -> dict[str, str]:
    """The public key as a JWK (RFC 8037 ``OKP`` / ``Ed25519``)."""
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(_public_raw()), "kid": key_id(), "alg": JOSE_ALGORITHM,
            "use": "sig"}


def jwks() -> dict[str, list[dict[str, str]]]:
    """The JWK Set served at ``/.well-known/jwks.json`` (RFC 7517 section 5)."""
    return {"keys": [jwk()]}


def _jws(payload_bytes: bytes) -> str:
    header = _b64url(canonical({"alg": JOSE_ALGORITHM, "kid": key_id()}))
    body = _b64url(payload_bytes)
    signature = _private_key().sign(f"{header}.{body}".encode())
    return f"{header}.{body}.{_b64url(signature)}"


def _words(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict) or not str(value.get("text") or "").strip():
        raise ValueError(f"a receipt's {what} must be an object with its words in 'text'")
    return value


def issue(*, kind: str, query: Any, result: Any, as_of: Any, version: int, subject: dict[str, Any],
          question: dict[str, Any], result_text: str) -> dict[str, Any]:
    """A receipt for one answer: who it is about, what was asked, the answer in words, when, at which data version.

    ``subject['type']`` is one of entity, person, list: an entity subject carries ``credit_code`` and ``name``,
    the others their words in ``text``; ``question`` has its words in ``text`` (its date is ``as_of``);
    ``result_text`` says the answer in Chinese. The digests of ``query`` and of the whole ``result`` are kept
    beside them. Kept short: the printed report's QR code carries the whole payload.
    """
    if not isinstance(subject, dict) or subject.get("type") not in SUBJECT_TYPES:
        raise ValueError(f"a receipt's subject must be an object whose type is one of {SUBJECT_TYPES}")
    if subject["type"] == "entity":
        if not subject.get("credit_code"):
            raise ValueError("an entity subject is named by its credit code (and its name, where registered)")
    else:
        _words(subject, "subject")
    if not str(result_text or "").strip():
        raise ValueError("a receipt must say its result in words")
    payload = {
        "kind": kind,
        "receipt_format": RECEIPT_FORMAT,
        "checked_at": timezone.now().isoformat(timespec="seconds"),
        "as_of": str(as_of),
        "data_version": version,
        "subject": subject,
        "question": _words(question, "question"),
        "result": str(result_text),
        "query_sha256": digest(query),
        "result_sha256": digest(result),
    }
    # Signed as it will be read back: through JSON, so dates and lazy strings are what a verifier sees.
    payload = json.loads(canonical(payload))
    message = canonical(payload)
    signature = _private_key().sign(message)
    return {"payload": payload, "signature": base64.b64encode(signature).decode(), "algorithm": ALGORITHM,
            "key_id": key_id(), "public_key": public_key_b64(), "jws": _jws(message)}


def _signature_holds(payload: Any, signature: Any) -> bool:
    try:
        raw = base64.b64decode(signature, validate=True)
        Ed25519PublicKey.from_public_bytes(_public_raw()).verify(raw, canonical(payload))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def payload_of_jws(token: Any) -> dict[str, Any] | None:
    """The payload of a compact JWS signed by this service's key, or None when it is not one."""
    try:
        header_b64, body_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url_decode(header_b64))
        if not isinstance(header, dict) or header.get("alg") != JOSE_ALGORITHM:
            return None
        Ed25519PublicKey.from_public_bytes(_public_raw()).verify(
            _b64url_decode(signature_b64), f"{header_b64}.{body_b64}".encode())
        payload = json.loads(_b64url_decode(body_b64))
    except (InvalidSignature, ValueError, TypeError, AttributeError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def verify(*, payload: Any, signature: str, result: Any = None) -> bool:
    """True when ``signature`` is ours over ``payload`` (and, if given, ``result`` matches its digest)."""
    return check(payload=payload, signature=signature, result=result)["valid"]


def check(*, payload: Any, signature: Any = None, result: Any = None, credit_code: str | None = None,
          signature_checked: bool = False) -> dict[str, Any]:
    """The verdict on a receipt: ``valid``, and when not, ``failure`` (a code of FAILURES) and ``message``.

    ``credit_code`` (already normalised by the caller) binds the check to one business: a receipt about any
    other subject, or one that names no subject (format 1), is then invalid. ``signature_checked`` is for a
    payload that came out of a verified JWS.
    """
    failure = None
    if not signature_checked and not _signature_holds(payload, signature):
        failure = "signature"
    elif result is not None and (not isinstance(payload, dict) or payload.get("result_sha256") != digest(result)):
        failure = "result_mismatch"
    elif credit_code is not None:
        subject = payload.get("subject") if isinstance(payload, dict) else None
        if not isinstance(subject, dict):
            failure = "no_subject"
        elif subject.get("credit_code") != credit_code:
            failure = "subject_mismatch"
    if failure is None:
        return {"valid": True}
    return {"valid": False, "failure": failure, "message": FAILURES[failure]}


def subject_text(subject: Any) -> str:
    """A receipt's subject in words: an entity by name and credit code, others by their own ``text``."""
    if not isinstance(subject, dict):
        return ""
    if subject.get("type") == "entity" and not subject.get("text"):
        code = subject.get("credit_code") or ""
        return f"{subject['name']}（统一社会信用代码 {code}）" if subject.get("name") else f"统一社会信用代码 {code}"
    return str(subject.get("text") or "")


def statement(payload: Any) -> dict[str, Any]:
    """What a valid receipt says, for a verification answer: subject, question, result in words, version, dates."""
    payload = payload if isinstance(payload, dict) else {}
    subject = payload.get("subject")
    question = payload.get("question")
    return {
        "kind": payload.get("kind"),
        "subject": subject if isinstance(subject, dict) else None,
        "subject_text": subject_text(subject) or None,
        "question": question if isinstance(question, dict) else None,
        "result": payload.get("result") if isinstance(payload.get("result"), str) else None,
        "data_version": payload.get("data_version"),
        "as_of": payload.get("as_of"),
        "checked_at": payload.get("checked_at"),
    }
