"""Shared set-up of the worker tests: household-service firms, their business accounts, a worker with a file."""

from __future__ import annotations

import datetime
import random

import pytest

from core.models import UserRole
from entities import codes, worker_services
from entities.models import Category, Sector
from tests.support import today
from tests.support.factories import EntityFactory, UserFactory

_numbers = iter(codes.id_number("140802", datetime.date(1985, 1, 1) + datetime.timedelta(days=n),
                                random.Random(n)) for n in range(10_000))


def id_number() -> str:
    """A valid resident ID number not used by another test of the run."""
    return next(_numbers)


def firm(name: str):
    return EntityFactory(name=name, sector=Sector.HOUSEHOLD_SERVICE, category=Category.HOUSEHOLD_SERVICE_COMPANY)


@pytest.fixture
def firm_a(db):
    return firm("盐湖区甲家政服务有限公司")


@pytest.fixture
def firm_b(db):
    return firm("盐湖区乙家政服务有限公司")


@pytest.fixture
def owner_a(firm_a):
    return UserFactory(username="jiazheng_a", role=UserRole.BUSINESS, entities=[firm_a])


@pytest.fixture
def owner_b(firm_b):
    return UserFactory(username="jiazheng_b", role=UserRole.BUSINESS, entities=[firm_b])


def ready_worker(actor, entity, *, name: str = "王秀英", number: str | None = None,
                 started_on: datetime.date | None = None, ended_on: datetime.date | None = None,
                 health_expires_on: datetime.date | None = None):
    """A worker employed by ``entity`` with identity verified, a passed health check and pre-job training."""
    day = today()
    start = started_on or day - datetime.timedelta(days=100)
    employment, _status = worker_services.worker_register(actor=actor, entity=entity, name=name,
                                                          id_number=number or id_number(), started_on=start,
                                                          ended_on=ended_on)
    person = employment.person
    worker_services.identity_verify(actor=actor, person=person, entity=entity, verified_on=start, method="id_card")
    worker_services.health_check_record(actor=actor, person=person, entity=entity, checked_on=start,
                                        expires_on=health_expires_on or day + datetime.timedelta(days=200),
                                        institution="运城市中心医院")
    worker_services.training_record(actor=actor, person=person, entity=entity, kind="pre_job",
                                    provider="运城市家政培训学校", hours=40, completed_on=start)
    return employment
