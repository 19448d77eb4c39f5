"""满意在山西: the complainant rates the handling only after the complaint was resolved or closed, only once, only with
its tracking code; the rating names nobody to the public or the business."""

from __future__ import annotations

import pytest

from complaints.models import ComplaintStatus
from complaints.satisfaction_ratings import ComplaintSatisfaction
from core.models import UserRole
from tests.support import api_client, complaint_in, page_client
from tests.support.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entity(db):
    return EntityFactory(name="运城市测试旅行社有限公司")


def _rate(code: str, **body):
    return api_client().post(f"/api/v1/complaints/track/{code}/satisfaction/", {"rating": 4, **body}, format="json")


@pytest.mark.parametrize("status", [ComplaintStatus.SUBMITTED, ComplaintStatus.ACCEPTED,
                                    ComplaintStatus.INVESTIGATING, ComplaintStatus.REJECTED,
                                    ComplaintStatus.WITHDRAWN])
def test_before_it_is_resolved_or_closed_the_rating_is_409_naming_the_state(entity, status):
    complaint = complaint_in(status, entity=entity)
    answer = _rate(complaint.tracking_code)
    assert answer.status_code == 409 and answer.json()["code"] == "complaint_not_closed"
    assert str(ComplaintStatus(status).label) in answer.json()["detail"]
    assert not ComplaintSatisfaction.objects.exists()
    assert api_client().get(f"/api/v1/complaints/track/{complaint.tracking_code}/satisfaction/").json()[
        "rateable"] is False


@pytest.mark.parametrize("status", [ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED])
def test_a_resolved_or_closed_complaint_is_rated_once(entity, status):
    complaint = complaint_in(status, entity=entity)
    state = api_client().get(f"/api/v1/complaints/track/{complaint.tracking_code}/satisfaction/").json()
    assert state == {"status": status, "rateable": True, "rated": False, "rating": None}
    first = _rate(complaint.tracking_code, rating=5, comment="处理及时")
    assert first.status_code == 201 and first.json()["rated"] is True and first.json()["rating"] == 5
    again = _rate(complaint.tracking_code, rating=1)
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    record = ComplaintSatisfaction.objects.get()
    assert (record.rating, record.comment, record.status_when_rated) == (5, "处理及时", status)


def test_a_wrong_tracking_code_finds_nothing(entity):
    complaint_in(ComplaintStatus.CLOSED, entity=entity)
    assert _rate("ABCD-EFGH-JKMN").status_code == 404
    assert page_client().post("/complaints/track/ABCD-EFGH-JKMN/satisfaction/", {"rating": "4"}).status_code == 404
    assert not ComplaintSatisfaction.objects.exists()


def test_a_bad_rating_is_a_400_naming_the_field(entity):
    complaint = complaint_in(ComplaintStatus.CLOSED, entity=entity)
    for rating in (0, 6, "x", None):
        answer = _rate(complaint.tracking_code, rating=rating)
        assert answer.status_code == 400 and "rating" in answer.json()
    long = _rate(complaint.tracking_code, comment="长" * 501)
    assert long.status_code == 400 and "comment" in long.json()


def test_the_tracking_page_offers_the_form_only_once_closed(entity):
    open_complaint = complaint_in(ComplaintStatus.INVESTIGATING, entity=entity)
    page = page_client().get(f"/complaints/track/{open_complaint.tracking_code}/").content.decode()
    assert "办结后，您可以在本页对处理情况进行评价" in page and 'name="rating"' not in page
    refused = page_client().post(f"/complaints/track/{open_complaint.tracking_code}/satisfaction/", {"rating": "4"})
    assert refused.status_code == 409 and "调查处理中" in refused.content.decode()

    closed = complaint_in(ComplaintStatus.CLOSED, entity=entity)
    page = page_client().get(f"/complaints/track/{closed.tracking_code}/").content.decode()
    assert 'name="rating"' in page
    done = page_client().post(f"/complaints/track/{closed.tracking_code}/satisfaction/",
                              {"rating": "3", "comment": "还可以"})
    assert done.status_code == 302 and done["Location"].endswith("?rated=1#satisfaction")
    after = page_client().get(done["Location"]).content.decode()
    assert "感谢您的评价" in after and "3 分" in after and 'name="rating"' not in after
    twice = page_client().post(f"/complaints/track/{closed.tracking_code}/satisfaction/", {"rating": "5"})
    assert twice.status_code == 409 and "只能评价一次" in twice.content.decode()
    missing = page_client().post(f"/complaints/track/{closed.tracking_code}/satisfaction/", {})
    assert missing.status_code in (400, 409)


def test_the_business_never_sees_the_rating_or_its_comment(entity):
    complaint = complaint_in(ComplaintStatus.CLOSED, entity=entity)
    _rate(complaint.tracking_code, rating=1, comment="经营者态度恶劣独特评语")
    owner = UserFactory(username="biz-sat", role=UserRole.BUSINESS, entities=[entity])
    for answer in (api_client(owner).get("/api/v1/me/"), api_client(owner).get(f"/api/v1/complaints/{complaint.pk}/"),
                   page_client(owner).get(f"/business/entities/{entity.pk}/")):
        assert "独特评语" not in answer.content.decode()
