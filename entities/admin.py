"""Django admin (in Chinese) for the registry: regulators write what the API lets them write, through its services.

ID numbers are never shown (only the masked form exists); a person is found
by name or by the whole ID number, matched through its keyed hash.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.base import (
    RegionFilter,
    RegistrySearch,
    RegulatorAdmin,
    RegulatorPermissions,
    adopt,
    is_record_id,
    presence_filter,
)
from core.admin.labels import labelled
from entities import services
from entities.models import Entity, Licence, Person, PersonRole
from entities.selectors import entity_ids_matching, person_ids_matching
from entities.validators import normalize_credit_code, normalize_id_number, validate_id_number


class RegistryInline(RegulatorPermissions, admin.TabularInline):
    """Roles and licences are added and corrected, never deleted (as in the API)."""

    allow_add = True
    allow_change = True
    extra = 0
    can_delete = False


def warn_if_flagged(modeladmin, request, role: PersonRole) -> None:
    """任职预警: the save stands, and the regulator is told why the appointment is flagged."""
    if role.flagged:
        details = "；".join(reason.get("detail", "") for reason in role.flag_reasons)
        modeladmin.message_user(request, _("任职预警（%(role)s）：%(details)s") % {"role": role, "details": details},
                                messages.WARNING)


@admin.display(description=_("预警事由"))
def flag_reasons_display(modeladmin, role: PersonRole):
    if not role.flag_reasons:
        return modeladmin.get_empty_value_display()
    return format_html_join("", "<p>{}</p>", ((reason.get("detail", ""),) for reason in role.flag_reasons))


class PersonRoleInline(RegistryInline):
    model = PersonRole
    autocomplete_fields = ["person", "entity"]
    fields = ["person", "entity", "role", "started_on", "ended_on", "flagged"]
    readonly_fields = ["flagged"]

    def get_fields(self, request, obj=None):
        # On an entity's page the entity is implied, on a person's page the person.
        implied = "entity" if self.parent_model is Entity else "person"
        return [name for name in self.fields if name != implied]


class LicenceInline(RegistryInline):
    model = Licence
    fields = ["licence_type", "number", "issued_on", "expires_on", "status"]


class ServiceFormsetMixin:
    """Inline rows are saved by the registry services (full_clean, then save), like the API's writes."""

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, PersonRole):
                warn_if_flagged(self, request, services.role_save(person_role=instance))
            elif isinstance(instance, Licence):
                services.licence_save(licence=instance)
        formset.save_m2m()


class EntityForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = ["credit_code", "name", "sector", "category", "region_code", "address", "status"]

    def clean_credit_code(self) -> str:
        return normalize_credit_code(self.cleaned_data["credit_code"])


@admin.register(Entity)
class EntityAdmin(RegistrySearch, ServiceFormsetMixin, RegulatorAdmin):
    """市场主体: created and corrected by regulators; ended by status (never deleted)."""

    allow_add = True
    allow_change = True
    form = EntityForm
    list_display = ["name", "credit_code", "sector", "category", "region_label", "status", "updated_at"]
    list_filter = ["sector", "category", "status", RegionFilter]
    search_fields = ["name"]
    search_help_text = _("按名称（支持拼音与首字母）、统一社会信用代码或编号查找。")
    readonly_fields = ["created_at", "updated_at", "region_label"]
    fields = ["credit_code", "name", "sector", "category", "region_code", "region_label", "address", "status",
              "created_at", "updated_at"]
    region_label = labelled("region_code", _("所在地区"))
    inlines = [PersonRoleInline, LicenceInline]
    search_by = {"pk": entity_ids_matching}

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.cleaned_data if name in EntityForm.Meta.fields}
        saved = services.entity_update(entity=obj, **fields) if change else services.entity_create(**fields)
        adopt(obj, saved)


