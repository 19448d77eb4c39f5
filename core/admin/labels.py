"""代码的中文名称: how every admin page shows a code, a region and a time (issue 16, item 5).

The API keeps its codes; the admin's pages show words. One helper for all of them:

* a code by its label: a model field's own choices, or a table an app registers for a field that stores codes
  without choices (``register_codes(CreditEvent, "rule", RULE_LABELS)``, filled by each app's admin module,
  so the kernel imports no domain app);
* a region code (``140802``) or an inspector's region prefix (``1408``) by its name (运城市盐湖区), from the
  GB/T 2260 table the registry already validates against;
* a time in Beijing time, also inside JSON documents (the audit trail's rows are stored as the database wrote
  them, in UTC);
* a JSON document (scoring rules, a score's breakdown, an audit row) as nested lists in words, not as JSON.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.scope import region_name

BEIJING = ZoneInfo("Asia/Shanghai")
_ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_REGION_PREFIX = re.compile(r"^\d{2}(\d{2}){0,2}$")

#: labels of fields that store codes without choices: {(app_label, model_name): {field: {code: label}}}
_FIELD_CODES: dict[tuple[str, str], dict[str, Mapping[str, Any]]] = {}
#: words for the keys of JSON documents, registered by the apps that own the documents
_KEY_LABELS: dict[str, Any] = {}
#: words for codes inside JSON documents, registered by the apps that own the codes
_VALUE_LABELS: dict[str, Any] = {}


def register_codes(model: type[models.Model], field: str, labels: Mapping[str, Any]) -> None:
    """Tell the admin the labels of the codes ``model.field`` stores (a field without choices); several apps may
    each add theirs (the procedures a served document belongs to)."""
    fields = _FIELD_CODES.setdefault((model._meta.app_label, model._meta.model_name), {})
    fields[field] = {**fields.get(field, {}), **labels}


def register_keys(labels: Mapping[str, Any]) -> None:
    """Words for the keys of JSON documents shown in the admin (``full_weight_days`` -> 满权重天数)."""
    _KEY_LABELS.update(labels)


def register_values(labels: Mapping[str, Any]) -> None:
    """Words for codes that appear as values inside JSON documents shown in the admin (a licence type in a
    department client's logged query), registered by the app that owns the codes."""
    _VALUE_LABELS.update(labels)


# ------------------------------------------------------------------ single values


def beijing(value: datetime.datetime | None, *, seconds: bool = True) -> str:
    """``2026年12月1日 23:05:09``（北京时间 implied by every page), or a dash."""
    if value is None:
        return "—"
    if timezone_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    local = value.astimezone(BEIJING)
    return f"{local.year}年{local.month}月{local.day}日 " + local.strftime("%H:%M:%S" if seconds else "%H:%M")


def timezone_naive(value: datetime.datetime) -> bool:
    return value.tzinfo is None or value.tzinfo.utcoffset(value) is None


def chinese_date(value: datetime.date | None) -> str:
    if value is None:
        return "—"
    return f"{value.year}年{value.month}月{value.day}日"


def region_label(code: str | None, *, full: bool = False) -> str:
    """盐湖区 for ``140802``, 运城市 for ``140800`` or the prefix ``1408``, 山西省 for ``14``; with ``full`` the whole
    name (山西省运城市盐湖区). Unknown codes as they are."""
    if not code:
        return "—"
    code = str(code)
    if not _REGION_PREFIX.match(code):
        return code
    code = code.ljust(6, "0")
    name = region_name(code)
    if not name:
        return code
    if full or code.endswith("0000"):
        return name
    parent = region_name(code[:2] + "0000") if code.endswith("00") else region_name(code[:4] + "00")
    return name[len(parent):] if parent and name.startswith(parent) and len(name) > len(parent) else name


def region_list(codes: Iterable[str] | None, *, empty: str | None = None) -> str:
    codes = list(codes or [])
    if not codes:
        return empty if empty is not None else "—"
    return "、".join(region_label(code) for code in codes)


def code_label(value: Any, labels: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> str:
    """A code by its label; an unknown code as it is (better than hiding what is stored)."""
    if value in (None, ""):
        return "—"
    table = labels if isinstance(labels, Mapping) else dict(labels or ())
    label = table.get(value)
    return str(label) if label is not None else str(value)


def codes_label(values: Iterable[Any] | None, labels: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> str:
    values = list(values or [])
    return "、".join(code_label(value, labels) for value in values) if values else "—"


def field_labels(model: type[models.Model], field: str) -> Mapping[str, Any]:
    """The labels of a field's codes: its choices, or what an app registered for it."""
    registered = _FIELD_CODES.get((model._meta.app_label, model._meta.model_name), {}).get(field)
    if registered is not None:
        return registered
    try:
        model_field = model._meta.get_field(field)
    except Exception:  # noqa: BLE001 - not a field (an annotation, a column of another table)
        return {}
    choices = getattr(model_field, "flatchoices", None) or ()
    if not choices and getattr(model_field, "base_field", None) is not None:  # an ArrayField of choices
        choices = getattr(model_field.base_field, "flatchoices", None) or ()
    return dict(choices)


def value_label(model: type[models.Model] | None, field: str, value: Any) -> str | SafeString:
    """One stored value in words: its label, a region by name, a time in Beijing time, a document in words."""
    if value is None or value == "":
        return "—"
    labels = field_labels(model, field) if model is not None else {}
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, str) for item in value):
            if "region" in field:
                return region_list(value)
            return codes_label(value, labels) if labels else "、".join(value)
        return in_words(value, labels)
    if isinstance(value, dict):
        return in_words(value, labels)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        if value in labels:
            return str(labels[value])
        if "region" in field:
            return region_label(value)
        return _string_in_words(value, labels)
    return str(value)


def _string_in_words(value: str, labels: Mapping[str, Any]) -> str:
    if _ISO_TIME.match(value):
        try:
            return beijing(datetime.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if _ISO_DATE.match(value):
        try:
            return chinese_date(datetime.date.fromisoformat(value))
        except ValueError:
            return value
    label = labels.get(value)
    return str(label) if label is not None else value


# ------------------------------------------------------------------ documents


def in_words(value: Any, labels: Mapping[str, Any] | None = None, *, keys: Mapping[str, Any] | None = None) -> SafeString:
    """A JSON document as nested lists: keys and string values through ``labels`` (then the registered key
    words), times in Beijing time. Numbers and free text stay as they are."""
    labels = {**_VALUE_LABELS, **(labels or {})}
    key_words = {**_KEY_LABELS, **(keys or {})}

    def word(key: Any) -> str:
        text = labels.get(key) if isinstance(key, str) else None
        if text is None and isinstance(key, str):
            text = key_words.get(key)
        return str(text) if text is not None else str(key)

    def render(node: Any) -> SafeString:
        if isinstance(node, dict):
            if not node:
                return format_html("{}", "—")
            return format_html('<ul class="in-words">{}</ul>', format_html_join(
                "", "<li>{}：{}</li>", ((word(key), render(item)) for key, item in node.items())))
        if isinstance(node, (list, tuple)):
            if not node:
                return format_html("{}", "—")
            if all(not isinstance(item, (dict, list, tuple)) for item in node):
                return format_html_join("、", "{}", ((render(item),) for item in node))
            return format_html('<ol class="in-words">{}</ol>', format_html_join(
                "", "<li>{}</li>", ((render(item),) for item in node)))
        if isinstance(node, bool):
            return format_html("{}", _("是") if node else _("否"))
        if isinstance(node, str):
            return format_html("{}", _string_in_words(node, labels) if node not in labels else word(node))
        if node is None:
            return format_html("{}", "—")
        return format_html("{}", node)

    return format_html('<div class="in-words" style="white-space: normal">{}</div>', render(value))


def row_in_words(table_name: str, row: Mapping[str, Any] | None) -> SafeString:
    """An audited row (column -> value, as the trigger stored it) with the model's field names and labels."""
    if not row:
        return format_html("{}", "—")
    model = model_of_table(table_name)
    lines = []
    for column, value in row.items():
        field_name, title = column, column
        if model is not None:
            for model_field in model._meta.concrete_fields:
                if model_field.column == column:
                    field_name, title = model_field.name, str(model_field.verbose_name)
                    break
        lines.append((title, value_label(model, field_name, value)))
    return format_html('<ul class="in-words">{}</ul>', format_html_join("", "<li>{}：{}</li>", lines))


def model_of_table(table_name: str) -> type[models.Model] | None:
    from django.apps import apps

    for model in apps.get_models(include_auto_created=True):
        if model._meta.db_table == table_name:
            return model
    return None


def table_label(table_name: str) -> str:
    """A table by its model's name; a many-to-many table as "账户 · 所属市场主体"."""
    model = model_of_table(table_name)
    if model is None:
        return table_name
    parent = model._meta.auto_created
    if parent:
        for many in parent._meta.many_to_many:
            if many.remote_field.through is model:
                return f"{parent._meta.verbose_name} · {many.verbose_name}"
    return str(model._meta.verbose_name)


# ------------------------------------------------------------------ the admin's building blocks


def labelled(name: str, description: Any, labels: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None,
             *, ordering: str | None = None) -> Callable:
    """A field shown in words, for ``list_display`` and ``fields``: ``source_type_label = labelled("source_type", ...)``.

    Without ``labels`` the field's choices or registered codes are used; region fields show names, lists are joined.
    """

    @admin.display(description=description, ordering=ordering or name)
    def show(modeladmin, obj):
        table = labels() if callable(labels) else labels
        value = getattr(obj, name)
        if table is not None:
            if isinstance(value, (list, tuple)):
                return codes_label(value, table)
            return code_label(value, table)
        return value_label(type(obj), name, value)

    show.__name__ = f"{name}_label"
    return show


def code_filter(field: str, title: Any, labels: Mapping[str, Any] | Callable[[], Mapping[str, Any]],
                *, parameter_name: str | None = None) -> type[admin.SimpleListFilter]:
    """A list filter on a field that stores codes without choices, offering the labels (no DISTINCT scan)."""

    class CodeFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            table = labels() if callable(labels) else labels
            return [(code, str(label)) for code, label in table.items()]

        def queryset(self, request, queryset):
            value = self.value()
            return queryset.filter(**{field: value}) if value else queryset

    CodeFilter.title = title
    CodeFilter.parameter_name = parameter_name or field
    CodeFilter.__name__ = f"{field.title().replace('_', '')}Filter"
    return CodeFilter
