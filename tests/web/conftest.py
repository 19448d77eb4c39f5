"""Helpers of the page tests: the page client, published records, what a complainant files, a check for labels."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest

from entities import codes
from entities import services as entity_services
from tests.support import listing_in, page_client, today
from tests.support.factories import EntityFactory, PersonRoleFactory, _rng

NAME = "运城国际旅行社有限公司"
PHONE = "13912345678"
COMPLAINANT = "王小明"
#: what the complainant of the page tests files (``complaint_in(entity=..., **FILING)``): private details a
#: business page must never show
FILING = {"description": "导游强迫购物，在玉器店停留三小时", "complainant_name": COMPLAINANT, "complainant_phone": PHONE}


@pytest.fixture(autouse=True)
def _exports_in_a_private_dir(settings, tmp_path):
    """Open-data files are written per test, never into the var/exports another run may be reading."""
    settings.EXPORTS_DIR = tmp_path / "exports"


@pytest.fixture
def web():
    """An anonymous visitor of the pages."""
    return page_client()


@pytest.fixture
def guoji(db):
    return EntityFactory(name=NAME)


@pytest.fixture
def black_guoji(guoji):
    return listing_in("published", entity=guoji, decided_on=today() - datetime.timedelta(days=10))


@pytest.fixture
def listed_person(guoji):
    """欧阳娜娜, legal representative of the black-listed 运城国际, listed herself; with her ID number."""
    id_number = codes.id_number("140802", datetime.date(1988, 3, 14), _rng)
    person = entity_services.person_create(name="欧阳娜娜", id_number=id_number)
    PersonRoleFactory(entity=guoji, person=person)
    listing = listing_in("published", person=person, related_entity=guoji, person_role="legal_representative",
                         decided_on=today() - datetime.timedelta(days=10))
    return {"person": person, "id_number": id_number, "listing": listing}


class Controls(HTMLParser):
    """Form controls, the ids labels point at, and the head's meta tags of one HTML page."""

    def __init__(self, html: str):
        super().__init__()
        self.controls: list[dict[str, str]] = []
        self.labelled: set[str] = set()
        self.meta: list[dict[str, str]] = []
        self.lang = None
        self.ids: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "meta":
            self.meta.append(attributes)
        elif tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"])
        elif tag in ("input", "select", "textarea"):
            self.controls.append({"tag": tag, **attributes})

    def unlabelled(self) -> list[dict[str, str]]:
        return [control for control in self.controls
                if control.get("type") not in ("hidden", "submit", "button", "reset", "image")
                and not control.get("aria-label") and control.get("id") not in self.labelled]


def assert_accessible_page(html: str) -> Controls:
    """lang, the 375 px viewport, a skip link to <main>, and a label for every visible control."""
    page = Controls(html)
    assert page.lang == "zh-Hans"
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.meta
    assert 'class="skip-link" href="#main"' in html and "main" in page.ids
    assert page.unlabelled() == []
    return page
