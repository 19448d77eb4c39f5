"""文书的 HTML 与 PDF: one rendering of a served document for the admin, the API and the business pages.

The content is what the domain froze at issue (sections of heading and text); this adds the authority,
the number, the signature line and the service record. The PDF uses ReportLab; this module registers the one
typeface every PDF of the service is set in (the served documents, the credit report, the monthly bulletin):
Noto Sans SC, embedded as a subset (core/pdf_font.py), so that a reader without Chinese fonts of its own shows
the same page.
"""

from __future__ import annotations

import datetime
import io
import threading
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core import pdf_font
from core.models import ServedDocument

#: the name every PDF style uses; the font behind it is registered by :func:`pdf_font_ready`
FONT = "NotoSansSC"
_registered = threading.Lock()
#: every table's cells in the embedded font: a table otherwise sets ReportLab's default Helvetica, a font by
#: reference, on the page even when all its cells are paragraphs
TABLE_FONT = ("FONTNAME", (0, 0), (-1, -1), FONT)


def pdf_font_ready() -> str:
    """Register the embedded CJK font once per process (cut on the first PDF ever printed) and give its name.

    Every PDF builder calls this before ``build``, and passes ``initialFontName=FONT`` to its document, so
    that not even the page's initial font is a reference to a font the file does not carry.
    """
    with _registered:
        if FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT, str(pdf_font.font_path())))  # ReportLab subsets on output
    return FONT

_AUTHORITY = ParagraphStyle("authority", fontName=FONT, fontSize=14, leading=20, alignment=1)
_TITLE = ParagraphStyle("title", fontName=FONT, fontSize=20, leading=28, alignment=1, spaceBefore=2 * mm)
_NUMBER = ParagraphStyle("number", fontName=FONT, fontSize=11, leading=16, alignment=1, spaceAfter=6 * mm)
_HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=12, leading=18, spaceBefore=3 * mm, keepWithNext=1)
_BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=19, wordWrap="CJK", firstLineIndent=22)
_PLAIN = ParagraphStyle("plain", parent=_BODY, firstLineIndent=0)
_SIGN = ParagraphStyle("sign", parent=_PLAIN, alignment=2)


def date_words(day: datetime.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "—"


def render_html(document: ServedDocument) -> str:
    return render_to_string("core/documents/document.html",
                            {"document": document, "issued_on_words": date_words(document.issued_on)})


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_pdf(document: ServedDocument) -> bytes:
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                            bottomMargin=20 * mm, title=f"{document.title} {document.number}",
                            author=document.authority.name, initialFontName=pdf_font_ready())
    story = [_para(document.authority.name, _AUTHORITY), _para(document.title, _TITLE),
             _para(document.number, _NUMBER), _para(f"{document.recipient}：", _PLAIN)]
    for section in document.content:
        if section.get("heading"):
            story.append(_para(section["heading"], _HEADING))
        if section.get("text"):
            story.append(_para(section["text"], _BODY))
    story += [Spacer(1, 12 * mm), _para(document.authority.name, _SIGN),
              _para(date_words(document.issued_on), _SIGN), Spacer(1, 10 * mm)]
    rows = [["送达方式", document.get_delivery_method_display() if document.delivery_method else "尚未送达"]]
    if document.announced_on:
        rows.append(["公告发布日期", date_words(document.announced_on)])
    rows.append(["送达日期", date_words(document.delivered_on)])
    if document.delivery_note:
        rows.append(["送达说明", document.delivery_note])
    table = Table([[_para(a, _PLAIN), _para(b, _PLAIN)] for a, b in rows], colWidths=[35 * mm, 125 * mm])
    table.setStyle(TableStyle([TABLE_FONT, ("GRID", (0, 0), (-1, -1), 0.5, "#444444"),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [_para("送达记录", _HEADING), table]
    pdf.build(story)
    return buffer.getvalue()
