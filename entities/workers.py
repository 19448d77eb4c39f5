"""家政服务员信用档案: a household worker's credit file and the 居家上门服务证 (运盐政发〔2022〕16号: household-service
credit covers every firm *and every worker*).

A worker is a :class:`entities.models.Person` (the ID number kept only as its keyed hash and masked form); the file is
that person plus what is recorded about them: employments by firms over dated periods, identity verifications,
health checks (体检) with their expiry, training (岗前培训, 回炉 retraining), skill certificates, and the service cards
issued per employment. The file belongs to the person, so a worker who moves from one firm to another keeps one file;
an employment and its cards belong to the firm.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: 居家上门服务证 code alphabet: digits and capitals without 0/O, 1/I/L (read aloud and typed at a door)
CARD_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CARD_GROUPS, CARD_GROUP_SIZE = 3, 4  # K7QM-4TZD-9XPA: 12 symbols of 31, about 59 bits
CARD_CODE_REGEX = rf"^[{CARD_ALPHABET}]{{{CARD_GROUP_SIZE}}}(-[{CARD_ALPHABET}]{{{CARD_GROUP_SIZE}}}){{{CARD_GROUPS - 1}}}$"


def new_card_code() -> str:
    """An unguessable card code from ``secrets`` (12 symbols of 31: about 59 bits), grouped for reading aloud."""
    symbols = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_GROUPS * CARD_GROUP_SIZE))
    return "-".join(symbols[i:i + CARD_GROUP_SIZE] for i in range(0, len(symbols), CARD_GROUP_SIZE))


def normalize_card_code(value: str) -> str | None:
    """What a family typed (any case, with or without spaces or dashes) as the stored form, None if it cannot be one."""
    compact = "".join(ch for ch in (value or "").upper() if ch not in " -\u2010\u2011\u2012\u2013\u2014\t")
    if len(compact) != CARD_GROUPS * CARD_GROUP_SIZE or any(ch not in CARD_ALPHABET for ch in compact):
        return None
    return "-".join(compact[i:i + CARD_GROUP_SIZE] for i in range(0, len(compact), CARD_GROUP_SIZE))


class _Recorded(models.Model):
    """Who entered a file entry: the firm whose account recorded it (null: a regulator), and when."""

    recorded_by_entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, null=True, blank=True,
                                           related_name="+", verbose_name=_("录入企业"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class Employment(_Recorded):
    """从业登记: a worker employed by a household-service firm from ``started_on`` to ``ended_on`` (inclusive).

    The upload's idempotency key is (firm, person, first day): the same row uploaded twice is the same employment.
    """

    entity = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="employments",
                               verbose_name=_("用工企业"))
    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="employments",
                               verbose_name=_("家政服务员"))
    started_on = models.DateField(_("入职日期"))
    ended_on = models.DateField(_("离职日期"), null=True, blank=True, help_text=_("在职期间含当日；为空表示仍在职。"))
    position = models.CharField(_("服务类型"), max_length=60, blank=True, help_text=_("如：育婴员、养老护理、保洁。"))

    class Meta:
        verbose_name = _("家政从业登记")
        verbose_name_plural = _("家政从业登记")
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["person", "started_on"], name="employment_person_dates"),
            models.Index(fields=["entity", "started_on"], name="employment_entity_dates"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["entity", "person", "started_on"], name="employment_firm_person_start"),
            models.CheckConstraint(condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                                   name="employment_ended_after_started"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.entity.name}（{self.started_on} 起）"

    def clean(self) -> None:
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("离职日期不得早于入职日期。")})

    def covers(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


class VerificationMethod(models.TextChoices):
    ID_CARD = "id_card", _("查验身份证原件")
    ONLINE = "online", _("联网核查（公安身份核验）")
    IN_PERSON = "in_person", _("监管部门现场核验")


class IdentityVerification(_Recorded):
    """身份核验: who checked the worker's identity, how and when (by whom: the account and its name, frozen)."""

    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="identity_verifications",
                               verbose_name=_("家政服务员"))
    verified_on = models.DateField(_("核验日期"))
    method = models.CharField(_("核验方式"), max_length=16, choices=VerificationMethod.choices)
    verifier_name = models.CharField(_("核验人"), max_length=150)

    class Meta:
        verbose_name = _("身份核验")
        verbose_name_plural = _("身份核验")
        ordering = ["-verified_on", "-id"]
        indexes = [models.Index(fields=["person", "verified_on"], name="idverify_person_date")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_method_display()} · {self.verified_on}"


