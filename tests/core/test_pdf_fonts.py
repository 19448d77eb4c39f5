"""Every PDF the service prints renders everywhere (issues #16, #17 item 4): its one CJK font is embedded.

For each kind (the credit report, the served documents, the monthly bulletin), rendered from seeded data:
every font in every page's resources carries its font file (no font by reference, which a reader without
Chinese fonts shows as a blank page); pdfium draws text on page 1 and reads the Chinese heading back; every
character the builders and the catalogue data can print has a real glyph in the font; headings stay with the
content after them. The bulletin's first page is kept as tests/artifacts/bulletin-page1.png.
"""

from __future__ import annotations

import ast
import datetime
import io
import json
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape

import pypdf
import pypdfium2
import pytest
from django.apps import apps
from django.conf import settings
from fontTools.ttLib import TTFont

from complaints.models import Finding, Inspection, ViolationType
from core import document_render, pdf_font
from core.models import Authority, LegalCitation, ServedDocument, UserRole
from regulator.lists.models import RuleSet
from regulator.portal import report_pdf
from regulator.workbench import bulletin as bulletins
from regulator.workbench import stats
from tests.support import complaint_in, listing_in, page_client, today
from tests.support.factories import EntityFactory, UserFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

ROOT = Path(settings.BASE_DIR)
ARTIFACTS = ROOT / "tests" / "artifacts"
NAME = "运城市盐湖区晋韵国际旅行社有限公司"
#: the heading pdfium must read back from page 1 of each kind
HEADINGS = {"report": "公共信用信息报告", "document": "告知书", "bulletin": "服务业动态监测信息快报"}
#: the modules that put text on a PDF page (their string literals are all printable text)
BUILDERS = ("core/document_render.py", "regulator/portal/report_pdf.py", "regulator/workbench/bulletin.py",
            "regulator/lists/documents.py", "complaints/documents.py", "regulator/workbench/stats.py",
            "regulator/workbench/charts.py", "core/receipts.py", "regulator/disclosure/selectors.py")
#: characters the issue names: the footer's middle dot, the number's brackets, full-width parentheses, №
NAMED = "·〔〕（）№0123456789ABCXYZabcxyz：；，。、“”《》—"


# --- the PDFs, from seeded data --------------------------------------------------------------------------


def _finding(entity, *, penalty: str, days_ago: int) -> Finding:
    inspector = UserFactory(role=UserRole.INSPECTOR, region_codes=["14"], sectors=["tourism"])
    violation = ViolationType.objects.get(code="forced_shopping")
    inspection = Inspection.objects.create(entity=entity, inspector=inspector, kind="targeted", summary="现场检查",
                                           inspected_on=today() - datetime.timedelta(days=days_ago))
    return Finding.objects.create(inspection=inspection, violation_type=violation, severity="general",
                                  description=violation.name, penalty=penalty, decision_number="运盐文旅罚〔2026〕7号",
                                  fine_amount=5000 if penalty == "fine" else None, decided_on=inspection.inspected_on)


@pytest.fixture
def entity(settings, tmp_path):
    settings.EXPORTS_DIR = tmp_path / "exports"
    return EntityFactory(name=NAME, region_code="140802")


