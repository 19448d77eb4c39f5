"""Fixtures: accounts per role and their API clients (``tests.support.api_client``), on the real PostgreSQL."""

from __future__ import annotations

import pytest

from core.models import UserRole
from entities.models import Sector

from .support import api_client
from .support.factories import EntityFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Throttle counters live in the cache; every test starts with a clean one."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def regulator(db):
    return UserFactory(username="regulator", role=UserRole.REGULATOR)


@pytest.fixture
def inspector(db):
    """An inspector for tourism in 运城市 (1408)."""
    return UserFactory(username="inspector", role=UserRole.INSPECTOR, region_codes=["1408"], sectors=[Sector.TOURISM])


@pytest.fixture
def entity_a(db):
    return EntityFactory(name="盐湖区甲旅行社有限公司")


@pytest.fixture
def entity_b(db):
    return EntityFactory(name="盐湖区乙旅行社有限公司")


@pytest.fixture
def business_a(entity_a):
    return UserFactory(username="business_a", role=UserRole.BUSINESS, entities=[entity_a])


@pytest.fixture
def business_b(entity_b):
    return UserFactory(username="business_b", role=UserRole.BUSINESS, entities=[entity_b])


@pytest.fixture
def regulator_client(regulator):
    return api_client(regulator)


@pytest.fixture
def inspector_client(inspector):
    return api_client(inspector)


@pytest.fixture
def anon_client():
    return api_client()


def pytest_collection_modifyitems(items):
    """Transactional tests flush the database; reload the migrations' seed data (scoring model, rule sets,
    calendar, violation catalogue) after each of them, so tests that follow still find it."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        transactional = "transactional_db" in getattr(item, "fixturenames", ()) or (
            marker is not None and marker.kwargs.get("transaction"))
        if transactional and "django_db_serialized_rollback" not in item.fixturenames:
            item.fixturenames.append("django_db_serialized_rollback")
