"""诚信评选 on the pages: the public notice with its objection form, badges (operator page, search results, credit
report), the business's application page, and the admin in words."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ratings.models import CreditScore
from regulator.disclosure import registry
from regulator.lists import award_services as awards
from regulator.lists.awards import AwardApplication, AwardObjection, AwardStatus
from regulator.portal.award_pages import pdf_story
from tests.support import page_client
from tests.support.factories import EntityFactory
from tests.support.states import listing_in

pytestmark = pytest.mark.django_db


def _graded(entity, score=950, grade="A"):
    CreditScore.objects.update_or_create(entity=entity, defaults={
        "score": score, "grade": grade, "model_version": 1, "as_of": timezone.localdate(), "breakdown": [],
        "computed_at": timezone.now()})


@pytest.fixture
def open_round(regulator):
    day = timezone.localdate()
    return awards.award_round_open(kind="honest_merchant", name="2026年盐湖区诚信商家评选", region_code="140802",
                                   opens_on=day - datetime.timedelta(30), closes_on=day + datetime.timedelta(30),
                                   actor=regulator, today=day)


@pytest.fixture
def noticed(open_round, entity_a, regulator):
    _graded(entity_a)
    application = awards.award_nominate(round_id=open_round.pk, entity_id=entity_a.pk, actor=regulator)
    return awards.award_review(application_id=application.pk, actor=regulator, approve=True)


def _grant(application, regulator):
    """Granted on the day after its notice period (a back-dated period, so the award is in force today)."""
    day = timezone.localdate()
    AwardApplication.objects.filter(pk=application.pk).update(notice_starts_on=day - datetime.timedelta(20),
                                                              notice_due=day - datetime.timedelta(1))
    return awards.award_decide(application_id=application.pk, actor=regulator, today=day)


def test_the_notice_page_lists_the_application_with_an_objection_form(noticed, entity_a):
    page = page_client().get("/awards/")
    text = page.content.decode()
    assert page.status_code == 200
    assert entity_a.name in text and "诚信商家" in text and f"/awards/{noticed.pk}/objection/" in text
    assert "honest_merchant" not in text and "in_notice" not in text


def test_an_objection_from_the_page_is_recorded_and_its_author_never_shown(noticed):
    client = page_client()
    response = client.post(f"/awards/{noticed.pk}/objection/", {
        f"a{noticed.pk}-reason": "该店短斤缺两", f"a{noticed.pk}-name": "钱七", f"a{noticed.pk}-contact": "13600000000"})
    assert response.status_code == 302
    objection = AwardObjection.objects.get(application=noticed)
    assert (objection.reason, objection.objector_name, objection.objector_contact) == ("该店短斤缺两", "钱七",
                                                                                         "13600000000")
    text = client.get("/awards/").content.decode()
    assert "钱七" not in text and "13600000000" not in text


def test_an_objection_without_a_reason_is_refused_beside_the_field(noticed):
    response = page_client().post(f"/awards/{noticed.pk}/objection/", {f"a{noticed.pk}-reason": ""})
    assert response.status_code == 400 and "异议理由" in response.content.decode()
    assert not AwardObjection.objects.exists()


def test_an_objection_after_the_period_is_refused(noticed):
    AwardApplication.objects.filter(pk=noticed.pk).update(notice_due=timezone.localdate() - datetime.timedelta(1))
    response = page_client().post(f"/awards/{noticed.pk}/objection/", {f"a{noticed.pk}-reason": "迟到的异议"})
    assert response.status_code == 409 and not AwardObjection.objects.exists()


def test_the_badge_is_on_the_operator_page_and_gone_after_revocation(noticed, entity_a, regulator):
    client = page_client()
    assert "award-badges" not in client.get(f"/operators/{entity_a.credit_code}/").content.decode()
    award = _grant(noticed, regulator)
    text = client.get(f"/operators/{entity_a.credit_code}/").content.decode()
    assert "award-badges" in text and award.decision_number in text and "诚信商家" in text
    awards.award_revoke(application_id=award.pk, reason="条件不再符合", actor=regulator)
    assert "award-badges" not in client.get(f"/operators/{entity_a.credit_code}/").content.decode()


def test_the_badge_is_gone_after_a_black_listing(noticed, entity_a, regulator, django_capture_on_commit_callbacks):
    _grant(noticed, regulator)
    with django_capture_on_commit_callbacks(execute=True):
        listing_in("published", entity=entity_a, list_type="black")
    assert "award-badges" not in page_client().get(f"/operators/{entity_a.credit_code}/").content.decode()


def test_search_results_carry_badges_in_one_statement_per_page(noticed, entity_a, regulator,
                                                               django_assert_max_num_queries):
    _grant(noticed, regulator)
    for n in range(5):
        EntityFactory(name=f"盐湖区测试商户{n}号")
    with django_assert_max_num_queries(3):  # the page, its listings, its awards: whatever the number of rows
        page = registry.registry_search("", filters=registry.registry_filters(district="140802"), size=50)
    rows = {row["credit_code"]: row for row in page.rows}
    assert [badge["kind"] for badge in rows[entity_a.credit_code]["awards"]] == ["honest_merchant"]
    assert sum(1 for row in page.rows if row["awards"]) == 1
    text = page_client().get("/search/", {"q": entity_a.name}).content.decode()
    assert "award-badges" in text and "诚信商家" in text


def test_the_credit_report_names_the_award_in_force(noticed, entity_a, regulator):
    from reportlab.platypus import Paragraph

    from regulator.portal import report_pdf

    award = _grant(noticed, regulator)
    report_pdf.pdf_font_ready()
    story = pdf_story(entity_a.credit_code, as_of=timezone.localdate(), heading_style=report_pdf.HEADING,
                      body_style=report_pdf.BODY, facts=report_pdf._facts)
    cells = [cell.text for table in story[1:] for row in table._cellvalues for cell in row if isinstance(cell, Paragraph)]
    assert award.decision_number in cells and "诚信商家" in cells
    response = page_client().get(f"/operators/{entity_a.credit_code}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_the_business_applies_from_its_page_and_sees_each_result(open_round, business_a, entity_a):
    _graded(entity_a, 880, "B")
    client = page_client(business_a)
    home = client.get("/business/").content.decode()
    assert "/business/awards/" in home
    assert open_round.name in client.get("/business/awards/").content.decode()
    response = client.post(f"/business/awards/{open_round.pk}/apply/", {f"r{open_round.pk}-entity": entity_a.pk})
    assert response.status_code == 302
    application = AwardApplication.objects.get(entity=entity_a)
    assert application.status == AwardStatus.REFUSED
    text = client.get("/business/awards/").content.decode()
    assert "不符合" in text and "B 级" in text and "grade_at_least" not in text


def test_a_business_cannot_apply_for_another_business_from_its_page(open_round, business_a, entity_b):
    response = page_client(business_a).post(f"/business/awards/{open_round.pk}/apply/",
                                            {f"r{open_round.pk}-entity": entity_b.pk})
    assert response.status_code == 404 and not AwardApplication.objects.exists()


def test_the_admin_shows_the_application_in_words(noticed, regulator):
    regulator.is_staff = True
    regulator.save()
    client = page_client(regulator)
    changelist = client.get("/admin/regulator/awardapplication/")
    assert changelist.status_code == 200 and "公示中" in changelist.content.decode()
    page = client.get(f"/admin/regulator/awardapplication/{noticed.pk}/change/").content.decode()
    assert "符合" in page and "审核通过，进入公示" in page and "in_notice" not in page
    assert client.get("/admin/regulator/awardround/").status_code == 200
    assert client.get("/admin/regulator/awardobjection/").status_code == 200