class HealthCheck(_Recorded):
    """健康体检: a health check with its date and the day its certificate stops being valid (inclusive)."""

    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="health_checks",
                               verbose_name=_("家政服务员"))
    checked_on = models.DateField(_("体检日期"))
    expires_on = models.DateField(_("有效期至"), help_text=_("含当日；次日起体检失效。"))
    passed = models.BooleanField(_("体检合格"), default=True)
    institution = models.CharField(_("体检机构"), max_length=200)
    certificate_number = models.CharField(_("健康证明编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("健康体检")
        verbose_name_plural = _("健康体检")
        ordering = ["-checked_on", "-id"]
        indexes = [models.Index(fields=["person", "expires_on"], name="healthcheck_person_expiry")]
        constraints = [models.CheckConstraint(condition=Q(expires_on__gte=models.F("checked_on")),
                                              name="healthcheck_expires_after_check")]

    def __str__(self) -> str:
        return f"{self.person.name} · 体检 {self.checked_on}（至 {self.expires_on}）"

    def clean(self) -> None:
        if self.expires_on and self.checked_on and self.expires_on < self.checked_on:
            raise ValidationError({"expires_on": _("有效期至不得早于体检日期。")})


class TrainingKind(models.TextChoices):
    PRE_JOB = "pre_job", _("岗前培训")
    RETRAINING = "retraining", _("回炉培训")
    SKILL = "skill", _("技能提升培训")


class TrainingRecord(_Recorded):
    """培训记录: 岗前培训 before the first job, 回炉 retraining in batches and phases: provider, hours, date, certificate."""

    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="trainings",
                               verbose_name=_("家政服务员"))
    kind = models.CharField(_("培训类型"), max_length=16, choices=TrainingKind.choices)
    provider = models.CharField(_("培训机构"), max_length=200)
    hours = models.PositiveIntegerField(_("学时"), validators=[MinValueValidator(1), MaxValueValidator(2000)])
    completed_on = models.DateField(_("结业日期"))
    certificate_number = models.CharField(_("结业证书编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["person", "completed_on"], name="training_person_date")]
        constraints = [models.CheckConstraint(condition=Q(hours__gte=1), name="training_hours_positive")]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_kind_display()} · {self.completed_on}"


class SkillCertificate(_Recorded):
    """职业技能证书: e.g. 家政服务员、育婴员、养老护理员 at a level, with its number, issuer and validity."""

    person = models.ForeignKey("entities.Person", on_delete=models.PROTECT, related_name="skill_certificates",
                               verbose_name=_("家政服务员"))
    name = models.CharField(_("证书名称"), max_length=100)
    level = models.CharField(_("等级"), max_length=40, blank=True)
    number = models.CharField(_("证书编号"), max_length=64)
    issuer = models.CharField(_("发证机构"), max_length=200)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("职业技能证书")
        verbose_name_plural = _("职业技能证书")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="skillcert_person_number"),
            models.CheckConstraint(condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                                   name="skillcert_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.name} {self.number}"


class ServiceCard(models.Model):
    """居家上门服务证: one card per worker and employment, found by its code (the QR holds the card page's address).

    Its validity is computed, never stored: valid on a day when not revoked, the employment covers the day, a
    passed health check covers it, and the card's own ``expires_on`` (if any) has not passed. So the card expires
    when employment ends or the health check lapses without anyone touching it. At most one unrevoked card per
    employment.
    """

    code = models.CharField(_("证件编码"), max_length=20, unique=True, default=new_card_code, editable=False)
    employment = models.ForeignKey(Employment, on_delete=models.PROTECT, related_name="cards",
                                   verbose_name=_("从业登记"))
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("证件有效期至"), null=True, blank=True,
                                  help_text=_("为空时随在职与体检有效期；填写时另以此日为限（含当日）。"))
    revoked_on = models.DateField(_("注销日期"), null=True, blank=True)
    revoked_reason = models.CharField(_("注销原因"), max_length=300, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("发证人"))
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("注销人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("居家上门服务证")
        verbose_name_plural = _("居家上门服务证")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["employment"], condition=Q(revoked_on__isnull=True),
                                    name="servicecard_one_open_per_employment"),
            models.CheckConstraint(condition=Q(code__regex=CARD_CODE_REGEX), name="servicecard_code_shape"),
            models.CheckConstraint(condition=Q(revoked_on__isnull=True) | ~Q(revoked_reason=""),
                                   name="servicecard_revocation_has_reason"),
            models.CheckConstraint(condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                                   name="servicecard_expires_after_issue"),
        ]

    def __str__(self) -> str:
        return f"居家上门服务证 {self.code}"
