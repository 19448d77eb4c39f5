"""投诉附件: the photos and PDFs (receipts, contracts, tickets) a complainant sends with the complaint.

The files themselves live in the private media root (core.uploads), under random names, cleaned of their
metadata; this table says which complaint each belongs to. They are shown to the staff handling the complaint
and to the business complained about, never to the public; the business does not see the file names the
complainant's device gave them (they may carry a name), only "附件 1" and its kind.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import uploads

#: 旅游投诉 attachments per complaint (issue 17: up to five photos or PDFs)
MAX_ATTACHMENTS = 5


class AttachmentKind(models.TextChoices):
    JPEG = uploads.JPEG.name, _("JPEG 图片")
    PNG = uploads.PNG.name, _("PNG 图片")
    WEBP = uploads.WEBP.name, _("WebP 图片")
    PDF = uploads.PDF.name, _("PDF 文件")


class ComplaintAttachment(models.Model):
    """投诉附件: one file of a complaint, numbered 1 to 5 in the order the complainant chose them."""

    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.CASCADE, related_name="attachments",
                                  verbose_name=_("投诉"))
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("文件类型"), max_length=8, choices=AttachmentKind.choices)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件校验值（SHA-256）"), max_length=64)
    stored_name = models.CharField(_("存储名"), max_length=120, unique=True, editable=False)
    original_name = models.CharField(_("原文件名"), max_length=120, blank=True,
                                     help_text=_("投诉人设备上的文件名，仅监管人员可见。"))
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉附件")
        verbose_name_plural = _("投诉附件")
        ordering = ["complaint_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "position"], name="complaint_attachment_position_unique"),
            models.CheckConstraint(condition=Q(position__gte=1, position__lte=MAX_ATTACHMENTS),
                                   name="complaint_attachment_at_most_five"),
            models.CheckConstraint(condition=Q(kind__in=AttachmentKind.values), name="complaint_attachment_kind"),
        ]

    def __str__(self) -> str:
        return f"投诉 #{self.complaint_id} 附件 {self.position}"

    @property
    def upload_kind(self) -> uploads.Kind:
        return uploads.KINDS[self.kind]

    @property
    def download_name(self) -> str:
        """The name the file is downloaded under: the complaint and the number, never the complainant's name."""
        return f"complaint-{self.complaint_id}-{self.position}{self.upload_kind.extension}"
