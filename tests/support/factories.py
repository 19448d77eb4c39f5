"""factory_boy factories shared by every test folder; all codes are valid by construction."""

from __future__ import annotations

import datetime
import random

import factory

from core.models import User, UserRole
from entities import codes, services
from entities.models import Category, Entity, Licence, LicenceType, Person, PersonRole, PersonRoleKind, Sector

_rng = random.Random(20261126)


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    region_code = "140802"
    credit_code = factory.LazyAttribute(lambda o: codes.credit_code(o.region_code, _rng))
    name = factory.Sequence(lambda n: f"运城测试旅行社{n}号有限公司")
    sector = Sector.TOURISM
    category = Category.TRAVEL_AGENCY
    address = "山西省运城市盐湖区解放路1号"


class PersonFactory(factory.django.DjangoModelFactory):
    """Persons go through the service so the ID number is hashed and masked like in production."""

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    # A distinct birth date per person (from 2001, when 140802 existed) keeps every ID number unique.
    id_number = factory.Sequence(
        lambda n: codes.id_number("140802", datetime.date(2001, 1, 1) + datetime.timedelta(days=n % 9000), _rng)
    )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.person_create(name=kwargs["name"], id_number=kwargs["id_number"])


class PersonRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonRole

    entity = factory.SubFactory(EntityFactory)
    person = factory.SubFactory(PersonFactory)
    role = PersonRoleKind.LEGAL_REPRESENTATIVE
    started_on = datetime.date(2020, 1, 1)


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    entity = factory.SubFactory(EntityFactory)
    licence_type = LicenceType.TRAVEL_AGENCY_BUSINESS
    number = factory.Sequence(lambda n: f"L-14{n:06d}")
    issued_on = datetime.date(2021, 1, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = UserRole.BUSINESS
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def entities(self, create, extracted, **kwargs):
        if create and extracted:
            self.entities.set(extracted)
        if create:
            self.save()
