"""Filing a complaint with its attachments and the opt-in to status updates, all or nothing.

``complaint_submit`` is what the portal's form and ``POST /api/v1/complaints/`` call: the complaint
(``complaints.services.complaint_file``), up to five files (``core.uploads``) and the contact for updates
(``complaints.status_update_services``) are written in one transaction. A file that is refused, a sixth
file, or a rule of the complaint that fails refuses the whole submission: nothing is saved, and a file
already written to disk is removed again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from complaints import services
from complaints.attachments import MAX_ATTACHMENTS, ComplaintAttachment
from complaints.models import Complaint
from complaints.status_update_services import subscription_create
from core import uploads

ATTACHMENTS_FOLDER = "complaints"
#: a mainland mobile number (what a text message can reach), with or without +86
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


def mobile_number(phone: str) -> str | None:
    """The 11-digit mobile number in ``phone`` (spaces and hyphens ignored), or None if it is not one."""
    match = _MOBILE.match(re.sub(r"[\s\-]", "", phone or ""))
    return match.group(1) if match else None


def attachments_prepare(files: Sequence[Any]) -> tuple[list[uploads.PreparedUpload], list[str]]:
    """Check each file (in order); returns the accepted ones and one message per refused one."""
    if len(files) > MAX_ATTACHMENTS:
        return [], [_("最多上传 %(count)s 个附件，您选择了 %(chosen)s 个。")
                    % {"count": MAX_ATTACHMENTS, "chosen": len(files)}]
    prepared, errors = [], []
    for number, upload in enumerate(files, start=1):
        try:
            prepared.append(uploads.prepare(upload))
        except ValidationError as exc:
            label = uploads.original_name(getattr(upload, "name", ""))
            errors.extend(_("附件 %(number)s（%(name)s）：%(message)s") % {"number": number, "name": label,
                                                                      "message": message}
                          for message in exc.messages)
    return prepared, errors


def _contact_errors(*, notify_email: str, notify_sms: bool, complainant_phone: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if notify_email:
        try:
            validate_email(notify_email)
        except ValidationError:
            errors["notify_email"] = [_("请输入有效的电子邮箱地址。")]
    if notify_sms and mobile_number(complainant_phone) is None:
        errors["notify_sms"] = [_("短信通知需要在“联系电话”中填写 11 位手机号码。")]
    return errors


def complaint_submit(*, attachments: Sequence[Any] = (), notify_email: str = "", notify_sms: bool = False,
                     **filing: Any) -> Complaint:
    """File a complaint (``filing``: the arguments of ``complaint_file``) with its files and opt-ins.

    Errors of the files (``attachments``), of the contact (``notify_email``, ``notify_sms``) and of the
    complaint itself are raised together in one ``ValidationError``, and nothing is kept.
    """
    notify_email = (notify_email or "").strip()
    prepared, file_errors = attachments_prepare(list(attachments))
    errors = _contact_errors(notify_email=notify_email, notify_sms=notify_sms,
                             complainant_phone=filing.get("complainant_phone", ""))
    if file_errors:
        errors["attachments"] = file_errors
    with uploads.discarding_on_error() as written, transaction.atomic():
        try:
            complaint = services.complaint_file(**filing)
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise ValidationError({**found, **errors}) from exc
        if errors:
            raise ValidationError(errors)
        for position, upload in enumerate(prepared, start=1):
            name = uploads.store(upload, folder=ATTACHMENTS_FOLDER)
            written.append(name)
            attachment = ComplaintAttachment(
                complaint=complaint, position=position, kind=upload.kind.name, size=upload.size,
                sha256=upload.sha256, stored_name=name, original_name=upload.original_name)
            attachment.full_clean(exclude=["complaint"])
            attachment.save()
        phone = mobile_number(filing.get("complainant_phone", "")) if notify_sms else None
        if notify_email or phone:
            subscription_create(complaint=complaint, email=notify_email, phone=phone or "")
    return complaint
