"""Seed data for the raw-code scan of the admin (issue 16, item 5), and the scan itself.

``rawcode_world`` extends the admin tests' ``world`` (tests/admin/conftest.py) so that every field that holds a
code has a value on some page: the work-queue's tables (statistics snapshot, bulletin, alerts), a manual
proposal, a complaint's history, a person listed, accounts with a jurisdiction. ``visible_text`` reads a page as
a person does (text, title, aria-label, placeholder; not URLs, names or form values) and ``raw_codes`` lists the
codes it finds there: every non-Chinese choice value of the models, the transition tables' actions and states,
the scoring rules, region codes, ``x: a -> b`` captions and times that are not Beijing time.
"""

from __future__ import annotations

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from core.models import UserRole
from ratings.engine import DEFAULT_RULES
from ratings.models import ScoringModel
from regulator.lists import services as listings
from regulator.workbench import bulletin as bulletins
from regulator.workbench import stats
from regulator.workbench.models import AlertSent
from tests.support import today
from tests.support.factories import EntityFactory, PersonFactory, UserFactory

PROJECT_APPS = ("core", "entities", "complaints", "ratings", "regulator", "workbench", "portal")
_CJK = re.compile(r"[\u3400-\u9fff]")

# Codes that are also the ordinary text of a label, so finding them proves nothing: the grades "A".."D" are
# printed in their own labels ("A 级（诚信）", "B 级"). Nothing else is allowed.
ALLOWED = {"A", "B", "C", "D"}
# Not codes but identifiers a regulator types and reads as such, skipped as a whole: URLs and API paths in help
# texts (/api/v1/listings/import/), dotted keys of the citation catalogue (listing.appeal.review), table:id
# search hints (regulator_listing:12).
_IDENTIFIERS = re.compile(r"(?:https?://|/)[\w./:-]*|\b[A-Za-z_]+(?:\.[A-Za-z_]+)+\b|\b[a-z]+_[a-z_]+:\d+\b")


# ------------------------------------------------------------------ seed


@pytest.fixture
def rawcode_world(world, staff_regulator):
    """``world`` plus a row in the workbench's tables and a value in every code-bearing field."""
    day = today()
    superuser = UserFactory(username="root_admin", role=UserRole.REGULATOR, is_staff=True, is_superuser=True)
    UserFactory(username="inspector_yc", role=UserRole.INSPECTOR, is_staff=False, region_codes=["1408", "140802"],
                sectors=["tourism", "wellness"])
    person = PersonFactory(name="赵六")
    entity = EntityFactory(name="盐湖区丁旅行社有限公司", region_code="140802")
    listings.listing_propose(list_type="black", subject_type="person", person=person, related_entity=entity,
                             person_role="legal_representative", reason="甩团", actor=staff_regulator,
                             source_type="manual")
    stats.snapshot_take(today=day)
    bulletin = bulletins.bulletin_generate(bulletins.previous_month(day))
    AlertSent.objects.create(kind="repair_overdue", object_type="repairapplication", object_id=world["repair"].pk,
                             due=day, recipients=1)
    AlertSent.objects.create(kind="document_unserved", object_type="serveddocument", object_id=1, due=day)
    return {**world, "regulator": staff_regulator, "superuser": superuser, "person_listed": person, "bulletin": bulletin}


# ------------------------------------------------------------------ the codes


def _choice_classes() -> list[type[models.Choices]]:
    found, todo = [], list(models.Choices.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS:
            found.append(cls)
    return found


def code_list() -> set[str]:
    """Every code a page must show by its label, built from the models and the tables themselves."""
    from complaints import transitions as complaint_transitions
    from regulator.lists import transitions as listing_transitions

    codes: set[str] = set()
    for cls in _choice_classes():
        codes.update(str(value) for value in cls.values)
    for config in apps.get_app_configs():
        if config.name.split(".")[0] not in PROJECT_APPS:
            continue
        for model in config.get_models():
            for field in model._meta.get_fields():
                for value, _label in getattr(field, "flatchoices", None) or ():
                    codes.add(str(value))
    for table in (complaint_transitions, listing_transitions):
        for (state, action), step in table.TRANSITIONS.items():
            codes.update({str(state), action, str(step.target)})
        codes.update(table.ACTION_LABELS)
    rules = [DEFAULT_RULES, *ScoringModel.objects.values_list("rules", flat=True)]
    for document in rules:
        codes.update(document.get("points", {}))
        codes.update(f"override_{rule}" for rule in document.get("overrides", {}))
    # the alerts' kinds and objects (regulator.workbench.alerts)
    codes.update({"repair_overdue", "document_unserved", "objection_closing", "repairapplication", "serveddocument"})
    return {code for code in codes if code and not _CJK.search(code) and code not in ALLOWED}


# ------------------------------------------------------------------ reading a page


class _Text(HTMLParser):
    """The text a person reads: character data and the title/aria-label/placeholder attributes.

    Scripts, styles and textareas (a form field's value, like an input's ``value``) are skipped.
    """

    SKIP = {"script", "style", "textarea"}
    READ = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skipping += 1
        for name, value in attrs:
            if name in self.READ and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


_REGION = re.compile(r"(?<![0-9A-Za-z])14\d{4}(?![0-9A-Za-z])")
_CAPTION = re.compile(r"[A-Za-z_]+ -> [A-Za-z_]+")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}|\bUTC\b(?!\s*\+\s*8)|\+00:00|\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
_CLOCK = re.compile(r"(?<![0-9:])([01]?\d|2[0-3]):([0-5]\d)(?![0-9])")


def _utc_clock(hour: int, minute: int, now: datetime.datetime) -> bool:
    """A time of day within three hours of the current UTC time: a timestamp shown in UTC, not Beijing time.

    The seeded rows are written now, so their Beijing times are eight hours away from this window.
    """
    minutes = hour * 60 + minute
    utc = now.hour * 60 + now.minute
    distance = min((minutes - utc) % 1440, (utc - minutes) % 1440)
    return distance <= 180


def raw_codes(text: str, codes: set[str], now: datetime.datetime | None = None) -> list[str]:
    """The raw codes in a page's visible text, each with a little context."""
    now = now or timezone.now().astimezone(datetime.UTC)
    found: list[str] = []
    text = _IDENTIFIERS.sub(" ", text)

    def note(match: re.Match, what: str) -> None:
        start, end = max(0, match.start() - 25), match.end() + 25
        found.append(f"{what} «{match.group(0)}» in …{text[start:end]}…")

    if codes:
        pattern = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                             + r")(?![A-Za-z0-9_])")
        for match in pattern.finditer(text):
            note(match, "code")
    for match in _REGION.finditer(text):
        note(match, "region")
    for match in _CAPTION.finditer(text):
        note(match, "caption")
    for match in _ISO.finditer(text):
        note(match, "time")
    for match in _CLOCK.finditer(text):
        if _utc_clock(int(match.group(1)), int(match.group(2)), now):
            note(match, "utc-clock")
    return found