@pytest.fixture
def report(entity) -> bytes:
    listing_in("published", entity=entity, decided_on=today() - datetime.timedelta(days=10))
    _finding(entity, penalty="fine", days_ago=30)
    response = page_client().get(f"/operators/{entity.credit_code}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return response.content


@pytest.fixture
def served(entity) -> list[ServedDocument]:
    """告知书 and 决定书 of a published listing, and the documents of a complaint's handling."""
    other = EntityFactory(name="运城市盐湖区河东康养服务有限公司", region_code="140802")
    listing_in("published", entity=other, decided_on=today() - datetime.timedelta(days=10))
    complaint_in("accepted", entity=other)
    documents = list(ServedDocument.objects.select_related("authority").order_by("pk"))
    assert {"listing_notice", "listing_decision"} <= {document.kind for document in documents}
    return documents


@pytest.fixture
def document(served) -> bytes:
    notice = next(document for document in served if document.kind == "listing_notice")
    return document_render.render_pdf(notice)


@pytest.fixture
def bulletin(entity) -> bytes:
    """Last month's issue, with an inspection and penalty, a complaint and a listing in that month."""
    month_end = bulletins.month_end(bulletins.previous_month(today()))
    _finding(entity, penalty="warning", days_ago=(today() - month_end).days + 5)
    other = EntityFactory(name="运城市盐湖区关公故里旅行社有限公司", region_code="140802")
    complaint_in("accepted", entity=other, received_on=month_end - datetime.timedelta(days=12))
    listing_in("published", entity=other, decided_on=month_end - datetime.timedelta(days=9))
    stats.snapshot_take(today=month_end)
    issue = bulletins.bulletin_generate(month_end)
    return bulletins.bulletin_pdf(issue)


@pytest.fixture(params=sorted(HEADINGS))
def kind(request) -> tuple[str, bytes]:
    return request.param, request.getfixturevalue(request.param)


# --- what a PDF holds ------------------------------------------------------------------------------------


def fonts_of(pdf: bytes) -> list[tuple[int, str, bool]]:
    """(page, base font, embedded?) of every font in every page's resources, form XObjects' included."""
    found: list[tuple[int, str, bool]] = []

    def walk(resources, number: int, seen: set[int]) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            if font.get("/Subtype") == "/Type3":  # glyphs drawn by the file's own procedures
                found.append((number, str(font.get("/Name")), True))
                continue
            described = font["/DescendantFonts"][0].get_object() if font.get("/Subtype") == "/Type0" else font
            descriptor = described.get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((number, str(font.get("/BaseFont")), embedded))
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.idnum in seen:
                continue
            seen.add(xobject.idnum)
            form = xobject.get_object()
            if form.get("/Subtype") == "/Form":
                walk(form.get("/Resources"), number, seen)

    for number, page in enumerate(pypdf.PdfReader(io.BytesIO(pdf)).pages, start=1):
        walk(page.get("/Resources"), number, set())
    return found


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [document[index].get_textpage().get_text_range() for index in range(len(document))]


def inked_share(pdf: bytes, *, page: int = 0, scale: float = 2) -> float:
    """The share of page ``page``'s characters whose box pdfium inks when it draws the page.

    A font the reader cannot find leaves its text in the text layer but paints nothing (the blank page of
    issue #17): the boxes of those characters stay white.
    """
    document = pypdfium2.PdfDocument(pdf)
    image = document[page].render(scale=scale).to_pil().convert("L")
    height = document[page].get_height()
    text = document[page].get_textpage()
    boxes = [text.get_charbox(index) for index in range(text.count_chars())
             if not text.get_text_range(index, 1).isspace()]
    inked = 0
    for left, bottom, right, top in boxes:
        region = image.crop((int(left * scale), int((height - top) * scale), int(right * scale) + 1,
                             int((height - bottom) * scale) + 1))
        inked += sum(region.histogram()[:160]) > 0
    return inked / len(boxes) if boxes else 0.0


# --- every font is embedded, page 1 shows text -----------------------------------------------------------


def test_every_font_of_every_page_is_embedded(kind):
    name, pdf = kind
    fonts = fonts_of(pdf)
    assert fonts, name
    assert [font for font in fonts if not font[2]] == [], f"{name}: fonts by reference"
    assert all("NotoSansSC" in base for _page, base, _embedded in fonts), fonts


def test_page_one_shows_text_and_reads_back_its_chinese_heading(kind):
    name, pdf = kind
    assert HEADINGS[name] in page_texts(pdf)[0].replace("\r\n", "\n")
    assert inked_share(pdf) > 0.99, f"{name}: the text of page 1 is not drawn"


def test_the_checks_see_a_font_by_reference_and_text_nobody_draws():
    """The old PDFs' fault is seen: a CID font named by reference; and text in the text layer, left unpainted."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, initialFontName=document_render.pdf_font_ready())
    canvas.setFont("STSong-Light", 14)
    canvas.drawString(72, 760, "信用")
    canvas.showPage()
    text = canvas.beginText(72, 700)
    text.setFont(document_render.FONT, 14)
    text.setTextRenderMode(3)  # invisible: what a reader without the font shows
    text.textLine("公共信用信息报告")
    canvas.drawText(text)
    canvas.save()
    pdf = buffer.getvalue()
    assert (1, "/STSong-Light", False) in fonts_of(pdf)
    assert "公共信用信息报告" in page_texts(pdf)[1] and inked_share(pdf, page=1) == 0


def test_the_bulletins_first_page_is_kept_as_a_picture(bulletin):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    target = ARTIFACTS / "bulletin-page1.png"
    pypdfium2.PdfDocument(bulletin)[0].render(scale=150 / 72).to_pil().save(target)
    from PIL import Image

    with Image.open(target) as image:  # A4 at 150 dpi
        assert abs(image.size[0] - 1240) <= 1 and abs(image.size[1] - 1754) <= 1


# --- every character has a glyph -------------------------------------------------------------------------


def _literals(path: Path) -> set[str]:
    """The string literals of a module, its docstrings left out (they are never printed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return {node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}


def _choice_labels() -> set[str]:
    labels = set()
    for model in apps.get_models():
        if not model.__module__.startswith(("core.", "entities.", "complaints.", "ratings.", "regulator.")):
            continue
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "flatchoices", None) or ():
                labels.add(str(label))
    return labels


def _catalogue_text() -> set[str]:
    """What the seeded catalogues can put in a document: authorities, citations, violations, rule sets."""
    texts = {f"{row.name}{row.short_name}" for row in Authority.objects.all()}
    texts |= {json.dumps([str(value) for value in row.__dict__.values()], ensure_ascii=False)
              for model in (LegalCitation, ViolationType) for row in model.objects.all()}
    texts |= {json.dumps(row.document, ensure_ascii=False) for row in RuleSet.objects.all()}
    return texts


def _missing(texts, font: TTFont) -> dict[str, str]:
    cmap, glyphs = font.getBestCmap(), font["glyf"]
    missing = {}
    for text in texts:
        for char in text:
            category = unicodedata.category(char)
            if category.startswith(("C", "Z")):  # controls, spaces and line breaks are laid out, not drawn
                continue
            glyph = cmap.get(ord(char))
            if glyph is None or glyphs[glyph].numberOfContours == 0:  # no glyph, or an empty box
                missing[char] = unicodedata.name(char, hex(ord(char)))
    return missing


def test_every_character_the_pdfs_print_has_a_glyph_in_the_font(report, served, bulletin):
    font = TTFont(pdf_font.font_path())
    printed = [text for pdf in (report, bulletin, *map(document_render.render_pdf, served))
               for text in page_texts(pdf)]
    assert any("·" in text for text in printed)  # the report's footer, once an empty box
    texts = {*printed, NAMED, *_choice_labels(), *_catalogue_text()}
    for builder in BUILDERS:
        texts |= _literals(ROOT / builder)
    assert len({char for text in texts for char in text}) > 600  # the collection is not silently empty
    assert _missing(texts, font) == {}


def test_the_glyph_check_sees_a_character_the_font_lacks():
    font = TTFont(pdf_font.font_path())
    assert _missing(["𠀀"], font) == {"𠀀": "CJK UNIFIED IDEOGRAPH-20000"}  # CJK Extension B
    assert _missing(["·〔〕 \n"], font) == {}


# --- the font file: a static Regular cut, from a package checked against its recorded digest --------------


def test_the_cut_is_the_static_regular_instance_and_may_be_embedded():
    font = TTFont(pdf_font.font_path())
    assert "fvar" not in font and "gvar" not in font  # what ReportLab reads is what the page shows
    assert font["OS/2"].usWeightClass == 400 and font["OS/2"].fsType == 0  # Regular; installable embedding
    assert "glyf" in font  # TrueType outlines, the kind ReportLab embeds
    assert "Open Font License" in pdf_font.licence_path().read_text(encoding="utf-8")


def test_the_cut_is_made_once_per_source_and_kept(settings, tmp_path, monkeypatch):
    settings.PDF_FONT_DIR = tmp_path / "fonts"
    cuts = []
    monkeypatch.setattr(pdf_font, "_cut", lambda source, target: (cuts.append(target), target.write_bytes(b"x")))
    first, again = pdf_font.font_path(), pdf_font.font_path()
    assert first == again and cuts == [first] and first.parent == tmp_path / "fonts"
    assert first.name.startswith("NotoSansSC-Regular-") and first.name.endswith(".ttf")


def test_a_source_unlike_its_recorded_digest_is_refused(settings, tmp_path, monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    settings.PDF_FONT_DIR = tmp_path / "fonts"
    swapped = tmp_path / "NotoSansSC[wght].ttf"
    original = pdf_font.source_path().read_bytes()
    swapped.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # one bit flipped
    monkeypatch.setattr(pdf_font, "source_path", lambda: swapped)
    with pytest.raises(ImproperlyConfigured):
        pdf_font.font_path()
    assert not (tmp_path / "fonts").exists()


def test_without_the_font_package_no_pdf_is_printed(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setattr(pdf_font, "PACKAGE", "no_such_font_package")
    with pytest.raises(ImproperlyConfigured):
        pdf_font.source_path()


# --- headings keep with their content --------------------------------------------------------------------


def _profile(listings: int, reason: str) -> dict:
    listing = {"list_label": "严重失信主体名单", "name": NAME, "credit_code": "91140802MA0K000001",
               "reason": reason, "legal_basis": "《旅游法》第三十五条", "decision_number": "运盐文旅信决〔2026〕1号",
               "measures": "不予新增本行业许可", "source_authority": "运城市盐湖区文化和旅游局",
               "published_on": datetime.date(2026, 6, 1), "expires_on": datetime.date(2029, 6, 1), "statements": []}
    return {"name": NAME, "credit_code": "91140802MA0K000001", "sector_label": "文化旅游", "category_label": "旅行社",
            "region_code": "140802", "status_label": "存续", "listings": [listing] * listings, "penalties": []}


RECEIPT = {"payload": {"subject": {"type": "entity", "name": NAME, "credit_code": "91140802MA0K000001"},
                       "question": {"text": "公共信用信息报告"}, "result": "见报告", "data_version": 7,
                       "as_of": "2026-12-01", "checked_at": "2026-12-01T08:00:00+08:00", "result_sha256": "ab" * 32},
           "algorithm": "Ed25519", "key_id": "k1", "signature": "Zm9v" * 22}


def _pages(listings: int, reason: str) -> list[str]:
    pdf = report_pdf.render(profile=_profile(listings, reason), receipt=RECEIPT, payload_json=json.dumps(
        RECEIPT["payload"], ensure_ascii=False), verify_url="http://testserver/verify/?payload=x", as_of="2026-12-01")
    return page_texts(pdf)


def stranded(pages: list[str], headings) -> list[str]:
    """The headings that end their page: nothing of what they head follows them there."""
    lonely = []
    for heading in headings:
        (page,) = [text for text in pages if heading in text]
        if not page.split(heading, 1)[1].strip():
            lonely.append(heading)
    return lonely


@pytest.mark.parametrize("listings", range(1, 7))
@pytest.mark.parametrize("reason_length", [4, 60, 140])  # 4 listings of 140: a heading at the foot without keeping
def test_no_heading_of_the_report_is_stranded_at_the_foot_of_a_page(listings, reason_length):
    pages = _pages(listings, escape(("甩团，滞留旅游者" * 30)[:reason_length]))
    assert stranded(pages, ("主体信息", "名单信息", "行政处罚信息", "电子签名回执")) == []
    (page,) = [text for text in pages if "电子签名回执" in text]
    assert "扫描第 1 页的二维码" in page and "签名算法" in page  # the receipt's text and facts stay with it


# The lengths below put some heading at the foot of a page when headings do not keep with their text.
@pytest.mark.parametrize("paragraph", range(200, 320, 20))
def test_no_section_heading_of_a_served_document_is_stranded(paragraph):
    authority = Authority(name="运城市盐湖区文化和旅游局", short_name="运盐文旅")
    sections = [{"heading": f"第{number}节标题", "text": ("经查，该公司未按约定提供服务。" * 80)[:paragraph]}
                for number in range(1, 9)]
    document = ServedDocument(authority=authority, kind="listing_notice", title="列入严重失信主体名单告知书",
                              number="运盐文旅信告〔2026〕1号", recipient=NAME, content=sections,
                              issued_on=datetime.date(2026, 6, 1))
    pages = page_texts(document_render.render_pdf(document))
    assert len(pages) > 1
    assert stranded(pages, [section["heading"] for section in sections] + ["送达记录"]) == []


@pytest.mark.parametrize("rows", range(17, 25))  # 18 and 23 strand a heading when it does not keep with its table
def test_no_section_heading_of_the_bulletin_is_stranded(monkeypatch, rows):
    sections = [{"title": f"第{number}类事项", "total": rows, "rows": [(f"分类{row}", 1) for row in range(rows)]}
                for number in range(1, 7)]
    monkeypatch.setattr(bulletins, "bulletin_content", lambda month, snapshot: {
        "sections": sections, "grade_rows": [("A级", 3, None), ("B级", 1, None)]})
    issue = bulletins.Bulletin(issue=3, month=datetime.date(2026, 11, 1), snapshot_on=datetime.date(2026, 11, 30),
                               sha256="0" * 64)
    pages = page_texts(bulletins.bulletin_pdf(issue))
    assert len(pages) > 1
    assert stranded(pages, [f"{section['title']}：合计" for section in sections] + ["信用等级分布（月末）"]) == []
