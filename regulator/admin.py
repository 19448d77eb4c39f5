"""Admin for accounts: role and scope alongside Django's own user fields."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "is_active", "is_superuser", "last_login"]
    list_filter = ["role", "is_active", "is_superuser"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("角色与范围"), {"fields": ("role", "region_codes", "sectors", "entities")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("角色与范围"), {"fields": ("role", "region_codes", "sectors")}),
    )
    autocomplete_fields = ["entities"]
