"""部门客户端 (issue 18, item 2): keys hashed and shown once, expiry, rotation, revocation, IP allow-list, scopes,
rate limits, the query log and its CSV export; and no client without ``lists:read`` ever sees the watch list."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import random

import pytest
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from core import clients
from core.authentication_clients import receipt_id
from core.models import ClientKey, ClientQuery, DepartmentClient
from entities import codes
from tests.support import listing_in, today
from tests.support.factories import EntityFactory, PersonFactory, PersonRoleFactory
from tests.support.states import catalogue_until_seeded  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue_until_seeded")]

_rng = random.Random(1802)
ALL_BUT_LISTS = ["licence-check", "measures-check", "penalties:read", "push"]
ADDRESS = "10.1.2.3"


def department(name="市公共资源交易中心", scopes=("measures-check", "licence-check"), rate="600/min",
               allow=("10.1.0.0/16",)) -> DepartmentClient:
    return DepartmentClient.objects.create(name=name, authority_credit_code="11120000MB1529459B", contact_name="张三",
                                           scopes=list(scopes), rate=rate, ip_allowlist=list(allow))


def key_client(key: str, address: str = ADDRESS, **extra) -> APIClient:
    client = APIClient(REMOTE_ADDR=address, **extra)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def days(offset: int) -> datetime.date:
    return today() + datetime.timedelta(days=offset)


@pytest.fixture
def procurement_centre():
    client = department()
    return client, clients.client_key_issue(client_id=client.pk).key


def ask(api: APIClient, entity, measure="public_procurement"):
    return api.post("/api/v1/measures-checks/", {"measure": measure, "applicant_credit_code": entity.credit_code},
                    format="json")


# --- keys ---------------------------------------------------------------------------------------------------


def test_a_key_is_stored_only_as_its_digest(procurement_centre):
    client, key = procurement_centre
    record = ClientKey.objects.get(client=client)
    assert record.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(record.prefix + ".")
    row = ClientKey.objects.filter(pk=record.pk).values().get()
    assert all(key not in str(value) for value in row.values())


def test_a_live_key_is_answered(procurement_centre, entity_a):
    _client, key = procurement_centre
    response = ask(key_client(key), entity_a)
    assert response.status_code == 200, response.content
    assert response.json()["allowed"] is True


@pytest.mark.parametrize("header", ["Api-Key", "Api-Key nonsense", "Api-Key AAAAAAAAAA.bbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                                    "Api-Key a b"])
def test_an_unknown_or_malformed_key_is_401(header, entity_a):
    api = APIClient(REMOTE_ADDR=ADDRESS)
    api.credentials(HTTP_AUTHORIZATION=header)
    response = ask(api, entity_a)
    assert response.status_code == 401 and response.json()["code"]


def test_a_wrong_secret_with_a_real_prefix_is_401(procurement_centre, entity_a):
    _client, key = procurement_centre
    assert ask(key_client(key[:-2] + ("AA" if not key.endswith("AA") else "BB")), entity_a).status_code == 401


def test_an_expired_key_is_401_from_its_expiry(procurement_centre, entity_a):
    client, key = procurement_centre
    ClientKey.objects.filter(client=client).update(expires_at=timezone.now() + datetime.timedelta(seconds=30))
    assert ask(key_client(key), entity_a).status_code == 200
    ClientKey.objects.filter(client=client).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert ask(key_client(key), entity_a).status_code == 401


def test_a_revoked_key_is_401_on_the_very_next_request(procurement_centre, entity_a):
    client, key = procurement_centre
    api = key_client(key)
    assert ask(api, entity_a).status_code == 200
    clients.client_key_revoke(key_id=ClientKey.objects.get(client=client).pk, reason="泄露")
    assert ask(api, entity_a).status_code == 401


def test_a_disabled_client_is_401(procurement_centre, entity_a):
    client, key = procurement_centre
    DepartmentClient.objects.filter(pk=client.pk).update(is_active=False)
    assert ask(key_client(key), entity_a).status_code == 401


def test_rotation_keeps_the_old_key_for_the_overlap_only(procurement_centre, entity_a):
    client, old = procurement_centre
    new = clients.client_key_rotate(client_id=client.pk, overlap_days=7).key
    assert ask(key_client(old), entity_a).status_code == 200
    assert ask(key_client(new), entity_a).status_code == 200
    previous = ClientKey.objects.get(client=client, prefix=old.split(".")[0])
    assert previous.expires_at <= timezone.now() + datetime.timedelta(days=7)
    ClientKey.objects.filter(pk=previous.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert ask(key_client(old), entity_a).status_code == 401
    assert ask(key_client(new), entity_a).status_code == 200


def test_a_key_longer_than_three_years_or_in_the_past_is_refused(procurement_centre):
    from django.core.exceptions import ValidationError

    client, _key = procurement_centre
    for when in (timezone.now() - datetime.timedelta(days=1), timezone.now() + datetime.timedelta(days=3 * 365 + 2)):
        with pytest.raises(ValidationError):
            clients.client_key_issue(client_id=client.pk, expires_at=when)


# --- where from, what, how often -----------------------------------------------------------------------------


def test_an_address_outside_the_allow_list_is_403_and_logged(procurement_centre, entity_a):
    client, key = procurement_centre
    assert ask(key_client(key, address="10.2.0.1"), entity_a).status_code == 403
    assert ask(key_client(key, address="10.1.255.254"), entity_a).status_code == 200
    # a forwarded header is believed only from a trusted proxy (none here)
    assert ask(key_client(key, address="192.0.2.9", HTTP_X_FORWARDED_FOR=ADDRESS), entity_a).status_code == 403
    assert ClientQuery.objects.filter(client=client, status_code=403).count() == 2


def test_an_empty_allow_list_lets_nobody_in(entity_a):
    client = department(allow=())
    key = clients.client_key_issue(client_id=client.pk).key
    assert ask(key_client(key), entity_a).status_code == 403


def test_a_missing_scope_is_403(entity_a):
    client = department(scopes=("licence-check",))
    key = clients.client_key_issue(client_id=client.pk).key
    assert ask(key_client(key), entity_a).status_code == 403
    licence = key_client(key).post("/api/v1/licence-checks/", {"licence_type": "travel_agency_business",
                                                              "applicant_credit_code": entity_a.credit_code},
                                   format="json")
    assert licence.status_code == 200


@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/listings/"), ("get", "/api/v1/entities/"),
                                              ("get", "/api/v1/users/me/"), ("get", "/api/v1/audit-log/"),
                                              ("post", "/api/v1/listings/import/")])
def test_an_endpoint_that_names_no_client_scope_is_closed_to_every_key(method, path):
    client = department(scopes=[*ALL_BUT_LISTS, "lists:read"])
    key = clients.client_key_issue(client_id=client.pk).key
    response = getattr(key_client(key), method)(path, {}, format="json")
    assert response.status_code == 403


def test_the_rate_limit_is_per_client(entity_a):
    slow = department(name="慢", rate="2/min")
    other = department(name="快", rate="100/min")
    slow_key = clients.client_key_issue(client_id=slow.pk).key
    other_key = clients.client_key_issue(client_id=other.pk).key
    assert [ask(key_client(slow_key), entity_a).status_code for _ in range(3)] == [200, 200, 429]
    assert ask(key_client(other_key), entity_a).status_code == 200


# --- the query log -------------------------------------------------------------------------------------------


def test_every_check_is_in_the_log_with_its_receipt(procurement_centre, entity_a):
    client, key = procurement_centre
    number = codes.id_number("140802", datetime.date(1979, 1, 2), _rng)
    body = {"checks": [{"measure": "public_procurement", "applicant_credit_code": entity_a.credit_code},
                       {"measure": "green_channel", "person_id_numbers": [number]}]}
    response = key_client(key).post("/api/v1/measures-checks/batch/", body, format="json")
    assert response.status_code == 200
    query = ClientQuery.objects.get(client=client)
    results = response.json()["results"]
    assert query.status_code == 200 and query.items == 2 and query.endpoint == "/api/v1/measures-checks/batch/"
    assert query.receipt_ids == [receipt_id(result["receipt"]) for result in results]
    assert query.key_prefix == key.split(".")[0] and query.client_ip == ADDRESS
    assert number not in str(query.request_summary)
    assert query.request_summary["items"][1]["persons_masked"] == [number[:4] + "*" * 10 + number[-4:]]
    assert query.answer_summary["items"][0]["text"] == results[0]["receipt"]["payload"]["result"]


def test_a_bad_request_is_logged_with_its_status(procurement_centre, entity_a):
    client, key = procurement_centre
    assert ask(key_client(key), entity_a, measure="bidding").status_code == 400
    assert ClientQuery.objects.get(client=client).status_code == 400


def test_a_check_whose_log_row_cannot_be_written_is_not_answered(procurement_centre, entity_a, monkeypatch):
    from core import authentication_clients

    def broken(**kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(authentication_clients, "client_query_record", broken)
    _client, key = procurement_centre
    response = ask(key_client(key), entity_a)
    assert response.status_code == 503
    assert response.json()["code"] == "query_log_unavailable" and "allowed" not in response.json()


def test_the_csv_export_masks_id_numbers_and_covers_the_period(procurement_centre, entity_a, admin_client):
    client, key = procurement_centre
    number = codes.id_number("140802", datetime.date(1975, 7, 8), _rng)
    key_client(key).post("/api/v1/measures-checks/", {"measure": "government_funding", "person_id_numbers": [number],
                                                      "applicant_credit_code": entity_a.credit_code}, format="json")
    ClientQuery.objects.create(client=client, key_prefix="old", method="POST", endpoint="=cmd|' /C calc'!A0",
                               status_code=200, at=timezone.now())
    ClientQuery.objects.filter(key_prefix="old").update(at=timezone.now() - datetime.timedelta(days=40))
    url = f"/admin/core/departmentclient/{client.pk}/queries/export/"
    response = admin_client.get(url, {"start": str(days(-1)), "end": str(days(0))})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "查询编号" and len(rows) == 2
    assert number not in text and number[:4] + "*" * 10 + number[-4:] in text
    assert rows[1][10] == "government_funding" and rows[1][14]
    old = admin_client.get(url, {"start": str(days(-41)), "end": str(days(-39))}).content.decode("utf-8-sig")
    assert "'=cmd" in old  # a formula cell is neutralised (decision 0013)
    assert admin_client.get(url, {"start": str(days(0)), "end": str(days(-1))}).status_code == 200  # form again


def test_a_key_is_shown_once_on_the_admin_page_that_issues_it(procurement_centre, admin_client):
    client, _key = procurement_centre
    page = admin_client.post(f"/admin/core/departmentclient/{client.pk}/keys/issue/", {})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    key = page.context["issued"].key
    assert key in page.content.decode()
    assert ClientKey.objects.filter(client=client).count() == 2
    later = admin_client.get(f"/admin/core/departmentclient/{client.pk}/change/").content.decode()
    assert key not in later and key.split(".")[0] in later


# --- the watch list and unmasked identifiers -------------------------------------------------------------------


@pytest.fixture
def watched():
    """A watch-listed firm whose legal representative, 赵重点, is named in full only in the lists."""
    firm = EntityFactory(name="盐湖区被重点关注旅行社有限公司")
    number = codes.id_number("140802", datetime.date(1970, 2, 3), _rng)
    person = PersonFactory(name="赵重点", id_number=number)
    PersonRoleFactory(entity=firm, person=person, started_on=datetime.date(2020, 1, 1))
    listing = listing_in("published", entity=firm, list_type="watch", reason="拒不执行投诉处理决定（测试事由）",
                         decided_on=days(-10))
    person_listing = listing_in("published", person=person, related_entity=firm, person_role="legal_representative",
                                list_type="watch", reason="拒不执行投诉处理决定（测试事由）", decided_on=days(-10))
    return {"firm": firm, "number": number, "person": person, "listing": listing, "person_listing": person_listing}


def _secrets(world) -> list[str]:
    return [world["listing"].reason, world["person"].name, world["number"]]


def test_the_watch_list_is_read_with_lists_read_only(watched):
    reader = department(name="读名单", scopes=["lists:read"])
    other = department(name="不读名单", scopes=ALL_BUT_LISTS)
    reader_key = clients.client_key_issue(client_id=reader.pk).key
    other_key = clients.client_key_issue(client_id=other.pk).key
    assert key_client(other_key).get("/api/v1/lists/watch/").status_code == 403
    response = key_client(reader_key).get("/api/v1/lists/watch/")
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[watched["person_listing"].pk]["person_name"] == "赵重点"
    assert watched["number"] not in response.content.decode()  # never whole
    assert ClientQuery.objects.filter(client=reader, status_code=200).exists()


def test_a_check_for_a_client_without_lists_read_withholds_watch_rows(watched):
    plain = department(name="不读名单", scopes=ALL_BUT_LISTS)
    reader = department(name="读名单", scopes=[*ALL_BUT_LISTS, "lists:read"])
    plain_key = clients.client_key_issue(client_id=plain.pk).key
    reader_key = clients.client_key_issue(client_id=reader.pk).key
    asks = [("/api/v1/licence-checks/", {"licence_type": "travel_agency_business"}),
            ("/api/v1/measures-checks/", {"measure": "merit_evaluation"}),
            ("/api/v1/measures-checks/", {"measure": "awards_honours"})]
    for path, body in asks:
        body = {**body, "applicant_credit_code": watched["firm"].credit_code, "person_id_numbers": [watched["number"]]}
        seen = key_client(reader_key).post(path, body, format="json")
        hidden = key_client(plain_key).post(path, body, format="json")
        assert seen.status_code == hidden.status_code == 200
        assert watched["listing"].reason in seen.content.decode()
        text = hidden.content.decode()
        assert all(secret not in text for secret in _secrets(watched)), path
        answer = hidden.json()
        rows = answer["blocking"] + answer["warnings"]
        assert rows and all(row["withheld"] and row["listing_id"] is None and row["list_type"] is None for row in rows)
        assert answer["allowed"] == seen.json()["allowed"]  # the effect stays


def _patterns(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, route)
        elif isinstance(entry, URLPattern):
            yield route, entry


def _concrete(route: str) -> str:
    import re

    path = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\.", ".")
    path = re.sub(r"<(?:int:)?pk>|<int:[a-z_]+>|\(\?P<pk>[^)]*\)", "1", path)
    path = re.sub(r"\(\?P<list_type>[^)]*\)", "watch", path)
    path = re.sub(r"\(\?P<format>[^)]*\)", "json", path)
    path = re.sub(r"<[^>]+>", "x", path)
    path = re.sub(r"\(\?P<[a-z_]+>[^)]*\)", "x", path)
    return "/" + path.replace("?", "")


def test_no_endpoint_shows_the_watch_list_or_an_identifier_to_a_client_without_lists_read(watched, entity_a):
    """Every route under /api/ (GET and POST): 403, or a 2xx/4xx answer holding none of the watch list's details."""
    plain = department(name="不读名单", scopes=ALL_BUT_LISTS, rate="100000/min")
    key = clients.client_key_issue(client_id=plain.pk).key
    api = key_client(key)
    body = {"measure": "merit_evaluation", "licence_type": "travel_agency_business",
            "applicant_credit_code": watched["firm"].credit_code, "person_id_numbers": [watched["number"]]}
    routes = {}
    for route, entry in _patterns():
        if _concrete(route).startswith("/api/"):
            view = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
            # a public view authenticates nobody (the key is ignored): it answers what the public sees, names
            # masked (published watch listings are public in the change feed, reasons redacted)
            routes[_concrete(route)] = getattr(view, "authentication_classes", None) == []
    assert len(routes) > 40
    reached = set()
    for path, public in sorted(routes.items()):
        secrets = _secrets(watched)[1:] if public else _secrets(watched)
        for method in ("get", "post"):
            response = getattr(api, method)(path, {"checks": [body], **body} if method == "post" else {},
                                            format="json")
            text = response.content.decode(errors="replace")
            assert all(secret not in text for secret in secrets), (method, path, response.status_code)
            if response.status_code < 300 and not public:
                reached.add(path)
    # what the key itself opened: its checks, and the two feeds its scopes name (penalties:read, push), each
    # without the watch list or an identifier (asserted above for every answer)
    assert reached == {"/api/v1/measures-checks/", "/api/v1/measures-checks/batch/", "/api/v1/licence-checks/",
                       "/api/v1/licence-checks/batch/", "/api/v1/feeds/penalties/", "/api/v1/feeds/changes/"}


