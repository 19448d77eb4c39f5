"""Object-level authorization of the web pages, generated from the portal's URL map: no business reaches another's.

Every page of ``regulator/portal/urls.py`` whose path takes an object id (``<int:..._id>``) is found from the URL
map (not listed by hand) and filled with business A's objects of the two-business world: its entity and its
household firm, its complaint, its listings, its finding, its 认定决定书, its worker, the worker's employment and
居家上门服务证. Then:

- business B (GET and POST, an empty form) is answered 404, exactly as for an id that does not exist, and never
  sees A's name, credit code, representative, worker, card code or complainant;
- the anonymous public is sent to the login page (or refused), never answered with the page;
- the control: business A itself opens each GET page of its own objects (no 404), so B's 404 means scope (a
  page that takes POST only answers A's GET with 405: the control then only shows the page exists);
- a method a page does not take is a 405 for everyone, decided before any object is looked up;
- nothing of the world changed.

An id argument this file does not know fails ``test_every_id_page_is_probed``: a new page is reviewed here first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from regulator.portal import urls as portal_urls

from .conftest import World, build_world, rolled_back, text_of

pytestmark = pytest.mark.django_db

MISSING_ID = 2_147_483_647
# page argument -> the attributes of ``Side`` whose objects it takes
PAGE_TARGETS = {
    "entity_id": ("entity", "firm"),
    "complaint_id": ("complaint",),
    "listing_id": ("listing", "published_listing", "person_listing"),
    "finding_id": ("finding",),
    "document_id": ("document",),
    "person_id": ("worker",),
    "employment_id": ("employment",),
    "card_id": ("card",),
    "review_id": ("review",),  # 家政服务评价 of A's firm (the firm's reply page)
}
# Pages whose id is not one business's record: (the id argument, the object of the world, why anyone may reach it).
# Business B's answer need not be a 404 there, but it never shows A's records and is never a 5xx; the anonymous
# public is answered on a public page and sent to log in on a business page.
OPEN_PAGES = {
    "campaign": ("campaign_id", lambda world: world.a.campaign,
                 "专项行动结果公开: an ended campaign's results are public (counts only, no business named)", True),
    "award-objection": ("application_id", lambda world: world.a.award,
                        "诚信评选公示: anyone may object to an application in notice; notices and awards are "
                        "published by name (the /awards/ page)", True),
    "business-award-apply": ("round_id", lambda world: _award_round(world),
                             "an award round open to applications is open to every business (each applies for "
                             "its own entities only: another's is a 404, tests/regulator/test_award_pages.py)",
                             False),
}


def _award_round(world: World):
    from regulator.lists.awards import AwardRound

    return world.shared[AwardRound]


def _id_pages() -> list[URLPattern]:
    return [pattern for pattern in portal_urls.urlpatterns if isinstance(pattern, URLPattern)
            and any(name.endswith("_id") for name in pattern.pattern.converters)]


@dataclass
class Probe:
    pages: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    requests: int = 0


def _secrets(world: World) -> list[str]:
    side = world.a
    return [side.entity.name, side.entity.credit_code, side.person.name, side.firm.name, side.firm.credit_code,
            side.worker.name, side.card.code, side.complainant_name, side.complainant_phone]


def _snapshot(world: World) -> dict[str, dict]:
    rows = {}
    for obj in [*world.a.objects().values(), *world.a.more_objects()]:
        fresh = type(obj).objects.get(pk=obj.pk)
        rows[f"{type(obj).__name__}#{obj.pk}"] = {
            f.attname: getattr(fresh, f.attname) for f in type(obj)._meta.concrete_fields
            if f.attname not in {"last_login", "search_vector"}}
    return rows


def _run(world: World) -> Probe:
    probe = Probe()
    own, other, anonymous = Client(), Client(), Client()
    own.force_login(world.a.account)
    other.force_login(world.b.account)
    before = _snapshot(world)
    secrets = _secrets(world)
    login = reverse("web:login")
    for pattern in _id_pages():
        names = list(pattern.pattern.converters)
        if pattern.name in OPEN_PAGES:
            _probe_open_page(world, pattern, probe, own=own, other=other, anonymous=anonymous, secrets=secrets)
            continue
        if not set(names) <= set(PAGE_TARGETS):
            probe.unknown.append(f"{pattern.name}: {names}")
            continue
        probe.pages.append(pattern.name)
        # one id argument per page today; several would be filled from the same side
        (name,) = names
        missing = reverse(f"web:{pattern.name}", kwargs={name: MISSING_ID})
        opened = False
        for attribute in PAGE_TARGETS[name]:
            url = reverse(f"web:{pattern.name}", kwargs={name: getattr(world.a, attribute).pk})
            control = own.get(url)
            probe.requests += 1
            opened = opened or control.status_code not in (404, 500)
            for method in ("get", "post"):
                response = getattr(other, method)(url)
                absent = getattr(other, method)(missing)
                probe.requests += 2
                where = f"business_b {method.upper()} {url} -> {response.status_code}"
                text = text_of(response)
                shown = [secret for secret in secrets if secret in text]
                if shown:
                    probe.leaks.append(f"{where}: shows {shown}")
                # 405: the page does not take the method, decided before any object is looked up (as for a missing id)
                if response.status_code != 404 and (response.status_code, absent.status_code) != (405, 405):
                    probe.leaks.append(f"{where}, not a 404 (a missing id: {absent.status_code})")
                public = getattr(anonymous, method)(url)
                probe.requests += 1
                if public.status_code not in (302, 403, 404, 405) or (
                        public.status_code == 302 and not public["Location"].startswith(login)):
                    probe.leaks.append(f"anonymous {method.upper()} {url} -> {public.status_code}")
                if any(secret in text_of(public) for secret in secrets):
                    probe.leaks.append(f"anonymous {method.upper()} {url}: shows A's records")
        if not opened:
            probe.controls.append(f"business_a GET {pattern.name} of its own objects -> 404 every time")
    after = _snapshot(world)
    probe.changed = [key for key in before if before[key] != after[key]]
    return probe


def _probe_open_page(world: World, pattern: URLPattern, probe: Probe, *, own: Client, other: Client,
                     anonymous: Client, secrets: list[str]) -> None:
    name, target, _why, public = OPEN_PAGES[pattern.name]
    if list(pattern.pattern.converters) != [name]:
        probe.unknown.append(f"{pattern.name}: {list(pattern.pattern.converters)} (OPEN_PAGES says {name})")
        return
    probe.pages.append(pattern.name)
    url = reverse(f"web:{pattern.name}", kwargs={name: target(world).pk})
    control = own.get(url)
    probe.requests += 1
    if control.status_code in (404, 500):
        probe.controls.append(f"business_a GET {url} -> {control.status_code}")
    for method in ("get", "post"):
        for caller, client in (("business_b", other), ("anonymous", anonymous)):
            response = getattr(client, method)(url)
            probe.requests += 1
            where = f"{caller} {method.upper()} {url} -> {response.status_code}"
            if response.status_code >= 500:
                probe.leaks.append(f"{where}: server error")
            # the campaign's counts name no business; the award pages name the awarded, never another's records
            shown = [secret for secret in secrets if secret in text_of(response)
                     and not (pattern.name == "award-objection" and secret in (world.a.firm.name,
                                                                               world.a.firm.credit_code))]
            if shown:
                probe.leaks.append(f"{where}: shows {shown}")
            if caller == "anonymous" and not public and not (
                    response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
                    or response.status_code in (403, 405)):
                probe.leaks.append(f"{where}: a business page answered the public")


@pytest.fixture(scope="module")
def probe(django_db_setup, django_db_blocker, tmp_path_factory) -> Probe:
    with rolled_back(django_db_blocker, tmp_path_factory.mktemp("pages")):
        return _run(build_world())


def test_every_id_page_is_probed(probe):
    assert probe.unknown == [], "pages with an id argument this file does not know: add them to PAGE_TARGETS"
    assert {"business-entity", "business-reply", "business-objection", "business-statement-penalty",
            "business-worker", "business-card-revoke", "business-evidence", "business-review-reply",
            *OPEN_PAGES} <= set(probe.pages)


def test_business_a_opens_its_own_pages(probe):
    """The control: the ids are A's real objects, so B's 404 is scope, not a typo."""
    assert probe.controls == []


def test_no_business_reaches_another_business_page_and_the_public_is_sent_to_log_in(probe):
    print(f"[figure] page authz: {len(probe.pages)} pages, {probe.requests} requests")
    assert probe.leaks == [], json.dumps(probe.leaks, ensure_ascii=False, indent=1)


def test_the_page_probes_changed_nothing(probe):
    assert probe.changed == []
