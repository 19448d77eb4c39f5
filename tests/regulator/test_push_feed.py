"""变更推送 (issue 18, item 3): the events the triggers write, their numbering, signatures, the replay window, and
subscriptions with their secret encrypted at rest."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from core.models import DepartmentClient
from entities.models import Licence, LicenceStatus
from regulator.disclosure import feed_services
from regulator.disclosure.feed_delivery import body_bytes, signature, signature_header, signature_verify
from regulator.disclosure.feeds import FeedEvent, FeedSubscription
from regulator.lists import services as listings
from tests.support import listing_in
from tests.support.factories import LicenceFactory, PersonFactory

pytestmark = pytest.mark.django_db


def department(scopes=("push",), name="市场监管局信用平台") -> DepartmentClient:
    return DepartmentClient.objects.create(name=name, authority_credit_code="11120000MB1529459B", contact_name="李四",
                                           scopes=list(scopes), ip_allowlist=["127.0.0.1/32"])


def events(**filters) -> list[FeedEvent]:
    return list(FeedEvent.objects.filter(**filters).order_by("id"))


# --- the triggers ------------------------------------------------------------------------------------------


def test_a_listing_entering_publication_is_one_event_and_leaving_it_another(entity_a, regulator):
    listing = listing_in("published", entity=entity_a)
    published = events(kind="listing_published", source_id=listing.pk)
    assert len(published) == 1
    assert published[0].subject == {"subject_type": "entity", "credit_code": entity_a.credit_code,
                                    "name": entity_a.name}
    assert published[0].payload["status"] == "published" and published[0].payload["list_type"] == "black"
    assert not events(kind="listing_ended")
    listings.listing_remove(listing_id=listing.pk, actor=regulator, reason="认定错误，撤销")
    ended = events(kind="listing_ended", source_id=listing.pk)
    assert [(e.payload["from_status"], e.payload["status"]) for e in ended] == [("published", "removed")]


def test_steps_before_publication_write_no_event(entity_a):
    listing_in("decided", entity=entity_a)
    assert not events(source_table="regulator_listing")


def test_a_watch_listing_event_is_restricted_and_a_black_one_is_not(entity_a, entity_b):
    listing_in("published", entity=entity_a, list_type="watch")
    listing_in("published", entity=entity_b, list_type="black")
    assert {(e.payload["list_type"], e.restricted) for e in events(kind="listing_published")} == {
        ("watch", True), ("black", False)}


def test_a_person_listing_event_names_the_person_and_the_business(entity_a):
    person = PersonFactory(name="王小明")
    listing_in("published", person=person, related_entity=entity_a, person_role="legal_representative")
    subject = events(kind="listing_published")[0].subject
    assert subject["person_name"] == "王小明" and subject["related_credit_code"] == entity_a.credit_code
    assert subject["id_number_masked"] == person.id_number_masked and "*" in subject["id_number_masked"]


def test_a_licence_written_by_any_path_is_an_event(entity_a):
    licence = LicenceFactory(entity=entity_a)
    Licence.objects.filter(pk=licence.pk).update(status=LicenceStatus.SUSPENDED)  # bulk SQL, no save()
    with connection.cursor() as cursor:  # raw SQL: the trigger sees it as well
        cursor.execute("UPDATE entities_licence SET expires_on = %s WHERE id = %s", [datetime.date(2030, 1, 1),
                                                                                       licence.pk])
    changes = [(e.payload["change"], e.payload["status"], e.payload["from_status"])
               for e in events(kind="licence_changed", source_id=licence.pk)]
    assert changes == [("issued", "active", None), ("updated", "suspended", "active"),
                       ("updated", "suspended", "suspended")]


def test_a_licence_update_that_changes_nothing_watched_is_no_event(entity_a):
    licence = LicenceFactory(entity=entity_a)
    Licence.objects.filter(pk=licence.pk).update(updated_at=licence.updated_at + datetime.timedelta(seconds=1))
    assert len(events(kind="licence_changed", source_id=licence.pk)) == 1


def test_an_event_rolled_back_with_its_change_is_gone(entity_a):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        LicenceFactory(entity=entity_a)
        assert events(kind="licence_changed")
        raise RuntimeError
    assert not events(kind="licence_changed")


def test_feed_event_record_refuses_an_unknown_kind():
    with pytest.raises(ValidationError):
        feed_services.feed_event_record(kind="listing_moved", subject={}, payload={})
    event = feed_services.feed_event_record(kind="penalty_published", subject={"subject_type": "entity"},
                                            payload={"record_id": 1})
    assert event.sequence is None


# --- numbering ---------------------------------------------------------------------------------------------


def test_sequencing_numbers_committed_events_in_order_after_the_highest_given(entity_a):
    first = LicenceFactory(entity=entity_a)
    assert feed_services.feed_sequence() == 1
    LicenceFactory(entity=entity_a)
    LicenceFactory(entity=entity_a)
    assert feed_services.feed_sequence() == 2
    assert feed_services.feed_sequence() == 0  # nothing left
    assert [e.sequence for e in events()] == [1, 2, 3]
    assert events(source_id=first.pk)[0].sequence == 1


# --- signatures and the replay window ---------------------------------------------------------------------


def test_a_signature_verifies_and_a_tampered_body_or_secret_does_not():
    body = body_bytes({"id": 7, "kind": "licence_changed"})
    stamp = str(int(time.time()))
    header = signature_header(["whsec_a"], stamp, body)
    assert header == f"sha256={signature('whsec_a', stamp, body)}"
    assert signature_verify(secret="whsec_a", timestamp=stamp, body=body, header=header)
    assert not signature_verify(secret="whsec_a", timestamp=stamp, body=body.replace(b"7", b"8"), header=header)
    assert not signature_verify(secret="whsec_b", timestamp=stamp, body=body, header=header)
    assert not signature_verify(secret="whsec_a", timestamp=str(int(stamp) + 1), body=body, header=header)


@pytest.mark.parametrize(("age", "accepted"), [(0, True), (299, True), (300, True), (301, False), (-301, False),
                                               (3600, False)])
def test_the_replay_window_is_five_minutes_either_way(age, accepted):
    body = b"{}"
    now = 1_800_000_000
    stamp = str(now - age)
    assert signature_verify(secret="s", timestamp=stamp, body=body, header=signature_header(["s"], stamp, body),
                            now=now) is accepted


def test_during_a_rotation_either_secret_verifies():
    body, stamp = b"{}", str(int(time.time()))
    header = signature_header(["new", "old"], stamp, body)
    assert signature_verify(secret="new", timestamp=stamp, body=body, header=header)
    assert signature_verify(secret="old", timestamp=stamp, body=body, header=header)


# --- subscriptions -----------------------------------------------------------------------------------------


def test_the_secret_is_stored_encrypted_and_decrypts_to_what_was_shown():
    issued = feed_services.subscription_create(client_id=department().pk, url="https://xy.example.gov.cn/hook",
                                               kinds=["listing_published"])
    row = FeedSubscription.objects.filter(pk=issued.subscription.pk).values().get()
    assert all(issued.secret not in str(value) for value in row.values())
    assert feed_services.signing_secrets(issued.subscription) == [issued.secret]


def test_rotation_signs_with_both_secrets_during_the_overlap_then_the_new_one_only():
    issued = feed_services.subscription_create(client_id=department().pk, url="https://xy.example.gov.cn/hook",
                                               kinds=["listing_published"])
    rotated = feed_services.subscription_secret_rotate(subscription_id=issued.subscription.pk, overlap_hours=1)
    subscription = FeedSubscription.objects.get(pk=issued.subscription.pk)
    assert feed_services.signing_secrets(subscription) == [rotated.secret, issued.secret]
    later = subscription.previous_secret_until + datetime.timedelta(seconds=1)
    assert feed_services.signing_secrets(subscription, now=later) == [rotated.secret]
    with pytest.raises(ValidationError):
        feed_services.subscription_secret_rotate(subscription_id=subscription.pk, overlap_hours=169)


def test_a_secret_encrypted_under_another_key_is_refused_not_used(settings):
    issued = feed_services.subscription_create(client_id=department().pk, url="https://xy.example.gov.cn/hook",
                                               kinds=["listing_published"])
    settings.FEED_SECRET_KEY = "another-key"
    with pytest.raises(ValidationError):
        feed_services.signing_secrets(issued.subscription)
    settings.FEED_SECRET_PREVIOUS_KEYS = [settings.SECRET_KEY]  # the old key still decrypts after a key rotation
    assert feed_services.signing_secrets(issued.subscription) == [issued.secret]


@pytest.mark.parametrize(("url", "loopback", "valid"), [
    ("https://xy.example.gov.cn/hook", False, True),
    ("http://xy.example.gov.cn/hook", False, False),
    ("http://127.0.0.1:8080/hook", False, False),
    ("http://127.0.0.1:8080/hook", True, True),
    ("http://[::1]:8080/hook", True, True),
    ("http://10.0.0.8/hook", True, False),
    ("ftp://xy.example.gov.cn/hook", True, False),
])
def test_urls_are_https_and_http_only_to_loopback_where_allowed(settings, url, loopback, valid):
    settings.FEED_WEBHOOK_HTTP_LOOPBACK = loopback
    if valid:
        feed_services.validate_url(url)
    else:
        with pytest.raises(ValidationError):
            feed_services.validate_url(url)


def test_a_client_without_push_cannot_subscribe_and_unknown_kinds_are_refused():
    with pytest.raises(ValidationError):
        feed_services.subscription_create(client_id=department(scopes=["lists:read"], name="发改委").pk,
                                          url="https://xy.example.gov.cn/hook", kinds=["listing_published"])
    with pytest.raises(ValidationError):
        feed_services.subscription_create(client_id=department().pk, url="https://xy.example.gov.cn/hook",
                                          kinds=["listing_moved"])


def test_a_new_subscription_starts_after_the_events_already_committed(entity_a):
    LicenceFactory(entity=entity_a)
    issued = feed_services.subscription_create(client_id=department().pk, url="https://xy.example.gov.cn/hook",
                                               kinds=["licence_changed"])
    assert issued.subscription.delivered_through == 1
