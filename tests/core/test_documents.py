"""The document kernel: numbers per authority and year, service recorded once, 公告送达, ID numbers masked."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from config.api.exceptions import ConflictError
from core import document_render, documents
from core.models import Authority, ServedDocument, UserRole
from tests.support.clients import api_client
from tests.support.factories import UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)
SERVED: list[tuple[int, datetime.date]] = []


@pytest.fixture(autouse=True)
def procedure():
    documents.register("kernel_test", visible=lambda user: [7] if user.username.startswith("owner") else [],
                       served=lambda doc, day: SERVED.append((doc.pk, doc.delivered_on)),
                       announcement_wait_days=lambda doc: 30)
    SERVED.clear()
    yield
    documents._PROCEDURES.pop("kernel_test", None)


def issue(region="140802", day=DAY, about_id=7, sections=None):
    return documents.document_issue(kind="listing_notice", about_type="kernel_test", about_id=about_id,
                                    region_code=region, recipient="某某旅行社有限公司",
                                    sections=sections or [{"heading": "事由", "text": "测试"}], issued_on=day)


def test_numbers_run_per_authority_and_year():
    first, second = issue(), issue()
    assert (first.number, second.number) == ("运盐文旅信告〔2026〕1号", "运盐文旅信告〔2026〕2号")
    assert issue(day=datetime.date(2027, 1, 4)).number == "运盐文旅信告〔2027〕1号"
    # a county of Yuncheng without its own authority falls back to the city, a Taiyuan district to the province
    assert issue(region="140821").number == "运文旅信告〔2026〕1号"
    assert issue(region="140105").number == "晋文旅信告〔2026〕1号"


def test_an_authority_pattern_overrides_the_default():
    Authority.objects.filter(region_code="140802").update(number_patterns={"listing_notice": "盐文旅告字〔{year}〕第{seq}号"})
    assert issue().number == "盐文旅告字〔2026〕第1号"


def test_no_authority_is_a_conflict_not_a_number():
    Authority.objects.all().delete()
    with pytest.raises(ConflictError):
        issue()


def test_id_numbers_are_masked_in_every_document():
    doc = issue(sections=[{"heading": "当事人", "text": "法定代表人 张三（身份证号 14080219900101123X）"}])
    assert "14080219900101123X" not in str(doc.content)
    assert "1408**********123X" in doc.content[0]["text"]
    assert "14080219900101123X" not in document_render.render_html(doc)


def test_served_once_and_the_procedure_hears_of_it():
    doc = issue()
    served = documents.document_serve(document_id=doc.pk, method="post", delivered_on=DAY + datetime.timedelta(days=2),
                                      note="EMS 1234", today=DAY + datetime.timedelta(days=3))
    assert served.delivered_on == datetime.date(2026, 6, 3)
    assert SERVED == [(doc.pk, datetime.date(2026, 6, 3))]
    with pytest.raises(ConflictError):
        documents.document_serve(document_id=doc.pk, method="direct", delivered_on=DAY,
                                 today=DAY + datetime.timedelta(days=3))


@pytest.mark.parametrize(("delivered", "ok"), [(DAY - datetime.timedelta(days=1), False), (DAY, True),
                                               (DAY + datetime.timedelta(days=1), True),
                                               (DAY + datetime.timedelta(days=2), False)])
def test_delivery_not_before_issue_nor_after_today(delivered, ok):
    doc = issue()
    call = lambda: documents.document_serve(document_id=doc.pk, method="direct", delivered_on=delivered,  # noqa: E731
                                            today=DAY + datetime.timedelta(days=1))
    if ok:
        assert call().delivered_on == delivered
    else:
        with pytest.raises(ValidationError):
            call()
        assert not ServedDocument.objects.get(pk=doc.pk).served


def test_announcement_counts_as_served_after_the_wait():
    doc = issue()
    served = documents.document_serve(document_id=doc.pk, method="announcement", announced_on=DAY, today=DAY)
    assert (served.announced_on, served.delivered_on) == (DAY, DAY + datetime.timedelta(days=30))


def test_unknown_method_and_missing_date_name_their_field():
    doc = issue()
    with pytest.raises(ValidationError) as unknown:
        documents.document_serve(document_id=doc.pk, method="pigeon", delivered_on=DAY, today=DAY)
    assert "method" in unknown.value.message_dict
    with pytest.raises(ValidationError) as missing:
        documents.document_serve(document_id=doc.pk, method="post", today=DAY)
    assert "delivered_on" in missing.value.message_dict


def test_api_shows_a_document_per_object_and_only_staff_record_service():
    doc = issue()
    other = issue(about_id=8)
    owner = UserFactory(username="owner1", role=UserRole.BUSINESS)
    stranger = UserFactory(username="stranger", role=UserRole.BUSINESS)
    regulator = UserFactory(role=UserRole.REGULATOR)
    assert api_client(owner).get(f"/api/v1/documents/{doc.pk}/").status_code == 200
    assert api_client(owner).get(f"/api/v1/documents/{other.pk}/").status_code == 404
    assert api_client(stranger).get(f"/api/v1/documents/{doc.pk}/").status_code == 404
    assert api_client(None).get(f"/api/v1/documents/{doc.pk}/").status_code in (401, 403)
    pdf = api_client(owner).get(f"/api/v1/documents/{doc.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    html = api_client(owner).get(f"/api/v1/documents/{doc.pk}/html/")
    assert "运盐文旅信告〔2026〕1号" in html.content.decode()
    assert api_client(owner).post(f"/api/v1/documents/{doc.pk}/delivery/", {"method": "direct",
                                  "delivered_on": str(DAY)}, format="json").status_code == 403
    answer = api_client(regulator).post(f"/api/v1/documents/{doc.pk}/delivery/", {"method": "direct",
                                        "delivered_on": "2026-06-01"}, format="json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["delivered_on"] == "2026-06-01"
    bad = api_client(regulator).post(f"/api/v1/documents/{other.pk}/delivery/", {"method": "carrier"}, format="json")
    assert bad.status_code == 400 and "method" in str(bad.json())
