"""流转记录: the one shape of an append-only state-change history, shared by complaints and listings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TransitionRecord(models.Model):
    """One state change (or a step that leaves the state, such as a reply): from, to, who (name frozen), why, when.

    Concrete histories add the foreign key to their subject (``complaint``, ``listing``) and are written only
    by :func:`core.transitions.record_transition`, inside the transaction of the change.
    """

    action = models.CharField(_("动作"), max_length=32)
    from_status = models.CharField(_("原状态"), max_length=16, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_name = models.CharField(_("操作人"), max_length=150, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    #: the name of the foreign key to the subject, set by each concrete history
    subject_field = ""

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption()

    def caption(self, actions: dict | None = None, states: dict | None = None) -> str:
        """``#1 制发告知书（拟列入 → 已告知）``: the step and the states in words (each history passes its labels)."""
        actions, states = actions or {}, states or {}
        action = str(actions.get(self.action, self.action))
        to_label = str(states.get(self.to_status, self.to_status))
        if self.from_status and self.from_status != self.to_status:
            change = f"{states.get(self.from_status, self.from_status)} → {to_label}"
        else:
            change = to_label
        return f"#{getattr(self, f'{self.subject_field}_id', '')} {action}（{change}）"
