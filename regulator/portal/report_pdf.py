"""信用报告 as a PDF: the same public record and signed receipt as the HTML report, with a QR code.

Built with ReportLab (no browser, no system fonts): every character is set in the
service's one embedded font (core/document_render.py registers it; only the glyphs
used travel in the file), so the report prints the same in any reader, one without
Chinese fonts of its own too. Headings keep with what follows them. The QR code holds the absolute
URL of the verification page with the receipt filled in: scanning it shows
whether the platform's signature over the receipt holds.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

import segno
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core import receipts
from core.document_render import FONT, TABLE_FONT, pdf_font_ready  # the one embedded font of every PDF

TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=24, alignment=1, spaceAfter=4 * mm)
HEADING = ParagraphStyle("heading", fontName=FONT, fontSize=13, leading=18, spaceBefore=5 * mm, spaceAfter=2 * mm,
                         keepWithNext=1)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=15, wordWrap="CJK")
# Signatures and JSON are set in the same embedded font (a built-in Courier would be a font by reference).
CODE = ParagraphStyle("code", parent=BODY, fontSize=8, leading=11, wordWrap="CJK")
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444"))

QR_SIZE = 52 * mm  # the payload names subject, question and result (decision 0010): a denser code, printed larger


def qr_matrix(text: str) -> segno.QRCode:
    """The QR code of ``text``, error correction M (readable with a smudge), smallest version that fits."""
    return segno.make_qr(text, error="m", boost_error=False)


def qr_svg(text: str) -> str:
    """The QR code as an inline SVG element for the HTML report (scales, prints sharp)."""
    return qr_matrix(text).svg_inline(scale=3, border=4, dark="#000", light="#fff", omitsize=True)


def qr_drawing(text: str, size: float = QR_SIZE) -> Drawing:
    """The QR code as vector rectangles, a quiet zone of four modules around it."""
    matrix = [list(row) for row in qr_matrix(text).matrix]
    border = 4
    modules = len(matrix) + 2 * border
    unit = size / modules
    drawing = Drawing(size, size, initialFontName=FONT)  # draws no text, but would set Helvetica on the page
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):  # one rectangle per run of dark modules keeps the PDF small
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                drawing.add(Rect((start + border) * unit, size - (y + border + 1) * unit, (x - start) * unit, unit,
                                 fillColor=colors.black, strokeColor=None, strokeWidth=0))
            else:
                x += 1
    return drawing


def _text(value: Any) -> str:
    return escape("" if value is None else str(value))


def _facts(rows: list[tuple[str, Any]], style: ParagraphStyle = BODY) -> Table:
    # Codes (signature, digests) are set small in ``style``; a value with any Chinese in it reads in BODY.
    data = [[Paragraph(_text(label), SMALL),
             Paragraph(_text(value) or "—", style if str(value or "").isascii() else BODY)] for label, value in rows]
    table = Table(data, colWidths=[32 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([
        TABLE_FONT,
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _date(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else str(value))


def _listing(row: dict[str, Any]) -> list:
    rows = [("名单", row.get("list_label")), ("名称", row.get("name"))]
    if row.get("credit_code"):
        rows.append(("统一社会信用代码", row["credit_code"]))
    if row.get("related_entity_name"):
        role = f"（{row['role_label']}）" if row.get("role_label") else ""
        rows.append(("任职单位", f"{row['related_entity_name']}{role}"))
    rows.append(("列入事由", row.get("reason")))
    for label, key in (("法律依据", "legal_basis"), ("认定文号", "decision_number"), ("措施", "measures"),
                       ("认定机关", "source_authority")):
        if row.get(key):
            rows.append((label, row[key]))
    rows.append(("公示期", f"{_date(row.get('published_on'))} 至 {_date(row.get('expires_on')) or '—'}"))
    for statement in row.get("statements") or []:
        rows.append(("经营者声明", statement.get("text")))
    return [KeepTogether([_facts(rows), Spacer(1, 3 * mm)])]


def _penalty(row: dict[str, Any]) -> list:
    fine = f"（罚款 {row['fine_amount']} 元）" if row.get("fine_amount") else ""
    rows = [("违法行为", row.get("violation")), ("处罚", f"{row.get('penalty_label')}{fine}")]
    if row.get("decision_number"):
        rows.append(("处罚决定书文号", row["decision_number"]))
    if row.get("legal_basis"):
        rows.append(("法律依据", row["legal_basis"]))
    rows += [("决定日期", _date(row.get("decided_on"))), ("公示截止", _date(row.get("publicity_until"))),
             ("整改", f"已于 {_date(row['rectified_on'])} 整改" if row.get("rectified_on") else "—")]
    for statement in row.get("statements") or []:
        rows.append(("经营者声明", statement.get("text")))
    return [KeepTogether([_facts(rows), Spacer(1, 3 * mm)])]


def render(*, profile: dict[str, Any], receipt: dict[str, Any], payload_json: str, verify_url: str,
           as_of: Any) -> bytes:
    """The report as PDF bytes; ``profile`` is the display profile the HTML report shows."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm,
        title=f"公共信用信息报告 · {profile['name']}", author="山西信用监管平台", subject=profile["credit_code"],
        creator="山西信用监管平台", initialFontName=pdf_font_ready(),
    )
    subject = _facts([
        ("名称", profile["name"]), ("统一社会信用代码", profile["credit_code"]),
        ("行业", f"{profile['sector_label']}（{profile['category_label']}）"),
        ("行政区划代码", profile["region_code"]), ("经营状态", profile["status_label"]),
        ("报告日期", _date(as_of)),
    ])
    # The QR code stands beside the subject on the first page, whatever the length of the record after it.
    head = Table([[subject, [qr_drawing(verify_url), Paragraph("扫码核验：核验页面显示的主体须与本报告一致", SMALL)]]],
                 colWidths=[None, QR_SIZE + 2 * mm], hAlign="LEFT")
    head.setStyle(TableStyle([TABLE_FONT, ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0),
                              ("RIGHTPADDING", (-1, 0), (-1, 0), 0)]))
    story: list = [Paragraph("公共信用信息报告", TITLE), Paragraph("主体信息", HEADING), head]

    sections = (("名单信息", profile["listings"], _listing,
                 "截至报告日期，公示期内无严重失信主体名单、重点关注名单或守信激励名单记录。"),
                ("行政处罚信息", profile["penalties"], _penalty, "公示期内无行政处罚记录。"))
    for heading, rows, block, empty in sections:
        story.append(Paragraph(heading, HEADING))
        for row in rows:
            story += block(row)
        if not rows:
            story.append(Paragraph(empty, BODY))
    # 诚信评选获评信息 (regulator/portal/award_pages.py)
    from regulator.portal.award_pages import pdf_story
    story += pdf_story(profile["credit_code"], as_of=as_of, heading_style=HEADING, body_style=BODY, facts=_facts)

    payload = receipt["payload"]
    facts = _facts([
        ("回执主体", receipts.subject_text(payload["subject"])), ("查询事项", payload["question"]["text"]),
        ("查询结论", payload["result"]),
        ("数据版本", payload["data_version"]), ("数据截至", payload["as_of"]), ("签发时间", payload["checked_at"]),
        ("报告摘要（SHA-256）", payload["result_sha256"]),
        ("签名算法", f"{receipt['algorithm']}（密钥编号 {receipt['key_id']}）"),
        ("签名", receipt["signature"]),
    ], style=CODE)
    how = Paragraph("扫描第 1 页的二维码打开回执核验页面，核验本报告的电子签名，并核对页面所示主体名称和统一社会信用代码与"
                    "本报告一致；也可在核验页面粘贴下列回执内容与签名。"
                    f"核验地址：{_text(verify_url.split('?', 1)[0])}", BODY)
    story += [KeepTogether([Paragraph("电子签名回执", HEADING), how, Spacer(1, 3 * mm), facts]),
              Spacer(1, 2 * mm), Paragraph("回执内容（JSON）：", SMALL), Paragraph(_text(payload_json), CODE)]

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(18 * mm, 9 * mm, f"山西信用监管平台 · {profile['credit_code']} · 数据截至 {payload['as_of']}")
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, f"第 {doc.page} 页")
        canvas.restoreState()

    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
