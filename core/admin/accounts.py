"""账户 in the admin: the fields a regulator may set through the API, saved by the same service."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core import services
from core.admin.base import RegulatorAdmin, adopt
from core.models import User, UserRole
from core.scope import Sector, validate_region_prefix


class ScopeFormMixin:
    """The scope rules of the accounts API: an inspector has a jurisdiction and sectors, each one valid."""

    def clean(self):
        cleaned = super().clean()
        regions = cleaned.get("region_codes") or []
        sectors = cleaned.get("sectors") or []
        for code in regions:
            try:
                validate_region_prefix(code)
            except ValidationError as exc:
                self.add_error("region_codes", exc)
        unknown = sorted(set(sectors) - set(Sector.values))
        if unknown:
            self.add_error("sectors", _("未知的行业：%(sectors)s（可选 %(known)s）")
                           % {"sectors": "、".join(unknown), "known": "、".join(Sector.values)})
        if cleaned.get("role") == UserRole.INSPECTOR:
            if not regions:
                self.add_error("region_codes", _("检查人员必须指定辖区。"))
            if not sectors:
                self.add_error("sectors", _("检查人员必须指定行业范围。"))
        if "region_codes" in cleaned:
            cleaned["region_codes"] = sorted(set(regions))
        if "sectors" in cleaned:
            cleaned["sectors"] = sorted(set(sectors))
        return cleaned


class AccountChangeForm(ScopeFormMixin, UserChangeForm):
    pass


class AccountCreationForm(ScopeFormMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(RegulatorAdmin, BaseUserAdmin):
    """Accounts are deactivated, never deleted; staff and superuser status are for superusers to grant."""

    allow_add = True
    allow_change = True
    form = AccountChangeForm
    add_form = AccountCreationForm
    list_display = ["username", "role", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "email"]
    search_help_text = _("按用户名、姓名或电子邮箱查找。")
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("角色与范围"), {"fields": ("role", "region_codes", "sectors", "entities")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("角色与范围"), {"fields": ("role", "region_codes", "sectors", "entities")}),
    )
    filter_horizontal = ()
    autocomplete_fields = ["entities"]

    def get_readonly_fields(self, request, obj=None):
        readonly = ["last_login", "date_joined"]
        if not request.user.is_superuser:
            # Who may use this admin (staff) and who is above every rule (superuser) is not a regulator's call.
            readonly += ["is_staff", "is_superuser"]
        return readonly

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.user_save(user=obj)
        else:
            data = form.cleaned_data
            password = data.get("password1") if data.get("set_usable_password", True) else None
            saved = services.user_save(user=obj, password=password)
        adopt(obj, saved)
