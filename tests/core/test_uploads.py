"""Uploads (core.uploads): the type is what the bytes are, images lose their metadata, files stay private."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from PIL import Image

from core import uploads
from tests.support.upload_files import GPS_IFD, PDF, jpeg_with_gps, png_bytes, upload, webp_bytes


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def test_the_four_kinds_are_told_by_their_bytes():
    assert uploads.prepare(upload(jpeg_with_gps())).kind is uploads.JPEG
    assert uploads.prepare(upload(png_bytes(), "a.png", "image/png")).kind is uploads.PNG
    assert uploads.prepare(upload(webp_bytes(), "a.webp", "image/webp")).kind is uploads.WEBP
    assert uploads.prepare(upload(PDF, "a.pdf", "application/pdf")).kind is uploads.PDF


def test_a_png_renamed_pdf_is_a_png():
    prepared = uploads.prepare(upload(png_bytes(), "receipt.pdf", "application/pdf"))
    assert prepared.kind is uploads.PNG and prepared.kind.content_type == "image/png"
    assert prepared.content.startswith(b"\x89PNG")


def test_a_script_sent_as_image_jpeg_is_refused():
    script = b"#!/bin/sh\nrm -rf /\n"
    with pytest.raises(ValidationError) as refused:
        uploads.prepare(upload(script, "photo.jpg", "image/jpeg"))
    assert "JPEG、PNG、WebP" in refused.value.messages[0]
    html = b"<html><script>alert(1)</script></html>"
    with pytest.raises(ValidationError):
        uploads.prepare(upload(html, "photo.png", "image/png"))


def test_a_file_that_only_starts_like_a_jpeg_is_refused():
    with pytest.raises(ValidationError) as refused:
        uploads.prepare(upload(b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 10))
    assert "损坏" in refused.value.messages[0]


def test_a_png_claimed_by_its_bytes_but_a_jpeg_inside_is_refused():
    # the PNG signature in front of a JPEG body: the format Pillow finds must be the one announced
    with pytest.raises(ValidationError):
        uploads.prepare(upload(b"\x89PNG\r\n\x1a\n" + jpeg_with_gps()[8:]))


def test_a_truncated_pdf_is_refused():
    with pytest.raises(ValidationError) as refused:
        uploads.prepare(upload(b"%PDF-1.4\n1 0 obj<<>>endobj\n", "a.pdf", "application/pdf"))
    assert "PDF" in refused.value.messages[0]


def test_size_limit_at_both_sides(settings):
    settings.UPLOAD_MAX_BYTES = len(PDF)
    assert uploads.prepare(upload(PDF, "a.pdf")).size == len(PDF)  # exactly the limit
    with pytest.raises(ValidationError) as refused:
        uploads.prepare(upload(PDF + b" ", "a.pdf"))  # one byte over
    assert "过大" in refused.value.messages[0]


def test_an_oversize_file_is_refused_without_trusting_its_declared_size(settings):
    settings.UPLOAD_MAX_BYTES = 1024
    big = io.BytesIO(b"%PDF-" + b"0" * 5000 + b"%%EOF")
    big.name = "big.pdf"  # no .size: the bytes read decide
    with pytest.raises(ValidationError):
        uploads.prepare(big)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError) as refused:
        uploads.prepare(upload(b"", "empty.jpg"))
    assert "空" in refused.value.messages[0]


def test_exif_gps_is_stripped_and_orientation_applied():
    original = jpeg_with_gps(size=(60, 40), orientation=6)  # 6: rotate 90° clockwise to display
    with Image.open(io.BytesIO(original)) as before:
        assert before.getexif().get_ifd(GPS_IFD)  # the test photo really has a position
    prepared = uploads.prepare(upload(original))
    with Image.open(io.BytesIO(prepared.content)) as after:
        exif = after.getexif()
        assert dict(exif) == {} and not exif.get_ifd(GPS_IFD)
        assert "exif" not in after.info and "xmp" not in after.info
        assert after.size == (40, 60)  # upright: the orientation was applied, not just dropped
    assert b"\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e" not in prepared.content  # the owner's name is gone too


def test_too_many_pixels_are_refused_before_decoding(settings):
    settings.UPLOAD_MAX_PIXELS = 20 * 20
    assert uploads.prepare(upload(png_bytes((20, 20)), "a.png")).kind is uploads.PNG
    with pytest.raises(ValidationError) as refused:
        uploads.prepare(upload(png_bytes((21, 20)), "a.png"))
    assert "像素" in refused.value.messages[0]


def test_stored_files_get_random_names_in_the_private_root(settings):
    prepared = uploads.prepare(upload(png_bytes(), "../../etc/passwd.png"))
    first, second = uploads.store(prepared, folder="complaints"), uploads.store(prepared, folder="complaints")
    assert first != second and "passwd" not in first and first.endswith(".png")
    path = settings.PRIVATE_MEDIA_ROOT / first
    assert path.read_bytes() == prepared.content
    assert (path.stat().st_mode & 0o777) == 0o600
    assert prepared.original_name == "passwd.png"
    uploads.delete(first)
    assert not path.exists() and uploads.exists(second)


def test_the_private_root_is_outside_the_static_root_by_default():
    from config.settings import base

    assert base.PRIVATE_MEDIA_ROOT == base.BASE_DIR / "var" / "private-media"
    assert base.STATIC_ROOT not in base.PRIVATE_MEDIA_ROOT.parents and base.PRIVATE_MEDIA_ROOT != base.STATIC_ROOT


def test_discarding_on_error_removes_what_the_block_wrote(settings):
    prepared = uploads.prepare(upload(png_bytes(), "a.png"))
    with pytest.raises(RuntimeError), uploads.discarding_on_error() as written:
        written.append(uploads.store(prepared, folder="complaints"))
        raise RuntimeError("the transaction failed")
    assert not uploads.exists(written[0])
    assert list((settings.PRIVATE_MEDIA_ROOT / "complaints").rglob("*.png")) == []


def test_the_response_sniffs_nothing_and_downloads_pdfs(settings):
    pdf = uploads.store(uploads.prepare(upload(PDF, "a.pdf")), folder="complaints")
    response = uploads.file_response(pdf, kind=uploads.PDF, download_name="complaint-1-1.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"] and "no-store" in response["Cache-Control"]
    image = uploads.store(uploads.prepare(upload(png_bytes(), "a.png")), folder="complaints")
    shown = uploads.file_response(image, kind=uploads.PNG, download_name="complaint-1-2.png")
    assert shown["Content-Disposition"].startswith("inline;") and shown["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("name", ["../secret.png", "complaints/../../x.png", "/etc/passwd", "complaints/zz/abc.png"])
def test_a_name_outside_the_scheme_is_not_found(name):
    with pytest.raises(Http404):
        uploads.file_response(name, kind=uploads.PNG, download_name="x.png")
