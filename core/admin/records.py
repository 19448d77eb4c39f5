"""审计日志 and 工作日历 in the admin: the audit trail read-only, the calendar maintained as through the API."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.admin.base import ReadOnlyAdmin, RegulatorAdmin
from core.admin.labels import code_label, in_words, row_in_words, table_label
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
        return sorted(((table, table_label(table)) for table in audited_tables()), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(table_name=self.value()) if self.value() else queryset


#: the keys of an audit entry's context (core.audit_context), in words
CONTEXT_KEYS = {"user_id": _("账户编号"), "username": _("用户名"), "role": _("角色"), "ip": _("IP"),
                "endpoint": _("接口"), "task": _("后台任务"), "request_id": _("请求编号"), "db": _("数据库"),
                "session_user": _("数据库会话账户"), "current_user": _("数据库当前账户"), "job_id": _("任务编号"),
                "user": _("数据库账户"), "application_name": _("连接程序")}
OPERATIONS = {"INSERT": _("新增"), "UPDATE": _("修改"), "DELETE": _("删除")}
ROLES = {**dict(UserRole.choices), "anonymous": _("公众"), "system": _("系统任务")}


class OperationFilter(admin.SimpleListFilter):
    title = _("操作")
    parameter_name = "operation"

    def lookups(self, request, model_admin):
        return list(OPERATIONS.items())

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
        return list(ROLES.items())

    def queryset(self, request, queryset):
        return queryset.filter(context__role=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """审计日志: written by database triggers; the database itself refuses any update or delete."""

    list_display = ["id", "created_at", "table_display", "operation_display", "object_id", "username", "role",
                    "endpoint"]
    list_filter = [TableFilter, OperationFilter, UserFilter, RoleFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["object_id"]
    search_help_text = _("输入「数据表:记录编号」（如 regulator_listing:12）、记录编号或用户名。")
    fields = ["id", "created_at", "table_display", "operation_display", "object_id", "username", "role", "ip",
              "endpoint", "before_display", "after_display", "context_display", "prev_hash", "hash"]
    readonly_fields = ["username", "role", "ip", "endpoint", "before_display", "after_display", "context_display",
                       "table_display", "operation_display"]
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

    @admin.display(description=_("数据表"), ordering="table_name")
    def table_display(self, entry: AuditEntry) -> str:
        return table_label(entry.table_name)

    @admin.display(description=_("操作"), ordering="operation")
    def operation_display(self, entry: AuditEntry) -> str:
        return code_label(entry.operation, OPERATIONS)

    @admin.display(description=_("用户名"))
    def username(self, entry: AuditEntry) -> str:
        return entry.context.get("username") or ""

    @admin.display(description=_("角色"))
    def role(self, entry: AuditEntry) -> str:
        role = entry.context.get("role")
        return code_label(role, ROLES) if role else ""

    @admin.display(description=_("IP"))
    def ip(self, entry: AuditEntry) -> str:
        return entry.context.get("ip") or ""

    @admin.display(description=_("接口"))
    def endpoint(self, entry: AuditEntry) -> str:
        return entry.context.get("endpoint") or entry.context.get("task") or ""

    @admin.display(description=_("变更前"))
    def before_display(self, entry: AuditEntry) -> str:
        return row_in_words(entry.table_name, entry.before)

    @admin.display(description=_("变更后"))
    def after_display(self, entry: AuditEntry) -> str:
        return row_in_words(entry.table_name, entry.after)

    @admin.display(description=_("上下文"))
    def context_display(self, entry: AuditEntry) -> str:
        return in_words(entry.context, ROLES, keys=CONTEXT_KEYS)


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
