"""上传文件: photos and PDFs the public sends, checked by what they are, cleaned, and kept out of the web root.

Any feature that takes a file (a complaint's photos today) goes through three calls:

* :func:`prepare` reads one upload and refuses it unless its bytes are a JPEG, PNG, WebP or PDF within the
  size limit. The client's content type and file name are never believed: the first bytes are sniffed
  (decision 0019), and an image must then decode with Pillow. Images are re-encoded from their pixels,
  with the EXIF orientation applied and every metadata block dropped (EXIF and its GPS position above all,
  XMP, comments), so a photo taken at home does not tell where home is.
* :func:`store` writes the cleaned bytes under ``PRIVATE_MEDIA_ROOT`` (outside ``STATIC_ROOT``; nothing
  serves that folder) with a random name, and :func:`discarding_on_error` removes what a failed
  transaction wrote, so a refused submission leaves no file behind.
* :func:`file_response` answers a stored file to a caller the feature has already authorised for that
  object, with ``X-Content-Type-Options: nosniff``, a sandboxing CSP, no caching, and PDFs as downloads.

Settings: ``UPLOAD_MAX_BYTES`` (per file, 10 MB), ``UPLOAD_MAX_PIXELS`` (40 million), ``PRIVATE_MEDIA_ROOT``
(``var/private-media``).
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Kind:
    """One accepted kind of file: its name, content type, extension and the Pillow format (None: not an image)."""

    name: str
    content_type: str
    extension: str
    pillow_format: str | None


JPEG = Kind("jpeg", "image/jpeg", ".jpg", "JPEG")
PNG = Kind("png", "image/png", ".png", "PNG")
WEBP = Kind("webp", "image/webp", ".webp", "WEBP")
PDF = Kind("pdf", "application/pdf", ".pdf", None)
KINDS = {kind.name: kind for kind in (JPEG, PNG, WEBP, PDF)}
ACCEPT = ",".join(sorted({*(kind.content_type for kind in KINDS.values()), ".jpg", ".jpeg", ".png", ".webp",
                          ".pdf"}))
#: what the refusals call the accepted kinds
KIND_WORDS = "JPEG、PNG、WebP 图片或 PDF 文件"


def max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_pixels() -> int:
    return int(getattr(settings, "UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS))


def root() -> Path:
    return Path(getattr(settings, "PRIVATE_MEDIA_ROOT", Path(settings.BASE_DIR) / "var" / "private-media"))


def sniff(head: bytes) -> Kind | None:
    """The kind the first bytes announce (their magic numbers), or None for anything else."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    return None


@dataclass(frozen=True)
class PreparedUpload:
    """An upload that passed: the bytes to keep (re-encoded for images), what they are, and a digest."""

    content: bytes
    kind: Kind
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def original_name(name: str | None) -> str:
    """The client's file name reduced to its last part, printable and at most 120 characters (shown to staff)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[-120:] or "file"


def _clean_image(data: bytes, kind: Kind) -> bytes:
    """Decode, apply the EXIF orientation, and encode the pixels again without any metadata."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != kind.pillow_format:
                raise ValidationError(_("文件内容与其图片格式不符。"))
            width, height = probe.size
            if width * height > max_pixels():
                raise ValidationError(_("图片像素过多（不超过 %(limit)s 万像素）。") % {"limit": max_pixels() // 10_000})
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # an animation keeps its first frame
            image.load()
            upright = ImageOps.exif_transpose(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("图片已损坏或无法识别。")) from exc
    transparent = "A" in upright.mode or "transparency" in upright.info
    if transparent and upright.mode in ("P", "L", "LA", "PA", "RGB"):
        upright = upright.convert("RGBA")  # a palette's transparency lives in the metadata dropped below
    upright.info = {}  # EXIF (GPS), XMP, ICC, comments: nothing but the pixels is written
    if kind is JPEG and upright.mode not in ("RGB", "L", "CMYK"):
        upright = upright.convert("RGB")
    if kind is WEBP and upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA" if transparent else "RGB")
    out = io.BytesIO()
    options = {"JPEG": {"quality": 90, "optimize": True}, "PNG": {"optimize": True},
               "WEBP": {"quality": 90}}[kind.pillow_format]
    upright.save(out, kind.pillow_format, **options)
    return out.getvalue()


def _check_pdf(data: bytes) -> None:
    """A PDF must start with its header and end with its end-of-file marker (a truncated or disguised file
    does not)."""
    if b"%%EOF" not in data[-2048:]:
        raise ValidationError(_("PDF 文件不完整或已损坏。"))


def prepare(upload) -> PreparedUpload:
    """Check one uploaded file (a Django ``UploadedFile`` or any object with ``read``, ``name`` and ``size``).

    Raises ``ValidationError`` with a message for the person who chose the file: too large, empty, not a
    kind we take (whatever its name or content type says), or damaged.
    """
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError(_("文件过大：每个文件不超过 %(limit)s。") % {"limit": _megabytes(limit)})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(_("文件过大：每个文件不超过 %(limit)s。") % {"limit": _megabytes(limit)})
    if not data:
        raise ValidationError(_("文件是空的。"))
    kind = sniff(data[:16])
    if kind is None:
        raise ValidationError(_("只接受 %(kinds)s；该文件的内容不是其中之一。") % {"kinds": KIND_WORDS})
    if kind.pillow_format is not None:
        content = _clean_image(data, kind)
    else:
        _check_pdf(data)
        content = data
    return PreparedUpload(content=content, kind=kind, original_name=original_name(getattr(upload, "name", "")),
                          sha256=hashlib.sha256(content).hexdigest())


def _path(name: str) -> Path:
    """The stored file's path; a name that would lead outside the root is not found."""
    base = root().resolve()
    if not re.fullmatch(r"[a-z0-9_-]+/[0-9a-f]{2}/[0-9a-f]{32}\.[a-z]{3,4}", name or ""):
        raise Http404
    path = (base / name).resolve()
    if base not in path.parents:
        raise Http404
    return path


def store(prepared: PreparedUpload, *, folder: str) -> str:
    """Write the bytes under a random name in ``folder`` of the private root; returns the stored name."""
    if not re.fullmatch(r"[a-z0-9_-]+", folder):
        raise ValueError(f"folder {folder!r}")
    token = secrets.token_hex(16)
    name = f"{folder}/{token[:2]}/{token}{prepared.kind.extension}"
    path = root() / name
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(prepared.content)
    return name


def delete(name: str) -> None:
    """Remove a stored file (missing is fine: deleting twice is deleting)."""
    try:
        _path(name).unlink(missing_ok=True)
    except Http404:
        return


def exists(name: str) -> bool:
    try:
        return _path(name).is_file()
    except Http404:
        return False


@contextmanager
def discarding_on_error() -> Iterator[list[str]]:
    """Collect the names stored inside the block; if the block raises, delete them and re-raise.

    Wrap the outermost ``transaction.atomic()`` of a write in it (Django has no rollback hook), so a
    refused or failed submission leaves no orphan file on disk.
    """
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            delete(name)
        raise


def file_response(name: str, *, kind: Kind, download_name: str) -> FileResponse:
    """Answer a stored file to a caller already authorised for it; a missing file is a 404."""
    path = _path(name)
    if not path.is_file():
        raise Http404
    as_attachment = kind.pillow_format is None  # a PDF is downloaded, never rendered in the site's origin
    response = FileResponse(path.open("rb"), content_type=kind.content_type, as_attachment=as_attachment,
                            filename=download_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
