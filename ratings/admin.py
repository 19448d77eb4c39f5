"""Django admin (in Chinese) for credit ratings: scoring models through the services, derived data read-only.

Scores, their history, the credit-event ledger and recompute runs are derived
and reproducible: they are viewed here, never edited. A scoring model is
added or corrected through the same services as the API, and activated by an
action that schedules the full recompute.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.base import (
    ReadOnlyAdmin,
    RegistrySearch,
    RegulatorAdmin,
    Transition,
    adopt,
    link,
)
from core.admin.labels import (
    chinese_date,
    code_filter,
    code_label,
    in_words,
    labelled,
    register_codes,
)
from entities.selectors import entity_ids_matching
from ratings import services
from ratings.labels import RULE_KEYS, RULE_LABELS, SOURCE_TYPE_LABELS
from ratings.models import (
    CreditEvent,
    CreditScore,
    CreditScoreHistory,
    RecomputeChunk,
    RecomputeRun,
    RescoreRequest,
    ScoringModel,
)

register_codes(CreditEvent, "rule", RULE_LABELS)
register_codes(CreditEvent, "source_type", SOURCE_TYPE_LABELS)


def rules_in_words(rules) -> str:
    """A scoring model's rules document in words (rules and keys by their labels)."""
    return in_words(rules, {**RULE_LABELS}, keys=RULE_KEYS)


def _activate(request, model, data):
    services.scoring_model_activate(model_id=model.pk)


@admin.register(ScoringModel)
class ScoringModelAdmin(RegulatorAdmin):
    """评分模型: a model that has ever been active is evidence of past scores and stays as it is."""

    allow_add = True
    allow_change = True
    transitions = (
        Transition(name="scoring_model_activate", label=_("启用并全量重算"), run=_activate,
                   applies=lambda model: not model.is_active),
    )
    list_display = ["version", "name", "effective_from", "is_active", "activated_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fields = ["version", "name", "effective_from", "rules", "is_active", "activated_at", "created_by_link",
              "created_at"]
    readonly_fields = ["is_active", "activated_at", "created_by_link", "created_at", "rules_display"]
    created_by_link = link("created_by", _("创建人"))

    @admin.display(description=_("规则"))
    def rules_display(self, model: ScoringModel) -> str:
        return rules_in_words(model.rules)

    def get_fields(self, request, obj=None):
        # A model that can no longer change shows its rules in words; an editable one keeps the JSON to edit.
        fields = list(super().get_fields(request, obj))
        if obj is not None and not self.has_change_permission(request, obj):
            fields = ["rules_display" if name == "rules" else name for name in fields]
        return [name for name in fields if name != "rules_display" or obj is not None]

    def has_change_permission(self, request, obj=None) -> bool:
        # The service refuses once a model has been activated; the seeded model is active without that date.
        if obj is not None and (obj.is_active or obj.activated_at is not None):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("version", "name", "effective_from", "rules")}
        if change:
            saved = services.scoring_model_update(model=obj, **fields)
        else:
            saved = services.scoring_model_create(actor=request.user, **fields)
        adopt(obj, saved)


class EntitySearchMixin(RegistrySearch):
    """Search by the scored entity: name keys, credit code, or its id."""

    search_id_field = "entity_id"
    search_by = {"entity": entity_ids_matching}


@admin.register(CreditScore)
class CreditScoreAdmin(EntitySearchMixin, ReadOnlyAdmin):
    list_display = ["entity", "score", "grade", "model_version", "as_of", "computed_at"]
    list_filter = ["grade", "model_version"]
    list_select_related = ["entity"]
    search_fields = ["entity__name"]
    search_help_text = _("按主体编号、名称或信用代码查找。")
    fields = ["entity", "score", "grade", "base", "model_version", "as_of", "computed_at", "breakdown_display"]
    readonly_fields = ["breakdown_display"]

    @admin.display(description=_("明细"))
    def breakdown_display(self, score: CreditScore) -> str:
        return breakdown_table(score.breakdown)


