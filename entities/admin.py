"""Django admin (in Chinese) for the registry: list filters, search, read-only identifiers."""

from django.contrib import admin

from .models import Entity, Licence, Person, PersonRole


class PersonRoleInline(admin.TabularInline):
    model = PersonRole
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "role", "started_on", "ended_on"]


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 0
    fields = ["licence_type", "number", "issued_on", "expires_on", "status"]


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "sector", "category", "region_code", "status", "updated_at"]
    list_filter = ["sector", "category", "status"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [PersonRoleInline, LicenceInline]
    list_per_page = 50
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    """ID numbers are never shown: only the masked form; new persons are added through the API."""

    list_display = ["name", "id_number_masked", "created_at"]
    search_fields = ["name", "id_number_masked"]
    readonly_fields = ["id_number_masked", "created_at", "updated_at"]
    fields = ["name", "id_number_masked", "created_at", "updated_at"]
    inlines = [PersonRoleInline]

    def has_add_permission(self, request):
        return False


@admin.register(PersonRole)
class PersonRoleAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "entity", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["person__name", "entity__name", "entity__credit_code"]
    autocomplete_fields = ["person", "entity"]
    list_select_related = ["person", "entity"]


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ["number", "licence_type", "entity", "issued_on", "expires_on", "status"]
    list_filter = ["licence_type", "status"]
    search_fields = ["number", "entity__name", "entity__credit_code"]
    autocomplete_fields = ["entity"]
    list_select_related = ["entity"]
