"""Files the upload tests send: real images made with Pillow (one with a GPS position), a tiny PDF."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def jpeg_with_gps(size=(60, 40), orientation: int | None = None) -> bytes:
    """A JPEG whose EXIF holds a GPS position (运城, 35.03 N 111.0 E) and a camera owner."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.putpixel((0, 0), (0, 0, 255))
    exif = Image.Exif()
    exif[0x013B] = "王小明"  # Artist
    if orientation:
        exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (35.0, 1.0, 48.0), 3: "E", 4: (111.0, 0.0, 12.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "green").save(out, "PNG")
    return out.getvalue()


def webp_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "blue").save(out, "WEBP")
    return out.getvalue()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def attachment_for(complaint, *, content: bytes | None = None, name: str = "photo.png"):
    """One stored attachment (a PNG by default) on an existing complaint, written as the service writes it."""
    from complaints.attachments import ComplaintAttachment
    from core import uploads

    prepared = uploads.prepare(upload(content or png_bytes(), name, "image/png"))
    position = complaint.attachments.count() + 1
    return ComplaintAttachment.objects.create(
        complaint=complaint, position=position, kind=prepared.kind.name, size=prepared.size, sha256=prepared.sha256,
        stored_name=uploads.store(prepared, folder="complaints"), original_name=prepared.original_name)
