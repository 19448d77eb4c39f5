"""Every page: who gets 200, what others get, labels, the 375 px viewport, and no personal data in public."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from tests.support import complaint_in, page_client

from .conftest import COMPLAINANT, FILING, PHONE, assert_accessible_page

pytestmark = pytest.mark.django_db

ID_NUMBER = re.compile(r"(?<![0-9A-Z])\d{17}[\dXx](?![0-9A-Za-z])")


@pytest.fixture
def world(black_guoji, listed_person, guoji, entity_a, business_a, regulator):
    """A published entity listing, a published person listing, complaints with the complainant's phone."""
    complaint = complaint_in(entity=guoji, **FILING)
    accepted = complaint_in("accepted", entity=entity_a, actor=regulator, **FILING)
    return {"guoji": guoji, "entity_a": entity_a, "complaint": complaint, "accepted": accepted,
            "person": listed_person}


def public_urls(world) -> list[str]:
    code = world["guoji"].credit_code
    return ["/", "/search/", "/search/?q=国际", "/search/?q=guoji&list=black", f"/search/?q={code}",
            f"/operators/{code}/", f"/operators/{code}/report/", "/complaints/new/", "/complaints/track/",
            f"/complaints/track/{world['complaint'].tracking_code}/",
            f"/complaints/track/{world['complaint'].tracking_code}/?filed=1", "/open-data/", "/verify/",
            "/accounts/login/"]


def test_every_public_page_answers_200_accessibly_and_without_personal_data(web, world):
    person = world["person"]
    for url in public_urls(world):
        response = web.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_accessible_page(html)
        assert PHONE not in html and COMPLAINANT not in html, url
        assert person["id_number"] not in html and person["person"].id_number_masked not in html, url
        assert "欧阳娜娜" not in html, url
        credit_codes = {world["guoji"].credit_code, world["entity_a"].credit_code}
        assert set(ID_NUMBER.findall(html)) <= credit_codes, url


def test_business_pages_answer_200_to_their_business_and_are_accessible(world, business_a):
    client = page_client(business_a)
    for url in ["/business/", f"/business/entities/{world['entity_a'].pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_accessible_page(html)
        assert PHONE not in html and COMPLAINANT not in html, url


@pytest.mark.parametrize(("who", "expected"), [(None, 302), ("inspector", 403), ("regulator", 403),
                                               ("business_b", 404)])
def test_the_entity_page_answers_others_as_the_rules_say(who, expected, request, world):
    user = request.getfixturevalue(who) if who else None
    assert page_client(user).get(f"/business/entities/{world['entity_a'].pk}/").status_code == expected


def test_pages_fit_a_375px_screen(web):
    css = open(finders.find("web/site.css"), encoding="utf-8").read()
    fixed = [int(value) for value in re.findall(r"(?<![-\w])(?:min-)?width:\s*(\d+)px", css)]
    assert all(value <= 375 for value in fixed), fixed
    assert "@media (min-width:" in css  # mobile first: wider screens are the exception
    html = web.get("/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_focus_is_visible_and_the_skip_link_leads_to_main(web):
    css = open(finders.find("web/site.css"), encoding="utf-8").read()
    assert ":focus-visible" in css and "outline: 3px solid" in css and ".skip-link:focus" in css
    html = web.get("/").content.decode()
    assert html.index('class="skip-link"') < html.index("<header") and '<main id="main"' in html
