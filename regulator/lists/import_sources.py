"""定时导入来源 (scheduled imports): other authorities' lists pulled on a schedule, and each run's report.

An :class:`ImportSource` names where another authority's list arrives (a drop directory under the setting
``IMPORT_DROP_ROOT``, or an http(s) URL), its format (CSV, XLSX, JSON), how its columns map onto the fields of
a shared-listing import row (``regulator.lists.imports.FIELDS``), the values every row takes by default, and
whether each file is the authority's whole list (``snapshot``: a listing missing from the latest complete
file is removed, 来源机关撤销) or only additions (``delta``: nothing ends). The column mapping is checked
fail-closed: an unknown target field, or a required one neither mapped nor defaulted, is a ValidationError
naming it.

An :class:`ImportRun` is one pull: the file read (name, SHA-256), what became of its rows (new, unchanged,
ended, refused) row by row, and why a run failed. One run per source at a time: a partial unique constraint
on the unfinished runs, and an advisory lock while one runs (``import_source_services``).

The source speaks for its authority: ``source_authority`` is set on every row from the source (a file cannot
claim another authority) and is unique among sources, so a snapshot ends only that authority's imports.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: the import row's fields a source may fill (``imports.FIELDS`` less the authority, which is the source's)
_FIXED_BY_SOURCE = "source_authority"


class SourceKind(models.TextChoices):
    DROP_DIR = "drop_dir", gettext_lazy("投放目录")
    URL = "url", gettext_lazy("网址（HTTP/HTTPS）")


class SourceFormat(models.TextChoices):
    CSV = "csv", gettext_lazy("CSV")
    XLSX = "xlsx", gettext_lazy("Excel 工作簿（XLSX）")
    JSON = "json", gettext_lazy("JSON")


class SourceMode(models.TextChoices):
    SNAPSHOT = "snapshot", gettext_lazy("全量（文件中已无的记录移出名单）")
    DELTA = "delta", gettext_lazy("增量（只新增，不移出）")


class RunState(models.TextChoices):
    QUEUED = "queued", gettext_lazy("排队中")
    RUNNING = "running", gettext_lazy("运行中")
    DONE = "done", gettext_lazy("已完成")
    UNCHANGED_FILE = "unchanged_file", gettext_lazy("文件未变化，已跳过")
    NO_FILE = "no_file", gettext_lazy("无新文件")
    REFUSED = "refused", gettext_lazy("记录被拒，未导入")
    FAILED = "failed", gettext_lazy("失败")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", gettext_lazy("定时")
    MANUAL = "manual", gettext_lazy("手动")
    BACKLOG = "backlog", gettext_lazy("目录中尚有文件")


#: a run in one of these states still holds its source (the constraint allows one)
UNFINISHED_STATES = (RunState.QUEUED, RunState.RUNNING)

#: what a row of a run's report says became of it
ROW_OUTCOMES = {"new": gettext_lazy("新增"), "unchanged": gettext_lazy("未变化"), "ended": gettext_lazy("移出"),
                "refused": gettext_lazy("被拒")}


def target_fields() -> tuple[str, ...]:
    """The fields a mapping or a default may name."""
    from regulator.lists.imports import FIELDS  # imports reads the models: imported when asked

    return tuple(name for name in FIELDS if name != _FIXED_BY_SOURCE)


def mapping_validate(mapping: Any, defaults: Any) -> None:
    """The column mapping and defaults, fail-closed: a ValidationError naming each wrong field.

    ``mapping``: target field -> the source file's column header (text). ``defaults``: target field -> the value
    every row takes when its mapped cell is empty or the field is not mapped. Every required field of an import
    row (``imports.REQUIRED``, the authority aside) must be mapped or defaulted, and the subject (credit code
    or ID number) must be mapped.
    """
    from regulator.lists.imports import REQUIRED
    from regulator.lists.models import ListType
    from regulator.lists.rules import IMPORT_GROUNDS

    errors: dict[str, list[str]] = {}
    allowed = target_fields()
    if not isinstance(mapping, dict):
        raise ValidationError({"column_mapping": [_("应为对象：{\"目标字段\": \"文件列名\"}。")]})
    if not isinstance(defaults, dict):
        raise ValidationError({"defaults": [_("应为对象：{\"目标字段\": \"默认值\"}。")]})
    for target, header in mapping.items():
        if target == _FIXED_BY_SOURCE:
            errors.setdefault("column_mapping", []).append(
                _("%(field)s 由导入来源的“来源机关”确定，不可映射。") % {"field": target})
        elif target not in allowed:
            errors.setdefault("column_mapping", []).append(_("未知的目标字段：%(field)s。") % {"field": target})
        elif not isinstance(header, str) or not header.strip():
            errors.setdefault("column_mapping", []).append(
                _("目标字段 %(field)s 的文件列名应为非空文本。") % {"field": target})
    for target, value in defaults.items():
        if target == _FIXED_BY_SOURCE:
            errors.setdefault("defaults", []).append(
                _("%(field)s 由导入来源的“来源机关”确定，不可设默认值。") % {"field": target})
        elif target not in allowed:
            errors.setdefault("defaults", []).append(_("未知的目标字段：%(field)s。") % {"field": target})
        elif target in ("credit_code", "id_number", "source_reference"):
            errors.setdefault("defaults", []).append(
                _("%(field)s 因记录而异，不可设默认值。") % {"field": target})
        elif not isinstance(value, str) or not value.strip():
            errors.setdefault("defaults", []).append(_("%(field)s 的默认值应为非空文本。") % {"field": target})
        elif target == "list_type" and value not in ListType.values:
            errors.setdefault("defaults", []).append(_("list_type 的默认值应为 black、watch 或 red。"))
        elif target == "ground" and value not in IMPORT_GROUNDS:
            errors.setdefault("defaults", []).append(
                _("ground 的默认值应为 %(codes)s 之一。") % {"codes": "、".join(IMPORT_GROUNDS)})
    for target in REQUIRED:
        if target != _FIXED_BY_SOURCE and target not in mapping and target not in defaults:
            errors.setdefault("column_mapping", []).append(
                _("缺少必填的目标字段：%(field)s（须映射到文件列或设默认值）。") % {"field": target})
    if "credit_code" not in mapping and "id_number" not in mapping:
        errors.setdefault("column_mapping", []).append(
            _("须映射 credit_code 或 id_number（或两者）到文件列。"))
    if errors:
        raise ValidationError(errors)


def drop_root() -> PurePosixPath:
    return PurePosixPath(str(getattr(settings, "IMPORT_DROP_ROOT", "var/import-drop")))


def location_validate(kind: str, location: str) -> None:
    """A drop directory is a relative path under ``IMPORT_DROP_ROOT`` (no ``..``); a URL is http or https."""
    location = (location or "").strip()
    if not location:
        raise ValidationError({"location": [_("必填。")]})
    if kind == SourceKind.DROP_DIR:
        path = PurePosixPath(location)
        if path.is_absolute() or "\\" in location or any(part in ("..", "") for part in location.split("/")) \
                or ":" in location:
            raise ValidationError({"location": [_("应为投放根目录（IMPORT_DROP_ROOT）下的相对路径，不得含“..”或以“/”开头。")]})
        return
    if kind == SourceKind.URL:
        try:
            parts = urlsplit(location)
            parts.port  # noqa: B018 (raises ValueError on a bad port)
        except ValueError:
            raise ValidationError({"location": [_("不是有效的网址。")]}) from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError({"location": [_("网址须以 http:// 或 https:// 开头（不支持 file:// 等）。")]})
        if parts.username or parts.password:
            raise ValidationError({"location": [_("网址中不得包含用户名或密码。")]})
        return
    raise ValidationError({"kind": [_("应为 drop_dir 或 url。")]})


class ImportSource(models.Model):
    """导入来源: where another authority's list arrives, how its columns map, how often it is pulled."""

    name = models.CharField(gettext_lazy("名称"), max_length=100, unique=True)
    source_authority = models.CharField(
        gettext_lazy("来源机关"), max_length=200, unique=True,
        help_text=gettext_lazy("写入每条记录的来源机关；全量导入只移出该机关导入的记录。"))
    kind = models.CharField(gettext_lazy("获取方式"), max_length=16, choices=SourceKind.choices)
    location = models.CharField(
        gettext_lazy("位置"), max_length=1000,
        help_text=gettext_lazy("投放目录：投放根目录下的相对路径；网址：http:// 或 https://。"))
    format = models.CharField(gettext_lazy("文件格式"), max_length=8, choices=SourceFormat.choices)
    encoding = models.CharField(gettext_lazy("CSV 编码"), max_length=16, blank=True,
                                choices=[("utf-8-sig", "UTF-8"), ("gb18030", "GB18030 / GBK")],
                                help_text=gettext_lazy("留空则自动识别（UTF-8，否则 GB18030/GBK）。"))
    column_mapping = models.JSONField(gettext_lazy("列映射"), default=dict,
                                      help_text=gettext_lazy("{\"目标字段\": \"文件列名\"}，如 {\"name\": \"被执行人名称\"}。"))
    defaults = models.JSONField(gettext_lazy("默认值"), default=dict, blank=True,
                                help_text=gettext_lazy("{\"目标字段\": \"值\"}：文件未给出或为空时每条记录取该值，如名单类型、法律依据。"))
    mode = models.CharField(gettext_lazy("导入方式"), max_length=16, choices=SourceMode.choices,
                            default=SourceMode.DELTA)
    interval_minutes = models.PositiveIntegerField(
        gettext_lazy("间隔（分钟）"), default=1440, validators=[MinValueValidator(1), MaxValueValidator(43200)])
    enabled = models.BooleanField(gettext_lazy("启用"), default=True)
    last_run_at = models.DateTimeField(gettext_lazy("上次运行时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        db_table = "regulator_importsource"
        verbose_name = gettext_lazy("定时导入来源")
        verbose_name_plural = gettext_lazy("定时导入来源")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for check in (lambda: location_validate(self.kind, self.location),
                      lambda: mapping_validate(self.column_mapping, self.defaults)):
            try:
                check()
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(errors)


class ImportRun(models.Model):
    """导入运行记录: one pull of a source, the file it read and what became of each row."""

    source = models.ForeignKey(ImportSource, on_delete=models.CASCADE, related_name="runs",
                               verbose_name=gettext_lazy("导入来源"))
    trigger = models.CharField(gettext_lazy("触发方式"), max_length=16, choices=RunTrigger.choices,
                               default=RunTrigger.SCHEDULE)
    state = models.CharField(gettext_lazy("状态"), max_length=16, choices=RunState.choices, default=RunState.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=gettext_lazy("发起人"))
    queued_at = models.DateTimeField(gettext_lazy("排队时间"), auto_now_add=True)
    enqueued_at = models.DateTimeField(gettext_lazy("发送时间"), null=True, blank=True)
    started_at = models.DateTimeField(gettext_lazy("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(gettext_lazy("结束时间"), null=True, blank=True)
    file_name = models.CharField(gettext_lazy("文件名"), max_length=255, blank=True)
    file_sha256 = models.CharField(gettext_lazy("文件 SHA-256"), max_length=64, blank=True)
    file_bytes = models.PositiveBigIntegerField(gettext_lazy("文件大小（字节）"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(gettext_lazy("记录数"), default=0)
    new_count = models.PositiveIntegerField(gettext_lazy("新增"), default=0)
    unchanged_count = models.PositiveIntegerField(gettext_lazy("未变化"), default=0)
    ended_count = models.PositiveIntegerField(gettext_lazy("移出"), default=0)
    refused_count = models.PositiveIntegerField(gettext_lazy("被拒"), default=0)
    report = models.JSONField(gettext_lazy("逐行报告"), default=list, blank=True,
                              help_text=gettext_lazy("[{\"row\", \"reference\", \"outcome\", \"reason\", \"listing_id\"}]"))
    error = models.TextField(gettext_lazy("错误"), blank=True)

    class Meta:
        db_table = "regulator_importrun"
        verbose_name = gettext_lazy("定时导入运行记录")
        verbose_name_plural = gettext_lazy("定时导入运行记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["source", "state"], name="importrun_source_state")]
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=Q(state__in=["queued", "running"]),
                                    name="importrun_one_unfinished_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source} 第 {self.pk} 次运行（{self.get_state_display()}）"
