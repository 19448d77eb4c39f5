"""No raw code on any admin page (issue 16, item 5): codes by their labels, regions by name, Beijing time.

Every page of every admin site is fetched on seeded data that gives each code-bearing field a value: the
changelist (with its filters), the page of the newest rows, the add form where there is one, and the custom
pages (the start page with each statistic, the listings import, the documents' print pages, the bulletins).
What a person reads there (text, title, aria-label, placeholder) must hold no choice value of the models, no
action or state of the transition tables, no rule of the scoring model, no region code, no ``x: a -> b``
caption and no time in UTC.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin.sites import all_sites
from django.urls import reverse

from core.models import ServedDocument
from regulator.workbench.models import Bulletin
from regulator.workbench.stats import METRICS
from tests.support import page_client

from . import fixtures_rawcodes
from .fixtures_rawcodes import code_list, raw_codes, visible_text

rawcode_world = fixtures_rawcodes.rawcode_world  # the fixture, for the tests of this module

pytestmark = pytest.mark.django_db

ROWS_PER_MODEL = 3

# Codes of fields without choices, as the services write them (regulator.lists.proposals, ratings.ledger,
# regulator.lists.services): the source of a listing or a credit event, the rule that proposed a listing,
# a public change.
SOURCE_CODES = {"manual", "finding", "complaint", "inspection", "listing", "rule", "import", "licence_revoked",
                "licence_revoked_person", "black_violation", "penalty_above_warning", "watch_violation",
                "complaints_in_quarter", "watch_twice", "red_quarterly", "court_dishonest_debtor", "penalty_repair"}


def _site_pages(site, client) -> list[str]:
    """The changelist, the newest rows' pages and the add form of every model of ``site``."""
    paths = []
    for model in site._registry:
        opts = model._meta
        name = f"{site.name}:{opts.app_label}_{opts.model_name}"
        paths.append(reverse(f"{name}_changelist"))
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:ROWS_PER_MODEL]:
            paths.append(reverse(f"{name}_change", args=[pk]))
        add = reverse(f"{name}_add")
        if client.get(add).status_code == 200:
            paths.append(add)
    return paths


def _custom_pages() -> list[str]:
    paths = ["/admin/", *(f"/admin/?figure={code}" for code in METRICS), reverse("admin:regulator_listing_import")]
    for pk in ServedDocument.objects.values_list("pk", flat=True):
        paths.append(reverse("admin:core_serveddocument_html", args=[pk]))
    paths.append(reverse("bulletins:list"))
    paths.extend(reverse("bulletins:issue", args=[issue]) for issue in Bulletin.objects.values_list("issue", flat=True))
    return paths


def _scan(client, paths: list[str], codes: set[str]) -> dict[str, list[str]]:
    now = datetime.datetime.now(datetime.UTC)
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        hits = raw_codes(visible_text(response.content.decode()), codes, now)
        if hits:
            found[path] = hits
    return found


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{path}\n  " + "\n  ".join(hits[:8]) for path, hits in found.items())


@pytest.mark.parametrize("who", ["staff_regulator", "superuser"])
def test_no_raw_code_on_any_admin_page(rawcode_world, who):
    client = page_client(rawcode_world["superuser" if who == "superuser" else "regulator"])
    codes = code_list() | SOURCE_CODES
    paths = [path for site in all_sites for path in _site_pages(site, client)] + _custom_pages()
    assert len(paths) > 100  # every model's pages and the custom ones
    found = _scan(client, paths, codes)
    assert found == {}, f"{sum(map(len, found.values()))} raw codes on {len(found)} pages:\n{_report(found)}"


# ------------------------------------------------------------------ the scan itself


def test_the_scan_finds_what_the_tester_saw(db):
    codes = code_list() | SOURCE_CODES
    now = datetime.datetime(2026, 5, 1, 6, 30, tzinfo=datetime.UTC)
    for text in ("来源类型 manual", "来源 finding", "override_listing_black", "提交投诉 file", "状态 submitted",
                 "1: proposed -> notified", "地区 140800", "2026-05-01T06:30:00", "时间 2026-05-01 06:30:00+00:00",
                 "2026年5月1日 06:31", "时间 UTC"):
        assert raw_codes(text, codes, now), text


def test_the_scan_leaves_labels_urls_and_form_values_alone(db):
    codes = code_list() | SOURCE_CODES
    now = datetime.datetime(2026, 5, 1, 6, 30, tzinfo=datetime.UTC)
    html = ('<a href="/admin/?status=manual" title="运城市盐湖区">运城市盐湖区</a><input name="finding" value="manual">'
            '<select><option value="submitted">待受理</option></select><script>var a = "finding";</script>'
            "<p>A 级（诚信） 2026年5月1日 14:30 regulator_listing:12 91140802MA0K8XYZ12</p>")
    text = visible_text(html)
    assert "运城市盐湖区" in text and "待受理" in text
    assert raw_codes(text, codes, now) == []


def test_the_code_list_is_built_from_the_models_and_the_tables(db):
    codes = code_list()
    # choice values, transition actions and states, rules of the scoring model
    assert {"submitted", "accepted", "notified", "file", "accept", "override_listing_black",
            "complaint_substantiated", "tourism", "travel_agency"} <= codes
    assert not codes & {"A", "B", "C", "D"}  # allowed: printed in their own labels
    assert admin.site in all_sites


def test_compound_figure_keys_are_shown_in_words(rawcode_world):
    # "watch.published" would pass the scan as a dotted identifier: the statistics list names it instead.
    body = visible_text(page_client(rawcode_world["regulator"]).get(reverse("admin:workbench_statfigure_changelist"))
                        .content.decode())
    assert "重点关注名单 · 已公示" in body and "watch.published" not in body
    assert "盐湖区" in body and "140802" not in body