class PersonCreationForm(forms.ModelForm):
    """The ID number is asked once, hashed and masked by the service, and never stored or shown again."""

    id_number = forms.CharField(label=_("居民身份证号码"), max_length=32,
                                help_text=_("18 位；仅保存其密钥哈希与脱敏形式，之后不再显示。"))

    class Meta:
        model = Person
        fields = ["name"]

    def clean_id_number(self) -> str:
        number = normalize_id_number(self.cleaned_data["id_number"])
        validate_id_number(number)
        existing = services.person_find(id_number=number)
        if existing is not None:
            raise forms.ValidationError(_("该身份证号码对应的自然人已存在（编号 %(id)s）。"), params={"id": existing.pk})
        return number


@admin.register(Person)
class PersonAdmin(RegistrySearch, ServiceFormsetMixin, RegulatorAdmin):
    """自然人: only the masked ID number is ever displayed."""

    allow_add = True
    allow_change = True
    list_display = ["name", "id_number_masked", "created_at"]
    search_fields = ["name"]
    search_help_text = _("按姓名（支持拼音与首字母）、完整身份证号码或编号查找。")
    readonly_fields = ["id_number_masked", "created_at", "updated_at"]
    fields = ["name", "id_number_masked", "created_at", "updated_at"]
    inlines = [PersonRoleInline]
    search_by = {"pk": person_ids_matching}

    def get_fields(self, request, obj=None):
        return ["name", "id_number"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PersonCreationForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.person_update(person=obj, name=form.cleaned_data["name"])
        else:
            saved = services.person_create(name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"])
        adopt(obj, saved)


CurrentRoleFilter = presence_filter(title=_("在任情况"), parameter_name="current", field="ended_on",
                                    choices=[("yes", _("当前在任"), True), ("no", _("已离任"), False)])


@admin.register(PersonRole)
class PersonRoleAdmin(RegulatorAdmin):
    """任职: an appointment made while a restriction binds the person is flagged (任职预警) when it is recorded."""

    allow_add = True
    allow_change = True
    list_display = ["person", "role", "entity", "started_on", "ended_on", "flagged", "flagged_at"]
    list_filter = ["role", CurrentRoleFilter, "flagged"]
    search_fields = ["person__name"]
    search_help_text = _("按主体名称或信用代码、自然人姓名或身份证号码查找。")
    autocomplete_fields = ["person", "entity"]
    list_select_related = ["person", "entity"]
    fields = ["entity", "person", "role", "started_on", "ended_on", "flagged", "flag_reasons_display", "flagged_at",
              "checked_at", "created_at", "updated_at"]
    readonly_fields = ["flagged", "flag_reasons_display", "flagged_at", "checked_at", "created_at", "updated_at"]
    flag_reasons_display = flag_reasons_display

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(entity__in=entity_ids_matching(term)) | queryset.filter(
            person__in=person_ids_matching(term)), False

    def save_model(self, request, obj, form, change):
        saved = services.role_save(person_role=obj)
        adopt(obj, saved)
        warn_if_flagged(self, request, saved)


@admin.register(Licence)
class LicenceAdmin(RegulatorAdmin):
    allow_add = True
    allow_change = True
    list_display = ["number", "licence_type", "entity", "issued_on", "expires_on", "status"]
    list_filter = ["licence_type", "status"]
    search_fields = ["number"]
    search_help_text = _("按证号、主体名称或信用代码查找。")
    autocomplete_fields = ["entity"]
    list_select_related = ["entity"]
    date_hierarchy = "issued_on"
    fields = ["entity", "licence_type", "number", "issued_on", "expires_on", "status", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]

    def get_search_results(self, request, queryset, search_term):
        matched, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and not is_record_id(term):
            matched = matched | queryset.filter(entity__in=entity_ids_matching(term))
        return matched, duplicates

    def save_model(self, request, obj, form, change):
        adopt(obj, services.licence_save(licence=obj))

# Admins of their own modules, each registering itself: 全覆盖 and 回炉培训行动 (admin_coverage), 家政服务评价
# (admin_reviews), 家政服务员信用档案 (admin_workers).
from entities import admin_coverage, admin_reviews, admin_workers  # noqa: E402, F401