def breakdown_table(breakdown) -> str:
    """A score's breakdown as a table: each line's rule and source in words, its points and weight."""
    lines = breakdown if isinstance(breakdown, list) else []
    if not lines:
        return "—"
    rows = []
    for line in lines:
        if not isinstance(line, dict):
            continue
        source = code_label(line.get("source_type"), SOURCE_TYPE_LABELS)
        if line.get("source_id") is not None:
            source = f"{source} #{line['source_id']}"
        rows.append((code_label(line.get("rule"), RULE_LABELS), source, line.get("base_points", ""),
                     line.get("weight", ""), line.get("points", ""), _day(line.get("occurred_on")),
                     _day(line.get("expires_on"))))
    return format_html(
        '<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
        "<tbody>{}</tbody></table>", _("规则"), _("来源"), _("基础分值"), _("权重"), _("计入分值"), _("发生日期"),
        _("失效日期"), format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
                                           "<td>{}</td><td>{}</td></tr>", rows))


def _day(value) -> str:
    import datetime

    if not value:
        return "—"
    try:
        return chinese_date(datetime.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


@admin.register(CreditScoreHistory)
class CreditScoreHistoryAdmin(EntitySearchMixin, ReadOnlyAdmin):
    list_display = ["entity_link", "score", "grade", "model_version", "as_of", "computed_at"]
    fields = ["entity_link", "score", "grade", "model_version", "as_of", "computed_at"]
    readonly_fields = ["entity_link"]
    entity_link = link("entity", _("市场主体"))
    list_filter = ["grade", "model_version", ("computed_at", admin.DateFieldListFilter)]
    list_select_related = ["entity"]
    search_fields = ["entity__name"]
    search_help_text = _("按主体编号、名称或信用代码查找。")


@admin.register(CreditEvent)
class CreditEventAdmin(EntitySearchMixin, ReadOnlyAdmin):
    """信用事件台账: one line of evidence each, derived from complaints, findings and listings."""

    list_display = ["id", "entity_link", "rule_label", "source_type_label", "source_id", "occurred_on", "publicity",
                    "ends_on"]
    fields = ["entity_link", "source_type_label", "source_id", "rule_label", "occurred_on", "publicity", "ends_on",
              "note", "created_at"]
    readonly_fields = ["entity_link", "rule_label", "source_type_label"]
    entity_link = link("entity", _("市场主体"))
    rule_label = labelled("rule", _("规则"), RULE_LABELS)
    source_type_label = labelled("source_type", _("来源类型"), SOURCE_TYPE_LABELS)
    list_filter = [code_filter("source_type", _("来源类型"), SOURCE_TYPE_LABELS),
                   code_filter("rule", _("规则"), RULE_LABELS), "publicity",
                   ("occurred_on", admin.DateFieldListFilter)]
    list_select_related = ["entity"]
    search_fields = ["entity__name"]
    search_help_text = _("按主体编号、名称或信用代码查找。")


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "model_version", "as_of", "reason", "progress", "started_at", "finished_at"]
    list_filter = ["model_version"]
    fields = ["model_version", "as_of", "reason", "progress", "started_at", "finished_at"]
    readonly_fields = ["progress"]

    @admin.display(description=_("进度"))
    def progress(self, run: RecomputeRun) -> str:
        return f"{len(run.done_chunks)}/{len(run.chunk_bounds)}"


@admin.register(RecomputeChunk)
class RecomputeChunkAdmin(ReadOnlyAdmin):
    """重算分块: each id range of a run and when it was scored (read-only)."""

    list_display = ["run", "index", "first_id", "last_id", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter)]
    list_select_related = ["run"]


@admin.register(RescoreRequest)
class RescoreRequestAdmin(EntitySearchMixin, ReadOnlyAdmin):
    """重算发件箱: entities whose rescore is still due (drained by the beat job)."""

    list_display = ["entity_link", "requested_at"]
    fields = ["entity_link", "requested_at"]
    readonly_fields = ["entity_link"]
    entity_link = link("entity", _("市场主体"))
    list_select_related = ["entity"]
    search_fields = ["entity__name"]
