"""What every admin page of the service shares: regulators only, records read-only, transitions through services.

* Only an active staff account with the regulator role (a superuser acts as
  one) gets in. Inspectors and businesses are refused even with ``is_staff``:
  the role is the permission, Django's per-model permissions play no part.
* A model is read-only unless its admin says otherwise, and it says so only
  where the API lets a regulator write the same thing.
* Status fields are never edited. A state change is a :class:`Transition`:
  an admin action (and a button on the object's page) that calls the same
  service function as the API, so the transition table and its guards
  (working-day windows, unanswered objections, 409 conflicts) apply. A refused
  transition is shown as a message and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, models
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import APIException

from core.admin.labels import region_label

# What a service raises when the rules refuse a write; each rolls back its own transaction.
SERVICE_ERRORS = (APIException, ValidationError, PermissionDenied, ObjectDoesNotExist, IntegrityError, DataError)
# What a service may raise from save_model after the form validated (the admin's own 403 is not among them).
SAVE_ERRORS = (APIException, ValidationError, IntegrityError, DataError)
# One action applies to at most this many rows: each is its own transaction and its own message.
MAX_BATCH = 100
# Prefectures of Shanxi (GB/T 2260), for the region filters.
SHANXI_PREFECTURES = ("1401", "1402", "1403", "1404", "1405", "1406", "1407", "1408", "1409", "1410", "1411")


def is_admin_user(user) -> bool:
    """The admin is for regulators: active, staff, and the regulator role (or superuser)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_staff and user.is_regulator)


def is_record_id(term: str) -> bool:
    """Digits only, and shorter than a credit code or an ID number: the id of a row."""
    return term.isdigit() and len(term) <= 12


def error_text(exc: BaseException) -> str:
    """A service's refusal as one line of text, whatever shape the error has."""
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages)
    if isinstance(exc, APIException):
        return "；".join(_flatten(exc.detail)) or _("操作与当前状态冲突。")
    if isinstance(exc, (IntegrityError, DataError)):
        return _("与已有记录冲突（唯一性或引用约束）。")
    if isinstance(exc, ObjectDoesNotExist):
        return _("记录不存在。")
    return str(exc) or _("无权执行该操作。")


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [text for key, value in detail.items() if key not in {"code", "id"} for text in _flatten(value)]
    if isinstance(detail, (list, tuple)):
        return [text for value in detail for text in _flatten(value)]
    return [str(detail)]


def adopt(instance: models.Model, saved: models.Model) -> None:
    """Make the admin's unsaved instance the row a service saved (the admin goes on to log and redirect with it)."""
    for model_field in instance._meta.concrete_fields:
        setattr(instance, model_field.attname, getattr(saved, model_field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


def link(name: str, label: str) -> Callable:
    """A related object as a link to its admin page, under a Chinese label.

    For the foreign keys whose model field has no verbose name of its own
    (Django would show the bare field name): use ``<name>_link`` in
    ``list_display`` and ``fields``.
    """

    @admin.display(description=label, ordering=name)
    def show(modeladmin, obj):
        target = getattr(obj, name)
        if target is None:
            return modeladmin.get_empty_value_display()
        opts = target._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[target.pk],
                          current_app=modeladmin.admin_site.name)
        except NoReverseMatch:
            return str(target)
        return format_html('<a href="{}">{}</a>', url, target)

    show.__name__ = f"{name}_link"
    return show


def pretty_json(value: Any) -> str:
    return format_html("<pre style=\"white-space: pre-wrap; margin: 0\">{}</pre>",
                       json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str))


# ------------------------------------------------------------------ permissions


class RegulatorPermissions:
    """Mixed into every ModelAdmin and inline: the regulator role decides, and each admin opts in to writes."""

    allow_add = False
    allow_change = False
    allow_delete = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin_user(request.user)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return is_admin_user(request.user)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return self.allow_add and is_admin_user(request.user)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.allow_change and is_admin_user(request.user)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self.allow_delete and is_admin_user(request.user)

    def has_transition_permission(self, request: HttpRequest) -> bool:
        return is_admin_user(request.user)


# ------------------------------------------------------------------ transitions


@dataclass(frozen=True)
class Transition:
    """One due-process step offered in the admin, carried out by ``run`` (which calls the service).

    ``run(request, obj, data)`` gets the cleaned data of ``form_class`` (an
    intermediate page asks for it first); ``applies(obj)`` decides whether the
    object's page shows the button (the service still decides whether it may).
    """

    name: str
    label: str
    run: Callable[[HttpRequest, Any, dict], Any]
    form_class: type[forms.Form] | None = None
    applies: Callable[[Any], bool] = field(default=lambda obj: True)
    intro: str = ""
    logs: bool = True  # False for a step that only reads (nothing to record in the admin's history)

    def as_action(self) -> Callable:
        def action(modeladmin, request, queryset):
            return perform_transition(self, modeladmin, request, queryset)

        action.__name__ = self.name
        action.short_description = self.label
        action.allowed_permissions = ("transition",)
        return action


