"""``manage.py seed_demo``: a few hundred demo businesses and one account per role (DEBUG or DEMO only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from complaints import services as complaint_services
from complaints.models import ViolationType
from core.models import User, UserRole
from entities import services
from entities.models import Entity, Licence, PersonRole
from ratings.services import recompute_chunk, recompute_plan
from regulator.demo.data import LEGAL_REPRESENTATIVE, demo_entities
from regulator.lists import services as listings

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
        evidence = self._evidence(accounts) if created else 0
        self.stdout.write(self.style.SUCCESS(
            f"demo data: {created} new entities ({Entity.objects.count()} in all), {evidence} published listings"))
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
            ("demo-regulator", UserRole.REGULATOR, {"is_staff": True}),  # the admin is for regulators
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

    def _evidence(self, accounts: list[User]) -> int:
        """Complaints, inspections and published listings, so every page and query has something to show."""
        import datetime

        inspector = next(user for user in accounts if user.role == UserRole.INSPECTOR)
        regulator = next(user for user in accounts if user.role == UserRole.REGULATOR)
        today = datetime.date.today()
        decided = today - datetime.timedelta(days=20)
        tourism = list(Entity.objects.filter(sector="tourism", region_code__startswith="1408").order_by("id")[:12])
        violation = ViolationType.objects.get(code="forced_shopping")
        published = 0
        for index, entity in enumerate(tourism):
            complaint = complaint_services.complaint_file(
                entity=entity, category="forced_shopping", description="导游在购物店停留超过约定时间并强迫购物",
                incident_date=today - datetime.timedelta(days=5), complainant_name="演示投诉人",
                complainant_phone="13900000000")
            complaint_services.complaint_accept(complaint_id=complaint.pk, actor=regulator)
            if index < 6:
                complaint_services.inspection_create(
                    actor=inspector, entity=entity, inspected_on=today, kind="complaint", complaint=complaint,
                    summary="现场核查", findings=[{"violation_type": violation, "description": "强迫购物",
                                                   "penalty": "fine", "fine_amount": 20000,
                                                   "decision_number": f"运文旅罚〔{today.year}〕{index + 1}号"}])
            list_type = "black" if index < 3 else "red" if index >= 9 else None
            if list_type is None:
                continue
            # Due process as production walks it: the 告知书 issued and handed over the same day (the objection
            # window runs from that delivery), the 认定决定书 (the rule set's whole catalogue of measures for the
            # list, its appeal routes, the number of the authority's series) served on the day of the decision.
            noticed = decided - datetime.timedelta(days=15)
            listing = listings.listing_propose(list_type=list_type, subject_type="entity", entity=entity,
                                               reason="演示：强迫购物情节严重" if list_type == "black" else "演示：诚信经营",
                                               actor=regulator, today=noticed)
            listings.listing_notify(listing_id=listing.pk, actor=regulator, today=noticed,
                                    delivery={"method": "direct", "delivered_on": noticed, "note": "演示：当场送达"})
            listings.listing_decide(listing_id=listing.pk, actor=regulator, today=decided,
                                    delivery={"method": "direct", "delivered_on": decided, "note": "演示：当场送达"})
            listings.listing_publish(listing_id=listing.pk, actor=regulator, today=decided)
            published += 1
        run = recompute_plan(reason="seed_demo")
        for index in range(len(run.chunk_bounds)):
            recompute_chunk(run_id=run.pk, index=index)
        return published
