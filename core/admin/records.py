"""审计日志 and 工作日历 in the admin: the audit trail read-only, the calendar maintained as through the API."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, RegulatorAdmin, pretty_json
from core.audit import audited_tables
from core.models import (
    AuditCheckpoint,
    AuditEntry,
    CalendarDay,
    User,
    UserRole,
)


class TableFilter(admin.SimpleListFilter):
    """By table, from the list of audited tables (no DISTINCT over millions of rows)."""

    title = _("数据表")
    parameter_name = "table"

    def lookups(self, request, model_admin):
        return [(table, table) for table in audited_tables()]

    def queryset(self, request, queryset):
        return queryset.filter(table_name=self.value()) if self.value() else queryset


class OperationFilter(admin.SimpleListFilter):
    title = _("操作")
    parameter_name = "operation"

    def lookups(self, request, model_admin):
        return [("INSERT", _("新增")), ("UPDATE", _("修改")), ("DELETE", _("删除"))]

    def queryset(self, request, queryset):
        return queryset.filter(operation=self.value()) if self.value() else queryset


class UserFilter(admin.SimpleListFilter):
    """By the account that made the change: staff accounts are listed, any account id works in the URL."""

    title = _("操作账户")
    parameter_name = "user"

    def lookups(self, request, model_admin):
        staff = (User.objects.filter(Q(role__in=[UserRole.REGULATOR, UserRole.INSPECTOR]) | Q(is_superuser=True))
                 .order_by("username").values_list("pk", "username")[:200])
        return [(str(pk), username) for pk, username in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(context__user_id=int(value))
        return queryset


class RoleFilter(admin.SimpleListFilter):
    title = _("操作人角色")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [*UserRole.choices, ("anonymous", _("公众")), ("system", _("系统任务"))]

    def queryset(self, request, queryset):
        return queryset.filter(context__role=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """审计日志: written by database triggers; the database itself refuses any update or delete."""

    list_display = ["id", "created_at", "table_name", "operation", "object_id", "username", "role", "endpoint"]
    list_filter = [TableFilter, OperationFilter, UserFilter, RoleFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["object_id"]
    search_help_text = _("输入「数据表:记录编号」（如 regulator_listing:12）、记录编号或用户名。")
    fields = ["id", "created_at", "table_name", "operation", "object_id", "username", "role", "ip", "endpoint",
              "before_display", "after_display", "context_display", "prev_hash", "hash"]
    readonly_fields = ["username", "role", "ip", "endpoint", "before_display", "after_display", "context_display"]
    ordering = ["-id"]

    def get_search_results(self, request, queryset, search_term):
        """Exact matches only, on the (table, object) index: a substring search over the chain would scan it all."""
        term = search_term.strip()
        if not term:
            return queryset, False
        table, sep, object_id = term.partition(":")
        if sep:
            return queryset.filter(table_name=table.strip(), object_id=object_id.strip()), False
        if term.isdigit():
            return queryset.filter(object_id=term), False
        return queryset.filter(context__username=term), False

    @admin.display(description=_("用户名"))
    def username(self, entry: AuditEntry) -> str:
        return entry.context.get("username") or ""

    @admin.display(description=_("角色"))
    def role(self, entry: AuditEntry) -> str:
        return entry.context.get("role") or ""

    @admin.display(description=_("IP"))
    def ip(self, entry: AuditEntry) -> str:
        return entry.context.get("ip") or ""

    @admin.display(description=_("接口"))
    def endpoint(self, entry: AuditEntry) -> str:
        return entry.context.get("endpoint") or entry.context.get("task") or ""

    @admin.display(description=_("变更前"))
    def before_display(self, entry: AuditEntry) -> str:
        return pretty_json(entry.before)

    @admin.display(description=_("变更后"))
    def after_display(self, entry: AuditEntry) -> str:
        return pretty_json(entry.after)

    @admin.display(description=_("上下文"))
    def context_display(self, entry: AuditEntry) -> str:
        return pretty_json(entry.context)


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """每日检查点 (append-only): count and head hash of the chain, so a cut-off tail is detectable."""

    list_display = ["day", "entry_count", "head_id", "head_hash", "created_at"]
    date_hierarchy = "day"


@admin.register(CalendarDay)
class CalendarDayAdmin(RegulatorAdmin):
    """工作日历: regulators maintain holidays and make-up workdays, as the calendar API lets them."""

    allow_add = True
    allow_change = True
    allow_delete = True
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    search_help_text = _("按名称查找，如 春节。")
    date_hierarchy = "date"
    readonly_fields = ["created_at", "updated_at"]
