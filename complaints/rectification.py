"""整改材料: what a business sends to show that a finding of an inspection has been rectified.

A business answers an open finding (``Finding.rectified_on`` not set) with a note and up to five photos or PDFs
(the rectified notice board, a new licence, a training record). The inspector in scope reviews it: accepting it
records the rectification through ``complaints.services.finding_rectify`` (so the credit score's rectification
rules see it), returning it tells the business why, and the business may then send new material. At most one
submission per finding awaits review at a time (a partial unique index backs the rule).

The files live in the private media root (core.uploads, decision 0019) like a complaint's attachments; this module
says which submission each belongs to. They are shown to the business that sent them and the staff in scope of the
finding's entity, never to the public.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.attachments import AttachmentKind
from core import uploads
from core.models import TransitionRecord
from core.transitions import Step

#: files per submission (issue 17 item 3: "up to 5 files")
MAX_EVIDENCE_FILES = 5
#: the note's length, as the form and the API take it
MAX_NOTE = 2000


class EvidenceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已认可，整改完成")
    RETURNED = "returned", _("已退回")


#: (state, action) -> Step(next state): the whole lifecycle; anything else is a 409 that changes nothing.
TRANSITIONS: dict[tuple[str, str], Step] = {
    (EvidenceStatus.SUBMITTED, "accept"): Step(EvidenceStatus.ACCEPTED),
    (EvidenceStatus.SUBMITTED, "return"): Step(EvidenceStatus.RETURNED),
}
ACTION_LABELS = {"submit": _("提交整改材料"), "accept": _("认可整改材料"), "return": _("退回整改材料")}


class RectificationEvidence(models.Model):
    """整改材料: one submission of a business for one open finding, reviewed by the staff in scope."""

    finding = models.ForeignKey("complaints.Finding", on_delete=models.CASCADE, related_name="rectification_evidence",
                                verbose_name=_("检查发现"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("提交账户"))
    note = models.TextField(_("整改说明"), max_length=MAX_NOTE, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=EvidenceStatus.choices,
                              default=EvidenceStatus.SUBMITTED)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("审核人"))
    review_note = models.TextField(_("审核意见"), max_length=MAX_NOTE, blank=True,
                                   help_text=_("退回时为退回理由，经营者可见。"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    rectified_on = models.DateField(_("认定的整改完成日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("整改材料")
        verbose_name_plural = _("整改材料")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="evidence_status_created")]
        constraints = [
            models.UniqueConstraint(fields=["finding"], condition=Q(status="submitted"),
                                    name="rectification_evidence_one_open"),
            models.CheckConstraint(condition=Q(status__in=EvidenceStatus.values), name="rectification_evidence_status"),
            models.CheckConstraint(condition=Q(status="submitted") | Q(reviewed_at__isnull=False),
                                   name="rectification_evidence_reviewed_has_time"),
            models.CheckConstraint(condition=~Q(status="returned") | ~Q(review_note=""),
                                   name="rectification_evidence_return_has_reason"),
            models.CheckConstraint(condition=~Q(status="accepted") | Q(rectified_on__isnull=False),
                                   name="rectification_evidence_accept_has_date"),
        ]

    def __str__(self) -> str:
        return f"整改材料 #{self.pk}（检查发现 #{self.finding_id}，{self.get_status_display()}）"


class RectificationEvidenceFile(models.Model):
    """整改材料附件: one file of a submission, numbered 1 to 5 in the order the business chose them."""

    evidence = models.ForeignKey(RectificationEvidence, on_delete=models.CASCADE, related_name="files",
                                 verbose_name=_("整改材料"))
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("文件类型"), max_length=8, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    stored_name = models.CharField(_("存储名"), max_length=120, unique=True, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("整改材料附件")
        verbose_name_plural = _("整改材料附件")
        ordering = ["evidence_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "position"], name="evidence_file_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1, position__lte=MAX_EVIDENCE_FILES),
                                   name="evidence_file_at_most_five"),
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="evidence_file_kind"),
        ]

    def __str__(self) -> str:
        return f"整改材料 #{self.evidence_id} 附件 {self.position}"

    @property
    def upload_kind(self) -> uploads.Kind:
        return uploads.KINDS[self.kind]

    @property
    def download_name(self) -> str:
        return f"rectification-{self.evidence_id}-{self.position}{self.upload_kind.extension}"


class RectificationEvidenceEvent(TransitionRecord):
    """整改材料流转记录 (append-only): submitted, accepted or returned, by whom and why."""

    evidence = models.ForeignKey(RectificationEvidence, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("整改材料"))
    subject_field = "evidence"

    class Meta(TransitionRecord.Meta):
        verbose_name = _("整改材料流转记录")
        verbose_name_plural = _("整改材料流转记录")

    def __str__(self) -> str:
        return self.caption(ACTION_LABELS, dict(EvidenceStatus.choices))
