"""``manage.py seed_demo``: a few hundred demo businesses and one account per role (DEBUG or DEMO only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from entities import services
from entities.demo import LEGAL_REPRESENTATIVE, demo_entities
from entities.models import Entity, Licence, PersonRole
from regulator.models import User, UserRole

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed on purpose, demo only


class Command(BaseCommand):
    help = "载入演示数据（仅在 DEBUG 或 DEMO 设置时）：山西 11 市四个行业的市场主体与各角色演示账户。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=300)

    def handle(self, *args, count: int, **options):
        if not (settings.DEBUG or getattr(settings, "DEMO", False)):
            raise CommandError("seed_demo runs only with DEBUG or DEMO set.")
        created = self._load(count)
        accounts = self._accounts()
        self.stdout.write(self.style.SUCCESS(f"demo data: {created} new entities ({Entity.objects.count()} in all)"))
        self.stdout.write(f"demo accounts (password for all: {DEMO_PASSWORD}):")
        for user in accounts:
            self.stdout.write(f"  {user.effective_role:<10} {user.username}")

    @transaction.atomic
    def _load(self, count: int) -> int:
        existing = set(Entity.objects.values_list("credit_code", flat=True))
        created = 0
        for item in demo_entities(count):
            if item.credit_code in existing:
                continue
            entity = services.entity_create(
                credit_code=item.credit_code, name=item.name, sector=item.sector, category=item.category,
                region_code=item.region_code, address=item.address,
            )
            person = services.person_find(id_number=item.legal_id_number) or services.person_create(
                name=item.legal_name, id_number=item.legal_id_number
            )
            PersonRole.objects.create(entity=entity, person=person, role=LEGAL_REPRESENTATIVE, started_on=item.issued_on)
            Licence.objects.create(
                entity=entity, licence_type=item.licence_type, number=item.licence_number, issued_on=item.issued_on
            )
            created += 1
        return created

    @transaction.atomic
    def _accounts(self) -> list[User]:
        first = Entity.objects.filter(region_code__startswith="1408").order_by("id").first()
        specs = [
            ("demo-regulator", UserRole.REGULATOR, {}),
            ("demo-inspector", UserRole.INSPECTOR, {"region_codes": ["1408"], "sectors": ["tourism", "wellness"]}),
            ("demo-business", UserRole.BUSINESS, {}),
        ]
        users = []
        for username, role, extra in specs:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role, **extra})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                if role == UserRole.BUSINESS and first is not None:
                    user.entities.set([first])
            users.append(user)
        return users
