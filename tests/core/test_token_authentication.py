"""Token authentication reads one row per request; expired tokens are purged by the beat job.

knox, left alone, loads every token of the account on each request to delete the expired ones
(``core.authentication.AuditedTokenAuthentication._cleanup_token`` checks only the presented one).
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.authentication import tokens_purge
from core.models import User, UserRole
from core.tasks import tokens_purge as tokens_purge_task


@pytest.fixture
def officer(db):
    return User.objects.create_user("token-officer", password="x-Secret-9", role=UserRole.REGULATOR,
                                    region_codes=["14"])


def _client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_an_authenticated_request_reads_only_its_own_token_row(officer):
    tokens = [AuthToken.objects.create(officer)[1] for _ in range(3)]
    AuthToken.objects.exclude(digest=AuthToken.objects.order_by("created").first().digest).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1))  # two of the account's tokens expired
    with CaptureQueriesContext(connection) as queries:
        assert _client(tokens[0]).get("/api/v1/users/me/").status_code == 200
    token_reads = [q["sql"] for q in queries.captured_queries if "knox_authtoken" in q["sql"]]
    assert len(token_reads) == 1 and token_reads[0].lstrip().upper().startswith("SELECT")
    assert AuthToken.objects.count() == 3  # the others' expiry is the purge's business, not the request's


def test_the_presented_token_is_refused_and_deleted_the_moment_it_expires(officer):
    token = AuthToken.objects.create(officer)[1]
    AuthToken.objects.update(expiry=timezone.now() + datetime.timedelta(seconds=30))
    assert _client(token).get("/api/v1/users/me/").status_code == 200
    AuthToken.objects.update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _client(token).get("/api/v1/users/me/").status_code == 401
    assert not AuthToken.objects.exists()


def test_the_purge_deletes_expired_tokens_and_keeps_live_ones(officer):
    now = timezone.now()
    AuthToken.objects.create(officer)
    AuthToken.objects.create(officer)
    live, gone = AuthToken.objects.order_by("created")
    AuthToken.objects.filter(pk=live.pk).update(expiry=now + datetime.timedelta(seconds=1))
    AuthToken.objects.filter(pk=gone.pk).update(expiry=now - datetime.timedelta(seconds=1))
    assert tokens_purge(now=now) == 1
    assert list(AuthToken.objects.values_list("pk", flat=True)) == [live.pk]
    AuthToken.objects.filter(pk=live.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert tokens_purge_task() == 1 and not AuthToken.objects.exists()


def test_the_purge_is_scheduled(settings):
    (entry,) = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.tasks.tokens_purge"]
    assert entry["schedule"] is not None