def test_the_penalty_feed_names_the_penalised_but_never_the_watch_list_or_an_id_number(watched, regulator):
    """双公示 penalty records go to a receiving department with the legal representative named in full (by design),
    but a client without lists:read still never reads the watch listing's reason nor any ID number."""
    from complaints import services as complaint_services
    from complaints.models import ViolationType
    from regulator.disclosure import publicity_services

    violation = ViolationType.objects.filter(active=True, sector=watched["firm"].sector).order_by("id").first()
    complaint_services.inspection_create(
        actor=regulator, entity=watched["firm"], inspected_on=days(-3), kind="targeted", summary="现场检查",
        findings=[{"violation_type": violation, "description": violation.name, "penalty": "fine",
                   "fine_amount": 3000, "decision_number": "运盐文旅罚〔2026〕77号"}])
    publicity_services.publicity_sweep()
    plain = department(name="不读名单", scopes=ALL_BUT_LISTS)
    response = key_client(clients.client_key_issue(client_id=plain.pk).key).get("/api/v1/feeds/penalties/")
    assert response.status_code == 200
    rows = [row for row in response.json()["results"] if row["credit_code"] == watched["firm"].credit_code]
    assert rows and rows[0]["legal_representative"] == "赵重点"  # the control: the record is there, named
    text = response.content.decode()
    assert watched["listing"].reason not in text and watched["number"] not in text
