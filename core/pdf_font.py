"""The typeface of every PDF the service prints (PDF 字体): Noto Sans SC Regular, embedded as a subset.

Why a font file and not the Adobe-GB1 CID font ``STSong-Light`` the PDFs used to name: a font named by
reference is drawn by the reader from its own fonts, and a reader without them (Debian's poppler without
poppler-data, many phone viewers) shows blank pages and empty boxes. A font embedded in the file prints the
same everywhere. ReportLab embeds only TrueType outlines (glyf), so the font comes from the PyPI package
``justmytype-intl-cjk``, which ships Google Fonts' ``NotoSansSC[wght].ttf`` (TrueType outlines, SIL Open
Font License 1.1, 30,890 characters: GB 18030's common set, Latin, the CJK and full-width punctuation).

That file is a variable font whose default instance is Thin, and ReportLab reads only the default outlines,
so the Regular instance (wght 400) is cut from it once with fontTools' instancer (about 10 s) and kept in
``settings.PDF_FONT_DIR`` under a name carrying the source file's SHA-256: every process and every machine
derives the same file from the installed package, and a new package version derives a new one. See
docs/decisions/0020-embedded-pdf-font.md.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import tempfile
import threading
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PACKAGE = "justmytype_intl_cjk"
SOURCE = "ofl/notosanssc/NotoSansSC[wght].ttf"
WEIGHT = 400
#: tables ReportLab never reads (it lays out one glyph per character, horizontally): dropped from the cut
_UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "STAT", "vhea", "vmtx", "VORG", "gasp", "prep", "fpgm", "cvt ")

_lock = threading.Lock()


def _fonts_dir() -> Path:
    try:
        return Path(str(resources.files(PACKAGE) / "fonts"))
    except ModuleNotFoundError as error:
        raise ImproperlyConfigured(
            "The PDF font package justmytype-intl-cjk is not installed (requirements/base.lock).") from error


def source_path() -> Path:
    """The variable Noto Sans SC file of the installed package."""
    path = _fonts_dir() / SOURCE
    if not path.is_file():
        raise ImproperlyConfigured(f"The PDF font {SOURCE} is missing from {PACKAGE}.")
    return path


def licence_path() -> Path:
    """The SIL Open Font License 1.1 that travels with the font (it allows embedding and redistribution)."""
    return source_path().parent / "OFL.txt"


def _source_sha256() -> str:
    """The source file's digest as the package's manifest records it, checked against the file itself."""
    manifest = json.loads((_fonts_dir() / "pack_manifest.json").read_text(encoding="utf-8"))
    recorded = next(font["sha256"] for font in manifest["fonts"] if font["path"] == SOURCE)
    actual = hashlib.sha256(source_path().read_bytes()).hexdigest()
    if actual != recorded:  # fail closed: a damaged or swapped file is never cut into the service's font
        raise ImproperlyConfigured(f"{SOURCE} does not match its recorded SHA-256.")
    return actual


def _cut(source: Path, target: Path) -> None:
    """The static Regular instance of ``source``, written atomically to ``target``."""
    from fontTools.ttLib import TTFont  # only when the cut is missing: a few seconds, once per machine
    from fontTools.varLib import instancer

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its step-by-step INFO lines say nothing to us
    font = TTFont(source)
    for tag in _UNUSED_TABLES:
        if tag in font:
            del font[tag]
    font = instancer.instantiateVariableFont(font, {"wght": WEIGHT}, updateFontNames=False)
    font["name"].setName("Noto Sans SC Regular", 4, 3, 1, 0x409)
    font["name"].setName("NotoSansSC-Regular", 6, 3, 1, 0x409)
    handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(handle)
    try:
        font.save(temporary)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide it from a service running as another user
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def font_path() -> Path:
    """The static Noto Sans SC Regular file, cut on first use (one process cuts, the others wait for it).

    ``manage.py pdf_font_prepare`` makes the cut at start-up, so that no request waits for it.
    """
    with _lock:
        target_dir = Path(settings.PDF_FONT_DIR)
        target = target_dir / f"NotoSansSC-Regular-{_source_sha256()[:16]}.ttf"
        if target.is_file():
            return target
        target_dir.mkdir(parents=True, exist_ok=True)
        with open(target_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not target.is_file():
                _cut(source_path(), target)
        return target
