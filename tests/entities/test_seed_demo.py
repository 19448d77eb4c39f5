"""seed_demo: realistic Shanxi demo data and one account per role, only with DEBUG or DEMO, idempotent."""

import pytest
from django.core.management import CommandError, call_command

from core.models import User
from entities.models import Entity, Licence, PersonRole
from entities.validators import validate_credit_code, validate_region_code
from regulator.lists.models import Listing


def test_seed_demo_refuses_without_debug_or_demo(db, settings):
    settings.DEBUG, settings.DEMO = False, False
    with pytest.raises(CommandError):
        call_command("seed_demo", "--count", "5")
    assert not Entity.objects.exists()


def test_seed_demo_builds_valid_data_accounts_and_public_listings_once(db, settings, capsys):
    settings.DEMO = True
    call_command("seed_demo", "--count", "120")
    out = capsys.readouterr().out
    assert Entity.objects.count() == 120
    for entity in Entity.objects.all():
        validate_credit_code(entity.credit_code)
        validate_region_code(entity.region_code)
    assert {e.sector for e in Entity.objects.all()} == {"tourism", "exhibition", "wellness", "household_service"}
    assert len({e.region_code[:4] for e in Entity.objects.all()}) == 11  # every prefecture-level city
    assert PersonRole.objects.filter(role="legal_representative").count() == 120
    assert Licence.objects.count() == 120
    assert {u.role for u in User.objects.filter(username__startswith="demo-")} == {"regulator", "inspector", "business"}
    assert "demo-regulator" in out and "demo-pass-2026" in out
    # The demo regulator can open the admin; the others cannot.
    from django.test import Client

    for username, status in (("demo-regulator", 200), ("demo-inspector", 302), ("demo-business", 302)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.get("/admin/").status_code == status, username
    assert Listing.objects.filter(status="published", list_type="black").exists()
    for listing in Listing.objects.select_related("notice_document", "decision_document"):
        # notified, decided and published through due process, with both documents served
        assert listing.notice_document.served and listing.decision_document.served, listing.pk
        assert listing.objection_due is not None and listing.objection_due < listing.decided_on
        assert listing.measure_codes and listing.decision_number == listing.decision_document.number
        assert set(listing.events.values_list("action", flat=True)) >= {"propose", "notify", "decide", "publish"}
    call_command("seed_demo", "--count", "120")  # again: nothing new
    assert Entity.objects.count() == 120
    assert Listing.objects.filter(status="published").count() == Listing.objects.count()
