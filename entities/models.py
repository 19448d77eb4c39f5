"""市场主体档案: businesses, the people behind them, their roles and licences."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.utils.translation import gettext_lazy as _

from core.scope import Sector  # noqa: F401  (re-exported: the registry names it)
from entities import searchkeys
from entities.validators import validate_credit_code, validate_region_code


class Category(models.TextChoices):
    TRAVEL_AGENCY = "travel_agency", _("旅行社")
    SCENIC_SPOT = "scenic_spot", _("景区")
    HOTEL = "hotel", _("酒店")
    HOMESTAY = "homestay", _("民宿")
    EXHIBITION_ORGANIZER = "exhibition_organizer", _("会展主办方")
    EXHIBITION_VENUE = "exhibition_venue", _("会展场馆")
    ELDERLY_CARE = "elderly_care", _("养老机构")
    WELLNESS_BASE = "wellness_base", _("康养基地")
    HOUSEHOLD_SERVICE_COMPANY = "household_service_company", _("家政服务企业")


CATEGORY_SECTOR: dict[str, str] = {
    Category.TRAVEL_AGENCY: Sector.TOURISM,
    Category.SCENIC_SPOT: Sector.TOURISM,
    Category.HOTEL: Sector.TOURISM,
    Category.HOMESTAY: Sector.TOURISM,
    Category.EXHIBITION_ORGANIZER: Sector.EXHIBITION,
    Category.EXHIBITION_VENUE: Sector.EXHIBITION,
    Category.ELDERLY_CARE: Sector.WELLNESS,
    Category.WELLNESS_BASE: Sector.WELLNESS,
    Category.HOUSEHOLD_SERVICE_COMPANY: Sector.HOUSEHOLD_SERVICE,
}


class EntityStatus(models.TextChoices):
    ACTIVE = "active", _("存续")
    SUSPENDED = "suspended", _("停业")
    DEREGISTERED = "deregistered", _("注销")


@SearchVectorField.register_lookup
class TsQueryMatch(models.Lookup):
    """``search_vector__tsmatch=<tsquery text>``: the keys built by entities.searchkeys, matched in the GIN index."""

    lookup_name = "tsmatch"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@ ({rhs})::tsquery", [*lhs_params, *rhs_params]


def search_vector_value(*names: str):
    """An expression that stores the search keys of ``names`` as a tsvector."""
    keys: list[str] = []
    for name in names:
        keys.extend(searchkeys.name_keys(name))
    return models.functions.Cast(
        models.Value(searchkeys.tsvector_literal(list(dict.fromkeys(keys)))), SearchVectorField()
    )


class Entity(models.Model):
    """市场主体: a business identified by its 统一社会信用代码."""

    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("名称"), max_length=200)
    sector = models.CharField(_("行业"), max_length=32, choices=Sector.choices)
    category = models.CharField(_("类别"), max_length=40, choices=Category.choices)
    region_code = models.CharField(_("行政区划代码"), max_length=6, validators=[validate_region_code])
    address = models.CharField(_("地址"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=EntityStatus.choices, default=EntityStatus.ACTIVE)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("市场主体")
        verbose_name_plural = _("市场主体")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["region_code"], name="entity_region_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["sector", "category"], name="entity_sector_category"),
            models.Index(fields=["status"], name="entity_status"),
            GinIndex(fields=["search_vector"], name="entity_search"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"), name="entity_credit_code_shape"),
            models.CheckConstraint(condition=Q(region_code__regex=r"^[0-9]{6}$"), name="entity_region_code_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.credit_code}）"

    def save(self, *args, **kwargs):
        self.search_vector = search_vector_value(self.name, self.credit_code)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_vector"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        expected = CATEGORY_SECTOR.get(self.category)
        if expected and self.sector and expected != self.sector:
            raise ValidationError(
                {"category": _("类别 %(category)s 不属于行业 %(sector)s。") % {"category": self.category, "sector": self.sector}}
            )


class Person(models.Model):
    """自然人: identified by the keyed hash of the 18-digit resident ID number, never the number itself."""

    name = models.CharField(_("姓名"), max_length=100)
    id_hash = models.CharField(_("身份证号哈希"), max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")
        ordering = ["id"]
        indexes = [GinIndex(fields=["search_vector"], name="person_search")]
        constraints = [
            models.CheckConstraint(condition=Q(id_hash__regex=r"^[0-9a-f]{64}$"), name="person_id_hash_shape"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.id_number_masked}）"

    def save(self, *args, **kwargs):
        self.search_vector = search_vector_value(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_vector"}
        super().save(*args, **kwargs)


class PersonRoleKind(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    ACTUAL_CONTROLLER = "actual_controller", _("实际控制人")
    PRINCIPAL = "principal", _("主要负责人")
    PRACTITIONER = "practitioner", _("从业人员")


class PersonRole(models.Model):
    """任职: who held which role at which entity, and when (what matters is who held it *then*)."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="roles", verbose_name=_("市场主体"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="roles", verbose_name=_("自然人"))
    role = models.CharField(_("职务"), max_length=32, choices=PersonRoleKind.choices)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("终止日期"), null=True, blank=True)
    # 任职核查 (entities.hooks): set by entities.services.role_save, never edited by hand. Database defaults, so
    # rows written in bulk (synthetic data) without these columns are valid too.
    flagged = models.BooleanField(_("任职预警"), default=False, db_default=False, editable=False,
                                  help_text=_("任职时受任职限制（或未能核查），须监管人员关注。"))
    flag_reasons = models.JSONField(_("预警事由"), default=list, db_default=Value([], output_field=models.JSONField()),
                                    blank=True, editable=False)
    flagged_at = models.DateTimeField(_("预警时间"), null=True, blank=True, editable=False)
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True, editable=False,
                                      help_text=_("为空：该任职登记于任职核查启用之前。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["person", "started_on"], name="role_person_dates"),
            models.Index(fields=["entity", "role"], name="role_entity_role"),
            models.Index(fields=["flagged_at"], name="role_flagged", condition=Q(flagged=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="role_ended_after_started",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_role_display()} · {self.entity.name}"

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("终止日期不得早于起始日期。")})


