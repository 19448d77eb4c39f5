"""Tracking codes (查询码): an unambiguous alphabet, grouped by four, typed back leniently; old codes still work."""

from __future__ import annotations

import math
import re

import pytest

from complaints import tracking_codes
from complaints.models import Complaint
from tests.support import api_client, complaint_in, page_client

NEW_CODE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}(-[2-9A-HJKMNP-TV-Z]{4}){3}$")


def test_the_alphabet_has_no_confusable_symbols():
    assert set(tracking_codes.ALPHABET).isdisjoint(set("0O1IL" + "U"))
    assert len(tracking_codes.ALPHABET) == len(set(tracking_codes.ALPHABET)) == 30


def test_a_new_code_is_four_groups_of_four_with_at_least_60_bits():
    codes = {tracking_codes.new_tracking_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(NEW_CODE.match(code) for code in codes)
    assert tracking_codes.LENGTH * math.log2(len(tracking_codes.ALPHABET)) >= 60
    # every symbol of the alphabet turns up, none outside it
    assert set("".join(codes).replace("-", "")) == set(tracking_codes.ALPHABET)


@pytest.mark.parametrize("typed", ["k7qm-4tzd-9wxb-h3rn", "K7QM 4TZD 9WXB H3RN", " k7qm4tzd9wxbh3rn ",
                                   "K7QM—4TZD—9WXB—H3RN", "k7qm.4tzd.9wxb.h3rn"])
def test_typing_is_forgiving(typed):
    assert tracking_codes.normalized(typed) == "K7QM-4TZD-9WXB-H3RN"


@pytest.mark.parametrize("typed", ["K7QM-4TZD-9WXB-H3R", "K7QM-4TZD-9WXB-H3RNN", "K7QM-4TZD-9WXB-H3R0",
                                   "K7QM-4TZD-9WXB-H3RI", "K7QM-4TZD-9WXB-H3RU", ""])
def test_wrong_length_or_a_symbol_outside_the_alphabet_is_not_a_new_code(typed):
    assert tracking_codes.normalized(typed) is None


@pytest.mark.django_db
def test_a_new_complaint_gets_a_new_code(entity_a):
    complaint = complaint_in(entity=entity_a)
    assert NEW_CODE.match(complaint.tracking_code)


@pytest.fixture
def new_complaint(db, entity_a):
    return complaint_in(entity=entity_a)


@pytest.fixture
def old_complaint(db, entity_a):
    """A complaint filed before issue 17, with its urlsafe code (case-sensitive, with - and _)."""
    complaint = complaint_in(entity=entity_a)
    Complaint.objects.filter(pk=complaint.pk).update(tracking_code="6o4pze5qAhDyP70c-H9_")
    complaint.refresh_from_db()
    return complaint


def test_the_tracking_form_takes_the_code_in_any_case_and_spacing(new_complaint):
    typed = new_complaint.tracking_code.lower().replace("-", " ")
    response = page_client().get("/complaints/track/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/track/{new_complaint.tracking_code}/"


def test_the_status_page_redirects_a_loosely_typed_address_to_the_code(new_complaint):
    loose = new_complaint.tracking_code.lower().replace("-", "")
    response = page_client().get(f"/complaints/track/{loose}/", {"filed": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/complaints/track/{new_complaint.tracking_code}/?filed=1"


def test_an_old_code_is_still_found_exactly(old_complaint):
    code = old_complaint.tracking_code
    assert page_client().get(f"/complaints/track/{code}/").status_code == 200
    found = page_client().get("/complaints/track/", {"code": f"  {code} "})
    assert found.status_code == 302 and found["Location"] == f"/complaints/track/{code}/"
    assert api_client().get(f"/api/v1/complaints/track/{code}/").json()["tracking_code"] == code
    # an old code is case-sensitive: another case is another code
    assert page_client().get(f"/complaints/track/{code.upper()}/").status_code == 404


def test_the_api_is_forgiving_too(new_complaint):
    loose = new_complaint.tracking_code.lower()
    response = api_client().get(f"/api/v1/complaints/track/{loose}/")
    assert response.status_code == 200 and response.json()["tracking_code"] == new_complaint.tracking_code


def test_an_unknown_code_is_said_beside_the_field(db):
    response = page_client().get("/complaints/track/", {"code": "K7QM-4TZD-9WXB-H3RN"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_code_error"' in html and "未找到" in html


def test_the_filed_page_shows_the_code_large_and_asks_to_write_it_down(new_complaint):
    html = page_client().get(f"/complaints/track/{new_complaint.tracking_code}/", {"filed": "1"}).content.decode()
    assert f'<p class="tracking-code code" id="tracking-code">{new_complaint.tracking_code}</p>' in html
    assert "抄写" in html and "web/complaints" in html and "不区分大小写" in html
