"""部门客户端: other departments' systems that query this service with ``Authorization: Api-Key <key>``.

A client (市场监管、发改、财政、公共资源交易……) is registered by a regulator with the 统一社会信用代码 of its
authority and a contact; it holds API keys, scopes (what it may ask), a rate limit and an IP allow-list.
Only a key's SHA-256 digest is stored, beside a short lookup prefix (decision 0021):
a copy of the table authenticates nobody. A key ends at its expiry or when revoked; rotating issues a new key
and sets the old one's expiry (the overlap during which both work). Every query a client makes is a
:class:`ClientQuery` row: who, when, what was asked (ID numbers masked and hashed), what was answered,
the receipts, the status code: the audit trail other departments ask for when they screen applicants.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc


class ClientScope(models.TextChoices):
    """What a client may ask (one scope per kind of question; nothing is implied by another)."""

    LICENCE_CHECK = "licence-check", _("许可核查")
    MEASURES_CHECK = "measures-check", _("联合奖惩核查")
    LISTS_READ = "lists:read", _("名单查阅（含重点关注名单和未遮蔽的标识）")
    PENALTIES_READ = "penalties:read", _("行政处罚查阅")
    PUSH = "push", _("变更推送")


#: ``600/min``: requests per second, minute, hour or day, as DRF's throttles read them
RATE_UNITS = ("s", "sec", "m", "min", "h", "hour", "d", "day")


def validate_rate(value: str) -> None:
    number, _sep, unit = (value or "").partition("/")
    if not number.isdigit() or int(number) < 1 or unit not in RATE_UNITS:
        raise ValidationError(_("频率限制写作“次数/单位”，如 600/min（单位 s、min、hour、day）。"))


def validate_networks(values: list[str]) -> None:
    for value in values or []:
        try:
            ipaddress.ip_network(value.strip(), strict=False)
        except ValueError as exc:
            raise ValidationError(_("“%(value)s”不是 IP 地址或网段（如 10.1.0.0/16）。") % {"value": value}) from exc


def validate_authority_credit_code(value: str) -> None:
    if not uscc.is_valid(value or ""):
        raise ValidationError(_("不是有效的统一社会信用代码（18 位，校验码须正确）。"))


class DepartmentClient(models.Model):
    """部门客户端: a department's system, its scopes, rate limit and IP allow-list."""

    name = models.CharField(_("部门名称"), max_length=100)
    authority_credit_code = models.CharField(_("机关统一社会信用代码"), max_length=18,
                                             validators=[validate_authority_credit_code])
    contact_name = models.CharField(_("联系人"), max_length=50)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    scopes = ArrayField(models.CharField(max_length=32, choices=ClientScope.choices), default=list, blank=True,
                        verbose_name=_("权限范围"))
    rate = models.CharField(_("频率限制"), max_length=16, default="600/min", validators=[validate_rate],
                            help_text=_("每个客户端的请求上限，如 600/min。"))
    ip_allowlist = ArrayField(models.CharField(max_length=64), default=list, blank=True, validators=[validate_networks],
                              verbose_name=_("IP 白名单"),
                              help_text=_("允许的来源地址或网段（CIDR），逗号分隔；为空则拒绝一切来源。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        db_table = "core_departmentclient"
        verbose_name = _("部门客户端")
        verbose_name_plural = _("部门客户端")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["name"], name="department_client_name_unique")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        unknown = [scope for scope in self.scopes if scope not in ClientScope.values]
        if unknown:
            raise ValidationError({"scopes": [_("未知的权限范围：%(s)s") % {"s": "、".join(unknown)}]})


class ClientKey(models.Model):
    """客户端密钥: the lookup prefix and SHA-256 digest of one key (the key itself is shown once, never stored)."""

    client = models.ForeignKey(DepartmentClient, on_delete=models.CASCADE, related_name="keys",
                               verbose_name=_("部门客户端"))
    prefix = models.CharField(_("密钥前缀"), max_length=16, unique=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, help_text=_("SHA-256，十六进制。"))
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("签发人"))
    expires_at = models.DateTimeField(_("到期时间"))
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("吊销人"))
    revoke_reason = models.CharField(_("吊销原因"), max_length=200, blank=True)

    class Meta:
        db_table = "core_clientkey"
        verbose_name = _("客户端密钥")
        verbose_name_plural = _("客户端密钥")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "expires_at"], name="client_key_client")]
        constraints = [
            models.CheckConstraint(condition=Q(key_hash__regex=r"^[0-9a-f]{64}$"), name="client_key_hash_is_sha256"),
        ]

    def __str__(self) -> str:
        return f"{self.client.name} {self.prefix}…"


class ClientQuery(models.Model):
    """客户端查询记录: one request of a client, what it asked and what it was answered (append-only)."""

    client = models.ForeignKey(DepartmentClient, on_delete=models.PROTECT, related_name="queries",
                               verbose_name=_("部门客户端"))
    key_prefix = models.CharField(_("密钥前缀"), max_length=16)
    at = models.DateTimeField(_("查询时间"), auto_now_add=True)
    method = models.CharField(_("方法"), max_length=8)
    endpoint = models.CharField(_("接口"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("状态码"))
    client_ip = models.GenericIPAddressField(_("来源 IP"), null=True, blank=True)
    items = models.PositiveIntegerField(_("查询条数"), default=0)
    request_summary = models.JSONField(_("查询内容"), default=dict, blank=True,
                                       help_text=_("身份证号只存其脱敏形式与密钥哈希。"))
    answer_summary = models.JSONField(_("答复摘要"), default=dict, blank=True)
    receipt_ids = ArrayField(models.CharField(max_length=64), default=list, blank=True, verbose_name=_("回执编号"))

    class Meta:
        db_table = "core_clientquery"
        verbose_name = _("客户端查询记录")
        verbose_name_plural = _("客户端查询记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["client", "at"], name="client_query_client_at")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.method} {self.endpoint} {self.status_code}"