class LicenceType(models.TextChoices):
    TRAVEL_AGENCY_BUSINESS = "travel_agency_business", _("旅行社业务经营许可证")
    OUTBOUND_TRAVEL_BUSINESS = "outbound_travel_business", _("出境旅游业务经营许可")
    TOUR_GUIDE = "tour_guide", _("导游证")
    HOTEL_SPECIAL_TRADE = "hotel_special_trade", _("特种行业许可证（旅馆业）")
    HOMESTAY_FILING = "homestay_filing", _("民宿备案")
    SCENIC_SPOT_RATING = "scenic_spot_rating", _("A级旅游景区评定")
    EXHIBITION_FILING = "exhibition_filing", _("展会备案")
    ELDERLY_CARE_FILING = "elderly_care_filing", _("养老机构备案")
    WELLNESS_FILING = "wellness_filing", _("康养机构备案")
    HOUSEHOLD_SERVICE_FILING = "household_service_filing", _("家政服务机构备案")
    HOUSEHOLD_WORKER_CERTIFICATE = "household_worker_certificate", _("家政服务员职业技能证书")


class LicenceStatus(models.TextChoices):
    ACTIVE = "active", _("有效")
    SUSPENDED = "suspended", _("暂扣")
    REVOKED = "revoked", _("吊销")
    EXPIRED = "expired", _("过期")


class Licence(models.Model):
    """许可证照: a licence or filing held by an entity."""

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="licences", verbose_name=_("市场主体"))
    licence_type = models.CharField(_("许可类型"), max_length=40, choices=LicenceType.choices)
    number = models.CharField(_("证号"), max_length=64)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.ACTIVE)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("许可证照")
        verbose_name_plural = _("许可证照")
        ordering = ["id"]
        indexes = [models.Index(fields=["entity", "licence_type"], name="licence_entity_type")]
        constraints = [
            models.UniqueConstraint(fields=["licence_type", "number"], name="licence_type_number_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="licence_expires_after_issued",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_licence_type_display()} {self.number}"

    def clean(self) -> None:
        if self.expires_on and self.issued_on and self.expires_on < self.issued_on:
            raise ValidationError({"expires_on": _("有效期至不得早于发证日期。")})

from entities.workers import Employment, HealthCheck, IdentityVerification, ServiceCard, SkillCertificate, TrainingRecord  # noqa: E402, F401, I001  (家政服务员信用档案)
from entities.reviews import ServiceOrder, ServiceReview  # noqa: E402, F401, I001  (家政服务评价)
from entities.retraining import RetrainingCampaign, RetrainingPhase, RetrainingPhaseFirm, RetrainingTarget  # noqa: E402, F401, I001  (回炉培训行动)
