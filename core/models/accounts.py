"""Accounts of the authority's staff and of the businesses it admits."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserRole(models.TextChoices):
    REGULATOR = "regulator", _("监管人员")
    INSPECTOR = "inspector", _("执法检查人员")
    BUSINESS = "business", _("经营主体")


class User(AbstractUser):
    """账户: a regulator (admin of a jurisdiction), an inspector (scoped) or a business (linked to entities)."""

    role = models.CharField(_("角色"), max_length=16, choices=UserRole.choices, default=UserRole.BUSINESS)
    region_codes = ArrayField(
        models.CharField(max_length=6), blank=True, default=list, verbose_name=_("辖区前缀"),
        help_text=_("检查人员的辖区：行政区划代码前缀，如 1408 表示运城市。"),
    )
    sectors = ArrayField(
        models.CharField(max_length=32), blank=True, default=list, verbose_name=_("行业范围"),
    )
    # A lazy reference: the kernel imports no domain app; the registry's businesses are linked by name.
    entities = models.ManyToManyField(
        "entities.Entity", blank=True, related_name="accounts", verbose_name=_("代表的市场主体")
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        swappable = "AUTH_USER_MODEL"
        db_table = "regulator_user"  # the table keeps the name it had before the kernel existed

    @property
    def effective_role(self) -> str:
        """A superuser acts as a regulator everywhere."""
        return UserRole.REGULATOR if self.is_superuser else self.role

    @property
    def is_regulator(self) -> bool:
        return self.is_active and self.effective_role == UserRole.REGULATOR

    @property
    def is_inspector(self) -> bool:
        return self.is_active and self.effective_role == UserRole.INSPECTOR

    @property
    def is_business(self) -> bool:
        return self.is_active and self.effective_role == UserRole.BUSINESS
