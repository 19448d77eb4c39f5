"""A business sends rectification evidence (整改材料) with a photo for an open finding, on a 375 px phone and a
desktop, with JavaScript on and off: the fold-out form is a plain multipart POST the server answers with the page.
Every page: no sideways scrolling; with JavaScript, axe-clean."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from complaints import services as complaint_services
from complaints.models import ViolationType
from complaints.rectification import EvidenceStatus, RectificationEvidence
from core.models import UserRole
from ratings.services import entity_rescore
from tests.support import today
from tests.support.factories import EntityFactory, UserFactory
from tests.support.upload_files import jpeg_with_gps

from .conftest import check_page, login

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = {"name": "IMG_3051.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps(size=(320, 240))}
NOTE = "已在前台醒目位置公示旅行社业务经营许可证，并对员工进行了培训。"


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def business():
    """盐湖区甲旅行社 with one open finding of a targeted inspection five days ago, and its business account."""
    entity = EntityFactory(name="盐湖区甲旅行社有限公司")
    inspector = UserFactory(username="inspector", role=UserRole.INSPECTOR, region_codes=["1408"],
                            sectors=["tourism"])
    UserFactory(username="business_a", role=UserRole.BUSINESS, entities=[entity])
    inspected_on = today() - datetime.timedelta(days=5)
    inspection = complaint_services.inspection_create(
        actor=inspector, entity=entity, inspected_on=inspected_on, kind="targeted", summary="现场检查",
        findings=[{"violation_type": ViolationType.objects.filter(active=True, sector="tourism").order_by("id").first(),
                   "description": "未在经营场所公示许可证", "penalty": "none",
                   "rectify_by": inspected_on + datetime.timedelta(days=30)}])
    entity_rescore(entity_id=entity.pk)
    return {"entity": entity, "finding": inspection.findings.get()}


def send_evidence(page, base_url: str, business, name: str) -> RectificationEvidence:
    entity, finding = business["entity"], business["finding"]
    login(page, base_url, "business_a")
    page.goto(f"{base_url}/business/entities/{entity.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(entity.name)
    card = page.locator(f"#finding-{finding.pk}")
    card.get_by_text("提交整改材料", exact=True).first.click()  # the fold-out's summary
    check_page(page, f"{name}-form")
    card.get_by_label("整改情况说明").fill(NOTE)
    card.get_by_label(re.compile("整改照片或证明文件")).set_input_files(PHOTO)
    card.get_by_role("button", name="提交整改材料").click()
    page.wait_for_load_state()
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text("已提交，等待执法检查人员审核")
    expect(page.locator(f"#finding-{finding.pk}")).to_contain_text(NOTE)
    expect(page.locator(f"#finding-{finding.pk}").get_by_role("link", name=re.compile("文件 1"))).to_be_visible()
    # one submission awaits review: no second form until it is reviewed
    expect(page.locator(f"#finding-{finding.pk} form")).to_have_count(0)
    check_page(page, f"{name}-submitted")
    return RectificationEvidence.objects.get(finding=finding)


def test_a_business_sends_evidence_with_a_photo(page, live_server, business):
    evidence = send_evidence(page, live_server.url, business, "evidence-js")
    assert evidence.status == EvidenceStatus.SUBMITTED and evidence.files.get().kind == "jpeg"


def test_a_business_sends_evidence_with_a_photo_without_javascript(page_without_js, live_server, business):
    evidence = send_evidence(page_without_js, live_server.url, business, "evidence-nojs")
    assert evidence.status == EvidenceStatus.SUBMITTED and evidence.files.get().kind == "jpeg"


def test_a_refused_file_comes_back_beside_the_open_form(page, live_server, business):
    entity, finding = business["entity"], business["finding"]
    login(page, live_server.url, "business_a")
    page.goto(f"{live_server.url}/business/entities/{entity.pk}/")
    card = page.locator(f"#finding-{finding.pk}")
    card.get_by_text("提交整改材料", exact=True).first.click()
    card.get_by_label(re.compile("整改照片或证明文件")).set_input_files(
        {"name": "invoice.jpg", "mimeType": "image/jpeg", "buffer": b"MZ\x90\x00not an image"})
    card.get_by_role("button", name="提交整改材料").click()
    page.wait_for_load_state()
    expect(page.locator(f"#finding-{finding.pk} .errorlist")).to_contain_text("invoice.jpg")
    check_page(page, "evidence-refused")
    assert RectificationEvidence.objects.count() == 0
