"""Accounts in the admin: what the accounts API lets a regulator set, saved by regulator.services.user_save."""

from __future__ import annotations

import pytest

from core.models import User
from tests.support import page_client
from tests.support.factories import UserFactory

from .conftest import admin_url, results

pytestmark = pytest.mark.django_db

PASSWORD = "Yuncheng-2026-salt-lake"


def _new_account(client, **fields):
    body = {"username": "new_inspector", "usable_password": "true", "password1": PASSWORD, "password2": PASSWORD,
            "role": "inspector", "region_codes": "1408", "sectors": "tourism", **fields}
    return client.post(admin_url(User, "add"), body)


def test_an_inspector_is_created_with_a_scope_and_a_hashed_password(admin_client):
    assert _new_account(admin_client, region_codes="1408,1401,1408").status_code == 302
    user = User.objects.get(username="new_inspector")
    assert (user.role, user.region_codes, user.sectors) == ("inspector", ["1401", "1408"], ["tourism"])
    assert user.check_password(PASSWORD) and user.password != PASSWORD
    assert not user.is_staff and not user.is_superuser


def test_an_inspector_without_a_jurisdiction_or_with_an_unknown_one_is_refused(admin_client):
    response = _new_account(admin_client, region_codes="", sectors="")
    errors = response.context["adminform"].form.errors
    assert errors["region_codes"] == ["检查人员必须指定辖区。"] and errors["sectors"] == ["检查人员必须指定行业范围。"]
    response = _new_account(admin_client, region_codes="9999", sectors="gambling")
    errors = response.context["adminform"].form.errors
    assert "region_codes" in errors and errors["sectors"][0].startswith("未知的行业：gambling")
    assert not User.objects.filter(username="new_inspector").exists()


def test_a_weak_password_is_refused(admin_client):
    response = _new_account(admin_client, password1="12345678", password2="12345678")
    assert response.status_code == 200 and "password2" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="new_inspector").exists()


def test_a_regulator_cannot_grant_staff_or_superuser_status(admin_client, world):
    business = world["business"]
    response = admin_client.post(admin_url(User, "change", business.pk), {
        "username": business.username, "role": "business", "is_active": "on", "is_staff": "on",
        "is_superuser": "on", "entities": [world["entity"].pk], "region_codes": "", "sectors": ""})
    assert response.status_code == 302
    business.refresh_from_db()
    assert not business.is_staff and not business.is_superuser


def test_a_superuser_account_is_not_a_regulators_to_change(admin_client):
    root = UserFactory(username="root", role="regulator", is_staff=True, is_superuser=True)
    assert admin_client.get(admin_url(User, "change", root.pk)).status_code == 200  # viewed
    assert admin_client.post(admin_url(User, "change", root.pk), {
        "username": "root", "role": "business", "is_active": ""}).status_code == 403
    assert admin_client.post(f"/admin/core/user/{root.pk}/password/", {
        "password1": PASSWORD, "password2": PASSWORD}).status_code == 403
    root.refresh_from_db()
    assert root.is_active and not root.check_password(PASSWORD)


def test_a_superuser_may_let_a_regulator_into_the_admin(world):
    root = UserFactory(username="root", role="regulator", is_staff=True, is_superuser=True)
    colleague = UserFactory(username="colleague", role="regulator")
    response = page_client(root).post(admin_url(User, "change", colleague.pk), {
        "username": "colleague", "role": "regulator", "is_active": "on", "is_staff": "on", "region_codes": "",
        "sectors": ""})
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.is_staff
    assert page_client(colleague).get(admin_url(User)).status_code == 200


def test_accounts_are_deactivated_not_deleted_and_filtered_by_role(admin_client, world):
    inspector = world["inspector"]
    assert admin_client.post(admin_url(User, "delete", inspector.pk), {"post": "yes"}).status_code == 403
    assert results(admin_client.get(admin_url(User), {"role__exact": "inspector"})) == [inspector]
    assert results(admin_client.get(admin_url(User), {"q": "business_c"})) == [world["business"]]