def perform_transition(transition: Transition, modeladmin, request: HttpRequest, queryset):
    """Ask for the transition's input if it needs some, then run it on each row in its own transaction."""
    objects = list(queryset.order_by("pk")[: MAX_BATCH + 1])
    if len(objects) > MAX_BATCH:
        modeladmin.message_user(request, _("一次最多处理 %(count)s 条记录，请缩小范围。") % {"count": MAX_BATCH},
                                messages.ERROR)
        return None
    data: dict = {}
    if transition.form_class is not None:
        form = transition.form_class(request.POST if request.POST.get("_confirm") else None)
        if not form.is_bound or not form.is_valid():
            return _confirmation_page(transition, modeladmin, request, objects, form)
        data = form.cleaned_data
    done = 0
    for obj in objects:
        try:
            transition.run(request, obj, data)
        except SERVICE_ERRORS as exc:
            modeladmin.message_user(
                request, _("「%(label)s」未执行——%(object)s：%(error)s")
                % {"label": transition.label, "object": obj, "error": error_text(exc)}, messages.ERROR)
        else:
            done += 1
            if transition.logs:
                modeladmin.log_change(request, obj, transition.label)
    if done:
        modeladmin.message_user(request, _("「%(label)s」已完成 %(count)s 条。") % {"label": transition.label,
                                                                               "count": done}, messages.SUCCESS)
    if request.POST.get("_from_object") and len(objects) == 1:
        return HttpResponseRedirect(_change_url(modeladmin, objects[0]))
    return None


def _change_url(modeladmin, obj) -> str:
    opts = modeladmin.model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk],
                   current_app=modeladmin.admin_site.name)


def _confirmation_page(transition: Transition, modeladmin, request: HttpRequest, objects: list, form: forms.Form):
    opts = modeladmin.model._meta
    from_object = bool(request.POST.get("_from_object")) and len(objects) == 1
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=modeladmin.admin_site.name)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": transition.label,
        "intro": transition.intro,
        "opts": opts,
        "objects": objects,
        "form": form,
        "action_name": transition.name,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "from_object": from_object,
        "cancel_url": _change_url(modeladmin, objects[0]) if from_object else changelist,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/transition_confirmation.html", context)


# ------------------------------------------------------------------ model admins


class RegulatorAdmin(RegulatorPermissions, admin.ModelAdmin):
    """Base of every ModelAdmin of the service."""

    transitions: tuple[Transition, ...] = ()
    list_per_page = 50
    show_full_result_count = False
    search_help_text = gettext_lazy("输入编号精确查找，或输入关键词。")

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if self.transitions:
            self.actions = [*(self.actions or ()), *(transition.as_action() for transition in self.transitions)]
            if self.change_form_template is None:
                self.change_form_template = "admin/change_form_with_transitions.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.transitions and self.has_transition_permission(request):
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                opts = self.model._meta
                extra_context["transition_buttons"] = [t for t in self.transitions if t.applies(obj)]
                extra_context["transition_url"] = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist",
                                                          current_app=self.admin_site.name)
        return super().change_view(request, object_id, form_url, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The form validated, but the service refused at save time (a race, a rule only it knows): the
        # admin's transaction has rolled back; say why instead of answering 500.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SAVE_ERRORS as exc:
            if request.method != "POST":
                raise
            self.message_user(request, _("未保存：%(error)s") % {"error": error_text(exc)}, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_search_results(self, request, queryset, search_term):
        """A short number names a row by its id; anything else goes to the search fields."""
        term = search_term.strip()
        if is_record_id(term):
            return queryset.filter(pk=int(term)), False
        return super().get_search_results(request, queryset, term)


class ReadOnlyAdmin(RegulatorAdmin):
    """Records the service writes itself (history, audit, derived data): viewed and filtered, never edited."""

    def get_readonly_fields(self, request, obj=None):
        declared = list(self.readonly_fields)
        return [*declared, *(f.name for f in self.model._meta.concrete_fields if f.name not in declared)]


class ReadOnlyInline(RegulatorPermissions, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return [*self.fields] if self.fields else [f.name for f in self.model._meta.concrete_fields]


# ------------------------------------------------------------------ filters


def presence_filter(*, title, parameter_name: str, field: str,
                    choices: list[tuple[str, str, bool]]) -> type[admin.SimpleListFilter]:
    """A filter on whether ``field`` is set: ``choices`` are (value, label, field is null)."""

    class PresenceFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [(value, label) for value, label, _null in choices]

        def queryset(self, request, queryset):
            for value, _label, null in choices:
                if self.value() == value:
                    return queryset.filter(**{f"{field}__isnull": null})
            return queryset

    PresenceFilter.title = title
    PresenceFilter.parameter_name = parameter_name
    return PresenceFilter


class RegionFilter(admin.SimpleListFilter):
    """地市: entities whose region code starts with the prefecture's four digits (an indexed prefix match)."""

    title = gettext_lazy("地市")
    parameter_name = "region"
    field_name = "region_code"

    @classmethod
    def for_field(cls, field_name: str) -> type[RegionFilter]:
        """The same filter on another field holding region codes or prefixes."""
        return type(f"RegionFilter_{field_name}", (cls,), {"field_name": field_name})

    def lookups(self, request, model_admin):
        return [(prefix, region_label(prefix)) for prefix in SHANXI_PREFECTURES]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit() and len(value) <= 6:
            return queryset.filter(**{f"{self.field_name}__startswith": value})
        return queryset


class EntityRegionFilter(RegionFilter):
    field_name = "entity__region_code"


# ------------------------------------------------------------------ searching the registry


class RegistrySearch:
    """Search a changelist by the registry's name keys rather than substring fields.

    A blank term lists everything; a short number names a row through ``search_id_field``; any other term
    matches rows whose ``search_by`` lookups (``{"entity": entity_ids_matching}``) find it.
    """

    search_id_field = "pk"
    search_by: dict[str, Callable[[str], Any]] = {}

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if is_record_id(term):
            return queryset.filter(**{self.search_id_field: int(term)}), False
        matches = models.Q()
        for lookup, find in self.search_by.items():
            matches |= models.Q(**{f"{lookup}__in": find(term)})
        return queryset.filter(matches), False
